//! After issue: endorsements (批改) and cancellation (退保), each a new fixed version.

use super::check::{price, Priced};
use super::{
    load_for_change, require_underwriter, snapshot, transition, Ctx, QuoteInput, UnitLine,
};
use crate::domain::lifecycle_text::policy_state_zh;
use crate::domain::money::Money;
use crate::domain::policy_state::{CancelReason, PolicyState};
use crate::domain::prorata::{self, Period};
use crate::domain::text::Text;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::policies::{self as store, NewVersion, PolicyRow};
use crate::store::types::JsonText;
use crate::store::Tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A change to an issued policy. Absent fields stay as they are.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndorsementInput {
    /// First day on the new terms.
    pub effective_on: NaiveDate,
    /// The units after the change (replaces the list).
    #[serde(default)]
    pub units: Option<Vec<UnitLine>>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub aggregate_limit: Option<Money>,
    /// New last day of cover.
    #[serde(default)]
    pub period_end: Option<NaiveDate>,
    pub reason: String,
    #[serde(default)]
    pub acknowledged: Vec<String>,
}

fn issued_period(row: &PolicyRow) -> ServiceResult<(PolicyState, Period)> {
    let state = row.state();
    if !matches!(state, PolicyState::Issued { .. } | PolicyState::InForce) {
        return Err(ServiceError::Conflict(Text::new(
            format!(
                "保单当前状态为“{}”，不能批改或退保",
                policy_state_zh(state.name())
            ),
            format!(
                "a policy that is {} cannot be endorsed or cancelled",
                state.name()
            ),
        )));
    }
    let period = Period::new(row.period_start, row.period_end)
        .map_err(|e| ServiceError::internal_from("read the policy period", e))?;
    Ok((state, period))
}

fn prorata_error(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::field("effective_on", e.to_string(), e.to_string())
}

/// What became of an endorsement.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EndorsementOutcome {
    /// Applied at once: additional (+) or return (−) premium.
    Applied {
        #[schema(value_type = String)]
        adjustment: Money,
    },
    /// Beyond the underwriter's authority or the filed band: waiting in the referral
    /// queue for a senior underwriter; the policy is unchanged until approved.
    Referred {
        referral_id: i64,
        #[schema(value_type = Vec<Object>)]
        reasons: Vec<crate::domain::programme::Finding>,
    },
}

/// Endorse an issued policy: re-check the hard rules on the new terms and re-price at
/// the policy's rate. Within the underwriter's authority it is applied at once;
/// otherwise it is referred (批改转核) and applied when a senior underwriter approves.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn endorse(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
    e: EndorsementInput,
) -> ServiceResult<EndorsementOutcome> {
    require_underwriter(actor, "endorse policies")?;
    if e.reason.trim().is_empty() {
        return Err(ServiceError::field(
            "reason",
            "give the reason for the endorsement",
            "请填写批改原因",
        ));
    }
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, policy_id).await?;
    let change = prepare(ctx, &mut tx, actor, &row, &e).await?;
    // Above the endorser's own level of the authority ladder it waits for the level that
    // covers it; within it (a senior underwriter within the senior authority) it applies.
    let covered = super::authority::ladder(ctx)
        .level(actor.role)
        .is_some_and(|l| l.covers(&change.priced.ask));
    if change.priced.quote.needs_referral() && !covered {
        let outcome = refer(&mut tx, actor, &row, &e, &change).await?;
        tx.commit().await?;
        return Ok(outcome);
    }
    let adjustment = apply(&mut tx, actor, &mut row, &e, change).await?;
    tx.commit().await?;
    Ok(EndorsementOutcome::Applied { adjustment })
}

/// A referred endorsement approved by a senior underwriter: checked and priced again
/// on the policy as it is now, then applied in the caller's transaction.
pub(super) async fn apply_approved(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    senior: &Actor,
    row: &mut PolicyRow,
    endorsement: &serde_json::Value,
) -> ServiceResult<Money> {
    let e = EndorsementInput::deserialize(endorsement)
        .map_err(|x| ServiceError::internal_from("read the referred endorsement", x))?;
    let change = prepare(ctx, tx, senior, row, &e).await?;
    apply(tx, senior, row, &e, change).await
}

/// The new terms, priced.
struct Change {
    terms: QuoteInput,
    priced: Priced,
    period: Period,
}

async fn prepare(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    actor: &Actor,
    row: &PolicyRow,
    e: &EndorsementInput,
) -> ServiceResult<Change> {
    let (_, period) = issued_period(row)?;
    if !period.contains(e.effective_on) {
        return Err(prorata_error(prorata::ProRataError::OutsidePeriod(
            e.effective_on,
        )));
    }
    let mut terms = row.terms_json.0.clone();
    if let Some(units) = e.units.clone() {
        terms.units = units;
    }
    if let Some(limit) = e.aggregate_limit {
        terms.aggregate_limit = limit;
    }
    // The warnings acknowledged on the quote stand for the policy: an endorsement asks
    // again only for a warning that was never acknowledged (one its new terms raise).
    for code in &e.acknowledged {
        if !terms.acknowledged.contains(code) {
            terms.acknowledged.push(code.clone());
        }
    }
    let priced = price(ctx, tx, actor, &terms, false).await?;
    Ok(Change {
        terms,
        priced,
        period,
    })
}

async fn refer(
    tx: &mut Tx,
    actor: &Actor,
    row: &PolicyRow,
    e: &EndorsementInput,
    change: &Change,
) -> ServiceResult<EndorsementOutcome> {
    let policy_id = row.policy_id;
    if store::open_referral(tx, policy_id).await?.is_some() {
        return Err(ServiceError::Conflict(Text::new(
            "该保单已有待上级核保的批改",
            "an endorsement of this policy is already waiting for a senior underwriter",
        )));
    }
    let internal =
        |x: serde_json::Error| ServiceError::internal_from("serialise the endorsement request", x);
    let request = serde_json::to_value(e).map_err(internal)?;
    let level = change
        .priced
        .level
        .ok_or_else(|| ServiceError::Internal("a referral without a level".into()))?;
    let referral_id = store::add_referral(
        tx,
        policy_id,
        &change.priced.quote.referrals,
        actor.user_id,
        Some(&request),
        level.as_str(),
    )
    .await?;
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action: "policy.endorsement_referred",
            entity_type: "policy",
            entity_id: policy_id.to_string(),
            before: Some(snapshot(row)),
            after: Some(
                json!({"referral_id": referral_id, "reasons": &change.priced.quote.referrals, "request": e, "level": level.as_str()}),
            ),
        },
    )
    .await?;
    Ok(EndorsementOutcome::Referred {
        referral_id,
        reasons: change.priced.quote.referrals.clone(),
    })
}

/// Charge or return the difference pro rata by days and fix a new version.
///
/// A change of value, units or limit moves the full-term premium; the adjustment is
/// the difference of the unearned parts from `effective_on`. A new end date adds or
/// returns premium at the daily rate of the original period.
async fn apply(
    tx: &mut Tx,
    actor: &Actor,
    row: &mut PolicyRow,
    e: &EndorsementInput,
    change: Change,
) -> ServiceResult<Money> {
    let Change {
        mut terms,
        priced,
        period,
    } = change;
    let policy_id = row.policy_id;
    let before = snapshot(row);
    let old_premium = row.premium;
    let new_premium = priced.quote.premium;
    let mut adjustment =
        prorata::endorsement_adjustment(old_premium, new_premium, &period, e.effective_on)
            .map_err(prorata_error)?;
    let mut full_term = new_premium;
    if let Some(end) = e.period_end {
        let extra = prorata::period_change_adjustment(new_premium, &period, end)
            .map_err(|x| ServiceError::field("period_end", x.to_string(), x.to_string()))?;
        adjustment = adjustment.try_add(extra)?;
        full_term = full_term.try_add(extra)?;
        terms.period_end = end;
        row.period_end = end;
    }
    row.units = i32::try_from(terms.unit_count()).unwrap_or(i32::MAX);
    row.insured_value = priced.insured_value;
    row.aggregate_limit = terms.aggregate_limit;
    row.premium = full_term;
    row.terms_json = JsonText(terms);
    let seq = store::add_version(
        tx,
        &NewVersion {
            policy_id,
            kind: "endorsement",
            effective_on: e.effective_on,
            terms_json: &row.terms_json.0,
            clause_text_json: "{}",
            premium: row.premium,
            adjustment,
            reason: e.reason.trim(),
            created_by: actor.user_id,
        },
    )
    .await?;
    store::save(tx, row).await?;
    let mut after = snapshot(row);
    after["version_seq"] = json!(seq);
    after["adjustment"] = json!(adjustment);
    after["reason"] = json!(e.reason.trim());
    after["findings"] = json!(priced.findings);
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action: "policy.endorse",
            entity_type: "policy",
            entity_id: policy_id.to_string(),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    if adjustment.fen() > 0 {
        // Additional premium is due again, so a full-premium collection certificate no
        // longer tells the truth (DOMAIN.md: never while anything is unpaid). A new one
        // can be issued once the additional premium is paid.
        crate::services::revocation::revoke_for_policy(
            tx,
            actor,
            policy_id,
            &format!(
                "批改加费 {g} 元待收 / endorsement added premium {g} CNY, now due",
                g = adjustment.grouped()
            ),
        )
        .await?;
    }
    Ok(adjustment)
}

/// Who ends the cover.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CancelledBy {
    /// 投保人申请退保
    Policyholder,
    /// 保险人解除
    Insurer,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// Last day of cover (cover ends at its 24:00).
    pub last_day_covered: NaiveDate,
    pub by: CancelledBy,
    pub reason: String,
}

/// Cancel an issued policy; the unearned premium is returned pro rata by days.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn cancel(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
    c: CancelInput,
) -> ServiceResult<Money> {
    require_underwriter(actor, "cancel policies")?;
    if c.reason.trim().is_empty() {
        return Err(ServiceError::field(
            "reason",
            "give the reason for the cancellation",
            "请填写退保原因",
        ));
    }
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, policy_id).await?;
    let (state, period) = issued_period(&row)?;
    if c.last_day_covered < row.period_start || c.last_day_covered > row.period_end {
        return Err(ServiceError::field(
            "last_day_covered",
            "the last day of cover must be inside the period",
            "退保日期须在保险期间内",
        ));
    }
    let premium = row.premium;
    let refund = prorata::return_premium_on_cancellation(premium, &period, c.last_day_covered)
        .map_err(|e| ServiceError::internal_from("compute the return premium", e))?;
    let reason = match c.by {
        CancelledBy::Policyholder => CancelReason::PolicyholderRequest,
        CancelledBy::Insurer => CancelReason::InsurerTermination,
    };
    let before = snapshot(&row);
    let next = state
        .cancel(c.last_day_covered, reason)
        .map_err(transition)?;
    row.set_state(next);
    store::add_version(
        &mut tx,
        &NewVersion {
            policy_id,
            kind: "cancellation",
            effective_on: c.last_day_covered,
            terms_json: &row.terms_json.0,
            clause_text_json: "{}",
            premium: premium.try_sub(refund)?,
            adjustment: refund.try_neg()?,
            reason: c.reason.trim(),
            created_by: actor.user_id,
        },
    )
    .await?;
    row.premium = premium.try_sub(refund)?;
    store::save(&mut tx, &mut row).await?;
    let mut after = snapshot(&row);
    after["return_premium"] = json!(refund);
    after["reason"] = json!(c.reason.trim());
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "policy.cancel",
            entity_type: "policy",
            entity_id: policy_id.to_string(),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(refund)
}
