//! Gap-free per-year counters for human numbers (policy, claim, certificate numbers).
//!
//! The increment happens inside the caller's transaction: the row stays locked until
//! commit (PostgreSQL) or the write lock is held (SQLite), and a rollback gives the
//! number back, so numbers are never duplicated and never skipped.

use super::{StoreResult, Tx};
use crate::dispatch;

pub async fn next(tx: &mut Tx, scope: &str, year: i32) -> StoreResult<i64> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into counter (scope, year, value) values ($1, $2, 1) \
             on conflict (scope, year) do update set value = counter.value + 1 returning value",
        )
        .bind(scope)
        .bind(year)
        .fetch_one(&mut *c)
        .await?
    }))
}
