//! A rate filing (费率备案) for one clause set: base rate per section, the range each
//! risk modifier may take, and the band the final rate must stay in.
//!
//! Modifiers follow the risk features the national notice names — 技术成熟度、
//! 应用场景复杂度、历史赔付率 (001 四(二)); insurers must keep to filed rates
//! (003 三(五)) and rates follow 保本微利 with periodic backtesting (000 三(六)).

use super::date;
use super::issue::{check_code, check_kind, check_unique, DocumentKind, Issue, KeyPath};
use super::set::ClauseVersion;
use super::text::Text;
use crate::domain::money::Rate;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Base rate of one section (基础费率).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionRate {
    pub section: String,
    pub rate: Rate,
}

/// The allowed range of one multiplicative modifier (调整系数).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModifierRange {
    pub name: Text,
    pub min: Decimal,
    pub max: Decimal,
}

impl ModifierRange {
    pub fn contains(&self, factor: Decimal) -> bool {
        self.min <= factor && factor <= self.max
    }

    fn check(&self, at: &KeyPath, issues: &mut Vec<Issue>) {
        self.name.check(&at.key("name"), issues);
        if self.min <= Decimal::ZERO {
            issues.push(Issue::new(at.key("min"), "a modifier must be above 0"));
        }
        if self.min > self.max {
            issues.push(Issue::new(at.key("min"), "min is above max"));
        }
        if !self.contains(Decimal::ONE) {
            issues.push(Issue::new(
                at.key("min"),
                "the range must include 1 (no adjustment)",
            ));
        }
    }
}

/// The three filed modifiers (费率调整因子).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Modifiers {
    /// 技术成熟度
    pub technical_maturity: ModifierRange,
    /// 应用场景复杂度
    pub scenario_complexity: ModifierRange,
    /// 历史赔付率
    pub loss_history: ModifierRange,
}

/// The filed band of the final rate (备案费率区间).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateBand {
    pub min: Rate,
    pub max: Rate,
}

impl RateBand {
    pub fn contains(&self, rate: Rate) -> bool {
        self.min <= rate && rate <= self.max
    }
}

/// A rate filing for one clause-set version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateFiling {
    pub kind: DocumentKind,
    pub clause_set: String,
    pub clause_set_version: ClauseVersion,
    #[serde(deserialize_with = "date::required")]
    pub filed_on: NaiveDate,
    /// The filing's reference at the regulator, or a note that it is a placeholder.
    pub reference: Text,
    pub base_rates: Vec<SectionRate>,
    pub modifiers: Modifiers,
    pub band: RateBand,
}

impl RateFiling {
    pub fn base_rate(&self, section: &str) -> Option<Rate> {
        self.base_rates
            .iter()
            .find(|r| r.section == section)
            .map(|r| r.rate)
    }

    /// Every problem of meaning that needs no other file (sections are checked
    /// against the clause set by the library loader).
    pub fn validate(&self) -> Vec<Issue> {
        let root = KeyPath::root();
        let mut issues = Vec::new();
        check_kind(self.kind, DocumentKind::RateFiling, &mut issues);
        check_code(&self.clause_set, root.key("clause_set"), &mut issues);
        self.reference.check(&root.key("reference"), &mut issues);
        if self.base_rates.is_empty() {
            issues.push(Issue::new(root.key("base_rates"), "no base rates"));
        }
        check_unique(
            self.base_rates.iter().map(|r| r.section.as_str()),
            |i| root.key("base_rates").index(i).key("section"),
            "section",
            &mut issues,
        );
        for (i, r) in self.base_rates.iter().enumerate() {
            if r.rate == Rate::ZERO {
                issues.push(Issue::new(
                    root.key("base_rates").index(i).key("rate"),
                    "a base rate of 0",
                ));
            }
        }
        let m = root.key("modifiers");
        self.modifiers
            .technical_maturity
            .check(&m.key("technical_maturity"), &mut issues);
        self.modifiers
            .scenario_complexity
            .check(&m.key("scenario_complexity"), &mut issues);
        self.modifiers
            .loss_history
            .check(&m.key("loss_history"), &mut issues);
        if self.band.min > self.band.max {
            issues.push(Issue::new(
                root.key("band").key("min"),
                "band min is above band max",
            ));
        }
        issues
    }
}
