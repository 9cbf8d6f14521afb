//! Payment plans (缴费计划): set by finance on an issued policy, checked against the
//! premium due and the programme's first-installment rule, and turned into the
//! schedule actually due once endorsements change the premium.

use super::{internal, issued_policy_for_update, require_finance, settlement};
use crate::domain::billing::plan::{self as rules, FirstInstallmentRule};
use crate::domain::billing::schedule::{self, PremiumChange, Scheduled};
use crate::domain::billing::Installment;
use crate::domain::money::Money;
use crate::domain::programme::ConditionKind;
use crate::library::Library;
use crate::services::Ctx;
use crate::services::{Actor, FieldError, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::billing::{self as store, BilledPolicy};
use crate::store::Tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// One installment of a plan as entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanLine {
    pub due_on: NaiveDate,
    #[schema(value_type = String)]
    pub amount: Money,
}

/// A payment plan: one line for a single payment, several for installments, in
/// due-date order, adding up exactly to the premium due.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub installments: Vec<PlanLine>,
}

/// The programme's minimum first installment, if it has one (Shanxi: 30 %).
pub(super) fn first_installment_rule(
    library: &Library,
    programme_id: Option<&str>,
) -> Option<FirstInstallmentRule> {
    let p = library.programme(programme_id?)?;
    let c = p.condition(ConditionKind::FirstInstallmentShare)?;
    Some(FirstInstallmentRule {
        share: c.share?,
        rule_zh: format!("《{}》{}", p.name.zh, c.source.article),
        rule_en: format!("{} ({})", p.name.en, c.source.article),
    })
}

/// Set (or replace) the plan of an issued policy.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn set_plan(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
    input: PlanInput,
) -> ServiceResult<Vec<PlanLine>> {
    require_finance(actor, "set payment plans")?;
    let mut tx = ctx.db.write().await?;
    let policy = issued_policy_for_update(&mut tx, policy_id).await?;
    let due = settlement(&mut tx, policy_id).await?.premium_due;
    let lines: Vec<Installment> = input
        .installments
        .iter()
        .map(|l| Installment {
            due_on: l.due_on,
            amount: l.amount,
        })
        .collect();
    let rule = first_installment_rule(ctx.library, policy.programme_id.as_deref());
    rules::validate(due, &lines, rule.as_ref())
        .map_err(|e| ServiceError::Validation(vec![FieldError::new(&e.field(), e.en(), e.zh())]))?;
    let based_on = store::premium_versions(&mut tx, policy_id)
        .await?
        .last()
        .map(|v| v.seq)
        .ok_or_else(|| internal("issued policy without versions"))?;
    let before = store::plan(&mut tx, policy_id).await?.map(|(_, items)| {
        items
            .iter()
            .map(|i| json!({"due_on": i.due_on, "amount": i.amount}))
            .collect::<Vec<_>>()
    });
    let rows: Vec<(NaiveDate, i64)> = lines.iter().map(|l| (l.due_on, l.amount.fen())).collect();
    store::set_plan(&mut tx, policy_id, based_on, actor.user_id, &rows).await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "billing.plan",
            entity_type: "policy",
            entity_id: policy_id.to_string(),
            before: before.map(|b| json!({ "installments": b })),
            after: Some(json!({
                "installments": input.installments, "premium_due": due, "based_on_version": based_on,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(input.installments)
}

/// The installments due now: the plan (or a single payment at the start of the
/// period) with every later premium change applied.
pub(super) async fn schedule_of(
    tx: &mut Tx,
    policy: &BilledPolicy,
) -> ServiceResult<Vec<Scheduled>> {
    let versions = store::premium_versions(tx, policy.policy_id).await?;
    let plan = store::plan(tx, policy.policy_id).await?.map(|(p, items)| {
        (
            items
                .iter()
                .map(|i| Installment {
                    due_on: i.due_on,
                    amount: i.amount,
                })
                .collect(),
            p.based_on_seq,
        )
    });
    Ok(schedule_from(policy, &versions, plan))
}

/// [`schedule_of`] from rows already read (`plan`: the installments and the version
/// they were based on), so a page of policies is read in a few statements.
pub(super) fn schedule_from(
    policy: &BilledPolicy,
    versions: &[store::PremiumVersion],
    plan: Option<(Vec<Installment>, i32)>,
) -> Vec<Scheduled> {
    let Some(issue) = versions.first() else {
        return Vec::new();
    };
    let (plan, based_on) = plan.unwrap_or_else(|| {
        (
            vec![Installment {
                due_on: policy.period_start,
                amount: issue.premium,
            }],
            issue.seq,
        )
    });
    let changes: Vec<PremiumChange> = versions
        .iter()
        .filter(|v| v.seq > based_on && !v.adjustment.is_zero())
        .map(|v| PremiumChange {
            effective_on: v.effective_on,
            adjustment: v.adjustment,
        })
        .collect();
    schedule::schedule(&plan, &changes)
}
