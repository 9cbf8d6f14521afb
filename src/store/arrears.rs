//! The premium arrears ledger (欠费台账, migration 0024): each issued policy's premium not
//! yet covered by what was paid, as steps by due date (`premium_arrears`), and signed
//! delta rows by due date (`premium_arrears_summary`) that the triggers append in every
//! transaction that changes a policy's versions, plan, installments, payments, refunds,
//! number or period. The finance dashboard reads the overdue figure from the ledger — a
//! row per due date once folded — instead of recomputing it over the book.
//!
//! Here: the read ([`overdue`]), folding the deltas ([`compact`]), the checks against the
//! per-policy steps and against the direct computation over the book
//! ([`receivables::overdue_recomputed`](super::receivables::overdue_recomputed)), and the
//! repair ([`rebuild`]).

use super::backtest::summary::{compact_one, count};
use super::{StoreResult, Tx};
use crate::dispatch;
use chrono::NaiveDate;

const LEDGER: &str = "premium_arrears_summary";

/// Overdue premium on `as_of` over the whole book: (policies, fen). A policy is overdue
/// when its first uncovered step fell due before the day; the amount is every uncovered
/// step due before it.
pub async fn overdue(tx: &mut Tx, as_of: NaiveDate) -> StoreResult<(i64, i64)> {
    let sql = "select cast(coalesce(sum(policies), 0) as bigint), \
        cast(coalesce(sum(amount), 0) as bigint) from premium_arrears_summary where due_on < $1";
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, (i64, i64)>(sql).bind(as_of).fetch_one(&mut *c).await?
    }))
}

/// Delta rows in the ledger before and after a fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Folded {
    pub before: i64,
    pub after: i64,
}

/// Fold the ledger into one row per due date (dates that net to nothing go). Every sum
/// over dates is unchanged, so readers see the same figure before, during and after.
pub async fn compact(tx: &mut Tx) -> StoreResult<Folded> {
    let before = count(tx, LEDGER).await?;
    compact_one(tx, LEDGER, "due_on", "policies, amount").await?;
    if let Tx::Postgres(t) = tx {
        sqlx::query("analyze premium_arrears_summary")
            .execute(&mut **t)
            .await?;
    }
    Ok(Folded {
        before,
        after: count(tx, LEDGER).await?,
    })
}

/// Due dates at which the ledger and the per-policy steps disagree.
pub async fn drift(tx: &mut Tx) -> StoreResult<i64> {
    let sql =
        "select count(*) from (select due_on, sum(policies) as policies, sum(amount) as amount \
        from (select due_on, policies, amount from premium_arrears_summary \
              union all select due_on, -opens, -amount from premium_arrears) both_sides \
        group by due_on having sum(policies) <> 0 or sum(amount) <> 0) drift";
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut *c).await?
    }))
}

/// Recompute every issued policy's steps through the triggers' own refresh, and the
/// ledger from them. A repair (and what the migration did); reads the whole book.
pub async fn rebuild(tx: &mut Tx) -> StoreResult<()> {
    let clear = "delete from premium_arrears_summary; delete from premium_arrears;";
    match tx {
        Tx::Postgres(t) => {
            sqlx::raw_sql(clear).execute(&mut **t).await?;
            sqlx::query(
                "select premium_arrears_refresh(policy_id) from policy \
                 where policy_number is not null",
            )
            .execute(&mut **t)
            .await?;
        }
        Tx::Sqlite(t) => {
            sqlx::raw_sql(clear).execute(&mut **t).await?;
            sqlx::raw_sql(
                "insert into premium_arrears_touch (policy_id) \
                 select policy_id from policy where policy_number is not null; \
                 delete from premium_arrears_touch;",
            )
            .execute(&mut **t)
            .await?;
        }
    }
    compact(tx).await?;
    Ok(())
}
