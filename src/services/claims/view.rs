//! Reading claims: one with everything about it, lists, the work queue sorted by
//! urgency, the approvals waiting, and the overdue count for the dashboard and metrics.

use super::proof::{checklist_status, requested_items, ProofItem};
use super::require_handler;
use super::reserves::{self, ReserveLineView};
use super::staff_view::{
    views, ApprovalView, ClaimAssignmentView, ClaimDocumentView, ClaimNoteView, ClaimPaymentView,
    RecoveryView, ReserveLineChangeView, ReserveView,
};
use crate::domain::claims::{
    clocks_for, ClaimState, Clock as StatutoryClock, ClockFacts, CoverCheck, Urgency,
};
use crate::domain::money::Money;
use crate::paging::Paged;
use crate::services::Ctx;
use crate::services::{descending, seek, Actor, ServiceError, ServiceResult};
use crate::store::audit;
use crate::store::claim_money as money;
use crate::store::claim_reserve_lines as lines_store;
use crate::store::claim_work::{self as work, WaiverRow};
use crate::store::claims::{self as store, ClaimFilter, ClaimRow, ClaimSort};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A claim as the API shows it. Amounts are CNY strings.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClaimView {
    pub claim_id: i64,
    /// 赔案号
    pub claim_number: String,
    pub policy_id: i64,
    pub policy_number: String,
    pub maker_id: i64,
    pub maker_name: String,
    pub claim_type: String,
    pub section_code: Option<String>,
    /// notified, open, awaiting_approval, agreed or closed
    pub state: String,
    pub event_date: NaiveDate,
    pub known_date: Option<NaiveDate>,
    pub reported_on: NaiveDate,
    pub place: String,
    pub description: String,
    pub units: Vec<String>,
    #[schema(value_type = String)]
    pub amount_claimed: Money,
    pub contact_email: String,
    pub proof_complete_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub reasons: Vec<String>,
    #[schema(value_type = Option<String>)]
    pub agreed_loss: Option<Money>,
    #[schema(value_type = Option<String>)]
    pub indemnity: Option<Money>,
    pub decided_on: Option<NaiveDate>,
    pub agreed_on: Option<NaiveDate>,
    #[schema(value_type = String)]
    pub paid_total: Money,
    #[schema(value_type = String)]
    pub recovered_total: Money,
    /// The current case reserve (未决赔款准备金).
    #[schema(value_type = String)]
    pub reserve: Money,
    pub closed_on: Option<NaiveDate>,
    /// 经办人 (staff only: absent for a client).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to_name: Option<String>,
    pub version: i64,
}

impl ClaimView {
    /// What this actor may read: a client does not learn who handles the claim.
    pub fn for_actor(r: &ClaimRow, actor: &Actor) -> ClaimView {
        let mut v = ClaimView::from(r);
        if actor.role.is_client() {
            v.assigned_to = None;
            v.assigned_to_name = None;
        }
        v
    }
}

impl From<&ClaimRow> for ClaimView {
    fn from(r: &ClaimRow) -> Self {
        ClaimView {
            claim_id: r.claim_id,
            claim_number: r.claim_number.clone(),
            policy_id: r.policy_id,
            policy_number: r.policy_number.clone(),
            maker_id: r.maker_id,
            maker_name: r.maker_name.clone(),
            claim_type: r.claim_type.as_str().to_string(),
            section_code: r.section_code.clone(),
            state: r.state.as_str().to_string(),
            event_date: r.event_date,
            known_date: r.known_date,
            reported_on: r.reported_on,
            place: r.place.clone(),
            description: r.description.clone(),
            units: r.units_json.0.clone(),
            amount_claimed: r.amount_claimed,
            contact_email: r.contact_email.clone(),
            proof_complete_on: r.proof_complete_on,
            outcome: r.outcome.map(|o| o.as_str().to_string()),
            reasons: r.reasons_json.0.clone(),
            agreed_loss: r.agreed_loss,
            indemnity: r.indemnity,
            decided_on: r.decided_on,
            agreed_on: r.agreed_on,
            paid_total: r.paid_total,
            recovered_total: r.recovered_total,
            reserve: Money::from_fen(r.reserve),
            closed_on: r.closed_on,
            assigned_to: r.assigned_to,
            assigned_to_name: r.assigned_name.clone(),
            version: r.version,
        }
    }
}

/// The statutory clocks of a claim.
pub fn clocks_of(r: &ClaimRow) -> Vec<StatutoryClock> {
    let closed = r.state == ClaimState::Closed;
    clocks_for(&ClockFacts {
        event_date: r.event_date,
        known_date: r.known_date,
        proof_complete_on: r.proof_complete_on,
        decided: r.decided_on.is_some(),
        agreed_on: r.agreed_on,
        anything_paid: r.paid_total > Money::ZERO,
        fully_paid: r.indemnity.is_some_and(|i| r.paid_total >= i),
        open: !closed,
    })
}

/// One line of the claim's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub who: String,
    pub action: String,
    pub detail: Option<String>,
}

/// Everything about one claim.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClaimDetail {
    pub claim: ClaimView,
    pub cover: CoverCheck,
    pub checklist: Vec<ProofItem>,
    /// The one request for missing proof, if made: (when, the items asked for).
    pub proof_requested_at: Option<DateTime<Utc>>,
    pub proof_requested: Vec<ProofItem>,
    pub clocks: Vec<StatutoryClock>,
    pub urgency: Option<Urgency>,
    pub reserves: Vec<ReserveView>,
    pub documents: Vec<ClaimDocumentView>,
    pub approvals: Vec<ApprovalView>,
    pub payments: Vec<ClaimPaymentView>,
    pub recoveries: Vec<RecoveryView>,
    pub timeline: Vec<TimelineEntry>,
    /// The current reserve of each cost type; adds up to `claim.reserve`.
    pub reserve_lines: Vec<ReserveLineView>,
    /// Every change of a cost type's reserve, oldest first.
    pub reserve_line_history: Vec<ReserveLineChangeView>,
    /// Required or requested proof with nothing on file now.
    pub missing_proof: Vec<ProofItem>,
    /// Decisions and approvals made while proof was missing, with their reasons.
    pub proof_waivers: Vec<WaiverView>,
    /// Internal notes (内部备注): staff only, absent for a client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<ClaimNoteView>>,
    /// Assignment history: staff only, absent for a client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignments: Option<Vec<ClaimAssignmentView>>,
}

/// A decision or approval made while proof was missing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WaiverView {
    pub approval_id: Option<i64>,
    /// decision or approval
    pub stage: String,
    pub missing: Vec<WaivedItem>,
    pub reason: String,
    pub given_by_name: String,
    pub given_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WaivedItem {
    pub code: String,
    pub zh: String,
    pub en: String,
}

impl TryFrom<&WaiverRow> for WaiverView {
    type Error = ServiceError;

    /// Stored items that do not parse are an error, never "nothing was missing".
    fn try_from(w: &WaiverRow) -> ServiceResult<Self> {
        Ok(WaiverView {
            approval_id: w.approval_id,
            stage: w.stage.clone(),
            missing: serde_json::from_str(&w.missing_json)
                .map_err(|e| ServiceError::internal_from("claim proof waiver items", e))?,
            reason: w.reason.clone(),
            given_by_name: w.given_by_name.clone(),
            given_at: w.given_at,
        })
    }
}

async fn visible(tx: &mut crate::store::Tx, actor: &Actor, id: i64) -> ServiceResult<ClaimRow> {
    actor.require(
        actor.role.is_staff() || actor.role.reports_claims(),
        "read claims",
    )?;
    let row = store::get(tx, id)
        .await?
        .ok_or(ServiceError::NotFound("claim"))?;
    if !actor.can_see_maker(row.maker_id) {
        return Err(ServiceError::NotFound("claim"));
    }
    Ok(row)
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn get(ctx: &Ctx<'_>, actor: &Actor, id: i64) -> ServiceResult<ClaimDetail> {
    let mut tx = ctx.db.read().await?;
    let row = visible(&mut tx, actor, id).await?;
    let documents = store::documents(&mut tx, id).await?;
    let request = store::proof_request(&mut tx, id).await?;
    let proof_requested: Vec<ProofItem> = requested_items(request.as_ref())?;
    let requested_codes: Vec<String> = proof_requested.iter().map(|i| i.code.clone()).collect();
    let checklist = checklist_status(ctx.library, &row, &documents, &requested_codes);
    let cover: CoverCheck = row.cover_json.0.clone();
    let clocks = clocks_of(&row);
    let staff = actor.role.is_staff();
    let line_history = lines_store::history(&mut tx, id).await?;
    let reserve_lines = reserves::views(&reserves::current(&row, &line_history));
    // A client reads the reasons, not which staff member gave them.
    let proof_waivers = work::waivers(&mut tx, Some(id), None)
        .await?
        .iter()
        .map(WaiverView::try_from)
        .map(|w| {
            w.map(|mut w| {
                if !staff {
                    w.given_by_name.clear();
                }
                w
            })
        })
        .collect::<ServiceResult<_>>()?;
    let notes = match staff {
        true => Some(views(work::notes(&mut tx, id).await?)),
        false => None,
    };
    let assignments = match staff {
        true => Some(views(work::assignments(&mut tx, id).await?)),
        false => None,
    };
    let timeline = audit::for_entity(&mut tx, "claim", &id.to_string())
        .await?
        .into_iter()
        .map(|a| TimelineEntry {
            at: a.occurred_at,
            who: a.actor_name,
            action: a.action,
            detail: a.after_json,
        })
        .collect();
    Ok(ClaimDetail {
        urgency: Urgency::of(&clocks, ctx.clock.today()),
        clocks,
        cover,
        proof_requested_at: request.map(|r| r.requested_at),
        proof_requested,
        reserves: views(store::reserves(&mut tx, id).await?),
        documents: views(documents),
        approvals: views(store::approvals_of(&mut tx, id).await?),
        payments: views(money::payments(&mut tx, id).await?),
        recoveries: views(money::recoveries(&mut tx, id).await?),
        timeline,
        missing_proof: checklist.iter().filter(|i| i.missing()).cloned().collect(),
        checklist,
        reserve_lines,
        reserve_line_history: views(line_history),
        proof_waivers,
        notes,
        assignments,
        claim: ClaimView::for_actor(&row, actor),
    })
}

/// A document's bytes: (file name, content type, bytes).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn document(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    document_id: i64,
) -> ServiceResult<(String, String, Vec<u8>)> {
    let mut tx = ctx.db.read().await?;
    visible(&mut tx, actor, claim_id).await?;
    store::document_content(&mut tx, claim_id, document_id)
        .await?
        .ok_or(ServiceError::NotFound("document"))
}

/// Search, filters, order and page of the claim list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Part of the claim number, the policy number, or the maker's name or credit code.
    pub q: Option<String>,
    pub state: Option<String>,
    pub policy_id: Option<i64>,
    /// One handler's claims (staff only).
    pub assigned_to: Option<i64>,
    pub maker_id: Option<i64>,
    /// quality or liability.
    pub claim_type: Option<String>,
    /// Reported on or after.
    pub reported_from: Option<NaiveDate>,
    /// Reported on or before.
    pub reported_to: Option<NaiveDate>,
    /// created (default), reported_on, event_date or amount_claimed.
    pub sort: Option<String>,
    /// asc or desc (default).
    pub order: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The cursor of the page to read (`next` or `prev` of the page before).
    pub after: Option<String>,
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn list(ctx: &Ctx<'_>, actor: &Actor, q: ListQuery) -> ServiceResult<Paged<ClaimView>> {
    actor.require(
        actor.role.is_staff() || actor.role.reports_claims(),
        "read claims",
    )?;
    let sort = match q.sort.as_deref().filter(|s| !s.is_empty()) {
        None => ClaimSort::default(),
        Some(s) => ClaimSort::parse(s).ok_or_else(|| {
            ServiceError::field(
                "sort",
                "sort by created, reported_on, event_date or amount_claimed",
                "排序只能是 created、reported_on、event_date 或 amount_claimed",
            )
        })?,
    };
    let seek = seek(
        q.limit,
        q.after.as_deref(),
        sort.order(descending(q.order.as_deref(), true)),
    );
    let mut tx = ctx.db.read().await?;
    let page = store::list(
        &mut tx,
        &ClaimFilter {
            query: q.q.filter(|s| !s.trim().is_empty()),
            state: q.state.filter(|s| !s.is_empty()),
            policy_id: q.policy_id,
            maker_id: q.maker_id,
            claim_type: q.claim_type.filter(|s| !s.is_empty()),
            reported_from: q.reported_from,
            reported_to: q.reported_to,
            open_only: false,
            only_maker: actor.maker_scope(),
            assigned_to: q.assigned_to.filter(|_| actor.role.is_staff()),
        },
        sort,
        &seek,
    )
    .await?;
    Ok(page.map(|r| ClaimView::for_actor(r, actor)))
}

/// A claim in the work queue with its most urgent clock.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub claim: ClaimView,
    pub urgency: Option<Urgency>,
    pub clocks: Vec<StatutoryClock>,
}

/// A page of the work queue.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct QueueQuery {
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The cursor of the page to read.
    pub after: Option<String>,
}

/// Open claims by their next statutory deadline (`claim.next_due_on`, kept by every
/// save and indexed), the most overdue first; claims with no clock running last. A
/// page at a time: the queue never loads every open claim.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn queue(ctx: &Ctx<'_>, actor: &Actor, q: QueueQuery) -> ServiceResult<Paged<QueueItem>> {
    require_handler(actor, "see the claims work queue")?;
    queue_of(ctx, None, q).await
}

/// "My claims" (我的赔案): the open claims assigned to the actor, by deadline, a
/// page at a time.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn my_queue(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: QueueQuery,
) -> ServiceResult<Paged<QueueItem>> {
    require_handler(actor, "see the claims work queue")?;
    queue_of(ctx, Some(actor.user_id), q).await
}

async fn queue_of(
    ctx: &Ctx<'_>,
    assigned_to: Option<i64>,
    q: QueueQuery,
) -> ServiceResult<Paged<QueueItem>> {
    let day = ctx.clock.today();
    let seek = seek(q.limit, q.after.as_deref(), store::queue_order());
    let mut tx = ctx.db.read().await?;
    let page = store::queue(&mut tx, assigned_to, &seek).await?;
    Ok(page.map(|r| {
        let clocks = clocks_of(r);
        QueueItem {
            urgency: Urgency::of(&clocks, day),
            clocks,
            claim: ClaimView::from(r),
        }
    }))
}

/// How many open claims have an overdue statutory clock (dashboard, metrics): one
/// count on the deadline index.
/// Open claims past a statutory deadline: exact up to 1,000, else "more than".
#[tracing::instrument(skip_all)]
pub async fn overdue_count(ctx: &Ctx<'_>) -> ServiceResult<crate::paging::Total> {
    let mut tx = ctx.db.read().await?;
    Ok(crate::paging::Total::from_capped(
        store::overdue_count(&mut tx, ctx.clock.today()).await?,
    ))
}

/// A decision waiting for a claims manager, with the proof missing now and the
/// handler's reason for deciding without it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PendingApproval {
    #[serde(flatten)]
    pub approval: ApprovalView,
    pub missing_proof: Vec<ProofItem>,
    pub proof_waivers: Vec<WaiverView>,
}

/// Decisions waiting for a claims manager.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn approvals(ctx: &Ctx<'_>, actor: &Actor) -> ServiceResult<Vec<PendingApproval>> {
    require_handler(actor, "see claim approvals")?;
    let mut tx = ctx.db.read().await?;
    let mut out = Vec::new();
    for a in store::open_approvals(&mut tx).await? {
        let Some(row) = store::get(&mut tx, a.claim_id).await? else {
            continue;
        };
        let missing_proof = super::proof::missing_now(&mut tx, ctx.library, &row).await?;
        let proof_waivers = work::waivers(&mut tx, None, Some(a.approval_id))
            .await?
            .iter()
            .map(WaiverView::try_from)
            .collect::<ServiceResult<_>>()?;
        out.push(PendingApproval {
            approval: ApprovalView::from(a),
            missing_proof,
            proof_waivers,
        });
    }
    Ok(out)
}

/// What the claim form starts with when reporting from a policy's page (从保单报案).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportDefaults {
    pub policy_id: i64,
    pub policy_number: String,
    pub maker_name: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The insured serial or batch numbers.
    pub units: Vec<String>,
    /// The claim types the policy's sections cover, in the clause set's order.
    #[schema(value_type = Vec<String>)]
    pub claim_types: Vec<crate::domain::clauses::ClaimType>,
    /// The reporting client's address, else the maker's contact address.
    pub contact_email: String,
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn report_defaults(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<ReportDefaults> {
    actor.require(actor.role.reports_claims(), "report claims")?;
    let mut tx = ctx.db.read().await?;
    let policy = super::policy_terms::PolicyTerms::load(&mut tx, ctx.library, policy_id).await?;
    if !actor.can_see_maker(policy.row.maker_id) {
        return Err(ServiceError::NotFound("policy"));
    }
    let policy_number = policy
        .row
        .policy_number
        .clone()
        .ok_or(ServiceError::NotFound("policy"))?;
    let mut claim_types = Vec::new();
    for s in policy.sections() {
        for t in s.claim_types {
            if !claim_types.contains(&t) {
                claim_types.push(t);
            }
        }
    }
    let client_mail = match actor.role.is_client() {
        true => crate::store::users::get(&mut tx, actor.user_id)
            .await?
            .map(|u| u.email)
            .unwrap_or_default(),
        false => String::new(),
    };
    let contact_email = match client_mail.is_empty() {
        false => client_mail,
        true => crate::store::parties::get(&mut tx, policy.row.maker_id)
            .await?
            .map(|p| p.contact_email)
            .unwrap_or_default(),
    };
    Ok(ReportDefaults {
        policy_id,
        policy_number,
        maker_name: policy.row.maker_name.clone(),
        period_start: policy.row.period_start,
        period_end: policy.row.period_end,
        units: policy.insured_units(),
        claim_types,
        contact_email,
    })
}
