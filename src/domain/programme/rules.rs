//! The rule records of a programme, each carrying its [`SourceRef`].

use super::finding::{Severity, SourceRef};
use crate::domain::clauses::date;
use crate::domain::clauses::Text;
use crate::domain::cover_basis::CoverBasis;
use crate::domain::money::{Money, Rate};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the share is applied to (补贴基数).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PremiumBasis {
    /// 实际缴纳保费 — the premium actually paid (national 001 二(二)).
    PremiumPaid,
    /// 保额 × min(实际费率, 费率上限) — premium at the capped rate, never above the
    /// premium paid (Zhejiang 003, Shanxi 004).
    PremiumAtCappedRate,
}

/// What happens to the ratio after a year without subsidy (中断后再申请).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterInterruption {
    /// Continue from the last subsidised year's ratio minus the decrement (003).
    ContinueFromLastSubsidised,
    /// Start again at the first-year ratio.
    Restart,
}

/// First-year ratios by tier (国际 / 国内 / 省内首台(套)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRatios {
    pub international: Decimal,
    pub domestic: Decimal,
    pub provincial: Decimal,
}

/// The share of premium the programme pays (补贴比例).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareRule {
    pub basis: PremiumBasis,
    /// One ratio for every product (exclusive with `tier_ratios`).
    #[serde(default)]
    pub ratio: Option<Decimal>,
    #[serde(default)]
    pub tier_ratios: Option<TierRatios>,
    /// Percentage points taken off each later subsidised year (0.10 = 10 pp).
    #[serde(default)]
    pub yearly_decrement: Decimal,
    #[serde(default = "restart")]
    pub after_interruption: AfterInterruption,
    pub source: SourceRef,
    /// Where the after-interruption rule comes from, when it differs from `source`.
    #[serde(default)]
    pub interruption_source: Option<SourceRef>,
}

fn restart() -> AfterInterruption {
    AfterInterruption::Restart
}

/// The highest rate the programme subsidises (费率上限).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateCap {
    pub rate: Rate,
    pub source: SourceRef,
}

/// What an amount cap counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapScope {
    /// Per enterprise per year, across all its policies (单户企业年度最高).
    EnterprisePerYear,
    /// The enterprise's remaining qualification quota (保费补助资金额度), an input.
    QualificationQuota,
}

/// A ceiling on the subsidy (补贴上限).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountCap {
    pub scope: CapScope,
    #[serde(default)]
    pub amount: Option<Money>,
    pub source: SourceRef,
}

/// How many years the same equipment may be subsidised (支持年限).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearsRule {
    pub max_years: u32,
    pub source: SourceRef,
}

/// How renewals (续保) are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewalPolicy {
    /// Continuous renewals of subsidised cover count on; a gap makes it a new project.
    ContinuousOrNew,
    /// A project already subsidised is not subsidised again on renewal.
    NotSubsidised,
    /// The programme says nothing about renewals.
    NoRule,
}

/// The renewal rule with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewalRule {
    pub policy: RenewalPolicy,
    #[serde(default = "hard")]
    pub severity: Severity,
    pub source: SourceRef,
}

fn hard() -> Severity {
    Severity::Hard
}

/// The policy-start window (起保时间), both ends inclusive (003: 均含本数).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartWindow {
    #[serde(deserialize_with = "date::required")]
    pub from: NaiveDate,
    #[serde(deserialize_with = "date::required")]
    pub to: NaiveDate,
    pub source: SourceRef,
}

impl StartWindow {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }
}

/// How the programme checks the liability limit (责任限额).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitRuleKind {
    /// Limit ≥ multiple × insured value, by cover basis (003 附件1 一.3).
    ValueMultiples,
    /// Limit set from contract amount and potential liability (004 第四条 2).
    ContractAmount,
}

/// The programme's limit rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitRule {
    pub kind: LimitRuleKind,
    #[serde(default)]
    pub first_set: Option<Decimal>,
    #[serde(default)]
    pub first_batch: Option<Decimal>,
    #[serde(default)]
    pub first_year: Option<Decimal>,
    #[serde(default = "hard")]
    pub severity: Severity,
    pub source: SourceRef,
}

/// Yes/no conditions a programme may impose (申报条件).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionKind {
    /// 全额缴纳保费
    FullPayment,
    /// 保单正式生效
    PolicyEffective,
    /// 首期保费不低于保费总额的一定比例 (`share`)
    FirstInstallmentShare,
    /// 销售合同金额下限 (`amount`)
    MinContractAmount,
    /// 每份保单对应一家生产企业及一家用户单位
    OneMakerOneUser,
    /// 购买单位不是关联企业 / 所有权不在关联企业
    BuyerNotRelatedParty,
    /// 购买单位不是贸易商
    BuyerNotTrader,
    /// 通过中间方的需提供交付最终用户的证明
    EndUserProofViaIntermediary,
    /// 未享受国家保险补偿政策
    NotNationallySubsidised,
    /// 不得同时享受应用奖励
    NotWithApplicationAward,
    /// 资格在起保日有效
    QualificationValid,
    /// 交付时间在资格有效期内
    DeliveryWithinQualification,
    /// 只补贴这些投保方式 (`bases`)
    CoverBases,
    /// 在本省注册 (`province`)
    MakerRegisteredIn,
    /// 非失信主体
    NotDishonestEntity,
    /// 不在骗补禁止申报期内
    NoFraudBan,
    /// 完成装备的制造、交付 (001 二(二)): manufacture and delivery dates recorded and passed
    ManufacturedAndDelivered,
}

/// Every condition kind, for pages, the README and the "every kind can fire" tests.
pub const ALL_CONDITION_KINDS: [ConditionKind; 17] = [
    ConditionKind::FullPayment,
    ConditionKind::PolicyEffective,
    ConditionKind::FirstInstallmentShare,
    ConditionKind::MinContractAmount,
    ConditionKind::OneMakerOneUser,
    ConditionKind::BuyerNotRelatedParty,
    ConditionKind::BuyerNotTrader,
    ConditionKind::EndUserProofViaIntermediary,
    ConditionKind::NotNationallySubsidised,
    ConditionKind::NotWithApplicationAward,
    ConditionKind::QualificationValid,
    ConditionKind::DeliveryWithinQualification,
    ConditionKind::CoverBases,
    ConditionKind::MakerRegisteredIn,
    ConditionKind::NotDishonestEntity,
    ConditionKind::NoFraudBan,
    ConditionKind::ManufacturedAndDelivered,
];

impl ConditionKind {
    /// (中文, English) label for pages.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            ConditionKind::FullPayment => ("全额缴纳保费", "premium fully paid"),
            ConditionKind::PolicyEffective => ("保单正式生效", "policy has come into force"),
            ConditionKind::FirstInstallmentShare => ("首期保费比例", "first installment share"),
            ConditionKind::MinContractAmount => ("销售合同金额下限", "minimum contract amount"),
            ConditionKind::OneMakerOneUser => ("一家生产企业及一家用户单位", "one maker, one user"),
            ConditionKind::BuyerNotRelatedParty => (
                "购买单位及所有权人非关联企业",
                "buyer and owner not related to the maker",
            ),
            ConditionKind::BuyerNotTrader => ("购买单位非贸易商", "buyer not a trader"),
            ConditionKind::EndUserProofViaIntermediary => (
                "通过中间方须有最终用户证明",
                "end-user proof when sold through an intermediary",
            ),
            ConditionKind::NotNationallySubsidised => {
                ("未享受国家保险补偿", "not nationally subsidised")
            }
            ConditionKind::NotWithApplicationAward => {
                ("未同时享受应用奖励", "not with the application award")
            }
            ConditionKind::QualificationValid => {
                ("起保日资格有效", "qualification valid at the start")
            }
            ConditionKind::DeliveryWithinQualification => (
                "交付时间在资格有效期内",
                "delivered within the qualification",
            ),
            ConditionKind::CoverBases => ("支持的投保方式", "supported cover bases"),
            ConditionKind::MakerRegisteredIn => {
                ("生产企业注册地", "maker registered in the province")
            }
            ConditionKind::NotDishonestEntity => {
                ("非“信用中国”失信主体", "not a dishonest entity (信用中国)")
            }
            ConditionKind::NoFraudBan => ("不在骗补禁止申报期内", "no fraud ban"),
            ConditionKind::ManufacturedAndDelivered => {
                ("已完成制造与交付", "manufactured and delivered")
            }
        }
    }

    /// The snake_case name used in programme files.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// One condition with its parameters and source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub kind: ConditionKind,
    #[serde(default = "hard")]
    pub severity: Severity,
    #[serde(default)]
    pub share: Option<Decimal>,
    #[serde(default)]
    pub amount: Option<Money>,
    #[serde(default)]
    pub bases: Vec<CoverBasis>,
    #[serde(default)]
    pub province: Option<String>,
    pub source: SourceRef,
}

/// The yearly report an insurer owes a regulator under the programme (004 第十八条:
/// 每年向山西银保监局报告承保理赔情况): its figures are those of
/// `services::annual_report` for the policies of every programme of the scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualReportRule {
    /// Who the report goes to (山西银保监局); the addresses are `[regulator] recipients`.
    pub recipient: Text,
    /// The report's title (首批次新材料保险承保理赔情况年度报告).
    pub title: Text,
    pub source: SourceRef,
}

/// A seed document the programme is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDocument {
    pub file: String,
    pub title: Text,
}
