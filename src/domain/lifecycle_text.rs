//! The policy and claim lifecycles' refusals in words (状态变更的提示), with the state
//! and the move named in Chinese for the Chinese reader (not the stored code).

use super::claims::ClaimStateError;
use super::policy_state::TransitionError;
use super::text::Text;

/// A policy state's name (`PolicyState::name`/`status`) in Chinese; an unknown code
/// shows itself.
pub fn policy_state_zh(name: &str) -> &str {
    match name {
        "quoted" => "已报价",
        "referred" => "待上级核保",
        "bound" => "已承保",
        "issued" => "已出单",
        "in_force" => "有效",
        "expired" => "已满期",
        "cancelled" => "已注销",
        "declined" => "已拒保",
        "withdrawn" => "已撤回",
        other => other,
    }
}

/// A claim state's name (`ClaimState::as_str`) in Chinese.
pub fn claim_state_zh(name: &str) -> &str {
    match name {
        "notified" => "已报案",
        "open" => "处理中",
        "awaiting_approval" => "待审批",
        "agreed" => "已核定待支付",
        "closed" => "已结案",
        other => other,
    }
}

/// A lifecycle move (`TransitionError::NotAllowed::action`) in Chinese.
fn policy_action_zh(action: &str) -> &str {
    match action {
        "refer" => "提交上级核保",
        "approve" => "核保同意",
        "decline" => "拒保",
        "withdraw" => "撤回",
        "bind" => "承保",
        "issue" => "出单",
        "take effect" => "生效",
        "expire" => "满期",
        "cancel" => "注销",
        other => other,
    }
}

impl TransitionError {
    /// The refusal in both languages.
    pub fn text(&self) -> Text {
        match self {
            TransitionError::NotAllowed { from, action } => Text::new(
                format!(
                    "保单当前状态为“{}”，不能{}",
                    policy_state_zh(from),
                    policy_action_zh(action)
                ),
                format!("cannot {action} a policy that is {from}"),
            ),
            TransitionError::ReferralRequired => Text::new(
                "该报价须经上级核保批准后才能承保",
                "this quote needs a senior underwriter's approval before binding",
            ),
            TransitionError::NotYetStarted { start } => Text::new(
                format!("保险期间 {start} 起始前不能生效"),
                format!("cover cannot start before {start}"),
            ),
            TransitionError::NotYetEnded { end } => Text::new(
                format!("保险期间至 {end} 止，尚未满期"),
                format!("the period runs to {end}; it has not expired"),
            ),
        }
    }
}

impl ClaimStateError {
    /// The refusal in both languages.
    pub fn text(&self) -> Text {
        Text::new(
            format!(
                "赔案当前状态为“{}”，不能{}",
                claim_state_zh(self.from),
                self.action_zh
            ),
            format!("cannot {} a claim that is {}", self.action, self.from),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::claims::ClaimState;
    use crate::domain::policy_state::{CancelReason, PolicyState};

    #[test]
    fn a_refused_policy_move_names_state_and_move_in_chinese() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let t = PolicyState::Expired
            .cancel(d, CancelReason::InsurerTermination)
            .unwrap_err()
            .text();
        assert_eq!(t.zh, "保单当前状态为“已满期”，不能注销");
        assert_eq!(t.en, "cannot cancel a policy that is expired");
    }

    #[test]
    fn a_refused_claim_move_names_the_state_in_chinese() {
        let t = ClaimState::Closed.register().unwrap_err().text();
        assert_eq!(t.zh, "赔案当前状态为“已结案”，不能立案");
        assert_eq!(t.en, "cannot register a claim that is closed");
    }
}
