//! User administration page (administrators only): list and create users.

use super::{form_errors, page, see_other, Chrome, PageError};
use crate::domain::role::{Role, ALL_ROLES};
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::people;
use crate::services::users::UserView;
use crate::services::users::{self, NewUserInput};
use crate::services::SeekQuery;
use crate::services::{FieldError, ServiceError};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::get().to(show))
        .route("/users", web::post().to(create))
        .route("/users/{id}/{action}", web::post().to(act));
}

#[derive(Deserialize, Default, Clone)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    pub role: String,
    #[serde(default)]
    pub maker_id: String,
    pub password: String,
}

impl UserForm {
    fn to_input(&self) -> Result<NewUserInput, ServiceError> {
        let role = self
            .role
            .parse::<Role>()
            .map_err(|e| ServiceError::field("role", e.to_string(), "请选择角色"))?;
        let maker_id = match self.maker_id.trim() {
            "" => None,
            s => Some(s.parse::<i64>().map_err(|_| {
                ServiceError::field("maker_id", "choose a maker", "请选择制造企业")
            })?),
        };
        Ok(NewUserInput {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            password: self.password.clone(),
            role,
            maker_id: if role == Role::Client { maker_id } else { None },
        })
    }
}

pub struct UserLine {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub maker: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    rows: Vec<UserLine>,
    /// How many users there are, and links to the pages before and after.
    total: String,
    pager: super::Pager,
    roles: &'static [Role],
    makers: Vec<(i64, String)>,
    form: UserForm,
    errors: Vec<FieldError>,
    /// Shown once after a reset: whose, and the one-time password.
    one_time: Option<(String, String)>,
}

async fn render(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    form: UserForm,
    errors: Vec<FieldError>,
    one_time: Option<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    // The user list pages by its own cursor (`after`).
    let after =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("after").cloned());
    let paged = users::list(
        &st.ctx(),
        &who.actor,
        &SeekQuery {
            after,
            ..SeekQuery::default()
        },
    )
    .await?;
    let total = super::listing::total_text(&paged.total, &c);
    let pager = super::Pager::keyset("/users", &paged);
    let list: Vec<UserView> = paged.rows;
    // Every listed client's maker is named, even past the picker's first 500.
    let theirs: Vec<i64> = list.iter().filter_map(|u| u.maker_id).collect();
    let makers = super::pickers::parties(st, &who.actor, Some("maker"), &theirs).await?;
    let rows = list
        .into_iter()
        .map(|u| UserLine {
            role: c.lang.pick(u.role.zh(), u.role.en()).to_string(),
            maker: u
                .maker_id
                .and_then(|id| makers.iter().find(|m| m.0 == id).map(|m| m.1.clone()))
                .unwrap_or_default(),
            user_id: u.user_id,
            username: u.username,
            display_name: u.display_name,
            active: u.active,
        })
        .collect();
    let invalid = !errors.is_empty();
    let mut resp = page(&UsersPage {
        c,
        rows,
        total,
        pager,
        roles: &ALL_ROLES,
        makers,
        form,
        errors,
        one_time,
    })?;
    if invalid {
        *resp.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn show(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
) -> Result<HttpResponse, PageError> {
    let form = UserForm {
        role: "underwriter".into(),
        ..UserForm::default()
    };
    render(&req, &st, &who, form, vec![], None).await
}

async fn create(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    f: web::Form<UserForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let mut form = f.into_inner();
    let result = match form.to_input() {
        Ok(input) => users::create(&st.ctx(), &who.actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other("/users?saved=1")),
        Err(e) => {
            form.password.clear();
            render(&req, &st, &who, form, form_errors(e)?, None).await
        }
    }
}

#[derive(Deserialize)]
struct ActionForm {
    csrf: String,
}

/// Deactivate, reactivate, unlock or reset a user's password (administrators). A reset
/// answers with the page showing the one-time password once (never stored in clear).
async fn act(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    path: web::Path<(i64, String)>,
    f: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let (id, action) = path.into_inner();
    let a = &who.actor;
    match action.as_str() {
        "deactivate" => people::set_active(&st.ctx(), a, id, false)
            .await
            .map(drop)?,
        "reactivate" => people::set_active(&st.ctx(), a, id, true).await.map(drop)?,
        "unlock" => people::unlock(&st.ctx(), a, id).await.map(drop)?,
        "reset-password" => {
            let password = people::reset_password(&st.ctx(), a, id).await?;
            let name = users::get(&st.ctx(), a, id).await?.username;
            let form = UserForm {
                role: "underwriter".into(),
                ..UserForm::default()
            };
            let mut resp = render(&req, &st, &who, form, vec![], Some((name, password))).await?;
            resp.headers_mut().insert(
                actix_web::http::header::CACHE_CONTROL,
                actix_web::http::header::HeaderValue::from_static("no-store"),
            );
            return Ok(resp);
        }
        _ => return Err(ServiceError::NotFound("action").into()),
    }
    Ok(see_other("/users?saved=1"))
}
