//! `/api/v1/claims`: notification, proof, reserves, decisions, approvals, payments,
//! recoveries, the work queue.

use super::SeekPage;
use crate::http::identity::ApiActor;
use crate::http::multipart;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::claims::{
    self, ApprovalInput, ClaimDetail, ClaimView, DecisionInput, ListQuery, NotificationInput,
    PaymentInput, ProofRequestInput, QueueItem, QueueQuery, RecoveryInput, RegisterInput,
    ReopenInput, ReserveInput, Upload,
};
use crate::services::ServiceError;
use crate::store::claim_money::PaymentRow;
use crate::store::claims::{ApprovalRow, DocumentRow};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/claims", web::post().to(notify))
        .route("/claims", web::get().to(list))
        .route("/claims/queue", web::get().to(queue))
        .route("/claims/approvals", web::get().to(approvals))
        .route("/claims/{id}", web::get().to(get))
        .route("/claims/{id}/register", web::post().to(register))
        .route("/claims/{id}/reserve", web::post().to(reserve))
        .route("/claims/{id}/proof-request", web::post().to(proof_request))
        .route(
            "/claims/{id}/proof-complete",
            web::post().to(proof_complete),
        )
        .route("/claims/{id}/documents", web::post().to(upload))
        .route("/claims/{id}/documents/{doc}", web::get().to(download))
        .route("/claims/{id}/decision", web::post().to(decide))
        .route("/claims/{id}/approval", web::post().to(approve))
        .route("/claims/{id}/payments", web::post().to(pay))
        .route("/claims/{id}/payments/{pid}/paid", web::post().to(paid))
        .route("/claims/{id}/recoveries", web::post().to(recover))
        .route("/claims/{id}/reopen", web::post().to(reopen));
}

/// Report a claim (报案). The cover check runs at once: an event outside the period, an
/// uninsured unit, no section for the claim type or a time-barred claim is refused
/// (422) with each reason as a `cover.*` field error, and gets no claim number.
#[utoipa::path(post, path = "/api/v1/claims", request_body = NotificationInput, tag = "claims",
    responses((status = 201, body = ClaimView), (status = 422, body = crate::http::problem::Problem)))]
pub async fn notify(
    st: web::Data<AppState>,
    who: ApiActor,
    body: web::Json<NotificationInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::notify(&st.desk(), &who.0, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/claims/{}", v.claim_id)))
        .json(v))
}

/// Claims, newest first (a client sees its own maker's).
#[utoipa::path(get, path = "/api/v1/claims", params(ListQuery), tag = "claims",
    responses((status = 200, body = SeekPage<ClaimView>)))]
pub async fn list(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = q.limit;
    let page = claims::list(&st.desk(), &who.0, q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, limit)))
}

/// Open claims by their next statutory deadline: overdue first (most overdue first),
/// then the soonest due, claims with no clock running last; a page at a time.
#[utoipa::path(get, path = "/api/v1/claims/queue", params(QueueQuery), tag = "claims",
    responses((status = 200, body = SeekPage<QueueItem>)))]
pub async fn queue(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = q.limit;
    let page = claims::queue(&st.desk(), &who.0, q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, limit)))
}

/// Decisions above a handler's authority waiting for a claims manager.
#[utoipa::path(get, path = "/api/v1/claims/approvals", tag = "claims",
    responses((status = 200, body = Vec<ApprovalRow>)))]
pub async fn approvals(st: web::Data<AppState>, who: ApiActor) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(claims::approvals(&st.desk(), &who.0).await?))
}

/// One claim: cover check, checklist, clocks, reserves, documents, payments, timeline.
#[utoipa::path(get, path = "/api/v1/claims/{id}", tag = "claims",
    responses((status = 200, body = ClaimDetail), (status = 404, body = crate::http::problem::Problem)))]
pub async fn get(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(claims::get(&st.desk(), &who.0, id.into_inner()).await?))
}

/// 立案: register a notified claim with its first case reserve.
#[utoipa::path(post, path = "/api/v1/claims/{id}/register", request_body = RegisterInput, tag = "claims",
    responses((status = 200, body = ClaimView), (status = 409, body = crate::http::problem::Problem)))]
pub async fn register(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<RegisterInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::register(&st.desk(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Change the case reserve, with a reason (the history is kept).
#[utoipa::path(post, path = "/api/v1/claims/{id}/reserve", request_body = ReserveInput, tag = "claims",
    responses((status = 200, body = ClaimView)))]
pub async fn reserve(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ReserveInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::set_reserve(&st.desk(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Ask once for everything missing (art. 22); mailed to the claimant. A second
/// request is 409.
#[utoipa::path(post, path = "/api/v1/claims/{id}/proof-request", request_body = ProofRequestInput, tag = "claims",
    responses((status = 200, body = ClaimView), (status = 409, body = crate::http::problem::Problem)))]
pub async fn proof_request(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ProofRequestInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::request_missing_proof(&st.desk(), &who.0, id.into_inner(), body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofCompleteInput {
    /// The day proof became complete; today when absent.
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// Record the day proof became complete (starts the 30- and 60-day clocks).
#[utoipa::path(post, path = "/api/v1/claims/{id}/proof-complete", request_body = ProofCompleteInput, tag = "claims",
    responses((status = 200, body = ClaimView)))]
pub async fn proof_complete(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ProofCompleteInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::mark_proof_complete(&st.desk(), &who.0, id.into_inner(), body.on).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Read a multipart upload: a `file` part and an optional `code` (checklist item).
pub async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
    max_bytes: usize,
) -> Result<(Upload, Vec<multipart::Part>), ServiceError> {
    let bad = |e: multipart::MultipartError| {
        ServiceError::field("file", e.to_string(), format!("上传内容无法读取：{e}"))
    };
    let ct = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary =
        multipart::boundary(ct).ok_or_else(|| bad(multipart::MultipartError::NotMultipart))?;
    // Room for the form fields and part headers around the file itself.
    let body = multipart::read_body(payload, max_bytes + 64 * 1024)
        .await
        .map_err(bad)?;
    let parts = multipart::parse(&body, &boundary).map_err(bad)?;
    let file = parts
        .iter()
        .find(|p| p.name == "file")
        .ok_or_else(|| ServiceError::field("file", "choose a file", "请选择文件"))?;
    let code = parts
        .iter()
        .find(|p| p.name == "code")
        .map(|p| String::from_utf8_lossy(&p.data).trim().to_string());
    Ok((
        Upload {
            filename: file.filename.clone().unwrap_or_default(),
            code,
            bytes: file.data.clone(),
        },
        parts,
    ))
}

/// Upload a document (multipart/form-data: `file`, optional `code`). PDF, JPEG or
/// PNG only, recognised by content; executables are refused whatever their name.
#[utoipa::path(post, path = "/api/v1/claims/{id}/documents", tag = "claims",
    request_body(content_type = "multipart/form-data", content = String),
    responses((status = 201, body = DocumentRow), (status = 422, body = crate::http::problem::Problem)))]
pub async fn upload(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (up, _) = read_upload(&req, payload, st.config.claims.upload_max_bytes).await?;
    let d = claims::upload_document(&st.desk(), &who.0, id.into_inner(), up).await?;
    Ok(HttpResponse::Created().json(d))
}

/// Download a document (uploaded proof or the rejection notice PDF).
#[utoipa::path(get, path = "/api/v1/claims/{id}/documents/{doc}", tag = "claims",
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>)))]
pub async fn download(
    st: web::Data<AppState>,
    who: ApiActor,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, doc) = path.into_inner();
    let (name, ct, bytes) = claims::document(&st.desk(), &who.0, id, doc).await?;
    Ok(file_response(&name, &ct, bytes))
}

/// A stored file as an attachment, its name encoded per RFC 6266.
pub fn file_response(name: &str, content_type: &str, bytes: Vec<u8>) -> HttpResponse {
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    HttpResponse::Ok()
        .content_type(content_type.to_string())
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"document\"; filename*=UTF-8''{encoded}"),
        ))
        .body(bytes)
}

/// Decide: accept, accept in part, or reject with reasons. Above the handler's
/// authority the claim waits for a claims manager; a final rejection sends the notice.
#[utoipa::path(post, path = "/api/v1/claims/{id}/decision", request_body = DecisionInput, tag = "claims",
    responses((status = 200, body = ClaimView), (status = 422, body = crate::http::problem::Problem)))]
pub async fn decide(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<DecisionInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::decide(&st.desk(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// A claims manager — not the handler — approves or sends back a decision.
#[utoipa::path(post, path = "/api/v1/claims/{id}/approval", request_body = ApprovalInput, tag = "claims",
    responses((status = 200, body = ClaimView), (status = 403, body = crate::http::problem::Problem)))]
pub async fn approve(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ApprovalInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::approve(&st.desk(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Pay an agreed claim. The limits erode atomically; a payment that would overspend
/// the section or aggregate limit is refused (409) with the amount left in `detail`.
#[utoipa::path(post, path = "/api/v1/claims/{id}/payments", request_body = PaymentInput, tag = "claims",
    responses((status = 201, body = PaymentRow), (status = 409, body = crate::http::problem::Problem)))]
pub async fn pay(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<PaymentInput>,
) -> Result<HttpResponse, ApiError> {
    let p = claims::pay(&st.desk(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(p))
}

/// The bank confirmed a payment: approved → paid.
#[utoipa::path(post, path = "/api/v1/claims/{id}/payments/{pid}/paid", request_body = ProofCompleteInput, tag = "claims",
    responses((status = 200, body = PaymentRow)))]
pub async fn paid(
    st: web::Data<AppState>,
    who: ApiActor,
    path: web::Path<(i64, i64)>,
    body: Option<web::Json<ProofCompleteInput>>,
) -> Result<HttpResponse, ApiError> {
    let (id, pid) = path.into_inner();
    let on = body.and_then(|b| b.on);
    let p = claims::mark_paid(&st.desk(), &who.0, id, pid, on).await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Record a recovery (subrogation, repayment after fraud).
#[utoipa::path(post, path = "/api/v1/claims/{id}/recoveries", request_body = RecoveryInput, tag = "claims",
    responses((status = 200, body = ClaimView)))]
pub async fn recover(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<RecoveryInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::record_recovery(&st.desk(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Reopen a closed claim with a reason and a new reserve.
#[utoipa::path(post, path = "/api/v1/claims/{id}/reopen", request_body = ReopenInput, tag = "claims",
    responses((status = 200, body = ClaimView)))]
pub async fn reopen(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ReopenInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::reopen(&st.desk(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}
