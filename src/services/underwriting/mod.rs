//! Underwriting (核保): quote, refer, bind, issue, endorse, cancel, renew, and the
//! subsidy estimate. Each public function is one transaction with its audit rows.

pub mod authority;
mod check;
pub mod clock;
mod close;
mod history;
mod issue;
mod lifecycle;
mod quote;
mod subsidy;
mod view;

pub use close::{close_quote, CloseQuoteInput, Closing};
pub use issue::{bind, decide_referral, issue, record_end_user_proof};
pub use lifecycle::{
    cancel, endorse, CancelInput, CancelledBy, EndorsementInput, EndorsementOutcome,
};
pub use quote::{create_quote, renew, update_quote, RenewalInput};
pub use subsidy::{estimate, YearPass};
pub use view::{
    get, list, referral_queue, ListQuery, PolicyDetail, PolicyVersionView, PolicyView,
    ReferralQuery, ReferralView,
};

use super::{Actor, ServiceError, ServiceResult};
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::cover_basis::CoverBasis;
use crate::domain::money::Money;
use crate::domain::policy_state::PolicyState;
use crate::domain::rating::RiskFactors;
use crate::library::Library;
use crate::store::policies::{self as store, PolicyRow};
use crate::store::{Db, Tx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a use case needs besides the database: the clause library, the settings and
/// the clock (its `today()` is the Beijing business date of every transition).
#[derive(Clone, Copy)]
pub struct Desk<'a> {
    pub db: &'a Db,
    pub library: &'a Library,
    pub config: &'a Config,
    pub clock: Clock,
}

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

/// Only underwriters act on policies.
fn require_underwriter(actor: &Actor, what: &'static str) -> ServiceResult<()> {
    actor.require(actor.role.underwrites(), what)
}

/// Load a policy the actor may see, locked for change.
async fn load_for_change(tx: &mut Tx, id: i64) -> ServiceResult<PolicyRow> {
    store::get_for_update(tx, id)
        .await?
        .ok_or(ServiceError::NotFound("policy"))
}

fn state_of(row: &PolicyRow) -> ServiceResult<PolicyState> {
    serde_json::from_str(&row.state_json)
        .map_err(|e| ServiceError::Internal(format!("policy {} state: {e}", row.policy_id)))
}

fn set_state(row: &mut PolicyRow, state: PolicyState) -> ServiceResult<()> {
    row.state = state.name().to_string();
    row.state_json = serde_json::to_string(&state)
        .map_err(|e| ServiceError::internal_from("serialise a record to JSON", e))?;
    Ok(())
}

fn terms_of(row: &PolicyRow) -> ServiceResult<QuoteInput> {
    serde_json::from_str(&row.terms_json)
        .map_err(|e| ServiceError::Internal(format!("policy {} terms: {e}", row.policy_id)))
}

fn transition(e: crate::domain::policy_state::TransitionError) -> ServiceError {
    ServiceError::Conflict(e.text())
}

/// A short JSON picture of a policy for audit rows.
fn snapshot(row: &PolicyRow) -> serde_json::Value {
    serde_json::json!({
        "policy_number": row.policy_number, "state": row.state, "units": row.units,
        "insured_value": Money::from_fen(row.insured_value),
        "aggregate_limit": Money::from_fen(row.aggregate_limit), "rate": row.rate,
        "premium": Money::from_fen(row.premium), "period_start": row.period_start,
        "period_end": row.period_end, "end_user_proof": row.end_user_proof,
    })
}
