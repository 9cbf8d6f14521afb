//! From statistical estimates (`f64`) back to `Money` for reports.
//!
//! The engine estimates in `f64`; a report that prints a reserve or an ultimate as an
//! amount rounds it here, once, half away from zero (四舍五入) like every other amount.

use crate::domain::money::Money;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

/// Why an estimate cannot be shown as an amount.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    #[error("estimate {0} is not a finite number")]
    NotFinite(f64),
    #[error("estimate {0} is too large to be an amount")]
    TooLarge(f64),
}

/// Round an estimate in yuan to the fen.
pub fn estimate_to_money(yuan: f64) -> Result<Money, EstimateError> {
    if !yuan.is_finite() {
        return Err(EstimateError::NotFinite(yuan));
    }
    let d = Decimal::from_f64(yuan).ok_or(EstimateError::TooLarge(yuan))?;
    Money::round_from(d).map_err(|_| EstimateError::TooLarge(yuan))
}

/// An exact amount as an `f64` in yuan, for feeding premiums and paid losses into the
/// statistical engine.
pub fn money_to_f64(m: Money) -> f64 {
    m.fen() as f64 / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_round_half_away_from_zero_to_the_fen() {
        assert_eq!(
            estimate_to_money(1234.567).unwrap(),
            Money::from_fen(123457)
        );
        assert_eq!(estimate_to_money(-0.125).unwrap(), Money::from_fen(-13));
        assert_eq!(
            estimate_to_money(18_680_855.61).unwrap().fen(),
            1_868_085_561
        );
    }

    #[test]
    fn non_finite_or_huge_estimates_are_errors() {
        assert!(matches!(
            estimate_to_money(f64::NAN),
            Err(EstimateError::NotFinite(_))
        ));
        assert!(matches!(
            estimate_to_money(1e30),
            Err(EstimateError::TooLarge(_))
        ));
        assert_eq!(money_to_f64(Money::from_fen(150)), 1.5);
    }
}
