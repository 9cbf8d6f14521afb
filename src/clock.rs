//! The one clock (时钟): the current instant in UTC and the business date in Beijing.
//!
//! Every "today" in the product — policy transitions, claim clocks, due installments,
//! certificate years, the backtest schedule — is the Beijing date of one `Clock`, never
//! the UTC date (from 16:00 UTC the UTC date is a day behind; the bug fixed in 9b235c1).
//! The clock is a value handed to the use cases (`Ctx::clock`, `AppState::clock`, the
//! background jobs), so a test or a demo can run the whole service at a fixed instant.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Beijing time, UTC+8 all year (China has no daylight saving).
pub const BEIJING_OFFSET_SECS: i32 = 8 * 3600;

/// Where "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// Always this instant (tests, demos, replaying a day).
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The current instant, UTC.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at,
        }
    }

    /// Today's business date in Beijing (营业日).
    pub fn today(&self) -> NaiveDate {
        business_date(self.now())
    }

    /// A clock fixed at noon Beijing time on `day` (so `today()` is `day`).
    pub fn fixed_on(day: NaiveDate) -> Clock {
        let noon_utc = day.and_hms_opt(4, 0, 0).unwrap_or_default().and_utc();
        Clock::Fixed(noon_utc)
    }
}

/// The Beijing calendar date of an instant.
pub fn business_date(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::seconds(i64::from(BEIJING_OFFSET_SECS))).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn from_sixteen_hundred_utc_beijing_is_already_the_next_day() {
        assert_eq!(
            business_date(at("2026-03-31T15:59:59Z")),
            "2026-03-31".parse::<NaiveDate>().unwrap()
        );
        assert_eq!(
            business_date(at("2026-03-31T16:00:00Z")),
            "2026-04-01".parse::<NaiveDate>().unwrap()
        );
    }

    #[test]
    fn a_fixed_clock_always_answers_the_same_instant_and_day() {
        let c = Clock::Fixed(at("2026-12-31T20:00:00Z"));
        assert_eq!(c.now(), at("2026-12-31T20:00:00Z"));
        assert_eq!(c.today(), "2027-01-01".parse::<NaiveDate>().unwrap());
        let day: NaiveDate = "2026-05-01".parse().unwrap();
        assert_eq!(Clock::fixed_on(day).today(), day);
    }

    #[test]
    fn the_system_clock_is_within_a_day_of_utc() {
        let utc = Utc::now().date_naive();
        let bj = Clock::System.today();
        assert!(bj == utc || bj == utc.succ_opt().unwrap());
    }
}
