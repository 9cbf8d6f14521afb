//! `Idempotency-Key` on money-moving API requests and one-time keys on money forms
//! (幂等), both through `services::idempotency`.

use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::idempotency::{self, Begun};
use crate::services::{Actor, ServiceError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use std::future::Future;

pub const HEADER: &str = "Idempotency-Key";

/// The hidden form field carrying a form's one-time key.
pub const FORM_FIELD: &str = "idempotency_key";

fn key_of(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
}

/// Run a money-moving API request at most once per `Idempotency-Key` (when the caller
/// sends one): the first answer (only a success is kept) is returned on every repeat
/// with the same body; another body under the same key is a 409.
pub async fn api<B, T, F, Fut>(
    st: &AppState,
    actor: &Actor,
    req: &HttpRequest,
    body: &B,
    status: StatusCode,
    location: Option<String>,
    op: F,
) -> Result<HttpResponse, ApiError>
where
    B: Serialize,
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, ServiceError>>,
{
    let respond = |status: StatusCode, json: String| {
        let mut r = HttpResponse::build(status);
        r.content_type("application/json");
        if let Some(l) = &location {
            r.insert_header(("Location", l.clone()));
        }
        r.body(json)
    };
    let Some(key) = key_of(req) else {
        let value = op().await?;
        return Ok(respond(status, to_json(&value)?));
    };
    let hash = idempotency::request_hash(req.path(), &to_json(body)?);
    match idempotency::begin(&st.ctx(), actor, &key, &hash).await? {
        Begun::Repeat { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut resp = respond(status, body);
            resp.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
                actix_web::http::header::HeaderValue::from_static("true"),
            );
            Ok(resp)
        }
        Begun::First => match op().await {
            Ok(value) => {
                let json = to_json(&value)?;
                idempotency::finish(&st.ctx(), actor, &key, status.as_u16(), &json).await?;
                Ok(respond(status, json))
            }
            Err(e) => {
                idempotency::abandon(&st.ctx(), actor, &key).await?;
                Err(e.into())
            }
        },
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String, ApiError> {
    serde_json::to_string(v).map_err(|e| {
        ApiError(ServiceError::internal_from(
            "store the response for replay",
            e,
        ))
    })
}

/// What a form's submission does with its one-time key.
pub enum FormRun {
    /// Already done by an earlier submission of the same form: go where it went.
    Done(String),
    /// Not yet done (or the form has no key): do it.
    Go(Option<String>),
}

/// Begin a form submission with its one-time key (the hidden [`FORM_FIELD`]); `route`
/// and `fields` identify what is submitted.
pub async fn form_begin(
    st: &AppState,
    actor: &Actor,
    route: &str,
    key: &str,
    fields: &[(String, String)],
) -> Result<FormRun, ServiceError> {
    let key = key.trim();
    if key.is_empty() {
        return Ok(FormRun::Go(None));
    }
    let body: Vec<_> = fields
        .iter()
        .filter(|(k, _)| k != "csrf" && k != FORM_FIELD)
        .collect();
    let hash = idempotency::request_hash(route, &serde_json::to_string(&body).unwrap_or_default());
    match idempotency::begin(&st.ctx(), actor, key, &hash).await? {
        Begun::Repeat { body, .. } => Ok(FormRun::Done(body)),
        Begun::First => Ok(FormRun::Go(Some(key.to_string()))),
    }
}

/// End a form submission: keep where it went on success, release the key on failure.
pub async fn form_end<T>(
    st: &AppState,
    actor: &Actor,
    key: Option<&str>,
    outcome: &Result<T, ServiceError>,
    location: &str,
) -> Result<(), ServiceError> {
    let Some(key) = key else { return Ok(()) };
    match outcome {
        Ok(_) => idempotency::finish(&st.ctx(), actor, key, 303, location).await,
        Err(_) => idempotency::abandon(&st.ctx(), actor, key).await,
    }
}
