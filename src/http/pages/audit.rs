//! The audit log page (administrators and auditors).

use super::{page, Chrome, HistoryLine, PageError};
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::audit;
use crate::store::audit::ChainReport;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(show));
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    chain_ok: bool,
    chain_text: String,
    rows: Vec<HistoryLine>,
}

async fn show(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    // Verify first: it seals what is waiting, so the rows below show their chain numbers.
    let (chain_ok, chain_text) = match audit::verify(&st.db).await? {
        ChainReport::Intact {
            rows,
            last_hash,
            waiting,
        } => (
            true,
            format!(
                "{}：{rows} · {}{}",
                c.lang.t("dash.audit_ok"),
                &last_hash[..16.min(last_hash.len())],
                if waiting > 0 {
                    format!(
                        " · {waiting} {}",
                        c.lang.pick("条待封存", "waiting to be sealed")
                    )
                } else {
                    String::new()
                }
            ),
        ),
        ChainReport::Broken { at_seq, reason } => (
            false,
            format!("{} #{at_seq}: {reason}", c.lang.t("dash.audit_broken")),
        ),
    };
    let rows = audit::latest(&st.db, &who.actor, 200).await?;
    page(&AuditPage {
        c,
        chain_ok,
        chain_text,
        rows: rows.iter().map(HistoryLine::from).collect(),
    })
}
