//! Closing a quote without cover: declined by the underwriter (拒保) or withdrawn for
//! the maker (投保人撤回), each with a reason, audited (issue 16 item 5).

use super::view::PolicyView;
use super::{load_for_change, require_underwriter, snapshot, Ctx};
use crate::domain::policy_state::{CancelReason, PolicyState};
use crate::domain::text::Text;
use crate::services::{Actor, Refusal, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::policies as store;
use serde::Deserialize;
use serde_json::json;

/// How a quote is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// 拒保: the insurer will not cover it.
    Decline,
    /// 撤回: the maker no longer asks for it (recorded by an underwriter for the maker).
    Withdraw,
}

impl Closing {
    fn reason(self) -> CancelReason {
        match self {
            Closing::Decline => CancelReason::QuoteDeclined,
            Closing::Withdraw => CancelReason::QuoteWithdrawn,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Closing::Decline => "policy.quote_declined",
            Closing::Withdraw => "policy.quote_withdrawn",
        }
    }
}

/// The reason for declining or withdrawing a quote.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseQuoteInput {
    /// 拒保原因 / 撤回原因
    pub reason: String,
}

/// The refusal for acting on a quote already declined or withdrawn.
pub(super) fn closed(state: &PolicyState) -> ServiceError {
    let (zh, en) = match state.status() {
        "withdrawn" => ("已撤回", "withdrawn"),
        _ => ("已拒保", "declined"),
    };
    ServiceError::refused(
        Refusal::QuoteClosed,
        format!("该报价{zh}，不能再承保、修改或关闭；如仍需投保，请重新报价"),
        format!(
            "the quote was {en}; it cannot be bound, changed or closed again — make a new quote"
        ),
    )
}

/// Decline or withdraw a quote (state `quoted`, approved or not, expired or not). A
/// referred quote is declined through its referral decision instead.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn close_quote(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
    how: Closing,
    reason: &str,
) -> ServiceResult<PolicyView> {
    require_underwriter(actor, "decline or withdraw quotes")?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(match how {
            Closing::Decline => {
                ServiceError::field("reason", "give the reason for declining", "请填写拒保原因")
            }
            Closing::Withdraw => ServiceError::field(
                "reason",
                "give the maker's reason for withdrawing",
                "请填写投保人撤回的原因",
            ),
        });
    }
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, policy_id).await?;
    let state = row.state();
    if matches!(state.status(), "declined" | "withdrawn") {
        return Err(closed(&state));
    }
    if state == PolicyState::Referred {
        return Err(ServiceError::Conflict(Text::new(
"报价正在等待上级核保：请由核保权限层级在转核中拒绝，或待决定后再撤回",
"the quote waits for a referral decision: the deciding level declines it there, or withdraw it once decided",
)));
    }
    let today = ctx.clock.today();
    let next = state
        .close_quote(today, how.reason())
        .map_err(|e| ServiceError::Conflict(e.text()))?;
    let before = snapshot(&row);
    row.set_state(next);
    store::save(&mut tx, &mut row).await?;
    let mut after = snapshot(&row);
    after["status"] = json!(next.status());
    after["reason"] = json!(reason);
    after["on"] = json!(today);
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: how.action(),
            entity_type: "policy",
            entity_id: policy_id.to_string(),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(super::view::dated(ctx, &row))
}
