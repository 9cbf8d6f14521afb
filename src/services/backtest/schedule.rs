//! The regulator's schedule: quarterly, on day N of the month after each quarter, the
//! report for that quarter (valued at the quarter's last day) is produced, stored and
//! queued in the outbox (see `delivery`) — once. The period key (`2026Q2`) is unique in the report table,
//! so a second scheduler, a restart or a rerun never queues a period twice.

use super::{produce, store_rendered};
use crate::services::Ctx;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::backtest::{reports, Basis};
use chrono::{Datelike, NaiveDate};

/// The quarter whose report is due on `today` (the latest quarter whose report day has
/// come), as its key and valuation date; `None` when the schedule is off.
pub fn due_period(today: NaiveDate, day: u32) -> Option<(String, NaiveDate)> {
    if day == 0 {
        return None;
    }
    let day = day.min(28);
    // The quarter that ended most recently before this month began…
    let (mut year, mut quarter) = (today.year(), (today.month0() / 3) as i32);
    if quarter == 0 {
        year -= 1;
        quarter = 4;
    }
    // …is due from day N of the month after it; before that day in that very month,
    // the quarter before it is the one due.
    let first_month_after = (quarter * 3 + 1) as u32;
    let in_that_month =
        quarter < 4 && today.month() == first_month_after || quarter == 4 && today.month() == 1;
    if in_that_month && today.day() < day {
        quarter -= 1;
        if quarter == 0 {
            year -= 1;
            quarter = 4;
        }
    }
    Some((format!("{year}Q{quarter}"), quarter_end(year, quarter)?))
}

fn quarter_end(year: i32, quarter: i32) -> Option<NaiveDate> {
    let month = (quarter * 3) as u32;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    next.pred_opt()
}

/// Produce, store and queue the due report if it is not stored yet. Returns the new
/// report's id, or `None` when nothing was due.
#[tracing::instrument(skip_all)]
pub async fn run_due(ctx: &Ctx<'_>, today: NaiveDate) -> ServiceResult<Option<i64>> {
    let (db, config) = (ctx.db, ctx.config);
    let Some((period, as_of)) = due_period(today, config.backtest.quarterly_day) else {
        return Ok(None);
    };
    let mut tx = db.read().await?;
    let exists = reports::period_exists(&mut tx, &period).await?;
    tx.commit().await?;
    if exists {
        return Ok(None);
    }
    let basis = Basis::UnderwritingYear;
    let rendered = produce(ctx, as_of, basis, Some(&period)).await?;
    let actor = Actor::system();
    let mut tx = db.write().await?;
    let id = match store_rendered(&mut tx, &actor, &rendered, basis, Some(&period)).await {
        Ok(id) => id,
        // Another instance stored this period first: nothing to do.
        Err(ServiceError::Duplicate { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    super::delivery::queue(&mut tx, config, id, &rendered).await?;
    tx.commit().await?;
    Ok(Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_last_quarter_is_due_from_day_n_of_the_next_month() {
        assert_eq!(
            due_period(d("2026-07-15"), 15),
            Some(("2026Q2".into(), d("2026-06-30")))
        );
        assert_eq!(
            due_period(d("2026-07-14"), 15),
            Some(("2026Q1".into(), d("2026-03-31")))
        );
        assert_eq!(
            due_period(d("2026-09-30"), 15),
            Some(("2026Q2".into(), d("2026-06-30")))
        );
        assert_eq!(
            due_period(d("2027-01-20"), 15),
            Some(("2026Q4".into(), d("2026-12-31")))
        );
        assert_eq!(
            due_period(d("2027-01-02"), 15),
            Some(("2026Q3".into(), d("2026-09-30")))
        );
        assert_eq!(due_period(d("2027-01-02"), 0), None);
    }
}
