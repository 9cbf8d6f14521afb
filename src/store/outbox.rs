//! The outbox table: queue, claim with a lease, record the outcome.

use super::seek::{self, Arg, Key, Order, Paged, Seek, Sql};
use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use crate::domain::delivery::DeliveryStatus;
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub outbox_id: i64,
    pub kind: String,
    pub dedupe_key: String,
    pub payload_json: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub receipt_status: Option<i32>,
    pub receipt_body: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "outbox_id, kind, dedupe_key, payload_json, status, attempts, \
     next_attempt_at, claimed_until, last_error, receipt_status, receipt_body, created_at, \
     delivered_at";

/// Queue a delivery; `None` when the key was queued before (nothing is added).
pub async fn insert(
    tx: &mut Tx,
    kind: &str,
    dedupe_key: &str,
    payload_json: &str,
) -> StoreResult<Option<i64>> {
    let at = now();
    let id: Option<i64> = dispatch!(tx, c => {
        sqlx::query_scalar(
            "insert into outbox (kind, dedupe_key, payload_json, next_attempt_at, created_at) \
             values ($1, $2, $3, $4, $4) on conflict (dedupe_key) do nothing returning outbox_id",
        )
        .bind(kind)
        .bind(dedupe_key)
        .bind(payload_json)
        .bind(at)
        .fetch_optional(&mut *c)
        .await?
    });
    Ok(id)
}

/// The id already queued under a key.
pub async fn id_for_key(tx: &mut Tx, dedupe_key: &str) -> StoreResult<i64> {
    let id: Option<i64> = dispatch!(tx, c => {
        sqlx::query_scalar("select outbox_id from outbox where dedupe_key = $1")
            .bind(dedupe_key)
            .fetch_optional(&mut *c)
            .await?
    });
    id.ok_or(StoreError::NotFound)
}

/// Claim the oldest due row for `lease`: pending, due, and not held by a live lease.
/// The attempt is counted now, so a worker that dies mid-send still uses up an attempt.
/// Mail is only claimed when `with_mail` (an SMTP host is configured).
pub async fn claim_next(
    tx: &mut Tx,
    lease: Duration,
    with_mail: bool,
) -> StoreResult<Option<OutboxRow>> {
    let at = now();
    // PostgreSQL: concurrent workers skip each other's rows; SQLite has one writer anyway.
    let lock = if tx.is_postgres() {
        " for update skip locked"
    } else {
        ""
    };
    let sql = format!(
        "update outbox set attempts = attempts + 1, claimed_until = $2 \
         where outbox_id = (select outbox_id from outbox where status = 'pending' \
           and next_attempt_at <= $1 and (claimed_until is null or claimed_until <= $1) \
           and (kind <> 'mail' or $3) order by next_attempt_at, outbox_id limit 1{lock}) \
         returning {COLUMNS}"
    );
    let row = dispatch!(tx, c => {
        sqlx::query_as::<_, OutboxRow>(&sql)
            .bind(at)
            .bind(at + lease)
            .bind(with_mail)
            .fetch_optional(&mut *c)
            .await?
    });
    Ok(row)
}

/// Delivered: keep the receipt.
pub async fn mark_delivered(
    tx: &mut Tx,
    id: i64,
    receipt_status: Option<i32>,
    receipt_body: &str,
) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "update outbox set status = 'delivered', delivered_at = $2, claimed_until = null, \
             receipt_status = $3, receipt_body = $4, last_error = null where outbox_id = $1",
        )
        .bind(id)
        .bind(now())
        .bind(receipt_status)
        .bind(receipt_body)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Failed: try again at `retry_at`, or give up (`dead`) when `retry_at` is `None`.
pub async fn mark_failed(
    tx: &mut Tx,
    id: i64,
    error: &str,
    receipt_status: Option<i32>,
    retry_at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    let status = if retry_at.is_some() {
        "pending"
    } else {
        "dead"
    };
    dispatch!(tx, c => {
        sqlx::query(
            "update outbox set status = $2, last_error = $3, receipt_status = $4, \
             next_attempt_at = coalesce($5, next_attempt_at), claimed_until = null \
             where outbox_id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(error)
        .bind(receipt_status)
        .bind(retry_at)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Put a dead letter back in the queue with fresh attempts.
pub async fn requeue(tx: &mut Tx, id: i64) -> StoreResult<bool> {
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update outbox set status = 'pending', attempts = 0, next_attempt_at = $2, \
             claimed_until = null where outbox_id = $1 and status = 'dead'",
        )
        .bind(id)
        .bind(now())
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

pub async fn get(tx: &mut Tx, id: i64) -> StoreResult<Option<OutboxRow>> {
    let sql = format!("select {COLUMNS} from outbox where outbox_id = $1");
    let row = dispatch!(tx, c => {
        sqlx::query_as::<_, OutboxRow>(&sql).bind(id).fetch_optional(&mut *c).await?
    });
    Ok(row)
}

/// The outbox list's order: by when a delivery was queued (its id).
pub fn order(descending: bool) -> Order {
    Order::by_id("outbox_id", descending)
}

/// One page of deliveries, optionally of one status and kind (each filter leads an
/// index that ends with the id).
pub async fn list(
    tx: &mut Tx,
    status: Option<&str>,
    kind: Option<&str>,
    seek: &Seek,
) -> StoreResult<Paged<OutboxRow>> {
    let mut w = Sql::default();
    if let Some(s) = status {
        w.with("status = {}", Arg::Text(s.to_string()));
    }
    if let Some(k) = kind {
        w.with("kind = {}", Arg::Text(k.to_string()));
    }
    let select = format!("select {COLUMNS} from outbox");
    let sql = seek::page_sql(&select, "from outbox", &w, seek);
    seek::read(tx, &sql, seek, |r: &OutboxRow| {
        (Key::Int(r.outbox_id), r.outbox_id)
    })
    .await
}

/// Rows per status (those with any), each counted up to the cap on the status
/// index: delivered mail piles up with the book, and a `group by` read all of it.
pub async fn counts(tx: &mut Tx) -> StoreResult<Vec<(String, seek::Total)>> {
    let mut out = Vec::new();
    for status in ["dead", "delivered", "pending"] {
        let n: i64 = dispatch!(tx, c => {
            sqlx::query_scalar(
                "select count(*) from (select 1 from outbox where status = $1 limit $2) capped",
            )
            .bind(status)
            .bind(seek::COUNT_CAP + 1)
            .fetch_one(&mut *c)
            .await?
        });
        if n > 0 {
            out.push((status.to_string(), seek::Total::from_capped(n)));
        }
    }
    Ok(out)
}
