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

use super::{Actor, Ctx, ServiceError, ServiceResult};
pub use crate::domain::terms::{QuoteInput, SalesContract, SectionChoice, UnitLine};
use crate::store::policies::{self as store, PolicyRow};
use crate::store::Tx;

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

fn transition(e: crate::domain::policy_state::TransitionError) -> ServiceError {
    ServiceError::Conflict(e.text())
}

/// A short JSON picture of a policy for audit rows.
fn snapshot(row: &PolicyRow) -> serde_json::Value {
    serde_json::json!({
        "policy_number": row.policy_number, "state": row.state().name(), "units": row.units,
        "insured_value": row.insured_value,
        "aggregate_limit": row.aggregate_limit, "rate": row.rate,
        "premium": row.premium, "period_start": row.period_start,
        "period_end": row.period_end, "end_user_proof": row.end_user_proof,
    })
}
