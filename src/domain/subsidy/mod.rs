//! Subsidy (保费补贴) for one policy under one programme: eligible or not with every
//! reason, and the estimated amount with its arithmetic shown step by step.
//!
//! The programme is data (`clauses/programmes/*.toml`); this module only knows the
//! kinds of rule. Inputs are plain facts so services can assemble them from the store.

mod continuity;
mod eligibility;
mod estimate;

pub use continuity::{continuity, Continuity, PriorYear};
pub use estimate::{Estimate, Step};

use super::catalogue::{Tier, UnitType};
use super::clauses::ProductLine;
use super::cover_basis::{CoverBasis, Qualification};
use super::money::{Money, Rate};
use super::party::Relation;
use super::programme::{Finding, Programme, Severity};
use super::prorata::Period;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What is known about the policy and its sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubsidyFacts {
    pub product: ProductLine,
    pub basis: CoverBasis,
    pub unit_type: UnitType,
    /// 国际 / 国内 / 省内首台(套) — needed by tiered programmes.
    pub tier: Option<Tier>,
    /// 起保时间 – 终保时间
    pub period: Period,
    /// 投保装备总价值
    pub insured_value: Money,
    /// 累计责任限额
    pub aggregate_limit: Money,
    /// 实际投保费率
    pub rate: Rate,
    /// 保费金额 (premium due for the period)
    pub premium: Money,
    /// 已缴保费金额
    pub premium_paid: Money,
    /// 首期保费 (the first installment of the payment plan)
    pub first_installment: Money,
    /// 保单正式生效
    pub policy_effective: bool,
    /// 销售合同金额
    pub contract_amount: Money,
    /// Estimated potential liability, if the underwriter recorded one.
    pub potential_liability: Option<Money>,
    /// Makers and users named on the policy.
    pub makers_on_policy: u32,
    pub users_on_policy: u32,
    /// The buyer's relation to the maker, if any (关联企业 / 贸易商).
    pub buyer_relation: Option<Relation>,
    /// Sold through a dealer, leasing company or cooperative (中间方).
    pub via_intermediary: bool,
    /// 最终用户接收证明 is on file.
    pub end_user_proof: bool,
    /// 装备交付时间
    pub delivery_date: Option<NaiveDate>,
    pub qualification: Option<Qualification>,
    /// Province where the maker is registered (e.g. 山西省).
    pub maker_province: String,
    /// Already received national insurance compensation for this equipment.
    pub nationally_subsidised: bool,
    /// Also applying for Zhejiang's application award (应用奖励).
    pub application_award: bool,
    /// Listed as a dishonest entity on 信用中国.
    pub dishonest_entity: bool,
    /// End of a fraud ban (骗补), if any.
    pub fraud_ban_until: Option<NaiveDate>,
}

/// The enterprise's position this year, across ALL its policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EnterpriseYear {
    /// Subsidy already estimated or granted to this enterprise under this programme this
    /// year, other policies included.
    pub already_claimed: Money,
    /// What is left of the enterprise's qualification quota (national), if known.
    pub remaining_quota: Option<Money>,
}

/// The overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 符合条件
    Eligible,
    /// 待满足 — only pending conditions (payment, effectiveness) are open.
    Pending,
    /// 不符合条件
    Ineligible,
}

/// Eligibility, every reason, continuity and the estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub programme_id: String,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    /// 是否续保 / 首保年度
    pub continuity: Continuity,
    /// Present unless ineligible.
    pub estimate: Option<Estimate>,
}

/// Assess one policy under one programme.
///
/// `history` lists earlier policy periods for the same equipment (renewals), with
/// the ratio each was subsidised at under this programme, if it was.
pub fn assess(
    programme: &Programme,
    facts: &SubsidyFacts,
    history: &[PriorYear],
    enterprise: &EnterpriseYear,
) -> Assessment {
    let continuity = continuity(&facts.period, history);
    let mut findings = eligibility::check(programme, facts, &continuity);
    let ratio = estimate::ratio(programme, facts, &continuity, &mut findings);
    let verdict = if findings.iter().any(|f| f.severity == Severity::Hard) {
        Verdict::Ineligible
    } else if findings.iter().any(|f| f.severity == Severity::Pending) {
        Verdict::Pending
    } else {
        Verdict::Eligible
    };
    let estimate = match (verdict, ratio) {
        (Verdict::Ineligible, _) | (_, None) => None,
        (_, Some(ratio)) => estimate::compute(programme, facts, ratio, enterprise, &mut findings),
    };
    Assessment {
        programme_id: programme.id.clone(),
        verdict,
        findings,
        continuity,
        estimate,
    }
}

#[cfg(test)]
mod tests;
