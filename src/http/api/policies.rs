//! `/api/v1/quotes`, `/api/v1/policies`, `/api/v1/referrals`: underwriting.

use super::{if_match, SeekPage};
use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::readers::{self, ForReader};
use crate::services::underwriting::ReferralView;
use crate::services::underwriting::{
    self as uw, CancelInput, CloseQuoteInput, Closing, EndorsementInput, ListQuery, PolicyDetail,
    PolicyView, QuoteInput, RenewalInput,
};
use actix_web::{get, post, put, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(quote)
        .service(referrals)
        .service(list)
        .service(get)
        .service(requote)
        .service(decide)
        .service(bind)
        .service(proof)
        .service(issue)
        .service(endorse)
        .service(cancel)
        .service(renew)
        .service(decline)
        .service(withdraw)
        .service(subsidy);
}

/// The policy after an underwriting action (which only staff may take), as staff read it.
async fn view(st: &AppState, who: &ApiActor, id: i64) -> Result<PolicyView, ApiError> {
    Ok(readers::staff_policy(&st.ctx(), &who.0, id).await?.policy)
}

/// Quote: check the hard rules and warnings (acknowledge each warning's code), rate
/// from the filing. Above authority or outside the filed band the quote is referred.
#[utoipa::path(tag = "underwriting",
    responses((status = 201, body = PolicyView), (status = 422, body = crate::http::problem::Problem)))]
#[post("/quotes")]
pub async fn quote(
    st: web::Data<AppState>,
    who: ApiActor,
    body: web::Json<QuoteInput>,
) -> Result<HttpResponse, ApiError> {
    let v = uw::create_quote(&st.ctx(), &who.0, body.into_inner()).await?;
    let id = v.policy_id;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/policies/{id}")))
        .insert_header(("ETag", format!("\"{}\"", v.version)))
        .json(v))
}

/// Policies and quotes, newest first, with search and filters (a client sees its own).
#[utoipa::path(params(ListQuery), tag = "underwriting",
    responses((status = 200, body = SeekPage<PolicyView>)))]
#[get("/policies")]
pub async fn list(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = q.limit;
    // A policyholder gets its own explicit view: no findings or referral reasons.
    let page = readers::policies(&st.ctx(), &who.0, q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, limit)))
}

/// One policy with its issued versions, referrals and history.
#[utoipa::path(tag = "underwriting",
    responses((status = 200, body = PolicyDetail, description = "staff; a client gets ClientPolicyDetail"),
              (status = 404, body = crate::http::problem::Problem)))]
#[get("/policies/{id}")]
pub async fn get(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let d = readers::policy(&st.ctx(), &who.0, id.into_inner()).await?;
    let mut resp = HttpResponse::Ok();
    if let ForReader::Staff(staff) = &d {
        // The version a change must name (If-Match); a client changes nothing.
        resp.insert_header(("ETag", format!("\"{}\"", staff.policy.version)));
    }
    Ok(resp.json(d))
}

/// Change a quote (only while quoted; an issued policy changes by endorsement → 409).
#[utoipa::path(tag = "underwriting",
    responses((status = 200, body = PolicyView), (status = 409, body = crate::http::problem::Problem)))]
#[put("/policies/{id}")]
pub async fn requote(
    st: web::Data<AppState>,
    who: ApiActor,
    req: actix_web::HttpRequest,
    id: web::Path<i64>,
    body: web::Json<QuoteInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    uw::update_quote(&st.ctx(), &who.0, id, if_match(&req), body.into_inner()).await?;
    let v = view(&st, &who, id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("\"{}\"", v.version)))
        .json(v))
}

/// Open referrals, oldest first, one page.
#[utoipa::path(params(uw::ReferralQuery), tag = "underwriting",
    responses((status = 200, body = SeekPage<ReferralView>)))]
#[get("/referrals")]
pub async fn referrals(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<uw::ReferralQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = uw::referral_queue(&st.ctx(), &who.0, &q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, q.limit)))
}

/// A referral decision (核保审批). `ReferralDecisionInput` in the OpenAPI document.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = ReferralDecisionInput)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// true to approve, false to decline.
    pub approve: bool,
    /// 核保意见
    pub reason: String,
}

/// A person at the level of the authority ladder the referral waits for (or above) —
/// not the one who referred it — approves or declines. Below that level: 403
/// `/problems/below-authority-level`; approving an expired quote: 409 `/problems/quote-expired`.
#[utoipa::path(tag = "underwriting",
    responses((status = 200, body = PolicyView), (status = 403, body = crate::http::problem::Problem),
              (status = 409, body = crate::http::problem::Problem)))]
#[post("/policies/{id}/referral")]
pub async fn decide(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<DecisionInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let v = uw::decide_referral(&st.ctx(), &who.0, id, body.approve, &body.reason).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// quoted → bound.
#[utoipa::path(tag = "underwriting",
    responses((status = 200, body = PolicyView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/policies/{id}/bind")]
pub async fn bind(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(uw::bind(&st.ctx(), &who.0, id).await?))
}

/// Record the end user's receipt (needed before issue when sold through an intermediary).
#[utoipa::path(tag = "underwriting",
    responses((status = 200, body = PolicyView)))]
#[post("/policies/{id}/end-user-proof")]
pub async fn proof(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(uw::record_end_user_proof(&st.ctx(), &who.0, id).await?))
}

/// bound (or quoted and needing no approval) → issued: fixes version 1 with the clause text and takes the next policy number.
#[utoipa::path(tag = "underwriting",
    responses((status = 200, body = PolicyView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/policies/{id}/issue")]
pub async fn issue(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(uw::issue(&st.ctx(), &who.0, id).await?))
}

/// Endorse an issued policy: additional (+) or return (−) premium pro rata by days.
/// Beyond the underwriter's authority the endorsement is referred (202) and applied
/// when a senior underwriter approves it through `/policies/{id}/decision`.
#[utoipa::path(tag = "underwriting",
    responses((status = 201, description = "applied: {outcome, adjustment, policy}"),
              (status = 202, description = "referred: {outcome, referral_id, reasons, policy}")))]
#[post("/policies/{id}/endorsements")]
pub async fn endorse(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<EndorsementInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let outcome = uw::endorse(&st.ctx(), &who.0, id, body.into_inner()).await?;
    let policy = view(&st, &who, id).await?;
    let mut body = serde_json::to_value(&outcome)
        .map_err(|e| crate::services::ServiceError::internal_from("serialise the response", e))?;
    body["policy"] = json!(policy);
    Ok(match outcome {
        uw::EndorsementOutcome::Applied { .. } => HttpResponse::Created().json(body),
        uw::EndorsementOutcome::Referred { .. } => HttpResponse::Accepted().json(body),
    })
}

/// Cancel an issued policy; the unearned premium is returned pro rata by days.
#[utoipa::path(tag = "underwriting",
    responses((status = 200, description = "{return_premium, policy}")))]
#[post("/policies/{id}/cancel")]
pub async fn cancel(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<CancelInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let refund = uw::cancel(&st.ctx(), &who.0, id, body.into_inner()).await?;
    let policy = view(&st, &who, id).await?;
    Ok(HttpResponse::Ok().json(json!({"return_premium": refund, "policy": policy})))
}

/// Quote the renewal of an issued policy; carries 首保年度 when continuous.
#[utoipa::path(tag = "underwriting",
    responses((status = 201, body = PolicyView)))]
#[post("/policies/{id}/renew")]
pub async fn renew(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<RenewalInput>,
) -> Result<HttpResponse, ApiError> {
    let new_id = uw::renew(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    let v = view(&st, &who, new_id).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/policies/{new_id}")))
        .json(v))
}

/// Decline a quote (拒保) with a reason: the quote is closed without cover (status
/// `declined`) and can no longer be bound (409 `/problems/quote-closed`). A referred quote
/// is declined through its referral decision instead (409).
#[utoipa::path(tag = "underwriting",
    responses((status = 200, body = PolicyView), (status = 409, body = crate::http::problem::Problem),
              (status = 422, body = crate::http::problem::Problem)))]
#[post("/policies/{id}/decline")]
pub async fn decline(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<CloseQuoteInput>,
) -> Result<HttpResponse, ApiError> {
    let v = uw::close_quote(
        &st.ctx(),
        &who.0,
        id.into_inner(),
        Closing::Decline,
        &body.reason,
    )
    .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Withdraw a quote for the maker (投保人撤回) with the maker's reason: closed without
/// cover (status `withdrawn`), no longer bindable.
#[utoipa::path(tag = "underwriting",
    responses((status = 200, body = PolicyView), (status = 409, body = crate::http::problem::Problem),
              (status = 422, body = crate::http::problem::Problem)))]
#[post("/policies/{id}/withdraw")]
pub async fn withdraw(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<CloseQuoteInput>,
) -> Result<HttpResponse, ApiError> {
    let v = uw::close_quote(
        &st.ctx(),
        &who.0,
        id.into_inner(),
        Closing::Withdraw,
        &body.reason,
    )
    .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SubsidyQuery {
    /// Programme id; defaults to the policy's own.
    pub programme_id: Option<String>,
}

/// Subsidy estimate: verdict, every finding with its source, continuity and the
/// arithmetic steps (yearly caps across all the enterprise's policies).
#[utoipa::path(params(SubsidyQuery), tag = "underwriting",
    responses((status = 200, description = "assessment")))]
#[get("/policies/{id}/subsidy")]
pub async fn subsidy(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    q: web::Query<SubsidyQuery>,
) -> Result<HttpResponse, ApiError> {
    let a = uw::estimate(
        &st.ctx(),
        &who.0,
        id.into_inner(),
        q.into_inner().programme_id,
    )
    .await?;
    Ok(HttpResponse::Ok().json(a))
}
