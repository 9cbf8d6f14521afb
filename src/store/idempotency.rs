//! Idempotency keys (幂等键): `idempotency_key`, one row per (user, key).

use super::{now, StoreResult, Tx};
use crate::dispatch;

/// `response_status` of a key whose request is still running.
pub const PENDING: i32 = 0;

/// What is stored under a key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredKey {
    pub request_hash: String,
    pub response_status: i32,
    pub response_body: String,
}

/// Claim `key` for this request: true when this request is the first (a pending row is
/// inserted); false when the key exists (read it with [`get`]). One statement; the
/// primary key makes a concurrent claim of the same key wait for the first, then lose.
pub async fn claim(tx: &mut Tx, user_id: i64, key: &str, request_hash: &str) -> StoreResult<bool> {
    Ok(dispatch!(tx, c => {
        sqlx::query(
            "insert into idempotency_key (user_id, idempotency_key, request_hash, response_status, \
             response_body, created_at) values ($1, $2, $3, $4, '', $5) \
             on conflict (user_id, idempotency_key) do nothing",
        )
        .bind(user_id)
        .bind(key)
        .bind(request_hash)
        .bind(PENDING)
        .bind(now())
        .execute(&mut *c)
        .await?
        .rows_affected()
    }) == 1)
}

pub async fn get(tx: &mut Tx, user_id: i64, key: &str) -> StoreResult<Option<StoredKey>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, StoredKey>(
            "select request_hash, response_status, response_body from idempotency_key \
             where user_id = $1 and idempotency_key = $2",
        )
        .bind(user_id)
        .bind(key)
        .fetch_optional(&mut *c)
        .await?
    }))
}

/// Keep the answer the first request got.
pub async fn complete(
    tx: &mut Tx,
    user_id: i64,
    key: &str,
    status: i32,
    body: &str,
) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "update idempotency_key set response_status = $1, response_body = $2 \
             where user_id = $3 and idempotency_key = $4",
        )
        .bind(status)
        .bind(body)
        .bind(user_id)
        .bind(key)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Forget a pending key whose request failed, so a corrected retry can run.
pub async fn release(tx: &mut Tx, user_id: i64, key: &str) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "delete from idempotency_key where user_id = $1 and idempotency_key = $2 \
             and response_status = $3",
        )
        .bind(user_id)
        .bind(key)
        .bind(PENDING)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}
