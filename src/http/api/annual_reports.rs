//! `/api/v1/annual-reports`: the yearly underwriting and claims report a programme owes
//! its regulator (Shanxi 004 第十八条), as JSON, PDF or XLSX, and queued to the regulator.

use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::annual_report::{self as report, AnnualReport, QueuedReport};
use crate::services::ServiceError;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(queued)
        .service(get)
        .service(queue)
        .service(document);
}

/// The year's figures by maker and product, every amount a decimal string exact to the
/// fen, with the subtotal per maker and the total.
#[utoipa::path(tag = "reports",
    params(("scheme" = String, Path, description = "programme scheme, e.g. shanxi-new-materials"),
           ("year" = i32, Path, description = "report year")),
    responses((status = 200, body = AnnualReport), (status = 404, body = crate::http::problem::Problem)))]
#[get("/annual-reports/{scheme}/{year}")]
pub async fn get(
    st: web::Data<AppState>,
    who: ApiActor,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (scheme, year) = path.into_inner();
    let r = report::build(&st.ctx(), &who.0, &scheme, year).await?;
    Ok(HttpResponse::Ok().json(r))
}

/// The report as `pdf` or `xlsx`.
#[utoipa::path(tag = "reports",
    params(("scheme" = String, Path, description = "programme scheme"), ("year" = i32, Path, description = "report year"),
           ("format" = String, Path, description = "pdf or xlsx")),
    responses((status = 200, content_type = "application/pdf"),
              (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 404, body = crate::http::problem::Problem)))]
#[get("/annual-reports/{scheme}/{year}/report.{format}")]
pub async fn document(
    st: web::Data<AppState>,
    who: ApiActor,
    path: web::Path<(String, i32, String)>,
) -> Result<HttpResponse, ApiError> {
    let (scheme, year, format) = path.into_inner();
    let ctx = st.ctx();
    let r = report::build(&ctx, &who.0, &scheme, year).await?;
    let (bytes, content_type) = match format.as_str() {
        "pdf" => (report::pdf(&ctx, &r)?, "application/pdf"),
        "xlsx" => (
            report::xlsx(&r)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => return Err(ServiceError::NotFound("report format").into()),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"annual-report-{scheme}-{year}.{format}\""),
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(bytes))
}

/// Queue the report to `[regulator] recipients` through the outbox, PDF and XLSX
/// attached (audited). The same figures are queued once: 409 the second time.
#[utoipa::path(tag = "reports",
    params(("scheme" = String, Path, description = "programme scheme"), ("year" = i32, Path, description = "report year")),
    responses((status = 201, body = QueuedReport), (status = 409, body = crate::http::problem::Problem)))]
#[post("/annual-reports/{scheme}/{year}/queue")]
pub async fn queue(
    st: web::Data<AppState>,
    who: ApiActor,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (scheme, year) = path.into_inner();
    let q = report::queue(&st.ctx(), &who.0, &scheme, year).await?;
    Ok(HttpResponse::Created().json(q))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Page size, 1–500 (default 50).
    limit: Option<i64>,
    /// The cursor of the page to read (`next` or `prev` of the page before).
    after: Option<String>,
}

/// The reports queued for a scheme, newest first, with their delivery state and total.
#[utoipa::path(tag = "reports",
    params(("scheme" = String, Path, description = "programme scheme"), ListQuery),
    responses((status = 200, body = crate::http::api::SeekPage<QueuedReport>)))]
#[get("/annual-reports/{scheme}")]
pub async fn queued(
    st: web::Data<AppState>,
    who: ApiActor,
    scheme: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = report::list(&st.ctx(), &who.0, &scheme, q.limit, q.after.as_deref()).await?;
    Ok(HttpResponse::Ok().json(crate::http::api::SeekPage::of(page, q.limit)))
}
