//! The policy clock: issued policies come into force on the first day of their
//! period (起保) and expire after the last (满期), without anyone pressing a button.

use super::{load_for_change, snapshot, transition};
use crate::domain::policy_state::PolicyState;
use crate::services::Ctx;
use crate::services::{Actor, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::policies as store;
use chrono::NaiveDate;

/// Policies the clock moved, by policy number.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClockReport {
    pub took_effect: Vec<String>,
    pub expired: Vec<String>,
}

/// Move every due policy as of `day`; one transaction per policy, so one bad row
/// cannot hold the others back, and a policy changed meanwhile is simply re-read.
#[tracing::instrument(skip_all)]
pub async fn advance(ctx: &Ctx<'_>, day: NaiveDate) -> ServiceResult<ClockReport> {
    let db = ctx.db;
    let due = {
        let mut tx = db.read().await?;
        store::due_for_clock(&mut tx, day).await?
    };
    let mut report = ClockReport::default();
    for id in due {
        let mut tx = db.write().await?;
        let mut row = load_for_change(&mut tx, id).await?;
        let before = snapshot(&row);
        let mut state = row.state();
        let number = row.policy_number.clone().unwrap_or_default();
        let mut actions = Vec::new();
        if matches!(state, PolicyState::Issued { .. }) && day >= row.period_start {
            state = state
                .take_effect(day, row.period_start)
                .map_err(transition)?;
            actions.push("policy.take_effect");
            report.took_effect.push(number.clone());
        }
        if state.is_in_force() && day > row.period_end {
            state = state.expire(day, row.period_end).map_err(transition)?;
            actions.push("policy.expire");
            report.expired.push(number);
        }
        if actions.is_empty() {
            continue; // changed by someone else since the scan
        }
        row.set_state(state);
        store::save(&mut tx, &mut row).await?;
        for action in actions {
            audit::append(
                &mut tx,
                &Actor::system().audit(),
                AuditEntry {
                    action,
                    entity_type: "policy",
                    entity_id: id.to_string(),
                    before: Some(before.clone()),
                    after: Some(snapshot(&row)),
                },
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(report)
}
