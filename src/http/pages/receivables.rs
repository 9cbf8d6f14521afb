//! `/billing/receivables`: who owes what on a day (应收保费), aged per maker and policy,
//! with the CSV and XLSX exports.

use super::{page, Chrome, PageError, Pager};
use crate::domain::billing::ageing::Buckets;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::billing::{self, Receivables};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/billing/receivables", web::get().to(show))
        .route("/billing/receivables.csv", web::get().to(csv))
        .route("/billing/receivables.xlsx", web::get().to(xlsx));
}

/// One row of figures, formatted.
pub struct Figures {
    pub not_due: String,
    pub d30: String,
    pub d90: String,
    pub over: String,
    pub total: String,
}

fn figures(b: &Buckets) -> Figures {
    Figures {
        not_due: b.not_due.grouped(),
        d30: b.days_1_30.grouped(),
        d90: b.days_31_90.grouped(),
        over: b.over_90.grouped(),
        // Each bucket is bounded, so only a corrupt row could overflow: show it as unknown.
        total: b
            .total()
            .map(|t| t.grouped())
            .unwrap_or_else(|_| "—".into()),
    }
}

pub struct Row {
    pub id: i64,
    pub label: String,
    pub sub: String,
    pub f: Figures,
}

#[derive(Template)]
#[template(path = "receivables.html")]
struct ReceivablesPage {
    c: Chrome,
    as_of: String,
    makers: Vec<Row>,
    policies: Vec<Row>,
    totals: Figures,
    /// How many issued policies there are (the page shows 50 of them at a time).
    issued: String,
    pager: Pager,
}

fn as_of(q: &std::collections::HashMap<String, String>) -> NaiveDate {
    q.get("as_of")
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .unwrap_or_else(|| crate::clock::Clock::System.today())
}

async fn load(
    st: &AppState,
    who: &PageActor,
    q: &std::collections::HashMap<String, String>,
) -> Result<Receivables, PageError> {
    Ok(billing::receivables(&st.ctx(), &who.actor, as_of(q)).await?)
}

async fn show(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let as_of = as_of(&q);
    let r = billing::receivables_page(
        &st.ctx(),
        &who.actor,
        as_of,
        &billing::ReceivablesQuery {
            as_of: Some(as_of),
            maker_id: q.get("maker_id").and_then(|m| m.trim().parse().ok()),
            limit: Some(50),
            after: q.get("after").cloned(),
        },
    )
    .await?;
    let c = Chrome::for_actor(&req, &who);
    let base = super::listing::href(
        "/billing/receivables",
        &[
            ("as_of", &as_of.to_string()),
            ("maker_id", q.get("maker_id").map_or("", |s| s.as_str())),
        ],
    );
    let pager = Pager {
        prev: r.prev.as_deref().map(|c| format!("{base}&after={c}")),
        next: r.next.as_deref().map(|c| format!("{base}&after={c}")),
    };
    let issued = super::listing::total_text(&r.issued, &c);
    let policies_word = c.lang.pick("张保单", "policies").to_string();
    page(&ReceivablesPage {
        as_of: r.as_of.to_string(),
        makers: r
            .makers
            .iter()
            .map(|m| Row {
                id: m.maker_id,
                label: m.maker_name.clone(),
                sub: format!("{} {policies_word}", m.policies),
                f: figures(&m.buckets),
            })
            .collect(),
        policies: r
            .policies
            .iter()
            .map(|p| Row {
                id: p.policy_id,
                label: p.policy_number.clone(),
                sub: format!("{} · {}", p.maker_name, p.oldest_due),
                f: figures(&p.buckets),
            })
            .collect(),
        totals: figures(&r.totals),
        issued,
        pager,
        c,
    })
}

fn download(bytes: Vec<u8>, content_type: &str, name: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type.to_string())
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes)
}

async fn csv(
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let r = load(&st, &who, &q).await?;
    let bytes = billing::receivables_csv(&r)?;
    Ok(download(
        bytes,
        "text/csv; charset=utf-8",
        format!("receivables-{}.csv", r.as_of),
    ))
}

async fn xlsx(
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let r = load(&st, &who, &q).await?;
    let bytes = billing::receivables_xlsx(&r)?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("receivables-{}.xlsx", r.as_of),
    ))
}
