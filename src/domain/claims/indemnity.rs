//! Indemnity (赔款): agreed loss − deductible, capped by what is left of the section
//! limit (分项责任限额) and the aggregate limit (累计责任限额). Never negative.

use crate::domain::money::Money;
use serde::Serialize;

/// What capped the indemnity, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cap {
    /// 分项责任限额余额
    SectionLimit,
    /// 累计责任限额余额
    AggregateLimit,
}

/// The worked indemnity, every step kept so pages and audit rows can show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Indemnity {
    #[schema(value_type = String)]
    pub agreed_loss: Money,
    #[schema(value_type = String)]
    pub deductible: Money,
    /// agreed loss − deductible, at least zero.
    #[schema(value_type = String)]
    pub after_deductible: Money,
    #[schema(value_type = Option<String>)]
    pub section_left: Option<Money>,
    #[schema(value_type = String)]
    pub aggregate_left: Money,
    /// What the insurer owes.
    #[schema(value_type = String)]
    pub payable: Money,
    pub capped_by: Option<Cap>,
}

/// Work out the indemnity. Negative "left" amounts (a limit already overspent by a
/// data error) count as nothing left.
pub fn indemnity(
    agreed_loss: Money,
    deductible: Money,
    section_left: Option<Money>,
    aggregate_left: Money,
) -> Indemnity {
    let after_deductible = agreed_loss
        .checked_sub(deductible)
        .unwrap_or(Money::ZERO)
        .max(Money::ZERO);
    let aggregate = aggregate_left.max(Money::ZERO);
    let section = section_left.map(|s| s.max(Money::ZERO));
    let mut payable = after_deductible;
    let mut capped_by = None;
    if let Some(s) = section {
        if s < payable {
            payable = s;
            capped_by = Some(Cap::SectionLimit);
        }
    }
    if aggregate < payable {
        payable = aggregate;
        capped_by = Some(Cap::AggregateLimit);
    }
    Indemnity {
        agreed_loss,
        deductible,
        after_deductible,
        section_left: section,
        aggregate_left: aggregate,
        payable,
        capped_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn y(n: i64) -> Money {
        Money::from_yuan(n)
    }

    #[test]
    fn loss_less_deductible_when_the_limits_have_room() {
        let i = indemnity(y(100_000), y(20_000), Some(y(500_000)), y(1_000_000));
        assert_eq!(i.payable, y(80_000));
        assert_eq!(i.capped_by, None);
    }

    #[test]
    fn a_loss_below_the_deductible_pays_nothing() {
        let i = indemnity(y(15_000), y(20_000), None, y(1_000_000));
        assert_eq!(i.after_deductible, Money::ZERO);
        assert_eq!(i.payable, Money::ZERO);
    }

    #[test]
    fn the_section_limit_caps_before_the_aggregate() {
        let i = indemnity(y(300_000), y(10_000), Some(y(250_000)), y(900_000));
        assert_eq!(i.payable, y(250_000));
        assert_eq!(i.capped_by, Some(Cap::SectionLimit));
    }

    #[test]
    fn what_is_left_of_the_aggregate_caps_the_payment() {
        let i = indemnity(y(30_000), Money::ZERO, None, y(10_000));
        assert_eq!(i.payable, y(10_000));
        assert_eq!(i.capped_by, Some(Cap::AggregateLimit));
    }

    proptest! {
        #[test]
        fn indemnity_never_exceeds_what_is_left_and_is_never_negative(
            loss in -1_000_000_000i64..10_000_000_000,
            deductible in 0i64..1_000_000_000,
            section in proptest::option::of(-1_000_000i64..10_000_000_000),
            aggregate in -1_000_000i64..10_000_000_000,
        ) {
            let i = indemnity(
                Money::from_fen(loss),
                Money::from_fen(deductible),
                section.map(Money::from_fen),
                Money::from_fen(aggregate),
            );
            prop_assert!(!i.payable.is_negative());
            prop_assert!(i.payable <= Money::from_fen(aggregate).max(Money::ZERO));
            if let Some(s) = section {
                prop_assert!(i.payable <= Money::from_fen(s).max(Money::ZERO));
            }
            prop_assert!(i.payable <= i.after_deductible);
            prop_assert!(i.after_deductible.fen() <= loss.max(0));
        }
    }
}
