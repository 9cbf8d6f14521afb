//! `/api/v1/subsidy-facts`: record and read the facts subsidy verdicts are decided on.

use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::subsidy_facts::{self as facts, FactView, RecordFact};
use crate::services::subsidy_grants::GrantImport;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list).service(record).service(import_grants);
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FactQuery {
    /// A maker's facts (credit status, fraud ban).
    party_id: Option<i64>,
    /// A qualification's facts (national quota).
    catalogue_item_id: Option<i64>,
    /// A policy's facts: its units' and its year's.
    policy_id: Option<i64>,
}

/// The facts recorded about a maker, a qualification or a policy, newest first; older
/// records of the same fact are marked `superseded`.
#[utoipa::path(params(FactQuery), tag = "underwriting",
    responses((status = 200, body = Vec<FactView>)))]
#[get("/subsidy-facts")]
pub async fn list(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<FactQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let rows = facts::list(
        &st.ctx(),
        &who.0,
        q.party_id,
        q.catalogue_item_id,
        q.policy_id,
    )
    .await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// Record a fact with its source document (audited).
#[utoipa::path(tag = "underwriting",
    responses((status = 201, body = FactView), (status = 422, description = "invalid fact")))]
#[post("/subsidy-facts")]
pub async fn record(
    st: web::Data<AppState>,
    who: ApiActor,
    body: web::Json<RecordFact>,
) -> Result<HttpResponse, ApiError> {
    let v = facts::record(&st.ctx(), &who.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(v))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The file's name, kept in the audit.
    filename: Option<String>,
}

/// Import the subsidy granted per policy year from a CSV (UTF-8 or GBK) or XLSX file
/// sent as the body: columns 保单号 policy_number, 补贴政策 scheme, 申报年度 round,
/// 补贴比例 ratio, 补贴金额 amount, 下达文件日期 notice_date, 下达文件 source_document.
/// All rows or none: a bad row answers 422 with every bad row's line and column.
#[utoipa::path(params(ImportQuery), tag = "underwriting",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = GrantImport), (status = 422, body = crate::http::problem::Problem)))]
#[post("/subsidy-grants/import")]
pub async fn import_grants(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<ImportQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let name = q.into_inner().filename.unwrap_or_default();
    let r = crate::services::subsidy_grants::import(&st.ctx(), &who.0, &st.library, &name, &body)
        .await?;
    Ok(HttpResponse::Created().json(r))
}
