//! Server-rendered pages (askama). Chinese by default, usable without JavaScript.

pub mod account;
pub mod annual_report;
pub mod audit;
pub mod backtest;
pub mod bank;
pub mod billing;
pub mod catalogue;
pub mod certificates;
pub mod changes;
pub mod claim_batches;
pub mod claim_detail;
pub mod claims;
pub mod dashboard;
#[cfg(test)]
mod error_language;
pub mod library;
pub mod listing;
pub mod login;
pub mod notices;
pub mod outbox;
pub mod parties;
pub mod pickers;
pub mod policies;
pub mod quote_form;
pub mod receivables;
pub mod subsidy_facts;
pub mod subsidy_grants;
pub mod users;

use super::i18n::{Lang, LANG_COOKIE};
use super::identity::PageActor;
use crate::services::audit::AuditEntryView;
use crate::services::{Actor, FieldError, ServiceError, Text};
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
        .configure(users::routes)
        .configure(subsidy_facts::routes)
        .configure(account::routes)
        .configure(annual_report::routes)
        .configure(subsidy_grants::routes);
}

/// What every page frame needs: language, the signed-in user, the CSRF token.
pub struct Chrome {
    pub lang: Lang,
    pub user: Option<Actor>,
    pub csrf: String,
    pub flash: Option<String>,
    /// The clause library, for the names of its codes (programmes, sections, deductibles).
    pub lib: Option<std::sync::Arc<crate::library::Library>>,
}

impl Chrome {
    pub fn for_actor(req: &HttpRequest, who: &PageActor) -> Chrome {
        Chrome {
            lang: Lang::of(req, Some(&who.actor.locale)),
            user: Some(who.actor.clone()),
            csrf: who.csrf.clone(),
            flash: flash_of(req),
            lib: library_of(req),
        }
    }

    pub fn anonymous(req: &HttpRequest, csrf: String) -> Chrome {
        Chrome {
            lang: Lang::of(req, None),
            user: None,
            csrf,
            flash: None,
            lib: library_of(req),
        }
    }

    /// A stored code in the page's language (see `http::labels`).
    pub fn label(&self, group: &str, code: impl AsRef<str>) -> String {
        super::labels::label(self.lang, self.lib.as_deref(), group, code.as_ref())
    }

    /// A rate (fraction) as a percentage.
    pub fn pct(&self, fraction: impl AsRef<str>) -> String {
        super::labels::percent(fraction.as_ref())
    }

    /// A rule's source: the seed's title and the clause, never the file name.
    pub fn source(&self, seed: &str, article: &str) -> String {
        super::labels::source(self.lang, seed, article)
    }

    /// A refusal message in the page's language without its leading `[rule.code]`: the
    /// message already says the rule in words.
    pub fn msg(&self, e: &FieldError) -> String {
        let m = self.lang.text(&e.text);
        match m.strip_prefix('[').and_then(|r| r.split_once("] ")) {
            Some((code, rest)) if code.contains('.') && !code.contains(' ') => rest.to_string(),
            _ => m.to_string(),
        }
    }
}

fn library_of(req: &HttpRequest) -> Option<std::sync::Arc<crate::library::Library>> {
    req.app_data::<web::Data<super::AppState>>()
        .map(|st| st.library.clone())
}

/// A one-shot notice passed across a redirect: `?done=<event>&n=<figure>` says what
/// happened ("已记录收款 20,000.00 元"); the older `?saved=1` still says "已保存".
fn flash_of(req: &HttpRequest) -> Option<String> {
    let lang = Lang::of(req, None);
    let mut done = None;
    let mut figure = String::new();
    let mut saved = false;
    for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        match k.as_ref() {
            "done" => done = Some(v.into_owned()),
            "n" => figure = v.into_owned(),
            "saved" => saved = v == "1",
            _ => {}
        }
    }
    // The figure comes from the address bar: only digits, letters and separators, so a
    // crafted link cannot put words in the insurer's mouth.
    let figure_ok = figure.len() <= 40
        && figure
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | '-'));
    let figure = if figure_ok { figure } else { String::new() };
    match done.as_deref().and_then(notices::text) {
        Some((zh, en)) => Some(lang.pick(zh, en).replace("{}", &figure)),
        None => saved.then(|| lang.pick("已保存", "Saved").to_string()),
    }
}

/// The address to land on after `event`, with its figure (amount, number) if any.
pub fn done(path: &str, event: &str, figure: Option<&str>) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    match figure {
        Some(n) => format!(
            "{path}{sep}done={event}&n={}",
            url::form_urlencoded::byte_serialize(n.as_bytes()).collect::<String>()
        ),
        None => format!("{path}{sep}done={event}"),
    }
}

/// Render a template to a 200 page.
pub fn page(t: &impl Template) -> Result<HttpResponse, PageError> {
    let body = t
        .render()
        .map_err(|e| PageError::internal("render the page template", e))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// Redirect after a successful form post (303, so a reload does not resubmit) — only ever to a path on this site: anything else (`//evil.example/x`,
/// `/\\evil`, `https://…`, control characters) goes to `/` instead, so no redirect built
/// from input can send people elsewhere.
pub fn see_other(location: &str) -> HttpResponse {
    let to = local_path(location).unwrap_or("/");
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

/// `path` when it is a path on this site (`/…`, not `//…` or `/\…`, no control
/// characters or backslashes that browsers would read as `//`).
pub fn local_path(path: &str) -> Option<&str> {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control);
    local.then_some(path)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: Chrome,
    status: u16,
    message: &'a str,
}

/// A service error shown as a page, worded in both languages; the page shows the one
/// the request asked for (`localise_errors` sets it, since an error's response is built
/// without the request).
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    text: Text,
    lang: Lang,
}

impl PageError {
    /// A failure inside the page (a template, a cookie) with its cause: logged in full,
    /// shown only as "could not complete", like any internal error.
    pub fn internal(what: &str, cause: impl std::fmt::Display) -> PageError {
        tracing::error!(error = %cause, what, "page failed");
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            text: ServiceError::Internal(String::new()).text(),
            lang: Lang::Zh,
        }
    }

    fn message(&self) -> &str {
        self.lang.text(&self.text)
    }

    fn render(&self, lang: Lang) -> HttpResponse {
        let page = ErrorPage {
            c: Chrome {
                lang,
                user: None,
                csrf: String::new(),
                flash: None,
                lib: None,
            },
            status: self.status.as_u16(),
            message: lang.text(&self.text),
        };
        let body = page.render().unwrap_or_else(|_| self.message().to_string());
        HttpResponse::build(self.status)
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}

/// A stored `中文 / English` pair split in two; anything else (a person's own words)
/// reads the same in both.
impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        let (_, _, status) = super::problem::classify(&e);
        if status.is_server_error() {
            tracing::error!(error = %crate::runtime::error_chain(&e), "page failed");
        }
        PageError {
            status,
            text: e.text(),
            lang: Lang::Zh,
        }
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
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
        self.render(self.lang)
    }
}

/// Middleware: an error page in the language of the request that met it (cookie, else
/// Chinese) — 403, 404 and the rest, not only the pages that know their reader.
pub async fn localise_errors(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let lang = Lang::of(req.request(), None);
    let res = next.call(req).await?;
    let page = res
        .response()
        .error()
        .and_then(|e| e.as_error::<PageError>())
        .filter(|e| e.status != StatusCode::UNAUTHORIZED && lang != Lang::Zh)
        .map(|e| e.render(lang));
    Ok(match page {
        Some(body) => res.into_response(body),
        None => res.map_into_boxed_body(),
    })
}

/// Validation errors re-render the form; other errors become an error page.
pub fn form_errors(e: ServiceError) -> Result<Vec<FieldError>, PageError> {
    match e {
        ServiceError::Validation(fields) => Ok(fields),
        e @ ServiceError::Duplicate { field, .. } => Ok(vec![FieldError::worded(field, e.text())]),
        ServiceError::Conflict(text) => Ok(vec![FieldError::worded("version", text)]),
        other => Err(other.into()),
    }
}

/// One row of a record's history, ready to show (labels are put on in the template, in
/// the page's language).
pub struct HistoryLine {
    /// Chain position, or a dash while the entry waits to be sealed.
    pub seq: String,
    pub when: String,
    pub who: String,
    /// The action's code (`policy.issue`); the page shows its label.
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// What changed, field by field.
    pub changes: Vec<changes::FieldChange>,
}

impl From<&AuditEntryView> for HistoryLine {
    fn from(r: &AuditEntryView) -> Self {
        let when = shanghai_time(r.occurred_at);
        HistoryLine {
            seq: r.seq.map_or_else(|| "—".into(), |s| s.to_string()),
            when,
            who: r.actor_name.clone(),
            action: r.action.clone(),
            entity_type: r.entity_type.clone(),
            entity_id: r.entity_id.clone(),
            changes: changes::diff(r.before_json.as_deref(), r.after_json.as_deref()),
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
        text: Text::new("页面不存在", "No such page"),
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
        // `http://host//evil.example/x` has the path `//evil.example/x`: not local.
        .filter(|p| local_path(p).is_some())
        .unwrap_or_else(|| "/".into());
    let cookie = Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    let mut resp = see_other(&back);
    if let Err(e) = resp.add_cookie(&cookie) {
        tracing::warn!(error = %e, "language cookie not set");
    }
    resp
}
