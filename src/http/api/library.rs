//! `/api/v1/clauses`, `/api/v1/programmes`

use crate::http::identity::ApiActor;
use crate::http::AppState;
use actix_web::{web, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/clauses", web::get().to(clause_sets)).route("/programmes", web::get().to(programmes));
}

/// The clause library: every clause set version with its sections and rate filing.
#[utoipa::path(get, path = "/api/v1/clauses", tag = "library", responses((status = 200, description = "clause sets")))]
pub async fn clause_sets(st: web::Data<AppState>, _who: ApiActor) -> HttpResponse {
    HttpResponse::Ok().json(&*st.library)
}

/// Subsidy programmes with every rule and its source.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "library", responses((status = 200, description = "programmes")))]
pub async fn programmes(st: web::Data<AppState>, _who: ApiActor) -> HttpResponse {
    HttpResponse::Ok().json(&*st.library)
}
