//! Renewal continuity (续保连续性): 是否续保 and 首保年度 for the summary table
//! (003 附件3), and how many earlier years were subsidised.
//!
//! A renewal is continuous when it starts no later than the day after the previous
//! period ends; a gap breaks continuity, and the first-insured year restarts
//! (003 附件1 一.1: "如不连续的则按新投保项目提交相关材料").

use super::super::prorata::Period;
use chrono::Datelike;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An earlier policy period for the same equipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorYear {
    pub period: Period,
    /// The share ratio it was subsidised at under this programme, if it was.
    pub subsidy_ratio: Option<Decimal>,
}

/// Continuity of this policy with the earlier ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Continuity {
    /// 是否续保 — continuous with the previous period.
    pub is_renewal: bool,
    /// 首保年度 — start year of the unbroken chain this policy belongs to.
    pub first_insured_year: i32,
    /// Earlier years subsidised under this programme (broken chains included).
    pub subsidised_years: u32,
    /// Ratio of the most recent subsidised year.
    pub last_ratio: Option<Decimal>,
    /// The most recent subsidised year is not the period right before this one.
    pub interrupted: bool,
    /// The period right before this one (if continuous) was subsidised.
    pub previous_subsidised: bool,
}

/// Work out continuity from the earlier periods (any order).
pub fn continuity(period: &Period, history: &[PriorYear]) -> Continuity {
    let mut earlier: Vec<&PriorYear> = history
        .iter()
        .filter(|p| p.period.start < period.start)
        .collect();
    earlier.sort_by_key(|p| p.period.start);
    let mut chain_start = period.start;
    let mut chain_len = 0usize;
    for p in earlier.iter().rev() {
        let joins = p
            .period
            .end
            .succ_opt()
            .is_some_and(|next| next >= chain_start);
        if !joins {
            break;
        }
        chain_start = chain_start.min(p.period.start);
        chain_len += 1;
    }
    let previous = (chain_len > 0).then(|| earlier[earlier.len() - 1]);
    let last_subsidised = earlier.iter().rev().find(|p| p.subsidy_ratio.is_some());
    let previous_subsidised = previous.is_some_and(|p| p.subsidy_ratio.is_some());
    Continuity {
        is_renewal: chain_len > 0,
        first_insured_year: chain_start.year(),
        subsidised_years: earlier.iter().filter(|p| p.subsidy_ratio.is_some()).count() as u32,
        last_ratio: last_subsidised.and_then(|p| p.subsidy_ratio),
        interrupted: last_subsidised.is_some() && !previous_subsidised,
        previous_subsidised,
    }
}
