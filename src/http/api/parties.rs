//! `/api/v1/parties`

use super::{if_match, SeekPage};
use crate::domain::party::{PartyInput, Relation};
use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::parties::{self, PartyListQuery};
use crate::services::parties::{PartyRelationView, PartyView};
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(relate);
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartyDetail {
    #[serde(flatten)]
    party: PartyView,
    relations: Vec<PartyRelationView>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationInput {
    other_party_id: i64,
    relation: Relation,
    #[serde(default)]
    note: String,
}

/// List and search parties (a client sees only its own maker).
#[utoipa::path(params(PartyListQuery), tag = "parties",
    responses((status = 200, body = SeekPage<PartyView>)))]
#[get("/parties")]
pub async fn list(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<PartyListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = q.limit;
    let page = parties::list(&st.ctx(), &who.0, q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, limit)))
}

/// Create a maker, user or intermediary. The credit code is checked (GB 32100-2015).
#[utoipa::path(tag = "parties",
    responses((status = 201, body = PartyView), (status = 422, body = crate::http::problem::Problem)))]
#[post("/parties")]
pub async fn create(
    st: web::Data<AppState>,
    who: ApiActor,
    body: web::Json<PartyInput>,
) -> Result<HttpResponse, ApiError> {
    let row = parties::create(&st.ctx(), &who.0, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/parties/{}", row.party_id)))
        .insert_header(("ETag", format!("\"{}\"", row.version)))
        .json(row))
}

/// One party with its relations.
#[utoipa::path(tag = "parties",
    responses((status = 200, body = PartyDetail), (status = 404, body = crate::http::problem::Problem)))]
#[get("/parties/{id}")]
pub async fn get(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (party, relations) = parties::get(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("\"{}\"", party.version)))
        .json(PartyDetail { party, relations }))
}

/// Replace a party's details. Send `If-Match` with the ETag to refuse lost updates.
#[utoipa::path(tag = "parties",
    responses((status = 200, body = PartyView), (status = 409, body = crate::http::problem::Problem)))]
#[put("/parties/{id}")]
pub async fn update(
    st: web::Data<AppState>,
    who: ApiActor,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<PartyInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let version = match if_match(&req) {
        Some(v) => v,
        None => parties::get(&st.ctx(), &who.0, id).await?.0.version,
    };
    let row = parties::update(&st.ctx(), &who.0, id, version, body.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("\"{}\"", row.version)))
        .json(row))
}

/// Record that two parties are related, or that one is a trader for the other.
#[utoipa::path(tag = "parties",
    responses((status = 201, description = "relation recorded")))]
#[post("/parties/{id}/relations")]
pub async fn relate(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<RelationInput>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let rid = parties::add_relation(
        &st.ctx(),
        &who.0,
        id.into_inner(),
        b.other_party_id,
        b.relation,
        &b.note,
    )
    .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({"party_relation_id": rid})))
}
