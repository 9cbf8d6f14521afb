//! The outbox page: what was mailed or sent to the regulator, receipts, dead letters.

use super::listing::{self, Sorter};
use super::{page, see_other, shanghai_time, Chrome, PageError, Pager};
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::outbox;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/outbox", web::get().to(show))
        .route("/outbox/{id}/requeue", web::post().to(requeue));
}

/// One delivery, ready to show.
struct Line {
    id: i64,
    kind: String,
    key: String,
    status: String,
    attempts: i32,
    created: String,
    next: String,
    receipt: String,
    error: String,
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    c: Chrome,
    status: String,
    kind: String,
    counts: Vec<(String, String)>,
    lines: Vec<Line>,
    can_requeue: bool,
    total: String,
    sorter: Sorter,
    pager: Pager,
}

/// The page's query (it may carry more, such as `saved`).
#[derive(Debug, Deserialize)]
struct Filter {
    status: Option<String>,
    kind: Option<String>,
    order: Option<String>,
    after: Option<String>,
}

async fn show(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<Filter>,
) -> Result<HttpResponse, PageError> {
    let f = q.into_inner();
    let q = outbox::OutboxListQuery {
        status: f.status,
        kind: f.kind,
        order: f.order,
        limit: None,
        after: f.after,
    };
    let status = q.status.clone().unwrap_or_default();
    let kind = q.kind.clone().unwrap_or_default();
    let paged = outbox::list(&st.ctx(), &who.actor, &q).await?;
    let c = Chrome::for_actor(&req, &who);
    let sorter = Sorter {
        base: listing::href("/outbox", &[("status", &status), ("kind", &kind)]),
        sort: "created".into(),
        descending: q.order.as_deref() != Some("asc"),
    };
    let total = listing::total_text(&paged.total, &c);
    let pager = Pager::keyset(&sorter.current(), &paged);
    let lines = paged
        .rows
        .into_iter()
        .map(|r| Line {
            id: r.outbox_id,
            kind: r.kind,
            key: r.dedupe_key,
            status: r.status,
            attempts: r.attempts,
            created: shanghai_time(r.created_at),
            next: shanghai_time(r.next_attempt_at),
            receipt: match (r.receipt_status, r.receipt_body) {
                (Some(s), Some(b)) => format!("{s} {b}"),
                (Some(s), None) => s.to_string(),
                _ => String::new(),
            },
            error: r.last_error.unwrap_or_default(),
        })
        .collect();
    let counts = outbox::counts(&st.ctx())
        .await?
        .into_iter()
        .map(|(s, n)| (s, listing::total_in(&n, c.lang)))
        .collect();
    page(&OutboxPage {
        c,
        status,
        kind,
        counts,
        lines,
        can_requeue: who.actor.role.manages_users(),
        total,
        sorter,
        pager,
    })
}

#[derive(Debug, Deserialize)]
struct CsrfOnly {
    csrf: String,
}

async fn requeue(
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    f: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    outbox::requeue(&st.ctx(), &who.actor, id.into_inner()).await?;
    Ok(see_other("/outbox?status=pending&saved=1"))
}
