//! RFC 9457 problem details: the one place where errors become HTTP responses.

use crate::services::{FieldError, ServiceError};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

/// The body of every error answer under `/api`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A stable identifier of the kind of problem, e.g. `/problems/validation-failed`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An error answered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError(pub ServiceError);

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError(e)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Slug, title and status for each kind of service error.
pub fn classify(e: &ServiceError) -> (&'static str, &'static str, StatusCode) {
    use ServiceError::*;
    match e {
        Validation(_) => (
            "validation-failed",
            "Validation failed",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        NotFound(_) => ("not-found", "Not found", StatusCode::NOT_FOUND),
        Forbidden(_) => ("forbidden", "Forbidden", StatusCode::FORBIDDEN),
        Unauthenticated => (
            "unauthenticated",
            "Authentication required",
            StatusCode::UNAUTHORIZED,
        ),
        BadCredentials => (
            "bad-credentials",
            "Wrong user name or password",
            StatusCode::UNAUTHORIZED,
        ),
        Throttled { .. } => (
            "too-many-attempts",
            "Too many failed sign-ins",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        RateLimited { .. } => (
            "rate-limited",
            "Too many requests",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Conflict(_) => ("conflict", "Conflict", StatusCode::CONFLICT),
        Duplicate(_) => ("duplicate", "Already exists", StatusCode::CONFLICT),
        Refused { kind, .. } => {
            let (slug, title, status) = kind.problem();
            (
                slug,
                title,
                StatusCode::from_u16(status).unwrap_or(StatusCode::CONFLICT),
            )
        }
        Store(_) | Internal(_) | InternalFrom { .. } => (
            "internal",
            "Internal error",
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    }
}

pub fn problem_response(
    status: StatusCode,
    slug: &str,
    title: &str,
    detail: String,
    errors: Vec<FieldError>,
) -> HttpResponse {
    let body = Problem {
        kind: format!("/problems/{slug}"),
        title: title.into(),
        status: status.as_u16(),
        detail,
        errors,
    };
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .json(body)
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        classify(&self.0).2
    }

    fn error_response(&self) -> HttpResponse {
        let (slug, title, status) = classify(&self.0);
        let detail = if status.is_server_error() {
            // Logged in full; the caller gets no internals.
            tracing::error!(error = %crate::runtime::error_chain(&self.0), "request failed");
            "the server could not complete the request; it has been logged".to_string()
        } else {
            self.0.to_string()
        };
        let errors = match &self.0 {
            ServiceError::Validation(fields) => fields.clone(),
            _ => Vec::new(),
        };
        let mut resp = problem_response(status, slug, title, detail, errors);
        if let ServiceError::Throttled { retry_after_secs }
        | ServiceError::RateLimited { retry_after_secs } = &self.0
        {
            if let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if matches!(
            self.0,
            ServiceError::Unauthenticated | ServiceError::BadCredentials
        ) {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

/// JSON bodies that do not parse: syntax errors are 400, wrong shapes 422 — never 500.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let resp = match &err {
        J::Deserialize(e) if e.is_data() => problem_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-body",
            "The body does not have the expected fields",
            e.to_string(),
            vec![FieldError::new(
                "body",
                e.to_string(),
                format!("请求内容字段有误：{e}"),
            )],
        ),
        J::ContentType => problem_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Send application/json",
            "the body must be application/json".into(),
            vec![],
        ),
        J::Overflow { .. } | J::OverflowKnownLength { .. } => problem_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Body too large",
            err.to_string(),
            vec![],
        ),
        _ => problem_response(
            StatusCode::BAD_REQUEST,
            "malformed-body",
            "Malformed JSON",
            err.to_string(),
            vec![],
        ),
    };
    actix_web::error::InternalError::from_response(err, resp).into()
}

/// Query strings and path segments that do not parse.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let resp = problem_response(
        StatusCode::BAD_REQUEST,
        "invalid-query",
        "Invalid query parameters",
        err.to_string(),
        vec![],
    );
    actix_web::error::InternalError::from_response(err, resp).into()
}

pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let resp = problem_response(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        err.to_string(),
        vec![],
    );
    actix_web::error::InternalError::from_response(err, resp).into()
}
