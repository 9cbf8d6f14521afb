//! Loss cells: paid losses (net of recoveries), case-reserve movements and reported
//! claim counts per segment, origin year and calendar year of the movement.
//!
//! The only SQL that knows the loss side; it reads the views `backtest_claim`,
//! `backtest_reserve` and `backtest_payment` (migration 0005), which put the claims of
//! this system (0004) and imported history into one shape, each movement already
//! carrying its policy and accident date. Case reserves are history rows (the reserve of
//! a claim from `set_at` on); each becomes the change from the previous row, so the
//! reserve at any cut-off is the sum of the changes up to it — the same running sum as
//! paid losses. Movements are grouped on the policy's integer keys first and named by
//! segment after, which keeps the big aggregation narrow.

use super::{Basis, Dialect, SegmentKey, SEGMENT_COLUMNS, SEGMENT_JOINS};
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
    /// 已决赔款 paid in the year, net of recoveries.
    pub paid: i64,
    /// Change of the case reserves (未决赔款) in the year.
    pub reserve_change: i64,
    /// Claims reported in the year (withdrawn claims not counted).
    pub reported: i64,
}

/// Loss movements up to and including `as_of`.
pub async fn cells(tx: &mut Tx, as_of: NaiveDate, basis: Basis) -> StoreResult<Vec<LossCell>> {
    let d = Dialect::of(tx);
    super::tune_for_aggregation(tx).await?;
    let asof = d.param_date(1);
    let origin = match basis {
        Basis::UnderwritingYear => d.year("p.period_start"),
        Basis::AccidentYear => d.year("mv.accident_date"),
    };
    let sql = format!(
        "with mv as (select policy_id, accident_date, paid_at as moved_on, amount as paid, \
                 0 as reserve_change, 0 as reported from backtest_payment where paid_at <= {asof} \
             union all \
             select policy_id, accident_date, set_at, 0, amount - coalesce(lag(amount) over \
                 (partition by claim_key order by set_at, seq), 0), 0 \
                 from backtest_reserve where set_at <= {asof} \
             union all \
             select policy_id, accident_date, reported_date, 0, 0, \
                 case when status = 'withdrawn' then 0 else 1 end \
                 from backtest_claim where reported_date <= {asof}), \
         by_policy as (select p.catalogue_item_id as catalogue_item_id, p.maker_id as maker_id, \
                 p.cover_basis as cover_basis, p.programme_id as programme_id, {origin} as origin, \
                 {cy} as calendar_year, sum(mv.paid) as paid, \
                 sum(mv.reserve_change) as reserve_change, sum(mv.reported) as reported \
             from mv join policy p on p.policy_id = mv.policy_id group by 1, 2, 3, 4, 5, 6) \
         select {SEGMENT_COLUMNS}, p.origin as origin, p.calendar_year as calendar_year, \
             cast(sum(p.paid) as bigint) as paid, \
             cast(sum(p.reserve_change) as bigint) as reserve_change, \
             cast(sum(p.reported) as bigint) as reported \
         from by_policy p {SEGMENT_JOINS} \
         group by 1, 2, 3, 4, 5, 6, 7 order by 1, 2, 3, 4, 5, 6, 7",
        cy = d.year("mv.moved_on"),
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, LossCell>(&sql).bind(as_of).fetch_all(c).await?
    }))
}
