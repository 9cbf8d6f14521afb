//! The audit log page (administrators and auditors): filtered by actor, record, action
//! and date range, a page at a time, exported as CSV; the chain's state is the
//! sealer's verified checkpoint (no page walks the whole log).

use super::listing;
use super::quote_form::RawForm;
use super::{page, shanghai_time, Chrome, HistoryLine, PageError, Pager};
use crate::http::i18n::Lang;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::audit::{self, AuditEntryView, AuditQuery, CheckpointView};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(show))
        .route("/audit.csv", web::get().to(export));
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    chain_ok: bool,
    chain_text: String,
    rows: Vec<HistoryLine>,
    f: RawForm,
    total: String,
    pager: Pager,
    export: String,
}

/// The filter form, as typed.
#[derive(Debug, Deserialize, Default)]
struct FilterForm {
    actor: Option<String>,
    entity_type: Option<String>,
    entity_id: Option<String>,
    action: Option<String>,
    /// Beijing dates, inclusive.
    from: Option<String>,
    to: Option<String>,
    after: Option<String>,
}

/// Midnight of a Beijing date, as a UTC instant.
fn beijing_midnight(d: NaiveDate) -> Option<DateTime<Utc>> {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc() - chrono::Duration::hours(8))
}

impl FilterForm {
    fn text(v: &Option<String>) -> Option<String> {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    fn date(v: &Option<String>) -> Option<NaiveDate> {
        v.as_deref().and_then(|d| d.trim().parse().ok())
    }

    fn filter(&self) -> AuditQuery {
        AuditQuery {
            actor: Self::text(&self.actor),
            entity_type: Self::text(&self.entity_type),
            entity_id: Self::text(&self.entity_id),
            action: Self::text(&self.action),
            from: Self::date(&self.from).and_then(beijing_midnight),
            until: Self::date(&self.to)
                .and_then(|d| d.succ_opt())
                .and_then(beijing_midnight),
        }
    }

    fn fields(&self) -> RawForm {
        RawForm(
            [
                ("actor", &self.actor),
                ("entity_type", &self.entity_type),
                ("entity_id", &self.entity_id),
                ("action", &self.action),
                ("from", &self.from),
                ("to", &self.to),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_deref().unwrap_or_default().to_string()))
            .collect(),
        )
    }
}

/// The chain's state as the checkpoint has it.
fn chain_text(cp: Option<&CheckpointView>, waiting: i64, lang: Lang) -> (bool, String) {
    let waiting = if waiting > 0 {
        format!(
            " · {waiting} {}",
            lang.pick("条待封存", "waiting to be sealed")
        )
    } else {
        String::new()
    };
    match cp {
        None => (
            true,
            format!(
                "{}{waiting}",
                lang.pick(
                    "审计链尚未核验",
                    "The audit chain has not been verified yet"
                )
            ),
        ),
        Some(cp) => match (cp.broken_at, &cp.reason) {
            (Some(at), reason) => (
                false,
                format!(
                    "{} #{at}: {}",
                    lang.t("dash.audit_broken"),
                    reason.as_deref().unwrap_or_default()
                ),
            ),
            (None, _) => (
                true,
                format!(
                    "{}：{} {} · {} {}{waiting}",
                    lang.t("dash.audit_ok"),
                    lang.pick("已核验至第", "verified up to row"),
                    cp.seq,
                    lang.pick("核验时间", "checked at"),
                    shanghai_time(cp.verified_at),
                ),
            ),
        },
    }
}

async fn show(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<FilterForm>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let q = q.into_inner();
    let (waiting_rows, paged) =
        audit::search(&st.ctx(), &who.actor, &q.filter(), q.after.as_deref(), 100).await?;
    let (cp, waiting) = audit::status(&st.ctx()).await?;
    let (chain_ok, chain_text) = chain_text(cp.as_ref(), waiting, c.lang);
    let f = q.fields();
    let params: Vec<(&str, &str)> = f.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let base = listing::href("/audit", &params);
    let rows = waiting_rows
        .iter()
        .chain(paged.rows.iter())
        .map(HistoryLine::from)
        .collect();
    page(&AuditPage {
        chain_ok,
        chain_text,
        rows,
        total: listing::total_text(&paged.total, &c),
        pager: Pager::keyset(&base, &paged),
        export: listing::href("/audit.csv", &params),
        f,
        c,
    })
}

/// One exported row: every cell neutralised against formulas and quoted where needed
/// (`documents::cells`, the one CSV writer of the product).
fn csv_line(r: &AuditEntryView) -> Result<String, csv::Error> {
    crate::documents::cells::csv_line([
        r.seq.map(|s| s.to_string()).unwrap_or_default(),
        shanghai_time(r.occurred_at),
        r.actor_name.clone(),
        r.action.clone(),
        r.entity_type.clone(),
        r.entity_id.clone(),
        r.before_json.clone().unwrap_or_default(),
        r.after_json.clone().unwrap_or_default(),
        r.hash.clone().unwrap_or_default(),
    ])
}

/// The rows of one read as CSV text.
fn csv_text(rows: &[AuditEntryView]) -> Result<String, actix_web::Error> {
    rows.iter()
        .map(csv_line)
        .collect::<Result<String, _>>()
        .map_err(actix_web::error::ErrorInternalServerError)
}

/// Rows per read of the export: memory stays at one chunk however long the log.
const EXPORT_CHUNK: i64 = 1000;
/// The most not-yet-chained entries one export carries (the sealer chains every half
/// second, so in practice a handful).
const WAITING_BOUND: i64 = 100_000;

/// The filtered log as CSV (UTF-8 with BOM), newest first, every matching sealed row:
/// read a chunk at a time by keyset and streamed, so it is never cut short and stops
/// reading when the client goes away (the stream is dropped).
async fn export(
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<FilterForm>,
) -> Result<HttpResponse, PageError> {
    who.actor
        .require(who.actor.role.reads_audit(), "read the audit log")?;
    let filter = q.into_inner().filter();
    let shared = st.services();
    let actor = who.actor.clone();
    let header = format!(
        "\u{feff}{}\r\n",
        [
            "序号 seq",
            "时间(北京) time",
            "操作人 actor",
            "操作 action",
            "对象类型 record type",
            "对象编号 record id",
            "变更前 before",
            "变更后 after",
            "哈希 hash"
        ]
        .join(",")
    );
    let start = Some((None::<String>, Some(header)));
    let body = futures_util::stream::unfold(start, move |state| {
        let shared = shared.clone();
        let filter = filter.clone();
        let actor = actor.clone();
        async move {
            let ctx = shared.ctx();
            let (cursor, header) = state?;
            if let Some(h) = header {
                // First the entries the sealer has not chained yet (normally a moment's
                // worth; the page shows them too), then the chained log a chunk at a time.
                // An entry sealed while the export runs may appear twice, never not at all.
                let waiting = audit::export_waiting(&ctx, &actor, &filter, WAITING_BOUND);
                return match waiting.await {
                    Ok(rows) => match csv_text(&rows) {
                        Ok(text) => Some((Ok(web::Bytes::from(h + &text)), Some((cursor, None)))),
                        Err(e) => Some((Err(e), None)),
                    },
                    Err(e) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
                };
            }
            let read = audit::export_chunk(&ctx, &actor, &filter, cursor.as_deref(), EXPORT_CHUNK);
            match read.await {
                Err(e) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
                Ok(p) if p.rows.is_empty() => None,
                Ok(p) => {
                    let text = match csv_text(&p.rows) {
                        Ok(t) => t,
                        Err(e) => return Some((Err(e), None)),
                    };
                    let state = p.next.map(|n| (Some(n), None));
                    Some((Ok(web::Bytes::from(text)), state))
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"audit.csv\"",
        ))
        .streaming(body))
}

#[cfg(test)]
mod tests {
    /// One cell as the export writes it.
    fn csv_cell(s: &str) -> String {
        let line = crate::documents::cells::csv_line([s]).expect("in memory");
        line.strip_suffix("\r\n").unwrap_or(&line).to_string()
    }

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_neutralised() {
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-1+2"), "'-1+2");
        assert_eq!(csv_cell("-1"), "-1", "a plain number stays a number");
        assert_eq!(csv_cell("@cmd"), "'@cmd");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        assert_eq!(csv_cell("中恒, \"重工\""), "\"中恒, \"\"重工\"\"\"");
        assert_eq!(csv_cell("policy.issue"), "policy.issue");
    }
}
