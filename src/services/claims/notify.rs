//! Notification (报案) with the cover check, registration (立案) and the case reserve
//! (未决赔款准备金).
//!
//! A notification that fails the cover check (event outside the period, an uninsured
//! unit, no section for the claim type, time-barred) is refused with its reasons and
//! gets no claim number; the refused notification itself is kept in the audit log
//! (`claim.notification_refused`) so the insurer can show it answered.

use super::policy_terms::PolicyTerms;
use super::reserves::{self, ReserveLineInput};
use super::view::ClaimView;
use super::{
    blank, bounded, commit_reserve, load_for_change, log, require_handler, snapshot, transition,
};
use crate::domain::claims::{check_cover, ClaimState, CoverFacts};
use crate::domain::clauses::ClaimType;
use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::services::Ctx;
use crate::services::{Actor, FieldError, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::claims::{self as store, NewClaim};
use crate::store::{counters, users};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::json;

/// What the claimant reports.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationInput {
    pub policy_id: i64,
    /// 出险日期
    pub event_date: NaiveDate,
    /// 知道保险事故发生之日, when later than the event.
    #[serde(default)]
    pub known_date: Option<NaiveDate>,
    /// 出险地点
    pub place: String,
    /// 事故经过
    pub description: String,
    /// quality_repair, quality_replacement, quality_return, liability_property_damage,
    /// liability_bodily_injury or transport_damage
    #[schema(value_type = String)]
    pub claim_type: ClaimType,
    /// Serial or batch numbers of the units affected (from the policy).
    pub units: Vec<String>,
    /// 索赔金额, CNY.
    #[schema(value_type = String)]
    pub amount_claimed: Money,
    /// Where mail to the claimant goes; defaults to the reporting client user's address.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// A handler may register at once with the first case reserve.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub reserve: Option<Money>,
}

fn validate(input: &NotificationInput) -> ServiceResult<()> {
    let mut errors = Vec::new();
    if input.place.trim().is_empty() {
        errors.push(FieldError::new(
            "place",
            "say where it happened",
            "请填写出险地点",
        ));
    }
    if input.description.trim().is_empty() {
        errors.push(FieldError::new(
            "description",
            "describe what happened",
            "请填写事故经过",
        ));
    }
    if input.amount_claimed.is_negative() {
        errors.push(FieldError::new(
            "amount_claimed",
            "the amount claimed cannot be negative",
            "索赔金额不能为负数",
        ));
    } else if let Some(e) = super::out_of_bounds("amount_claimed", input.amount_claimed) {
        errors.push(e);
    }
    if let Some(e) = input
        .reserve
        .filter(|r| !r.is_negative())
        .and_then(|r| super::out_of_bounds("reserve", r))
    {
        errors.push(e);
    }
    if input.reserve.is_some_and(|r| r.is_negative()) {
        errors.push(FieldError::new(
            "reserve",
            "a reserve cannot be negative",
            "准备金不能为负数",
        ));
    }
    if input.known_date.is_some_and(|k| k < input.event_date) {
        errors.push(FieldError::new(
            "known_date",
            "the claimant cannot know of the event before it happened",
            "知道出险日期不能早于出险日期",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Validation(errors))
    }
}

/// Report a claim: check cover at once; refuse with reasons, or record it under a new
/// gap-free claim number. A handler may register it at once by giving a reserve.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn notify(
    ctx: &Ctx<'_>,
    actor: &Actor,
    input: NotificationInput,
) -> ServiceResult<ClaimView> {
    actor.require(actor.role.reports_claims(), "report claims")?;
    validate(&input)?;
    let mut tx = ctx.db.write().await?;
    let policy = PolicyTerms::load(&mut tx, ctx.library, input.policy_id).await?;
    if !actor.can_see_maker(policy.row.maker_id) {
        return Err(ServiceError::NotFound("policy"));
    }
    let day = ctx.clock.today();
    let units: Vec<String> = input
        .units
        .iter()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .collect();
    let sections = policy.sections();
    let insured = policy.insured_units();
    // What is due and paid now (endorsements and cancellation included), from billing.
    let settled = crate::services::billing::settlement(&mut tx, input.policy_id).await?;
    let cover = check_cover(&CoverFacts {
        policy_state: policy.state(),
        period_start: policy.row.period_start,
        period_end: policy.row.period_end,
        event_date: input.event_date,
        known_date: input.known_date,
        reported_on: day,
        claim_type: input.claim_type,
        sections: &sections,
        insured_units: &insured,
        claimed_units: &units,
        aggregate_limit: policy.aggregate_limit(),
        aggregate_used: policy.aggregate_used(),
        premium: settled.premium_due,
        premium_paid: Some(settled.paid),
    });
    let cover_json = serde_json::to_string(&cover)
        .map_err(|e| ServiceError::internal_from("serialise a record to JSON", e))?;
    if !cover.passed() {
        // Kept on the policy's history: the refused report gets no claim number.
        audit::append(
            &mut tx,
            &actor.audit(),
            AuditEntry {
                action: "claim.notification_refused",
                entity_type: "policy",
                entity_id: input.policy_id.to_string(),
                before: None,
                after: Some(
                    json!({"event_date": input.event_date, "claim_type": input.claim_type,
                    "units": units, "place": input.place.trim(), "cover": cover}),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        return Err(ServiceError::Validation(
            cover
                .refusals
                .iter()
                .map(|r| FieldError::new(&format!("cover.{}", r.code), r.en.clone(), r.zh.clone()))
                .collect(),
        ));
    }
    let contact_email = match input.contact_email.as_deref().map(str::trim) {
        Some(e) if !e.is_empty() => e.to_string(),
        _ if actor.role.is_client() => users::get(&mut tx, actor.user_id)
            .await?
            .map(|u| u.email)
            .unwrap_or_default(),
        _ => String::new(),
    };
    let registers = actor.role.handles_claims() && input.reserve.is_some();
    let state = if registers {
        ClaimState::Notified.register().map_err(transition)?
    } else {
        ClaimState::Notified
    };
    policy
        .ensure_usage_rows(&mut tx, cover.section_code.as_deref())
        .await?;
    let code = &ctx.config.insurer.code;
    let year = day.year();
    let n = counters::next(&mut tx, &format!("claim:{code}"), year).await?;
    let number = format!("{code}-CL-{year}-{n:06}");
    let units_json = serde_json::to_string(&units)
        .map_err(|e| ServiceError::internal_from("serialise a record to JSON", e))?;
    let id = store::insert(
        &mut tx,
        &NewClaim {
            claim_number: &number,
            policy_id: input.policy_id,
            maker_id: policy.row.maker_id,
            claim_type: input.claim_type.as_str(),
            section_code: cover.section_code.as_deref(),
            state: state.as_str(),
            event_date: input.event_date,
            known_date: input.known_date,
            reported_on: day,
            place: input.place.trim(),
            description: input.description.trim(),
            units_json: &units_json,
            amount_claimed: input.amount_claimed,
            contact_email: &contact_email,
            cover_json: &cover_json,
            reported_by: actor.user_id,
            registered_by: registers.then_some(actor.user_id),
        },
    )
    .await?;
    let mut row = store::get(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound("claim"))?;
    if let (true, Some(reserve)) = (registers, input.reserve) {
        reserves::set_case_reserve(
            &mut tx,
            &mut row,
            reserve,
            None,
            day,
            "立案 / registration",
            Some(actor.user_id),
        )
        .await?;
    }
    let mut after = snapshot(&row);
    after["cover"] = json!(cover);
    log(&mut tx, actor, "claim.notify", id, None, after).await?;
    tx.commit().await?;
    Ok(ClaimView::from(&row))
}

/// 立案: a handler takes on a notified claim with its first case reserve.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    #[schema(value_type = String)]
    pub reserve: Money,
    /// The reserve by cost type; must add up to `reserve`. Without it the whole
    /// reserve is on the cost the claim type is about (修理 for a repair claim, …).
    #[serde(default)]
    pub lines: Vec<ReserveLineInput>,
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn register(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    input: RegisterInput,
) -> ServiceResult<ClaimView> {
    require_handler(actor, "register claims")?;
    bounded("reserve", input.reserve)?;
    let split = reserves::breakdown(input.reserve, &input.lines)?;
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, actor, claim_id).await?;
    let before = snapshot(&row);
    let next = row.state.register().map_err(transition)?;
    row.state = next;
    row.registered_by = Some(actor.user_id);
    reserves::set_case_reserve(
        &mut tx,
        &mut row,
        input.reserve,
        split,
        ctx.clock.today(),
        "立案 / registration",
        Some(actor.user_id),
    )
    .await?;
    store::save(&mut tx, &mut row).await?;
    log(
        &mut tx,
        actor,
        "claim.register",
        claim_id,
        Some(before),
        snapshot(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(ClaimView::from(&row))
}

/// A change of the case reserve, always with a reason; history is kept row by row.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReserveInput {
    /// The new case reserve (the total).
    #[schema(value_type = String)]
    pub amount: Money,
    pub reason: String,
    /// The reserve by cost type; must add up to `amount`. Without it every cost type
    /// moves in proportion to what it holds now.
    #[serde(default)]
    pub lines: Vec<ReserveLineInput>,
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn set_reserve(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    input: ReserveInput,
) -> ServiceResult<ClaimView> {
    require_handler(actor, "change case reserves")?;
    blank(
        "reason",
        &input.reason,
        "give the reason for the change",
        "请填写调整原因",
    )?;
    bounded("amount", input.amount)?;
    let split = reserves::breakdown(input.amount, &input.lines)?;
    let mut tx = ctx.db.write().await?;
    let row = load_for_change(&mut tx, actor, claim_id).await?;
    let state = row.state;
    if matches!(state, ClaimState::Notified | ClaimState::Closed) {
        return Err(ServiceError::Conflict(Text::new(
            "赔案未立案或已结案，不能调整准备金",
            "register (or reopen) the claim before reserving",
        )));
    }
    let before = snapshot(&row);
    commit_reserve(
        tx,
        actor,
        row,
        input.amount,
        split,
        &input.reason,
        "claim.reserve",
        before,
        ctx.clock.today(),
    )
    .await
}
