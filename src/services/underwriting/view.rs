//! Reading policies: one with its versions, referrals and history; lists; the queue.

use super::Ctx;
use crate::domain::money::Money;
use crate::domain::programme::Finding;
use crate::domain::terms::QuoteInput;
use crate::paging::Paged;
use crate::services::audit::{entries, AuditEntryView};
use crate::services::{descending, seek, Actor, ServiceError, ServiceResult};
use crate::store::audit;
use crate::store::policies::{
    self as store, PolicyFilter, PolicyRow, PolicySort, ReferralRow, VersionRow,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A policy (or quote) as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    pub policy_id: i64,
    /// 保单编号, once issued.
    pub policy_number: Option<String>,
    /// quoted, referred, bound, issued, in_force, expired or cancelled
    pub state: String,
    /// The state as a person reads it: the state, or `quote_expired` for a quote past
    /// its validity, `declined` / `withdrawn` for a quote closed without cover.
    pub status: String,
    /// Last day the quote may be bound (while quoted or referred).
    pub quote_valid_until: Option<NaiveDate>,
    pub maker_id: i64,
    pub maker_name: String,
    pub user_id: i64,
    pub user_name: String,
    pub intermediary_id: Option<i64>,
    pub end_user_proof: bool,
    pub catalogue_item_id: i64,
    pub product_name: String,
    pub cover_basis: String,
    pub clause_set_id: String,
    pub clause_set_version: String,
    pub programme_id: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub units: i32,
    #[schema(value_type = String)]
    pub insured_value: Money,
    #[schema(value_type = String)]
    pub aggregate_limit: Money,
    /// Rate as a fraction (0.0185 = 1.85 %).
    pub rate: String,
    #[schema(value_type = String)]
    pub premium: Money,
    pub needs_referral: bool,
    pub renewal_of: Option<i64>,
    /// 是否续保
    pub is_renewal: bool,
    /// 首保年度
    pub first_insured_year: i32,
    pub version: i64,
    /// The terms as entered (units, contracts, sections…).
    pub terms: QuoteInput,
    /// Acknowledged warnings and referral reasons: a list of findings.
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<Finding>,
}

impl From<&PolicyRow> for PolicyView {
    fn from(r: &PolicyRow) -> Self {
        PolicyView {
            policy_id: r.policy_id,
            policy_number: r.policy_number.clone(),
            state: r.state().name().to_string(),
            status: r.state_json.0.status().to_string(),
            quote_valid_until: None,
            maker_id: r.maker_id,
            maker_name: r.maker_name.clone(),
            user_id: r.user_id,
            user_name: r.user_name.clone(),
            intermediary_id: r.intermediary_id,
            end_user_proof: r.end_user_proof,
            catalogue_item_id: r.catalogue_item_id,
            product_name: r.product_name.clone(),
            cover_basis: r.cover_basis.as_str().to_string(),
            clause_set_id: r.clause_set_id.clone(),
            clause_set_version: r.clause_set_version.clone(),
            programme_id: r.programme_id.clone(),
            period_start: r.period_start,
            period_end: r.period_end,
            units: r.units,
            insured_value: r.insured_value,
            aggregate_limit: r.aggregate_limit,
            rate: r.rate.to_string(),
            premium: r.premium,
            needs_referral: r.needs_referral,
            renewal_of: r.renewal_of,
            is_renewal: r.is_renewal,
            first_insured_year: r.first_insured_year,
            version: r.version,
            terms: r.terms_json.0.clone(),
            findings: r.findings_json.0.clone(),
        }
    }
}

/// The view with what depends on the clock: the quote's validity, and `quote_expired`
/// once today is past it (evaluated when read — nothing flips the stored state).
pub fn dated(ctx: &Ctx<'_>, r: &PolicyRow) -> PolicyView {
    let mut v = PolicyView::from(r);
    let open = r.state_json.0.is_open_quote();
    if open {
        let until = super::authority::valid_until(ctx, r);
        v.quote_valid_until = Some(until);
        if ctx.clock.today() > until {
            v.status = "quote_expired".into();
        }
    }
    v
}

/// One fixed version of a policy (签发, 批改, 退保) as staff read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyVersionView {
    pub policy_version_id: i64,
    pub policy_id: i64,
    pub seq: i32,
    /// issue, endorsement or cancellation
    pub kind: String,
    pub effective_on: NaiveDate,
    /// The terms as they stand after this version (the quote's terms: units, contracts,
    /// sections, limits, period).
    #[schema(value_type = Object)]
    pub terms: serde_json::Value,
    /// Full-term premium after this version, CNY (e.g. "16800.00").
    #[schema(value_type = String)]
    pub premium: Money,
    /// Additional (+) or return (−) premium of this version, CNY (e.g. "-1411.51").
    #[schema(value_type = String)]
    pub adjustment: Money,
    pub reason: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

impl From<VersionRow> for PolicyVersionView {
    fn from(v: VersionRow) -> Self {
        PolicyVersionView {
            policy_version_id: v.policy_version_id,
            policy_id: v.policy_id,
            seq: v.seq,
            kind: v.kind,
            effective_on: v.effective_on,
            terms: v.terms_json.0,
            premium: v.premium,
            adjustment: v.adjustment,
            reason: v.reason,
            created_by: v.created_by,
            created_at: v.created_at,
        }
    }
}

/// A referral to a senior underwriter (转核), open or decided: staff only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReferralView {
    pub referral_id: i64,
    pub policy_id: i64,
    /// Why it was referred: the referral findings (code, text in both languages, source).
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Finding>,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    /// approved or declined; absent while open.
    pub decision: Option<String>,
    pub decided_by: Option<i64>,
    pub decision_note: String,
    pub decided_at: Option<DateTime<Utc>>,
    /// Set for an endorsement waiting for approval: the change requested (an
    /// `EndorsementInput`).
    #[schema(value_type = Option<Object>)]
    pub endorsement: Option<serde_json::Value>,
    /// The level of the authority ladder it waits for (a role code); none on older rows.
    pub level: Option<String>,
    pub product_name: String,
    pub maker_name: String,
    /// CNY, e.g. "60000000.00".
    #[schema(value_type = String)]
    pub aggregate_limit: Money,
    /// CNY, e.g. "16800.00".
    #[schema(value_type = String)]
    pub premium: Money,
    /// Rate as a fraction (0.0185 = 1.85 %).
    pub rate: String,
}

impl From<ReferralRow> for ReferralView {
    fn from(r: ReferralRow) -> Self {
        ReferralView {
            referral_id: r.referral_id,
            policy_id: r.policy_id,
            reasons: r.reasons_json.0,
            requested_by: r.requested_by,
            requested_by_name: r.requested_by_name,
            requested_at: r.requested_at,
            decision: r.decision,
            decided_by: r.decided_by,
            decision_note: r.decision_note,
            decided_at: r.decided_at,
            endorsement: r.endorsement_json.map(|j| j.0),
            level: r.level,
            product_name: r.product_name,
            maker_name: r.maker_name,
            aggregate_limit: r.aggregate_limit,
            premium: r.premium,
            rate: r.rate.to_string(),
        }
    }
}

/// One policy with its fixed versions, referrals and audit history (staff).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyDetail {
    pub policy: PolicyView,
    pub versions: Vec<PolicyVersionView>,
    pub referrals: Vec<ReferralView>,
    pub history: Vec<AuditEntryView>,
}

/// A client sees only its own maker's policies; anything else is "not found".
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn get(ctx: &Ctx<'_>, actor: &Actor, id: i64) -> ServiceResult<PolicyDetail> {
    let mut tx = ctx.db.read().await?;
    let row = store::get(&mut tx, id)
        .await?
        .filter(|p| actor.can_see_maker(p.maker_id))
        .ok_or(ServiceError::NotFound("policy"))?;
    let versions = store::versions(&mut tx, id)
        .await?
        .into_iter()
        .map(PolicyVersionView::from)
        .collect();
    let (referrals, history) = if actor.role.is_staff() {
        (
            store::referrals_of(&mut tx, id)
                .await?
                .into_iter()
                .map(ReferralView::from)
                .collect(),
            entries(audit::for_entity(&mut tx, "policy", &id.to_string()).await?),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(PolicyDetail {
        policy: dated(ctx, &row),
        versions,
        referrals,
        history,
    })
}

/// Search, filters, order and page of the policy list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Part of the policy number, the product name, or the maker's or user's name or
    /// unified social credit code.
    pub q: Option<String>,
    pub maker_id: Option<i64>,
    pub user_id: Option<i64>,
    pub state: Option<String>,
    /// Policies whose period overlaps from … to.
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub programme_id: Option<String>,
    /// Issued policies only (with a number).
    pub issued_only: Option<bool>,
    /// created (default), period_start, period_end or premium.
    pub sort: Option<String>,
    /// asc or desc (default).
    pub order: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The cursor of the page to read (`next` or `prev` of the page before).
    pub after: Option<String>,
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn list(ctx: &Ctx<'_>, actor: &Actor, q: ListQuery) -> ServiceResult<Paged<PolicyView>> {
    let sort = match q.sort.as_deref().filter(|s| !s.is_empty()) {
        None => PolicySort::default(),
        Some(s) => PolicySort::parse(s).ok_or_else(|| {
            ServiceError::field(
                "sort",
                "sort by created, period_start, period_end or premium",
                "排序只能是 created、period_start、period_end 或 premium",
            )
        })?,
    };
    let seek = seek(
        q.limit,
        q.after.as_deref(),
        sort.order(descending(q.order.as_deref(), true)),
    );
    let filter = PolicyFilter {
        query: q.q.filter(|s| !s.trim().is_empty()),
        maker_id: q.maker_id,
        user_id: q.user_id,
        state: q.state.filter(|s| !s.is_empty()),
        period_from: q.period_from,
        period_to: q.period_to,
        programme_id: q.programme_id.filter(|s| !s.is_empty()),
        only_maker: actor.maker_scope(),
        numbered_only: q.issued_only.unwrap_or(false),
    };
    let mut tx = ctx.db.read().await?;
    let page = store::list(&mut tx, &filter, sort, &seek).await?;
    Ok(page.map(|r| dated(ctx, r)))
}

/// A referral queue request: maker, order and page.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReferralQuery {
    pub maker_id: Option<i64>,
    /// asc (default: oldest first) or desc.
    pub order: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The cursor of the page to read (`next` or `prev` of the page before).
    pub after: Option<String>,
}

/// Open referrals, oldest first, for senior underwriters (and underwriters to follow).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn referral_queue(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &ReferralQuery,
) -> ServiceResult<Paged<ReferralView>> {
    actor.require(actor.role.reads_underwriting(), "see the referral queue")?;
    let order = store::referral_order(descending(q.order.as_deref(), false));
    let seek = seek(q.limit, q.after.as_deref(), order);
    let mut tx = ctx.db.read().await?;
    Ok(store::open_referrals(&mut tx, q.maker_id, &seek)
        .await?
        .into_map(ReferralView::from))
}
