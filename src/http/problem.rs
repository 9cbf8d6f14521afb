//! RFC 9457 problem details: the one place where errors become HTTP responses.

use super::i18n::Lang;
use crate::services::{FieldError, ServiceError, Text};
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
        Duplicate { .. } => ("duplicate", "Already exists", StatusCode::CONFLICT),
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

/// A problem type's title in Chinese, for clients that ask for Chinese.
fn title_zh(slug: &str) -> Option<&'static str> {
    Some(match slug {
        "validation-failed" => "输入有误",
        "not-found" => "未找到",
        "forbidden" => "无权操作",
        "unauthenticated" => "需要登录",
        "bad-credentials" => "用户名或密码错误",
        "too-many-attempts" => "登录失败次数过多",
        "rate-limited" => "请求过多",
        "conflict" => "与记录的当前状态冲突",
        "duplicate" => "已存在",
        "below-authority-level" => "超出您的核保权限层级",
        "beyond-authority-ladder" => "超出所有核保权限层级",
        "quote-expired" => "报价已过期",
        "quote-closed" => "报价已拒保或已撤回",
        "internal" => "服务器内部错误",
        "invalid-body" => "请求内容字段有误",
        "unsupported-media-type" => "请发送 application/json",
        "body-too-large" => "请求内容过大",
        "malformed-body" => "JSON 格式有误",
        "invalid-query" => "查询参数有误",
        _ => return None,
    })
}

/// A problem type's title in the language asked for (English when none, or no Chinese title).
fn title_in<'a>(slug: &str, title: &'a str, lang: Option<Lang>) -> &'a str {
    match lang {
        Some(Lang::Zh) => title_zh(slug).unwrap_or(title),
        _ => title,
    }
}

/// The problem for `e` in `lang`, or in both languages when the client asked for neither
/// (`Lang::asked`). The one place a service error's words meet the API reader.
pub fn render(e: &ServiceError, lang: Option<Lang>) -> HttpResponse {
    let (slug, title, status) = classify(e);
    let detail = match lang {
        Some(lang) => lang.text(&e.text()).to_string(),
        // Internals stay in the log (`error_response`).
        None if status.is_server_error() => {
            "the server could not complete the request; it has been logged".to_string()
        }
        None => e.to_string(),
    };
    let title = title_in(slug, title, lang);
    let errors = match e {
        ServiceError::Validation(fields) => fields.clone(),
        _ => Vec::new(),
    };
    let mut resp = problem_response(status, slug, title, detail, errors);
    if let ServiceError::Throttled { retry_after_secs }
    | ServiceError::RateLimited { retry_after_secs } = e
    {
        if let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    if matches!(
        e,
        ServiceError::Unauthenticated | ServiceError::BadCredentials
    ) {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    resp
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        classify(&self.0).2
    }

    /// Built without the request: in both languages. `localise` answers again in the
    /// language the request asked for.
    fn error_response(&self) -> HttpResponse {
        if self.status_code().is_server_error() {
            // Logged in full; the caller gets no internals.
            tracing::error!(error = %crate::runtime::error_chain(&self.0), "request failed");
        }
        render(&self.0, None)
    }
}

/// Middleware: an API problem in the language its request asked for (`Accept-Language`),
/// since a `ResponseError` is answered without the request.
pub async fn localise(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let lang = Lang::asked(req.request());
    let res = next.call(req).await?;
    let problem = lang.and_then(|lang| {
        res.response()
            .error()
            .and_then(|e| e.as_error::<ApiError>())
            .map(|e| render(&e.0, Some(lang)))
    });
    Ok(match problem {
        Some(body) => res.into_response(body),
        None => res.map_into_boxed_body(),
    })
}

/// A problem the edge finds before any service runs (a body, query or path that does
/// not parse, a route that does not exist), worded in the language the request asked for
/// (`Accept-Language`), English when it asked for none — as a service error is.
pub fn edge_problem(
    req: &actix_web::HttpRequest,
    status: StatusCode,
    slug: &str,
    title: &str,
    detail: Text,
    errors: Vec<FieldError>,
) -> HttpResponse {
    let lang = Lang::asked(req);
    let title = title_in(slug, title, lang);
    let detail = lang.unwrap_or(Lang::En).text(&detail).to_string();
    problem_response(status, slug, title, detail, errors)
}

/// JSON bodies that do not parse: syntax errors are 400, wrong shapes 422 — never 500.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let resp = match &err {
        J::Deserialize(e) if e.is_data() => {
            let text = Text::new(format!("请求内容字段有误：{e}"), e.to_string());
            edge_problem(
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-body",
                "The body does not have the expected fields",
                text.clone(),
                vec![FieldError::worded("body", text)],
            )
        }
        J::ContentType => edge_problem(
            req,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Send application/json",
            Text::new(
                "请求内容须为 application/json",
                "the body must be application/json",
            ),
            vec![],
        ),
        J::Overflow { .. } | J::OverflowKnownLength { .. } => edge_problem(
            req,
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Body too large",
            Text::new(format!("请求内容过大（{err}）"), err.to_string()),
            vec![],
        ),
        _ => edge_problem(
            req,
            StatusCode::BAD_REQUEST,
            "malformed-body",
            "Malformed JSON",
            Text::new(format!("请求内容不是有效的 JSON：{err}"), err.to_string()),
            vec![],
        ),
    };
    actix_web::error::InternalError::from_response(err, resp).into()
}

/// Query strings and path segments that do not parse.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let resp = edge_problem(
        req,
        StatusCode::BAD_REQUEST,
        "invalid-query",
        "Invalid query parameters",
        Text::new(format!("查询参数有误：{err}"), err.to_string()),
        vec![],
    );
    actix_web::error::InternalError::from_response(err, resp).into()
}

pub fn path_error(
    err: actix_web::error::PathError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let resp = edge_problem(
        req,
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        Text::new(format!("路径参数有误：{err}"), err.to_string()),
        vec![],
    );
    actix_web::error::InternalError::from_response(err, resp).into()
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    #[test]
    fn field_errors_are_documented_in_their_wire_shape() {
        let doc = serde_json::to_value(crate::http::api::ApiDoc::openapi()).unwrap_or_default();
        let schema = &doc["components"]["schemas"]["FieldError"];
        let mut names: Vec<&str> = schema["properties"]
            .as_object()
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        names.sort_unstable();
        assert_eq!(names, ["field", "message", "message_zh"], "{schema}");
    }
}
