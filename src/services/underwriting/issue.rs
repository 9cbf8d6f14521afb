//! Referral decisions (上级核保), binding (承保) and issuing (出单).

use super::view::PolicyView;
use super::{authority, load_for_change, require_underwriter, snapshot, transition, Ctx};
use crate::domain::money::Money;
use crate::domain::policy_state::PolicyState;
use crate::domain::role::Role;
use crate::domain::text::Text;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::policies::PolicyRow;
use crate::store::policies::{self as store, NewVersion};
use crate::store::types::JsonText;
use crate::store::Tx;
use chrono::Datelike;
use serde_json::json;

async fn log(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    id: i64,
    before: serde_json::Value,
    after: serde_json::Value,
) -> ServiceResult<()> {
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action,
            entity_type: "policy",
            entity_id: id.to_string(),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Someone at the level of the authority ladder the referral waits for (or above),
/// other than the one who referred it, approves or declines, with a reason.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn decide_referral(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
    approve: bool,
    note: &str,
) -> ServiceResult<PolicyView> {
    actor.require(actor.role.decides_referrals(), "decide referrals")?;
    if note.trim().is_empty() {
        return Err(ServiceError::field(
            "reason",
            "give the reason for the decision",
            "请填写核保意见",
        ));
    }
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, policy_id).await?;
    let referral = store::open_referral(&mut tx, policy_id)
        .await?
        .ok_or_else(|| {
            ServiceError::Conflict(Text::new("该保单没有待处理的转核", "no open referral"))
        })?;
    if referral.requested_by == actor.user_id {
        return Err(ServiceError::Forbidden(
            "decide a referral you made yourself (another senior underwriter must decide it)",
        ));
    }
    // A referral is decided only at the level of the authority ladder it waits for, or
    // above (issue 15 item 6; DOMAIN.md: refer what exceeds authority).
    let level = match referral
        .level
        .as_deref()
        .and_then(|c| c.parse::<Role>().ok())
    {
        Some(level) => level,
        None => legacy_level(ctx, &row, referral.endorsement_json.as_ref().map(|j| &j.0))?,
    };
    authority::require_level(ctx, actor.role, level)?;
    if approve && referral.endorsement_json.is_none() {
        authority::require_valid(ctx, &row)?;
    }
    let before = snapshot(&row);
    let decision = if approve { "approved" } else { "declined" };
    if let Some(JsonText(change)) = &referral.endorsement_json {
        // An endorsement: the policy stays as it is unless approved, then it is changed.
        store::decide_referral(
            &mut tx,
            referral.referral_id,
            decision,
            actor.user_id,
            note.trim(),
        )
        .await?;
        let adjustment = if approve {
            Some(super::lifecycle::apply_approved(ctx, &mut tx, actor, &mut row, change).await?)
        } else {
            None
        };
        let mut after = snapshot(&row);
        after["referral_id"] = json!(referral.referral_id);
        after["decision"] = json!(decision);
        after["reason"] = json!(note.trim());
        after["level"] = json!(level.as_str());
        after["endorsement_adjustment"] = json!(adjustment);
        log(
            &mut tx,
            actor,
            "policy.endorsement_referral_decided",
            policy_id,
            before,
            after,
        )
        .await?;
        tx.commit().await?;
        return Ok(super::view::dated(ctx, &row));
    }
    let state = row.state();
    let next = if approve {
        state.approve()
    } else {
        state.decline(ctx.clock.today())
    }
    .map_err(transition)?;
    row.set_state(next);
    store::decide_referral(
        &mut tx,
        referral.referral_id,
        decision,
        actor.user_id,
        note.trim(),
    )
    .await?;
    store::save(&mut tx, &mut row).await?;
    let mut after = snapshot(&row);
    after["referral_id"] = json!(referral.referral_id);
    after["decision"] = json!(decision);
    after["reason"] = json!(note.trim());
    after["level"] = json!(level.as_str());
    log(
        &mut tx,
        actor,
        "policy.referral_decided",
        policy_id,
        before,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(super::view::dated(ctx, &row))
}

/// The level a referral made before the ladder was recorded waits for, from the policy
/// as it is (and the limit an endorsement asks for).
fn legacy_level(
    ctx: &Ctx<'_>,
    row: &PolicyRow,
    endorsement: Option<&serde_json::Value>,
) -> ServiceResult<Role> {
    let mut limit = row.aggregate_limit;
    if let Some(change) = endorsement {
        let asked = change
            .get("aggregate_limit")
            .cloned()
            .and_then(|v| serde_json::from_value::<Money>(v).ok());
        limit = limit.max(asked.unwrap_or(limit));
    }
    let deviation = ctx
        .library
        .rate_filing(&row.clause_set_id, &row.clause_set_version)
        .map_or(rust_decimal::Decimal::ZERO, |f| {
            crate::domain::authority::deviation(row.rate, &f.band)
        });
    let wholly_past = endorsement.is_none() && row.period_end < ctx.clock.today();
    authority::route(ctx, &authority::ask(limit, deviation, wholly_past))
}

/// A declined or withdrawn quote, or one whose validity ended, cannot be bound.
fn require_bindable(ctx: &Ctx<'_>, row: &PolicyRow, state: &PolicyState) -> ServiceResult<()> {
    if matches!(state.status(), "declined" | "withdrawn") {
        return Err(super::close::closed(state));
    }
    if let PolicyState::Quoted { .. } = state {
        authority::require_valid(ctx, row)?;
    }
    Ok(())
}

/// quoted → bound. A quote with open referral reasons must have been approved; an
/// expired, declined or withdrawn quote is refused with its own problem type.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn bind(ctx: &Ctx<'_>, actor: &Actor, policy_id: i64) -> ServiceResult<PolicyView> {
    require_underwriter(actor, "bind policies")?;
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, policy_id).await?;
    require_bindable(ctx, &row, &row.state())?;
    let before = snapshot(&row);
    let next = row
        .state()
        .bind(ctx.clock.today(), row.needs_referral)
        .map_err(transition)?;
    row.set_state(next);
    store::save(&mut tx, &mut row).await?;
    log(
        &mut tx,
        actor,
        "policy.bind",
        policy_id,
        before,
        snapshot(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(super::view::dated(ctx, &row))
}

/// Record that the end user's receipt (最终用户接收证明) is on file.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn record_end_user_proof(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<PolicyView> {
    require_underwriter(actor, "record end-user proof")?;
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, policy_id).await?;
    if row.policy_number.is_some() {
        return Err(ServiceError::Conflict(Text::new(
            "保单已出单",
            "the policy is already issued",
        )));
    }
    let before = snapshot(&row);
    row.end_user_proof = true;
    store::save(&mut tx, &mut row).await?;
    log(
        &mut tx,
        actor,
        "policy.end_user_proof",
        policy_id,
        before,
        snapshot(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(super::view::dated(ctx, &row))
}

/// bound → issued (and in force at once if the period has started). A quote that needs
/// no (further) approval is bound and issued in the same transaction. The policy number
/// is taken from the per-insurer, per-year counter inside this transaction, and the
/// terms and clause text are fixed as version 1.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn issue(ctx: &Ctx<'_>, actor: &Actor, policy_id: i64) -> ServiceResult<PolicyView> {
    require_underwriter(actor, "issue policies")?;
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, policy_id).await?;
    // Re-checked at issue: two quotes for one serial may both have been open.
    super::history::check(&mut tx, &row.terms_json.0, Some(policy_id)).await?;
    if row.intermediary_id.is_some() && !row.end_user_proof {
        return Err(ServiceError::Conflict(Text::new(
            "经中间方销售的装备须先取得最终用户接收证明",
            "sold through an intermediary: the end user's receipt is needed before issue",
        )));
    }
    let day = ctx.clock.today();
    let mut state = row.state();
    require_bindable(ctx, &row, &state)?;
    if let PolicyState::Quoted { .. } = state {
        state = state.bind(day, row.needs_referral).map_err(transition)?;
    }
    let mut next = state.issue(day).map_err(transition)?;
    if day >= row.period_start {
        next = next
            .take_effect(day, row.period_start)
            .map_err(transition)?;
    }
    let set = ctx
        .library
        .clause_set(&row.clause_set_id, &row.clause_set_version)
        .ok_or_else(|| ServiceError::Internal("clause set of the quote is gone".into()))?;
    let clause_text = serde_json::to_string(set)
        .map_err(|e| ServiceError::internal_from("serialise a record to JSON", e))?;
    let before = snapshot(&row);
    store::add_version(
        &mut tx,
        &NewVersion {
            policy_id,
            kind: "issue",
            effective_on: row.period_start,
            terms_json: &row.terms_json.0,
            clause_text_json: &clause_text,
            premium: row.premium,
            adjustment: row.premium,
            reason: "",
            created_by: actor.user_id,
        },
    )
    .await?;
    row.issued_at = Some(crate::store::now());
    row.set_state(next);
    // The counter is a row every issue locks until commit: it is taken last, with the save
    // and the audit entry, so concurrent issues wait on each other as briefly as possible.
    let code = &ctx.config.insurer.code;
    let year = day.year();
    row.policy_number = Some(audit::NUMBER_MARK.into());
    let after = snapshot(&row);
    row.policy_number = None;
    store::save_issued(
        &mut tx,
        &mut row,
        (&format!("policy:{code}"), year),
        &format!("{code}-{year}-"),
        &actor.audit(),
        AuditEntry {
            action: "policy.issue",
            entity_type: "policy",
            entity_id: policy_id.to_string(),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(super::view::dated(ctx, &row))
}
