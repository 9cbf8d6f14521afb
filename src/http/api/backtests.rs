//! `/api/v1/backtests`: rate backtests (费率回溯) for actuaries — run one as of a date,
//! list the stored reports, read one report's figures and conclusion, its triangles,
//! and its XML (as sent to the regulator), HTML and PDF.

use super::SeekPage;
use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::backtest::view::{ReportItem, ReportSummary, RunInput, TriangleFigures};
use crate::services::backtest::ReportDocument;
use crate::services::backtest::{self, stored};
use crate::services::SeekQuery;
use crate::services::ServiceError;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(run)
        .service(get)
        .service(triangles)
        .service(document);
}

/// Stored backtest reports, newest first, with the whole book's figures, a page at a time.
#[utoipa::path(params(SeekQuery), tag = "backtests",
    responses((status = 200, body = SeekPage<ReportItem>), (status = 403, body = crate::http::problem::Problem)))]
#[get("/backtests")]
pub async fn list(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<SeekQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = stored::items(&st.ctx(), &who.0, &q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, q.limit)))
}

/// Run a backtest as of a date (the data step, chain ladder + Mack, indication, and the
/// XML validated against the published schema, HTML and PDF), store it and answer its
/// summary. A date that is not `YYYY-MM-DD` or an unknown basis is 422.
#[utoipa::path(tag = "backtests",
    responses((status = 201, body = ReportSummary), (status = 403, body = crate::http::problem::Problem),
              (status = 422, body = crate::http::problem::Problem)))]
#[post("/backtests")]
pub async fn run(
    st: web::Data<AppState>,
    who: ApiActor,
    body: web::Json<RunInput>,
) -> Result<HttpResponse, ApiError> {
    let summary = stored::run(&st.ctx(), &who.0, &body).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/backtests/{}", summary.item.report_id),
        ))
        .json(summary))
}

/// One report: every group's (whole book, lines, segments) premium, losses, ultimate,
/// loss ratios by origin year and in total, indication and conclusion.
#[utoipa::path(tag = "backtests",
    responses((status = 200, body = ReportSummary), (status = 404, body = crate::http::problem::Problem),
              (status = 409, description = "stored before its figures were kept", body = crate::http::problem::Problem)))]
#[get("/backtests/{id}")]
pub async fn get(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(stored::summary(&st.ctx(), &who.0, id.into_inner()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TriangleQuery {
    /// Only `total`, `line` or `segment` groups.
    level: Option<String>,
    /// Only the group with this key (e.g. `all`).
    key: Option<String>,
}

/// The report's cumulative paid and incurred triangles (origin × development year, CNY)
/// with the incurred age-to-age and to-ultimate factors, per group.
#[utoipa::path(params(TriangleQuery), tag = "backtests",
    responses((status = 200, body = Vec<TriangleFigures>), (status = 404, body = crate::http::problem::Problem)))]
#[get("/backtests/{id}/triangles")]
pub async fn triangles(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    q: web::Query<TriangleQuery>,
) -> Result<HttpResponse, ApiError> {
    let t = stored::triangles(
        &st.ctx(),
        &who.0,
        id.into_inner(),
        q.level.as_deref(),
        q.key.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(t))
}

/// The report's documents, byte for byte as stored: `xml` (as sent to the regulator,
/// valid against `backtest-report-1.0.xsd`), `html` or `pdf`.
#[utoipa::path(tag = "backtests",
    params(("id" = i64, Path, description = "report id"), ("format" = String, Path, description = "xml, html or pdf")),
    responses((status = 200, content_type = "application/xml"), (status = 200, content_type = "text/html"),
              (status = 200, content_type = "application/pdf"), (status = 404, body = crate::http::problem::Problem)))]
#[get("/backtests/{id}/report.{format}")]
pub async fn document(
    st: web::Data<AppState>,
    who: ApiActor,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, format) = path.into_inner();
    backtest::require_actuary(&who.0, "read rate backtests")?;
    let doc = ReportDocument::parse(&format).ok_or(ServiceError::NotFound("report format"))?;
    let content_type = doc.content_type();
    let bytes = backtest::document(&st.ctx(), &who.0, id, doc).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"backtest-{id}.{format}\""),
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .insert_header((
            "Content-Security-Policy",
            crate::http::pages::backtest::REPORT_CSP,
        ))
        .body(bytes))
}
