//! The backtest summaries (回溯汇总, migration 0010): signed delta rows the triggers append
//! in the transaction of every premium piece and loss movement, keyed by the policy's
//! segment ids, origin year(s) and the dates that decide what counts on a valuation date.
//! The data step reads these (a few thousand rows once compacted) instead of every piece
//! and movement.
//!
//! Here: folding the deltas into one row per key ([`compact`]), checking that the ledgers
//! add up to a full recomputation from the source tables ([`differences`]), and rebuilding
//! them from it ([`rebuild`], a repair tool, never needed in normal operation).

use super::Dialect;
use crate::dispatch;
use crate::store::{StoreResult, Tx};

const PREMIUM_KEYS: &str =
    "catalogue_item_id, maker_id, cover_basis, programme_id, origin, booked, starts, ends";
const PREMIUM_SUMS: &str = "amount, policies, pieces";
const LOSS_KEYS: &str = "catalogue_item_id, maker_id, cover_basis, programme_id, \
    underwriting_year, accident_year, moved_on";
const LOSS_SUMS: &str = "paid, reserve_change, reported, movements";

/// Every premium piece as a summary row, times `sign` (`1` or `-1`).
fn premium_rows(d: Dialect, sign: i32) -> String {
    format!(
        "select p.catalogue_item_id as catalogue_item_id, p.maker_id as maker_id, \
         p.cover_basis as cover_basis, p.programme_id as programme_id, {uy} as origin, \
         v.effective_on as booked, \
         case when v.kind = 'cancellation' then {next} else v.effective_on end as starts, \
         p.period_end as ends, {sign} * v.adjustment as amount, \
         {sign} * (case when v.kind = 'issue' then 1 else 0 end) as policies, {sign} as pieces \
         from policy_version v join policy p on p.policy_id = v.policy_id",
        uy = d.year("p.period_start"),
        next = d.next_day("v.effective_on"),
    )
}

/// Every loss movement (view `backtest_movement`) as a summary row, times `sign`.
fn loss_rows(d: Dialect, sign: i32) -> String {
    format!(
        "select p.catalogue_item_id as catalogue_item_id, p.maker_id as maker_id, \
         p.cover_basis as cover_basis, p.programme_id as programme_id, \
         {uy} as underwriting_year, {ay} as accident_year, m.moved_on as moved_on, \
         {sign} * m.paid as paid, {sign} * m.reserve_change as reserve_change, \
         {sign} * m.reported as reported, {sign} as movements \
         from backtest_movement m join policy p on p.policy_id = m.policy_id",
        uy = d.year("p.period_start"),
        ay = d.year("m.accident_date"),
    )
}

/// `sum(a) as a, …` and `sum(a) <> 0 or …` over comma-separated columns.
fn sums(cols: &str) -> (String, String) {
    let names: Vec<&str> = cols.split(',').map(str::trim).collect();
    (
        names
            .iter()
            .map(|c| format!("sum({c}) as {c}"))
            .collect::<Vec<_>>()
            .join(", "),
        names
            .iter()
            .map(|c| format!("sum({c}) <> 0"))
            .collect::<Vec<_>>()
            .join(" or "),
    )
}

/// Rows in each ledger before and after a compaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Compaction {
    pub premium_before: i64,
    pub premium_after: i64,
    pub loss_before: i64,
    pub loss_after: i64,
}

pub(crate) async fn count(tx: &mut Tx, table: &str) -> StoreResult<i64> {
    let sql = format!("select count(*) from {table}");
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(&sql).fetch_one(c).await?
    }))
}

/// Fold one ledger into a row per key, dropping keys whose every sum is zero.
///
/// PostgreSQL: one statement, so rows appended meanwhile by other transactions (not in its
/// snapshot) are neither deleted nor counted; two compactions at once each fold only the
/// rows they deleted. SQLite: the write transaction excludes every other writer.
pub(crate) async fn compact_one(
    tx: &mut Tx,
    table: &str,
    keys: &str,
    cols: &str,
) -> StoreResult<()> {
    let (sum, nonzero) = sums(cols);
    match tx {
        Tx::Postgres(t) => {
            let sql = format!(
                "with gone as (delete from {table} returning *) \
                 insert into {table} ({keys}, {cols}) \
                 select {keys}, {sum} from gone group by {keys} having {nonzero}"
            );
            sqlx::query(&sql).execute(&mut **t).await?;
        }
        Tx::Sqlite(t) => {
            let last: Option<i64> = sqlx::query_scalar(&format!("select max(rowid) from {table}"))
                .fetch_one(&mut **t)
                .await?;
            let Some(last) = last else { return Ok(()) };
            let fold = format!(
                "insert into {table} ({keys}, {cols}) select {keys}, {sum} from {table} \
                 where rowid <= $1 group by {keys} having {nonzero}"
            );
            sqlx::query(&fold).bind(last).execute(&mut **t).await?;
            sqlx::query(&format!("delete from {table} where rowid <= $1"))
                .bind(last)
                .execute(&mut **t)
                .await?;
        }
    }
    Ok(())
}

/// Fold both ledgers. The sum over any key is unchanged, so readers see the same
/// figures before, during and after.
pub async fn compact(tx: &mut Tx) -> StoreResult<Compaction> {
    let premium_before = count(tx, "backtest_premium_summary").await?;
    let loss_before = count(tx, "backtest_loss_summary").await?;
    compact_one(tx, "backtest_premium_summary", PREMIUM_KEYS, PREMIUM_SUMS).await?;
    compact_one(tx, "backtest_loss_summary", LOSS_KEYS, LOSS_SUMS).await?;
    // The planner's row counts, right after a fold that may have shrunk the tables by
    // orders of magnitude (autovacuum would come to it later).
    if let Tx::Postgres(t) = tx {
        sqlx::query("analyze backtest_premium_summary, backtest_loss_summary")
            .execute(&mut **t)
            .await?;
    }
    Ok(Compaction {
        premium_before,
        premium_after: count(tx, "backtest_premium_summary").await?,
        loss_before,
        loss_after: count(tx, "backtest_loss_summary").await?,
    })
}

/// Keys at which a ledger and the full recomputation from the source tables disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Drift {
    pub premium_keys: i64,
    pub loss_keys: i64,
}

impl Drift {
    pub fn is_none(&self) -> bool {
        self.premium_keys == 0 && self.loss_keys == 0
    }
}

async fn drift_of(
    tx: &mut Tx,
    table: &str,
    keys: &str,
    cols: &str,
    recomputed: String,
) -> StoreResult<i64> {
    let (sum, nonzero) = sums(cols);
    let sql = format!(
        "select count(*) from (select {keys}, {sum} from \
         (select {keys}, {cols} from {table} union all {recomputed}) both_sides \
         group by {keys} having {nonzero}) drift"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(&sql).fetch_one(c).await?
    }))
}

/// Compare both ledgers with a full recomputation (every piece and movement, negated,
/// added to the ledger must leave nothing). Reads everything: a check, not a hot path.
pub async fn differences(tx: &mut Tx) -> StoreResult<Drift> {
    let d = Dialect::of(tx);
    Ok(Drift {
        premium_keys: drift_of(
            tx,
            "backtest_premium_summary",
            PREMIUM_KEYS,
            PREMIUM_SUMS,
            premium_rows(d, -1),
        )
        .await?,
        loss_keys: drift_of(
            tx,
            "backtest_loss_summary",
            LOSS_KEYS,
            LOSS_SUMS,
            loss_rows(d, -1),
        )
        .await?,
    })
}

/// Replace both ledgers by the full recomputation, one row per key.
pub async fn rebuild(tx: &mut Tx) -> StoreResult<()> {
    let d = Dialect::of(tx);
    for (table, keys, cols, rows) in [
        (
            "backtest_premium_summary",
            PREMIUM_KEYS,
            PREMIUM_SUMS,
            premium_rows(d, 1),
        ),
        (
            "backtest_loss_summary",
            LOSS_KEYS,
            LOSS_SUMS,
            loss_rows(d, 1),
        ),
    ] {
        let (sum, _) = sums(cols);
        let delete = format!("delete from {table}");
        let insert = format!(
            "insert into {table} ({keys}, {cols}) select {keys}, {sum} from ({rows}) r \
             group by {keys}"
        );
        dispatch!(tx, c => {
            sqlx::query(&delete).execute(&mut *c).await?;
            sqlx::query(&insert).execute(&mut *c).await?;
        });
    }
    Ok(())
}
