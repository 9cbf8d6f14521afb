//! The outbox page: what was mailed or sent to the regulator, receipts, dead letters.

use super::{page, see_other, shanghai_time, Chrome, PageError};
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
    counts: Vec<(String, i64)>,
    lines: Vec<Line>,
    can_requeue: bool,
}

#[derive(Debug, Deserialize)]
struct Filter {
    status: Option<String>,
}

async fn show(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<Filter>,
) -> Result<HttpResponse, PageError> {
    let status = q.status.clone().filter(|s| !s.is_empty());
    let rows = outbox::list(&st.db, &who.actor, status.as_deref(), Some(200), None).await?;
    let lines = rows
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
    page(&OutboxPage {
        c: Chrome::for_actor(&req, &who),
        status: status.unwrap_or_default(),
        counts: outbox::counts(&st.db).await?,
        lines,
        can_requeue: who.actor.role.manages_users(),
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
    outbox::requeue(&st.db, &who.actor, id.into_inner()).await?;
    Ok(see_other("/outbox?status=pending&saved=1"))
}
