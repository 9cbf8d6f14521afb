//! The installments actually due after endorsements and cancellation.
//!
//! A plan is agreed on the premium due when it is set. A later additional premium
//! (批改加费) becomes a new installment due on the endorsement's effective date; a
//! return premium (批改退费, 退保退费) reduces the last installments first — the ones
//! least likely to have been paid — and never below zero. What has already been paid
//! beyond the reduced total shows up as credit, to be refunded.

use super::Installment;
use crate::domain::money::Money;
use chrono::NaiveDate;
use serde::Serialize;

/// A change of the premium due after the plan was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PremiumChange {
    pub effective_on: NaiveDate,
    /// Additional (+) or return (−) premium.
    pub adjustment: Money,
}

/// Where an installment of the schedule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Agreed in the payment plan (or the default single payment).
    Plan,
    /// Added for an endorsement's additional premium.
    AdditionalPremium,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheduled {
    pub installment: Installment,
    pub origin: Origin,
    /// The amount before any return premium reduced it.
    pub original: Money,
}

/// Apply the changes, in order, to the plan.
pub fn schedule(plan: &[Installment], changes: &[PremiumChange]) -> Vec<Scheduled> {
    let mut out: Vec<Scheduled> = plan
        .iter()
        .map(|i| Scheduled {
            installment: *i,
            origin: Origin::Plan,
            original: i.amount,
        })
        .collect();
    for c in changes {
        if c.adjustment > Money::ZERO {
            out.push(Scheduled {
                installment: Installment {
                    due_on: c.effective_on,
                    amount: c.adjustment,
                },
                origin: Origin::AdditionalPremium,
                original: c.adjustment,
            });
        } else {
            // A return premium too large to negate (i64::MIN fen) cuts everything.
            let mut left = c.adjustment.try_neg().unwrap_or(Money::from_fen(i64::MAX));
            for s in out.iter_mut().rev() {
                // 0 ≤ cut ≤ both, so neither difference can leave the range.
                let cut = s.installment.amount.max(Money::ZERO).min(left);
                s.installment.amount = s.installment.amount.checked_sub(cut).unwrap_or(Money::ZERO);
                left = left.checked_sub(cut).unwrap_or(Money::ZERO);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, 1).unwrap()
    }

    fn i(m: u32, fen: i64) -> Installment {
        Installment {
            due_on: d(m),
            amount: Money::from_fen(fen),
        }
    }

    #[test]
    fn additional_premium_is_a_new_installment_on_the_effective_date() {
        let s = schedule(
            &[i(1, 1_000)],
            &[PremiumChange {
                effective_on: d(7),
                adjustment: Money::from_fen(250),
            }],
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].installment, i(7, 250));
        assert_eq!(s[1].origin, Origin::AdditionalPremium);
    }

    #[test]
    fn return_premium_reduces_the_last_installments_first() {
        let s = schedule(
            &[i(1, 300), i(4, 300), i(7, 400)],
            &[PremiumChange {
                effective_on: d(5),
                adjustment: Money::from_fen(-500),
            }],
        );
        let amounts: Vec<i64> = s.iter().map(|x| x.installment.amount.fen()).collect();
        assert_eq!(amounts, vec![300, 200, 0]);
        assert_eq!(s[2].original, Money::from_fen(400));
    }

    proptest! {
        #[test]
        fn the_schedule_sums_to_plan_plus_changes(
            plan in proptest::collection::vec(1i64..1_000_000, 1..5),
            changes in proptest::collection::vec(-500_000i64..500_000, 0..5),
        ) {
            let plan: Vec<Installment> = plan.into_iter().enumerate().map(|(n, f)| i(n as u32 + 1, f)).collect();
            let changes: Vec<PremiumChange> = changes.into_iter().map(|a| PremiumChange { effective_on: d(9), adjustment: Money::from_fen(a) }).collect();
            let s = schedule(&plan, &changes);
            // Running total, floored at zero at each step, as the schedule can never owe less than nothing.
            let mut expected = plan.iter().map(|x| x.amount.fen()).sum::<i64>();
            for c in &changes { expected = (expected + c.adjustment.fen()).max(0); }
            let got: i64 = s.iter().map(|x| x.installment.amount.fen()).sum();
            prop_assert_eq!(got, expected);
            prop_assert!(s.iter().all(|x| x.installment.amount >= Money::ZERO));
        }
    }
}
