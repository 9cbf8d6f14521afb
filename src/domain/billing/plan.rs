//! Payment plans (缴费计划): a single payment or installments whose amounts add up
//! exactly to the premium due, with due dates in order, and — where the programme
//! asks — a first installment of at least a share of the premium.
//!
//! Shanxi new materials (seed 004, 第四条 2): "新材料生产企业需支付不低于保费总额30%的
//! 首期保费". The share is data in the programme file, not a constant here.

use super::Installment;
use crate::domain::money::Money;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// A programme's minimum first installment, with the rule's name for the refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstInstallmentRule {
    /// Fraction of the total premium (0.30 = 30 %).
    pub share: Decimal,
    /// Where the rule comes from, in Chinese and English (programme and article).
    pub rule_zh: String,
    pub rule_en: String,
}

impl FirstInstallmentRule {
    /// The smallest first installment allowed: `premium × share`, rounded up to the
    /// fen so an amount at the minimum really is at least the share.
    pub fn minimum(&self, premium: Money) -> Money {
        let exact = Decimal::from(premium.fen()) * self.share;
        Money::from_fen(exact.ceil().to_i64().unwrap_or(i64::MAX))
    }

    fn percent(&self) -> Decimal {
        (self.share * Decimal::ONE_HUNDRED).normalize()
    }
}

/// Why a plan is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    Empty,
    NotPositive {
        index: usize,
    },
    DatesOutOfOrder {
        index: usize,
    },
    SumMismatch {
        total: Money,
        premium: Money,
    },
    FirstInstallmentTooSmall {
        rule: FirstInstallmentRule,
        minimum: Money,
        entered: Money,
    },
}

impl PlanError {
    /// The form field the error belongs to.
    pub fn field(&self) -> String {
        match self {
            PlanError::Empty | PlanError::SumMismatch { .. } => "installments".into(),
            PlanError::NotPositive { index } => format!("installments[{index}].amount"),
            PlanError::DatesOutOfOrder { index } => format!("installments[{index}].due_on"),
            PlanError::FirstInstallmentTooSmall { .. } => "installments[0].amount".into(),
        }
    }

    pub fn en(&self) -> String {
        match self {
            PlanError::Empty => "a plan needs at least one installment".into(),
            PlanError::NotPositive { index } => {
                format!("installment {} must be more than zero", index + 1)
            }
            PlanError::DatesOutOfOrder { index } => format!(
                "installment {} is due before the one above it; list them in due-date order",
                index + 1
            ),
            PlanError::SumMismatch { total, premium } => format!(
                "the installments add up to {} CNY but the premium due is {} CNY",
                total.grouped(),
                premium.grouped()
            ),
            PlanError::FirstInstallmentTooSmall {
                rule,
                minimum,
                entered,
            } => format!(
                "first installment {} CNY is below the minimum first installment of {} % of the total premium ({} CNY) required by {}",
                entered.grouped(),
                rule.percent(),
                minimum.grouped(),
                rule.rule_en
            ),
        }
    }

    pub fn zh(&self) -> String {
        match self {
            PlanError::Empty => "缴费计划至少需要一期".into(),
            PlanError::NotPositive { index } => format!("第 {} 期金额须大于零", index + 1),
            PlanError::DatesOutOfOrder { index } => {
                format!("第 {} 期的应缴日期早于上一期，请按应缴日期排列", index + 1)
            }
            PlanError::SumMismatch { total, premium } => format!(
                "各期合计 {} 元，与应缴保费 {} 元不一致",
                total.grouped(),
                premium.grouped()
            ),
            PlanError::FirstInstallmentTooSmall {
                rule,
                minimum,
                entered,
            } => format!(
                "首期保费 {} 元低于{}规定的首期保费不低于保费总额 {}%（{} 元）",
                entered.grouped(),
                rule.rule_zh,
                rule.percent(),
                minimum.grouped()
            ),
        }
    }
}

/// Check a plan against the premium due and the programme's first-installment rule.
pub fn validate(
    premium: Money,
    installments: &[Installment],
    rule: Option<&FirstInstallmentRule>,
) -> Result<(), PlanError> {
    let first = installments.first().ok_or(PlanError::Empty)?;
    if let Some(index) = installments.iter().position(|i| i.amount <= Money::ZERO) {
        return Err(PlanError::NotPositive { index });
    }
    if let Some(index) = installments
        .windows(2)
        .position(|w| w[1].due_on < w[0].due_on)
    {
        return Err(PlanError::DatesOutOfOrder { index: index + 1 });
    }
    let total = installments
        .iter()
        .try_fold(Money::ZERO, |acc, i| acc.checked_add(i.amount));
    match total {
        Some(total) if total == premium => {}
        other => {
            return Err(PlanError::SumMismatch {
                total: other.unwrap_or(Money::from_fen(i64::MAX)),
                premium,
            })
        }
    }
    if let Some(rule) = rule {
        let minimum = rule.minimum(premium);
        if first.amount < minimum {
            return Err(PlanError::FirstInstallmentTooSmall {
                rule: rule.clone(),
                minimum,
                entered: first.amount,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn at(m: u32, fen: i64) -> Installment {
        Installment {
            due_on: NaiveDate::from_ymd_opt(2026, m, 1).unwrap(),
            amount: Money::from_fen(fen),
        }
    }

    fn shanxi() -> FirstInstallmentRule {
        FirstInstallmentRule {
            share: dec!(0.30),
            rule_zh: "山西省新材料首批次保险补偿办法第四条".into(),
            rule_en: "Shanxi measures art. 4".into(),
        }
    }

    #[test]
    fn a_single_payment_of_the_premium_is_a_plan() {
        assert_eq!(
            validate(Money::from_yuan(14_000), &[at(1, 1_400_000)], None),
            Ok(())
        );
    }

    #[test]
    fn installments_must_add_up_exactly_to_the_premium() {
        let e = validate(
            Money::from_fen(1_000_000),
            &[at(1, 500_000), at(6, 499_999)],
            None,
        );
        assert!(matches!(e, Err(PlanError::SumMismatch { .. })), "{e:?}");
        assert!(e.unwrap_err().en().contains("9,999.99"));
    }

    #[test]
    fn shanxi_first_installment_exactly_thirty_percent_is_accepted() {
        let rule = shanxi();
        let premium = Money::from_fen(1_400_000);
        assert_eq!(
            validate(premium, &[at(1, 420_000), at(7, 980_000)], Some(&rule)),
            Ok(())
        );
    }

    #[test]
    fn shanxi_first_installment_one_fen_below_thirty_percent_is_refused_naming_the_rule() {
        let rule = shanxi();
        let e = validate(
            Money::from_fen(1_400_000),
            &[at(1, 419_999), at(7, 980_001)],
            Some(&rule),
        )
        .unwrap_err();
        assert_eq!(e.field(), "installments[0].amount");
        assert!(
            e.zh().contains("4,199.99") && e.zh().contains("4,200.00") && e.zh().contains("30%"),
            "{}",
            e.zh()
        );
        assert!(
            e.en().contains("Shanxi") && e.en().contains("30 %"),
            "{}",
            e.en()
        );
    }

    #[test]
    fn minimum_rounds_up_to_the_fen() {
        // 30 % of 0.01 CNY is 0.003 fen short of one fen: the minimum is one fen.
        assert_eq!(shanxi().minimum(Money::from_fen(1)), Money::from_fen(1));
        assert_eq!(
            shanxi().minimum(Money::from_fen(1_001)),
            Money::from_fen(301)
        );
    }

    #[test]
    fn dates_out_of_order_and_zero_amounts_are_refused() {
        let p = Money::from_fen(300);
        assert_eq!(validate(p, &[], None), Err(PlanError::Empty));
        assert_eq!(
            validate(p, &[at(5, 100), at(2, 200)], None),
            Err(PlanError::DatesOutOfOrder { index: 1 })
        );
        assert_eq!(
            validate(p, &[at(1, 300), at(2, 0)], None),
            Err(PlanError::NotPositive { index: 1 })
        );
    }

    proptest! {
        #[test]
        fn any_split_that_sums_and_meets_the_share_is_accepted(premium in 1i64..1_000_000_000, cut in 0u32..=100) {
            let rule = shanxi();
            let first = rule.minimum(Money::from_fen(premium)).fen()
                + (premium - rule.minimum(Money::from_fen(premium)).fen()) * i64::from(cut) / 100;
            let mut plan = vec![at(1, first)];
            if premium > first {
                plan.push(at(6, premium - first));
            }
            prop_assert_eq!(validate(Money::from_fen(premium), &plan, Some(&rule)), Ok(()));
        }

        #[test]
        fn a_first_installment_below_the_share_is_always_refused(premium in 10i64..1_000_000_000, short in 1i64..1000) {
            let rule = shanxi();
            let min = rule.minimum(Money::from_fen(premium)).fen();
            let first = (min - short).max(1);
            prop_assume!(first < min);
            let plan = [at(1, first), at(6, premium - first)];
            let refused = matches!(
                validate(Money::from_fen(premium), &plan, Some(&rule)),
                Err(PlanError::FirstInstallmentTooSmall { .. })
            );
            prop_assert!(refused);
            // And the minimum really is the share: exact decimal check.
            prop_assert!(Decimal::from(min) >= Decimal::from(premium) * dec!(0.30));
            prop_assert!(Decimal::from(min - 1) < Decimal::from(premium) * dec!(0.30));
        }
    }
}
