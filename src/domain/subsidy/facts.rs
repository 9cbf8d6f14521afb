//! Recorded subsidy facts (补贴审核事实): what staff record where the fact arises — per
//! maker, per qualification, per insured unit, per policy year — with who recorded it,
//! when, and the source document. A programme condition is decided only on these (or
//! on what the system itself knows: billing, policy state, parties); a fact nobody has
//! recorded makes the condition pending, never passed.

use crate::domain::money::{Money, Rate};
use crate::domain::role::Role;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Who recorded a fact, when, and on which document (来源).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// User name of the recorder, or `system` for what the system derives itself.
    pub recorded_by: String,
    /// The recorder's role code (`underwriter`, `finance`, `system`).
    pub role: String,
    pub recorded_at: Option<DateTime<Utc>>,
    /// The document it was taken from (信用中国 query, delivery receipt, notice no. …).
    pub source_document: String,
}

impl Provenance {
    /// The source document in both languages where the system named it so
    /// ("保单投保要素 / policy terms"), else the recorder's words.
    pub fn source_text(&self) -> crate::domain::text::Text {
        crate::domain::text::Text::from_record(&self.source_document)
    }

    /// A fact the system derives itself (billing settlement, policy state, parties).
    pub fn system(source: &str) -> Provenance {
        Provenance {
            recorded_by: "system".into(),
            role: "system".into(),
            recorded_at: None,
            source_document: source.into(),
        }
    }
}

/// A recorded value with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known<T> {
    pub value: T,
    pub by: Provenance,
}

impl<T> Known<T> {
    pub fn new(value: T, by: Provenance) -> Known<T> {
        Known { value, by }
    }
}

/// What the subject of a fact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// 生产企业 (party_id)
    Maker,
    /// 首台(套)资格 / 目录产品 (catalogue_item_id)
    Qualification,
    /// 投保装备单台(套) (policy_id + serial)
    Unit,
    /// 保单年度 (policy_id)
    PolicyYear,
}

/// The kinds of fact that can be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// 信用中国 失信主体查询结果
    CreditStatus,
    /// 骗补禁止申报期 (001 三(一): 3 年)
    FraudBan,
    /// 保费补助资金额度 (001 二(一))
    NationalQuota,
    /// 制造完成日期
    Manufactured,
    /// 交付用户日期
    Delivered,
    /// 最终用户接收证明
    EndUserReceipt,
    /// 已享受国家保险补偿
    NationalSubsidyReceived,
    /// 已获浙江应用奖励
    ApplicationAwardReceived,
    /// 所有权链 (销售商 / 融资租赁公司 / 农业合作社)
    Ownership,
    /// 已获补贴 (政府下达文件)
    SubsidyGranted,
}

pub const ALL_FACT_KINDS: [FactKind; 10] = [
    FactKind::CreditStatus,
    FactKind::FraudBan,
    FactKind::NationalQuota,
    FactKind::Manufactured,
    FactKind::Delivered,
    FactKind::EndUserReceipt,
    FactKind::NationalSubsidyReceived,
    FactKind::ApplicationAwardReceived,
    FactKind::Ownership,
    FactKind::SubsidyGranted,
];

impl FactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FactKind::CreditStatus => "credit_status",
            FactKind::FraudBan => "fraud_ban",
            FactKind::NationalQuota => "national_quota",
            FactKind::Manufactured => "manufactured",
            FactKind::Delivered => "delivered",
            FactKind::EndUserReceipt => "end_user_receipt",
            FactKind::NationalSubsidyReceived => "national_subsidy_received",
            FactKind::ApplicationAwardReceived => "application_award_received",
            FactKind::Ownership => "ownership",
            FactKind::SubsidyGranted => "subsidy_granted",
        }
    }

    pub fn parse(s: &str) -> Option<FactKind> {
        ALL_FACT_KINDS.iter().copied().find(|k| k.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            FactKind::CreditStatus => "信用中国失信主体查询",
            FactKind::FraudBan => "骗补禁止申报期",
            FactKind::NationalQuota => "国家保费补助资金额度",
            FactKind::Manufactured => "制造完成日期",
            FactKind::Delivered => "交付用户日期",
            FactKind::EndUserReceipt => "最终用户接收证明",
            FactKind::NationalSubsidyReceived => "是否已享受国家保险补偿",
            FactKind::ApplicationAwardReceived => "是否已获应用奖励",
            FactKind::Ownership => "所有权链",
            FactKind::SubsidyGranted => "已获补贴记录",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            FactKind::CreditStatus => "credit status on 信用中国 (dishonest entity list)",
            FactKind::FraudBan => "fraud ban",
            FactKind::NationalQuota => "national qualification quota",
            FactKind::Manufactured => "manufacture date",
            FactKind::Delivered => "delivery date",
            FactKind::EndUserReceipt => "end-user receipt",
            FactKind::NationalSubsidyReceived => "national subsidy received",
            FactKind::ApplicationAwardReceived => "application award received",
            FactKind::Ownership => "ownership chain",
            FactKind::SubsidyGranted => "subsidy granted",
        }
    }

    pub fn subject(self) -> Subject {
        match self {
            FactKind::CreditStatus | FactKind::FraudBan => Subject::Maker,
            FactKind::NationalQuota => Subject::Qualification,
            FactKind::Manufactured
            | FactKind::Delivered
            | FactKind::EndUserReceipt
            | FactKind::NationalSubsidyReceived
            | FactKind::ApplicationAwardReceived => Subject::Unit,
            FactKind::Ownership | FactKind::SubsidyGranted => Subject::PolicyYear,
        }
    }

    /// Who records it (the role named in "pending — needs FACT, recorded by ROLE").
    pub fn recorder(self) -> Role {
        match self {
            FactKind::SubsidyGranted => Role::Finance,
            _ => Role::Underwriter,
        }
    }

    /// May `role` record this fact?
    pub fn may_record(self, role: Role) -> bool {
        role == Role::Admin
            || role == self.recorder()
            || (role == Role::SeniorUnderwriter && self.recorder() == Role::Underwriter)
            || (self == FactKind::SubsidyGranted && role.underwrites())
    }
}

/// Who holds ownership of the insured product, when it is not the user (003 一).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HolderRole {
    /// 最终用户
    EndUser,
    /// 销售商
    Dealer,
    /// 融资租赁公司
    Lessor,
    /// 农业合作社
    Cooperative,
}

impl HolderRole {
    pub fn zh(self) -> &'static str {
        match self {
            HolderRole::EndUser => "最终用户",
            HolderRole::Dealer => "销售商",
            HolderRole::Lessor => "融资租赁公司",
            HolderRole::Cooperative => "农业合作社",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            HolderRole::EndUser => "end user",
            HolderRole::Dealer => "dealer",
            HolderRole::Lessor => "leasing company",
            HolderRole::Cooperative => "co-operative",
        }
    }
}

/// The value of a recorded fact; the tag is the [`FactKind`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "fact", rename_all = "snake_case", deny_unknown_fields)]
pub enum FactValue {
    CreditStatus {
        dishonest: bool,
        checked_on: NaiveDate,
    },
    /// No dates: checked, no ban. Dates: banned from … until … (both inclusive).
    FraudBan {
        checked_on: NaiveDate,
        #[serde(default)]
        banned_from: Option<NaiveDate>,
        #[serde(default)]
        banned_until: Option<NaiveDate>,
    },
    NationalQuota {
        #[schema(value_type = String)]
        amount: Money,
    },
    Manufactured {
        on: NaiveDate,
    },
    Delivered {
        on: NaiveDate,
    },
    EndUserReceipt {
        received_on: NaiveDate,
    },
    NationalSubsidyReceived {
        received: bool,
    },
    ApplicationAwardReceived {
        received: bool,
    },
    /// `holder_party_id` holds ownership; with a dealer/lessor/co-operative the chain's
    /// relations to the maker are checked.
    Ownership {
        holder_role: HolderRole,
        holder_party_id: i64,
    },
    SubsidyGranted {
        /// The scheme the grant belongs to (`zhejiang`, `national`, …): `scheme` of the
        /// programme file.
        scheme: String,
        /// The application round (申报年度), e.g. 2025.
        round: i32,
        /// Share ratio granted, a fraction (0.80).
        #[schema(value_type = String)]
        ratio: Decimal,
        #[schema(value_type = String)]
        amount: Money,
        /// Date of the government notice (下达文件日期).
        notice_date: NaiveDate,
    },
}

/// Largest amount a fact may carry (a quota or a grant): 10,000,000,000.00 CNY.
pub const MAX_FACT_AMOUNT: Money = Money::from_yuan(10_000_000_000);

impl FactValue {
    pub fn kind(&self) -> FactKind {
        match self {
            FactValue::CreditStatus { .. } => FactKind::CreditStatus,
            FactValue::FraudBan { .. } => FactKind::FraudBan,
            FactValue::NationalQuota { .. } => FactKind::NationalQuota,
            FactValue::Manufactured { .. } => FactKind::Manufactured,
            FactValue::Delivered { .. } => FactKind::Delivered,
            FactValue::EndUserReceipt { .. } => FactKind::EndUserReceipt,
            FactValue::NationalSubsidyReceived { .. } => FactKind::NationalSubsidyReceived,
            FactValue::ApplicationAwardReceived { .. } => FactKind::ApplicationAwardReceived,
            FactValue::Ownership { .. } => FactKind::Ownership,
            FactValue::SubsidyGranted { .. } => FactKind::SubsidyGranted,
        }
    }

    /// Problems as (field, English, Chinese); empty when the value is usable.
    pub fn problems(&self) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        let amount = |a: Money, out: &mut Vec<(&'static str, String, String)>| {
            if a.is_negative() || a > MAX_FACT_AMOUNT {
                out.push((
                    "amount",
                    format!("amount must be between 0 and {}", MAX_FACT_AMOUNT.grouped()),
                    format!("金额须在 0 至 {} 元之间", MAX_FACT_AMOUNT.grouped()),
                ));
            }
        };
        match self {
            FactValue::FraudBan {
                banned_from,
                banned_until,
                ..
            } => match (banned_from, banned_until) {
                (Some(a), Some(b)) if a > b => out.push((
                    "banned_until",
                    "the ban ends before it starts".into(),
                    "禁止期结束早于开始".into(),
                )),
                (Some(_), None) | (None, Some(_)) => out.push((
                    "banned_until",
                    "give both ends of the ban, or neither (no ban)".into(),
                    "禁止期须同时填写起止日期，或都不填（无禁止）".into(),
                )),
                _ => {}
            },
            FactValue::NationalQuota { amount: a } => amount(*a, &mut out),
            FactValue::SubsidyGranted {
                scheme,
                round,
                ratio,
                amount: a,
                ..
            } => {
                amount(*a, &mut out);
                if *ratio < Decimal::ZERO || *ratio > Decimal::ONE {
                    out.push((
                        "ratio",
                        "a ratio is a fraction in [0, 1] (80 % is 0.80)".into(),
                        "比例为 0 至 1 之间的小数（80% 写作 0.80）".into(),
                    ));
                }
                if !(2000..=2100).contains(round) {
                    out.push((
                        "round",
                        "the round is a year between 2000 and 2100".into(),
                        "申报年度须在 2000 至 2100 之间".into(),
                    ));
                }
                if scheme.trim().is_empty() || scheme.len() > 64 {
                    out.push((
                        "scheme",
                        "name the programme scheme (e.g. zhejiang)".into(),
                        "请填写补贴政策（如 zhejiang）".into(),
                    ));
                }
            }
            _ => {}
        }
        out
    }

    /// The value in words, for pages and for the facts an assessment lists.
    pub fn describe(&self) -> (String, String) {
        let yes_no = |b: bool| if b { ("是", "yes") } else { ("否", "no") };
        match self {
            FactValue::CreditStatus {
                dishonest,
                checked_on,
            } => {
                if *dishonest {
                    (
                        format!("失信主体（{checked_on} 查询）"),
                        format!("listed as dishonest (checked {checked_on})"),
                    )
                } else {
                    (
                        format!("非失信主体（{checked_on} 查询）"),
                        format!("not listed (checked {checked_on})"),
                    )
                }
            }
            FactValue::FraudBan {
                checked_on,
                banned_from: Some(a),
                banned_until: Some(b),
            } => (
                format!("禁止申报 {a} 至 {b}（{checked_on} 核实）"),
                format!("banned {a} to {b} (checked {checked_on})"),
            ),
            FactValue::FraudBan { checked_on, .. } => (
                format!("无禁止申报（{checked_on} 核实）"),
                format!("no ban (checked {checked_on})"),
            ),
            FactValue::NationalQuota { amount } => (
                format!("额度 {} 元", amount.grouped()),
                format!("quota {} CNY", amount.grouped()),
            ),
            FactValue::Manufactured { on } => (format!("{on} 制造完成"), format!("made {on}")),
            FactValue::Delivered { on } => (format!("{on} 交付"), format!("delivered {on}")),
            FactValue::EndUserReceipt { received_on } => (
                format!("最终用户 {received_on} 接收"),
                format!("received by the end user {received_on}"),
            ),
            FactValue::NationalSubsidyReceived { received } => {
                let (zh, en) = yes_no(*received);
                (zh.into(), en.into())
            }
            FactValue::ApplicationAwardReceived { received } => {
                let (zh, en) = yes_no(*received);
                (zh.into(), en.into())
            }
            FactValue::Ownership {
                holder_role,
                holder_party_id,
            } => (
                format!("所有权人：{}（当事方 {holder_party_id}）", holder_role.zh()),
                format!(
                    "owned by the {} (party {holder_party_id})",
                    holder_role.en()
                ),
            ),
            FactValue::SubsidyGranted {
                scheme,
                round,
                ratio,
                amount,
                notice_date,
            } => {
                let pct = Rate::from_fraction(*ratio)
                    .map(|r| r.as_percent().normalize().to_string())
                    .unwrap_or_else(|_| ratio.to_string());
                (
                    format!(
                        "{scheme} {round} 年度 按 {pct}% 获补贴 {} 元（{notice_date} 下达）",
                        amount.grouped()
                    ),
                    format!(
                        "{scheme} round {round}: {} CNY at {pct} % (notice {notice_date})",
                        amount.grouped()
                    ),
                )
            }
        }
    }
}

/// A fraud ban as recorded: checked, and the ban's span if there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FraudBan {
    pub banned_from: Option<NaiveDate>,
    pub banned_until: Option<NaiveDate>,
}

impl FraudBan {
    pub fn covers(&self, day: NaiveDate) -> bool {
        matches!((self.banned_from, self.banned_until), (Some(a), Some(b)) if a <= day && day <= b)
    }
}

/// One link of the ownership chain (user, intermediary, holder) and how it relates
/// to the maker, as the party relations record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainLink {
    pub role: HolderRole,
    pub party_name: String,
    pub related_party: bool,
    pub trader: bool,
}

/// A subsidy granted in an earlier year, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub scheme: String,
    pub round: i32,
    pub ratio: Decimal,
    pub amount: Money,
    pub notice_date: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_kind_has_a_unique_code_and_round_trips() {
        for k in ALL_FACT_KINDS {
            assert_eq!(FactKind::parse(k.as_str()), Some(k));
        }
        let mut codes: Vec<_> = ALL_FACT_KINDS.iter().map(|k| k.as_str()).collect();
        codes.dedup();
        assert_eq!(codes.len(), ALL_FACT_KINDS.len());
    }

    #[test]
    fn a_grant_ratio_above_one_is_refused() {
        let v = FactValue::SubsidyGranted {
            scheme: "zhejiang".into(),
            round: 2025,
            ratio: Decimal::new(80, 0),
            amount: Money::from_yuan(1),
            notice_date: NaiveDate::from_ymd_opt(2025, 12, 1).unwrap_or_default(),
        };
        assert_eq!(v.problems().len(), 1);
        assert_eq!(v.problems()[0].0, "ratio");
    }

    #[test]
    fn a_ban_needs_both_ends() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
        let v = FactValue::FraudBan {
            checked_on: d,
            banned_from: Some(d),
            banned_until: None,
        };
        assert_eq!(v.problems()[0].0, "banned_until");
    }

    #[test]
    fn grants_are_recorded_by_finance_or_underwriting_and_credit_by_underwriting() {
        assert!(FactKind::SubsidyGranted.may_record(Role::Finance));
        assert!(FactKind::SubsidyGranted.may_record(Role::Underwriter));
        assert!(FactKind::CreditStatus.may_record(Role::SeniorUnderwriter));
        assert!(!FactKind::CreditStatus.may_record(Role::Finance));
        assert!(!FactKind::CreditStatus.may_record(Role::Client));
    }
}
