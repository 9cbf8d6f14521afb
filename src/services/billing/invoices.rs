//! Premium invoices (保费发票) recorded against a policy: the subsidy application
//! needs the insurer's invoice beside the collection certificate (seed 003, 附件1).

use super::ledger::InvoiceView;
use super::{issued_policy_for_update, require_finance};
use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::services::Ctx;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::billing as store;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceInput {
    /// 发票号码, unique.
    pub number: String,
    pub issued_on: NaiveDate,
    #[schema(value_type = String)]
    pub amount: Money,
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn record_invoice(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
    input: InvoiceInput,
) -> ServiceResult<InvoiceView> {
    let db = ctx.db;
    require_finance(actor, "record invoices")?;
    let number = input.number.trim();
    if number.is_empty() {
        return Err(ServiceError::field(
            "number",
            "give the invoice number",
            "请填写发票号码",
        ));
    }
    if input.amount <= Money::ZERO {
        return Err(ServiceError::field(
            "amount",
            "the amount must be more than zero",
            "金额须大于零",
        ));
    }
    let mut tx = db.write().await?;
    issued_policy_for_update(&mut tx, policy_id).await?;
    let id = store::insert_invoice(
        &mut tx,
        policy_id,
        number,
        input.issued_on,
        input.amount.fen(),
        actor.user_id,
    )
    .await?;
    let view = InvoiceView {
        invoice_id: id,
        number: number.to_string(),
        issued_on: input.issued_on,
        amount: input.amount,
        voided_at: None,
        void_reason: None,
    };
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "billing.invoice",
            entity_type: "policy",
            entity_id: policy_id.to_string(),
            before: None,
            after: Some(json!(view)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidInvoiceInput {
    /// 作废原因
    pub reason: String,
}

/// Void (作废) an invoice recorded in error. It keeps its number, shows as void and no longer
/// counts as invoiced; voiding twice is a conflict.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn void_invoice(
    ctx: &Ctx<'_>,
    actor: &Actor,
    invoice_id: i64,
    input: VoidInvoiceInput,
) -> ServiceResult<InvoiceView> {
    let db = ctx.db;
    require_finance(actor, "void invoices")?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::field(
            "reason",
            "give the reason for voiding the invoice",
            "请填写作废原因",
        ));
    }
    let mut tx = db.write().await?;
    let found = store::invoice(&mut tx, invoice_id)
        .await?
        .ok_or(ServiceError::NotFound("invoice"))?;
    // The policy row first, as every billing change does, so changes to one policy queue.
    issued_policy_for_update(&mut tx, found.policy_id).await?;
    let policy_id = found.policy_id;
    let before = InvoiceView::of(found);
    let Some(at) = store::void_invoice(&mut tx, invoice_id, reason, actor.user_id).await? else {
        return Err(ServiceError::Conflict(Text::new(
            format!("发票 {} 已作废", before.number),
            format!("invoice {} is already void", before.number),
        )));
    };
    let after = InvoiceView {
        voided_at: Some(at),
        void_reason: Some(reason.to_string()),
        ..before.clone()
    };
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "billing.invoice_void",
            entity_type: "policy",
            entity_id: policy_id.to_string(),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
