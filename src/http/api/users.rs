//! `/api/v1/me`, `/api/v1/users`

use super::SeekPage;
use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::people;
use crate::services::users::UserView;
use crate::services::users::{self, NewUserInput};
use crate::services::SeekQuery;
use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(me)
        .service(list)
        .service(create)
        .service(deactivate)
        .service(reactivate)
        .service(unlock)
        .service(reset_password)
        .service(change_password);
}

/// Deactivate a user (administrators): their sessions and API tokens end at once.
#[utoipa::path(tag = "users",
    responses((status = 200, body = UserView), (status = 404, body = crate::http::problem::Problem),
              (status = 409, body = crate::http::problem::Problem)))]
#[post("/users/{id}/deactivate")]
pub async fn deactivate(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let u = people::set_active(&st.ctx(), &who.0, id.into_inner(), false).await?;
    Ok(HttpResponse::Ok().json(u))
}

/// Reactivate a user (administrators); they sign in again (no session comes back).
#[utoipa::path(tag = "users",
    responses((status = 200, body = UserView), (status = 404, body = crate::http::problem::Problem)))]
#[post("/users/{id}/reactivate")]
pub async fn reactivate(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let u = people::set_active(&st.ctx(), &who.0, id.into_inner(), true).await?;
    Ok(HttpResponse::Ok().json(u))
}

/// Whether a sign-in lock-out was lifted.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct UnlockView {
    pub was_locked: bool,
}

/// Lift a user's sign-in lock-out at once (administrators).
#[utoipa::path(tag = "users",
    responses((status = 200, body = UnlockView), (status = 404, body = crate::http::problem::Problem)))]
#[post("/users/{id}/unlock")]
pub async fn unlock(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let was_locked = people::unlock(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(UnlockView { was_locked }))
}

/// A one-time password, shown once.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PasswordResetView {
    pub one_time_password: String,
    pub must_change_password: bool,
}

/// Reset a user's password (administrators): a one-time password that must be changed
/// at the next sign-in; the user's sessions and tokens end.
#[utoipa::path(tag = "users",
    responses((status = 200, body = PasswordResetView), (status = 404, body = crate::http::problem::Problem)))]
#[post("/users/{id}/password-reset")]
pub async fn reset_password(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let one_time_password = people::reset_password(&st.ctx(), &who.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PasswordResetView {
            one_time_password,
            must_change_password: true,
        }))
}

/// Change one's own password.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change your own password (the current one is required). 204.
#[utoipa::path(tag = "users",
    responses((status = 204, description = "changed"), (status = 422, body = crate::http::problem::Problem)))]
#[post("/me/password")]
pub async fn change_password(
    st: web::Data<AppState>,
    who: ApiActor,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    people::change_own_password(
        &st.ctx(),
        &who.0,
        &b.current_password,
        &b.new_password,
        None,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who the token belongs to.
#[utoipa::path(tag = "users", responses((status = 200, description = "the caller")))]
#[get("/me")]
pub async fn me(who: ApiActor) -> HttpResponse {
    HttpResponse::Ok().json(&who.0)
}

/// Users, oldest first, a page at a time (administrators only).
#[utoipa::path(params(SeekQuery), tag = "users",
    responses((status = 200, body = SeekPage<UserView>)))]
#[get("/users")]
pub async fn list(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<SeekQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = users::list(&st.ctx(), &who.0, &q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, q.limit)))
}

/// Create a user (administrators only). Clients must name their maker.
#[utoipa::path(tag = "users",
    responses((status = 201, body = UserView), (status = 422, body = crate::http::problem::Problem)))]
#[post("/users")]
pub async fn create(
    st: web::Data<AppState>,
    who: ApiActor,
    body: web::Json<NewUserInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(users::create(&st.ctx(), &who.0, body.into_inner()).await?))
}
