//! Pro-rata premium (按日比例): earned premium as of a date, return premium on
//! cancellation, additional / return premium on endorsements.
//!
//! Day count: a period runs from `start` to `end` **both inclusive** (保险期间自起保日
//! 零时起至终保日二十四时止), so 2025-01-01..2025-12-31 is 365 days and the whole
//! premium is earned at the end of 2025-12-31. A date `d` inside the period has earned
//! the days `start..=d`. Earned premium is rounded to the fen half away from zero
//! (四舍五入) on the cumulative figure, so earned amounts of consecutive sub-periods
//! (differences of cumulative figures) always add up to the premium exactly, and
//! return + earned = premium.

use super::money::{AmountError, Money};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A policy period (保险期间), both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Why a pro-rata figure cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProRataError {
    #[error(
        "保险期间终止日 {end} 早于起始日 {start} / the period ends {end} before it starts {start}"
    )]
    EndsBeforeStart { start: NaiveDate, end: NaiveDate },
    #[error("批改生效日 {0} 不在保险期间内 / the endorsement date {0} is outside the period")]
    OutsidePeriod(NaiveDate),
    #[error(transparent)]
    Amount(#[from] AmountError),
}

impl Period {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Period, ProRataError> {
        if end < start {
            return Err(ProRataError::EndsBeforeStart { start, end });
        }
        Ok(Period { start, end })
    }

    /// Days in the period, both ends counted.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// Days of cover up to and including `as_of` (0 before the start, all after the end).
    pub fn days_elapsed(&self, as_of: NaiveDate) -> i64 {
        ((as_of - self.start).num_days() + 1).clamp(0, self.days())
    }
}

/// `premium × days / total`, rounded to the fen.
fn share_of(premium: Money, days: i64, total: i64) -> Result<Money, AmountError> {
    if days >= total {
        return Ok(premium);
    }
    let exact = premium.to_decimal() * Decimal::from(days) / Decimal::from(total);
    Money::round_from(exact)
}

/// Earned premium (已赚保费) as of the end of `as_of`.
pub fn earned_premium(
    premium: Money,
    period: &Period,
    as_of: NaiveDate,
) -> Result<Money, AmountError> {
    share_of(premium, period.days_elapsed(as_of), period.days())
}

/// Return premium (退保保费) when cover ends at the end of `last_day_covered`.
pub fn return_premium_on_cancellation(
    premium: Money,
    period: &Period,
    last_day_covered: NaiveDate,
) -> Result<Money, AmountError> {
    Ok(premium.try_sub(earned_premium(premium, period, last_day_covered)?)?)
}

/// Additional (+) or return (−) premium (批改加/退费) when a change of insured value,
/// units or limit moves the full-term premium from `old_premium` to `new_premium`
/// from `effective` (the first day on new terms) to the end of the period.
pub fn endorsement_adjustment(
    old_premium: Money,
    new_premium: Money,
    period: &Period,
    effective: NaiveDate,
) -> Result<Money, ProRataError> {
    if !period.contains(effective) {
        return Err(ProRataError::OutsidePeriod(effective));
    }
    let remaining = period.days() - period.days_elapsed(effective) + 1;
    let old_unearned = old_premium
        .try_sub(share_of(
            old_premium,
            period.days() - remaining,
            period.days(),
        )?)
        .map_err(AmountError::from)?;
    let new_unearned = new_premium
        .try_sub(share_of(
            new_premium,
            period.days() - remaining,
            period.days(),
        )?)
        .map_err(AmountError::from)?;
    Ok(new_unearned
        .try_sub(old_unearned)
        .map_err(AmountError::from)?)
}

/// Additional (+) or return (−) premium when the period's end moves to `new_end`,
/// at the daily rate of the original period.
pub fn period_change_adjustment(
    premium: Money,
    period: &Period,
    new_end: NaiveDate,
) -> Result<Money, ProRataError> {
    let new_period = Period::new(period.start, new_end)?;
    let exact =
        premium.to_decimal() * Decimal::from(new_period.days()) / Decimal::from(period.days());
    Ok(Money::round_from(exact)?
        .try_sub(premium)
        .map_err(AmountError::from)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn year_2025() -> Period {
        Period::new(d(2025, 1, 1), d(2025, 12, 31)).unwrap()
    }

    #[test]
    fn a_calendar_year_earns_exactly_the_premium_at_its_end() {
        let p = Money::from_fen(1_234_567);
        assert_eq!(year_2025().days(), 365);
        assert_eq!(earned_premium(p, &year_2025(), d(2025, 12, 31)).unwrap(), p);
        assert_eq!(
            earned_premium(p, &year_2025(), d(2024, 12, 31)).unwrap(),
            Money::ZERO
        );
        assert_eq!(earned_premium(p, &year_2025(), d(2026, 6, 1)).unwrap(), p);
    }

    #[test]
    fn the_first_day_is_earned_on_the_first_day() {
        let p = Money::from_yuan(36_500);
        assert_eq!(
            earned_premium(p, &year_2025(), d(2025, 1, 1)).unwrap(),
            Money::from_yuan(100)
        );
    }

    #[test]
    fn cancellation_returns_the_unearned_days() {
        let p = Money::from_yuan(36_500);
        let r = return_premium_on_cancellation(p, &year_2025(), d(2025, 6, 30)).unwrap();
        assert_eq!(r, Money::from_yuan(18_400));
    }

    #[test]
    fn an_endorsement_charges_the_difference_for_the_remaining_days() {
        let old = Money::from_yuan(36_500);
        let new = Money::from_yuan(73_000);
        let extra = endorsement_adjustment(old, new, &year_2025(), d(2025, 7, 1)).unwrap();
        assert_eq!(extra, Money::from_yuan(18_400));
        let back = endorsement_adjustment(new, old, &year_2025(), d(2025, 7, 1)).unwrap();
        assert_eq!(back, extra.try_neg().unwrap());
        assert!(endorsement_adjustment(old, new, &year_2025(), d(2026, 1, 1)).is_err());
    }

    #[test]
    fn extending_the_period_charges_the_extra_days() {
        let p = Money::from_yuan(36_500);
        let extra = period_change_adjustment(p, &year_2025(), d(2026, 1, 31)).unwrap();
        assert_eq!(extra, Money::from_yuan(3_100));
        assert!(Period::new(d(2025, 2, 1), d(2025, 1, 31)).is_err());
    }

    fn arb_period() -> impl Strategy<Value = (Period, Vec<i64>)> {
        (
            0i64..3000,
            1i64..800,
            proptest::collection::vec(0i64..800, 0..8),
        )
            .prop_map(|(offset, len, cuts)| {
                let start = d(2020, 1, 1) + chrono::Duration::days(offset);
                let period = Period::new(start, start + chrono::Duration::days(len - 1)).unwrap();
                (period, cuts)
            })
    }

    proptest! {
        #[test]
        fn consecutive_sub_periods_earn_the_whole_premium((period, mut cuts) in arb_period(), fen in 0i64..10_000_000_000) {
            let premium = Money::from_fen(fen);
            cuts.retain(|c| *c < period.days());
            cuts.sort_unstable();
            cuts.dedup();
            let mut previous = Money::ZERO;
            let mut total = Money::ZERO;
            for c in cuts.iter().chain(std::iter::once(&(period.days() - 1))) {
                let cumulative = earned_premium(premium, &period, period.start + chrono::Duration::days(*c)).unwrap();
                prop_assert!(cumulative >= previous);
                total = total.try_add(cumulative.try_sub(previous).unwrap()).unwrap();
                previous = cumulative;
            }
            prop_assert_eq!(total, premium);
        }

        #[test]
        fn returned_plus_earned_is_the_premium((period, cuts) in arb_period(), fen in 0i64..10_000_000_000) {
            let premium = Money::from_fen(fen);
            let day = period.start + chrono::Duration::days(cuts.first().copied().unwrap_or(0));
            let earned = earned_premium(premium, &period, day).unwrap();
            let returned = return_premium_on_cancellation(premium, &period, day).unwrap();
            prop_assert_eq!(earned.try_add(returned).unwrap(), premium);
            prop_assert!(!returned.is_negative());
        }

        #[test]
        fn an_unchanged_premium_needs_no_adjustment((period, cuts) in arb_period(), fen in 0i64..10_000_000_000) {
            let premium = Money::from_fen(fen);
            let day = period.start + chrono::Duration::days(cuts.first().copied().unwrap_or(0) % period.days());
            prop_assert_eq!(endorsement_adjustment(premium, premium, &period, day).unwrap(), Money::ZERO);
        }
    }
}
