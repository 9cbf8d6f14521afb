//! Reading claims: one with everything about it, lists, the work queue sorted by
//! urgency, the approvals waiting, and the overdue count for the dashboard and metrics.

use super::proof::{checklist_status, ProofItem};
use super::{require_handler, today};
use crate::domain::claims::{clocks_for, Clock, ClockFacts, CoverCheck, Urgency};
use crate::domain::money::Money;
use crate::services::underwriting::Desk;
use crate::services::{descending, seek, Actor, ServiceError, ServiceResult};
use crate::store::audit;
use crate::store::claim_money::{self as money, PaymentRow, RecoveryRow};
use crate::store::claims::{
    self as store, ApprovalRow, ClaimFilter, ClaimRow, ClaimSort, DocumentRow, ReserveRow,
};
use crate::store::seek::Paged;
use crate::store::Db;
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
    pub version: i64,
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
            claim_type: r.claim_type.clone(),
            section_code: r.section_code.clone(),
            state: r.state.clone(),
            event_date: r.event_date,
            known_date: r.known_date,
            reported_on: r.reported_on,
            place: r.place.clone(),
            description: r.description.clone(),
            units: serde_json::from_str(&r.units_json).unwrap_or_default(),
            amount_claimed: Money::from_fen(r.amount_claimed),
            contact_email: r.contact_email.clone(),
            proof_complete_on: r.proof_complete_on,
            outcome: r.outcome.clone(),
            reasons: serde_json::from_str(&r.reasons_json).unwrap_or_default(),
            agreed_loss: r.agreed_loss.map(Money::from_fen),
            indemnity: r.indemnity.map(Money::from_fen),
            decided_on: r.decided_on,
            agreed_on: r.agreed_on,
            paid_total: Money::from_fen(r.paid_total),
            recovered_total: Money::from_fen(r.recovered_total),
            reserve: Money::from_fen(r.reserve),
            closed_on: r.closed_on,
            version: r.version,
        }
    }
}

/// The statutory clocks of a claim.
pub fn clocks_of(r: &ClaimRow) -> Vec<Clock> {
    let closed = r.state == "closed";
    clocks_for(&ClockFacts {
        event_date: r.event_date,
        known_date: r.known_date,
        proof_complete_on: r.proof_complete_on,
        decided: r.decided_on.is_some(),
        agreed_on: r.agreed_on,
        anything_paid: r.paid_total > 0,
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
    pub clocks: Vec<Clock>,
    pub urgency: Option<Urgency>,
    pub reserves: Vec<ReserveRow>,
    pub documents: Vec<DocumentRow>,
    pub approvals: Vec<ApprovalRow>,
    pub payments: Vec<PaymentRow>,
    pub recoveries: Vec<RecoveryRow>,
    pub timeline: Vec<TimelineEntry>,
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

pub async fn get(desk: &Desk<'_>, actor: &Actor, id: i64) -> ServiceResult<ClaimDetail> {
    let mut tx = desk.db.read().await?;
    let row = visible(&mut tx, actor, id).await?;
    let documents = store::documents(&mut tx, id).await?;
    let request = store::proof_request(&mut tx, id).await?;
    let proof_requested: Vec<ProofItem> = request
        .as_ref()
        .and_then(|r| serde_json::from_str(&r.items_json).ok())
        .unwrap_or_default();
    let requested_codes: Vec<String> = proof_requested.iter().map(|i| i.code.clone()).collect();
    let checklist = checklist_status(desk.library, &row, &documents, &requested_codes);
    let cover: CoverCheck = serde_json::from_str(&row.cover_json)
        .map_err(|e| ServiceError::Internal(format!("claim {id} cover: {e}")))?;
    let clocks = clocks_of(&row);
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
        urgency: Urgency::of(&clocks, today()),
        clocks,
        cover,
        checklist,
        proof_requested_at: request.map(|r| r.requested_at),
        proof_requested,
        reserves: store::reserves(&mut tx, id).await?,
        documents,
        approvals: store::approvals_of(&mut tx, id).await?,
        payments: money::payments(&mut tx, id).await?,
        recoveries: money::recoveries(&mut tx, id).await?,
        timeline,
        claim: ClaimView::from(&row),
    })
}

/// A document's bytes: (file name, content type, bytes).
pub async fn document(
    desk: &Desk<'_>,
    actor: &Actor,
    claim_id: i64,
    document_id: i64,
) -> ServiceResult<(String, String, Vec<u8>)> {
    let mut tx = desk.db.read().await?;
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

pub async fn list(desk: &Desk<'_>, actor: &Actor, q: ListQuery) -> ServiceResult<Paged<ClaimView>> {
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
    let mut tx = desk.db.read().await?;
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
        },
        sort,
        &seek,
    )
    .await?;
    Ok(page.map(|r| ClaimView::from(r)))
}

/// A claim in the work queue with its most urgent clock.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub claim: ClaimView,
    pub urgency: Option<Urgency>,
    pub clocks: Vec<Clock>,
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
pub async fn queue(
    desk: &Desk<'_>,
    actor: &Actor,
    q: QueueQuery,
) -> ServiceResult<Paged<QueueItem>> {
    require_handler(actor, "see the claims work queue")?;
    let day = today();
    let seek = seek(q.limit, q.after.as_deref(), store::queue_order());
    let mut tx = desk.db.read().await?;
    let page = store::queue(&mut tx, &seek).await?;
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
pub async fn overdue_count(db: &Db) -> ServiceResult<i64> {
    let mut tx = db.read().await?;
    Ok(store::overdue_count(&mut tx, today()).await?)
}

/// Decisions waiting for a claims manager.
pub async fn approvals(desk: &Desk<'_>, actor: &Actor) -> ServiceResult<Vec<ApprovalRow>> {
    require_handler(actor, "see claim approvals")?;
    let mut tx = desk.db.read().await?;
    Ok(store::open_approvals(&mut tx).await?)
}
