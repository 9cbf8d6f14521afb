//! The policy's terms (投保要素): what a quote is priced on and the policy keeps — the
//! insured units, contracts, sections, limit, period and declarations. Plain data with
//! its sums. In the domain so the store can keep it as a typed column (`policy.terms_json`)
//! and every service folder can read it: underwriting prices and validates them;
//! certificates, claims, annex 3 and the subsidy facts read them (so none of those has
//! to import `underwriting` just for the shape).

use crate::domain::cover_basis::CoverBasis;
use crate::domain::money::Money;
use crate::domain::rating::RiskFactors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One line of insured units: a serial number (台套) or a batch number (批次).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitLine {
    /// 出厂编号 / 批次号
    pub serial: String,
    /// Units on this line (1 for a serial number).
    #[serde(default = "one")]
    pub quantity: u32,
    /// 单价, CNY ("1250000.00").
    #[schema(value_type = String)]
    pub unit_value: Money,
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

/// A sales contract (销售合同).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SalesContract {
    pub number: String,
    pub signed_on: NaiveDate,
    #[schema(value_type = String)]
    pub amount: Money,
}

/// A section of the clause set taken (保险责任部分), with its own limit and deductible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionChoice {
    /// Section code in the clause set, e.g. QUALITY.
    pub code: String,
    /// 分项责任限额; at most the aggregate limit.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub limit: Option<Money>,
    /// Code of one of the section's deductible options.
    #[serde(default)]
    pub deductible: Option<String>,
}

/// Everything a quote is priced on (投保要素). Kept as the policy's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteInput {
    /// 投保人 (maker)
    pub maker_id: i64,
    /// 用户单位
    pub user_id: i64,
    /// 中间方 (dealer, leasing company…); then the end user's receipt is needed before issue.
    #[serde(default)]
    pub intermediary_id: Option<i64>,
    /// 最终用户接收证明 is on file.
    #[serde(default)]
    pub end_user_proof: bool,
    pub catalogue_item_id: i64,
    /// first_set, first_batch or first_year
    #[schema(value_type = String)]
    pub cover_basis: CoverBasis,
    pub units: Vec<UnitLine>,
    #[serde(default)]
    pub contracts: Vec<SalesContract>,
    /// 装备交付时间
    #[serde(default)]
    pub delivery_date: Option<NaiveDate>,
    /// Defaults to the clause set of the product line (equipment or new materials).
    #[serde(default)]
    pub clause_set_id: Option<String>,
    /// Defaults to the latest version.
    #[serde(default)]
    pub clause_set_version: Option<String>,
    pub sections: Vec<SectionChoice>,
    /// 累计责任限额, CNY.
    #[schema(value_type = String)]
    pub aggregate_limit: Money,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// Subsidy programme the maker will apply to.
    #[serde(default)]
    pub programme_id: Option<String>,
    /// The three filed modifiers; neutral (1, 1, 1) when absent.
    #[serde(default = "RiskFactors::neutral")]
    #[schema(value_type = Object)]
    pub factors: RiskFactors,
    /// Declared by the underwriter: 同品种、同技术规格参数.
    #[serde(default = "yes")]
    pub same_specification: bool,
    /// 同批生产
    #[serde(default = "yes")]
    pub same_production_batch: bool,
    /// 用户首次使用
    #[serde(default = "yes")]
    pub first_use_by_user: bool,
    /// Codes of the warnings (原则上 rules) the underwriter acknowledges.
    #[serde(default)]
    pub acknowledged: Vec<String>,
    /// 倒签原因: why the cover starts before today. Needed (with the acknowledged
    /// warning `period.backdated`) when it does; kept in the terms and the audit row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backdating_reason: Option<String>,
}

impl QuoteInput {
    pub fn unit_count(&self) -> u32 {
        self.units.iter().map(|u| u.quantity).sum()
    }

    /// 投保装备总价值 = Σ quantity × unit value.
    pub fn insured_value(&self) -> Option<Money> {
        self.units.iter().try_fold(Money::ZERO, |acc, u| {
            Money::from_fen(u.unit_value.fen().checked_mul(i64::from(u.quantity))?).checked_add(acc)
        })
    }

    /// Σ contract amounts; `None` when out of range (refused at validation).
    pub fn contract_amount(&self) -> Option<Money> {
        Money::try_sum(self.contracts.iter().map(|c| c.amount)).ok()
    }
}
