//! The annual report to a provincial regulator (Shanxi 004 第十八条 承保理赔情况年度报告):
//! the year's figures by maker and product, PDF and XLSX downloads, and the form that
//! queues it to the regulator through the outbox, with the reports queued before.

use super::{page, see_other, Chrome, PageError};
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::annual_report::{self as report, AnnualReport, Figures, QueuedReport};
use crate::services::{FieldError, ServiceError};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/reports/annual", web::get().to(first))
        .route("/reports/annual/{scheme}", web::get().to(show))
        .route(
            "/reports/annual/{scheme}/{year}/queue",
            web::post().to(queue),
        )
        .route(
            "/reports/annual/{scheme}/{year}/report.{ext}",
            web::get().to(download),
        );
}

#[derive(Template)]
#[template(path = "annual_report.html")]
struct ReportPage {
    c: Chrome,
    r: AnnualReport,
    /// A programme of the scheme, for its label.
    programme: String,
    queued: Vec<QueuedReport>,
    total_queued: String,
    can_send: bool,
    errors: Vec<FieldError>,
}

impl ReportPage {
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        super::shanghai_time(*t)
    }

    fn money(&self, f: &Figures, which: &str) -> String {
        match which {
            "written" => f.written.grouped(),
            "collected" => f.collected.grouped(),
            "paid" => f.paid.grouped(),
            _ => f.outstanding.grouped(),
        }
    }

    fn note(&self, i: &usize) -> String {
        let (zh, en) = report::NOTES[*i];
        self.c.lang.pick(zh, en).to_string()
    }

    fn note_count(&self) -> Vec<usize> {
        (0..report::NOTES.len()).collect()
    }
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

async fn render(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    scheme: &str,
    year: i32,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let ctx = st.ctx();
    let r = report::build(&ctx, &who.actor, scheme, year).await?;
    // The newest 20 queued, with the count of all (the API pages through the rest).
    let listed = report::list(&ctx, &who.actor, scheme, Some(20), None).await?;
    let total_queued = super::listing::total_text(&listed.total, &Chrome::for_actor(req, who));
    let queued = listed.rows;
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::CONFLICT
    };
    let mut resp = page(&ReportPage {
        c: Chrome::for_actor(req, who),
        programme: r.programme_ids.first().cloned().unwrap_or_default(),
        r,
        queued,
        total_queued,
        can_send: report::may_send(who.actor.role),
        errors,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

async fn show(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    scheme: web::Path<String>,
    q: web::Query<YearQuery>,
) -> Result<HttpResponse, PageError> {
    let year = q.year.unwrap_or_else(|| st.clock.today().year());
    render(&req, &st, &who, &scheme, year, Vec::new()).await
}

/// The first scheme that owes an annual report (Shanxi's, with the shipped files).
async fn first(st: web::Data<AppState>, who: PageActor) -> Result<HttpResponse, PageError> {
    who.actor
        .require(report::may_read(who.actor.role), "read the annual report")?;
    match report::schemes(&st.ctx()).first() {
        Some((scheme, _)) => Ok(see_other(&format!("/reports/annual/{scheme}"))),
        None => Err(ServiceError::NotFound("annual report").into()),
    }
}

#[derive(Deserialize)]
pub struct QueueForm {
    csrf: String,
}

async fn queue(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    path: web::Path<(String, i32)>,
    f: web::Form<QueueForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let (scheme, year) = path.into_inner();
    match report::queue(&st.ctx(), &who.actor, &scheme, year).await {
        Ok(_) => Ok(see_other(&format!(
            "/reports/annual/{scheme}?year={year}&done=queued"
        ))),
        Err(ServiceError::Conflict(why)) => {
            let e = FieldError::worded("year", why);
            render(&req, &st, &who, &scheme, year, vec![e]).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn download(
    st: web::Data<AppState>,
    who: PageActor,
    path: web::Path<(String, i32, String)>,
) -> Result<HttpResponse, PageError> {
    let (scheme, year, ext) = path.into_inner();
    let ctx = st.ctx();
    let r = report::build(&ctx, &who.actor, &scheme, year).await?;
    let (bytes, content_type) = match ext.as_str() {
        "pdf" => (report::pdf(&ctx, &r)?, "application/pdf"),
        "xlsx" => (
            report::xlsx(&r)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => return Err(ServiceError::NotFound("report format").into()),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"annual-report-{scheme}-{year}.{ext}\""),
        ))
        .body(bytes))
}
