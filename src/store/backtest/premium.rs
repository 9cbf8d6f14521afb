//! Premium cells: written and earned premium per segment and origin year, as of a date.
//!
//! Every `policy_version` row carries the premium it adds or returns in `adjustment`
//! (the whole premium on issue, the pro-rata difference on an endorsement, minus the
//! return premium on a cancellation); each is a *piece* of premium earned evenly by day:
//! - issue: over the policy period;
//! - endorsement: from its effective date to the end of the period (the adjustment is
//!   the difference of the unearned parts from that day, `prorata::endorsement_adjustment`);
//! - cancellation: the return premium "un-earns" from the day after the last day covered,
//!   so once past the cancellation the policy has earned exactly what it kept.
//!
//! A piece is written on its effective date. Earned premium is rounded to the fen half
//! away from zero on each piece's cumulative figure, as `prorata::earned_premium` does.
//! Known simplification: a period extension by endorsement earns all pieces to the new
//! end date (the issue premium is then spread over the longer period).

use super::{Basis, Dialect, SegmentKey, SEGMENT_COLUMNS, SEGMENT_JOINS};
use crate::dispatch;
use crate::store::{StoreResult, Tx};
use chrono::{Datelike, NaiveDate};

/// Premium of one segment and origin year, exact in fen.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PremiumCell {
    #[sqlx(flatten)]
    pub key: SegmentKey,
    pub origin: i32,
    /// 签单保费: pieces effective on or before the date (per calendar year on the accident
    /// year basis).
    pub written: i64,
    /// 已赚保费.
    pub earned: i64,
    /// Policies issued in the cell.
    pub policies: i64,
}

/// Pieces of premium: the policy's segment keys, origin (underwriting year), amount,
/// written date, and the days over which it is earned.
fn pieces(d: Dialect) -> String {
    format!(
        "select p.catalogue_item_id as catalogue_item_id, p.maker_id as maker_id, \
         p.cover_basis as cover_basis, p.programme_id as programme_id, {uy} as origin, \
         v.kind as kind, v.adjustment as amount, v.effective_on as booked, \
         case when v.kind = 'cancellation' then {next} else v.effective_on end as s, \
         p.period_end as e \
         from policy_version v join policy p on p.policy_id = v.policy_id \
         where v.effective_on <= {asof}",
        uy = d.year("p.period_start"),
        next = d.next_day("v.effective_on"),
        asof = d.param_date(1),
    )
}

/// Earned part of a piece as of the end of day `x` (an SQL date expression).
fn earned(d: Dialect, x: &str) -> String {
    let total = format!("({} + 1)", d.days("e", "s"));
    let elapsed = format!("({} + 1)", d.days(x, "s"));
    format!(
        "(case when {x} < s then 0 when {x} >= e then amount \
         else (case when amount < 0 then -1 else 1 end) \
         * ((2 * abs(amount) * {elapsed} + {total}) / (2 * {total})) end)"
    )
}

/// Name the per-policy-key sums `by_key` by segment and add them up.
const BY_SEGMENT: &str = "select line, field, cover_basis, programme, region, origin, \
    cast(sum(written) as bigint) as written, cast(sum(earned) as bigint) as earned, \
    cast(sum(policies) as bigint) as policies from (select {SEGMENT_COLUMNS}, p.origin as origin, \
    p.written as written, p.earned as earned, p.policies as policies from by_key p {SEGMENT_JOINS}) s \
    group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6";

/// Underwriting year from the summary (migration 0010): every summary row whose pieces
/// are, on `$1`, either not booked yet, not earning yet, or fully earned — exact as
/// sums — plus, one by one, the pieces still earning on `$1` (each rounded on its own),
/// which are found through the policies' end dates.
fn underwriting_year_by_key(d: Dialect) -> String {
    let asof = d.param_date(1);
    format!(
        "by_key as (select catalogue_item_id, maker_id, cover_basis, programme_id, origin, \
         sum(written) as written, sum(earned) as earned, sum(policies) as policies \
         from (select catalogue_item_id, maker_id, cover_basis, programme_id, origin, \
               amount as written, case when {asof} < starts then 0 else amount end as earned, \
               policies, pieces from backtest_premium_summary \
               where booked <= {asof} and ({asof} < starts or {asof} >= ends) \
               union all \
               select catalogue_item_id, maker_id, cover_basis, programme_id, origin, \
               amount, {earned}, case when kind = 'issue' then 1 else 0 end, 1 \
               from ({pieces} and p.period_end > {asof}) earning where s <= {asof} and {asof} < e) u \
         group by 1, 2, 3, 4, 5 having sum(pieces) > 0)",
        pieces = pieces(d),
        earned = earned(d, &asof),
    )
}

/// Written and earned premium per segment and origin year as of `as_of`.
///
/// Pieces are summed on the policy's integer keys first (item, maker, cover basis,
/// programme, year) and named by segment after, which keeps the big aggregation narrow.
/// On the underwriting-year basis the sums come from the summary; on the accident-year
/// basis most pieces straddle a year end (and are rounded there on their own), so they
/// are cut from the pieces themselves.
pub async fn cells(tx: &mut Tx, as_of: NaiveDate, basis: Basis) -> StoreResult<Vec<PremiumCell>> {
    let d = Dialect::of(tx);
    let by_segment = BY_SEGMENT
        .replace("{SEGMENT_COLUMNS}", SEGMENT_COLUMNS)
        .replace("{SEGMENT_JOINS}", SEGMENT_JOINS);
    let sql = match basis {
        Basis::UnderwritingYear => {
            format!("with {} {by_segment}", underwriting_year_by_key(d))
        }
        Basis::AccidentYear => {
            super::tune_for_aggregation(tx).await?;
            let Some(first) = first_year(tx, d, as_of).await? else {
                return Ok(Vec::new());
            };
            let years: Vec<String> = (first..=as_of.year())
                .map(|y| {
                    let end = NaiveDate::from_ymd_opt(y, 12, 31)
                        .unwrap_or(as_of)
                        .min(as_of);
                    let before = NaiveDate::from_ymd_opt(y - 1, 12, 31).unwrap_or(as_of);
                    format!("({y}, {}, {})", d.date(end), d.date(before))
                })
                .collect();
            format!(
                "with yr(y, hi, lo) as (values {years}), piece as ({pieces}), \
                 by_key as (select catalogue_item_id, maker_id, cover_basis, programme_id, \
                 y as origin, sum(case when {booked} = y then amount else 0 end) as written, \
                 sum({hi} - {lo}) as earned, \
                 sum(case when kind = 'issue' and {booked} = y then 1 else 0 end) as policies \
                 from piece join yr on (s <= hi and e > lo) or {booked} = y \
                 group by 1, 2, 3, 4, 5) {by_segment}",
                years = years.join(", "),
                pieces = pieces(d),
                booked = d.year("booked"),
                hi = earned(d, "hi"),
                lo = earned(d, "lo"),
            )
        }
    };
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PremiumCell>(&sql).bind(as_of).fetch_all(c).await?
    }))
}

/// The underwriting-year cells computed from every piece, without the summary: what
/// [`cells`] must equal (the tests and the benchmark compare them).
pub async fn cells_from_pieces(tx: &mut Tx, as_of: NaiveDate) -> StoreResult<Vec<PremiumCell>> {
    let d = Dialect::of(tx);
    super::tune_for_aggregation(tx).await?;
    let by_segment = BY_SEGMENT
        .replace("{SEGMENT_COLUMNS}", SEGMENT_COLUMNS)
        .replace("{SEGMENT_JOINS}", SEGMENT_JOINS);
    let sql = format!(
        "with piece as ({pieces}), \
         by_key as (select catalogue_item_id, maker_id, cover_basis, programme_id, origin, \
         sum(amount) as written, sum({earned}) as earned, \
         sum(case when kind = 'issue' then 1 else 0 end) as policies \
         from piece group by 1, 2, 3, 4, 5) {by_segment}",
        pieces = pieces(d),
        earned = earned(d, &d.param_date(1)),
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PremiumCell>(&sql).bind(as_of).fetch_all(c).await?
    }))
}

/// The year of the first issued policy period, if any policy was effective by `as_of`.
async fn first_year(tx: &mut Tx, d: Dialect, as_of: NaiveDate) -> StoreResult<Option<i32>> {
    let sql = format!(
        "select {} from policy_version v join policy p on p.policy_id = v.policy_id \
         where v.kind = 'issue' and v.effective_on <= {} order by p.period_start limit 1",
        d.year("p.period_start"),
        d.param_date(1)
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i32>(&sql).bind(as_of).fetch_optional(c).await?
    }))
}
