//! Server-rendered pages (askama). Chinese by default, usable without JavaScript.

pub mod audit;
pub mod backtest;
pub mod bank;
pub mod billing;
pub mod catalogue;
pub mod certificates;
pub mod claim_detail;
pub mod claims;
pub mod dashboard;
pub mod library;
pub mod login;
pub mod outbox;
pub mod parties;
pub mod policies;
pub mod quote_form;
pub mod receivables;
pub mod users;

use super::i18n::{Lang, LANG_COOKIE};
use super::identity::PageActor;
use crate::services::{Actor, FieldError, ServiceError};
use crate::store::audit::AuditRow;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/style.css", web::get().to(stylesheet))
        .route("/lang/{code}", web::get().to(switch_lang))
        .configure(login::routes)
        .configure(dashboard::routes)
        .configure(parties::routes)
        .configure(catalogue::routes)
        .configure(library::routes)
        .configure(billing::routes)
        .configure(policies::routes)
        .configure(certificates::routes)
        .configure(audit::routes)
        .configure(outbox::routes)
        .configure(claims::routes)
        .configure(backtest::routes)
        .configure(users::routes);
}

/// What every page frame needs: language, the signed-in user, the CSRF token.
pub struct Chrome {
    pub lang: Lang,
    pub user: Option<Actor>,
    pub csrf: String,
    pub flash: Option<String>,
}

impl Chrome {
    pub fn for_actor(req: &HttpRequest, who: &PageActor) -> Chrome {
        Chrome {
            lang: Lang::of(req, Some(&who.actor.locale)),
            user: Some(who.actor.clone()),
            csrf: who.csrf.clone(),
            flash: flash_of(req),
        }
    }

    pub fn anonymous(req: &HttpRequest, csrf: String) -> Chrome {
        Chrome {
            lang: Lang::of(req, None),
            user: None,
            csrf,
            flash: None,
        }
    }
}

/// A one-shot notice passed across a redirect as `?saved=1`.
fn flash_of(req: &HttpRequest) -> Option<String> {
    let saved = req.query_string().split('&').any(|kv| kv == "saved=1");
    saved.then(|| Lang::of(req, None).pick("已保存", "Saved").to_string())
}

/// Render a template to a 200 page.
pub fn page(t: &impl Template) -> Result<HttpResponse, PageError> {
    let body = t.render().map_err(|e| {
        PageError::plain(StatusCode::INTERNAL_SERVER_ERROR, format!("template: {e}"))
    })?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// Redirect after a successful form post (303, so a reload does not resubmit).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_string()))
        .finish()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: Chrome,
    status: u16,
    message: &'a str,
}

/// A service error shown as a page.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    message: String,
    lang: Lang,
}

impl PageError {
    pub fn plain(status: StatusCode, message: String) -> PageError {
        PageError {
            status,
            message,
            lang: Lang::Zh,
        }
    }
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        let (_, _, status) = super::problem::classify(&e);
        let message = if status.is_server_error() {
            tracing::error!(error = ?e, "page failed");
            "服务器暂时无法完成请求，已记录。The server could not complete the request; it has been logged.".into()
        } else {
            e.to_string()
        };
        PageError {
            status,
            message,
            lang: Lang::Zh,
        }
    }
}

impl From<crate::store::StoreError> for PageError {
    fn from(e: crate::store::StoreError) -> Self {
        ServiceError::from(e).into()
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status == StatusCode::UNAUTHORIZED {
            return see_other("/login");
        }
        let page = ErrorPage {
            c: Chrome {
                lang: self.lang,
                user: None,
                csrf: String::new(),
                flash: None,
            },
            status: self.status.as_u16(),
            message: &self.message,
        };
        let body = page.render().unwrap_or_else(|_| self.message.clone());
        HttpResponse::build(self.status)
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}

/// Validation errors re-render the form; other errors become an error page.
pub fn form_errors(e: ServiceError) -> Result<Vec<FieldError>, PageError> {
    match e {
        ServiceError::Validation(fields) => Ok(fields),
        ServiceError::Duplicate(what) => Ok(vec![FieldError::new(
            &what,
            format!("{what} is already taken"),
            "已存在",
        )]),
        ServiceError::Conflict(msg) => Ok(vec![FieldError::new(
            "version",
            msg,
            "记录已被他人修改，请刷新后重试",
        )]),
        other => Err(other.into()),
    }
}

/// One row of a record's history, ready to show.
pub struct HistoryLine {
    /// Chain position, or a dash while the entry waits to be sealed.
    pub seq: String,
    pub when: String,
    pub who: String,
    pub action: String,
    pub entity: String,
    pub change: String,
}

impl From<&AuditRow> for HistoryLine {
    fn from(r: &AuditRow) -> Self {
        let when = shanghai_time(r.occurred_at);
        HistoryLine {
            seq: r.seq.map_or_else(|| "—".into(), |s| s.to_string()),
            when,
            who: r.actor_name.clone(),
            action: r.action.clone(),
            entity: format!("{} {}", r.entity_type, r.entity_id),
            change: r.after_json.clone().unwrap_or_default(),
        }
    }
}

/// Events are stored in UTC and shown in Beijing time (UTC+8, no daylight saving).
pub fn shanghai_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Links to the previous and next page of a list.
pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new(base: &str, offset: i64, limit: i64, total: i64) -> Pager {
        let sep = if base.contains('?') { '&' } else { '?' };
        Pager {
            prev: (offset > 0).then(|| format!("{base}{sep}offset={}", (offset - limit).max(0))),
            next: (offset + limit < total).then(|| format!("{base}{sep}offset={}", offset + limit)),
        }
    }
}

/// Any path no route claims: a page, not an empty answer.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let lang = Lang::of(&req, None);
    let err = PageError {
        status: StatusCode::NOT_FOUND,
        message: lang.pick("页面不存在", "No such page").into(),
        lang,
    };
    err.error_response()
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../../assets/web/style.css"))
}

/// Switch the page language and go back where we were.
async fn switch_lang(req: HttpRequest, code: web::Path<String>) -> HttpResponse {
    let lang = Lang::parse(&code).unwrap_or(Lang::Zh);
    let back = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .unwrap_or_else(|| "/".into());
    let cookie = Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, back))
        .finish()
}
