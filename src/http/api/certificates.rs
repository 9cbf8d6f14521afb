//! Certificates, documents and exports: the full-premium collection certificate, the
//! stamped schedule, the subsidy pack, the annex-3 export, and the public verification
//! endpoints (no login, rate-limited per client IP).

use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::annex3::{self, Annex3Query};
use crate::services::certificates::{
    self as certs, issued as docs, pack, CertificateView, DocumentView, PdfCheck, Verification,
};
use crate::services::ServiceError;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(current)
        .service(certificate)
        .service(certificate_pdf)
        .service(history)
        .service(schedule)
        .service(endorsement)
        .service(endorsement_pdf)
        .service(insurance_certificate)
        .service(insurance_certificate_pdf)
        .service(documents)
        .service(subsidy_pack)
        .service(public_key)
        .service(annex3_csv)
        .service(annex3_xlsx)
        .service(verify)
        .service(verify_pdf);
}

/// Largest PDF accepted for comparison.
pub const UPLOAD_LIMIT: usize = 10 << 20;

/// `attachment; filename="…"` (ASCII names only, so no encoding is needed).
fn download(content_type: &str, filename: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(bytes)
}

/// Count a public lookup against the caller's IP.
pub fn limit(st: &AppState, req: &HttpRequest) -> Result<(), ServiceError> {
    let ip = crate::http::client_addr::client_ip(req, &st.config.security.trusted_proxies);
    st.verify_limiter
        .check(ip)
        .map_err(|secs| ServiceError::RateLimited {
            retry_after_secs: secs as i64,
        })
}

/// The policy's full-premium collection certificate (全额保费收取证明): the valid one,
/// or a new one if the premium is fully paid (201). 409 with the balance while unpaid.
#[utoipa::path(tag = "certificates",
    responses((status = 201, body = CertificateView), (status = 200, body = CertificateView),
              (status = 409, body = crate::http::problem::Problem)))]
#[post("/policies/{id}/certificate")]
pub async fn certificate(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (view, new) = certs::certificate(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(if new {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// The policy's valid certificate; a GET changes nothing: 409 while unpaid (with the
/// balance) or while paid but not yet issued (issue it with POST).
#[utoipa::path(tag = "certificates",
    operation_id = "current_certificate",
    responses((status = 200, body = CertificateView), (status = 404, body = crate::http::problem::Problem),
              (status = 409, body = crate::http::problem::Problem)))]
#[get("/policies/{id}/certificate")]
pub async fn current(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let view = certs::current(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The certificate's PDF, byte-identical to the one issued; 409 until it is issued.
#[utoipa::path(tag = "certificates",
    responses((status = 200, content_type = "application/pdf"), (status = 409, body = crate::http::problem::Problem)))]
#[get("/policies/{id}/certificate.pdf")]
pub async fn certificate_pdf(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (number, bytes) = certs::certificate_pdf(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(download(
        "application/pdf",
        &format!("certificate-{number}.pdf"),
        bytes,
    ))
}

/// Every certificate of the policy, newest first (valid and revoked).
#[utoipa::path(tag = "certificates",
    responses((status = 200, body = Vec<CertificateView>)))]
#[get("/policies/{id}/certificates")]
pub async fn history(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(certs::history(&st.ctx(), &who.0, id.into_inner()).await?))
}

/// The stamped policy schedule (保险单) of an issued policy.
#[utoipa::path(tag = "certificates",
    responses((status = 200, content_type = "application/pdf"), (status = 404, body = crate::http::problem::Problem)))]
#[get("/policies/{id}/schedule.pdf")]
pub async fn schedule(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (number, bytes) = certs::schedule_pdf(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(download(
        "application/pdf",
        &format!("schedule-{number}.pdf"),
        bytes,
    ))
}

/// 201 when this call issued the document, 200 when it was there before.
fn issued_or_found(view: DocumentView, new: bool) -> HttpResponse {
    if new {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    }
}

/// The endorsement document (批单) of an endorsement or cancellation — policy version
/// `seq` (2 for the first change after issue) — issued on first request (201), the same
/// one after (200). 404 for a version that is not an endorsement or cancellation.
#[utoipa::path(tag = "certificates",
    params(("id" = i64, Path, description = "policy"), ("seq" = i32, Path, description = "policy version")),
    responses((status = 201, body = DocumentView), (status = 200, body = DocumentView),
              (status = 404, body = crate::http::problem::Problem)))]
#[post("/policies/{id}/versions/{seq}/endorsement")]
pub async fn endorsement(
    st: web::Data<AppState>,
    who: ApiActor,
    path: web::Path<(i64, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, seq) = path.into_inner();
    let (view, new) = docs::endorsement_document(&st.ctx(), &who.0, id, seq).await?;
    Ok(issued_or_found(view, new))
}

/// The 批单's PDF, byte-identical on every download.
#[utoipa::path(tag = "certificates",
    params(("id" = i64, Path, description = "policy"), ("seq" = i32, Path, description = "policy version")),
    responses((status = 200, content_type = "application/pdf"), (status = 404, body = crate::http::problem::Problem)))]
#[get("/policies/{id}/versions/{seq}/endorsement.pdf")]
pub async fn endorsement_pdf(
    st: web::Data<AppState>,
    who: ApiActor,
    path: web::Path<(i64, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, seq) = path.into_inner();
    let (number, bytes) = docs::endorsement_pdf(&st.ctx(), &who.0, id, seq).await?;
    Ok(download(
        "application/pdf",
        &format!("endorsement-{}.pdf", ascii_name(&number)),
        bytes,
    ))
}

/// The insurance certificate for the user unit (保险凭证): the valid one if it states
/// the policy as it stands, else a new one (the stale one revoked). 409 once cancelled.
#[utoipa::path(tag = "certificates",
    responses((status = 201, body = DocumentView), (status = 200, body = DocumentView),
              (status = 409, body = crate::http::problem::Problem)))]
#[post("/policies/{id}/insurance-certificate")]
pub async fn insurance_certificate(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (view, new) = docs::insurance_certificate(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(issued_or_found(view, new))
}

/// The 保险凭证's PDF, byte-identical to the one issued.
#[utoipa::path(tag = "certificates",
    responses((status = 200, content_type = "application/pdf"), (status = 409, body = crate::http::problem::Problem)))]
#[get("/policies/{id}/insurance-certificate.pdf")]
pub async fn insurance_certificate_pdf(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (number, bytes) =
        docs::insurance_certificate_pdf(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(download(
        "application/pdf",
        &format!("insurance-certificate-{}.pdf", ascii_name(&number)),
        bytes,
    ))
}

/// Every 批单 and 保险凭证 issued on the policy, newest first (valid and revoked).
#[utoipa::path(tag = "certificates",
    responses((status = 200, body = Vec<DocumentView>)))]
#[get("/policies/{id}/documents")]
pub async fn documents(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(docs::documents_of(&st.ctx(), &who.0, id.into_inner()).await?))
}

/// Document numbers are ASCII already; anything else is dropped from the file name.
fn ascii_name(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// The subsidy application pack: schedule, certificate, payment ledger (CSV) and the
/// programme summary row (CSV) in one ZIP. 409 while premium is unpaid.
#[utoipa::path(tag = "certificates",
    responses((status = 200, content_type = "application/zip"), (status = 409, body = crate::http::problem::Problem)))]
#[get("/policies/{id}/subsidy-pack.zip")]
pub async fn subsidy_pack(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (name, bytes) = pack::subsidy_pack(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(download("application/zip", &name, bytes))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicKey {
    /// Always Ed25519.
    pub algorithm: &'static str,
    /// The 32-byte public key, base64.
    pub public_key: String,
    /// What the signature covers.
    pub signed_content: &'static str,
}

/// The key certificate signatures verify with (public).
#[utoipa::path(tag = "verification", security(()),
    responses((status = 200, body = PublicKey)))]
#[get("/certificates/public-key")]
pub async fn public_key(st: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(PublicKey {
        algorithm: "Ed25519",
        public_key: certs::public_key_b64(&st.kit),
        signed_content: "documents::canonical_content: firstcover/premium-certificate/v1, then name=<byte length>:<value> lines",
    })
}

/// Zhejiang annex 3 (附件3) for a maker, programme and period, as CSV (UTF-8 with BOM;
/// amounts in 万元 to four decimals).
#[utoipa::path(params(Annex3Query), tag = "certificates",
    responses((status = 200, content_type = "text/csv")))]
#[get("/exports/annex3.csv")]
pub async fn annex3_csv(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<Annex3Query>,
) -> Result<HttpResponse, ApiError> {
    // Refusals (not found, bad period, unknown programme) come before the first byte;
    // then the table is streamed a row at a time, and dropped — work and all — when
    // the client goes away. A failure half way aborts the transfer, so a cut-short
    // file never looks complete.
    let pass = annex3::Annex3Pass::start(&st.ctx(), &who.0, &q)?;
    let st = st.into_inner();
    let body = futures_util::stream::unfold(Some((st, pass, true)), |state| async move {
        let (st, mut pass, first) = state?;
        if first {
            return match annex3::csv_header() {
                Ok(head) => Some((Ok(web::Bytes::from(head)), Some((st, pass, false)))),
                Err(e) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
            };
        }
        let next = pass.next_row(&st.ctx()).await;
        match next {
            Ok(Some(row)) => match annex3::csv_row(pass.emitted, &row) {
                Ok(line) => Some((Ok(web::Bytes::from(line)), Some((st, pass, false)))),
                Err(e) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
            },
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "annex-3 export failed half way");
                Some((Err(actix_web::error::ErrorInternalServerError(e)), None))
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"annex3.csv\""))
        .insert_header(("Cache-Control", "private, no-store"))
        .streaming(body))
}

/// The same table as an XLSX workbook laid out like the annex.
#[utoipa::path(params(Annex3Query), tag = "certificates",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
#[get("/exports/annex3.xlsx")]
pub async fn annex3_xlsx(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<Annex3Query>,
) -> Result<HttpResponse, ApiError> {
    let rows = annex3::rows(&st.ctx(), &who.0, &q).await?;
    let bytes = annex3::to_xlsx(&rows)
        .map_err(|e| ServiceError::internal_from("write the XLSX file", e))?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "annex3.xlsx",
        bytes,
    ))
}

/// Public: what the certificate with this verification code states and whether it is
/// still valid. Rate-limited per client IP (429 with Retry-After).
#[utoipa::path(tag = "verification", security(()),
    responses((status = 200, body = Verification), (status = 404, body = crate::http::problem::Problem),
              (status = 429, body = crate::http::problem::Problem)))]
#[get("/verify/{code}")]
pub async fn verify(
    st: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    limit(&st, &req)?;
    Ok(HttpResponse::Ok().json(certs::lookup(&st.ctx(), &code).await?))
}

/// Public: is this file byte-identical to the PDF issued under the code? Send the PDF
/// as the body (`application/pdf`) or as a multipart form field `pdf`.
#[utoipa::path(tag = "verification", security(()),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 200, body = PdfCheck), (status = 429, body = crate::http::problem::Problem)))]
#[post("/verify/{code}/pdf")]
pub async fn verify_pdf(
    st: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    limit(&st, &req)?;
    let bytes = crate::http::upload::read(&req, payload, UPLOAD_LIMIT).await?;
    Ok(HttpResponse::Ok().json(certs::check_pdf(&st.ctx(), &code, &bytes).await?))
}
