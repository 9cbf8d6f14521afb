//! Money (金额) and rates (费率) as exact values.
//!
//! `Money` is an amount of CNY held as integer fen (分), so sums never drift and the
//! database stores a plain BIGINT. Arithmetic with a `Rate` goes through `rust_decimal`
//! and is rounded back to the fen by one documented rule: half away from zero
//! (四舍五入), the rule Chinese invoices and premium notices use.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};

/// Why a text could not be read as an amount or a rate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("'{0}' is not a decimal number")]
    NotANumber(String),
    #[error("'{0}' has more than two decimal places (amounts are kept to the fen)")]
    TooPrecise(String),
    #[error("'{0}' is too large")]
    TooLarge(String),
    #[error("'{0}' must not be negative")]
    Negative(String),
    #[error("'{0}' is not a rate between 0 and 1 (write 1.85% as 0.0185 or '1.85%')")]
    RateOutOfRange(String),
    #[error("'{0}' is above the largest amount accepted, {1} CNY (金额超过允许的上限 {1} 元)")]
    AboveBound(String, String),
}

impl AmountError {
    /// The same reason in Chinese, for form field errors (the English is `Display`).
    pub fn zh(&self) -> String {
        match self {
            AmountError::NotANumber(t) => format!("“{t}”不是金额数字（如 12345.67）"),
            AmountError::TooPrecise(t) => format!("“{t}”超过两位小数（金额精确到分）"),
            AmountError::TooLarge(t) => format!("“{t}”过大"),
            AmountError::Negative(t) => format!("“{t}”不能为负数"),
            AmountError::RateOutOfRange(t) => {
                format!("“{t}”不是0至1之间的费率（1.85% 写作 0.0185 或 1.85%）")
            }
            AmountError::AboveBound(t, b) => format!("“{t}”金额超过允许的上限 {b} 元"),
        }
    }
}

/// A sum or difference of amounts left the range a `Money` can hold (金额超出可计算范围).
/// Every amount that enters is bounded (`entry_bound`), so on real data this cannot happen;
/// when it does the operation is refused, never wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the amount is out of range (金额超出可计算范围)")]
pub struct Overflow;

impl From<Overflow> for AmountError {
    fn from(_: Overflow) -> Self {
        AmountError::TooLarge("the result".into())
    }
}

/// Default bound on any amount that enters: 10^12 CNY = 10^14 fen (一万亿元), far above
/// any real policy, far below i64::MAX (≈ 9.22 × 10^18 fen): about 92,000 amounts at the
/// bound still sum inside an i64, so per-policy SQL sums (payments, reserves, claims) and
/// the book-wide backtest sums cannot overflow a BIGINT on real books.
pub const DEFAULT_ENTRY_BOUND_FEN: i64 = 100_000_000_000_000;

static ENTRY_BOUND_FEN: AtomicI64 = AtomicI64::new(DEFAULT_ENTRY_BOUND_FEN);

/// Set the bound on amounts that enter (configuration `[security] max_amount`); called once
/// at start-up. The bound is process-wide because amounts are also read by serde, which
/// has no context to carry it.
pub fn set_entry_bound(bound: Money) {
    let fen = bound.0.clamp(1, DEFAULT_ENTRY_BOUND_FEN * 1000);
    ENTRY_BOUND_FEN.store(fen, Ordering::Relaxed);
}

/// The largest absolute amount accepted from outside (API, forms, files, the bank).
pub fn entry_bound() -> Money {
    Money(ENTRY_BOUND_FEN.load(Ordering::Relaxed))
}

/// An amount of CNY, exact to the fen (分).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    /// Whole yuan (元), for constants such as the 5,000,000 CNY yearly cap.
    pub const fn from_yuan(yuan: i64) -> Money {
        Money(yuan * 100)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Round a decimal amount to the fen, half away from zero (四舍五入).
    pub fn round_from(d: Decimal) -> Result<Money, AmountError> {
        let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        // Checked: a 28-digit input times 100 leaves `Decimal`'s range (it would panic).
        let fen = r
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|f| f.to_i64())
            .ok_or_else(|| AmountError::TooLarge(d.to_string()))?;
        Ok(Money(fen))
    }

    /// An exact decimal amount; more than two places is an error, not a rounding.
    pub fn from_decimal_exact(d: Decimal) -> Result<Money, AmountError> {
        if d.normalize().scale() > 2 {
            return Err(AmountError::TooPrecise(d.to_string()));
        }
        Money::round_from(d)
    }

    /// Parse user input such as `123456.78`, `1,234.5` or `¥100`.
    pub fn parse(text: &str) -> Result<Money, AmountError> {
        let cleaned: String = text
            .trim()
            .trim_start_matches(['¥', '￥'])
            .chars()
            .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
            .collect();
        let d = Decimal::from_str(&cleaned).map_err(|_| AmountError::NotANumber(text.into()))?;
        let m = Money::from_decimal_exact(d).map_err(|e| match e {
            AmountError::TooPrecise(_) => AmountError::TooPrecise(text.into()),
            AmountError::TooLarge(_) => {
                AmountError::AboveBound(text.into(), entry_bound().grouped())
            }
            other => other,
        })?;
        if m.0.unsigned_abs() > entry_bound().0.unsigned_abs() {
            return Err(AmountError::AboveBound(
                text.into(),
                entry_bound().grouped(),
            ));
        }
        Ok(m)
    }

    /// Parse and insist the amount is zero or more.
    pub fn parse_non_negative(text: &str) -> Result<Money, AmountError> {
        let m = Money::parse(text)?;
        if m.is_negative() {
            return Err(AmountError::Negative(text.into()));
        }
        Ok(m)
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `|self|`, saturating at `i64::MAX` fen for the one value (`i64::MIN`) that has no
    /// absolute value; such a value never enters (bounded input) and never results (checked
    /// arithmetic).
    pub fn abs(self) -> Money {
        Money(self.0.saturating_abs())
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// `self + other`, or `Overflow` (there is no `+` on `Money`: it could wrap).
    pub fn try_add(self, other: Money) -> Result<Money, Overflow> {
        self.checked_add(other).ok_or(Overflow)
    }

    /// `self - other`, or `Overflow`.
    pub fn try_sub(self, other: Money) -> Result<Money, Overflow> {
        self.checked_sub(other).ok_or(Overflow)
    }

    /// `-self`, or `Overflow` (only `i64::MIN` fen has no negation).
    pub fn try_neg(self) -> Result<Money, Overflow> {
        self.0.checked_neg().map(Money).ok_or(Overflow)
    }

    /// What is left of `self` (a limit) after `used`, never below zero (剩余限额). Exact
    /// whenever the result fits; a result above `i64::MAX` fen (only reachable with figures
    /// far outside the entry bound) stays at the top instead of wrapping round.
    pub fn remaining(self, used: Money) -> Money {
        let wide = i128::from(self.0) - i128::from(used.0);
        Money(i64::try_from(wide.max(0)).unwrap_or(i64::MAX))
    }

    /// `self × n` (e.g. a unit value times a quantity), or `Overflow`.
    pub fn try_times(self, n: i64) -> Result<Money, Overflow> {
        self.0.checked_mul(n).map(Money).ok_or(Overflow)
    }

    /// The exact sum, or `Overflow` as soon as a partial sum leaves the range.
    pub fn try_sum<I: IntoIterator<Item = Money>>(amounts: I) -> Result<Money, Overflow> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |acc, m| acc.try_add(m))
    }

    /// `self × factor`, rounded to the fen (四舍五入).
    pub fn mul_decimal(self, factor: Decimal) -> Result<Money, AmountError> {
        let product = self
            .to_decimal()
            .checked_mul(factor)
            .ok_or_else(|| AmountError::TooLarge(self.to_string()))?;
        Money::round_from(product)
    }

    /// Premium for this insured value at `rate`: value × rate, rounded to the fen.
    pub fn at_rate(self, rate: Rate) -> Result<Money, AmountError> {
        self.mul_decimal(rate.as_fraction())
    }

    pub fn min(self, other: Money) -> Money {
        Money(self.0.min(other.0))
    }

    pub fn max(self, other: Money) -> Money {
        Money(self.0.max(other.0))
    }

    /// In units of 10,000 CNY (万元), exact, for tables such as Zhejiang annex 3.
    pub fn in_wan(self) -> Decimal {
        Decimal::new(self.0, 6)
    }

    /// `1,234,567.89` — for pages and documents.
    pub fn grouped(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let yuan = (abs / 100).to_string();
        let mut out = String::with_capacity(yuan.len() + yuan.len() / 3 + 4);
        for (i, ch) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(ch);
        }
        format!("{sign}{out}.{:02}", abs % 100)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Money {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

/// Amounts travel in JSON as strings (`"123456.78"`) so no client parses them as floats.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Money::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A premium rate (费率) as an exact fraction: 1.85 % is `0.0185`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(Decimal);

impl Rate {
    pub const ZERO: Rate = Rate(Decimal::ZERO);

    /// A fraction in [0, 1].
    pub fn from_fraction(d: Decimal) -> Result<Rate, AmountError> {
        if d < Decimal::ZERO || d > Decimal::ONE {
            return Err(AmountError::RateOutOfRange(d.to_string()));
        }
        Ok(Rate(d.normalize()))
    }

    /// `2` means 2 %.
    pub fn from_percent(p: Decimal) -> Result<Rate, AmountError> {
        Rate::from_fraction(p / Decimal::ONE_HUNDRED)
    }

    /// Parse `0.0185`, or `1.85%` / `1.85 %`.
    pub fn parse(text: &str) -> Result<Rate, AmountError> {
        let t = text.trim();
        let (num, percent) = match t.strip_suffix(['%', '％']) {
            Some(n) => (n.trim(), true),
            None => (t, false),
        };
        let d = Decimal::from_str(num).map_err(|_| AmountError::NotANumber(text.into()))?;
        let r = if percent {
            Rate::from_percent(d)
        } else {
            Rate::from_fraction(d)
        };
        r.map_err(|_| AmountError::RateOutOfRange(text.into()))
    }

    pub fn as_fraction(self) -> Decimal {
        self.0
    }

    pub fn as_percent(self) -> Decimal {
        (self.0 * Decimal::ONE_HUNDRED).normalize()
    }

    pub fn min(self, other: Rate) -> Rate {
        Rate(self.0.min(other.0))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl FromStr for Rate {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rate::parse(s)
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Rate::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn parses_and_prints_to_the_fen() {
        assert_eq!(Money::parse("1,234.5").unwrap(), Money::from_fen(123450));
        assert_eq!(Money::parse("¥100").unwrap().to_string(), "100.00");
        assert_eq!(Money::from_fen(-5).to_string(), "-0.05");
        assert_eq!(Money::from_fen(123456789).grouped(), "1,234,567.89");
    }

    #[test]
    fn rejects_sub_fen_input_instead_of_rounding_it() {
        assert!(matches!(
            Money::parse("1.005"),
            Err(AmountError::TooPrecise(_))
        ));
        assert!(matches!(
            Money::parse("abc"),
            Err(AmountError::NotANumber(_))
        ));
    }

    #[test]
    fn premium_rounds_half_away_from_zero() {
        // 333.33 × 1.5 % = 4.99995 → 5.00
        let p = Money::from_fen(33333).at_rate(Rate::parse("1.5%").unwrap());
        assert_eq!(p.unwrap(), Money::from_fen(500));
        // 100.10 × 0.005 = 0.5005 → 0.50
        let p = Money::from_fen(10010).at_rate(Rate::parse("0.005").unwrap());
        assert_eq!(p.unwrap(), Money::from_fen(50));
        // 1.00 × 0.005 = 0.005 → 0.01 (midpoint goes up)
        let p = Money::from_fen(100).at_rate(Rate::parse("0.005").unwrap());
        assert_eq!(p.unwrap(), Money::from_fen(1));
    }

    #[test]
    fn rates_read_as_fractions_or_percents() {
        assert_eq!(Rate::parse("1.85%").unwrap().as_fraction(), dec!(0.0185));
        assert_eq!(Rate::parse("0.0185").unwrap().as_percent(), dec!(1.85));
        assert!(Rate::parse("2").is_err());
        assert!(Rate::parse("-0.01").is_err());
    }

    #[test]
    fn the_wrapping_payment_of_issue_14_is_refused_at_entry() {
        // 92233720368547758.07 CNY is i64::MAX fen: with 14,000.02 it wrapped to 14,000.00.
        let e = Money::parse("92233720368547758.07").unwrap_err();
        assert!(matches!(e, AmountError::AboveBound(..)), "{e}");
        assert!(e.to_string().contains("金额超过允许的上限"));
        assert!(Money::parse("1000000000000.00").is_ok());
        assert!(Money::parse("1000000000000.01").is_err());
        assert!(Money::parse("-1000000000000.01").is_err());
        let max = Money::from_fen(i64::MAX);
        assert_eq!(max.try_add(Money::from_fen(1_400_002)), Err(Overflow));
        assert_eq!(Money::from_fen(i64::MIN).try_neg(), Err(Overflow));
        assert_eq!(
            Money::from_fen(i64::MIN).try_sub(Money::from_fen(1)),
            Err(Overflow)
        );
    }

    #[test]
    fn wan_is_exact() {
        assert_eq!(Money::from_yuan(12_345).in_wan(), dec!(1.2345));
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(fen in -1_000_000_000_000i64..1_000_000_000_000i64) {
            let m = Money::from_fen(fen);
            prop_assert_eq!(Money::parse(&m.to_string()).unwrap(), m);
            prop_assert_eq!(Money::parse(&m.grouped()).unwrap(), m);
        }

        #[test]
        fn premium_is_within_half_a_fen_of_the_exact_product(
            fen in 0i64..100_000_000_000i64, bp in 0u32..10_000u32
        ) {
            let rate = Rate::from_fraction(Decimal::new(bp as i64, 4)).unwrap();
            let exact = Money::from_fen(fen).to_decimal() * rate.as_fraction();
            let p = Money::from_fen(fen).at_rate(rate).unwrap().to_decimal();
            prop_assert!((p - exact).abs() <= dec!(0.005));
        }

        #[test]
        fn sums_are_exact(parts in proptest::collection::vec(0i64..1_000_000_000i64, 0..50)) {
            let total = Money::try_sum(parts.iter().map(|f| Money::from_fen(*f))).unwrap();
            prop_assert_eq!(total.fen(), parts.iter().sum::<i64>());
        }

        /// At any values, even the extremes, checked arithmetic is either the exact result
        /// (computed in i128) or `Overflow` — never a wrapped value.
        #[test]
        fn checked_arithmetic_is_exact_or_refused(a in any::<i64>(), b in any::<i64>()) {
            let (x, y) = (Money::from_fen(a), Money::from_fen(b));
            let wide = i128::from(a) + i128::from(b);
            match x.try_add(y) {
                Ok(s) => prop_assert_eq!(i128::from(s.fen()), wide),
                Err(Overflow) => prop_assert!(wide > i128::from(i64::MAX) || wide < i128::from(i64::MIN)),
            }
            let wide = i128::from(a) - i128::from(b);
            match x.try_sub(y) {
                Ok(d) => prop_assert_eq!(i128::from(d.fen()), wide),
                Err(Overflow) => prop_assert!(wide > i128::from(i64::MAX) || wide < i128::from(i64::MIN)),
            }
        }

        /// What is left of a limit is exact, never negative and never wrapped.
        #[test]
        fn remaining_is_exact_and_never_negative(limit in any::<i64>(), used in any::<i64>()) {
            let left = Money::from_fen(limit).remaining(Money::from_fen(used));
            let wide = (i128::from(limit) - i128::from(used)).max(0);
            prop_assert!(left >= Money::ZERO);
            prop_assert_eq!(i128::from(left.fen()), wide.min(i128::from(i64::MAX)));
        }

        /// Sums of extreme values: exact while the true sum fits, refused once it does not.
        #[test]
        fn sums_of_extremes_are_exact_or_refused(
            parts in proptest::collection::vec(prop_oneof![Just(i64::MAX), Just(i64::MIN), any::<i64>()], 0..8)
        ) {
            let wide: i128 = parts.iter().map(|f| i128::from(*f)).sum();
            let checked = Money::try_sum(parts.iter().map(|f| Money::from_fen(*f)));
            // A partial sum may leave the range even when the total would come back in:
            // refusing then is right (the order of payments is not ours to choose).
            if let Ok(total) = checked {
                prop_assert_eq!(i128::from(total.fen()), wide);
            }
            let mut partial: i128 = 0;
            let mut fits = true;
            for f in &parts {
                partial += i128::from(*f);
                fits &= partial >= i128::from(i64::MIN) && partial <= i128::from(i64::MAX);
            }
            prop_assert_eq!(checked.is_ok(), fits);
        }

        /// No text parses to an amount above the entry bound, whatever its size.
        #[test]
        fn parsed_amounts_are_bounded(digits in "[1-9][0-9]{0,27}", cents in 0u8..100) {
            let text = format!("{digits}.{cents:02}");
            match Money::parse(&text) {
                Ok(m) => prop_assert!(m.abs() <= entry_bound()),
                Err(e) => prop_assert!(matches!(e, AmountError::AboveBound(..)), "{e}"),
            }
        }
    }
}
