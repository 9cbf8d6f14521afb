//! Loss cells: paid losses, case-reserve movements and reported claim counts per
//! segment, origin year and calendar year of the movement.
//!
//! The only SQL that knows the loss tables; it reads the views `backtest_claim`,
//! `backtest_reserve` and `backtest_payment` (migration 0005), so a change in where
//! claims live changes the views, not this query. Case reserves are history rows (the
//! reserve of a claim from `set_at` on); each becomes the change from the previous row,
//! so the reserve at any cut-off is the sum of the changes up to it — the same running
//! sum as paid losses.

use super::{Basis, Dialect, SegmentKey, SEGMENT_COLUMNS, SEGMENT_GROUP, SEGMENT_JOINS};
use crate::dispatch;
use crate::store::{StoreResult, Tx};
use chrono::NaiveDate;

/// Loss movements of one segment, origin year and calendar year, exact in fen.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LossCell {
    #[sqlx(flatten)]
    pub key: SegmentKey,
    pub origin: i32,
    /// Calendar year in which the amounts moved.
    pub calendar_year: i32,
    /// 已决赔款 paid in the year.
    pub paid: i64,
    /// Change of the case reserves (未决赔款) in the year.
    pub reserve_change: i64,
    /// Claims reported in the year (withdrawn claims not counted).
    pub reported: i64,
}

/// Loss movements up to and including `as_of`.
pub async fn cells(tx: &mut Tx, as_of: NaiveDate, basis: Basis) -> StoreResult<Vec<LossCell>> {
    let d = Dialect::of(tx);
    let asof = d.param_date(1);
    let origin = match basis {
        Basis::UnderwritingYear => d.year("p.period_start"),
        Basis::AccidentYear => d.year("k.accident_date"),
    };
    let sql = format!(
        "with cl as (select k.claim_key as claim_key, {SEGMENT_COLUMNS}, {origin} as origin \
             from backtest_claim k join policy p on p.policy_id = k.policy_id {SEGMENT_JOINS} \
             where k.reported_date <= {asof}), \
         mv as (select claim_key, amount as paid, 0 as reserve_change, 0 as reported, \
                 paid_at as moved_on from backtest_payment where paid_at <= {asof} \
             union all \
             select claim_key, 0, amount - coalesce(lag(amount) over \
                 (partition by claim_key order by set_at, seq), 0), 0, set_at \
                 from backtest_reserve where set_at <= {asof} \
             union all \
             select claim_key, 0, 0, case when status = 'withdrawn' then 0 else 1 end, \
                 reported_date from backtest_claim where reported_date <= {asof}) \
         select cl.line, cl.field, cl.cover_basis, cl.programme, cl.region, cl.origin, \
             {cy} as calendar_year, cast(sum(mv.paid) as bigint) as paid, \
             cast(sum(mv.reserve_change) as bigint) as reserve_change, \
             cast(sum(mv.reported) as bigint) as reported \
         from mv join cl on cl.claim_key = mv.claim_key \
         group by {SEGMENT_GROUP}, 6, 7 order by {SEGMENT_GROUP}, 6, 7",
        cy = d.year("mv.moved_on"),
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, LossCell>(&sql).bind(as_of).fetch_all(c).await?
    }))
}
