//! Liability limits (责任限额): the minimum aggregate limit (累计责任限额) by cover basis,
//! and what can be checked for new materials.

use super::cover_basis::CoverBasis;
use super::money::Money;
use super::programme::{Finding, LimitRule, LimitRuleKind, Severity, SourceRef};
use rust_decimal::Decimal;
use serde::Serialize;

const S003: &str = "003_88b4fbae1ca493a5.txt";
const S004: &str = "004_8012e5ef1e8f42d5.txt";

/// The 003 rule in its own words.
pub fn source_003() -> SourceRef {
    SourceRef::new(
        S003,
        "附件1 一.3",
        "首年度关键零部件保险责任限额应当不低于装备价值的2倍,首台(套)装备、首批次装备保险责任限额应不低于装备价值",
    )
}

/// Minimum aggregate limit as a multiple of the insured value, per cover basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LimitMultiples {
    pub first_set: Decimal,
    pub first_batch: Decimal,
    pub first_year: Decimal,
}

impl LimitMultiples {
    /// 1 × value for first set and first batch, 2 × for first-year key components
    /// (003 附件1 一.3). The default for underwriting, since the national seeds set none.
    pub fn annex_003() -> LimitMultiples {
        LimitMultiples {
            first_set: Decimal::ONE,
            first_batch: Decimal::ONE,
            first_year: Decimal::TWO,
        }
    }

    /// The multiples of a programme's `value_multiples` rule.
    pub fn from_rule(rule: &LimitRule) -> Option<LimitMultiples> {
        match rule.kind {
            LimitRuleKind::ValueMultiples => Some(LimitMultiples {
                first_set: rule.first_set?,
                first_batch: rule.first_batch?,
                first_year: rule.first_year?,
            }),
            LimitRuleKind::ContractAmount => None,
        }
    }

    pub fn for_basis(&self, basis: CoverBasis) -> Decimal {
        match basis {
            CoverBasis::FirstSet => self.first_set,
            CoverBasis::FirstBatch => self.first_batch,
            CoverBasis::FirstYear => self.first_year,
        }
    }
}

pub fn basis_zh(basis: CoverBasis) -> &'static str {
    match basis {
        CoverBasis::FirstSet => "首台(套)装备",
        CoverBasis::FirstBatch => "首批次装备",
        CoverBasis::FirstYear => "首年度关键零部件",
    }
}

pub fn basis_en(basis: CoverBasis) -> &'static str {
    match basis {
        CoverBasis::FirstSet => "first-set equipment",
        CoverBasis::FirstBatch => "first-batch equipment",
        CoverBasis::FirstYear => "first-year key components",
    }
}

/// Why an aggregate limit is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// 累计责任限额低于最低要求
    #[error("{} / {}", below_zh(*basis, *multiple, *required, *entered), below_en(*basis, *multiple, *required, *entered))]
    BelowMinimum {
        basis: CoverBasis,
        multiple: Decimal,
        required: Money,
        entered: Money,
    },
    /// 限额必须大于零
    #[error("累计责任限额须大于零，录入 {entered} 元 / the aggregate limit must be above zero; {entered} CNY entered")]
    NotPositive { entered: Money },
    #[error("保额过大无法计算 / the insured value is too large to compute the minimum limit")]
    TooLarge,
}

fn below_zh(basis: CoverBasis, multiple: Decimal, required: Money, entered: Money) -> String {
    format!(
        "{}累计责任限额应不低于装备价值的{}倍：最低 {} 元，录入 {} 元",
        basis_zh(basis),
        multiple.normalize(),
        required.grouped(),
        entered.grouped()
    )
}

fn below_en(basis: CoverBasis, multiple: Decimal, required: Money, entered: Money) -> String {
    format!(
        "the aggregate limit for {} must be at least {} × the insured value: minimum {} CNY, entered {} CNY",
        basis_en(basis),
        multiple.normalize(),
        required.grouped(),
        entered.grouped()
    )
}

impl LimitError {
    pub fn code(&self) -> &'static str {
        match self {
            LimitError::BelowMinimum { .. } => "limit.below_minimum_multiple",
            LimitError::NotPositive { .. } => "limit.not_positive",
            LimitError::TooLarge => "limit.too_large",
        }
    }

    pub fn zh(&self) -> String {
        match self {
            LimitError::BelowMinimum {
                basis,
                multiple,
                required,
                entered,
            } => below_zh(*basis, *multiple, *required, *entered),
            other => other.to_string(),
        }
    }

    pub fn en(&self) -> String {
        match self {
            LimitError::BelowMinimum {
                basis,
                multiple,
                required,
                entered,
            } => below_en(*basis, *multiple, *required, *entered),
            other => other.to_string(),
        }
    }

    /// As a finding with the given severity (hard for underwriting and Zhejiang).
    pub fn to_finding(&self, severity: Severity, source: SourceRef) -> Finding {
        Finding::new(self.code(), severity, self.zh(), self.en(), source)
    }
}

/// The aggregate limit must be at least `multiple × insured value` for the basis
/// (003 附件1 一.3: 2 × for first-year key components, 1 × for first set / first batch).
/// Compared exactly; the minimum shown is rounded up to the fen.
pub fn check_aggregate_limit(
    basis: CoverBasis,
    insured_value: Money,
    aggregate_limit: Money,
    multiples: &LimitMultiples,
) -> Result<(), LimitError> {
    if aggregate_limit.is_negative() || aggregate_limit.is_zero() {
        return Err(LimitError::NotPositive {
            entered: aggregate_limit,
        });
    }
    let multiple = multiples.for_basis(basis);
    let exact = insured_value
        .to_decimal()
        .checked_mul(multiple)
        .ok_or(LimitError::TooLarge)?;
    if aggregate_limit.to_decimal() >= exact {
        return Ok(());
    }
    let required = Money::round_from(
        exact.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToPositiveInfinity),
    )
    .map_err(|_| LimitError::TooLarge)?;
    Err(LimitError::BelowMinimum {
        basis,
        multiple,
        required,
        entered: aggregate_limit,
    })
}

/// New materials: the limit is "set from the contract amount and the potential
/// liability" (004 第四条 2) — a judgment, not a formula. What is checkable: the limit
/// is above zero (hard); below the contract amount or below an estimated potential
/// liability it is a warning the underwriter acknowledges.
pub fn check_new_material_limit(
    aggregate_limit: Money,
    contract_amount: Money,
    potential_liability: Option<Money>,
) -> Vec<Finding> {
    let source = SourceRef::new(
        S004,
        "第四条 2",
        "首批次新材料应用保险补偿责任限额根据采购合同金额以及产品可能造成的责任损失额来综合确定",
    );
    let mut out = Vec::new();
    if aggregate_limit.is_negative() || aggregate_limit.is_zero() {
        out.push(
            LimitError::NotPositive {
                entered: aggregate_limit,
            }
            .to_finding(Severity::Hard, source),
        );
        return out;
    }
    if aggregate_limit < contract_amount {
        out.push(Finding::new(
            "limit.below_contract_amount",
            Severity::Warning,
            format!(
                "累计责任限额 {} 元低于采购合同金额 {} 元",
                aggregate_limit.grouped(),
                contract_amount.grouped()
            ),
            format!(
                "aggregate limit {} CNY is below the contract amount {} CNY",
                aggregate_limit.grouped(),
                contract_amount.grouped()
            ),
            source.clone(),
        ));
    }
    if let Some(potential) = potential_liability.filter(|p| aggregate_limit < *p) {
        out.push(Finding::new(
            "limit.below_potential_liability",
            Severity::Warning,
            format!(
                "累计责任限额 {} 元低于估计可能责任损失 {} 元",
                aggregate_limit.grouped(),
                potential.grouped()
            ),
            format!(
                "aggregate limit {} CNY is below the estimated potential liability {} CNY",
                aggregate_limit.grouped(),
                potential.grouped()
            ),
            source,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn check(basis: CoverBasis, value: i64, limit_fen: i64) -> Result<(), LimitError> {
        check_aggregate_limit(
            basis,
            Money::from_yuan(value),
            Money::from_fen(limit_fen),
            &LimitMultiples::annex_003(),
        )
    }

    #[test]
    fn first_year_key_components_need_twice_the_value() {
        let err = check(CoverBasis::FirstYear, 1_000_000, 199_000_000).unwrap_err();
        assert_eq!(
            err.zh(),
            "首年度关键零部件累计责任限额应不低于装备价值的2倍：最低 2,000,000.00 元，录入 1,990,000.00 元"
        );
        assert_eq!(
            err.en(),
            "the aggregate limit for first-year key components must be at least 2 × the insured value: minimum 2,000,000.00 CNY, entered 1,990,000.00 CNY"
        );
        assert!(err.to_string().contains(" / "));
        assert!(check(CoverBasis::FirstYear, 1_000_000, 200_000_000).is_ok());
    }

    #[test]
    fn first_set_and_first_batch_need_the_value() {
        assert!(check(CoverBasis::FirstSet, 1_000_000, 100_000_000).is_ok());
        assert!(check(CoverBasis::FirstBatch, 1_000_000, 99_999_999).is_err());
        assert!(matches!(
            check(CoverBasis::FirstSet, 1, 0),
            Err(LimitError::NotPositive { .. })
        ));
    }

    #[test]
    fn the_minimum_shown_is_rounded_up_to_the_fen() {
        let m = LimitMultiples {
            first_set: dec!(1.5),
            ..LimitMultiples::annex_003()
        };
        let err = check_aggregate_limit(
            CoverBasis::FirstSet,
            Money::from_fen(333),
            Money::from_fen(1),
            &m,
        )
        .unwrap_err();
        assert!(
            matches!(err, LimitError::BelowMinimum { required, .. } if required == Money::from_fen(500))
        );
    }

    #[test]
    fn new_material_limit_below_contract_is_a_warning() {
        let f = check_new_material_limit(
            Money::from_yuan(900_000),
            Money::from_yuan(1_000_000),
            Some(Money::from_yuan(5_000_000)),
        );
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|x| x.severity == Severity::Warning));
        assert!(check_new_material_limit(
            Money::from_yuan(6_000_000),
            Money::from_yuan(1_000_000),
            None
        )
        .is_empty());
        assert!(check_new_material_limit(Money::ZERO, Money::ZERO, None)[0].is_hard());
    }

    proptest! {
        #[test]
        fn accepted_exactly_when_limit_reaches_the_multiple(value in 1i64..10_000_000_000i64, limit in 1i64..30_000_000_000i64) {
            let ok = check_aggregate_limit(CoverBasis::FirstYear, Money::from_fen(value), Money::from_fen(limit), &LimitMultiples::annex_003()).is_ok();
            prop_assert_eq!(ok, limit >= 2 * value);
        }
    }
}
