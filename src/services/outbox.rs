//! The outbox (发件箱): mail and HTTP deliveries are queued inside the transaction of
//! the change that causes them, so nothing is sent for a change that rolled back and
//! nothing is lost for one that committed. `crate::outbox_worker` sends them.

use super::{Actor, ServiceError, ServiceResult};
use crate::domain::text::Text;
use crate::paging::{Paged, Total};
use crate::services::Ctx;
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox::{self as store, OutboxRow};
use crate::store::Tx;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// A queued delivery (发件箱) as administrators see it: where it stands, never its
/// payload (mail bodies and attachments stay in the store).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OutboxView {
    pub outbox_id: i64,
    /// mail or http
    pub kind: String,
    pub dedupe_key: String,
    /// pending, delivered, failed or dead
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub claimed_until: Option<chrono::DateTime<chrono::Utc>>,
    pub last_error: Option<String>,
    pub receipt_status: Option<i32>,
    pub receipt_body: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub delivered_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<OutboxRow> for OutboxView {
    fn from(r: OutboxRow) -> Self {
        OutboxView {
            outbox_id: r.outbox_id,
            kind: r.kind,
            dedupe_key: r.dedupe_key,
            status: r.status.as_str().to_string(),
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            claimed_until: r.claimed_until,
            last_error: r.last_error,
            receipt_status: r.receipt_status,
            receipt_body: r.receipt_body,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
        }
    }
}

/// A mail to send (plain text, with optional attachments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    #[serde(with = "b64")]
    pub bytes: Vec<u8>,
}

/// An HTTP POST to an outside system (the regulator's endpoint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpPost {
    pub url: String,
    pub content_type: String,
    #[serde(with = "b64")]
    pub body: Vec<u8>,
}

/// What a row carries, as stored in `payload_json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payload {
    Mail(Mail),
    Http(HttpPost),
}

impl Payload {
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Mail(_) => "mail",
            Payload::Http(_) => "http",
        }
    }

    pub fn from_row(row: &OutboxRow) -> ServiceResult<Payload> {
        serde_json::from_str(&row.payload_json)
            .map_err(|e| ServiceError::Internal(format!("outbox {} payload: {e}", row.outbox_id)))
    }
}

/// Queue a mail in the caller's transaction. The same `key` queues nothing twice.
pub async fn enqueue_mail(tx: &mut Tx, key: &str, mail: &Mail) -> ServiceResult<i64> {
    if mail.to.iter().all(|a| a.trim().is_empty()) {
        return Err(ServiceError::field(
            "to",
            "a mail needs at least one recipient",
            "邮件至少需要一个收件人",
        ));
    }
    enqueue(tx, key, &Payload::Mail(mail.clone())).await
}

/// Queue an HTTP POST in the caller's transaction; sent with `Idempotency-Key: key`.
pub async fn enqueue_http(tx: &mut Tx, key: &str, post: &HttpPost) -> ServiceResult<i64> {
    let url = url::Url::parse(&post.url).map_err(|e| {
        ServiceError::field(
            "url",
            format!("not a valid URL: {e}"),
            format!("地址无效：{e}"),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ServiceError::field(
            "url",
            "only http and https endpoints can be posted to",
            "只能发送到 http 或 https 地址",
        ));
    }
    enqueue(tx, key, &Payload::Http(post.clone())).await
}

async fn enqueue(tx: &mut Tx, key: &str, payload: &Payload) -> ServiceResult<i64> {
    let json = serde_json::to_string(payload)
        .map_err(|e| ServiceError::internal_from("serialise a record to JSON", e))?;
    match store::insert(tx, payload.kind(), key, &json).await? {
        Some(id) => {
            audit::append(
                tx,
                &Actor::system().audit(),
                AuditEntry {
                    action: "outbox.queue",
                    entity_type: "outbox",
                    entity_id: id.to_string(),
                    before: None,
                    after: Some(serde_json::json!({ "kind": payload.kind(), "key": key })),
                },
            )
            .await?;
            Ok(id)
        }
        None => Ok(store::id_for_key(tx, key).await?),
    }
}

/// An outbox list request: status, kind, order and page.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxListQuery {
    /// pending, delivered or dead
    pub status: Option<String>,
    /// mail or http
    pub kind: Option<String>,
    /// asc or desc (default: newest first).
    pub order: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The cursor of the page to read (`next` or `prev` of the page before).
    pub after: Option<String>,
}

/// The queue as an administrator sees it, one page.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn list(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &OutboxListQuery,
) -> ServiceResult<Paged<OutboxView>> {
    let db = ctx.db;
    actor.require(actor.role.watches_deliveries(), "see the outbox")?;
    let order = store::order(super::descending(q.order.as_deref(), true));
    let seek = super::seek(q.limit, q.after.as_deref(), order);
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    let kind = q.kind.as_deref().filter(|s| !s.is_empty());
    let mut tx = db.read().await?;
    Ok(store::list(&mut tx, status, kind, &seek)
        .await?
        .into_map(OutboxView::from))
}

#[tracing::instrument(skip_all)]
pub async fn counts(ctx: &Ctx<'_>) -> ServiceResult<Vec<(String, Total)>> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    Ok(store::counts(&mut tx).await?)
}

/// Send a dead letter again (after the far end is fixed).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn requeue(ctx: &Ctx<'_>, actor: &Actor, id: i64) -> ServiceResult<OutboxView> {
    let db = ctx.db;
    actor.require(actor.role.manages_users(), "retry deliveries")?;
    let mut tx = db.write().await?;
    if !store::requeue(&mut tx, id).await? {
        return Err(match store::get(&mut tx, id).await? {
            Some(row) => ServiceError::Conflict(Text::new(
                format!("只有死信可以重新发送，该发送为“{}”", row.status.zh()),
                format!(
                    "only dead letters can be retried; this delivery is {}",
                    row.status.en()
                ),
            )),
            None => ServiceError::NotFound("delivery"),
        });
    }
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "outbox.requeue",
            entity_type: "outbox",
            entity_id: id.to_string(),
            before: Some(serde_json::json!({ "status": "dead" })),
            after: Some(serde_json::json!({ "status": "pending" })),
        },
    )
    .await?;
    let row = store::get(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound("delivery"))?;
    tx.commit().await?;
    Ok(row.into())
}

/// Bytes as base64 inside the JSON payload.
mod b64 {
    use super::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}

/// The delivery queued under `key`, if any: what a page says about a notice ("queued,
/// not sent yet" until the worker delivers it).
#[tracing::instrument(skip_all)]
pub async fn by_key(ctx: &Ctx<'_>, key: &str) -> ServiceResult<Option<OutboxView>> {
    Ok(row_by_key(ctx, key).await?.map(OutboxView::from))
}

/// The delivery queued under `key`, with its typed status: for use cases that word it.
pub(crate) async fn status_by_key(
    ctx: &Ctx<'_>,
    key: &str,
) -> ServiceResult<Option<(i64, crate::domain::delivery::DeliveryStatus)>> {
    Ok(row_by_key(ctx, key).await?.map(|r| (r.outbox_id, r.status)))
}

async fn row_by_key(ctx: &Ctx<'_>, key: &str) -> ServiceResult<Option<OutboxRow>> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    let id = match store::id_for_key(&mut tx, key).await {
        Ok(id) => id,
        Err(crate::store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let row = store::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_with_binary_attachments() {
        let p = Payload::Mail(Mail {
            to: vec!["a@example.com".into()],
            subject: "拒赔通知".into(),
            text: "正文".into(),
            attachments: vec![Attachment {
                filename: "notice.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: vec![0, 159, 255, 10],
            }],
        });
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"kind\":\"mail\""), "{json}");
        assert_eq!(serde_json::from_str::<Payload>(&json).unwrap(), p);
    }
}
