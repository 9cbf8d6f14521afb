//! Reads that answer each reader with its own view (按读者的视图): the staff view for
//! staff, the policyholder's explicit view (`client_view`) for a client. The choice is made
//! here, from the actor, so a JSON handler or a page cannot hand a client the staff view by
//! forgetting a conversion; each renders what it is given — the claim page a client's page
//! from `ClientClaimDetail` alone, the policy page a client's page from `ClientPolicyDetail`
//! and `ClientPolicyClaims` alone (`tests/boundary.rs`,
//! `no_http_file_reads_a_claim_or_builds_a_client_view_itself`,
//! `no_page_reads_the_staff_policy_itself`). Pages only staff may open (the quote form,
//! the bind/issue confirmation) read the staff `PolicyDetail` through `staff_policy`,
//! which refuses a client.

use crate::paging::Paged;
use crate::services::claims::policy_view::{self, PolicyClaims};
use crate::services::claims::{self, ClaimDetail, ClaimView};
pub use crate::services::client_view::{
    ClientClaimDetail, ClientClaimView, ClientPolicyClaims, ClientPolicyDetail, ClientPolicyView,
    ClientTerms, ClientVersion,
};
use crate::services::underwriting::{self as uw, PolicyDetail, PolicyView};
use crate::services::{Actor, Ctx, ServiceResult};
use serde::Serialize;

/// A record as its reader may see it. Serialised as the view itself.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ForReader<S, C> {
    Staff(S),
    Client(C),
}

impl<S, C> ForReader<S, C> {
    /// The client's view for a client actor, the staff view otherwise.
    fn of(actor: &Actor, staff: S, client: impl FnOnce(&S) -> C) -> Self {
        if actor.role.is_client() {
            ForReader::Client(client(&staff))
        } else {
            ForReader::Staff(staff)
        }
    }
}

/// One policy with its versions (and, for staff, referrals and history).
pub async fn policy(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i64,
) -> ServiceResult<ForReader<PolicyDetail, ClientPolicyDetail>> {
    let d = uw::get(ctx, actor, id).await?;
    Ok(ForReader::of(actor, d, |d| ClientPolicyDetail::from(d)))
}

/// One policy as only staff read it (findings, referrals, history): for the pages and
/// actions no client may open. A client is refused (403), whatever the policy.
pub async fn staff_policy(ctx: &Ctx<'_>, actor: &Actor, id: i64) -> ServiceResult<PolicyDetail> {
    actor.require(actor.role.is_staff(), "read the insurer's policy file")?;
    uw::get(ctx, actor, id).await
}

/// The claims on a policy, what was paid and what is left of each limit: with the case
/// reserves for staff, without them (each claim as its claimant sees it) for a client.
pub async fn policy_claims(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<ForReader<PolicyClaims, ClientPolicyClaims>> {
    let k = policy_view::for_policy(ctx, actor, policy_id).await?;
    Ok(ForReader::of(actor, k, |k| ClientPolicyClaims::from(k)))
}

/// A page of the policy list (a client's own maker's only).
pub async fn policies(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: uw::ListQuery,
) -> ServiceResult<Paged<ForReader<PolicyView, ClientPolicyView>>> {
    let page = uw::list(ctx, actor, q).await?;
    Ok(page.into_map(|p| ForReader::of(actor, p, |p| ClientPolicyView::from(p))))
}

/// One claim: the staff file, or the claimant's view without reserves or staff names.
pub async fn claim(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i64,
) -> ServiceResult<ForReader<ClaimDetail, ClientClaimDetail>> {
    let d = claims::get(ctx, actor, id).await?;
    Ok(ForReader::of(actor, d, |d| {
        ClientClaimDetail::of(d, &actor.username)
    }))
}

/// A page of the claims list (a client's own maker's only).
pub async fn claims(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: claims::ListQuery,
) -> ServiceResult<Paged<ForReader<ClaimView, ClientClaimView>>> {
    let page = claims::list(ctx, actor, q).await?;
    Ok(page.into_map(|c| ForReader::of(actor, c, |c| ClientClaimView::from(c))))
}
