//! Rate indication (费率指示) for the regulator's backtest: loss, expense and combined
//! ratios against the target band, the indicated rate change by the loss-ratio method,
//! limited-fluctuation credibility, and a plain-language conclusion in Chinese and English.
//!
//! Loss-ratio method (Werner & Modlin, *Basic Ratemaking*, CAS, ch. 8):
//!
//! ```text
//! indicated change = (LR + F) / (1 − V − Q) − 1
//! ```
//!
//! with `LR` the ultimate loss ratio (ultimate losses incl. LAE / earned premium at current
//! rates), `F` the fixed expense ratio, `V` the variable expense ratio (commission, taxes and
//! levies that move with premium) and `Q` the target profit provision; `1 − V − Q` is the
//! permissible loss ratio. "Break-even, small profit" (保本微利, 000/002) is a small `Q`
//! and a combined-ratio band just under 100 %.
//!
//! Credibility (classical / limited fluctuation): `Z = min(1, sqrt(n / n_full))`, `n` the
//! claim count, `n_full` the full-credibility standard (1,082 claims for ±5 % at 90 %
//! probability, Poisson frequency). The complement is "no change", so the
//! credibility-weighted change is `Z × indicated`.
//!
//! Ratios are `f64` estimates; the proposed rate comes back as an exact [`Rate`].

use super::indication_text::{conclusion_en, conclusion_zh};
use crate::domain::money::Rate;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

/// 1,082 claims: full credibility for frequency within ±5 % with 90 % probability.
pub const STANDARD_FULL_CREDIBILITY: f64 = 1_082.0;

/// Why an indication cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndicationError {
    #[error("earned premium must be positive, got {0}")]
    NoPremium(f64),
    #[error("{0} is not a finite number")]
    NotFinite(&'static str),
    #[error("{name} {value} must be in [0, 1)")]
    RatioOutOfRange { name: &'static str, value: f64 },
    #[error("permissible loss ratio 1 − V − Q = {0} must be positive")]
    NoPermissibleLossRatio(f64),
    #[error("target band [{low}, {high}] is empty")]
    EmptyBand { low: f64, high: f64 },
    #[error("full-credibility standard must be positive, got {0}")]
    BadCredibilityStandard(f64),
    #[error("proposed rate {0} is outside 0–100 %")]
    RateOutOfRange(f64),
}

/// The experience of one line / segment / underwriting year.
#[derive(Debug, Clone, PartialEq)]
pub struct Experience {
    /// Earned premium at current rates (已赚保费), yuan.
    pub earned_premium: f64,
    /// Ultimate losses including loss adjustment expense (最终赔款), yuan.
    pub ultimate_loss: f64,
    /// Number of claims behind the losses, for credibility.
    pub claim_count: u64,
    /// Rate in force, if the proposal should be stated as a new rate.
    pub current_rate: Option<Rate>,
}

/// The company's targets and assumptions for the line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateTargets {
    /// `V`: expenses proportional to premium, as a share of premium.
    pub variable_expense_ratio: f64,
    /// `F`: fixed expenses, as a share of earned premium.
    pub fixed_expense_ratio: f64,
    /// `Q`: target profit provision (保本微利: small).
    pub profit_provision: f64,
    /// Acceptable combined ratio band, e.g. 0.95–1.00.
    pub combined_band_low: f64,
    pub combined_band_high: f64,
    /// Claims for full credibility (`n_full`).
    pub full_credibility_claims: f64,
    /// Changes smaller than this (absolute) are not worth filing: keep the rate.
    pub materiality: f64,
}

/// Where the combined ratio sits against the target band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BandPosition {
    /// Rates look excessive for break-even-small-profit.
    Below,
    Within,
    /// Rates look inadequate.
    Above,
}

/// What to do with the rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Keep,
    Raise,
    Lower,
}

/// The indication and its reasoning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indication {
    pub loss_ratio: f64,
    pub expense_ratio: f64,
    pub combined_ratio: f64,
    pub band_position: BandPosition,
    pub permissible_loss_ratio: f64,
    pub indicated_change: f64,
    pub credibility: f64,
    pub weighted_change: f64,
    pub decision: Decision,
    pub proposed_rate: Option<Rate>,
    pub formula: &'static str,
    pub conclusion_en: String,
    pub conclusion_zh: String,
}

const FORMULA: &str = "indicated change = (LR + F) / (1 - V - Q) - 1; \
    Z = min(1, sqrt(n / n_full)); weighted change = Z x indicated (complement: no change)";

/// Compute the indication for one block of experience.
pub fn indicate(exp: &Experience, t: &RateTargets) -> Result<Indication, IndicationError> {
    validate(exp, t)?;
    let loss_ratio = exp.ultimate_loss / exp.earned_premium;
    let expense_ratio = t.variable_expense_ratio + t.fixed_expense_ratio;
    let combined_ratio = loss_ratio + expense_ratio;
    let band_position = if combined_ratio > t.combined_band_high {
        BandPosition::Above
    } else if combined_ratio < t.combined_band_low {
        BandPosition::Below
    } else {
        BandPosition::Within
    };
    let permissible_loss_ratio = 1.0 - t.variable_expense_ratio - t.profit_provision;
    if permissible_loss_ratio <= 0.0 {
        return Err(IndicationError::NoPermissibleLossRatio(
            permissible_loss_ratio,
        ));
    }
    let indicated_change = (loss_ratio + t.fixed_expense_ratio) / permissible_loss_ratio - 1.0;
    let credibility = credibility(exp.claim_count, t.full_credibility_claims);
    let weighted_change = credibility * indicated_change;
    let decision = if weighted_change.abs() < t.materiality {
        Decision::Keep
    } else if weighted_change > 0.0 {
        Decision::Raise
    } else {
        Decision::Lower
    };
    let proposed_rate = match (decision, exp.current_rate) {
        (Decision::Keep, r) => r,
        (_, Some(r)) => Some(new_rate(r, weighted_change)?),
        (_, None) => None,
    };
    let mut ind = Indication {
        loss_ratio,
        expense_ratio,
        combined_ratio,
        band_position,
        permissible_loss_ratio,
        indicated_change,
        credibility,
        weighted_change,
        decision,
        proposed_rate,
        formula: FORMULA,
        conclusion_en: String::new(),
        conclusion_zh: String::new(),
    };
    ind.conclusion_en = conclusion_en(&ind, exp, t);
    ind.conclusion_zh = conclusion_zh(&ind, exp, t);
    Ok(ind)
}

/// Limited-fluctuation credibility `min(1, sqrt(n / n_full))`.
pub fn credibility(claims: u64, full_credibility_claims: f64) -> f64 {
    (claims as f64 / full_credibility_claims).sqrt().min(1.0)
}

fn validate(exp: &Experience, t: &RateTargets) -> Result<(), IndicationError> {
    let finite = [
        ("earned premium", exp.earned_premium),
        ("ultimate loss", exp.ultimate_loss),
        ("combined band", t.combined_band_low + t.combined_band_high),
        ("materiality", t.materiality),
    ];
    if let Some((name, _)) = finite.iter().find(|(_, v)| !v.is_finite()) {
        return Err(IndicationError::NotFinite(name));
    }
    if exp.earned_premium <= 0.0 {
        return Err(IndicationError::NoPremium(exp.earned_premium));
    }
    for (name, value) in [
        ("variable expense ratio", t.variable_expense_ratio),
        ("fixed expense ratio", t.fixed_expense_ratio),
        ("profit provision", t.profit_provision),
    ] {
        if !(0.0..1.0).contains(&value) {
            return Err(IndicationError::RatioOutOfRange { name, value });
        }
    }
    if t.combined_band_low > t.combined_band_high {
        return Err(IndicationError::EmptyBand {
            low: t.combined_band_low,
            high: t.combined_band_high,
        });
    }
    if !(t.full_credibility_claims > 0.0 && t.full_credibility_claims.is_finite()) {
        return Err(IndicationError::BadCredibilityStandard(
            t.full_credibility_claims,
        ));
    }
    Ok(())
}

/// `current × (1 + change)`, kept to 0.0001 % (six decimals of the fraction).
fn new_rate(current: Rate, change: f64) -> Result<Rate, IndicationError> {
    let factor = Decimal::from_f64(1.0 + change).ok_or(IndicationError::RateOutOfRange(change))?;
    let proposed = (current.as_fraction() * factor).round_dp(6);
    Rate::from_fraction(proposed).map_err(|_| IndicationError::RateOutOfRange(change))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn targets() -> RateTargets {
        RateTargets {
            variable_expense_ratio: 0.15,
            fixed_expense_ratio: 0.05,
            profit_provision: 0.03,
            combined_band_low: 0.95,
            combined_band_high: 1.00,
            full_credibility_claims: STANDARD_FULL_CREDIBILITY,
            materiality: 0.01,
        }
    }

    fn experience(loss: f64, claims: u64) -> Experience {
        Experience {
            earned_premium: 1_000_000.0,
            ultimate_loss: loss,
            claim_count: claims,
            current_rate: Some(Rate::parse("2%").unwrap()),
        }
    }

    #[test]
    fn loss_ratio_method_with_full_credibility() {
        // LR 0.90: (0.90 + 0.05) / (1 − 0.15 − 0.03) − 1 = 0.95 / 0.82 − 1 = 15.85 %.
        let ind = indicate(&experience(900_000.0, 5_000), &targets()).unwrap();
        assert!((ind.indicated_change - (0.95 / 0.82 - 1.0)).abs() < 1e-12);
        assert_eq!(ind.credibility, 1.0);
        assert_eq!(ind.decision, Decision::Raise);
        assert_eq!(ind.band_position, BandPosition::Above);
        assert!((ind.combined_ratio - 1.10).abs() < 1e-12);
        assert_eq!(
            ind.proposed_rate,
            Some(Rate::from_fraction(dec!(0.023171)).unwrap())
        );
        assert!(ind.conclusion_en.starts_with("Raise the rate by 15.9%"));
        assert!(ind.conclusion_zh.starts_with("建议上调费率15.9%"));
        assert!(ind.conclusion_zh.contains("费率由2%调整为2.3171%"));
    }

    #[test]
    fn partial_credibility_shrinks_toward_no_change() {
        // 270.5 claims of 1,082 → Z = 0.5; use 271 and compare with the formula.
        let ind = indicate(&experience(500_000.0, 271), &targets()).unwrap();
        let z = (271.0f64 / 1082.0).sqrt();
        assert!((ind.credibility - z).abs() < 1e-12);
        assert!((ind.weighted_change - z * ind.indicated_change).abs() < 1e-12);
        assert_eq!(ind.decision, Decision::Lower);
        assert!(ind.conclusion_en.starts_with("Lower the rate by"));
        assert!(ind.conclusion_zh.starts_with("建议下调费率"));
    }

    #[test]
    fn a_small_change_keeps_the_rate() {
        // LR such that (LR + 0.05) / 0.82 = 1.005 → LR = 0.7741.
        let ind = indicate(&experience(774_100.0, 2_000), &targets()).unwrap();
        assert_eq!(ind.decision, Decision::Keep);
        assert_eq!(ind.proposed_rate, Some(Rate::parse("2%").unwrap()));
        assert!(ind.conclusion_zh.starts_with("建议维持现行费率"));
        assert!(ind.conclusion_en.starts_with("Keep the current rate"));
    }

    #[test]
    fn no_claims_means_no_credibility_and_no_change() {
        let ind = indicate(&experience(0.0, 0), &targets()).unwrap();
        assert_eq!(ind.credibility, 0.0);
        assert_eq!(ind.decision, Decision::Keep);
    }

    #[test]
    fn bad_inputs_are_named() {
        let mut e = experience(1.0, 1);
        e.earned_premium = 0.0;
        assert!(matches!(
            indicate(&e, &targets()),
            Err(IndicationError::NoPremium(_))
        ));
        let mut t = targets();
        t.variable_expense_ratio = 1.2;
        assert!(matches!(
            indicate(&experience(1.0, 1), &t),
            Err(IndicationError::RatioOutOfRange { .. })
        ));
        let mut t = targets();
        t.variable_expense_ratio = 0.6;
        t.profit_provision = 0.5;
        assert!(matches!(
            indicate(&experience(1.0, 1), &t),
            Err(IndicationError::NoPermissibleLossRatio(_))
        ));
        let mut t = targets();
        t.combined_band_low = 1.1;
        assert!(matches!(
            indicate(&experience(1.0, 1), &t),
            Err(IndicationError::EmptyBand { .. })
        ));
    }
}
