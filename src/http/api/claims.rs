//! `/api/v1/claims`: notification, proof, reserves, decisions, approvals, payments,
//! recoveries, the work queue.

use super::SeekPage;
use crate::http::idempotent;
use crate::http::identity::ApiActor;
use crate::http::multipart;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::claims::{
    self, ApprovalInput, ClaimDetail, ClaimDocumentView, ClaimPaymentView, ClaimView,
    DecisionInput, ListQuery, NotificationInput, PaymentInput, PendingApproval, ProofRequestInput,
    QueueItem, QueueQuery, RecoveryInput, RegisterInput, ReopenInput, ReserveInput, Upload,
};
use crate::services::readers;
use crate::services::ServiceError;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(notify)
        .service(list)
        .service(queue)
        .service(approvals)
        .configure(super::claim_ops::routes)
        .service(get)
        .service(register)
        .service(reserve)
        .service(proof_request)
        .service(proof_complete)
        .service(upload)
        .service(download)
        .service(decide)
        .service(approve)
        .service(pay)
        .service(paid)
        .service(recover)
        .service(reopen);
}

/// Report a claim (报案). The cover check runs at once: an event outside the period, an
/// uninsured unit, no section for the claim type or a time-barred claim is refused
/// (422) with each reason as a `cover.*` field error, and gets no claim number.
#[utoipa::path(tag = "claims",
    responses((status = 201, body = ClaimView), (status = 422, body = crate::http::problem::Problem)))]
#[post("/claims")]
pub async fn notify(
    st: web::Data<AppState>,
    who: ApiActor,
    body: web::Json<NotificationInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::notify(&st.ctx(), &who.0, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/claims/{}", v.claim_id)))
        .json(v))
}

/// Claims, newest first (a client sees its own maker's).
#[utoipa::path(params(ListQuery), tag = "claims",
    responses((status = 200, body = SeekPage<ClaimView>)))]
#[get("/claims")]
pub async fn list(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = q.limit;
    // A claimant gets its own explicit view: no case reserve.
    let page = readers::claims(&st.ctx(), &who.0, q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, limit)))
}

/// Open claims by their next statutory deadline: overdue first (most overdue first),
/// then the soonest due, claims with no clock running last; a page at a time.
#[utoipa::path(params(QueueQuery), tag = "claims",
    responses((status = 200, body = SeekPage<QueueItem>)))]
#[get("/claims/queue")]
pub async fn queue(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = q.limit;
    let page = claims::queue(&st.ctx(), &who.0, q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, limit)))
}

/// Decisions above a handler's authority waiting for a claims manager.
#[utoipa::path(tag = "claims",
    responses((status = 200, body = Vec<PendingApproval>)))]
#[get("/claims/approvals")]
pub async fn approvals(st: web::Data<AppState>, who: ApiActor) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(claims::approvals(&st.ctx(), &who.0).await?))
}

/// One claim: cover check, checklist, clocks, reserves, documents, payments, timeline.
#[utoipa::path(tag = "claims",
    responses((status = 200, body = ClaimDetail, description = "staff; a client gets ClientClaimDetail"),
              (status = 404, body = crate::http::problem::Problem)))]
#[get("/claims/{id}")]
pub async fn get(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let d = readers::claim(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(d))
}

/// 立案: register a notified claim with its first case reserve.
#[utoipa::path(tag = "claims",
    responses((status = 200, body = ClaimView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/claims/{id}/register")]
pub async fn register(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<RegisterInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::register(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Change the case reserve, with a reason (the history is kept).
#[utoipa::path(tag = "claims",
    responses((status = 200, body = ClaimView)))]
#[post("/claims/{id}/reserve")]
pub async fn reserve(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ReserveInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::set_reserve(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Ask once for everything missing (art. 22); mailed to the claimant. A second
/// request is 409.
#[utoipa::path(tag = "claims",
    responses((status = 200, body = ClaimView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/claims/{id}/proof-request")]
pub async fn proof_request(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ProofRequestInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::request_missing_proof(&st.ctx(), &who.0, id.into_inner(), body.into_inner())
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
#[utoipa::path(tag = "claims",
    responses((status = 200, body = ClaimView)))]
#[post("/claims/{id}/proof-complete")]
pub async fn proof_complete(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ProofCompleteInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::mark_proof_complete(&st.ctx(), &who.0, id.into_inner(), body.on).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Read a multipart upload of one or several documents. Each file names its checklist
/// item: a part `file_<k>` goes with the field `code_<k>`; the n-th part named `file`
/// goes with the n-th field `code`. Returns the uploads and the form (for its other
/// fields, such as the CSRF token).
pub async fn read_uploads(
    req: &HttpRequest,
    payload: web::Payload,
    max_bytes: usize,
) -> Result<(Vec<Upload>, multipart::Form), ServiceError> {
    let limits = multipart::Limits {
        per_file: max_bytes,
        // Room for several proof documents and the form fields around them.
        total: max_bytes.saturating_mul(4).saturating_add(64 * 1024),
        max_files: claims::MAX_FILES_PER_UPLOAD,
    };
    let form = multipart::read(req, payload, limits)
        .await
        .map_err(|e| ServiceError::field("file", e.to_string(), e.zh()))?;
    let codes = form.all("code");
    let mut plain = 0;
    let uploads = form
        .files
        .iter()
        .map(|f| {
            let code = match f.name.strip_prefix("file_") {
                Some(k) => Some(form.get(&format!("code_{k}")).to_string()),
                None => {
                    plain += 1;
                    codes.get(plain - 1).map(|c| c.to_string())
                }
            };
            Upload {
                field: f.name.clone(),
                filename: f.filename.clone(),
                code: code.map(|c| c.trim().to_string()),
                bytes: f.bytes.clone(),
            }
        })
        .collect();
    Ok((uploads, form))
}

/// Upload one or several documents (multipart/form-data). One: `file` and an optional
/// `code` (checklist item). Several: `file_1`, `code_1`, `file_2`, `code_2`, … (or
/// repeated `file` and `code` parts, paired in order). PDF, JPEG or PNG only,
/// recognised by content; executables are refused whatever their name. All files are
/// kept or none: a refusal names the file. Answers the stored document (one file) or
/// the list of them (several).
#[utoipa::path(tag = "claims",
    request_body(content_type = "multipart/form-data", content = String),
    responses((status = 201, body = ClaimDocumentView), (status = 422, body = crate::http::problem::Problem)))]
#[post("/claims/{id}/documents")]
pub async fn upload(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (ups, _) = read_uploads(&req, payload, st.config.claims.upload_max_bytes).await?;
    let several = ups.len() > 1;
    let docs = claims::upload_documents(&st.ctx(), &who.0, id.into_inner(), ups).await?;
    if several {
        Ok(HttpResponse::Created().json(docs))
    } else {
        Ok(HttpResponse::Created().json(docs.into_iter().next()))
    }
}

/// Download a document (uploaded proof or the rejection notice PDF).
#[utoipa::path(tag = "claims",
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>)))]
#[get("/claims/{id}/documents/{doc}")]
pub async fn download(
    st: web::Data<AppState>,
    who: ApiActor,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, doc) = path.into_inner();
    let (name, ct, bytes) = claims::document(&st.ctx(), &who.0, id, doc).await?;
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
#[utoipa::path(tag = "claims",
    responses((status = 200, body = ClaimView), (status = 422, body = crate::http::problem::Problem)))]
#[post("/claims/{id}/decision")]
pub async fn decide(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<DecisionInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::decide(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// A claims manager — not the handler — approves or sends back a decision.
#[utoipa::path(tag = "claims",
    responses((status = 200, body = ClaimView), (status = 403, body = crate::http::problem::Problem)))]
#[post("/claims/{id}/approval")]
pub async fn approve(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ApprovalInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::approve(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Pay an agreed claim. The limits erode atomically; a payment that would overspend
/// the section or aggregate limit is refused (409) with the amount left in `detail`.
#[utoipa::path(tag = "claims",
    responses((status = 201, body = ClaimPaymentView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/claims/{id}/payments")]
pub async fn pay(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    req: HttpRequest,
    body: web::Json<PaymentInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let ctx = st.ctx();
    idempotent::api(&st, &who.0, &req, &body, StatusCode::CREATED, None, || {
        claims::pay(&ctx, &who.0, id, body.clone())
    })
    .await
}

/// The bank confirmed a payment: approved → paid.
#[utoipa::path(tag = "claims",
    responses((status = 200, body = ClaimPaymentView)))]
#[post("/claims/{id}/payments/{pid}/paid")]
pub async fn paid(
    st: web::Data<AppState>,
    who: ApiActor,
    path: web::Path<(i64, i64)>,
    body: Option<web::Json<ProofCompleteInput>>,
) -> Result<HttpResponse, ApiError> {
    let (id, pid) = path.into_inner();
    let on = body.and_then(|b| b.on);
    let p = claims::mark_paid(&st.ctx(), &who.0, id, pid, on).await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Record a recovery (subrogation, repayment after fraud).
#[utoipa::path(tag = "claims",
    responses((status = 200, body = ClaimView)))]
#[post("/claims/{id}/recoveries")]
pub async fn recover(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    req: HttpRequest,
    body: web::Json<RecoveryInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let ctx = st.ctx();
    idempotent::api(&st, &who.0, &req, &body, StatusCode::OK, None, || {
        claims::record_recovery(&ctx, &who.0, id, body.clone())
    })
    .await
}

/// Reopen a closed claim with a reason and a new reserve.
#[utoipa::path(tag = "claims",
    responses((status = 200, body = ClaimView)))]
#[post("/claims/{id}/reopen")]
pub async fn reopen(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ReopenInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::reopen(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}
