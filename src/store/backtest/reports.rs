//! Stored backtest reports (回溯报告) and their delivery references.

use crate::dispatch;
use crate::store::seek::{self, Key, Order, Paged, Seek, Sql};
use crate::store::{now, StoreError, StoreResult, Tx};
use chrono::{DateTime, NaiveDate, Utc};

/// A report as listed (without its documents).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub report_id: i64,
    pub period_key: Option<String>,
    pub as_of: NaiveDate,
    pub basis: String,
    pub status: String,
    pub summary_json: String,
    pub http_outbox_id: Option<i64>,
    pub mail_outbox_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// What a new report stores.
pub struct NewReport<'a> {
    pub period_key: Option<&'a str>,
    pub as_of: NaiveDate,
    pub basis: &'a str,
    pub summary_json: &'a str,
    pub xml: &'a str,
    pub html: &'a str,
    pub pdf: &'a [u8],
    /// The figures the API serves (`services::backtest::view::StoredFigures`).
    pub figures_json: &'a str,
    pub created_by: Option<i64>,
}

const COLUMNS: &str = "report_id, period_key, as_of, basis, status, summary_json, \
    http_outbox_id, mail_outbox_id, created_by, created_at";

/// Insert a report; a second report for the same period is `Duplicate("period")`.
pub async fn insert(tx: &mut Tx, r: &NewReport<'_>) -> StoreResult<i64> {
    let at = now();
    dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into backtest_report (period_key, as_of, basis, status, summary_json, xml, \
             html, pdf, figures_json, created_by, created_at) values ($1, $2, $3, 'generated', \
             $4, $5, $6, $7, $8, $9, $10) returning report_id",
        )
        .bind(r.period_key)
        .bind(r.as_of)
        .bind(r.basis)
        .bind(r.summary_json)
        .bind(r.xml)
        .bind(r.html)
        .bind(r.pdf)
        .bind(r.figures_json)
        .bind(r.created_by)
        .bind(at)
        .fetch_one(c)
        .await
        .map_err(|e| StoreError::on_unique(e, "period"))
    })
}

/// Record the outbox rows that deliver the report.
pub async fn mark_queued(tx: &mut Tx, report_id: i64, http: i64, mail: i64) -> StoreResult<()> {
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update backtest_report set status = 'queued', http_outbox_id = $2, \
             mail_outbox_id = $3 where report_id = $1",
        )
        .bind(report_id)
        .bind(http)
        .bind(mail)
        .execute(c)
        .await?
        .rows_affected()
    });
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The report list's order: by when a report was stored (its id).
pub fn order(descending: bool) -> Order {
    Order::by_id("report_id", descending)
}

/// One page of reports with the (capped) total.
pub async fn list(tx: &mut Tx, seek: &Seek) -> StoreResult<Paged<ReportRow>> {
    let select = format!("select {COLUMNS} from backtest_report");
    let sql = seek::page_sql(&select, "from backtest_report", &Sql::default(), seek);
    seek::read(tx, &sql, seek, |r: &ReportRow| {
        (Key::Int(r.report_id), r.report_id)
    })
    .await
}

pub async fn get(tx: &mut Tx, report_id: i64) -> StoreResult<ReportRow> {
    let sql = format!("select {COLUMNS} from backtest_report where report_id = $1");
    dispatch!(tx, c => {
        sqlx::query_as::<_, ReportRow>(&sql)
            .bind(report_id)
            .fetch_optional(c)
            .await?
            .ok_or(StoreError::NotFound)
    })
}

/// The stored figures of a report; `None` for a report stored before they were kept
/// (migration 0010).
pub async fn figures(tx: &mut Tx, report_id: i64) -> StoreResult<Option<String>> {
    dispatch!(tx, c => {
        sqlx::query_scalar::<_, Option<String>>(
            "select figures_json from backtest_report where report_id = $1",
        )
        .bind(report_id)
        .fetch_optional(c)
        .await?
        .ok_or(StoreError::NotFound)
    })
}

/// Is a report for `period_key` already stored?
pub async fn period_exists(tx: &mut Tx, period_key: &str) -> StoreResult<bool> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>("select count(*) from backtest_report where period_key = $1")
            .bind(period_key)
            .fetch_one(c)
            .await? > 0
    }))
}

/// One of the stored documents.
#[derive(Debug, Clone, Copy)]
pub enum Document {
    Xml,
    Html,
    Pdf,
}

pub async fn document(tx: &mut Tx, report_id: i64, doc: Document) -> StoreResult<Vec<u8>> {
    let sql = match doc {
        Document::Xml => "select xml from backtest_report where report_id = $1",
        Document::Html => "select html from backtest_report where report_id = $1",
        Document::Pdf => "select pdf from backtest_report where report_id = $1",
    };
    match doc {
        Document::Pdf => dispatch!(tx, c => {
            sqlx::query_scalar::<_, Vec<u8>>(sql).bind(report_id).fetch_optional(c).await?
                .ok_or(StoreError::NotFound)
        }),
        _ => dispatch!(tx, c => {
            sqlx::query_scalar::<_, String>(sql).bind(report_id).fetch_optional(c).await?
                .map(String::into_bytes)
                .ok_or(StoreError::NotFound)
        }),
    }
}
