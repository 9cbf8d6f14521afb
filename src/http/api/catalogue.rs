//! `/api/v1/catalogue`

use super::{if_match, SeekPage};
use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::catalogue::CatalogueView;
use crate::services::catalogue::{self, CatalogueInput, CatalogueListQuery};
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update);
}

/// List qualified products (a client sees only its own maker's).
#[utoipa::path(params(CatalogueListQuery), tag = "catalogue",
    responses((status = 200, body = SeekPage<CatalogueView>)))]
#[get("/catalogue")]
pub async fn list(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<CatalogueListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = q.limit;
    let page = catalogue::list(&st.ctx(), &who.0, q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, limit)))
}

/// Add a qualified product of a maker.
#[utoipa::path(tag = "catalogue",
    responses((status = 201, body = CatalogueView), (status = 422, body = crate::http::problem::Problem)))]
#[post("/catalogue")]
pub async fn create(
    st: web::Data<AppState>,
    who: ApiActor,
    body: web::Json<CatalogueInput>,
) -> Result<HttpResponse, ApiError> {
    let row = catalogue::create(&st.ctx(), &who.0, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", format!("\"{}\"", row.version)))
        .json(row))
}

#[utoipa::path(tag = "catalogue",
    responses((status = 200, body = CatalogueView), (status = 404, body = crate::http::problem::Problem)))]
#[get("/catalogue/{id}")]
pub async fn get(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let row = catalogue::get(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("\"{}\"", row.version)))
        .json(row))
}

#[utoipa::path(tag = "catalogue",
    responses((status = 200, body = CatalogueView)))]
#[put("/catalogue/{id}")]
pub async fn update(
    st: web::Data<AppState>,
    who: ApiActor,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<CatalogueInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let version = match if_match(&req) {
        Some(v) => v,
        None => catalogue::get(&st.ctx(), &who.0, id).await?.version,
    };
    let row = catalogue::update(&st.ctx(), &who.0, id, version, body.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("\"{}\"", row.version)))
        .json(row))
}
