//! `/api/v1/audit`

use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::audit;
use crate::services::audit::AuditEntryView;
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(latest).service(verify);
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LatestQuery {
    limit: Option<i64>,
}

/// The newest audit rows (administrators and auditors).
#[utoipa::path(params(LatestQuery), tag = "audit", responses((status = 200, body = Vec<AuditEntryView>)))]
#[get("/audit")]
pub async fn latest(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<LatestQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(audit::latest(&st.ctx(), &who.0, q.limit.unwrap_or(100)).await?))
}

/// Walk the hash chain and report whether it is intact.
#[utoipa::path(tag = "audit", responses((status = 200, description = "chain report")))]
#[get("/audit/verify")]
pub async fn verify(st: web::Data<AppState>, who: ApiActor) -> Result<HttpResponse, ApiError> {
    who.0
        .require(who.0.role.reads_audit(), "verify the audit log")?;
    Ok(HttpResponse::Ok().json(audit::verify(&st.ctx()).await?))
}
