//! `/api/v1/clauses`, `/api/v1/programmes`

use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::ServiceError;
use actix_web::{web, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/clauses", web::get().to(clause_sets))
        .route("/clauses/{id}/{version}", web::get().to(clause_set))
        .route("/programmes", web::get().to(programmes));
}

/// Every clause set version (sections, covered causes, exclusions, limit and deductible options).
#[utoipa::path(get, path = "/api/v1/clauses", tag = "library", responses((status = 200, description = "clause sets")))]
pub async fn clause_sets(st: web::Data<AppState>, _who: ApiActor) -> HttpResponse {
    HttpResponse::Ok().json(st.library.clause_sets())
}

/// One clause set version with its rate filing.
pub async fn clause_set(
    st: web::Data<AppState>,
    _who: ApiActor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, version) = path.into_inner();
    let set = st
        .library
        .clause_set(&id, &version)
        .ok_or(ServiceError::NotFound("clause set"))?;
    let filing = st.library.rate_filing(&id, &version);
    Ok(HttpResponse::Ok().json(serde_json::json!({"clause_set": set, "rate_filing": filing})))
}

/// Subsidy programmes with every rule and its source in the seed documents.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "library", responses((status = 200, description = "programmes")))]
pub async fn programmes(st: web::Data<AppState>, _who: ApiActor) -> HttpResponse {
    HttpResponse::Ok().json(st.library.programmes())
}
