//! Findings (审核意见): what a rule found about a policy, in both languages, with the
//! clause it comes from. Underwriting, cover-basis and subsidy rules all speak this.

use crate::domain::text::Text;
use serde::{Deserialize, Serialize};

/// Where a rule comes from: seed file, article or paragraph, and a short quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// Seed file name, e.g. `003_88b4fbae1ca493a5.txt`.
    pub seed: String,
    /// Article or paragraph, e.g. `附件1 一.3`.
    pub article: String,
    /// The rule's own words, quoted in Chinese.
    pub quote: String,
}

impl SourceRef {
    pub fn new(seed: &str, article: &str, quote: &str) -> SourceRef {
        SourceRef {
            seed: seed.to_owned(),
            article: article.to_owned(),
            quote: quote.to_owned(),
        }
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 不符合 — stops the policy / the subsidy.
    Hard,
    /// 提示 — "原则上" rules and review focuses: the underwriter must acknowledge it.
    Warning,
    /// 待满足 — not yet met but will be by itself (full payment, policy in force).
    Pending,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    /// What was found, in both languages; stored as the finding's own `zh` and `en`.
    #[serde(flatten)]
    pub text: Text,
    pub source: SourceRef,
}

impl Finding {
    pub fn new(
        code: &str,
        severity: Severity,
        zh: String,
        en: String,
        source: SourceRef,
    ) -> Finding {
        Finding {
            code: code.to_owned(),
            severity,
            text: Text::new(zh, en),
            source,
        }
    }

    pub fn is_hard(&self) -> bool {
        self.severity == Severity::Hard
    }
}

/// Does any finding stop the case?
pub fn any_hard(findings: &[Finding]) -> bool {
    findings.iter().any(Finding::is_hard)
}

#[cfg(test)]
mod tests {
    use super::{Finding, Severity, SourceRef};

    #[test]
    fn a_finding_is_stored_with_its_own_zh_and_en_as_before() {
        let f = Finding::new(
            "cover.units",
            Severity::Hard,
            "仅承保前三台".into(),
            "only the first three units".into(),
            SourceRef::new("003.txt", "一.3", "前三台"),
        );
        let v = serde_json::to_value(&f).unwrap_or_default();
        assert_eq!(v["zh"], "仅承保前三台");
        assert_eq!(v["en"], "only the first three units");
        assert!(v.get("text").is_none());
        let back: Finding = serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, f);
    }
}
