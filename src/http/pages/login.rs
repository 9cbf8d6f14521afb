//! Sign in and out.

use super::{see_other, Chrome, PageError};
use crate::http::i18n::Lang;
use crate::http::identity::{PageActor, SESSION_COOKIE};
use crate::http::AppState;
use crate::services::{auth, ServiceError};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// Before there is a session, the login form is protected by a double-submit cookie.
const LOGIN_CSRF_COOKIE: &str = "fc_login_csrf";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(form))
        .route("/login", web::post().to(submit))
        .route("/logout", web::post().to(logout));
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    error: Option<String>,
    next: String,
    username: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths, so the login page cannot bounce people elsewhere.
fn safe_next(next: Option<&str>) -> String {
    next.and_then(super::local_path).unwrap_or("/").into()
}

fn cookie<'a>(name: &'a str, value: String, secure: bool) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish()
}

fn render(
    c: Chrome,
    error: Option<String>,
    next: String,
    username: String,
    status: StatusCode,
    secure: bool,
) -> Result<HttpResponse, PageError> {
    let csrf = c.csrf.clone();
    let body = LoginPage {
        c,
        error,
        next,
        username,
    }
    .render()
    .map_err(|e| PageError::internal("render the sign-in page", e))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .cookie(cookie(LOGIN_CSRF_COOKIE, csrf, secure))
        .body(body))
}

async fn form(
    req: HttpRequest,
    st: web::Data<AppState>,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let csrf = auth::random_token()?;
    let next = safe_next(q.next.as_deref());
    render(
        Chrome::anonymous(&req, csrf),
        None,
        next,
        String::new(),
        StatusCode::OK,
        st.config.secure_cookies(),
    )
}

#[derive(Deserialize)]
struct LoginForm {
    csrf: String,
    username: String,
    password: String,
    next: Option<String>,
}

async fn submit(
    req: HttpRequest,
    st: web::Data<AppState>,
    f: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let f = f.into_inner();
    let lang = Lang::of(&req, None);
    let secure = st.config.secure_cookies();
    let next = safe_next(f.next.as_deref());
    let expected = req
        .cookie(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let fresh = auth::random_token()?;
    if expected.is_empty() || !auth::same_secret(&f.csrf, &expected) {
        let msg = lang
            .pick(
                "页面已过期，请重新登录",
                "The page expired; please sign in again",
            )
            .to_string();
        return render(
            Chrome::anonymous(&req, fresh),
            Some(msg),
            next,
            f.username,
            StatusCode::FORBIDDEN,
            secure,
        );
    }
    let address = crate::http::client_addr::client_ip(&req, &st.config.security.trusted_proxies);
    match auth::login(
        &st.ctx(),
        &st.config.security,
        &f.username,
        &f.password,
        address,
    )
    .await
    {
        Ok(session) => {
            let mut resp = if session.must_change_password {
                see_other(crate::http::identity::CHANGE_PASSWORD_PATH)
            } else {
                see_other(&next)
            };
            let mut session_cookie = cookie(SESSION_COOKIE, session.token, secure);
            session_cookie.set_max_age(actix_web::cookie::time::Duration::hours(
                st.config.security.session_hours,
            ));
            resp.add_cookie(&session_cookie)
                .map_err(|e| PageError::internal("render the sign-in page", e))?;
            let mut spent = cookie(LOGIN_CSRF_COOKIE, String::new(), secure);
            spent.make_removal();
            resp.add_cookie(&spent)
                .map_err(|e| PageError::internal("render the sign-in page", e))?;
            Ok(resp)
        }
        Err(ServiceError::BadCredentials) => {
            let msg = lang
                .pick("用户名或密码错误", "Wrong user name or password")
                .to_string();
            render(
                Chrome::anonymous(&req, fresh),
                Some(msg),
                next,
                f.username,
                StatusCode::UNAUTHORIZED,
                secure,
            )
        }
        Err(ServiceError::Throttled { retry_after_secs }) => {
            let msg = match lang {
                Lang::Zh => format!(
                    "登录失败次数过多，请{}分钟后再试",
                    (retry_after_secs + 59) / 60
                ),
                Lang::En => format!(
                    "Too many failed sign-ins; try again in {} minutes",
                    (retry_after_secs + 59) / 60
                ),
            };
            let mut resp = render(
                Chrome::anonymous(&req, fresh),
                Some(msg),
                next,
                f.username,
                StatusCode::TOO_MANY_REQUESTS,
                secure,
            )?;
            if let Ok(v) =
                actix_web::http::header::HeaderValue::from_str(&retry_after_secs.to_string())
            {
                resp.headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, v);
            }
            Ok(resp)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf: String,
}

async fn logout(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    f: web::Form<LogoutForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    if let Some(c) = req.cookie(SESSION_COOKIE) {
        auth::logout(&st.ctx(), c.value()).await?;
    }
    let mut resp = see_other("/login");
    let mut gone = cookie(SESSION_COOKIE, String::new(), st.config.secure_cookies());
    gone.make_removal();
    resp.add_cookie(&gone)
        .map_err(|e| PageError::internal("render the sign-in page", e))?;
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/parties?q=1")), "/parties?q=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
