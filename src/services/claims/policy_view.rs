//! A policy's claims as its page shows them (保单项下赔案): the claims, what was paid,
//! and what is left of each section limit and of the aggregate limit.

use super::policy_terms::PolicyTerms;
use super::view::ClaimView;
use crate::domain::money::Money;
use crate::services::Ctx;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::claims::{self as store, ClaimFilter};

/// One limit of the policy: its name, the limit, what claims used and what is left.
#[derive(Debug, Clone)]
pub struct LimitLine {
    /// A section code, or None for the aggregate limit (累计责任限额).
    pub section: Option<String>,
    pub limit: Money,
    pub used: Money,
    pub left: Money,
}

#[derive(Debug, Clone)]
pub struct PolicyClaims {
    pub claims: Vec<ClaimView>,
    pub total: i64,
    pub paid: Money,
    pub reserve: Money,
    /// Sections with a limit of their own first, then the aggregate.
    pub limits: Vec<LimitLine>,
}

/// The claims of `policy_id` (newest 50) and its limits; a client sees only its own.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn for_policy(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<PolicyClaims> {
    let mut tx = ctx.db.read().await?;
    let p = PolicyTerms::load(&mut tx, ctx.library, policy_id).await?;
    if !actor.can_see_maker(p.row.maker_id) {
        return Err(ServiceError::NotFound("policy"));
    }
    let sort = store::ClaimSort::default();
    let page = store::list(
        &mut tx,
        &ClaimFilter {
            policy_id: Some(policy_id),
            only_maker: actor.maker_scope(),
            ..ClaimFilter::default()
        },
        sort,
        &crate::services::seek(Some(50), None, sort.order(true)),
    )
    .await?;
    let (rows, total) = (page.rows, page.total.count);
    tx.commit().await?;
    let claims: Vec<ClaimView> = rows.iter().map(ClaimView::from).collect();
    let paid = Money::try_sum(claims.iter().map(|c| c.paid_total))?;
    let reserve = Money::try_sum(claims.iter().map(|c| c.reserve))?;
    let mut limits: Vec<LimitLine> = p
        .sections()
        .into_iter()
        .filter_map(|s| {
            let limit = s.limit?;
            Some(LimitLine {
                left: limit.remaining(s.used),
                section: Some(s.code),
                limit,
                used: s.used,
            })
        })
        .collect();
    limits.push(LimitLine {
        section: None,
        limit: p.aggregate_limit(),
        used: p.aggregate_used(),
        left: p.aggregate_left(),
    });
    Ok(PolicyClaims {
        claims,
        total,
        paid,
        reserve,
        limits,
    })
}
