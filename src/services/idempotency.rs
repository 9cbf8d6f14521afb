//! Idempotency (幂等) of money-moving requests: one mechanism, one table, for the API's
//! `Idempotency-Key` header and the one-time key every money form carries.
//!
//! The first request with a key claims it (a pending row, committed at once, so a
//! concurrent repeat sees it), runs, and stores its answer; a failure releases the key so
//! a corrected retry can run. A repeat with the same request gets the stored answer and
//! changes nothing; with a different request, or while the first is still running, a 409.
//! The effect therefore happens at most once per key: a process that dies between the
//! change and storing its answer leaves the key pending, and repeats are refused rather
//! than risked (the record itself shows what happened).

use super::{Actor, ServiceError, ServiceResult};
use crate::domain::text::Text;
use crate::services::Ctx;
use crate::store::idempotency as store;
use sha2::{Digest, Sha256};

/// How a request with a key begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// This request is the first: run it, then [`finish`] or [`abandon`].
    First,
    /// Already answered: send this again.
    Repeat { status: u16, body: String },
}

/// Longest key accepted (a UUID is 36).
pub const MAX_KEY_LEN: usize = 200;

/// SHA-256 of what identifies the request: its route and its parsed body.
pub fn request_hash(route: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(route.as_bytes());
    h.update([0]);
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

fn check_key(key: &str) -> ServiceResult<()> {
    let ok =
        !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(ServiceError::field(
            "Idempotency-Key",
            format!("1 to {MAX_KEY_LEN} visible ASCII characters"),
            format!("幂等键须为1至{MAX_KEY_LEN}个可见ASCII字符"),
        ))
    }
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn begin(ctx: &Ctx<'_>, actor: &Actor, key: &str, hash: &str) -> ServiceResult<Begun> {
    let db = ctx.db;
    check_key(key)?;
    let mut tx = db.write().await?;
    if store::claim(&mut tx, actor.user_id, key, hash).await? {
        tx.commit().await?;
        return Ok(Begun::First);
    }
    let stored = store::get(&mut tx, actor.user_id, key)
        .await?
        .ok_or_else(|| ServiceError::Internal("idempotency key vanished".into()))?;
    drop(tx);
    if stored.request_hash != hash {
        return Err(ServiceError::Conflict(Text::new(
            "该幂等键已用于另一笔不同的请求",
            "this Idempotency-Key was already used for a different request",
        )));
    }
    if stored.response_status == store::PENDING {
        return Err(ServiceError::Conflict(Text::new(
            "相同幂等键的请求正在处理，请稍后重试",
            "a request with this Idempotency-Key is still being processed; retry shortly",
        )));
    }
    Ok(Begun::Repeat {
        status: u16::try_from(stored.response_status).unwrap_or(200),
        body: stored.response_body,
    })
}

/// Store the first request's answer.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn finish(
    ctx: &Ctx<'_>,
    actor: &Actor,
    key: &str,
    status: u16,
    body: &str,
) -> ServiceResult<()> {
    let db = ctx.db;
    let mut tx = db.write().await?;
    store::complete(&mut tx, actor.user_id, key, i32::from(status), body).await?;
    tx.commit().await?;
    Ok(())
}

/// The first request failed: forget its claim.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn abandon(ctx: &Ctx<'_>, actor: &Actor, key: &str) -> ServiceResult<()> {
    let db = ctx.db;
    let mut tx = db.write().await?;
    store::release(&mut tx, actor.user_id, key).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_tells_routes_and_bodies_apart() {
        let a = request_hash("/policies/1/payments", "{\"amount\":\"1.00\"}");
        assert_eq!(
            a,
            request_hash("/policies/1/payments", "{\"amount\":\"1.00\"}")
        );
        assert_ne!(
            a,
            request_hash("/policies/2/payments", "{\"amount\":\"1.00\"}")
        );
        assert_ne!(
            a,
            request_hash("/policies/1/payments", "{\"amount\":\"2.00\"}")
        );
    }

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(check_key("4b0f3c1e-8d2a-4f7e-9a51-0c6d2e7b8a90").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key("has space").is_err());
        assert!(check_key(&"k".repeat(MAX_KEY_LEN + 1)).is_err());
    }
}
