//! Reading one cell of a bank statement: the value date in the forms Chinese banks
//! print, and an amount with separators.

use crate::domain::money::Money;
use chrono::NaiveDate;

/// `YYYY-MM-DD`, `YYYY/MM/DD` (month and day may have one digit) or `YYYYMMDD`; a time
/// after the date (`2026-01-05 10:23:45`, `20260105102345` is not accepted) is ignored.
pub fn date(text: &str) -> Option<NaiveDate> {
    let day = text.split_whitespace().next()?;
    if day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(day, "%Y%m%d").ok();
    }
    let sep = if day.contains('-') { '-' } else { '/' };
    let mut parts = day.split(sep);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
    {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// An amount such as `4,200.00`, `￥1,234.5`, `1 234.56` or `-500`; `None` when it is not
/// a number with at most two decimals (rounding a bank figure would hide an error).
pub fn amount(text: &str) -> Option<Money> {
    parse_amount(text).ok()
}

/// The amount, or why not: a number too large for any line is told apart from text that
/// is not a number at all.
pub fn parse_amount(text: &str) -> Result<Money, crate::domain::money::AmountError> {
    Money::parse(text.trim().trim_end_matches('元'))
}

/// `0`, `0.00`, `-`: banks print these in the empty side of a debit/credit pair.
pub fn is_zero(text: &str) -> bool {
    let t = text.trim();
    t == "-" || t == "--" || amount(t).is_some_and(Money::is_zero)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_date_forms_and_a_time_suffix() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert_eq!(date("2026-11-30"), d);
        assert_eq!(date("2026/11/30"), d);
        assert_eq!(date("20261130"), d);
        assert_eq!(date("2026-11-30 09:15:00"), d);
        assert_eq!(date("2026/1/5"), NaiveDate::from_ymd_opt(2026, 1, 5));
        for bad in [
            "2026-02-30",
            "30/11/2026",
            "2026.11.30",
            "261130",
            "",
            "2026-11-30-1",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn amounts_with_separators_signs_and_units() {
        assert_eq!(amount("1,234.56"), Some(Money::from_fen(123_456)));
        assert_eq!(amount("￥1,234.5元"), Some(Money::from_fen(123_450)));
        assert_eq!(amount("-500"), Some(Money::from_fen(-50_000)));
        assert_eq!(amount("1.001"), None);
        assert_eq!(amount("abc"), None);
        assert!(is_zero("0.00") && is_zero("-") && !is_zero("0.01"));
    }
}
