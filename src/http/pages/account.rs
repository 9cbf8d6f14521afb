//! One's own account (我的账户): change the password, giving the current one. After an
//! admin's reset this is the only page open until the one-time password is replaced.

use super::{form_errors, page, see_other, Chrome, PageError};
use crate::http::identity::{PageActor, CHANGE_PASSWORD_PATH, SESSION_COOKIE};
use crate::http::AppState;
use crate::services::{people, FieldError};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(CHANGE_PASSWORD_PATH, web::get().to(show))
        .route(CHANGE_PASSWORD_PATH, web::post().to(change));
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    c: Chrome,
    must_change: bool,
    saved: bool,
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn show(
    req: HttpRequest,
    who: PageActor,
    q: web::Query<SavedQuery>,
) -> Result<HttpResponse, PageError> {
    page(&PasswordPage {
        c: Chrome::for_actor(&req, &who),
        must_change: who.must_change_password,
        saved: q.saved.is_some(),
        errors: vec![],
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf: String,
    current_password: String,
    new_password: String,
}

async fn change(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    f: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let session = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let outcome = people::change_own_password(
        &st.ctx(),
        &who.actor,
        &f.current_password,
        &f.new_password,
        session.as_deref(),
    )
    .await;
    match outcome {
        Ok(()) => Ok(see_other(&format!("{CHANGE_PASSWORD_PATH}?saved=1"))),
        Err(e) => {
            let mut resp = page(&PasswordPage {
                c: Chrome::for_actor(&req, &who),
                must_change: who.must_change_password,
                saved: false,
                errors: form_errors(e)?,
            })?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
    }
}
