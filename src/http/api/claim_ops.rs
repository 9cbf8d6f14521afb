//! `/api/v1/claims/…` for claim work management and payments to the bank: "my claims",
//! assignment, internal notes, and payment batches (the file for the bank and its
//! confirmation).

use super::claims::file_response;
use super::SeekPage;
use crate::http::identity::ApiActor;
use crate::http::multipart;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::claims::{
    self, AssignInput, BatchConfirmation, BatchInput, BatchItemView, BatchView, ClaimView,
    NoteInput, QueueItem, QueueQuery,
};
use crate::services::claims::{ClaimHandlerView, ClaimNoteView};
use crate::services::ServiceError;
use actix_web::{get, post, web, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(mine)
        .service(handlers)
        .service(batches)
        .service(create_batch)
        .service(waiting)
        .service(batch)
        .service(batch_file)
        .service(confirm)
        .service(confirm_file)
        .service(cancel)
        .service(assign)
        .service(note);
}

/// "My claims": the open claims assigned to the caller, by next deadline; a page at a
/// time.
#[utoipa::path(params(QueueQuery), tag = "claims",
    responses((status = 200, body = SeekPage<QueueItem>)))]
#[get("/claims/mine")]
pub async fn mine(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = q.limit;
    let page = claims::my_queue(&st.ctx(), &who.0, q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, limit)))
}

/// The users a claim can be assigned to (active claims handlers and managers).
#[utoipa::path(tag = "claims",
    responses((status = 200, body = Vec<ClaimHandlerView>)))]
#[get("/claims/handlers")]
pub async fn handlers(st: web::Data<AppState>, who: ApiActor) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(claims::handlers(&st.ctx(), &who.0).await?))
}

/// Assign a claim to a handler (a claims manager), or take an unassigned claim
/// yourself (a handler; leave `user_id` out). Audited as `claim.assign` /
/// `claim.reassign`.
#[utoipa::path(tag = "claims",
    responses((status = 200, body = ClaimView), (status = 403, body = crate::http::problem::Problem)))]
#[post("/claims/{id}/assignment")]
pub async fn assign(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<AssignInput>,
) -> Result<HttpResponse, ApiError> {
    let v = claims::assign(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Add an internal note (内部备注). Claims staff only; a client never sees notes.
#[utoipa::path(tag = "claims",
    responses((status = 201, body = ClaimNoteView), (status = 403, body = crate::http::problem::Problem)))]
#[post("/claims/{id}/notes")]
pub async fn note(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<NoteInput>,
) -> Result<HttpResponse, ApiError> {
    let n = claims::add_note(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(n))
}

/// Approved claim payments not yet sent to the bank.
#[utoipa::path(tag = "claims",
    responses((status = 200, body = Vec<BatchItemView>)))]
#[get("/claims/payment-batches/waiting")]
pub async fn waiting(st: web::Data<AppState>, who: ApiActor) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(claims::waiting_payments(&st.ctx(), &who.0).await?))
}

/// Payment batches, newest first (without their payments), a page at a time.
#[utoipa::path(params(claims::BatchListQuery), tag = "claims",
    responses((status = 200, body = SeekPage<BatchView>)))]
#[get("/claims/payment-batches")]
pub async fn batches(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<claims::BatchListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = claims::list_batches(&st.ctx(), &who.0, &q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, q.limit)))
}

/// Make a payment batch of the approved payments waiting (or those named). A payment
/// is in at most one open batch; with nothing waiting the answer is 409.
#[utoipa::path(tag = "claims",
    responses((status = 201, body = BatchView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/claims/payment-batches")]
pub async fn create_batch(
    st: web::Data<AppState>,
    who: ApiActor,
    body: web::Json<BatchInput>,
) -> Result<HttpResponse, ApiError> {
    let b = claims::create_batch(&st.ctx(), &who.0, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/claims/payment-batches/{}", b.batch_id),
        ))
        .json(b))
}

/// One batch with its payments and the bank's answers.
#[utoipa::path(tag = "claims",
    responses((status = 200, body = BatchView), (status = 404, body = crate::http::problem::Problem)))]
#[get("/claims/payment-batches/{bid}")]
pub async fn batch(
    st: web::Data<AppState>,
    who: ApiActor,
    bid: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(claims::get_batch(&st.ctx(), &who.0, bid.into_inner()).await?))
}

/// The file for the bank, `file.csv` or `file.xlsx`: 收款人, 开户行, 账号, 金额, 赔案号,
/// 付款编号, 批次号 (formula-like cells get a leading ').
#[utoipa::path(tag = "claims",
    responses((status = 200, content_type = "text/csv", body = String)))]
#[get("/claims/payment-batches/{bid}/file.{format}")]
pub async fn batch_file(
    st: web::Data<AppState>,
    who: ApiActor,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (bid, format) = path.into_inner();
    let xlsx = match format.as_str() {
        "csv" => false,
        "xlsx" => true,
        _ => return Err(ServiceError::NotFound("file format").into()),
    };
    let (name, ct, bytes) = claims::batch_file(&st.ctx(), &who.0, bid, xlsx).await?;
    Ok(file_response(&name, ct, bytes))
}

/// The bank's confirmation, entered: `lines` (payment id, paid or failed, day, bank
/// reference, reason) and/or `all_paid_on`. Every line is checked first; one bad line
/// records nothing (422, each line named).
#[utoipa::path(tag = "claims",
    responses((status = 200, body = BatchView), (status = 422, body = crate::http::problem::Problem)))]
#[post("/claims/payment-batches/{bid}/confirmation")]
pub async fn confirm(
    st: web::Data<AppState>,
    who: ApiActor,
    bid: web::Path<i64>,
    body: web::Json<BatchConfirmation>,
) -> Result<HttpResponse, ApiError> {
    let b = claims::confirm_batch(&st.ctx(), &who.0, bid.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(b))
}

/// Read the confirmation file: a multipart form's `file`, or the CSV as the body.
pub async fn confirmation_bytes(
    req: &HttpRequest,
    mut payload: web::Payload,
) -> Result<(Vec<u8>, multipart::Form), ServiceError> {
    let max = crate::documents::payment_batch::MAX_CONFIRMATION_BYTES;
    let too_large = || {
        ServiceError::field(
            "file",
            "the confirmation file is larger than 5 MB",
            "支付结果文件超过 5 MB",
        )
    };
    if req
        .content_type()
        .eq_ignore_ascii_case("multipart/form-data")
    {
        let limits = multipart::Limits {
            per_file: max,
            total: max + 64 * 1024,
            max_files: 1,
        };
        let mut form = multipart::read(req, payload, limits)
            .await
            .map_err(|e| ServiceError::field("file", e.to_string(), e.zh()))?;
        let file = form.files.pop().ok_or_else(|| {
            ServiceError::field(
                "file",
                "choose the bank's confirmation file",
                "请选择银行支付结果文件",
            )
        })?;
        return Ok((file.bytes, form));
    }
    let mut out = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ServiceError::field("file", e.to_string(), "上传失败"))?;
        if out.len() + chunk.len() > max {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok((out, multipart::Form::default()))
}

/// Import the bank's confirmation file (CSV: 付款编号, 状态 and optionally 支付日期,
/// 银行流水号, 失败原因, 批次号, 金额). A file with any bad line records nothing (422,
/// each line with its reason); importing the same file again changes nothing.
#[utoipa::path(tag = "claims",
    request_body(content_type = "text/csv", content = String),
    responses((status = 200, body = BatchView), (status = 422, body = crate::http::problem::Problem)))]
#[post("/claims/payment-batches/{bid}/confirmation-file")]
pub async fn confirm_file(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: ApiActor,
    bid: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (bytes, _) = confirmation_bytes(&req, payload).await?;
    let b = claims::import_confirmation(&st.ctx(), &who.0, bid.into_inner(), &bytes).await?;
    Ok(HttpResponse::Ok().json(b))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchCancelInput {
    pub reason: String,
}

/// Cancel an open batch the bank has not answered (its payments can be batched again).
#[utoipa::path(tag = "claims",
    responses((status = 200, body = BatchView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/claims/payment-batches/{bid}/cancel")]
pub async fn cancel(
    st: web::Data<AppState>,
    who: ApiActor,
    bid: web::Path<i64>,
    body: web::Json<BatchCancelInput>,
) -> Result<HttpResponse, ApiError> {
    let b = claims::cancel_batch(&st.ctx(), &who.0, bid.into_inner(), &body.reason).await?;
    Ok(HttpResponse::Ok().json(b))
}
