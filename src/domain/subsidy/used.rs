//! The facts a verdict used, each with its value, who recorded it, when, and from
//! which document — what the subsidy page and API show beside every verdict.

use super::facts::{FactKind, Known, Provenance};
use super::{EnterpriseYear, SubsidyFacts};
use serde::Serialize;

/// One fact as the assessment saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactUsed {
    /// The code conditions refer to (`ConditionCheck::facts`).
    pub code: &'static str,
    pub label_zh: String,
    pub label_en: String,
    /// `None` when nobody has recorded it.
    pub value_zh: Option<String>,
    pub value_en: Option<String>,
    pub by: Option<Provenance>,
}

fn fact(
    code: &'static str,
    zh: &str,
    en: &str,
    value: (String, String),
    by: &Provenance,
) -> FactUsed {
    FactUsed {
        code,
        label_zh: zh.into(),
        label_en: en.into(),
        value_zh: Some(value.0),
        value_en: Some(value.1),
        by: Some(by.clone()),
    }
}

fn recorded<T>(
    code: &'static str,
    kind: FactKind,
    known: Option<&Known<T>>,
    show: impl Fn(&T) -> (String, String),
) -> FactUsed {
    FactUsed {
        code,
        label_zh: kind.zh().into(),
        label_en: kind.en().into(),
        value_zh: known.map(|k| show(&k.value).0),
        value_en: known.map(|k| show(&k.value).1),
        by: known.map(|k| k.by.clone()),
    }
}

fn yes_no(b: &bool) -> (String, String) {
    if *b {
        ("是".into(), "yes".into())
    } else {
        ("否".into(), "no".into())
    }
}

fn day(d: &chrono::NaiveDate) -> (String, String) {
    (d.to_string(), d.to_string())
}

/// Every fact of the policy, the recorded ones with their provenance.
pub(super) fn facts_used(f: &SubsidyFacts, e: &EnterpriseYear) -> Vec<FactUsed> {
    let policy = &f.policy_source;
    let billing = Provenance::system("保费收付记录 / premium ledger");
    let parties = Provenance::system("当事方关系 / party relations");
    let catalogue = Provenance::system("目录产品资格 / catalogue qualification");
    let money = |m: crate::domain::money::Money| {
        (
            format!("{} 元", m.grouped()),
            format!("{} CNY", m.grouped()),
        )
    };
    let chain = f
        .chain
        .iter()
        .map(|l| {
            let rel = match (l.related_party, l.trader) {
                (true, _) => ("关联企业", "related party"),
                (_, true) => ("贸易商", "trader"),
                _ => ("无关联", "unrelated"),
            };
            (
                format!("{} {}：{}", l.role.zh(), l.party_name, rel.0),
                format!("{} {}: {}", l.role.en(), l.party_name, rel.1),
            )
        })
        .fold((String::new(), String::new()), |(a, b), (x, y)| {
            if a.is_empty() {
                (x, y)
            } else {
                (format!("{a}；{x}"), format!("{b}; {y}"))
            }
        });
    vec![
        fact(
            "premium",
            "保费金额",
            "premium due",
            money(f.premium),
            policy,
        ),
        fact(
            "premium_paid",
            "已缴保费金额",
            "premium paid",
            money(f.premium_paid),
            &billing,
        ),
        fact(
            "first_installment",
            "首期保费",
            "first installment",
            money(f.first_installment),
            &billing,
        ),
        fact(
            "policy_effective",
            "保单已生效",
            "policy has come into force",
            yes_no(&f.policy_effective),
            &Provenance::system("保单状态 / policy state"),
        ),
        fact(
            "period",
            "保险期间",
            "policy period",
            (
                format!("{} 至 {}", f.period.start, f.period.end),
                format!("{} to {}", f.period.start, f.period.end),
            ),
            policy,
        ),
        fact(
            "contract_amount",
            "销售合同金额",
            "contract amount",
            money(f.contract_amount),
            policy,
        ),
        fact(
            "parties_on_policy",
            "保单当事方",
            "parties on the policy",
            (
                format!(
                    "{} 家生产企业、{} 家用户单位",
                    f.makers_on_policy, f.users_on_policy
                ),
                format!(
                    "{} maker(s), {} user(s)",
                    f.makers_on_policy, f.users_on_policy
                ),
            ),
            policy,
        ),
        fact(
            "chain",
            "用户及中间方与生产企业的关系",
            "user and intermediaries against the maker",
            chain,
            &parties,
        ),
        recorded(
            "ownership",
            FactKind::Ownership,
            f.ownership.as_ref(),
            |r| (r.zh().to_string(), r.en().to_string()),
        ),
        fact(
            "end_user_receipt",
            "最终用户接收证明",
            "end-user receipt",
            yes_no(&f.end_user_proof),
            policy,
        ),
        recorded(
            "national_subsidy_received",
            FactKind::NationalSubsidyReceived,
            f.nationally_subsidised.as_ref(),
            yes_no,
        ),
        recorded(
            "application_award_received",
            FactKind::ApplicationAwardReceived,
            f.application_award.as_ref(),
            yes_no,
        ),
        fact(
            "qualification",
            "首台(套)资格有效期",
            "qualification validity",
            match f.qualification {
                Some(q) => (
                    format!("{} 至 {}", q.valid_from, q.valid_until),
                    format!("{} to {}", q.valid_from, q.valid_until),
                ),
                None => ("未录入".into(), "not entered".into()),
            },
            &catalogue,
        ),
        recorded(
            "manufactured",
            FactKind::Manufactured,
            f.manufacture_date.as_ref(),
            day,
        ),
        recorded(
            "delivered",
            FactKind::Delivered,
            f.delivery_date.as_ref(),
            day,
        ),
        fact(
            "cover_basis",
            "投保方式",
            "cover basis",
            (
                crate::domain::limits::basis_zh(f.basis).to_string(),
                crate::domain::limits::basis_en(f.basis).to_string(),
            ),
            policy,
        ),
        fact(
            "maker_province",
            "生产企业注册地",
            "maker registered in",
            (f.maker_province.clone(), f.maker_province.clone()),
            &parties,
        ),
        recorded(
            "credit_status",
            FactKind::CreditStatus,
            f.dishonest_entity.as_ref(),
            |d| {
                if *d {
                    ("失信主体".into(), "listed as dishonest".into())
                } else {
                    ("非失信主体".into(), "not listed".into())
                }
            },
        ),
        recorded(
            "fraud_ban",
            FactKind::FraudBan,
            f.fraud_ban.as_ref(),
            |b| match (b.banned_from, b.banned_until) {
                (Some(a), Some(z)) => {
                    (format!("禁止申报 {a} 至 {z}"), format!("banned {a} to {z}"))
                }
                _ => ("无禁止申报".into(), "no ban".into()),
            },
        ),
        recorded(
            "national_quota",
            FactKind::NationalQuota,
            e.quota.as_ref(),
            |q| {
                (
                    format!(
                        "额度 {} 元，已用 {} 元",
                        q.grouped(),
                        e.quota_used.grouped()
                    ),
                    format!(
                        "quota {} CNY, {} CNY used",
                        q.grouped(),
                        e.quota_used.grouped()
                    ),
                )
            },
        ),
    ]
}
