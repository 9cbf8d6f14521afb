//! Claims (理赔): notification and cover check, proof (art. 22), reserves, decision
//! within authority and approval, the rejection notice (art. 24), payment against
//! limits that erode atomically, recoveries and reopening. Each public function is one
//! transaction with its audit row (and its outbox row when it sends mail).

mod batches;
mod decide;
mod mail;
mod notify;
mod pay;
mod policy_terms;
pub mod policy_view;
mod proof;
mod reserves;
mod staff_view;
mod view;
mod work;

pub use batches::{
    batch_file, cancel_batch, confirm_batch, create_batch, get_batch, import_confirmation,
    list_batches, waiting_payments, BatchConfirmation, BatchInput, BatchItemView, BatchListQuery,
    BatchView, ConfirmationLine,
};
pub use decide::{approve, decide, ApprovalInput, DecisionInput};
pub use notify::{notify, register, set_reserve, NotificationInput, RegisterInput, ReserveInput};
pub use pay::{mark_paid, pay, record_recovery, reopen, PaymentInput, RecoveryInput, ReopenInput};
pub use proof::{
    mark_proof_complete, request_missing_proof, upload_document, upload_documents, ProofItem,
    ProofRequestInput, Upload, MAX_FILES_PER_UPLOAD,
};
pub use reserves::{ReserveLineInput, ReserveLineView};
pub use staff_view::{
    ApprovalView, ClaimAssignmentView, ClaimDocumentView, ClaimHandlerView, ClaimNoteView,
    ClaimPaymentView, RecoveryView, ReserveLineChangeView, ReserveView,
};
pub use view::{
    approvals, document, get, list, my_queue, overdue_count, queue, report_defaults, ClaimDetail,
    ClaimView, ListQuery, PendingApproval, QueueItem, QueueQuery, ReportDefaults, TimelineEntry,
    WaivedItem, WaiverView,
};
pub use work::{add_note, assign, handlers, AssignInput, NoteInput};

use super::{Actor, FieldError, ServiceError, ServiceResult};
use crate::domain::claims::ClaimStateError;
use crate::domain::money::Money;
use crate::store::audit::{self, AuditEntry};
use crate::store::claims::{self as store, ClaimRow};
use crate::store::Tx;

pub use batches::confirmation_from_file;

fn require_handler(actor: &Actor, what: &'static str) -> ServiceResult<()> {
    actor.require(actor.role.handles_claims(), what)
}

/// Load a claim the actor may see, locked for change; a client asking for another
/// maker's claim gets NotFound.
async fn load_for_change(tx: &mut Tx, actor: &Actor, id: i64) -> ServiceResult<ClaimRow> {
    let row = store::get_for_update(tx, id)
        .await?
        .ok_or(ServiceError::NotFound("claim"))?;
    if !actor.can_see_maker(row.maker_id) || !(actor.role.reports_claims()) {
        return Err(ServiceError::NotFound("claim"));
    }
    Ok(row)
}

fn transition(e: ClaimStateError) -> ServiceError {
    ServiceError::Conflict(e.text())
}

/// A short JSON picture of a claim for audit rows.
fn snapshot(row: &ClaimRow) -> serde_json::Value {
    serde_json::json!({
        "claim_number": row.claim_number, "state": row.state.as_str(), "policy_id": row.policy_id,
        "claim_type": row.claim_type.as_str(), "section": row.section_code,
        "amount_claimed": row.amount_claimed,
        "proof_complete_on": row.proof_complete_on, "outcome": row.outcome.map(|o| o.as_str()),
        "indemnity": row.indemnity,
        "paid_total": row.paid_total, "reserve": row.reserve,
        "assigned_to": row.assigned_to,
    })
}

async fn log(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    claim_id: i64,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> ServiceResult<()> {
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action,
            entity_type: "claim",
            entity_id: claim_id.to_string(),
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// The tail of every use case that sets the case reserve by hand (reserve change,
/// reopening): a history row (dated `day`, the business date), the claim row, the audit
/// row with the reason, commit.
#[allow(clippy::too_many_arguments)]
async fn commit_reserve(
    mut tx: Tx,
    actor: &Actor,
    mut row: ClaimRow,
    amount: Money,
    split: Option<crate::domain::claims::reserve_lines::Lines>,
    reason: &str,
    action: &str,
    before: serde_json::Value,
    day: chrono::NaiveDate,
) -> ServiceResult<view::ClaimView> {
    let claim_id = row.claim_id;
    reserves::set_case_reserve(
        &mut tx,
        &mut row,
        amount,
        split,
        day,
        reason.trim(),
        Some(actor.user_id),
    )
    .await?;
    store::save(&mut tx, &mut row).await?;
    let mut after = snapshot(&row);
    after["reason"] = serde_json::json!(reason.trim());
    if let Some(lines) = split {
        after["reserve_lines"] = serde_json::json!(reserves::views(&lines));
    }
    log(&mut tx, actor, action, claim_id, Some(before), after).await?;
    tx.commit().await?;
    Ok(view::ClaimView::from(&row))
}

/// The largest amount a claim form accepts (10,000,000,000 CNY, far above any limit
/// written here), so a typo or a hostile request cannot overflow a sum.
pub const MAX_CLAIM_AMOUNT: Money = Money::from_yuan(10_000_000_000);

/// An amount outside 0 ..= [`MAX_CLAIM_AMOUNT`], as a field error.
fn out_of_bounds(field: &str, m: Money) -> Option<FieldError> {
    if m.is_negative() {
        Some(FieldError::new(
            field,
            "the amount cannot be negative",
            "金额不能为负数",
        ))
    } else if m > MAX_CLAIM_AMOUNT {
        Some(FieldError::new(
            field,
            format!("the amount is above {} CNY", MAX_CLAIM_AMOUNT.grouped()),
            format!("金额不能超过 {} 元", MAX_CLAIM_AMOUNT.grouped()),
        ))
    } else {
        None
    }
}

fn bounded(field: &str, m: Money) -> ServiceResult<()> {
    match out_of_bounds(field, m) {
        Some(e) => Err(ServiceError::Validation(vec![e])),
        None => Ok(()),
    }
}

fn blank(field: &str, text: &str, en: &str, zh: &str) -> ServiceResult<()> {
    if text.trim().is_empty() {
        Err(ServiceError::field(field, en, zh))
    } else {
        Ok(())
    }
}
