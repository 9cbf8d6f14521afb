//! `/api/v1/outbox`: mail and regulator deliveries, their receipts and dead letters.

use super::SeekPage;
use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::outbox::OutboxView;
use crate::services::outbox::{self, OutboxListQuery};
use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list).service(requeue);
}

/// Deliveries, newest first (administrators, auditors, actuaries).
#[utoipa::path(params(OutboxListQuery), tag = "outbox", responses((status = 200, body = SeekPage<OutboxView>)))]
#[get("/outbox")]
pub async fn list(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<OutboxListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = outbox::list(&st.ctx(), &who.0, &q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, q.limit)))
}

/// Send a dead letter again with fresh attempts (administrators).
#[utoipa::path(tag = "outbox", responses((status = 200, body = OutboxView), (status = 409, description = "not a dead letter")))]
#[post("/outbox/{id}/requeue")]
pub async fn requeue(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(outbox::requeue(&st.ctx(), &who.0, id.into_inner()).await?))
}
