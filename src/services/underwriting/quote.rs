//! Quoting (报价), changing a quote before it is bound, and renewal (续保).

use super::check::{price, Priced};
use super::view::PolicyView;
use super::{load_for_change, require_underwriter, snapshot, transition, Ctx, QuoteInput};
use crate::domain::lifecycle_text::policy_state_zh;
use crate::domain::money::{Money, Rate};
use crate::domain::policy_state::PolicyState;
use crate::domain::prorata::Period;
use crate::domain::subsidy::{continuity, PriorYear};
use crate::domain::text::Text;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::policies::{self as store, PolicyRow};
use crate::store::types::JsonText;
use crate::store::Tx;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::json;

/// Fill a row's priced columns from the input and its price.
fn apply(row: &mut PolicyRow, input: &QuoteInput, p: &Priced) -> ServiceResult<()> {
    row.maker_id = input.maker_id;
    row.user_id = input.user_id;
    row.intermediary_id = input.intermediary_id;
    row.end_user_proof = input.end_user_proof;
    row.catalogue_item_id = input.catalogue_item_id;
    row.cover_basis = input.cover_basis;
    row.clause_set_id = p.clause_set.id.clone();
    row.clause_set_version = p.clause_set.version.0.clone();
    row.programme_id = input.programme_id.clone();
    row.period_start = input.period_start;
    row.period_end = input.period_end;
    row.units = i32::try_from(input.unit_count()).unwrap_or(i32::MAX);
    row.insured_value = p.insured_value;
    row.aggregate_limit = input.aggregate_limit;
    row.rate = p.quote.rate;
    row.premium = p.quote.premium;
    row.needs_referral = p.quote.needs_referral();
    let mut terms = input.clone();
    terms.clause_set_id = Some(row.clause_set_id.clone());
    terms.clause_set_version = Some(row.clause_set_version.clone());
    row.terms_json = JsonText(terms);
    row.findings_json = JsonText(p.findings.clone());
    Ok(())
}

fn blank_row(actor: &Actor, input: &QuoteInput) -> PolicyRow {
    let at = crate::store::now();
    PolicyRow {
        policy_id: 0,
        policy_number: None,
        state_json: JsonText(PolicyState::new_quote()),
        maker_id: 0,
        maker_name: String::new(),
        user_id: 0,
        user_name: String::new(),
        intermediary_id: None,
        end_user_proof: false,
        catalogue_item_id: 0,
        product_name: String::new(),
        cover_basis: input.cover_basis,
        clause_set_id: String::new(),
        clause_set_version: String::new(),
        programme_id: None,
        period_start: NaiveDate::MIN,
        period_end: NaiveDate::MIN,
        units: 0,
        insured_value: Money::ZERO,
        aggregate_limit: Money::ZERO,
        rate: Rate::default(),
        premium: Money::ZERO,
        needs_referral: false,
        terms_json: JsonText(input.clone()),
        // Nothing is found before the quote is priced (`apply` fills both).
        findings_json: JsonText(Vec::new()),
        renewal_of: None,
        is_renewal: false,
        first_insured_year: 0,
        quoted_by: actor.user_id,
        issued_at: None,
        version: 1,
        created_at: at,
        updated_at: at,
        quoted_on: None,
    }
}

/// The audit picture of a priced quote: terms, price, and the warnings acknowledged.
fn priced_audit(row: &PolicyRow, p: &Priced) -> serde_json::Value {
    let mut v = snapshot(row);
    v["base_rate"] = json!(p.quote.base_rate);
    v["factors"] = json!(p.quote.factors);
    v["findings"] = json!(p.findings);
    v["acknowledged_warnings"] = json!(p
        .findings
        .iter()
        .filter(|f| f.severity == crate::domain::programme::Severity::Warning)
        .map(|f| json!({"code": f.code, "zh": f.text.zh, "en": f.text.en, "source": f.source}))
        .collect::<Vec<_>>());
    if p.backdated_days > 0 {
        let reason = row.terms_json.0.backdating_reason.clone();
        v["backdating"] = json!({"days": p.backdated_days, "reason": reason});
    }
    if let Some(level) = p.level {
        v["referral_level"] = json!(level.as_str());
    }
    v
}

/// Send a quote that needs it to the referral queue, in the caller's transaction.
async fn refer_if_needed(
    tx: &mut Tx,
    actor: &Actor,
    row: &mut PolicyRow,
    p: &Priced,
) -> ServiceResult<()> {
    if !p.quote.needs_referral() {
        return Ok(());
    }
    let state = row.state().refer().map_err(transition)?;
    row.set_state(state);
    record_referral(tx, actor, row, p).await
}

/// The referral row and its audit entry for a quote already in state `referred`.
async fn record_referral(
    tx: &mut Tx,
    actor: &Actor,
    row: &PolicyRow,
    p: &Priced,
) -> ServiceResult<()> {
    let level = p
        .level
        .ok_or_else(|| ServiceError::Internal("a referral without a level".into()))?;
    let rid = store::add_referral(
        tx,
        row.policy_id,
        &p.quote.referrals,
        actor.user_id,
        None,
        level.as_str(),
    )
    .await?;
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action: "policy.refer",
            entity_type: "policy",
            entity_id: row.policy_id.to_string(),
            before: None,
            after: Some(
                json!({"referral_id": rid, "reasons": p.quote.referrals, "level": level.as_str()}),
            ),
        },
    )
    .await?;
    Ok(())
}

/// Price and store a new quote (referred at once when it needs a senior underwriter).
/// The audit row comes last: it serialises writers, so it is held for the shortest time.
async fn insert_quote(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    actor: &Actor,
    input: &QuoteInput,
    renewal: Option<(i64, bool, i32)>,
) -> ServiceResult<PolicyRow> {
    let priced = price(ctx, tx, actor, input, true).await?;
    super::history::check(tx, input, None).await?;
    let mut row = blank_row(actor, input);
    row.quoted_on = Some(ctx.clock.today());
    apply(&mut row, input, &priced)?;
    row.maker_name = priced.maker_name.clone();
    row.user_name = priced.user_name.clone();
    row.product_name = priced.product_name.clone();
    let (renewal_of, is_renewal, first_year) =
        renewal.unwrap_or((0, false, input.period_start.year()));
    row.renewal_of = (renewal_of != 0).then_some(renewal_of);
    row.is_renewal = is_renewal;
    row.first_insured_year = first_year;
    if priced.quote.needs_referral() {
        let referred = row.state().refer().map_err(transition)?;
        row.set_state(referred);
    }
    row.policy_id = store::insert(tx, &row).await?;
    if priced.quote.needs_referral() {
        record_referral(tx, actor, &row, &priced).await?;
    }
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action: if renewal.is_some() {
                "policy.renewal_quote"
            } else {
                "policy.quote"
            },
            entity_type: "policy",
            entity_id: row.policy_id.to_string(),
            before: None,
            after: Some(priced_audit(&row, &priced)),
        },
    )
    .await?;
    Ok(row)
}

/// Check, price and record a quote; above authority or outside the band it is referred.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn create_quote(
    ctx: &Ctx<'_>,
    actor: &Actor,
    input: QuoteInput,
) -> ServiceResult<PolicyView> {
    require_underwriter(actor, "quote policies")?;
    let mut tx = ctx.db.write().await?;
    let row = insert_quote(ctx, &mut tx, actor, &input, None).await?;
    tx.commit().await?;
    Ok(super::view::dated(ctx, &row))
}

/// Change a quote. Once bound or issued the terms are fixed: an issued policy changes
/// only through an endorsement (批改).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn update_quote(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i64,
    version: Option<i64>,
    input: QuoteInput,
) -> ServiceResult<()> {
    require_underwriter(actor, "change quotes")?;
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, id).await?;
    if version.is_some_and(|v| v != row.version) {
        return Err(ServiceError::Conflict(Text::new(
            "报价记录已被他人修改，请刷新后重试",
            "the quote was changed by someone else; reload it and try again",
        )));
    }
    let state = row.state();
    if matches!(state.status(), "declined" | "withdrawn") {
        return Err(super::close::closed(&state));
    }
    match state {
        PolicyState::Quoted { .. } => {}
        PolicyState::Issued { .. } | PolicyState::InForce => {
            return Err(ServiceError::Conflict(Text::new(
                "保单已出单，不能直接修改，请通过批改办理",
                "an issued policy cannot be edited; make an endorsement",
            )))
        }
        other => {
            return Err(ServiceError::Conflict(Text::new(
                format!(
                    "保单当前状态为“{}”，不能修改",
                    policy_state_zh(other.name())
                ),
                format!("a policy that is {} cannot be edited", other.name()),
            )))
        }
    }
    let before = snapshot(&row);
    let priced = price(ctx, &mut tx, actor, &input, true).await?;
    super::history::check(&mut tx, &input, Some(id)).await?;
    apply(&mut row, &input, &priced)?;
    // A changed quote needs a fresh approval if it still needs one at all.
    row.set_state(PolicyState::new_quote());
    refer_if_needed(&mut tx, actor, &mut row, &priced).await?;
    store::save(&mut tx, &mut row).await?;
    // Priced again: its validity starts again from today.
    store::set_quoted_on(&mut tx, id, ctx.clock.today()).await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "policy.requote",
            entity_type: "policy",
            entity_id: id.to_string(),
            before: Some(before),
            after: Some(priced_audit(&row, &priced)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Renewal request: the next period and the warnings acknowledged again.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewalInput {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    #[serde(default)]
    pub acknowledged: Vec<String>,
    /// Why the renewal starts before today (倒签原因); needed when it does.
    #[serde(default)]
    pub backdating_reason: Option<String>,
}

/// Issued periods of the renewal chain ending at `row`, oldest first.
pub(super) async fn chain(tx: &mut Tx, row: &PolicyRow) -> ServiceResult<Vec<PolicyRow>> {
    let mut out = vec![row.clone()];
    let mut next = row.renewal_of;
    while let Some(id) = next {
        let Some(p) = store::get(tx, id).await? else {
            break;
        };
        next = p.renewal_of;
        out.push(p);
    }
    out.reverse();
    Ok(out)
}

/// Quote the next period of an issued policy on the same terms. The first-insured
/// year (首保年度) carries over when the new period follows on without a gap.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn renew(ctx: &Ctx<'_>, actor: &Actor, id: i64, r: RenewalInput) -> ServiceResult<i64> {
    require_underwriter(actor, "renew policies")?;
    let mut tx = ctx.db.write().await?;
    let prior = load_for_change(&mut tx, id).await?;
    if prior.policy_number.is_none() || prior.state().is_cancelled() {
        return Err(ServiceError::Conflict(Text::new(
            "只有已出单的保单可以续保",
            "only an issued policy can be renewed",
        )));
    }
    if r.period_start <= prior.period_start {
        return Err(ServiceError::field(
            "period_start",
            "a renewal starts after the policy it renews",
            "续保起保日期须晚于原保单起保日期",
        ));
    }
    let period = Period::new(r.period_start, r.period_end)
        .map_err(|e| ServiceError::field("period_end", e.to_string(), e.to_string()))?;
    let history: Vec<PriorYear> = chain(&mut tx, &prior)
        .await?
        .iter()
        .filter_map(|p| {
            Some(PriorYear {
                period: Period::new(p.period_start, p.period_end).ok()?,
                subsidy_ratio: None,
            })
        })
        .collect();
    let c = continuity(&period, &history);
    let mut input = prior.terms_json.0.clone();
    input.period_start = r.period_start;
    input.period_end = r.period_end;
    input.acknowledged = r.acknowledged;
    input.backdating_reason = r.backdating_reason;
    let new_id = insert_quote(
        ctx,
        &mut tx,
        actor,
        &input,
        Some((prior.policy_id, c.is_renewal, c.first_insured_year)),
    )
    .await?
    .policy_id;
    tx.commit().await?;
    Ok(new_id)
}
