//! Sign-in throttle counters (登录限流): `login_throttle`, one row per key.

use super::{StoreResult, Tx};
use crate::dispatch;
use chrono::{DateTime, Utc};

/// Take one slot of `key`'s window: ONE conditional upsert, so the count and the check are
/// a single atomic step on both stores (the row lock orders concurrent attempts; on
/// PostgreSQL the conflicting upsert waits and re-reads the committed row). A window that
/// began before `window_opened_after` starts afresh. `None`: the window is full, and the
/// time it started is returned by [`window_start`].
pub async fn take_slot(
    tx: &mut Tx,
    key: &str,
    now: DateTime<Utc>,
    window_opened_after: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Option<i64>> {
    const SQL: &str = "insert into login_throttle (throttle_key, window_start, failures) \
        values ($1, $2, 1) \
        on conflict (throttle_key) do update set \
          failures = case when login_throttle.window_start <= $3 then 1 \
                          else login_throttle.failures + 1 end, \
          window_start = case when login_throttle.window_start <= $3 then $2 \
                              else login_throttle.window_start end \
        where login_throttle.window_start <= $3 or login_throttle.failures < $4 \
        returning failures";
    let limit = i32::try_from(limit.max(0)).unwrap_or(i32::MAX);
    if limit == 0 {
        return Ok(None);
    }
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i32>(SQL)
            .bind(key)
            .bind(now)
            .bind(window_opened_after)
            .bind(limit)
            .fetch_optional(&mut *c)
            .await?
    })
    .map(i64::from))
}

/// When `key`'s current window started (for `Retry-After`).
pub async fn window_start(tx: &mut Tx, key: &str) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, DateTime<Utc>>(
            "select window_start from login_throttle where throttle_key = $1",
        )
        .bind(key)
        .fetch_optional(&mut *c)
        .await?
    }))
}

/// Give back one slot (a sign-in that succeeded was not a failure).
pub async fn give_back(tx: &mut Tx, key: &str) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "update login_throttle set failures = failures - 1 \
             where throttle_key = $1 and failures > 0",
        )
        .bind(key)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Forget `key`'s window (a success for a user name; an admin's unlock). True if there was one.
pub async fn clear(tx: &mut Tx, key: &str) -> StoreResult<bool> {
    Ok(dispatch!(tx, c => {
        sqlx::query("delete from login_throttle where throttle_key = $1")
            .bind(key)
            .execute(&mut *c)
            .await?
            .rows_affected()
    }) > 0)
}

/// Failures counted against `key` in a window that opened after `window_opened_after`.
pub async fn failures(
    tx: &mut Tx,
    key: &str,
    window_opened_after: DateTime<Utc>,
) -> StoreResult<i64> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i32>(
            "select failures from login_throttle where throttle_key = $1 and window_start > $2",
        )
        .bind(key)
        .bind(window_opened_after)
        .fetch_optional(&mut *c)
        .await?
    })
    .map(i64::from)
    .unwrap_or(0))
}
