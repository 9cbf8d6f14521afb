//! The bank's payment notification (到账通知): signed with HMAC-SHA256 over
//! timestamp + "." + body, carrying an `Idempotency-Key`. Nothing is written before
//! the signature and the time check pass. The key is claimed with a unique constraint
//! inside the transaction, so any number of concurrent deliveries of one notification
//! record one bank line and at most one payment; repeats answer with the original.

use super::payments::PaymentView;
use super::statement::{pay_from_line, policy_named_in};
use crate::config::Config;
use crate::domain::billing::signature::{self, SignatureError};
use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::services::Ctx;
use crate::services::{ServiceError, ServiceResult};
use crate::store::audit::{self, AuditActor, AuditEntry};
use crate::store::billing::{self as store, NewLine};
use crate::store::Tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The notification body (JSON).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// The bank's own transaction id (unique).
    pub transaction_id: String,
    #[schema(value_type = String)]
    pub amount: Money,
    pub paid_on: NaiveDate,
    pub payer: String,
    /// The payer's reference (附言); the policy number in it matches the payment.
    pub reference: String,
}

/// What arrived, untouched, for the signature check.
pub struct NotificationRequest<'a> {
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
    pub body: &'a [u8],
    pub now_unix: i64,
}

/// What a delivery did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallbackOutcome {
    /// recorded (a new payment), unmatched (kept for finance to match) or repeat
    /// (seen before: nothing written; the original result).
    pub status: &'static str,
    pub bank_line: super::BankLineView,
    pub payment: Option<PaymentView>,
}

/// Either the bank is not who it says (401), or the notification cannot be taken.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for CallbackError {
    fn from(e: crate::store::StoreError) -> Self {
        CallbackError::Service(e.into())
    }
}

fn bank() -> AuditActor {
    AuditActor {
        user_id: None,
        name: "bank".into(),
    }
}

async fn outcome(
    tx: &mut Tx,
    status: &'static str,
    line_id: i64,
) -> ServiceResult<CallbackOutcome> {
    let line = store::line(tx, line_id)
        .await?
        .ok_or(ServiceError::NotFound("bank line"))?;
    let payment = match line.payment_id {
        Some(id) => store::payment(tx, id)
            .await?
            .as_ref()
            .map(PaymentView::from),
        None => None,
    };
    Ok(CallbackOutcome {
        status,
        bank_line: line.into(),
        payment,
    })
}

/// Take one delivery of a notification.
#[tracing::instrument(skip_all)]
pub async fn notify(
    ctx: &Ctx<'_>,
    config: &Config,
    req: NotificationRequest<'_>,
) -> Result<CallbackOutcome, CallbackError> {
    let db = ctx.db;
    signature::verify(
        config.bank.callback_secret.as_ref().map(|s| s.expose()),
        req.timestamp,
        req.signature,
        req.body,
        req.now_unix,
        config.bank.replay_window_secs,
    )?;
    let key = req
        .idempotency_key
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| {
            ServiceError::field(
                "Idempotency-Key",
                "the Idempotency-Key header is required (1–200 characters)",
                "缺少 Idempotency-Key 请求头",
            )
        })?;
    let n: Notification = serde_json::from_slice(req.body)
        .map_err(|e| ServiceError::field("body", e.to_string(), e.to_string()))?;
    if n.amount <= Money::ZERO || n.transaction_id.trim().is_empty() {
        return Err(ServiceError::field(
            "body",
            "a notification needs a transaction_id and an amount above zero",
            "到账通知须有交易流水号且金额大于零",
        )
        .into());
    }
    let body_sha = hex::encode(Sha256::digest(req.body));
    let mut tx = db.write().await?;
    if !store::claim_notification(&mut tx, key, &body_sha).await? {
        let seen = store::notification(&mut tx, key)
            .await?
            .ok_or(ServiceError::NotFound("notification"))?;
        if seen.body_sha256 != body_sha {
            return Err(ServiceError::Conflict(Text::new(
                format!("幂等键 {key} 已用于另一笔不同的到账通知"),
                format!("Idempotency-Key {key} was used before for a different notification"),
            ))
            .into());
        }
        let line_id = seen
            .bank_line_id
            .ok_or_else(|| ServiceError::Internal("notification without its bank line".into()))?;
        return Ok(outcome(&mut tx, "repeat", line_id).await?);
    }
    let inserted = store::insert_line(
        &mut tx,
        &NewLine {
            source: "callback",
            import_id: None,
            bank_txn_id: n.transaction_id.trim(),
            value_date: n.paid_on,
            amount: n.amount,
            payer: n.payer.trim(),
            reference: n.reference.trim(),
        },
    )
    .await?;
    let Some(line_id) = inserted else {
        // The same credit arrived under another key (or in a statement first).
        let line = store::line_by_txn(&mut tx, n.transaction_id.trim())
            .await?
            .ok_or(ServiceError::NotFound("bank line"))?;
        store::set_notification_line(&mut tx, key, line.bank_line_id).await?;
        let o = outcome(&mut tx, "repeat", line.bank_line_id).await?;
        tx.commit().await?;
        return Ok(o);
    };
    store::set_notification_line(&mut tx, key, line_id).await?;
    let line = store::line(&mut tx, line_id)
        .await?
        .ok_or(ServiceError::NotFound("bank line"))?;
    let status = match policy_named_in(&mut tx, &line.reference, &config.insurer.code).await? {
        Some(policy_id) => {
            pay_from_line(&mut tx, &bank(), &line, policy_id, line.amount, None).await?;
            "recorded"
        }
        None => {
            audit::append(
                &mut tx,
                &bank(),
                AuditEntry {
                    action: "billing.bank_line",
                    entity_type: "bank_line",
                    entity_id: line_id.to_string(),
                    before: None,
                    after: Some(json!({
                        "bank_txn_id": line.bank_txn_id, "amount": line.amount,
                        "reference": line.reference, "matched": false,
                    })),
                },
            )
            .await?;
            "unmatched"
        }
    };
    let o = outcome(&mut tx, status, line_id).await?;
    tx.commit().await?;
    Ok(o)
}
