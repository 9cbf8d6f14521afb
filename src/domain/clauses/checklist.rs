//! Claim document checklists (理赔单证清单), one per claim type — what the handler
//! asks for in one go (Insurance Law art. 22, DOMAIN "Claims").

use super::issue::{check_code, check_kind, check_unique, DocumentKind, Issue, KeyPath};
use super::set::ClauseVersion;
use super::text::Text;
use serde::{Deserialize, Serialize};

/// The kind of claim (索赔类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimType {
    /// 质量风险 — 修理
    QualityRepair,
    /// 质量风险 — 更换
    QualityReplacement,
    /// 质量风险 — 退货
    QualityReturn,
    /// 责任风险 — 财产损失
    LiabilityPropertyDamage,
    /// 责任风险 — 人身伤亡
    LiabilityBodilyInjury,
    /// 国内运输 — 货损
    TransportDamage,
}

impl ClaimType {
    pub const ALL: [ClaimType; 6] = [
        ClaimType::QualityRepair,
        ClaimType::QualityReplacement,
        ClaimType::QualityReturn,
        ClaimType::LiabilityPropertyDamage,
        ClaimType::LiabilityBodilyInjury,
        ClaimType::TransportDamage,
    ];

    /// The snake_case name used in files, JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimType::QualityRepair => "quality_repair",
            ClaimType::QualityReplacement => "quality_replacement",
            ClaimType::QualityReturn => "quality_return",
            ClaimType::LiabilityPropertyDamage => "liability_property_damage",
            ClaimType::LiabilityBodilyInjury => "liability_bodily_injury",
            ClaimType::TransportDamage => "transport_damage",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimType> {
        ClaimType::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }
}

/// One document on a checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistDocument {
    pub code: String,
    pub zh: String,
    pub en: String,
    /// Needed for every claim of this type (otherwise: when it applies).
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

/// The documents for one claim type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    pub claim_type: ClaimType,
    pub name: Text,
    pub documents: Vec<ChecklistDocument>,
}

/// All checklists, versioned as one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimChecklists {
    pub kind: DocumentKind,
    pub version: ClauseVersion,
    pub checklists: Vec<Checklist>,
}

impl ClaimChecklists {
    pub fn validate(&self) -> Vec<Issue> {
        let root = KeyPath::root();
        let mut issues = Vec::new();
        check_kind(self.kind, DocumentKind::ClaimChecklists, &mut issues);
        if !self.version.is_well_formed() {
            issues.push(Issue::new(
                root.key("version"),
                "a version is dot-separated numbers",
            ));
        }
        let types: Vec<String> = self
            .checklists
            .iter()
            .map(|c| format!("{:?}", c.claim_type))
            .collect();
        check_unique(
            types.iter().map(String::as_str),
            |i| root.key("checklists").index(i).key("claim_type"),
            "claim type",
            &mut issues,
        );
        for (i, list) in self.checklists.iter().enumerate() {
            let at = root.key("checklists").index(i);
            list.name.check(&at.key("name"), &mut issues);
            if list.documents.is_empty() {
                issues.push(Issue::new(
                    at.key("documents"),
                    "a checklist needs documents",
                ));
            }
            check_unique(
                list.documents.iter().map(|d| d.code.as_str()),
                |j| at.key("documents").index(j).key("code"),
                "document code",
                &mut issues,
            );
            for (j, doc) in list.documents.iter().enumerate() {
                let d = at.key("documents").index(j);
                check_code(&doc.code, d.key("code"), &mut issues);
                if doc.zh.trim().is_empty() || doc.en.trim().is_empty() {
                    issues.push(Issue::new(d.key("zh"), "a document needs zh and en names"));
                }
            }
        }
        issues
    }
}
