//! `/api/v1/clauses`, `/api/v1/programmes`

use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::ServiceError;
use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(clause_sets)
        .service(clause_set)
        .service(programmes);
}

/// Every clause set version (sections, covered causes, exclusions, limit and deductible options).
#[utoipa::path(tag = "library", responses((status = 200, description = "clause sets")))]
#[get("/clauses")]
pub async fn clause_sets(st: web::Data<AppState>, _who: ApiActor) -> HttpResponse {
    HttpResponse::Ok().json(st.library.clause_sets())
}

/// One clause set version with its rate filing.
#[utoipa::path(tag = "library",
    responses((status = 200, description = "the clause set (`clause_set`) and its rate filing (`rate_filing`, null when none is filed)"),
              (status = 404, body = crate::http::problem::Problem)))]
#[get("/clauses/{id}/{version}")]
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
#[utoipa::path(tag = "library", responses((status = 200, description = "programmes")))]
#[get("/programmes")]
pub async fn programmes(st: web::Data<AppState>, _who: ApiActor) -> HttpResponse {
    HttpResponse::Ok().json(st.library.programmes())
}
