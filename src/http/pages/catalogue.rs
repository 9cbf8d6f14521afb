//! Catalogue pages: qualified products, their tier and validity.

use super::listing::{self, Sorter};
use super::{form_errors, page, see_other, Chrome, PageError, Pager};
use crate::domain::catalogue::{is_valid_on, Tier, UnitType};
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::catalogue::{self, CatalogueInput};
use crate::services::{FieldError, ServiceError};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/catalogue", web::get().to(list))
        .route("/catalogue", web::post().to(create))
        .route("/catalogue/new", web::get().to(new_form))
        .route("/catalogue/{id}", web::post().to(update))
        .route("/catalogue/{id}/edit", web::get().to(edit_form));
}

pub struct Line {
    pub id: i64,
    pub product_name: String,
    pub maker_name: String,
    pub edition: String,
    pub field: String,
    pub unit_type: String,
    pub tier: String,
    pub year: i32,
    pub valid_until: NaiveDate,
    pub valid: bool,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Line>,
    total: String,
    q: String,
    maker_id: String,
    can_edit: bool,
    sorter: Sorter,
    pager: Pager,
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    maker_id: Option<i64>,
    sort: Option<String>,
    order: Option<String>,
    after: Option<String>,
}

async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let paged = catalogue::list(
        &st.ctx(),
        &who.actor,
        catalogue::CatalogueListQuery {
            q: q.q.clone(),
            maker_id: q.maker_id,
            sort: q.sort.clone(),
            order: q.order.clone(),
            limit: Some(50),
            after: q.after.clone(),
        },
    )
    .await?;
    let query = q.q.clone().unwrap_or_default();
    let maker_id = q.maker_id.map(|m| m.to_string()).unwrap_or_default();
    let sort =
        crate::paging::CatalogueSort::parse(q.sort.as_deref().unwrap_or("")).unwrap_or_default();
    let sorter = Sorter {
        base: listing::href("/catalogue", &[("q", &query), ("maker_id", &maker_id)]),
        sort: sort.as_str().into(),
        descending: crate::services::descending(
            q.order.as_deref(),
            sort != crate::paging::CatalogueSort::Product,
        ),
    };
    let total = listing::total_text(&paged.total, &c);
    let pager = Pager::keyset(&sorter.current(), &paged);
    let rows = paged.rows;
    let today = st.clock.today();
    let lang = c.lang;
    let rows = rows
        .into_iter()
        .map(|r| Line {
            valid: is_valid_on(r.valid_from, r.valid_until, today),
            unit_type: r
                .unit_type
                .parse::<UnitType>()
                .map(|u| lang.pick(u.zh(), u.en()).to_string())
                .unwrap_or(r.unit_type),
            tier: r
                .tier
                .parse::<Tier>()
                .map(|t| lang.pick(t.zh(), t.en()).to_string())
                .unwrap_or(r.tier),
            id: r.catalogue_item_id,
            product_name: r.product_name,
            maker_name: r.maker_name,
            edition: r.edition,
            field: r.field,
            year: r.qualification_year,
            valid_until: r.valid_until,
        })
        .collect();
    page(&ListPage {
        can_edit: who.actor.role.manages_parties(),
        pager,
        sorter,
        c,
        rows,
        total,
        q: query,
        maker_id,
    })
}

#[derive(Deserialize, Default, Clone)]
pub struct CatalogueForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    pub maker_id: String,
    pub edition: String,
    pub product_name: String,
    pub field: String,
    pub unit_type: String,
    pub tier: String,
    pub qualification_year: String,
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: String,
}

impl CatalogueForm {
    fn to_input(&self) -> Result<CatalogueInput, ServiceError> {
        let mut errs = Vec::new();
        let maker_id = self
            .maker_id
            .trim()
            .parse::<i64>()
            .map_err(|_| FieldError::new("maker_id", "choose a maker", "请选择制造企业"));
        let unit_type = self
            .unit_type
            .parse::<UnitType>()
            .map_err(|e| FieldError::new("unit_type", e, "请选择产品类别"));
        let tier = self
            .tier
            .parse::<Tier>()
            .map_err(|e| FieldError::new("tier", e, "请选择认定档次"));
        let year = self.qualification_year.trim().parse::<i32>().map_err(|_| {
            FieldError::new(
                "qualification_year",
                "a year such as 2025",
                "请输入年份，如2025",
            )
        });
        let from = NaiveDate::parse_from_str(self.valid_from.trim(), "%Y-%m-%d").map_err(|_| {
            FieldError::new(
                "valid_from",
                "a date such as 2025-09-01",
                "请输入日期，如2025-09-01",
            )
        });
        let until = match self.valid_until.trim() {
            "" => Ok(None),
            s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    FieldError::new(
                        "valid_until",
                        "a date such as 2030-08-31",
                        "请输入日期，如2030-08-31",
                    )
                }),
        };
        macro_rules! take {
            ($r:expr) => {
                match $r {
                    Ok(v) => Some(v),
                    Err(e) => {
                        errs.push(e);
                        None
                    }
                }
            };
        }
        let (m, u, t, y, f, v) = (
            take!(maker_id),
            take!(unit_type),
            take!(tier),
            take!(year),
            take!(from),
            take!(until),
        );
        match (m, u, t, y, f, v) {
            (
                Some(maker_id),
                Some(unit_type),
                Some(tier),
                Some(qualification_year),
                Some(valid_from),
                Some(valid_until),
            ) if errs.is_empty() => Ok(CatalogueInput {
                maker_id,
                edition: self.edition.clone(),
                product_name: self.product_name.clone(),
                field: self.field.clone(),
                unit_type,
                tier,
                qualification_year,
                valid_from,
                valid_until,
            }),
            _ => Err(ServiceError::Validation(errs)),
        }
    }
}

#[derive(Template)]
#[template(path = "catalogue_form.html")]
struct FormPage {
    c: Chrome,
    heading: String,
    action: String,
    version: i64,
    form: CatalogueForm,
    makers: Vec<(i64, String)>,
    unit_types: &'static [UnitType],
    tiers: &'static [Tier],
    errors: Vec<FieldError>,
}

async fn render_form(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    id: Option<i64>,
    form: CatalogueForm,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    let (heading, action) = match id {
        Some(id) => (c.lang.t("cat.edit").to_string(), format!("/catalogue/{id}")),
        None => (c.lang.t("cat.new").to_string(), "/catalogue".to_string()),
    };
    let invalid = !errors.is_empty();
    let mut resp = page(&FormPage {
        c,
        heading,
        action,
        version: form.version,
        makers: super::pickers::parties(
            st,
            &who.actor,
            Some("maker"),
            &super::pickers::chosen(&form.maker_id)
                .into_iter()
                .collect::<Vec<_>>(),
        )
        .await?,
        form,
        unit_types: UnitType::all(),
        tiers: Tier::all(),
        errors,
    })?;
    if invalid {
        *resp.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn new_form(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
) -> Result<HttpResponse, PageError> {
    who.actor
        .require(who.actor.role.manages_parties(), "edit the catalogue")?;
    let form = CatalogueForm {
        edition: "national-2024".into(),
        qualification_year: "2025".into(),
        unit_type: "complete_machine".into(),
        tier: "domestic".into(),
        ..CatalogueForm::default()
    };
    render_form(&req, &st, &who, None, form, vec![]).await
}

async fn create(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    f: web::Form<CatalogueForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let form = f.into_inner();
    let result = match form.to_input() {
        Ok(input) => catalogue::create(&st.ctx(), &who.actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other("/catalogue?saved=1")),
        Err(e) => render_form(&req, &st, &who, None, form, form_errors(e)?).await,
    }
}

async fn edit_form(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    who.actor
        .require(who.actor.role.manages_parties(), "edit the catalogue")?;
    let id = id.into_inner();
    let r = catalogue::get(&st.ctx(), &who.actor, id).await?;
    let form = CatalogueForm {
        csrf: String::new(),
        version: r.version,
        maker_id: r.maker_id.to_string(),
        edition: r.edition,
        product_name: r.product_name,
        field: r.field,
        unit_type: r.unit_type,
        tier: r.tier,
        qualification_year: r.qualification_year.to_string(),
        valid_from: r.valid_from.to_string(),
        valid_until: r.valid_until.to_string(),
    };
    render_form(&req, &st, &who, Some(id), form, vec![]).await
}

async fn update(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    f: web::Form<CatalogueForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let id = id.into_inner();
    let form = f.into_inner();
    let result = match form.to_input() {
        Ok(input) => catalogue::update(&st.ctx(), &who.actor, id, form.version, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other("/catalogue?saved=1")),
        Err(e) => render_form(&req, &st, &who, Some(id), form, form_errors(e)?).await,
    }
}
