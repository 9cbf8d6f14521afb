//! Parties (当事方): makers (投保人), users (用户单位) and intermediaries (中间方).

use super::credit_code::{CreditCode, CreditCodeError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a party is to this business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// 装备制造企业 / 新材料生产企业 — the policyholder.
    Maker,
    /// 用户单位 — buys and uses the equipment.
    User,
    /// 中间方 — dealer, leasing company, cooperative (003 annex 1 §一.4).
    Intermediary,
}

/// How two parties relate; either makes a new-materials purchase ineligible (004 第七条 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// 关联企业
    RelatedParty,
    /// 贸易商
    Trader,
}

macro_rules! text_enum {
    ($t:ty, $err:literal, $($v:ident => $s:literal, $zh:literal, $en:literal);+ $(;)?) => {
        impl $t {
            pub fn as_str(self) -> &'static str { match self { $(Self::$v => $s),+ } }
            pub fn zh(self) -> &'static str { match self { $(Self::$v => $zh),+ } }
            pub fn en(self) -> &'static str { match self { $(Self::$v => $en),+ } }
            pub fn all() -> &'static [$t] { &[$(Self::$v),+] }
        }
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim() { $($s => Ok(Self::$v),)+ other => Err(format!($err, other)) }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use text_enum;

text_enum!(PartyKind, "unknown party kind '{}' (maker, user or intermediary)",
    Maker => "maker", "制造企业", "Maker";
    User => "user", "用户单位", "User";
    Intermediary => "intermediary", "中间方", "Intermediary");

text_enum!(Relation, "unknown relation '{}' (related_party or trader)",
    RelatedParty => "related_party", "关联企业", "Related party";
    Trader => "trader", "贸易商", "Trader");

/// Where a party is registered (省/市/县).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Region {
    pub province: String,
    pub city: String,
    pub county: String,
}

/// A field-level problem with a party as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: &'static str,
    pub message: String,
    pub message_zh: String,
}

/// A party as entered, before it is known to be valid.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    pub kind: PartyKind,
    pub name: String,
    pub credit_code: String,
    pub province: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub county: String,
    #[serde(default)]
    pub state_owned: bool,
    #[serde(default)]
    pub contact_email: String,
}

/// A party that passed every check: the only kind the store accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidParty {
    pub kind: PartyKind,
    pub name: String,
    pub credit_code: CreditCode,
    pub region: Region,
    pub state_owned: bool,
    pub contact_email: String,
}

fn credit_issue(e: CreditCodeError) -> FieldIssue {
    FieldIssue {
        field: "credit_code",
        message: e.to_string(),
        message_zh: e.zh(),
    }
}

impl PartyInput {
    /// Check every field and report all problems at once.
    pub fn validate(self) -> Result<ValidParty, Vec<FieldIssue>> {
        let mut issues = Vec::new();
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            issues.push(FieldIssue {
                field: "name",
                message: "a name of 1 to 200 characters is required".into(),
                message_zh: "名称必填，且不超过200字".into(),
            });
        }
        let province = self.province.trim().to_string();
        if province.is_empty() {
            issues.push(FieldIssue {
                field: "province",
                message: "the province is required".into(),
                message_zh: "省份必填".into(),
            });
        }
        let email = self.contact_email.trim().to_string();
        if !email.is_empty() && !looks_like_email(&email) {
            issues.push(FieldIssue {
                field: "contact_email",
                message: "not an e-mail address".into(),
                message_zh: "邮箱地址格式不正确".into(),
            });
        }
        let code = CreditCode::parse(&self.credit_code).map_err(credit_issue);
        match code {
            Ok(credit_code) if issues.is_empty() => Ok(ValidParty {
                kind: self.kind,
                name,
                credit_code,
                region: Region {
                    province,
                    city: self.city.trim().into(),
                    county: self.county.trim().into(),
                },
                state_owned: self.state_owned,
                contact_email: email,
            }),
            Ok(_) => Err(issues),
            Err(issue) => {
                issues.insert(0, issue);
                Err(issues)
            }
        }
    }
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !s.contains(' ')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(code: &str) -> PartyInput {
        PartyInput {
            kind: PartyKind::Maker,
            name: "杭州示例重工有限公司".into(),
            credit_code: code.into(),
            province: "浙江省".into(),
            city: "杭州市".into(),
            county: "余杭区".into(),
            state_owned: false,
            contact_email: String::new(),
        }
    }

    #[test]
    fn a_valid_party_keeps_an_upper_cased_code() {
        let p = input("91350100m000100y43").validate().unwrap();
        assert_eq!(p.credit_code.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn all_problems_are_reported_together() {
        let mut i = input("123");
        i.name = " ".into();
        i.province = String::new();
        let issues = i.validate().unwrap_err();
        let fields: Vec<_> = issues.iter().map(|x| x.field).collect();
        assert_eq!(fields, vec!["credit_code", "name", "province"]);
    }
}
