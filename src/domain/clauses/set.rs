//! A clause set (条款): the sections a policy can carry, what each covers and
//! excludes, its limit and deductible options. Versioned; a policy keeps the exact
//! version it was issued on (DOMAIN "Products and the model clauses").

use super::checklist::ClaimType;
use super::date;
use super::issue::{check_code, check_kind, check_unique, DocumentKind, Issue, KeyPath};
use super::text::Text;
use crate::domain::money::{Money, Rate};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// The two lines of business (险种).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductLine {
    /// 首台(套)重大技术装备综合险
    FirstSetEquipment,
    /// 首批次新材料综合险
    FirstBatchNewMaterial,
}

/// Kind of section (保险责任部分).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// 质量风险
    Quality,
    /// 责任风险
    Liability,
    /// 安装测试期间（扩展）
    InstallationTesting,
    /// 国内运输（扩展）
    DomesticTransport,
}

/// How a limit applies (限额类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitType {
    /// 累计责任限额 — eroded by every payment over the period.
    Aggregate,
    /// 每次事故责任限额
    PerOccurrence,
    /// 每人人身伤亡责任限额
    PerPerson,
}

/// A clause-set version such as `2025.1`: dot-separated numbers, compared numerically.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClauseVersion(pub String);

impl ClauseVersion {
    fn numbers(&self) -> Option<Vec<u32>> {
        self.0.split('.').map(|p| p.parse().ok()).collect()
    }

    pub fn is_well_formed(&self) -> bool {
        self.numbers().is_some()
    }
}

impl Ord for ClauseVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.numbers(), other.numbers()) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.0.cmp(&other.0),
        }
    }
}

impl PartialOrd for ClauseVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ClauseVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A covered cause (保险责任) or an exclusion (责任免除).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseItem {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// A limit the section can carry (责任限额选项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOption {
    pub limit_type: LimitType,
    /// Must every policy with this section set it?
    #[serde(default)]
    pub mandatory: bool,
    pub name: Text,
}

/// How a deductible (免赔额/免赔率) is worked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeductibleRule {
    /// 每次事故绝对免赔额
    Fixed,
    /// 按损失金额的比例
    PercentOfLoss,
    /// 两者以高者为准
    LargerOf,
}

/// A deductible option (免赔选项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeductibleOption {
    pub code: String,
    pub rule: DeductibleRule,
    #[serde(default)]
    pub fixed: Option<Money>,
    #[serde(default)]
    pub percent_of_loss: Option<Rate>,
    pub name: Text,
}

impl DeductibleOption {
    /// The deductible on one loss; with `larger_of` the higher of the fixed amount and
    /// the percentage of the loss. Never more than the loss itself.
    pub fn deductible_for(&self, loss: Money) -> Money {
        let fixed = self.fixed.unwrap_or(Money::ZERO);
        let percent = self
            .percent_of_loss
            .and_then(|r| loss.at_rate(r).ok())
            .unwrap_or(Money::ZERO);
        let d = match self.rule {
            DeductibleRule::Fixed => fixed,
            DeductibleRule::PercentOfLoss => percent,
            DeductibleRule::LargerOf => fixed.max(percent),
        };
        d.min(loss.max(Money::ZERO))
    }

    fn check(&self, at: &KeyPath, issues: &mut Vec<Issue>) {
        check_code(&self.code, at.key("code"), issues);
        self.name.check(&at.key("name"), issues);
        let needs_fixed = matches!(self.rule, DeductibleRule::Fixed | DeductibleRule::LargerOf);
        let needs_percent = matches!(
            self.rule,
            DeductibleRule::PercentOfLoss | DeductibleRule::LargerOf
        );
        match self.fixed {
            None if needs_fixed => issues.push(Issue::new(
                at.key("rule"),
                "this rule needs a fixed amount ('fixed')",
            )),
            Some(m) if m.is_negative() => issues.push(Issue::new(
                at.key("fixed"),
                "a deductible cannot be negative",
            )),
            _ => {}
        }
        match self.percent_of_loss {
            None if needs_percent => issues.push(Issue::new(
                at.key("rule"),
                "this rule needs a percentage of the loss ('percent_of_loss')",
            )),
            Some(r) if r == Rate::ZERO => issues.push(Issue::new(
                at.key("percent_of_loss"),
                "a percentage deductible of 0 means no deductible; leave it out",
            )),
            _ => {}
        }
    }
}

/// One section of a clause set (保险责任部分).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub code: String,
    pub kind: SectionKind,
    /// An extension (扩展条款) the policyholder may leave out.
    #[serde(default)]
    pub optional: bool,
    pub name: Text,
    pub summary: Text,
    pub covered_causes: Vec<ClauseItem>,
    pub exclusions: Vec<ClauseItem>,
    pub limit_options: Vec<LimitOption>,
    #[serde(default)]
    pub deductible_options: Vec<DeductibleOption>,
    /// Do recoveries (追偿所得) restore the aggregate limit? Default no.
    #[serde(default)]
    pub recoveries_restore_limit: bool,
    pub claim_types: Vec<ClaimType>,
}

impl Section {
    fn check(&self, at: &KeyPath, issues: &mut Vec<Issue>) {
        check_code(&self.code, at.key("code"), issues);
        self.name.check(&at.key("name"), issues);
        self.summary.check(&at.key("summary"), issues);
        for (list, key, what) in [
            (&self.covered_causes, "covered_causes", "covered cause"),
            (&self.exclusions, "exclusions", "exclusion"),
        ] {
            if list.is_empty() {
                issues.push(Issue::new(
                    at.key(key),
                    format!("at least one {what} is needed"),
                ));
            }
            check_unique(
                list.iter().map(|i| i.code.as_str()),
                |_| at.key(key),
                what,
                issues,
            );
            for item in list.iter() {
                check_code(&item.code, at.key(key), issues);
                if item.zh.trim().is_empty() || item.en.trim().is_empty() {
                    issues.push(Issue::new(
                        at.key(key),
                        format!("{what} '{}' needs zh and en", item.code),
                    ));
                }
            }
        }
        if !self
            .limit_options
            .iter()
            .any(|l| l.limit_type == LimitType::Aggregate)
        {
            issues.push(Issue::new(
                at.key("limit_options"),
                "every section needs an aggregate limit (累计责任限额) option",
            ));
        }
        let types: Vec<String> = self
            .limit_options
            .iter()
            .map(|l| format!("{:?}", l.limit_type))
            .collect();
        check_unique(
            types.iter().map(String::as_str),
            |_| at.key("limit_options"),
            "limit type",
            issues,
        );
        for (i, option) in self.limit_options.iter().enumerate() {
            option
                .name
                .check(&at.key("limit_options").index(i).key("name"), issues);
        }
        check_unique(
            self.deductible_options.iter().map(|d| d.code.as_str()),
            |i| at.key("deductible_options").index(i).key("code"),
            "deductible option",
            issues,
        );
        for (i, option) in self.deductible_options.iter().enumerate() {
            option.check(&at.key("deductible_options").index(i), issues);
        }
        if self.claim_types.is_empty() {
            issues.push(Issue::new(
                at.key("claim_types"),
                "name the claim types this section answers",
            ));
        }
    }
}

/// A versioned clause set (条款版本).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseSet {
    pub kind: DocumentKind,
    pub id: String,
    pub version: ClauseVersion,
    #[serde(deserialize_with = "date::required")]
    pub effective_from: NaiveDate,
    pub product: ProductLine,
    pub name: Text,
    /// Says whose words these are (the project's own, replaceable by filed text).
    pub wording_note: Text,
    /// Main lines the maker chooses among (自主决定投保险种, 003 二(一)1, 000 三(六),
    /// 001 四(二)): each may be optional, but at least one of them must be taken.
    /// Empty: every non-optional section is taken (Shanxi's 综合险 is both, 004 第四条1).
    #[serde(default)]
    pub choose_at_least_one: Vec<String>,
    pub sections: Vec<Section>,
}

impl ClauseSet {
    pub fn section(&self, code: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.code == code)
    }

    /// Every problem of meaning; empty when the set is usable.
    pub fn validate(&self) -> Vec<Issue> {
        let root = KeyPath::root();
        let mut issues = Vec::new();
        check_kind(self.kind, DocumentKind::ClauseSet, &mut issues);
        check_code(&self.id, root.key("id"), &mut issues);
        if !self.version.is_well_formed() {
            issues.push(Issue::new(
                root.key("version"),
                "a version is dot-separated numbers, e.g. 2025.1",
            ));
        }
        self.name.check(&root.key("name"), &mut issues);
        self.wording_note
            .check(&root.key("wording_note"), &mut issues);
        check_unique(
            self.sections.iter().map(|s| s.code.as_str()),
            |i| root.key("sections").index(i).key("code"),
            "section code",
            &mut issues,
        );
        for (i, section) in self.sections.iter().enumerate() {
            section.check(&root.key("sections").index(i), &mut issues);
        }
        for code in &self.choose_at_least_one {
            if self.section(code).is_none() {
                issues.push(Issue::new(
                    root.key("choose_at_least_one"),
                    format!("'{code}' is not a section of this set"),
                ));
            }
        }
        for needed in [SectionKind::Quality, SectionKind::Liability] {
            let chosen = |s: &Section| self.choose_at_least_one.contains(&s.code);
            if !self
                .sections
                .iter()
                .any(|s| s.kind == needed && (!s.optional || chosen(s)))
            {
                issues.push(Issue::new(
                    root.key("sections"),
                    format!("a comprehensive (综合险) clause set needs a {needed:?} section, non-optional or among choose_at_least_one"),
                ));
            }
        }
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(rule: DeductibleRule, fixed: Option<i64>, pct: Option<&str>) -> DeductibleOption {
        DeductibleOption {
            code: "d".into(),
            rule,
            fixed: fixed.map(Money::from_yuan),
            percent_of_loss: pct.map(|p| Rate::parse(p).unwrap()),
            name: Text::new("免赔", "Deductible"),
        }
    }

    #[test]
    fn larger_of_takes_the_higher_deductible() {
        let d = option(DeductibleRule::LargerOf, Some(10_000), Some("10%"));
        assert_eq!(
            d.deductible_for(Money::from_yuan(50_000)),
            Money::from_yuan(10_000)
        );
        assert_eq!(
            d.deductible_for(Money::from_yuan(500_000)),
            Money::from_yuan(50_000)
        );
        assert_eq!(
            d.deductible_for(Money::from_yuan(3_000)),
            Money::from_yuan(3_000)
        );
    }

    #[test]
    fn larger_of_without_a_percentage_is_an_issue() {
        let mut issues = Vec::new();
        option(DeductibleRule::LargerOf, Some(1), None).check(&KeyPath::root(), &mut issues);
        assert_eq!(issues.len(), 1);
        assert!(issues[0].reason.contains("percent_of_loss"));
    }

    #[test]
    fn versions_compare_as_numbers() {
        let v = |s: &str| ClauseVersion(s.into());
        assert!(v("2025.10") > v("2025.9"));
        assert!(v("2026.1") > v("2025.12"));
        assert!(!v("2025.x").is_well_formed());
    }
}
