//! Rating (费率厘定): rate = Σ base rates of the chosen sections × the three filed
//! modifiers; premium = insured value × rate.
//!
//! Rounding: the rate is kept to 6 decimal places (0.0001 %) and the premium to the
//! fen, both half away from zero (四舍五入, `Money::at_rate`).
//! Sources: modifiers follow 技术成熟度、应用场景复杂度、历史赔付率 (001 四(二));
//! insurers keep to filed rates (003 三(五)); outside the band or above the
//! underwriter's authority the quote is referred (a finding, not an error).

use super::clauses::RateFiling;
use super::money::{AmountError, Money, Rate};
use super::programme::{Finding, Severity, SourceRef};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

const S003: &str = "003_88b4fbae1ca493a5.txt";

/// Decimal places kept on a computed rate.
pub const RATE_DECIMAL_PLACES: u32 = 6;

/// The three modifiers chosen for this risk (调整系数).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskFactors {
    /// 技术成熟度
    pub technical_maturity: Decimal,
    /// 应用场景复杂度
    pub scenario_complexity: Decimal,
    /// 历史赔付率
    pub loss_history: Decimal,
}

impl RiskFactors {
    pub fn neutral() -> RiskFactors {
        RiskFactors {
            technical_maturity: Decimal::ONE,
            scenario_complexity: Decimal::ONE,
            loss_history: Decimal::ONE,
        }
    }
}

/// What the underwriter asks to rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingRequest {
    /// Codes of the clause-set sections taken.
    pub sections: Vec<String>,
    pub factors: RiskFactors,
    /// 投保装备总价值
    pub insured_value: Money,
    /// 累计责任限额
    pub aggregate_limit: Money,
    /// The highest limit this underwriter may accept alone (核保权限).
    pub authority_limit: Money,
}

/// A priced quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// Σ base rates of the sections.
    pub base_rate: Rate,
    pub factors: RiskFactors,
    /// base × modifiers, 6 places.
    pub rate: Rate,
    pub premium: Money,
    /// Needs a senior underwriter (提交上级核保) when not empty.
    pub referrals: Vec<Finding>,
}

impl Quote {
    pub fn needs_referral(&self) -> bool {
        !self.referrals.is_empty()
    }
}

/// Why a quote cannot be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("未选择任何保险责任部分 / no section chosen")]
    NoSections,
    #[error("费率备案中没有保险责任部分 '{0}' / section '{0}' is not in the rate filing")]
    UnknownSection(String),
    #[error("{zh}系数 {value} 超出备案范围 {min}–{max} / {en} modifier {value} is outside the filed range {min}–{max}")]
    ModifierOutOfRange {
        zh: String,
        en: String,
        value: Decimal,
        min: Decimal,
        max: Decimal,
    },
    #[error("计算费率 {0} 超过 100% / the computed rate {0} is above 100 %")]
    RateAboveOne(Decimal),
    #[error("保额为负数 / the insured value is negative")]
    NegativeValue,
    #[error(transparent)]
    Amount(#[from] AmountError),
}

/// Price a request against a rate filing.
pub fn quote(filing: &RateFiling, request: &RatingRequest) -> Result<Quote, RatingError> {
    if request.sections.is_empty() {
        return Err(RatingError::NoSections);
    }
    if request.insured_value.is_negative() {
        return Err(RatingError::NegativeValue);
    }
    let mut base = Decimal::ZERO;
    for code in &request.sections {
        let rate = filing
            .base_rate(code)
            .ok_or_else(|| RatingError::UnknownSection(code.clone()))?;
        base += rate.as_fraction();
    }
    let m = &filing.modifiers;
    let f = request.factors;
    for (range, value) in [
        (&m.technical_maturity, f.technical_maturity),
        (&m.scenario_complexity, f.scenario_complexity),
        (&m.loss_history, f.loss_history),
    ] {
        if !range.contains(value) {
            return Err(RatingError::ModifierOutOfRange {
                zh: range.name.zh.clone(),
                en: range.name.en.clone(),
                value,
                min: range.min,
                max: range.max,
            });
        }
    }
    let exact = base * f.technical_maturity * f.scenario_complexity * f.loss_history;
    let rounded =
        exact.round_dp_with_strategy(RATE_DECIMAL_PLACES, RoundingStrategy::MidpointAwayFromZero);
    let rate = Rate::from_fraction(rounded).map_err(|_| RatingError::RateAboveOne(rounded))?;
    let base_rate = Rate::from_fraction(base).map_err(|_| RatingError::RateAboveOne(base))?;
    let premium = request.insured_value.at_rate(rate)?;
    let mut referrals = Vec::new();
    if !filing.band.contains(rate) {
        referrals.push(band_referral(rate, filing));
    }
    if request.aggregate_limit > request.authority_limit {
        referrals.push(authority_referral(request));
    }
    Ok(Quote {
        base_rate,
        factors: f,
        rate,
        premium,
        referrals,
    })
}

fn band_referral(rate: Rate, filing: &RateFiling) -> Finding {
    Finding::new(
        "rating.outside_filed_band",
        Severity::Warning,
        format!(
            "费率 {}% 超出备案费率区间 {}%–{}%，须提交上级核保",
            rate.as_percent(),
            filing.band.min.as_percent(),
            filing.band.max.as_percent()
        ),
        format!(
            "rate {} % is outside the filed band {} %–{} %: refer to a senior underwriter",
            rate.as_percent(),
            filing.band.min.as_percent(),
            filing.band.max.as_percent()
        ),
        SourceRef::new(
            S003,
            "三(五)",
            "对未严格执行经批准或备案的保险条款和保险费率",
        ),
    )
}

fn authority_referral(request: &RatingRequest) -> Finding {
    Finding::new(
        "rating.above_authority",
        Severity::Warning,
        format!(
            "累计责任限额 {} 元超过核保权限 {} 元，须提交上级核保",
            request.aggregate_limit.grouped(),
            request.authority_limit.grouped()
        ),
        format!(
            "aggregate limit {} CNY is above the underwriting authority {} CNY: refer to a senior underwriter",
            request.aggregate_limit.grouped(),
            request.authority_limit.grouped()
        ),
        SourceRef::new(
            "DOMAIN.md",
            "People and what they do here / 核保",
            "refer what exceeds authority to a senior underwriter",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn filing() -> RateFiling {
        let text = include_str!("../../clauses/first-set-equipment/rate-filing-2025.1.toml");
        toml::from_str(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn request(sections: &[&str], factors: RiskFactors, value: i64) -> RatingRequest {
        RatingRequest {
            sections: sections.iter().map(|s| s.to_string()).collect(),
            factors,
            insured_value: Money::from_yuan(value),
            aggregate_limit: Money::from_yuan(value),
            authority_limit: Money::from_yuan(50_000_000),
        }
    }

    #[test]
    fn rate_is_base_times_modifiers_and_premium_is_value_times_rate() {
        let f = RiskFactors {
            technical_maturity: dec!(1.2),
            scenario_complexity: dec!(1.1),
            loss_history: dec!(0.9),
        };
        let q = quote(
            &filing(),
            &request(&["QUALITY", "LIABILITY"], f, 10_000_000),
        )
        .unwrap();
        assert_eq!(q.base_rate.as_fraction(), dec!(0.014));
        assert_eq!(q.rate.as_fraction(), dec!(0.016632));
        assert_eq!(q.premium, Money::from_yuan(166_320));
        assert!(!q.needs_referral());
    }

    #[test]
    fn a_modifier_outside_its_filed_range_is_an_error() {
        let f = RiskFactors {
            technical_maturity: dec!(1.6),
            ..RiskFactors::neutral()
        };
        let e = quote(&filing(), &request(&["QUALITY"], f, 1_000_000)).unwrap_err();
        assert_eq!(e.to_string(), "技术成熟度系数 1.6 超出备案范围 0.70–1.50 / Technical maturity modifier 1.6 is outside the filed range 0.70–1.50");
        assert!(matches!(
            quote(&filing(), &request(&["NOPE"], RiskFactors::neutral(), 1)),
            Err(RatingError::UnknownSection(_))
        ));
        assert!(matches!(
            quote(&filing(), &request(&[], RiskFactors::neutral(), 1)),
            Err(RatingError::NoSections)
        ));
    }

    #[test]
    fn a_rate_outside_the_band_needs_referral() {
        let f = RiskFactors {
            technical_maturity: dec!(0.7),
            scenario_complexity: dec!(0.8),
            loss_history: dec!(0.7),
        };
        let q = quote(&filing(), &request(&["TRANSPORT"], f, 1_000_000)).unwrap();
        assert_eq!(q.referrals.len(), 1);
        assert_eq!(q.referrals[0].code, "rating.outside_filed_band");
    }

    #[test]
    fn a_limit_above_authority_needs_referral() {
        let mut r = request(&["QUALITY"], RiskFactors::neutral(), 1_000_000);
        r.aggregate_limit = Money::from_yuan(60_000_000);
        let q = quote(&filing(), &r).unwrap();
        assert_eq!(
            q.referrals
                .iter()
                .map(|f| f.code.as_str())
                .collect::<Vec<_>>(),
            ["rating.above_authority"]
        );
    }

    #[test]
    fn premium_rounds_half_away_from_zero_to_the_fen() {
        // 0.0100 × 0.75 × 1 × 1 = 0.0075; 1.00 CNY × 0.0075 = 0.0075 → 0.01
        let f = RiskFactors {
            technical_maturity: dec!(0.75),
            ..RiskFactors::neutral()
        };
        let mut r = request(&["QUALITY"], f, 0);
        r.insured_value = Money::from_fen(100);
        assert_eq!(quote(&filing(), &r).unwrap().premium, Money::from_fen(1));
    }

    proptest! {
        #[test]
        fn premium_is_value_at_the_quoted_rate(
            value in 0i64..10_000_000_000i64,
            tm in 70u32..=150, sc in 80u32..=140, lh in 70u32..=150,
        ) {
            let f = RiskFactors {
                technical_maturity: Decimal::new(tm.into(), 2),
                scenario_complexity: Decimal::new(sc.into(), 2),
                loss_history: Decimal::new(lh.into(), 2),
            };
            let mut r = request(&["QUALITY", "LIABILITY", "INSTALL"], f, 0);
            r.insured_value = Money::from_fen(value);
            let q = quote(&filing(), &r).unwrap();
            let exact = Decimal::new(155, 4) * f.technical_maturity * f.scenario_complexity * f.loss_history;
            prop_assert!((q.rate.as_fraction() - exact).abs() <= dec!(0.0000005));
            prop_assert_eq!(q.premium, r.insured_value.at_rate(q.rate).unwrap());
            prop_assert!((q.premium.to_decimal() - r.insured_value.to_decimal() * q.rate.as_fraction()).abs() <= dec!(0.005));
        }
    }
}
