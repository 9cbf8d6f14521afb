//! Allocation (核销) of what has been paid to the installments, oldest due first.
//!
//! Money paid is not tied to one installment: the bank reference rarely says which,
//! and the subsidy rules look only at the total. So the net amount paid fills the
//! installments in due-date order; whatever is left over is credit (溢缴) held for
//! the policyholder.

use super::Installment;
use crate::domain::money::Money;

/// How `paid` is spread over the installments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// Allocated to each installment, in the order the installments were given.
    pub allocated: Vec<Money>,
    /// Paid beyond the sum of all installments.
    pub credit: Money,
}

impl Allocation {
    pub fn outstanding(&self, installments: &[Installment]) -> Vec<Money> {
        installments
            .iter()
            .zip(&self.allocated)
            // 0 ≤ a ≤ max(amount, 0): the difference is always in range.
            .map(|(i, a)| i.amount.checked_sub(*a).unwrap_or(Money::ZERO))
            .collect()
    }
}

/// Spread `paid` over `installments`, earliest due date first (ties keep the given
/// order). A negative or zero `paid` (refunds beyond payments) allocates nothing.
pub fn allocate(installments: &[Installment], paid: Money) -> Allocation {
    let mut order: Vec<usize> = (0..installments.len()).collect();
    order.sort_by_key(|&i| (installments[i].due_on, i));
    let mut left = paid.max(Money::ZERO);
    let mut allocated = vec![Money::ZERO; installments.len()];
    for i in order {
        let take = installments[i].amount.max(Money::ZERO).min(left);
        allocated[i] = take;
        // 0 ≤ take ≤ left, so this never leaves the range.
        left = left.checked_sub(take).unwrap_or(Money::ZERO);
    }
    Allocation {
        allocated,
        credit: left,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).unwrap()
    }

    fn inst(d: u32, yuan: i64) -> Installment {
        Installment {
            due_on: day(d),
            amount: Money::from_yuan(yuan),
        }
    }

    #[test]
    fn earliest_installment_is_filled_first_even_when_listed_last() {
        let plan = [inst(20, 700), inst(5, 300)];
        let a = allocate(&plan, Money::from_yuan(500));
        assert_eq!(
            a.allocated,
            vec![Money::from_yuan(200), Money::from_yuan(300)]
        );
        assert_eq!(a.credit, Money::ZERO);
        assert_eq!(
            a.outstanding(&plan),
            vec![Money::from_yuan(500), Money::ZERO]
        );
    }

    #[test]
    fn over_payment_becomes_credit() {
        let plan = [inst(1, 300), inst(2, 700)];
        let a = allocate(&plan, Money::from_fen(100_001));
        assert_eq!(
            a.allocated,
            vec![Money::from_yuan(300), Money::from_yuan(700)]
        );
        assert_eq!(a.credit, Money::from_fen(1));
    }

    #[test]
    fn nothing_paid_or_refunded_beyond_payments_allocates_nothing() {
        let plan = [inst(1, 300)];
        assert_eq!(allocate(&plan, Money::ZERO).allocated, vec![Money::ZERO]);
        let a = allocate(&plan, Money::from_yuan(-5));
        assert_eq!(a.allocated, vec![Money::ZERO]);
        assert_eq!(a.credit, Money::ZERO);
    }

    fn plans() -> impl Strategy<Value = Vec<Installment>> {
        proptest::collection::vec((1u32..28, 0i64..10_000_000), 0..8).prop_map(|v| {
            v.into_iter()
                .map(|(d, fen)| Installment {
                    due_on: day(d),
                    amount: Money::from_fen(fen),
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn allocated_plus_credit_is_what_was_paid(plan in plans(), paid in 0i64..100_000_000) {
            let a = allocate(&plan, Money::from_fen(paid));
            let total = Money::try_sum(a.allocated.iter().copied()).unwrap();
            prop_assert_eq!(total.try_add(a.credit).unwrap(), Money::from_fen(paid));
        }

        #[test]
        fn no_installment_gets_more_than_its_amount(plan in plans(), paid in 0i64..100_000_000) {
            let a = allocate(&plan, Money::from_fen(paid));
            for (i, got) in plan.iter().zip(&a.allocated) {
                prop_assert!(*got >= Money::ZERO && *got <= i.amount);
            }
            // Credit only once everything is covered.
            if a.credit > Money::ZERO {
                prop_assert!(plan.iter().zip(&a.allocated).all(|(i, got)| *got == i.amount));
            }
        }

        #[test]
        fn a_later_installment_is_touched_only_when_earlier_ones_are_full(plan in plans(), paid in 0i64..100_000_000) {
            let a = allocate(&plan, Money::from_fen(paid));
            for (x, ix) in plan.iter().enumerate() {
                for (y, iy) in plan.iter().enumerate() {
                    let earlier = (ix.due_on, x) < (iy.due_on, y);
                    if earlier && a.allocated[y] > Money::ZERO {
                        prop_assert_eq!(a.allocated[x], ix.amount);
                    }
                }
            }
        }
    }
}
