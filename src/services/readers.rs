//! Reads that answer each reader with its own view (按读者的视图): the staff view for
//! staff, the policyholder's explicit view (`client_view`) for a client. The choice is made
//! here, from the actor, so a JSON handler or the claim page cannot hand a client the staff
//! view by forgetting a conversion; each renders what it is given — the claim page a
//! client's page from `ClientClaimDetail` alone (`tests/boundary.rs`,
//! `no_http_file_reads_a_claim_or_builds_a_client_view_itself`). The policy page still
//! reads the staff `PolicyDetail` and leaves out the staff parts itself (see ARCHITECTURE).

use crate::paging::Paged;
use crate::services::claims::{self, ClaimDetail, ClaimView};
pub use crate::services::client_view::{
    ClientClaimDetail, ClientClaimView, ClientPolicyDetail, ClientPolicyView,
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
