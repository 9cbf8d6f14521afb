//! What a policyholder (投保人, a client user) may see of its own records — an explicit
//! view, not the staff view with fields blanked: its policies' terms, premium and versions;
//! its claims' state, the facts of the cover check (period, section, units, limits left,
//! premium, limitation), proof checklist, statutory clocks, documents, amounts decided
//! and paid (with the account paid to), and a history that says "the insurer" for staff.
//! Never: case reserves, their cost types or history (保险公司内部估损), staff user names,
//! internal notes or assignments, the handler's cover notes, recoveries (the insurer's
//! own pursuit of third parties), underwriting findings, rule codes or authority limits,
//! referral reasons, approvals or the audit trail.
//!
//! The claim page (`http::pages::claim_detail`) and the policy page (`http::pages::policies`)
//! render a client from these views only.

use crate::domain::claims::clocks::Clock;
use crate::domain::claims::CoverCheck;
use crate::domain::money::Money;
use crate::domain::terms::{QuoteInput, SalesContract, SectionChoice, UnitLine};
use crate::services::claims::policy_view::{LimitLine, PolicyClaims};
use crate::services::claims::{ClaimDetail, ClaimView, ProofItem};
use crate::services::underwriting::{PolicyDetail, PolicyView};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A policy as its policyholder sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientPolicyView {
    pub policy_id: i64,
    pub policy_number: Option<String>,
    pub state: String,
    /// The state as the policyholder reads it: `state`, or quote_expired, declined,
    /// withdrawn for a quote no longer open.
    pub status: String,
    /// Until when the quote may be bound (a quote only).
    pub quote_valid_until: Option<NaiveDate>,
    /// The policyholder: the client's own maker.
    pub maker_id: i64,
    pub maker_name: String,
    pub user_name: String,
    /// Sold through an intermediary (dealer, leasing company…): then the end user's
    /// receipt is needed before issue.
    pub intermediary_id: Option<i64>,
    /// The end user's receipt (最终用户接收证明) is on file.
    pub end_user_proof: bool,
    /// The catalogue entry insured (its qualification).
    pub catalogue_item_id: i64,
    pub product_name: String,
    pub cover_basis: String,
    pub clause_set_id: String,
    pub clause_set_version: String,
    pub programme_id: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub units: i32,
    #[schema(value_type = String)]
    pub insured_value: Money,
    #[schema(value_type = String)]
    pub aggregate_limit: Money,
    /// Rate as a fraction (0.0185 = 1.85 %), as on the schedule.
    pub rate: String,
    #[schema(value_type = String)]
    pub premium: Money,
    pub is_renewal: bool,
    pub first_insured_year: i32,
}

impl From<&PolicyView> for ClientPolicyView {
    fn from(p: &PolicyView) -> Self {
        ClientPolicyView {
            policy_id: p.policy_id,
            policy_number: p.policy_number.clone(),
            state: p.state.clone(),
            status: p.status.clone(),
            quote_valid_until: p.quote_valid_until,
            maker_id: p.maker_id,
            maker_name: p.maker_name.clone(),
            user_name: p.user_name.clone(),
            intermediary_id: p.intermediary_id,
            end_user_proof: p.end_user_proof,
            catalogue_item_id: p.catalogue_item_id,
            product_name: p.product_name.clone(),
            cover_basis: p.cover_basis.clone(),
            clause_set_id: p.clause_set_id.clone(),
            clause_set_version: p.clause_set_version.clone(),
            programme_id: p.programme_id.clone(),
            period_start: p.period_start,
            period_end: p.period_end,
            units: p.units,
            insured_value: p.insured_value,
            aggregate_limit: p.aggregate_limit,
            rate: p.rate.clone(),
            premium: p.premium,
            is_renewal: p.is_renewal,
            first_insured_year: p.first_insured_year,
        }
    }
}

/// One fixed version of the policy (签发, 批改, 退保) with its premium effect.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientVersion {
    pub seq: i32,
    pub kind: String,
    pub effective_on: NaiveDate,
    #[schema(value_type = String)]
    pub premium: Money,
    #[schema(value_type = String)]
    pub adjustment: Money,
    /// Why the policy was endorsed or cancelled, as on the endorsement (批单).
    pub reason: String,
}

/// The policy's terms as its policyholder agreed them (投保要素): the insured units, the
/// sales contracts and the sections taken with their limits and deductibles — not the
/// underwriter's rating factors or declarations.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientTerms {
    pub units: Vec<UnitLine>,
    pub contracts: Vec<SalesContract>,
    pub sections: Vec<SectionChoice>,
}

impl From<&QuoteInput> for ClientTerms {
    fn from(t: &QuoteInput) -> Self {
        ClientTerms {
            units: t.units.clone(),
            contracts: t.contracts.clone(),
            sections: t.sections.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientPolicyDetail {
    pub policy: ClientPolicyView,
    /// None when the stored terms do not read as terms (the page then shows none).
    pub terms: Option<ClientTerms>,
    pub versions: Vec<ClientVersion>,
}

impl From<&PolicyDetail> for ClientPolicyDetail {
    fn from(d: &PolicyDetail) -> Self {
        ClientPolicyDetail {
            policy: ClientPolicyView::from(&d.policy),
            terms: Some(ClientTerms::from(&d.policy.terms)),
            versions: d
                .versions
                .iter()
                .map(|v| ClientVersion {
                    seq: v.seq,
                    kind: v.kind.clone(),
                    effective_on: v.effective_on,
                    premium: v.premium,
                    adjustment: v.adjustment,
                    reason: v.reason.clone(),
                })
                .collect(),
        }
    }
}

/// The claims on a policy as its policyholder sees them: each claim without its case
/// reserve, what was paid, and what is left of each limit — no reserves in total either.
#[derive(Debug, Clone)]
pub struct ClientPolicyClaims {
    pub claims: Vec<ClientClaimView>,
    pub total: i64,
    pub paid: Money,
    /// Sections with a limit of their own first, then the aggregate.
    pub limits: Vec<LimitLine>,
}

impl From<&PolicyClaims> for ClientPolicyClaims {
    fn from(k: &PolicyClaims) -> Self {
        ClientPolicyClaims {
            claims: k.claims.iter().map(ClientClaimView::from).collect(),
            total: k.total,
            paid: k.paid,
            limits: k.limits.clone(),
        }
    }
}

/// A claim as its claimant sees it: no case reserve.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientClaimView {
    pub claim_id: i64,
    pub claim_number: String,
    pub policy_id: i64,
    pub policy_number: String,
    /// The policyholder (投保人): the client's own maker.
    pub maker_name: String,
    pub claim_type: String,
    /// The section of the policy that answers the claim.
    pub section_code: Option<String>,
    pub state: String,
    pub event_date: NaiveDate,
    pub reported_on: NaiveDate,
    pub place: String,
    pub description: String,
    /// The units reported (serial or batch numbers).
    pub units: Vec<String>,
    #[schema(value_type = String)]
    pub amount_claimed: Money,
    /// Where the insurer writes about the claim.
    pub contact_email: String,
    pub proof_complete_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    /// The reasons of a decision, as notified (a rejection must state them, art. 24).
    pub reasons: Vec<String>,
    #[schema(value_type = Option<String>)]
    pub indemnity: Option<Money>,
    pub decided_on: Option<NaiveDate>,
    #[schema(value_type = String)]
    pub paid_total: Money,
    pub closed_on: Option<NaiveDate>,
}

impl From<&ClaimView> for ClientClaimView {
    fn from(c: &ClaimView) -> Self {
        ClientClaimView {
            claim_id: c.claim_id,
            claim_number: c.claim_number.clone(),
            policy_id: c.policy_id,
            policy_number: c.policy_number.clone(),
            maker_name: c.maker_name.clone(),
            claim_type: c.claim_type.clone(),
            section_code: c.section_code.clone(),
            state: c.state.clone(),
            event_date: c.event_date,
            reported_on: c.reported_on,
            place: c.place.clone(),
            description: c.description.clone(),
            units: c.units.clone(),
            amount_claimed: c.amount_claimed,
            contact_email: c.contact_email.clone(),
            proof_complete_on: c.proof_complete_on,
            outcome: c.outcome.clone(),
            reasons: c.reasons.clone(),
            indemnity: c.indemnity,
            decided_on: c.decided_on,
            paid_total: c.paid_total,
            closed_on: c.closed_on,
        }
    }
}

/// The cover check at notification as the policyholder may read it: the facts of its own
/// policy. The handler's notes (things to look at, e.g. asking finance about the premium)
/// are not part of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientCover {
    pub in_period: bool,
    /// The section that answers the claim, if one does.
    pub section_code: Option<String>,
    pub units_insured: bool,
    /// What was left of the section limit when the claim was reported.
    #[schema(value_type = Option<String>)]
    pub section_left: Option<Money>,
    /// What was left of the aggregate limit (累计责任限额) when the claim was reported.
    #[schema(value_type = String)]
    pub aggregate_left: Money,
    #[schema(value_type = String)]
    pub premium: Money,
    /// The end of the two-year limitation (保险法第二十六条).
    pub limitation_ends_on: NaiveDate,
}

impl From<&CoverCheck> for ClientCover {
    fn from(c: &CoverCheck) -> Self {
        ClientCover {
            in_period: c.in_period,
            section_code: c.section_code.clone(),
            units_insured: c.units_insured,
            section_left: c.section_left,
            aggregate_left: c.aggregate_left,
            premium: c.premium,
            limitation_ends_on: c.limitation_ends_on,
        }
    }
}

/// A claim payment to the claimant: amount, the account it goes to, and when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientPayment {
    pub payment_id: i64,
    #[schema(value_type = String)]
    pub amount: Money,
    pub payee: String,
    pub bank_name: String,
    pub bank_account: String,
    /// approved or paid
    pub status: String,
    pub paid_on: Option<NaiveDate>,
}

/// A document on file (what it is and when; who uploaded it is not shown).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientDocument {
    pub document_id: i64,
    pub kind: String,
    pub code: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: DateTime<Utc>,
}

/// One step of the claim's history: what happened and when; staff are "the insurer".
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientTimelineEntry {
    pub at: DateTime<Utc>,
    pub action: String,
    /// "保险公司 / the insurer" for any staff member, else the claimant's own user name.
    #[serde(serialize_with = "crate::domain::text::Text::serialize_as_record")]
    #[schema(value_type = String)]
    pub by: crate::domain::text::Text,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientClaimDetail {
    pub claim: ClientClaimView,
    pub cover: ClientCover,
    pub checklist: Vec<ProofItem>,
    pub proof_requested_at: Option<DateTime<Utc>>,
    pub proof_requested: Vec<ProofItem>,
    #[schema(value_type = Vec<Object>)]
    pub clocks: Vec<Clock>,
    pub documents: Vec<ClientDocument>,
    pub payments: Vec<ClientPayment>,
    pub timeline: Vec<ClientTimelineEntry>,
    /// Decisions and approvals made while proof was missing, with their reasons — what
    /// the claimant is told; who gave them is the insurer, not a named person.
    pub proof_waivers: Vec<ClientWaiver>,
}

/// A decision taken while proof was still missing (缺少材料时的决定), as the claimant sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientWaiver {
    /// decision or approval
    pub stage: String,
    pub missing: Vec<crate::services::claims::WaivedItem>,
    pub reason: String,
    pub given_at: DateTime<Utc>,
}

/// What a client sees of the actions in a claim's history (internal steps are left out).
const CLIENT_ACTIONS: [&str; 8] = [
    "claim.notify",
    "claim.register",
    "claim.proof_requested",
    "claim.proof_complete",
    "claim.document",
    "claim.decide",
    "claim.payment_paid",
    "claim.reopen",
];

impl ClientClaimDetail {
    /// `own_name` is the name the client's own entries carry in the staff timeline. Only
    /// `services::readers` builds it (from the actor), so no handler or page can.
    pub(in crate::services) fn of(d: &ClaimDetail, own_name: &str) -> Self {
        ClientClaimDetail {
            claim: ClientClaimView::from(&d.claim),
            cover: ClientCover::from(&d.cover),
            checklist: d.checklist.clone(),
            proof_requested_at: d.proof_requested_at,
            proof_requested: d.proof_requested.clone(),
            clocks: d.clocks.clone(),
            documents: d
                .documents
                .iter()
                .map(|x| ClientDocument {
                    document_id: x.document_id,
                    kind: x.kind.clone(),
                    code: x.code.clone(),
                    filename: x.filename.clone(),
                    content_type: x.content_type.clone(),
                    size_bytes: x.size_bytes,
                    uploaded_at: x.uploaded_at,
                })
                .collect(),
            payments: d
                .payments
                .iter()
                .map(|p| ClientPayment {
                    payment_id: p.payment_id,
                    amount: p.amount,
                    payee: p.payee.clone(),
                    bank_name: p.bank_name.clone(),
                    bank_account: p.bank_account.clone(),
                    status: p.status.clone(),
                    paid_on: p.paid_on,
                })
                .collect(),
            timeline: d
                .timeline
                .iter()
                .filter(|t| CLIENT_ACTIONS.contains(&t.action.as_str()))
                .map(|t| ClientTimelineEntry {
                    at: t.at,
                    action: t.action.clone(),
                    by: if t.who == own_name {
                        crate::domain::text::Text::new(own_name, own_name)
                    } else {
                        crate::domain::text::Text::new("保险公司", "the insurer")
                    },
                })
                .collect(),
            proof_waivers: d
                .proof_waivers
                .iter()
                .map(|w| ClientWaiver {
                    stage: w.stage.clone(),
                    missing: w.missing.clone(),
                    reason: w.reason.clone(),
                    given_at: w.given_at,
                })
                .collect(),
        }
    }
}
