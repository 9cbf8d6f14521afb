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
                return auth::bearer(&st.db, &token)
                    .await?
                    .map(ApiActor)
                    .ok_or(ApiError(ServiceError::Unauthenticated));
            }
            let cookie = req
                .cookie(SESSION_COOKIE)
                .ok_or(ApiError(ServiceError::Unauthenticated))?;
            let (actor, csrf) = auth::session(&st.db, cookie.value())
                .await?
                .ok_or(ApiError(ServiceError::Unauthenticated))?;
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
            match auth::session(&st.db, cookie.value())
                .await
                .map_err(ApiError)?
            {
                Some((actor, csrf)) => Ok(PageActor { actor, csrf }),
                None => Err(LoginRedirect(next).into()),
            }
        })
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
