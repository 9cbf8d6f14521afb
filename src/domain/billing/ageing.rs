//! Receivables ageing (应收保费账龄): what is unpaid on an installment falls in a bucket
//! by how many days past its due date it is on the reporting day — not yet due, 1–30,
//! 31–90 or over 90 days overdue — and buckets add up per policy, maker and in total.

use crate::domain::money::{Money, Overflow};
use chrono::NaiveDate;
use serde::Serialize;

/// An ageing bucket (账龄段).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// 未到期: due on or after the reporting day.
    NotDue,
    /// 逾期 1–30 天
    Days1To30,
    /// 逾期 31–90 天
    Days31To90,
    /// 逾期 90 天以上
    Over90,
}

/// The bucket of an amount due on `due_on`, seen on `as_of`. Due today is not overdue.
pub fn bucket(due_on: NaiveDate, as_of: NaiveDate) -> Bucket {
    match (as_of - due_on).num_days() {
        d if d <= 0 => Bucket::NotDue,
        1..=30 => Bucket::Days1To30,
        31..=90 => Bucket::Days31To90,
        _ => Bucket::Over90,
    }
}

/// Amounts per bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Buckets {
    #[schema(value_type = String)]
    pub not_due: Money,
    #[schema(value_type = String)]
    pub days_1_30: Money,
    #[schema(value_type = String)]
    pub days_31_90: Money,
    #[schema(value_type = String)]
    pub over_90: Money,
}

impl Buckets {
    pub fn add(&mut self, b: Bucket, amount: Money) -> Result<(), Overflow> {
        let slot = match b {
            Bucket::NotDue => &mut self.not_due,
            Bucket::Days1To30 => &mut self.days_1_30,
            Bucket::Days31To90 => &mut self.days_31_90,
            Bucket::Over90 => &mut self.over_90,
        };
        *slot = slot.try_add(amount)?;
        Ok(())
    }

    pub fn merge(&mut self, o: &Buckets) -> Result<(), Overflow> {
        self.not_due = self.not_due.try_add(o.not_due)?;
        self.days_1_30 = self.days_1_30.try_add(o.days_1_30)?;
        self.days_31_90 = self.days_31_90.try_add(o.days_31_90)?;
        self.over_90 = self.over_90.try_add(o.over_90)?;
        Ok(())
    }

    pub fn total(&self) -> Result<Money, Overflow> {
        self.not_due.try_add(self.overdue()?)
    }

    pub fn overdue(&self) -> Result<Money, Overflow> {
        Money::try_sum([self.days_1_30, self.days_31_90, self.over_90])
    }
}

/// Age unpaid installments `(due_on, outstanding)` on `as_of`.
pub fn age(open: &[(NaiveDate, Money)], as_of: NaiveDate) -> Result<Buckets, Overflow> {
    let mut b = Buckets::default();
    for (due, amount) in open {
        b.add(bucket(*due, as_of), *amount)?;
    }
    Ok(b)
}

/// Which reminder (催缴提醒) an unpaid installment is due for on `as_of`: `before_due`
/// from `days_before` days ahead until the due day, `overdue` from `days_after` days
/// past it. `None` in between and when a setting is 0 (off).
pub fn reminder_stage(
    due_on: NaiveDate,
    as_of: NaiveDate,
    days_before: u32,
    days_after: u32,
) -> Option<&'static str> {
    let days = (due_on - as_of).num_days();
    if days_before > 0 && (0..=i64::from(days_before)).contains(&days) {
        Some("before_due")
    } else if days_after > 0 && -days >= i64::from(days_after) {
        Some("overdue")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn bucket_edges_on_a_fixed_day() {
        let as_of = d("2026-06-30");
        assert_eq!(bucket(d("2026-06-30"), as_of), Bucket::NotDue);
        assert_eq!(bucket(d("2026-07-01"), as_of), Bucket::NotDue);
        assert_eq!(bucket(d("2026-06-29"), as_of), Bucket::Days1To30);
        assert_eq!(bucket(d("2026-05-31"), as_of), Bucket::Days1To30);
        assert_eq!(bucket(d("2026-05-30"), as_of), Bucket::Days31To90);
        assert_eq!(bucket(d("2026-04-01"), as_of), Bucket::Days31To90);
        assert_eq!(bucket(d("2026-03-31"), as_of), Bucket::Over90);
    }

    #[test]
    fn buckets_that_would_wrap_are_an_error_not_a_small_number() {
        let huge = Money::from_fen(i64::MAX);
        let open = [
            (d("2026-01-01"), huge),
            (d("2026-01-02"), Money::from_fen(1)),
        ];
        assert_eq!(age(&open, d("2026-06-30")), Err(Overflow));
        let mut b = Buckets::default();
        b.add(Bucket::NotDue, huge).expect("fits");
        b.add(Bucket::Over90, huge).expect("fits");
        assert_eq!(b.total(), Err(Overflow));
    }

    #[test]
    fn installments_add_up_per_bucket() {
        let y = Money::from_yuan;
        let b = age(
            &[
                (d("2026-07-15"), y(100)),
                (d("2026-06-10"), y(200)),
                (d("2026-05-01"), y(300)),
                (d("2025-12-31"), y(400)),
                (d("2025-11-30"), y(50)),
            ],
            d("2026-06-30"),
        )
        .expect("small amounts");
        assert_eq!(
            (b.not_due, b.days_1_30, b.days_31_90, b.over_90),
            (y(100), y(200), y(300), y(450))
        );
        assert_eq!((b.total(), b.overdue()), (Ok(y(1050)), Ok(y(950))));
    }

    #[test]
    fn reminder_stages_follow_the_settings() {
        let due = d("2026-07-10");
        assert_eq!(reminder_stage(due, d("2026-07-02"), 7, 1), None);
        assert_eq!(
            reminder_stage(due, d("2026-07-03"), 7, 1),
            Some("before_due")
        );
        assert_eq!(
            reminder_stage(due, d("2026-07-10"), 7, 1),
            Some("before_due")
        );
        assert_eq!(reminder_stage(due, d("2026-07-11"), 7, 1), Some("overdue"));
        assert_eq!(reminder_stage(due, d("2026-07-11"), 7, 3), None);
        assert_eq!(
            reminder_stage(due, d("2026-07-05"), 0, 1),
            None,
            "0 turns a stage off"
        );
    }
}
