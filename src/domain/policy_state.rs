//! The policy lifecycle (保单状态): quoted → referred → bound → issued → in force →
//! expired / cancelled, as one enum with one transition function per move. Every
//! function takes the state by value and returns the next state or a named error.
//!
//! Referral: a quote that needs a senior underwriter (rating referrals, limit above
//! authority) must be referred and approved before it can be bound.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Why a cancellation happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// 上级核保拒绝
    DeclinedOnReferral,
    /// 投保人撤回 / 退保
    PolicyholderRequest,
    /// 保险人解除
    InsurerTermination,
    /// 核保拒保: the underwriter declined the quote.
    QuoteDeclined,
    /// 投保人撤回: the maker withdrew the quote (recorded by an underwriter for it).
    QuoteWithdrawn,
}

/// Where a policy is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PolicyState {
    /// 已报价 — `approved` once a senior underwriter cleared a referral.
    Quoted { approved: bool },
    /// 待上级核保
    Referred,
    /// 已承保(约定)
    Bound { on: NaiveDate },
    /// 已出单
    Issued { on: NaiveDate },
    /// 保险期间内有效
    InForce,
    /// 已满期
    Expired,
    /// 已注销 / 退保 — `on` is the last day of cover; `was_issued` tells whether premium
    /// may need refunding.
    Cancelled {
        on: NaiveDate,
        reason: CancelReason,
        was_issued: bool,
    },
}

/// A move the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("状态 {from} 不能执行 {action} / cannot {action} a policy that is {from}")]
    NotAllowed {
        from: &'static str,
        action: &'static str,
    },
    #[error("该报价须经上级核保批准后才能承保 / this quote needs a senior underwriter's approval before binding")]
    ReferralRequired,
    #[error("保险期间 {start} 起始前不能生效 / cover cannot start before {start}")]
    NotYetStarted { start: NaiveDate },
    #[error("保险期间至 {end} 止，尚未满期 / the period runs to {end}; it has not expired")]
    NotYetEnded { end: NaiveDate },
}

impl PolicyState {
    pub fn new_quote() -> PolicyState {
        PolicyState::Quoted { approved: false }
    }

    pub fn name(&self) -> &'static str {
        match self {
            PolicyState::Quoted { .. } => "quoted",
            PolicyState::Referred => "referred",
            PolicyState::Bound { .. } => "bound",
            PolicyState::Issued { .. } => "issued",
            PolicyState::InForce => "in_force",
            PolicyState::Expired => "expired",
            PolicyState::Cancelled { .. } => "cancelled",
        }
    }

    fn not_allowed(&self, action: &'static str) -> TransitionError {
        TransitionError::NotAllowed {
            from: self.name(),
            action,
        }
    }

    /// quoted → referred (提交上级核保).
    pub fn refer(self) -> Result<PolicyState, TransitionError> {
        match self {
            PolicyState::Quoted { .. } => Ok(PolicyState::Referred),
            other => Err(other.not_allowed("refer")),
        }
    }

    /// referred → quoted, approved (上级核保同意).
    pub fn approve(self) -> Result<PolicyState, TransitionError> {
        match self {
            PolicyState::Referred => Ok(PolicyState::Quoted { approved: true }),
            other => Err(other.not_allowed("approve")),
        }
    }

    /// referred → cancelled (上级核保拒绝).
    pub fn decline(self, on: NaiveDate) -> Result<PolicyState, TransitionError> {
        match self {
            PolicyState::Referred => Ok(PolicyState::Cancelled {
                on,
                reason: CancelReason::DeclinedOnReferral,
                was_issued: false,
            }),
            other => Err(other.not_allowed("decline")),
        }
    }

    /// quoted → cancelled, declined by the underwriter or withdrawn for the maker; only a
    /// quote (not referred, not bound) closes this way.
    pub fn close_quote(
        self,
        on: NaiveDate,
        reason: CancelReason,
    ) -> Result<PolicyState, TransitionError> {
        let action = match reason {
            CancelReason::QuoteWithdrawn => "withdraw",
            _ => "decline",
        };
        match self {
            PolicyState::Quoted { .. } => Ok(PolicyState::Cancelled {
                on,
                reason,
                was_issued: false,
            }),
            other => Err(other.not_allowed(action)),
        }
    }

    /// How the state reads to a person: `declined` and `withdrawn` for a closed quote,
    /// `declined` for a referral declined; otherwise the state's name.
    pub fn status(&self) -> &'static str {
        match self {
            PolicyState::Cancelled {
                reason: CancelReason::QuoteDeclined | CancelReason::DeclinedOnReferral,
                ..
            } => "declined",
            PolicyState::Cancelled {
                reason: CancelReason::QuoteWithdrawn,
                ..
            } => "withdrawn",
            other => other.name(),
        }
    }

    /// A quote not yet bound (its validity runs).
    pub fn is_open_quote(&self) -> bool {
        matches!(self, PolicyState::Quoted { .. } | PolicyState::Referred)
    }

    /// quoted → bound; a quote with open referrals must have been approved.
    pub fn bind(self, on: NaiveDate, needs_referral: bool) -> Result<PolicyState, TransitionError> {
        match self {
            PolicyState::Quoted { approved } if needs_referral && !approved => {
                Err(TransitionError::ReferralRequired)
            }
            PolicyState::Quoted { .. } => Ok(PolicyState::Bound { on }),
            other => Err(other.not_allowed("bind")),
        }
    }

    /// bound → issued (出单).
    pub fn issue(self, on: NaiveDate) -> Result<PolicyState, TransitionError> {
        match self {
            PolicyState::Bound { .. } => Ok(PolicyState::Issued { on }),
            other => Err(other.not_allowed("issue")),
        }
    }

    /// issued → in force on or after the period's start (起保).
    pub fn take_effect(
        self,
        today: NaiveDate,
        start: NaiveDate,
    ) -> Result<PolicyState, TransitionError> {
        match self {
            PolicyState::Issued { .. } if today < start => {
                Err(TransitionError::NotYetStarted { start })
            }
            PolicyState::Issued { .. } => Ok(PolicyState::InForce),
            other => Err(other.not_allowed("take effect")),
        }
    }

    /// in force → expired after the period's last day (满期).
    pub fn expire(self, today: NaiveDate, end: NaiveDate) -> Result<PolicyState, TransitionError> {
        match self {
            PolicyState::InForce if today <= end => Err(TransitionError::NotYetEnded { end }),
            PolicyState::InForce => Ok(PolicyState::Expired),
            other => Err(other.not_allowed("expire")),
        }
    }

    /// Any live state → cancelled; expired and cancelled policies cannot be cancelled.
    pub fn cancel(
        self,
        on: NaiveDate,
        reason: CancelReason,
    ) -> Result<PolicyState, TransitionError> {
        let was_issued = matches!(self, PolicyState::Issued { .. } | PolicyState::InForce);
        match self {
            PolicyState::Quoted { .. }
            | PolicyState::Referred
            | PolicyState::Bound { .. }
            | PolicyState::Issued { .. }
            | PolicyState::InForce => Ok(PolicyState::Cancelled {
                on,
                reason,
                was_issued,
            }),
            other => Err(other.not_allowed("cancel")),
        }
    }

    /// Is cover running (claims may be registered against it)?
    pub fn is_in_force(&self) -> bool {
        matches!(self, PolicyState::InForce)
    }

    /// 已注销 / 退保 (whether or not it was ever issued).
    pub fn is_cancelled(&self) -> bool {
        matches!(self, PolicyState::Cancelled { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }

    fn issued() -> PolicyState {
        PolicyState::Issued { on: d(1, 1) }
    }

    #[test]
    fn quoted_can_be_referred() {
        assert_eq!(PolicyState::new_quote().refer(), Ok(PolicyState::Referred));
        assert!(issued().refer().is_err());
    }

    #[test]
    fn referred_can_be_approved_back_to_an_approved_quote() {
        assert_eq!(
            PolicyState::Referred.approve(),
            Ok(PolicyState::Quoted { approved: true })
        );
        assert!(PolicyState::new_quote().approve().is_err());
    }

    #[test]
    fn referred_can_be_declined() {
        let s = PolicyState::Referred.decline(d(2, 1)).unwrap();
        assert!(matches!(
            s,
            PolicyState::Cancelled {
                reason: CancelReason::DeclinedOnReferral,
                was_issued: false,
                ..
            }
        ));
        assert!(PolicyState::InForce.decline(d(2, 1)).is_err());
    }

    #[test]
    fn quoted_binds_unless_a_referral_is_open() {
        assert_eq!(
            PolicyState::new_quote().bind(d(1, 5), false),
            Ok(PolicyState::Bound { on: d(1, 5) })
        );
        assert_eq!(
            PolicyState::new_quote().bind(d(1, 5), true),
            Err(TransitionError::ReferralRequired)
        );
        assert!(PolicyState::Quoted { approved: true }
            .bind(d(1, 5), true)
            .is_ok());
        assert!(PolicyState::Referred.bind(d(1, 5), false).is_err());
    }

    #[test]
    fn bound_can_be_issued() {
        assert_eq!(
            PolicyState::Bound { on: d(1, 5) }.issue(d(1, 6)),
            Ok(PolicyState::Issued { on: d(1, 6) })
        );
        assert!(PolicyState::new_quote().issue(d(1, 6)).is_err());
    }

    #[test]
    fn issued_takes_effect_from_the_start_date() {
        assert_eq!(
            issued().take_effect(d(3, 1), d(3, 1)),
            Ok(PolicyState::InForce)
        );
        assert_eq!(
            issued().take_effect(d(2, 28), d(3, 1)),
            Err(TransitionError::NotYetStarted { start: d(3, 1) })
        );
        assert!(PolicyState::Bound { on: d(1, 1) }
            .take_effect(d(3, 1), d(3, 1))
            .is_err());
    }

    #[test]
    fn in_force_expires_after_the_last_day() {
        assert_eq!(
            PolicyState::InForce.expire(d(12, 31), d(12, 31)),
            Err(TransitionError::NotYetEnded { end: d(12, 31) })
        );
        let next_year = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(
            PolicyState::InForce.expire(next_year, d(12, 31)),
            Ok(PolicyState::Expired)
        );
        assert!(issued().expire(next_year, d(12, 31)).is_err());
    }

    #[test]
    fn live_policies_can_be_cancelled_but_not_finished_ones() {
        let reason = CancelReason::PolicyholderRequest;
        let s = PolicyState::InForce.cancel(d(6, 30), reason).unwrap();
        assert!(matches!(
            s,
            PolicyState::Cancelled {
                was_issued: true,
                ..
            }
        ));
        let s = PolicyState::Bound { on: d(1, 1) }
            .cancel(d(1, 2), reason)
            .unwrap();
        assert!(matches!(
            s,
            PolicyState::Cancelled {
                was_issued: false,
                ..
            }
        ));
        assert!(PolicyState::Expired.cancel(d(6, 30), reason).is_err());
        assert!(s.cancel(d(6, 30), reason).is_err());
    }

    #[test]
    fn only_a_quote_is_declined_or_withdrawn() {
        let s = PolicyState::new_quote()
            .close_quote(d(2, 1), CancelReason::QuoteWithdrawn)
            .unwrap();
        assert_eq!(s.name(), "cancelled");
        assert_eq!(s.status(), "withdrawn");
        let s = PolicyState::Quoted { approved: true }
            .close_quote(d(2, 1), CancelReason::QuoteDeclined)
            .unwrap();
        assert_eq!(s.status(), "declined");
        assert!(PolicyState::Referred
            .close_quote(d(2, 1), CancelReason::QuoteDeclined)
            .is_err());
        assert!(PolicyState::Bound { on: d(1, 1) }
            .close_quote(d(2, 1), CancelReason::QuoteWithdrawn)
            .is_err());
        assert_eq!(
            PolicyState::Referred.decline(d(2, 1)).unwrap().status(),
            "declined"
        );
    }

    #[test]
    fn errors_speak_both_languages() {
        let e = PolicyState::Expired
            .cancel(d(1, 1), CancelReason::InsurerTermination)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "状态 expired 不能执行 cancel / cannot cancel a policy that is expired"
        );
    }
}
