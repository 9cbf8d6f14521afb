//! Subsidy programmes (保险补偿政策) as data: one TOML file per programme and year
//! in `clauses/programmes/`. Next year's programme is a new file, not new code.

pub mod finding;
pub mod rules;
mod validate;

pub use finding::{any_hard, Finding, Severity, SourceRef};
pub use rules::{
    AfterInterruption, AmountCap, AnnualReportRule, CapScope, Condition, ConditionKind, LimitRule,
    LimitRuleKind, PremiumBasis, RateCap, RenewalPolicy, RenewalRule, SeedDocument, ShareRule,
    StartWindow, TierRatios, YearsRule, ALL_CONDITION_KINDS,
};

use crate::domain::clauses::{DocumentKind, Issue, ProductLine, Text};
use serde::{Deserialize, Serialize};

/// A subsidy programme for one jurisdiction and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    pub kind: DocumentKind,
    pub id: String,
    /// The application round (申报年度): a yearly cap and "consecutive years" count per
    /// round, not per calendar year (Zhejiang's 2025 round takes policies starting
    /// 2024-09-01 … 2025-08-31).
    pub year: i32,
    /// The scheme this round belongs to (`zhejiang`, `national`, …): grants recorded
    /// under the same scheme in earlier rounds are this programme's history. Defaults
    /// to the id.
    #[serde(default)]
    pub scheme: Option<String>,
    pub name: Text,
    /// 国家 / 浙江省 / 山西省 ...
    pub jurisdiction: Text,
    pub products: Vec<ProductLine>,
    pub documents: Vec<SeedDocument>,
    pub share: ShareRule,
    #[serde(default)]
    pub rate_cap: Option<RateCap>,
    #[serde(default)]
    pub amount_caps: Vec<AmountCap>,
    #[serde(default)]
    pub years: Option<YearsRule>,
    pub renewal: RenewalRule,
    #[serde(default)]
    pub policy_start_window: Option<StartWindow>,
    #[serde(default)]
    pub limit_rule: Option<LimitRule>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// The yearly report owed to the regulator, if the programme requires one.
    #[serde(default)]
    pub annual_report: Option<AnnualReportRule>,
}

impl Programme {
    /// Every problem of meaning; empty when the programme is usable.
    pub fn validate(&self) -> Vec<Issue> {
        validate::programme(self)
    }

    /// The scheme key grants are recorded under.
    pub fn scheme(&self) -> &str {
        self.scheme.as_deref().unwrap_or(&self.id)
    }

    pub fn condition(&self, kind: ConditionKind) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.kind == kind)
    }

    /// Every rule's source, for pages that list them.
    pub fn sources(&self) -> Vec<&SourceRef> {
        let mut out = vec![&self.share.source, &self.renewal.source];
        out.extend(self.share.interruption_source.as_ref());
        out.extend(self.rate_cap.as_ref().map(|r| &r.source));
        out.extend(self.amount_caps.iter().map(|c| &c.source));
        out.extend(self.years.as_ref().map(|y| &y.source));
        out.extend(self.policy_start_window.as_ref().map(|w| &w.source));
        out.extend(self.limit_rule.as_ref().map(|l| &l.source));
        out.extend(self.conditions.iter().map(|c| &c.source));
        out.extend(self.annual_report.as_ref().map(|r| &r.source));
        out
    }
}
