//! Import of the subsidy granted per policy year (已获补贴导入): upload a CSV or XLSX
//! file; every row is recorded as a `subsidy_granted` fact, or — if any row is bad —
//! none is and the page lists every bad row with its line and column.

use super::{page, Chrome, PageError};
use crate::domain::subsidy::facts::FactKind;
use crate::http::identity::PageActor;
use crate::http::multipart::{self, Limits};
use crate::http::AppState;
use crate::services::subsidy_grants::{self as grants, GrantImport, COLUMNS};
use crate::services::{FieldError, ServiceError};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/subsidy-grants/import", web::get().to(show))
        .route("/subsidy-grants/import", web::post().to(upload))
        .route("/subsidy-grants/template.csv", web::get().to(template));
}

#[derive(Template)]
#[template(path = "subsidy_grants.html")]
struct ImportPage {
    c: Chrome,
    /// (Chinese heading, English heading) of each column.
    columns: Vec<(&'static str, &'static str)>,
    done: Option<GrantImport>,
    errors: Vec<FieldError>,
}

impl ImportPage {
    fn grant(&self, v: &crate::services::subsidy_facts::FactView) -> String {
        self.c.lang.pick(&v.value_zh, &v.value_en).to_string()
    }
}

fn columns() -> Vec<(&'static str, &'static str)> {
    COLUMNS.iter().map(|(_, zh, en)| (*zh, *en)).collect()
}

fn allowed(who: &PageActor) -> Result<(), ServiceError> {
    who.actor.require(
        FactKind::SubsidyGranted.may_record(who.actor.role),
        "record subsidy grants",
    )
}

async fn show(req: HttpRequest, who: PageActor) -> Result<HttpResponse, PageError> {
    allowed(&who)?;
    page(&ImportPage {
        c: Chrome::for_actor(&req, &who),
        columns: columns(),
        done: None,
        errors: Vec::new(),
    })
}

async fn template(who: PageActor) -> Result<HttpResponse, PageError> {
    allowed(&who)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"subsidy-grants.csv\"",
        ))
        .body(grants::template_csv()))
}

async fn upload(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    allowed(&who)?;
    let limits = Limits {
        per_file: 4 << 20,
        total: 5 << 20,
        max_files: 1,
    };
    let c = Chrome::for_actor(&req, &who);
    let form = match multipart::read(&req, payload, limits).await {
        Ok(f) => f,
        Err(e) => {
            let err = FieldError::new("file", e.to_string(), e.zh());
            return answer(c, None, vec![err]);
        }
    };
    who.check_csrf(form.get("csrf"))?;
    let Some(file) = form.files.first() else {
        let err = FieldError::new(
            "file",
            "choose a CSV or XLSX file",
            "请选择 CSV 或 XLSX 文件",
        );
        return answer(c, None, vec![err]);
    };
    match grants::import(
        &st.ctx(),
        &who.actor,
        &st.library,
        &file.filename,
        &file.bytes,
    )
    .await
    {
        Ok(mut done) => {
            crate::services::subsidy_facts::name_schemes(&st.library, &mut done.recorded);
            answer(c, Some(done), Vec::new())
        }
        Err(ServiceError::Validation(errors)) => answer(c, None, errors),
        Err(e) => Err(e.into()),
    }
}

fn answer(
    c: Chrome,
    done: Option<GrantImport>,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = page(&ImportPage {
        c,
        columns: columns(),
        done,
        errors,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}
