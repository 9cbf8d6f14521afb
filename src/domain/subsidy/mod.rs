//! Subsidy (保费补贴) for one policy under one programme: eligible or not with every
//! reason, and the estimated amount with its arithmetic shown step by step.
//!
//! The programme is data (`clauses/programmes/*.toml`); this module only knows the
//! kinds of rule. Inputs are plain facts so services can assemble them from the store.

mod continuity;
mod eligibility;
mod estimate;
pub mod facts;
mod used;

pub use continuity::{continuity, Continuity, PriorYear};
pub use eligibility::{CheckOutcome, ConditionCheck};
pub use estimate::{Estimate, Step};
pub use facts::{ChainLink, FactKind, FactValue, FraudBan, Grant, HolderRole, Known, Provenance};
pub use used::FactUsed;

use super::catalogue::{Tier, UnitType};
use super::clauses::ProductLine;
use super::cover_basis::{CoverBasis, Qualification};
use super::money::{Money, Rate};
use super::programme::{Finding, Programme, Severity};
use super::prorata::Period;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What is known about the policy and its sale. Facts someone must record are
/// `Option<Known<_>>`: `None` means nobody has recorded it, and a condition that needs
/// it is pending ("needs FACT, recorded by ROLE"), never passed.
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
    /// 保单正式生效: the policy has come into force (an expired policy that was in
    /// force is effective; a quote or a policy whose period has not begun is not).
    pub policy_effective: bool,
    /// 销售合同金额
    pub contract_amount: Money,
    /// Estimated potential liability, if the underwriter recorded one.
    pub potential_liability: Option<Money>,
    /// Makers and users named on the policy.
    pub makers_on_policy: u32,
    pub users_on_policy: u32,
    /// The user, the intermediary and the recorded owner, each with its relation to
    /// the maker (关联企业 / 贸易商) as the party relations record it.
    pub chain: Vec<ChainLink>,
    /// Sold through a dealer, leasing company or cooperative (中间方).
    pub via_intermediary: bool,
    /// Who holds ownership (recorded when sold through an intermediary).
    pub ownership: Option<Known<HolderRole>>,
    /// 最终用户接收证明 is on file (the policy's flag or a recorded receipt).
    pub end_user_proof: bool,
    /// 制造完成日期
    pub manufacture_date: Option<Known<NaiveDate>>,
    /// 装备交付时间
    pub delivery_date: Option<Known<NaiveDate>>,
    pub qualification: Option<Qualification>,
    /// Province where the maker is registered (e.g. 山西省).
    pub maker_province: String,
    /// Already received national insurance compensation for this equipment.
    pub nationally_subsidised: Option<Known<bool>>,
    /// Received Zhejiang's application award (应用奖励) for this equipment.
    pub application_award: Option<Known<bool>>,
    /// Listed as a dishonest entity on 信用中国.
    pub dishonest_entity: Option<Known<bool>>,
    /// Fraud ban (骗补) as checked.
    pub fraud_ban: Option<Known<FraudBan>>,
    /// Where the policy's own figures come from (who quoted it, when).
    pub policy_source: Provenance,
}

/// The enterprise's position in this application round, across ALL its policies.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EnterpriseYear {
    /// Subsidy already estimated or granted to this enterprise under this programme in
    /// this round, other policies included.
    pub already_claimed: Money,
    /// The qualification's national quota (额度), if recorded.
    pub quota: Option<Known<Money>>,
    /// What of the quota is used: granted on this qualification in every year, plus
    /// this round's earlier estimates.
    pub quota_used: Money,
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
    /// Every configured condition with its outcome (met, not met, needs a fact).
    pub checks: Vec<ConditionCheck>,
    /// Every fact the verdict used: value, who recorded it, when, from which document.
    pub facts: Vec<FactUsed>,
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
    let (mut findings, checks) = eligibility::check(programme, facts, &continuity);
    let ratio = estimate::ratio(programme, facts, &continuity, &mut findings);
    let estimate = match ratio {
        Some(ratio) if !findings.iter().any(|f| f.severity == Severity::Hard) => {
            estimate::compute(programme, facts, ratio, enterprise, &mut findings)
        }
        _ => None,
    };
    // Decided after the estimate: an unrecorded quota makes the verdict pending too.
    let verdict = verdict_of(&findings);
    let estimate = estimate.filter(|_| verdict != Verdict::Ineligible);
    Assessment {
        programme_id: programme.id.clone(),
        verdict,
        findings,
        checks,
        facts: used::facts_used(facts, enterprise),
        continuity,
        estimate,
    }
}

/// Ineligible if any finding is hard, else pending if any is pending, else eligible.
pub fn verdict_of(findings: &[Finding]) -> Verdict {
    if findings.iter().any(|f| f.severity == Severity::Hard) {
        Verdict::Ineligible
    } else if findings.iter().any(|f| f.severity == Severity::Pending) {
        Verdict::Pending
    } else {
        Verdict::Eligible
    }
}

#[cfg(test)]
mod tests;
