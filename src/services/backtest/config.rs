//! `[backtest]` and `[regulator]` configuration: the company's expense loadings, target
//! combined-ratio band and full-credibility standard, the delivery schedule, and where
//! reports go. Ratios are exact decimals in the file ("0.15"), turned into the engine's
//! `f64` only when an indication is computed.

use crate::domain::backtest::indication::{RateTargets, STANDARD_FULL_CREDIBILITY};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BacktestConfig {
    /// `V`: commission, taxes and levies as a share of premium.
    pub variable_expense_ratio: Decimal,
    /// `F`: fixed expenses as a share of earned premium.
    pub fixed_expense_ratio: Decimal,
    /// `Q`: profit provision (保本微利: small).
    pub profit_provision: Decimal,
    pub combined_band_low: Decimal,
    pub combined_band_high: Decimal,
    /// Claims for full credibility.
    pub full_credibility_claims: Decimal,
    /// Smaller credibility-weighted changes keep the rate.
    pub materiality: Decimal,
    /// Tail factor after the last development year (1 = none).
    pub tail_factor: Decimal,
    /// Create and queue the quarterly report on this day of the month after each quarter
    /// (1–28); 0 turns the schedule off.
    pub quarterly_day: u32,
    /// Every how many seconds the scheduler looks whether a report is due.
    pub schedule_poll_secs: u64,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        BacktestConfig {
            variable_expense_ratio: dec!(0.15),
            fixed_expense_ratio: dec!(0.05),
            profit_provision: dec!(0.03),
            combined_band_low: dec!(0.95),
            combined_band_high: dec!(1.00),
            full_credibility_claims: Decimal::from(STANDARD_FULL_CREDIBILITY as i64),
            materiality: dec!(0.01),
            tail_factor: Decimal::ONE,
            quarterly_day: 0,
            schedule_poll_secs: 3600,
        }
    }
}

impl BacktestConfig {
    pub fn targets(&self) -> RateTargets {
        let f = |d: Decimal| d.to_f64().unwrap_or(f64::NAN);
        RateTargets {
            variable_expense_ratio: f(self.variable_expense_ratio),
            fixed_expense_ratio: f(self.fixed_expense_ratio),
            profit_provision: f(self.profit_provision),
            combined_band_low: f(self.combined_band_low),
            combined_band_high: f(self.combined_band_high),
            full_credibility_claims: f(self.full_credibility_claims),
            materiality: f(self.materiality),
        }
    }

    pub fn tail(&self) -> Option<f64> {
        (self.tail_factor != Decimal::ONE).then(|| self.tail_factor.to_f64().unwrap_or(f64::NAN))
    }
}

/// The regulator's receiving end (NFRA local office).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RegulatorConfig {
    /// HTTPS endpoint the XML report is POSTed to.
    pub endpoint: String,
    /// Who receives the readable report (PDF and HTML) by mail.
    pub recipients: Vec<String>,
    /// Filing institution code printed in the XML.
    pub institution_code: String,
}
