//! Who a user is in the business, and so what they may do.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role (角色). A client is always bound to one maker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员
    Admin,
    /// 核保员
    Underwriter,
    /// 高级核保员
    SeniorUnderwriter,
    /// 分公司负责人: the top of the default authority ladder (decides referrals above a
    /// senior underwriter's authority and cover wholly in the past; does not quote).
    BranchHead,
    /// 财务/收费
    Finance,
    /// 理赔员
    ClaimsHandler,
    /// 理赔主管
    ClaimsManager,
    /// 精算师
    Actuary,
    /// 稽核
    Auditor,
    /// 客户（投保企业）
    Client,
}

pub const ALL_ROLES: [Role; 10] = [
    Role::Admin,
    Role::Underwriter,
    Role::SeniorUnderwriter,
    Role::BranchHead,
    Role::Finance,
    Role::ClaimsHandler,
    Role::ClaimsManager,
    Role::Actuary,
    Role::Auditor,
    Role::Client,
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}' (expected one of admin, underwriter, senior_underwriter, branch_head, finance, claims_handler, claims_manager, actuary, auditor, client)")]
pub struct UnknownRole(pub String);

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Underwriter => "underwriter",
            Role::SeniorUnderwriter => "senior_underwriter",
            Role::BranchHead => "branch_head",
            Role::Finance => "finance",
            Role::ClaimsHandler => "claims_handler",
            Role::ClaimsManager => "claims_manager",
            Role::Actuary => "actuary",
            Role::Auditor => "auditor",
            Role::Client => "client",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Underwriter => "核保员",
            Role::SeniorUnderwriter => "高级核保员",
            Role::BranchHead => "分公司负责人",
            Role::Finance => "财务",
            Role::ClaimsHandler => "理赔员",
            Role::ClaimsManager => "理赔主管",
            Role::Actuary => "精算师",
            Role::Auditor => "稽核",
            Role::Client => "客户",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Underwriter => "Underwriter",
            Role::SeniorUnderwriter => "Senior underwriter",
            Role::BranchHead => "Branch head",
            Role::Finance => "Finance",
            Role::ClaimsHandler => "Claims handler",
            Role::ClaimsManager => "Claims manager",
            Role::Actuary => "Actuary",
            Role::Auditor => "Auditor",
            Role::Client => "Client",
        }
    }

    pub fn is_client(self) -> bool {
        self == Role::Client
    }

    /// Insurer staff may read the whole book; clients only their own maker's records.
    pub fn is_staff(self) -> bool {
        !self.is_client()
    }

    /// May create and edit parties and catalogue entries.
    pub fn manages_parties(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::Underwriter | Role::SeniorUnderwriter
        )
    }

    /// May quote, bind, issue, endorse, cancel and renew policies (核保).
    pub fn underwrites(self) -> bool {
        matches!(self, Role::Underwriter | Role::SeniorUnderwriter)
    }

    /// May decide referrals (上级核保) — up to its level on the authority ladder.
    pub fn decides_referrals(self) -> bool {
        matches!(self, Role::SeniorUnderwriter | Role::BranchHead)
    }

    /// May read the underwriting book and the referral queue (核保及上级核保).
    pub fn reads_underwriting(self) -> bool {
        self.underwrites() || self.decides_referrals()
    }

    /// May record payment plans, payments, refunds, invoices and bank files (财务收费).
    pub fn collects_premium(self) -> bool {
        self == Role::Finance
    }

    /// May register, reserve, decide and pay claims (理赔).
    pub fn handles_claims(self) -> bool {
        matches!(self, Role::ClaimsHandler | Role::ClaimsManager)
    }

    /// May approve claim decisions above a handler's authority (理赔审批).
    pub fn approves_claims(self) -> bool {
        self == Role::ClaimsManager
    }

    /// May report a claim (报案): claims staff, and a client for its own maker.
    pub fn reports_claims(self) -> bool {
        self.handles_claims() || self.is_client()
    }

    pub fn manages_users(self) -> bool {
        self == Role::Admin
    }

    /// Rate backtesting (费率回溯): actuaries, and administrators.
    pub fn runs_backtests(self) -> bool {
        matches!(self, Role::Actuary | Role::Admin)
    }

    pub fn reads_audit(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }

    /// May see the outbox (mail and regulator deliveries, dead letters).
    pub fn watches_deliveries(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor | Role::Actuary)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL_ROLES
            .iter()
            .copied()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| UnknownRole(s.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for r in ALL_ROLES {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn only_underwriting_roles_and_admin_manage_parties() {
        assert!(Role::Underwriter.manages_parties());
        assert!(!Role::Finance.manages_parties());
        assert!(!Role::Client.manages_parties());
    }
}
