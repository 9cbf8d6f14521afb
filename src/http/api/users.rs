//! `/api/v1/me`, `/api/v1/users`

use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::users::{self, NewUserInput};
use crate::store::users::UserRow;
use actix_web::{web, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me))
        .route("/users", web::get().to(list))
        .route("/users", web::post().to(create));
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", responses((status = 200, description = "the caller")))]
pub async fn me(who: ApiActor) -> HttpResponse {
    HttpResponse::Ok().json(&who.0)
}

/// All users (administrators only).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<UserRow>)))]
pub async fn list(st: web::Data<AppState>, who: ApiActor) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(users::list(&st.db, &who.0).await?))
}

/// Create a user (administrators only). Clients must name their maker.
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserInput, tag = "users",
    responses((status = 201, body = UserRow), (status = 422, body = crate::http::problem::Problem)))]
pub async fn create(
    st: web::Data<AppState>,
    who: ApiActor,
    body: web::Json<NewUserInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(users::create(&st.db, &who.0, body.into_inner()).await?))
}
