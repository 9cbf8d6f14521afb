//! What staff see of a claim's reserves, documents, approvals, payments and recoveries
//! (员工视图). The store rows keep integer fen and raw JSON columns; these views are the
//! API's shape — amounts as CNY decimal strings ("40000.00"), reasons as a list — so a
//! column change in `store/` is not an API change.

use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::store::claim_money::{PaymentRow, RecoveryRow};
use crate::store::claim_reserve_lines::ReserveLineRow;
use crate::store::claim_work::{AssignmentRow, HandlerRow, NoteRow};
use crate::store::claims::{ApprovalRow, DocumentRow, ReserveRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// One case reserve set on a claim (未决赔款准备金).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReserveView {
    pub reserve_id: i64,
    pub claim_id: i64,
    /// CNY, e.g. "300000.00".
    #[schema(value_type = String)]
    pub amount: Money,
    pub set_at: DateTime<Utc>,
    pub set_on: NaiveDate,
    /// The handler's words, or the system's in both languages ("核定赔款 / indemnity agreed").
    #[serde(serialize_with = "Text::serialize_as_record")]
    #[schema(value_type = String)]
    pub reason: Text,
    pub set_by: Option<i64>,
}

impl From<ReserveRow> for ReserveView {
    fn from(r: ReserveRow) -> Self {
        ReserveView {
            reserve_id: r.reserve_id,
            claim_id: r.claim_id,
            amount: r.amount,
            set_at: r.set_at,
            set_on: r.set_on,
            reason: Text::from_record(&r.reason),
            set_by: r.set_by,
        }
    }
}

/// A document on a claim: uploaded proof or the rejection notice (单证).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClaimDocumentView {
    pub document_id: i64,
    pub claim_id: i64,
    /// proof or rejection_notice
    pub kind: String,
    /// Checklist code the document answers.
    pub code: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: DateTime<Utc>,
}

impl From<DocumentRow> for ClaimDocumentView {
    fn from(d: DocumentRow) -> Self {
        ClaimDocumentView {
            document_id: d.document_id,
            claim_id: d.claim_id,
            kind: d.kind,
            code: d.code,
            filename: d.filename,
            content_type: d.content_type,
            size_bytes: d.size_bytes,
            sha256: d.sha256,
            uploaded_by: d.uploaded_by,
            uploaded_at: d.uploaded_at,
        }
    }
}

/// A decision above the handler's authority, waiting for or decided by a claims manager
/// (理赔审批).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApprovalView {
    pub approval_id: i64,
    pub claim_id: i64,
    pub claim_number: String,
    /// accept, accept_in_part or reject
    pub outcome: String,
    #[schema(value_type = Option<String>)]
    pub agreed_loss: Option<Money>,
    #[schema(value_type = Option<String>)]
    pub indemnity: Option<Money>,
    pub reasons: Vec<String>,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    /// approved or returned, once decided.
    pub decision: Option<String>,
    pub decided_by: Option<i64>,
    pub decision_note: String,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<ApprovalRow> for ApprovalView {
    fn from(a: ApprovalRow) -> Self {
        ApprovalView {
            approval_id: a.approval_id,
            claim_id: a.claim_id,
            claim_number: a.claim_number,
            outcome: a.outcome,
            agreed_loss: a.agreed_loss,
            indemnity: a.indemnity,
            reasons: a.reasons_json.0,
            requested_by: a.requested_by,
            requested_by_name: a.requested_by_name,
            requested_at: a.requested_at,
            decision: a.decision,
            decided_by: a.decided_by,
            decision_note: a.decision_note,
            decided_at: a.decided_at,
        }
    }
}

/// A claim payment (赔款支付). Named apart from billing's premium `PaymentView`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClaimPaymentView {
    pub payment_id: i64,
    pub claim_id: i64,
    pub policy_id: i64,
    /// CNY, e.g. "40000.00".
    #[schema(value_type = String)]
    pub amount: Money,
    pub payee: String,
    pub bank_name: String,
    pub bank_account: String,
    /// approved or paid
    pub status: String,
    pub approved_by: i64,
    pub approved_at: DateTime<Utc>,
    pub approved_on: NaiveDate,
    pub paid_by: Option<i64>,
    pub paid_at: Option<DateTime<Utc>>,
    pub paid_on: Option<NaiveDate>,
}

impl From<PaymentRow> for ClaimPaymentView {
    fn from(p: PaymentRow) -> Self {
        ClaimPaymentView {
            payment_id: p.payment_id,
            claim_id: p.claim_id,
            policy_id: p.policy_id,
            amount: p.amount,
            payee: p.payee,
            bank_name: p.bank_name,
            bank_account: p.bank_account,
            status: p.status.as_str().to_string(),
            approved_by: p.approved_by,
            approved_at: p.approved_at,
            approved_on: p.approved_on,
            paid_by: p.paid_by,
            paid_at: p.paid_at,
            paid_on: p.paid_on,
        }
    }
}

/// A recovery on a claim (追偿款).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecoveryView {
    pub recovery_id: i64,
    pub claim_id: i64,
    /// subrogation or fraud_repayment
    pub kind: String,
    /// CNY, e.g. "5000.00".
    #[schema(value_type = String)]
    pub amount: Money,
    pub note: String,
    pub restores_limit: bool,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub received_on: NaiveDate,
}

impl From<RecoveryRow> for RecoveryView {
    fn from(r: RecoveryRow) -> Self {
        RecoveryView {
            recovery_id: r.recovery_id,
            claim_id: r.claim_id,
            kind: r.kind,
            amount: r.amount,
            note: r.note,
            restores_limit: r.restores_limit,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
            received_on: r.received_on,
        }
    }
}

/// One change of a cost type's reserve on a claim (分项准备金变动).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReserveLineChangeView {
    pub line_id: i64,
    pub claim_id: i64,
    /// The case reserve row this change belongs to.
    pub reserve_id: i64,
    /// repair, replacement, return, third_party_property, bodily_injury or claim_expenses
    pub cost_type: String,
    /// CNY, e.g. "1200.00".
    #[schema(value_type = String)]
    pub amount: Money,
    pub set_at: DateTime<Utc>,
    pub set_on: NaiveDate,
    /// The handler's words, or the system's in both languages ("核定赔款 / indemnity agreed").
    #[serde(serialize_with = "Text::serialize_as_record")]
    #[schema(value_type = String)]
    pub reason: Text,
    pub set_by: Option<i64>,
}

impl From<ReserveLineRow> for ReserveLineChangeView {
    fn from(l: ReserveLineRow) -> Self {
        ReserveLineChangeView {
            line_id: l.line_id,
            claim_id: l.claim_id,
            reserve_id: l.reserve_id,
            cost_type: l.cost_type,
            amount: l.amount,
            set_at: l.set_at,
            set_on: l.set_on,
            reason: Text::from_record(&l.reason),
            set_by: l.set_by,
        }
    }
}

/// An internal note on a claim (内部备注): staff only, never in a client's view.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClaimNoteView {
    pub note_id: i64,
    pub claim_id: i64,
    pub body: String,
    pub written_by: i64,
    pub written_by_name: String,
    pub written_at: DateTime<Utc>,
}

impl From<NoteRow> for ClaimNoteView {
    fn from(n: NoteRow) -> Self {
        ClaimNoteView {
            note_id: n.note_id,
            claim_id: n.claim_id,
            body: n.body,
            written_by: n.written_by,
            written_by_name: n.written_by_name,
            written_at: n.written_at,
        }
    }
}

/// One (re)assignment of a claim to a handler (分配记录): staff only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClaimAssignmentView {
    pub assignment_id: i64,
    pub claim_id: i64,
    pub assigned_to: i64,
    pub assigned_to_name: String,
    pub previous: Option<i64>,
    pub assigned_by: i64,
    pub assigned_by_name: String,
    pub assigned_at: DateTime<Utc>,
    pub note: String,
}

impl From<AssignmentRow> for ClaimAssignmentView {
    fn from(a: AssignmentRow) -> Self {
        ClaimAssignmentView {
            assignment_id: a.assignment_id,
            claim_id: a.claim_id,
            assigned_to: a.assigned_to,
            assigned_to_name: a.assigned_to_name,
            previous: a.previous,
            assigned_by: a.assigned_by,
            assigned_by_name: a.assigned_by_name,
            assigned_at: a.assigned_at,
            note: a.note,
        }
    }
}

/// A user a claim can be assigned to (经办人候选).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClaimHandlerView {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
}

impl From<HandlerRow> for ClaimHandlerView {
    fn from(h: HandlerRow) -> Self {
        ClaimHandlerView {
            user_id: h.user_id,
            username: h.username,
            display_name: h.display_name,
            role: h.role,
        }
    }
}

/// Rows to views, in order.
pub fn views<R, V: From<R>>(rows: Vec<R>) -> Vec<V> {
    rows.into_iter().map(V::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_payment_of_four_million_fen_reads_forty_thousand_yuan() {
        let at = Utc::now();
        let day = at.date_naive();
        let row = PaymentRow {
            payment_id: 1,
            claim_id: 2,
            policy_id: 3,
            amount: Money::from_fen(4_000_000),
            payee: "甲".into(),
            bank_name: "工行".into(),
            bank_account: "6222".into(),
            status: crate::domain::claims::PaymentStatus::Approved,
            approved_by: 4,
            approved_at: at,
            approved_on: day,
            paid_by: None,
            paid_at: None,
            paid_on: None,
        };
        let json = serde_json::to_value(ClaimPaymentView::from(row)).unwrap();
        assert_eq!(json["amount"], "40000.00");
    }
}
