//! Who is calling: bearer tokens for machines, session cookies for people.

use super::problem::ApiError;
use super::AppState;
use crate::services::{auth, Actor, ServiceError};
use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use std::future::Future;
use std::pin::Pin;

pub const SESSION_COOKIE: &str = "fc_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ServiceError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ServiceError::Internal("application state missing".into()))
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The caller of a JSON API route. A browser session may call the API too, but an
/// unsafe method then needs the session's CSRF token in `X-CSRF-Token`.
pub struct ApiActor(pub Actor);

impl FromRequest for ApiActor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let st = state(&req)?;
            if let Some(token) = bearer_token(&req) {
                return auth::bearer(&st.ctx(), &token)
                    .await?
                    .map(ApiActor)
                    .ok_or(ApiError(ServiceError::Unauthenticated));
            }
            let cookie = req
                .cookie(SESSION_COOKIE)
                .ok_or(ApiError(ServiceError::Unauthenticated))?;
            let session = auth::session(&st.ctx(), cookie.value())
                .await?
                .ok_or(ApiError(ServiceError::Unauthenticated))?;
            if session.must_change_password {
                return Err(ApiError(ServiceError::Forbidden(
                    "do anything before changing the one-time password (请先修改一次性密码)",
                )));
            }
            let (actor, csrf) = (session.actor, session.csrf);
            let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
            if !safe {
                let sent = req
                    .headers()
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !auth::same_secret(sent, &csrf) {
                    return Err(ApiError(ServiceError::Forbidden(
                        "change data from a browser session without its CSRF token",
                    )));
                }
            }
            Ok(ApiActor(actor))
        })
    }
}

/// A signed-in person on a page, with the CSRF token their forms must carry.
pub struct PageActor {
    pub actor: Actor,
    pub csrf: String,
    /// Signed in with an admin's one-time password (only the password page is open).
    pub must_change_password: bool,
}

/// Not signed in on a page: go to the login page and come back afterwards.
#[derive(Debug)]
pub struct LoginRedirect(String);

impl std::fmt::Display for LoginRedirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sign in first")
    }
}

impl ResponseError for LoginRedirect {
    fn error_response(&self) -> HttpResponse {
        let next = url::form_urlencoded::byte_serialize(self.0.as_bytes()).collect::<String>();
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/login?next={next}")))
            .finish()
    }
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::SEE_OTHER
    }
}

impl FromRequest for PageActor {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let next = req
                .uri()
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_else(|| "/".into());
            let st = state(&req).map_err(ApiError)?;
            let Some(cookie) = req.cookie(SESSION_COOKIE) else {
                return Err(LoginRedirect(next).into());
            };
            match auth::session(&st.ctx(), cookie.value())
                .await
                .map_err(ApiError)?
            {
                // An admin's one-time password: the password page (and signing out) only.
                Some(s)
                    if s.must_change_password
                        && !matches!(req.path(), CHANGE_PASSWORD_PATH | "/logout") =>
                {
                    Err(PasswordChangeRedirect.into())
                }
                Some(s) => Ok(PageActor {
                    actor: s.actor,
                    csrf: s.csrf,
                    must_change_password: s.must_change_password,
                }),
                None => Err(LoginRedirect(next).into()),
            }
        })
    }
}

/// Where a person changes their own password.
pub const CHANGE_PASSWORD_PATH: &str = "/account/password";

/// A page asked for by someone who must first change a one-time password.
#[derive(Debug)]
pub struct PasswordChangeRedirect;

impl std::fmt::Display for PasswordChangeRedirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "change the one-time password first")
    }
}

impl actix_web::ResponseError for PasswordChangeRedirect {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::SEE_OTHER
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        actix_web::HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, CHANGE_PASSWORD_PATH))
            .finish()
    }
}

impl PageActor {
    /// Every form post carries the session's CSRF token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), ServiceError> {
        if auth::same_secret(sent, &self.csrf) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "submit this form (the page expired — reload it and try again)",
            ))
        }
    }
}
