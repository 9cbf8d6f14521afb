//! The underwriting authority ladder (核保权限阶梯): underwriter → senior underwriter →
//! branch head …, each level with the highest aggregate limit it may accept, how far
//! outside the filed rate band it may go, and whether it may accept cover whose period
//! lies wholly in the past. The levels come from the configuration (`[[underwriting.ladder]]`).
//!
//! Rules (DOMAIN.md "People and what they do here": an underwriter "refers what exceeds
//! authority to a senior underwriter"; issue 15 item 6 adds the levels above):
//! - a quote needs a referral when it is above the quoting person's own level, when its
//!   rate is outside the filed band (003 三(五): filed rates are kept, so a second person
//!   looks at every deviation), or when its period lies wholly in the past;
//! - the referral goes to the lowest level *that decides referrals* whose authority
//!   covers it, and nobody below that level may decide it;
//! - what no level covers is refused.

use super::clauses::RateBand;
use super::money::{Money, Rate};
use super::role::Role;
use rust_decimal::Decimal;
use serde::Serialize;

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Level {
    pub role: Role,
    /// Highest aggregate limit accepted at this level (累计责任限额权限).
    pub limit_authority: Money,
    /// How far outside the filed band this level may accept a rate, as a fraction of the
    /// nearest band edge (0 = only within the band; 0.5 = up to 50 % beyond it).
    pub rate_deviation_authority: Decimal,
    /// May accept cover whose period lies wholly before today (追溯承保).
    pub past_cover: bool,
}

/// What a quote or an endorsement asks of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ask {
    pub aggregate_limit: Money,
    /// The rate's departure from the filed band (see [`deviation`]); 0 inside it.
    pub rate_deviation: Decimal,
    pub wholly_past: bool,
}

impl Level {
    pub fn covers(&self, ask: &Ask) -> bool {
        ask.aggregate_limit <= self.limit_authority
            && ask.rate_deviation <= self.rate_deviation_authority
            && (!ask.wholly_past || self.past_cover)
    }
}

/// Why a ladder read from the configuration is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LadderError {
    #[error("the ladder has no levels")]
    Empty,
    #[error("role {0} is on the ladder twice")]
    Duplicate(&'static str),
    #[error("role {0} neither underwrites nor decides referrals, so it cannot be a level")]
    NotUnderwriting(&'static str),
    #[error("level {0} has less authority than the level below it (limit, rate deviation and past cover may only grow up the ladder)")]
    Shrinks(&'static str),
    #[error("level {0}: the rate deviation authority must be zero or more")]
    NegativeDeviation(&'static str),
    #[error("level {0}: the limit authority must be above zero")]
    NoLimit(&'static str),
    #[error("no level of the ladder decides referrals (add senior_underwriter or branch_head)")]
    NobodyDecides,
}

/// The ladder, lowest level first. Built only through [`Ladder::new`], so it is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ladder {
    levels: Vec<Level>,
}

impl Ladder {
    /// Check and keep the levels; on error, the index of the level at fault.
    pub fn new(levels: Vec<Level>) -> Result<Ladder, (usize, LadderError)> {
        if levels.is_empty() {
            return Err((0, LadderError::Empty));
        }
        for (i, l) in levels.iter().enumerate() {
            let name = l.role.as_str();
            if levels[..i].iter().any(|o| o.role == l.role) {
                return Err((i, LadderError::Duplicate(name)));
            }
            if !l.role.underwrites() && !l.role.decides_referrals() {
                return Err((i, LadderError::NotUnderwriting(name)));
            }
            if l.rate_deviation_authority.is_sign_negative() {
                return Err((i, LadderError::NegativeDeviation(name)));
            }
            if l.limit_authority <= Money::ZERO {
                return Err((i, LadderError::NoLimit(name)));
            }
            if let Some(below) = i.checked_sub(1).and_then(|j| levels.get(j)) {
                if l.limit_authority < below.limit_authority
                    || l.rate_deviation_authority < below.rate_deviation_authority
                    || (below.past_cover && !l.past_cover)
                {
                    return Err((i, LadderError::Shrinks(name)));
                }
            }
        }
        if !levels.iter().any(|l| l.role.decides_referrals()) {
            return Err((levels.len() - 1, LadderError::NobodyDecides));
        }
        Ok(Ladder { levels })
    }

    /// The built-in ladder: underwriter 50,000,000 within the band; senior underwriter
    /// 200,000,000 up to 50 % outside it; branch head 1,000,000,000 up to 100 % and past cover.
    pub fn standard(underwriter: Money, senior: Money) -> Ladder {
        let levels = vec![
            Level {
                role: Role::Underwriter,
                limit_authority: underwriter,
                rate_deviation_authority: Decimal::ZERO,
                past_cover: false,
            },
            Level {
                role: Role::SeniorUnderwriter,
                limit_authority: senior.max(underwriter),
                rate_deviation_authority: Decimal::new(5, 1),
                past_cover: false,
            },
            Level {
                role: Role::BranchHead,
                limit_authority: Money::from_yuan(1_000_000_000).max(senior).max(underwriter),
                rate_deviation_authority: Decimal::ONE,
                past_cover: true,
            },
        ];
        Ladder { levels }
    }

    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    /// The position of a role on the ladder (0 = lowest), if it is on it.
    pub fn rank(&self, role: Role) -> Option<usize> {
        self.levels.iter().position(|l| l.role == role)
    }

    pub fn level(&self, role: Role) -> Option<&Level> {
        self.levels.iter().find(|l| l.role == role)
    }

    /// The level of a role by its code (`senior_underwriter`), as stored on a referral.
    pub fn by_code(&self, code: &str) -> Option<&Level> {
        let role: Role = code.parse().ok()?;
        self.level(role)
    }

    /// The lowest level, among those that decide referrals, whose authority covers `ask`.
    pub fn decider_for(&self, ask: &Ask) -> Option<&Level> {
        self.levels
            .iter()
            .find(|l| l.role.decides_referrals() && l.covers(ask))
    }

    /// The highest level (what nobody may go above).
    pub fn top(&self) -> &Level {
        // `new` and `standard` never build an empty ladder.
        &self.levels[self.levels.len() - 1]
    }

    /// May `role` decide a referral that waits for `level`? Only at that level or above.
    pub fn may_decide(&self, role: Role, level: Role) -> bool {
        match (self.rank(role), self.rank(level)) {
            (Some(mine), Some(needed)) => role.decides_referrals() && mine >= needed,
            _ => false,
        }
    }
}

/// How far `rate` lies outside `band`, relative to the edge it crosses:
/// (rate − max) / max above, (min − rate) / min below, 0 inside. 6 decimal places.
pub fn deviation(rate: Rate, band: &RateBand) -> Decimal {
    let r = rate.as_fraction();
    let (min, max) = (band.min.as_fraction(), band.max.as_fraction());
    let d = if r > max && !max.is_zero() {
        (r - max) / max
    } else if r < min && !min.is_zero() {
        (min - r) / min
    } else {
        Decimal::ZERO
    };
    d.round_dp(6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn ladder() -> Ladder {
        Ladder::standard(Money::from_yuan(50_000_000), Money::from_yuan(200_000_000))
    }

    fn ask(limit: i64, dev: Decimal, past: bool) -> Ask {
        Ask {
            aggregate_limit: Money::from_yuan(limit),
            rate_deviation: dev,
            wholly_past: past,
        }
    }

    #[test]
    fn a_referral_goes_to_the_lowest_deciding_level_that_covers_it() {
        let l = ladder();
        let role = |a: Ask| l.decider_for(&a).map(|x| x.role);
        assert_eq!(
            role(ask(60_000_000, dec!(0), false)),
            Some(Role::SeniorUnderwriter)
        );
        // The underwriter covers 1,000,000 but does not decide referrals.
        assert_eq!(
            role(ask(1_000_000, dec!(0.2), false)),
            Some(Role::SeniorUnderwriter)
        );
        assert_eq!(
            role(ask(250_000_000, dec!(0), false)),
            Some(Role::BranchHead)
        );
        assert_eq!(
            role(ask(1_000_000, dec!(0.6), false)),
            Some(Role::BranchHead)
        );
        assert_eq!(role(ask(1_000_000, dec!(0), true)), Some(Role::BranchHead));
        assert_eq!(role(ask(2_000_000_000, dec!(0), false)), None);
    }

    #[test]
    fn nobody_below_the_level_decides() {
        let l = ladder();
        assert!(l.may_decide(Role::BranchHead, Role::SeniorUnderwriter));
        assert!(l.may_decide(Role::SeniorUnderwriter, Role::SeniorUnderwriter));
        assert!(!l.may_decide(Role::SeniorUnderwriter, Role::BranchHead));
        assert!(!l.may_decide(Role::Underwriter, Role::SeniorUnderwriter));
        assert!(!l.may_decide(Role::Finance, Role::SeniorUnderwriter));
    }

    #[test]
    fn a_ladder_whose_authority_shrinks_is_refused() {
        let mut levels = ladder().levels().to_vec();
        levels[2].limit_authority = Money::from_yuan(1);
        assert_eq!(
            Ladder::new(levels),
            Err((2, LadderError::Shrinks("branch_head")))
        );
        let mut levels = ladder().levels().to_vec();
        levels[1].role = Role::Finance;
        assert_eq!(
            Ladder::new(levels),
            Err((1, LadderError::NotUnderwriting("finance")))
        );
        assert_eq!(Ladder::new(vec![]), Err((0, LadderError::Empty)));
        let only_uw = vec![ladder().levels()[0].clone()];
        assert_eq!(Ladder::new(only_uw), Err((0, LadderError::NobodyDecides)));
        assert!(Ladder::new(ladder().levels().to_vec()).is_ok());
    }

    #[test]
    fn deviation_is_measured_from_the_crossed_edge() {
        let band = RateBand {
            min: Rate::from_fraction(dec!(0.01)).unwrap(),
            max: Rate::from_fraction(dec!(0.03)).unwrap(),
        };
        let r = |d: Decimal| Rate::from_fraction(d).unwrap();
        assert_eq!(deviation(r(dec!(0.02)), &band), dec!(0));
        // 4.41 % against a 3 % ceiling: 47 % above it.
        assert_eq!(deviation(r(dec!(0.0441)), &band), dec!(0.47));
        assert_eq!(deviation(r(dec!(0.008)), &band), dec!(0.2));
    }
}
