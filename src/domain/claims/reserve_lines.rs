//! Reserves by cost type (分类准备金): the case reserve (未决赔款准备金) split into the
//! costs the model clauses cover — 修理 / 更换 / 退货 (quality risk), 第三者财产损失 /
//! 人身伤害 (liability risk) and 理赔费用 (claim expenses). The lines always add up to the
//! case reserve; when the total moves without a new breakdown (a decision, a payment),
//! the lines follow it in proportion.

use crate::domain::clauses::ClaimType;
use crate::domain::money::Money;
use serde::{Deserialize, Serialize};

/// A cost type of the case reserve.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CostType {
    /// 修理费用
    Repair,
    /// 更换费用
    Replacement,
    /// 退货费用
    Return,
    /// 第三者财产损失
    ThirdPartyProperty,
    /// 人身伤害
    BodilyInjury,
    /// 理赔费用（查勘、鉴定、诉讼等）
    ClaimExpenses,
}

impl CostType {
    pub const ALL: [CostType; 6] = [
        CostType::Repair,
        CostType::Replacement,
        CostType::Return,
        CostType::ThirdPartyProperty,
        CostType::BodilyInjury,
        CostType::ClaimExpenses,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CostType::Repair => "repair",
            CostType::Replacement => "replacement",
            CostType::Return => "return",
            CostType::ThirdPartyProperty => "third_party_property",
            CostType::BodilyInjury => "bodily_injury",
            CostType::ClaimExpenses => "claim_expenses",
        }
    }

    pub fn parse(s: &str) -> Option<CostType> {
        CostType::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    pub fn zh(self) -> &'static str {
        match self {
            CostType::Repair => "修理",
            CostType::Replacement => "更换",
            CostType::Return => "退货",
            CostType::ThirdPartyProperty => "第三者财产损失",
            CostType::BodilyInjury => "人身伤害",
            CostType::ClaimExpenses => "理赔费用",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CostType::Repair => "Repair",
            CostType::Replacement => "Replacement",
            CostType::Return => "Return",
            CostType::ThirdPartyProperty => "Third-party property",
            CostType::BodilyInjury => "Bodily injury",
            CostType::ClaimExpenses => "Claim expenses",
        }
    }

    /// Where a reserve given as one amount goes: the cost the claim type is about.
    pub fn primary_for(claim_type: ClaimType) -> CostType {
        match claim_type {
            ClaimType::QualityRepair | ClaimType::TransportDamage => CostType::Repair,
            ClaimType::QualityReplacement => CostType::Replacement,
            ClaimType::QualityReturn => CostType::Return,
            ClaimType::LiabilityPropertyDamage => CostType::ThirdPartyProperty,
            ClaimType::LiabilityBodilyInjury => CostType::BodilyInjury,
        }
    }
}

/// The current reserve of each cost type, in [`CostType::ALL`] order (zero lines kept).
pub type Lines = [(CostType, Money); 6];

pub fn zero_lines() -> Lines {
    CostType::ALL.map(|c| (c, Money::ZERO))
}

pub fn total(lines: &Lines) -> Money {
    Money::from_fen(lines.iter().map(|(_, m)| m.fen()).sum())
}

/// Put `new_total` across the cost types in the proportions of `lines`, to the fen
/// (largest remainder; ties to the earlier type). With nothing to go by — every line
/// zero — it all goes to `primary`. A negative total counts as zero.
pub fn follow_total(lines: &Lines, new_total: Money, primary: CostType) -> Lines {
    let target = i128::from(new_total.fen().max(0));
    let weights: Vec<i128> = lines
        .iter()
        .map(|(_, m)| i128::from(m.fen().max(0)))
        .collect();
    let sum: i128 = weights.iter().sum();
    let mut out = zero_lines();
    if sum == 0 {
        for (c, m) in out.iter_mut() {
            if *c == primary {
                *m = Money::from_fen(target as i64);
            }
        }
        return out;
    }
    let mut shares: Vec<i128> = weights.iter().map(|w| w * target / sum).collect();
    let mut left = target - shares.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    // Largest remainder first; the sort is stable, so ties keep the type order.
    order.sort_by_key(|&i| std::cmp::Reverse(weights[i] * target % sum));
    for i in order {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    for (i, (_, m)) in out.iter_mut().enumerate() {
        *m = Money::from_fen(shares[i] as i64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lines(fen: [i64; 6]) -> Lines {
        let mut l = zero_lines();
        for (i, f) in fen.into_iter().enumerate() {
            l[i].1 = Money::from_fen(f);
        }
        l
    }

    #[test]
    fn one_amount_goes_to_the_cost_the_claim_is_about() {
        let l = follow_total(
            &zero_lines(),
            Money::from_yuan(80_000),
            CostType::primary_for(ClaimType::LiabilityBodilyInjury),
        );
        assert_eq!(l[4], (CostType::BodilyInjury, Money::from_yuan(80_000)));
        assert_eq!(total(&l), Money::from_yuan(80_000));
    }

    #[test]
    fn a_payment_reduces_every_line_in_proportion() {
        // 60,000 repair + 20,000 expenses; 40,000 paid leaves 30,000 + 10,000.
        let before = lines([6_000_000, 0, 0, 0, 0, 2_000_000]);
        let after = follow_total(&before, Money::from_yuan(40_000), CostType::Repair);
        assert_eq!(after, lines([3_000_000, 0, 0, 0, 0, 1_000_000]));
    }

    #[test]
    fn odd_fen_go_to_the_largest_remainder() {
        let after = follow_total(
            &lines([1, 1, 1, 0, 0, 0]),
            Money::from_fen(2),
            CostType::Repair,
        );
        assert_eq!(total(&after), Money::from_fen(2));
        assert_eq!(after, lines([1, 1, 0, 0, 0, 0]));
    }

    #[test]
    fn names_round_trip() {
        for c in CostType::ALL {
            assert_eq!(CostType::parse(c.as_str()), Some(c));
        }
        assert_eq!(CostType::parse("fees"), None);
    }

    proptest! {
        #[test]
        fn the_lines_always_add_up_to_the_new_total(
            fen in proptest::array::uniform6(0i64..10_000_000_000),
            target in -1_000i64..50_000_000_000,
            p in 0usize..6,
        ) {
            let after = follow_total(&lines(fen), Money::from_fen(target), CostType::ALL[p]);
            prop_assert_eq!(total(&after), Money::from_fen(target.max(0)));
            prop_assert!(after.iter().all(|(_, m)| !m.is_negative()));
            // A type with nothing reserved gets nothing, unless everything was zero.
            if fen.iter().any(|f| *f > 0) {
                for (i, f) in fen.iter().enumerate() {
                    if *f == 0 {
                        prop_assert_eq!(after[i].1, Money::ZERO);
                    }
                }
            }
        }
    }
}
