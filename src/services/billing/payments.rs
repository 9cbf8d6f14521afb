//! Payments (收款) recorded by finance, their reversal (冲正), and refunds of credit
//! (退还溢缴/退保费). Every movement locks the policy row first, so two movements on one
//! policy queue and each audit row carries the settlement it produced.

use super::{
    check_method, internal, issued_policy_for_update, require_finance, settlement, Settlement,
};
use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::services::Ctx;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditActor, AuditEntry};
use crate::store::billing::{self as store, BilledPolicy, NewPayment, NewRefund, PaymentRow};
use crate::store::Tx;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

fn bank_transfer() -> String {
    "bank_transfer".into()
}

/// A payment received (收款登记).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// 付款人
    pub payer: String,
    /// CNY, e.g. "4200.00".
    #[schema(value_type = String)]
    pub amount: Money,
    pub paid_on: NaiveDate,
    /// bank_transfer (default), cheque, cash, draft or other.
    #[serde(default = "bank_transfer")]
    pub method: String,
    /// Bank reference or voucher number (银行流水号/凭证号).
    #[serde(default)]
    pub reference: String,
}

/// A payment as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub payment_id: i64,
    pub policy_id: i64,
    pub paid_on: NaiveDate,
    #[schema(value_type = String)]
    pub amount: Money,
    pub method: String,
    pub reference: String,
    pub payer: String,
    /// manual, statement or callback
    pub source: String,
    pub bank_txn_id: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub reversed: bool,
    pub reversed_at: Option<DateTime<Utc>>,
    pub reversal_reason: Option<String>,
}

impl From<&PaymentRow> for PaymentView {
    fn from(p: &PaymentRow) -> Self {
        PaymentView {
            payment_id: p.payment_id,
            policy_id: p.policy_id,
            paid_on: p.paid_on,
            amount: p.amount,
            method: p.method.clone(),
            reference: p.reference.clone(),
            payer: p.payer.clone(),
            source: p.source.clone(),
            bank_txn_id: p.bank_txn_id.clone(),
            recorded_at: p.recorded_at,
            reversed: p.reversed_at.is_some(),
            reversed_at: p.reversed_at,
            reversal_reason: p.reversal_reason.clone(),
        }
    }
}

fn settlement_json(s: &Settlement) -> serde_json::Value {
    json!({"premium_due": s.premium_due, "paid": s.paid, "balance": s.balance,
           "credit": s.credit, "fully_paid": s.fully_paid})
}

/// Insert a payment on a locked, issued policy and audit it with the settlement
/// before and after. Shared by finance, the statement import and the bank callback.
pub(super) async fn add_payment(
    tx: &mut Tx,
    who: &AuditActor,
    policy: &BilledPolicy,
    p: &NewPayment<'_>,
) -> ServiceResult<PaymentRow> {
    let before = settlement(tx, policy.policy_id).await?;
    let id = store::insert_payment(tx, p).await?;
    let row = store::payment(tx, id)
        .await?
        .ok_or_else(|| internal("payment vanished"))?;
    let after = settlement(tx, policy.policy_id).await?;
    audit::append(
        tx,
        who,
        AuditEntry {
            action: "billing.payment",
            entity_type: "policy",
            entity_id: policy.policy_id.to_string(),
            before: Some(settlement_json(&before)),
            after: Some(json!({
                "payment": PaymentView::from(&row), "settlement": settlement_json(&after),
            })),
        },
    )
    .await?;
    Ok(row)
}

fn positive(field: &str, amount: Money) -> ServiceResult<()> {
    if amount > Money::ZERO {
        Ok(())
    } else {
        Err(ServiceError::field(
            field,
            "the amount must be more than zero",
            "金额须大于零",
        ))
    }
}

fn required(field: &str, value: &str, en: &str, zh: &str) -> ServiceResult<()> {
    if value.trim().is_empty() {
        Err(ServiceError::field(field, en, zh))
    } else {
        Ok(())
    }
}

/// Finance records a payment received for an issued policy.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn record_payment(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
    input: PaymentInput,
) -> ServiceResult<PaymentView> {
    let db = ctx.db;
    require_finance(actor, "record payments")?;
    required("payer", &input.payer, "give the payer", "请填写付款人")?;
    positive("amount", input.amount)?;
    check_method(&input.method)?;
    let mut tx = db.write().await?;
    let policy = issued_policy_for_update(&mut tx, policy_id).await?;
    let row = add_payment(
        &mut tx,
        &actor.audit(),
        &policy,
        &NewPayment {
            policy_id,
            paid_on: input.paid_on,
            amount: input.amount,
            method: &input.method,
            reference: input.reference.trim(),
            payer: input.payer.trim(),
            source: "manual",
            bank_line_id: None,
            recorded_by: Some(actor.user_id),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(PaymentView::from(&row))
}

/// Why a payment is reversed (退票, 错账…).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReversalInput {
    pub reason: String,
}

/// Reverse a payment: it stops counting, so the balance re-opens.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn reverse_payment(
    ctx: &Ctx<'_>,
    actor: &Actor,
    payment_id: i64,
    input: ReversalInput,
) -> ServiceResult<PaymentView> {
    let db = ctx.db;
    require_finance(actor, "reverse payments")?;
    required(
        "reason",
        &input.reason,
        "give the reason for the reversal",
        "请填写冲正原因",
    )?;
    let mut tx = db.write().await?;
    let found = store::payment(&mut tx, payment_id)
        .await?
        .ok_or(ServiceError::NotFound("payment"))?;
    let policy = issued_policy_for_update(&mut tx, found.policy_id).await?;
    let before = settlement(&mut tx, policy.policy_id).await?;
    store::reverse_payment(&mut tx, payment_id, actor.user_id, input.reason.trim())
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Conflict => ServiceError::Conflict(Text::new(
                format!("收款 {payment_id} 已冲正"),
                format!("payment {payment_id} was already reversed"),
            )),
            other => other.into(),
        })?;
    let row = store::payment(&mut tx, payment_id)
        .await?
        .ok_or_else(|| internal("payment vanished"))?;
    let after = settlement(&mut tx, policy.policy_id).await?;
    // A reversed payment revokes the full-premium collection certificate (DOMAIN.md),
    // in this same transaction: the certificate lists the payment, so it is no longer
    // true even when a credit still covers the premium. A new one can be issued once
    // the premium is fully paid again.
    crate::services::revocation::revoke_for_policy(
        &mut tx,
        actor,
        policy.policy_id,
        &format!(
            "收款冲正 / payment {payment_id} reversed: {}",
            input.reason.trim()
        ),
    )
    .await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "billing.payment_reversal",
            entity_type: "policy",
            entity_id: policy.policy_id.to_string(),
            before: Some(settlement_json(&before)),
            after: Some(json!({
                "payment": PaymentView::from(&row), "reason": input.reason.trim(),
                "settlement": settlement_json(&after),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(PaymentView::from(&row))
}

/// Credit paid back (退款).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    #[schema(value_type = String)]
    pub amount: Money,
    pub refunded_on: NaiveDate,
    #[serde(default = "bank_transfer")]
    pub method: String,
    #[serde(default)]
    pub reference: String,
    pub reason: String,
}

/// Pay back credit held on a policy; never more than the credit.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn refund(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
    input: RefundInput,
) -> ServiceResult<Settlement> {
    let db = ctx.db;
    require_finance(actor, "refund credit")?;
    positive("amount", input.amount)?;
    check_method(&input.method)?;
    required(
        "reason",
        &input.reason,
        "give the reason for the refund",
        "请填写退款原因",
    )?;
    let mut tx = db.write().await?;
    let policy = issued_policy_for_update(&mut tx, policy_id).await?;
    let before = settlement(&mut tx, policy_id).await?;
    if input.amount > before.credit {
        return Err(ServiceError::field(
            "amount",
            format!(
                "the refund {} CNY is more than the credit held, {} CNY",
                input.amount.grouped(),
                before.credit.grouped()
            ),
            format!(
                "退款 {} 元超过溢缴余额 {} 元",
                input.amount.grouped(),
                before.credit.grouped()
            ),
        ));
    }
    let id = store::insert_refund(
        &mut tx,
        &NewRefund {
            policy_id,
            refunded_on: input.refunded_on,
            amount: input.amount,
            method: &input.method,
            reference: input.reference.trim(),
            reason: input.reason.trim(),
            recorded_by: actor.user_id,
        },
    )
    .await?;
    let after = settlement(&mut tx, policy.policy_id).await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "billing.refund",
            entity_type: "policy",
            entity_id: policy_id.to_string(),
            before: Some(settlement_json(&before)),
            after: Some(json!({
                "refund_id": id, "amount": input.amount, "refunded_on": input.refunded_on,
                "reason": input.reason.trim(), "settlement": settlement_json(&after),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
