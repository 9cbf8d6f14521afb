//! Loss cells: paid losses (net of recoveries), case-reserve movements and reported
//! claim counts per segment, origin year and calendar year of the movement.
//!
//! The movements are those of the view `backtest_movement` (migration 0010) over the
//! views `backtest_claim`, `backtest_reserve` and `backtest_payment` (0005), which put the
//! claims of this system (0004) and imported history into one shape. Case reserves are
//! history rows (the reserve of a claim from its date on); each becomes the change from
//! the previous row, so the reserve at any cut-off is the sum of the changes up to it —
//! the same running sum as paid losses. The triggers of 0010 keep those movements summed
//! per policy key, origin years and day in `backtest_loss_summary`; this reads the sums,
//! grouped on the policy's integer keys first and named by segment after.

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

/// Loss movements up to and including `as_of`, from the summary (migration 0010): one
/// row per policy key, origin years and day a movement happened, kept by triggers.
pub async fn cells(tx: &mut Tx, as_of: NaiveDate, basis: Basis) -> StoreResult<Vec<LossCell>> {
    let d = Dialect::of(tx);
    let origin = match basis {
        Basis::UnderwritingYear => "underwriting_year",
        Basis::AccidentYear => "accident_year",
    };
    let sql = format!(
        "with by_key as (select catalogue_item_id, maker_id, cover_basis, programme_id, \
                 {origin} as origin, {cy} as calendar_year, sum(paid) as paid, \
                 sum(reserve_change) as reserve_change, sum(reported) as reported \
             from backtest_loss_summary where moved_on <= {asof} \
             group by 1, 2, 3, 4, 5, 6 having sum(movements) > 0) \
         select {SEGMENT_COLUMNS}, p.origin as origin, p.calendar_year as calendar_year, \
             cast(sum(p.paid) as bigint) as paid, \
             cast(sum(p.reserve_change) as bigint) as reserve_change, \
             cast(sum(p.reported) as bigint) as reported \
         from by_key p {SEGMENT_JOINS} \
         group by 1, 2, 3, 4, 5, 6, 7 order by 1, 2, 3, 4, 5, 6, 7",
        cy = d.year("moved_on"),
        asof = d.param_date(1),
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, LossCell>(&sql).bind(as_of).fetch_all(c).await?
    }))
}

/// The same cells computed from every movement (view `backtest_movement`), without the
/// summary: what [`cells`] must equal (the tests and the benchmark compare them).
pub async fn cells_from_movements(
    tx: &mut Tx,
    as_of: NaiveDate,
    basis: Basis,
) -> StoreResult<Vec<LossCell>> {
    let d = Dialect::of(tx);
    super::tune_for_aggregation(tx).await?;
    let origin = match basis {
        Basis::UnderwritingYear => d.year("p.period_start"),
        Basis::AccidentYear => d.year("m.accident_date"),
    };
    let sql = format!(
        "with by_policy as (select p.catalogue_item_id as catalogue_item_id, \
                 p.maker_id as maker_id, p.cover_basis as cover_basis, \
                 p.programme_id as programme_id, {origin} as origin, \
                 {cy} as calendar_year, sum(m.paid) as paid, \
                 sum(m.reserve_change) as reserve_change, sum(m.reported) as reported \
             from backtest_movement m join policy p on p.policy_id = m.policy_id \
             where m.moved_on <= {asof} group by 1, 2, 3, 4, 5, 6) \
         select {SEGMENT_COLUMNS}, p.origin as origin, p.calendar_year as calendar_year, \
             cast(sum(p.paid) as bigint) as paid, \
             cast(sum(p.reserve_change) as bigint) as reserve_change, \
             cast(sum(p.reported) as bigint) as reported \
         from by_policy p {SEGMENT_JOINS} \
         group by 1, 2, 3, 4, 5, 6, 7 order by 1, 2, 3, 4, 5, 6, 7",
        cy = d.year("m.moved_on"),
        asof = d.param_date(1),
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, LossCell>(&sql).bind(as_of).fetch_all(c).await?
    }))
}
