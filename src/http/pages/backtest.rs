//! The actuary's backtest page (费率回溯): run a report as of a date, list stored reports
//! with their delivery state, and download each in HTML, PDF and XML.

use super::{listing, page, see_other, Chrome, PageError, Pager};
use crate::http::i18n::Lang;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::backtest::view::RunInput;
use crate::services::backtest::ReportDocument;
use crate::services::backtest::{self, require_actuary};
use crate::services::SeekQuery;
use crate::services::{FieldError, ServiceError};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/backtest", web::get().to(show))
        .route("/backtest", web::post().to(run))
        .route("/backtest/{id}/report.{ext}", web::get().to(download));
}

/// A stored report as listed.
pub struct ReportLine {
    pub id: i64,
    pub period: String,
    pub as_of: String,
    pub basis: String,
    pub status: String,
    pub created: String,
    pub loss_ratio: String,
    pub combined_ratio: String,
    pub decision: String,
    /// The whole book's conclusion in the page's language.
    pub conclusion: String,
    pub delivery: String,
}

#[derive(Template)]
#[template(path = "backtest.html")]
struct BacktestPage {
    c: Chrome,
    reports: Vec<ReportLine>,
    /// How many reports are stored, and links to older and newer ones.
    total: String,
    pager: Pager,
    as_of: String,
    basis: String,
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
pub struct RunForm {
    csrf: String,
    as_of: String,
    basis: String,
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// The page's reports (50 at a time from `after`), their count and the page links.
async fn lines(
    st: &AppState,
    who: &PageActor,
    c: &Chrome,
    after: Option<String>,
) -> Result<(Vec<ReportLine>, String, Pager), PageError> {
    let lang = c.lang;
    let q = SeekQuery {
        after,
        ..SeekQuery::default()
    };
    let paged = backtest::stored::listed(&st.ctx(), &who.actor, &q).await?;
    let total = listing::total_text(&paged.total, c);
    let pager = Pager::keyset("/backtest", &paged);
    let lines = paged
        .rows
        .into_iter()
        .map(|(r, delivery)| ReportLine {
            id: r.report_id,
            period: r.period_key.unwrap_or_else(|| "—".into()),
            as_of: r.as_of.to_string(),
            basis: r.basis,
            status: r.status,
            created: super::shanghai_time(r.created_at),
            loss_ratio: pct(r.loss_ratio),
            combined_ratio: pct(r.combined_ratio),
            decision: r.decision.unwrap_or_else(|| "—".into()),
            conclusion: match lang {
                Lang::Zh => r.conclusion_zh,
                Lang::En => r.conclusion_en,
            }
            .unwrap_or_default(),
            delivery,
        })
        .collect();
    Ok((lines, total, pager))
}

/// The list's page, as its links carry it.
#[derive(Debug, Default, Deserialize)]
pub struct ListPage {
    after: Option<String>,
}

async fn show(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<ListPage>,
) -> Result<HttpResponse, PageError> {
    require_actuary(&who.actor, "read rate backtests")?;
    let c = Chrome::for_actor(&req, &who);
    let (reports, total, pager) = lines(&st, &who, &c, q.into_inner().after).await?;
    page(&BacktestPage {
        c,
        reports,
        total,
        pager,
        as_of: st.clock.today().to_string(),
        basis: "underwriting_year".into(),
        errors: Vec::new(),
    })
}

async fn run(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    f: web::Form<RunForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    require_actuary(&who.actor, "run rate backtests")?;
    let input = RunInput {
        as_of: f.as_of.clone(),
        basis: Some(f.basis.clone()),
    };
    let errors = match input.parse(st.clock.today()) {
        Ok((as_of, basis)) => {
            match backtest::generate(&st.ctx(), &who.actor, as_of, basis, None).await {
                Ok(_) => return Ok(see_other("/backtest?done=backtest")),
                Err(ServiceError::Validation(fields)) => fields,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::Validation(fields)) => fields,
        Err(e) => return Err(e.into()),
    };
    let c = Chrome::for_actor(&req, &who);
    let (reports, total, pager) = lines(&st, &who, &c, None).await?;
    let mut resp = page(&BacktestPage {
        c,
        reports,
        total,
        pager,
        as_of: f.as_of.clone(),
        basis: f.basis.clone(),
        errors,
    })?;
    *resp.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

async fn download(
    st: web::Data<AppState>,
    who: PageActor,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, ext) = path.into_inner();
    let doc = ReportDocument::parse(&ext).ok_or(ServiceError::NotFound("report format"))?;
    let content_type = doc.content_type();
    let bytes = backtest::document(&st.ctx(), &who.actor, id, doc).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"backtest-{id}.{ext}\""),
        ))
        .insert_header(("Content-Security-Policy", REPORT_CSP))
        .body(bytes))
}

/// The stored report is a self-contained document (mailed to the regulator) whose style
/// is inline; it runs no script and loads nothing.
pub const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
    frame-ancestors 'none'";
