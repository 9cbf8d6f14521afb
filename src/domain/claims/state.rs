//! The claim lifecycle (赔案状态), one enum with one function per move:
//!
//! ```text
//! notified ──register──► open ──decide──► awaiting_approval ──approve──► agreed / closed
//!                          ▲      └──────────────(within authority)────► agreed / closed
//!                          │                                   agreed ──paid in full──► closed
//!                          └──────────────── reopen ◄──────────────────────────── closed
//! ```
//! A notification by a client (报案) waits for a handler to register it (立案) with a
//! case reserve. A rejection closes the claim at once.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimState {
    /// 已报案
    Notified,
    /// 已立案，处理中
    Open,
    /// 超权限，待理赔主管审批
    AwaitingApproval,
    /// 已核定赔付，待支付
    Agreed,
    /// 已结案
    Closed,
}

/// The decision on a claim (核定结论).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 全额赔付
    Accept,
    /// 部分赔付
    AcceptInPart,
    /// 拒赔
    Reject,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accept => "accept",
            Outcome::AcceptInPart => "accept_in_part",
            Outcome::Reject => "reject",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "accept" => Some(Outcome::Accept),
            "accept_in_part" => Some(Outcome::AcceptInPart),
            "reject" => Some(Outcome::Reject),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("赔案状态为 {from}，不能{action_zh} / cannot {action} a claim that is {from}")]
pub struct ClaimStateError {
    pub from: &'static str,
    pub action: &'static str,
    pub action_zh: &'static str,
}

impl ClaimState {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimState::Notified => "notified",
            ClaimState::Open => "open",
            ClaimState::AwaitingApproval => "awaiting_approval",
            ClaimState::Agreed => "agreed",
            ClaimState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimState> {
        [
            ClaimState::Notified,
            ClaimState::Open,
            ClaimState::AwaitingApproval,
            ClaimState::Agreed,
            ClaimState::Closed,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }

    fn refuse(self, action: &'static str, action_zh: &'static str) -> ClaimStateError {
        ClaimStateError {
            from: self.as_str(),
            action,
            action_zh,
        }
    }

    /// 立案: a handler takes on a notified claim with a case reserve.
    pub fn register(self) -> Result<ClaimState, ClaimStateError> {
        match self {
            ClaimState::Notified => Ok(ClaimState::Open),
            s => Err(s.refuse("register", "立案")),
        }
    }

    /// Proof, reserves and documents can change while the claim is being handled.
    pub fn can_handle(self) -> bool {
        matches!(
            self,
            ClaimState::Notified | ClaimState::Open | ClaimState::AwaitingApproval
        )
    }

    /// 核定: within authority the decision is final at once.
    pub fn decide(
        self,
        outcome: Outcome,
        within_authority: bool,
    ) -> Result<ClaimState, ClaimStateError> {
        match self {
            ClaimState::Open if !within_authority => Ok(ClaimState::AwaitingApproval),
            ClaimState::Open => Ok(final_state(outcome)),
            s => Err(s.refuse("decide", "核定")),
        }
    }

    /// A claims manager approves a decision above the handler's authority, or sends
    /// it back to the handler.
    pub fn approve(self, outcome: Outcome, approve: bool) -> Result<ClaimState, ClaimStateError> {
        match self {
            ClaimState::AwaitingApproval if approve => Ok(final_state(outcome)),
            ClaimState::AwaitingApproval => Ok(ClaimState::Open),
            s => Err(s.refuse("approve", "审批")),
        }
    }

    /// Payments are made on an agreed claim.
    pub fn pay(self, fully_paid: bool) -> Result<ClaimState, ClaimStateError> {
        match self {
            ClaimState::Agreed if fully_paid => Ok(ClaimState::Closed),
            ClaimState::Agreed => Ok(ClaimState::Agreed),
            s => Err(s.refuse("pay", "支付赔款")),
        }
    }

    /// 重开赔案
    pub fn reopen(self) -> Result<ClaimState, ClaimStateError> {
        match self {
            ClaimState::Closed => Ok(ClaimState::Open),
            s => Err(s.refuse("reopen", "重开")),
        }
    }
}

fn final_state(outcome: Outcome) -> ClaimState {
    match outcome {
        Outcome::Reject => ClaimState::Closed,
        Outcome::Accept | Outcome::AcceptInPart => ClaimState::Agreed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_is_registered_once() {
        assert_eq!(ClaimState::Notified.register(), Ok(ClaimState::Open));
        assert!(ClaimState::Open.register().is_err());
    }

    #[test]
    fn within_authority_a_decision_is_final_and_a_rejection_closes() {
        assert_eq!(
            ClaimState::Open.decide(Outcome::Accept, true),
            Ok(ClaimState::Agreed)
        );
        assert_eq!(
            ClaimState::Open.decide(Outcome::Reject, true),
            Ok(ClaimState::Closed)
        );
        assert!(ClaimState::Notified.decide(Outcome::Accept, true).is_err());
    }

    #[test]
    fn above_authority_a_decision_waits_for_a_manager() {
        let s = ClaimState::Open
            .decide(Outcome::AcceptInPart, false)
            .unwrap();
        assert_eq!(s, ClaimState::AwaitingApproval);
        assert_eq!(
            s.approve(Outcome::AcceptInPart, true),
            Ok(ClaimState::Agreed)
        );
        assert_eq!(
            s.approve(Outcome::AcceptInPart, false),
            Ok(ClaimState::Open)
        );
        assert!(ClaimState::Open.approve(Outcome::Accept, true).is_err());
    }

    #[test]
    fn paying_in_full_closes_and_a_closed_claim_reopens() {
        assert_eq!(ClaimState::Agreed.pay(false), Ok(ClaimState::Agreed));
        assert_eq!(ClaimState::Agreed.pay(true), Ok(ClaimState::Closed));
        assert!(ClaimState::Open.pay(true).is_err());
        assert_eq!(ClaimState::Closed.reopen(), Ok(ClaimState::Open));
        assert!(ClaimState::Open.reopen().is_err());
    }

    #[test]
    fn names_round_trip() {
        for s in ["notified", "open", "awaiting_approval", "agreed", "closed"] {
            assert_eq!(ClaimState::parse(s).unwrap().as_str(), s);
        }
        for o in ["accept", "accept_in_part", "reject"] {
            assert_eq!(Outcome::parse(o).unwrap().as_str(), o);
        }
    }
}
