//! Rate backtesting for the regulator (费率回溯): the data step in the database, the
//! chain-ladder / Mack fit and rate indication per group, the report in XML (validated
//! against the published schema), HTML and PDF, stored and — on the schedule — queued
//! for delivery.

pub mod config;
pub mod delivery;
pub mod html;
pub mod pdf;
pub mod report;
pub mod schedule;
pub mod stored;
pub mod summary;
pub mod view;
pub mod xml;
pub mod xsd;

use crate::config::Config;
use crate::domain::backtest::dataset::{arrange, Dataset, LossInput, PremiumInput};
use crate::domain::backtest::SigmaRule;
use crate::domain::money::Money;
use crate::services::Ctx;
use crate::services::{Actor, FieldError, ServiceError, ServiceResult};
use crate::store::audit::{append, AuditEntry};
use crate::store::backtest::losses::LossCell;
use crate::store::backtest::premium::PremiumCell;
use crate::store::backtest::reports::{self, NewReport, ReportRow};
use crate::store::backtest::{losses, premium, Basis, SegmentKey};
use chrono::{Datelike, NaiveDate};
use report::{group_reports, BacktestReport, Level};
use serde_json::json;

/// Who may run and read backtests.
pub fn require_actuary(actor: &Actor, what: &'static str) -> ServiceResult<()> {
    actor.require(actor.role.runs_backtests(), what)
}

/// The three renderings of one report; the XML has passed the schema.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub report: BacktestReport,
    pub xml: String,
    pub html: String,
    pub pdf: Vec<u8>,
}

/// The cells of the data step, as read from the database.
pub struct Cells {
    pub premium: Vec<PremiumCell>,
    pub losses: Vec<LossCell>,
}

/// The data step alone: aggregate premium and losses in the database as of `as_of`.
#[tracing::instrument(skip_all)]
pub async fn data_step(ctx: &Ctx<'_>, as_of: NaiveDate, basis: Basis) -> ServiceResult<Cells> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    let premium = premium::cells(&mut tx, as_of, basis).await?;
    let losses = losses::cells(&mut tx, as_of, basis).await?;
    tx.commit().await?;
    Ok(Cells { premium, losses })
}

fn segment_label(k: &SegmentKey) -> String {
    let programme = if k.programme.is_empty() {
        "-"
    } else {
        &k.programme
    };
    format!(
        "{}|{}|{}|{}|{}",
        k.line, k.field, k.cover_basis, programme, k.region
    )
}

/// Arrange the cells at one level: every segment, per line, or the whole book.
pub fn arrange_level(
    cells: &Cells,
    level: Level,
    valuation_year: i32,
) -> Result<Dataset, crate::domain::money::Overflow> {
    let name = |k: &SegmentKey| match level {
        Level::Total => "all".to_string(),
        Level::Line => k.line.clone(),
        Level::Segment => segment_label(k),
    };
    let premium: Vec<PremiumInput> = cells
        .premium
        .iter()
        .map(|c| PremiumInput {
            group: name(&c.key),
            origin: c.origin,
            written: Money::from_fen(c.written),
            earned: Money::from_fen(c.earned),
            policies: u64::try_from(c.policies).unwrap_or(0),
        })
        .collect();
    let losses: Vec<LossInput> = cells
        .losses
        .iter()
        .map(|c| LossInput {
            group: name(&c.key),
            origin: c.origin,
            calendar_year: c.calendar_year,
            paid: Money::from_fen(c.paid),
            reserve_change: Money::from_fen(c.reserve_change),
            reported: u64::try_from(c.reported).unwrap_or(0),
        })
        .collect();
    arrange(&premium, &losses, valuation_year)
}

/// Fit and indicate every group: the report as values.
pub fn build_report(
    config: &Config,
    cells: &Cells,
    as_of: NaiveDate,
    basis: Basis,
    period_key: Option<&str>,
) -> Result<BacktestReport, crate::domain::money::Overflow> {
    let year = as_of.year();
    let (total, lines, segments) = (
        arrange_level(cells, Level::Total, year)?,
        arrange_level(cells, Level::Line, year)?,
        arrange_level(cells, Level::Segment, year)?,
    );
    let targets = config.backtest.targets();
    let tail = config.backtest.tail();
    let groups = group_reports(
        [
            (Level::Total, &total),
            (Level::Line, &lines),
            (Level::Segment, &segments),
        ],
        &targets,
        tail,
    )?;
    Ok(BacktestReport {
        insurer: format!("{}{}", config.insurer.name, config.insurer.branch),
        institution_code: config.regulator.institution_code.clone(),
        period_key: period_key.map(str::to_string),
        as_of,
        basis: basis.as_str().to_string(),
        origin_years: total.origin_years.clone(),
        targets,
        tail_factor: tail.unwrap_or(1.0),
        method: format!(
            "Volume-weighted chain ladder on cumulative incurred (paid + case reserves), yearly \
             development; Mack (1993) standard errors, {}; loss-ratio method with classical \
             credibility Z = min(1, sqrt(n / n_full)). Earned premium pro rata by day, \
             endorsements and cancellations included. Amounts in CNY.",
            SigmaRule::Mack1993.describe()
        ),
        groups,
    })
}

/// XML (validated), HTML and PDF of a report.
pub fn render(config: &Config, report: BacktestReport) -> ServiceResult<Rendered> {
    let xml =
        xml::write(&report).map_err(|e| ServiceError::internal_from("write the report XML", e))?;
    xml::validate(&xml).map_err(|e| ServiceError::internal_from("write the report XML", e))?;
    let html = html::render(&report)
        .map_err(|e| ServiceError::internal_from("write the report XML", e))?;
    let pdf = pdf::render(config, &report)?;
    Ok(Rendered {
        report,
        xml,
        html,
        pdf,
    })
}

/// Data step, fit, render: a report that is not stored (the CLI's `--out` and tests).
#[tracing::instrument(skip_all)]
pub async fn produce(
    ctx: &Ctx<'_>,
    as_of: NaiveDate,
    basis: Basis,
    period_key: Option<&str>,
) -> ServiceResult<Rendered> {
    let config = ctx.config;
    let cells = data_step(ctx, as_of, basis).await?;
    if cells.premium.is_empty() {
        // Nothing written on or before the date: an empty report is not a backtest
        // (and has no group the schema can accept), so say which field to change.
        return Err(ServiceError::Validation(vec![FieldError::new(
            "as_of",
            format!(
                "no policy premium is booked on or before {as_of}: choose a later valuation date"
            ),
            format!("评估日 {as_of} 及之前没有任何保单保费数据，请选择更晚的评估日"),
        )]));
    }
    let report = build_report(config, &cells, as_of, basis, period_key)?;
    if report.groups.is_empty() {
        // The report schema needs at least one group: an empty book is the caller's
        // mistake of date, not a server error (found by the route-contract test).
        return Err(ServiceError::field(
            "as_of",
            "there is no business to back-test as of this date",
            "该评估日前没有可回溯的业务",
        ));
    }
    render(config, report)
}

/// Produce and store a report; audited. A second report for the same period is refused.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn generate(
    ctx: &Ctx<'_>,
    actor: &Actor,
    as_of: NaiveDate,
    basis: Basis,
    period_key: Option<&str>,
) -> ServiceResult<(i64, Rendered)> {
    let db = ctx.db;
    require_actuary(actor, "run rate backtests")?;
    let rendered = produce(ctx, as_of, basis, period_key).await?;
    let mut tx = db.write().await?;
    let id = store_rendered(&mut tx, actor, &rendered, basis, period_key).await?;
    tx.commit().await?;
    Ok((id, rendered))
}

/// Insert the report row and its audit row in `tx`.
pub async fn store_rendered(
    tx: &mut crate::store::Tx,
    actor: &Actor,
    r: &Rendered,
    basis: Basis,
    period_key: Option<&str>,
) -> ServiceResult<i64> {
    let summary = summary(&r.report);
    let summary_json = serde_json::to_string(&summary)
        .map_err(|e| ServiceError::internal_from("serialise a record to JSON", e))?;
    let figures_json = serde_json::to_string(&view::StoredFigures::from(&r.report))
        .map_err(|e| ServiceError::internal_from("serialise a record to JSON", e))?;
    let id = reports::insert(
        tx,
        &NewReport {
            period_key,
            as_of: r.report.as_of,
            basis: basis.as_str(),
            summary_json: &summary_json,
            xml: &r.xml,
            html: &r.html,
            pdf: &r.pdf,
            figures_json: &figures_json,
            created_by: (actor.user_id != 0).then_some(actor.user_id),
        },
    )
    .await?;
    append(
        tx,
        &actor.audit(),
        AuditEntry {
            action: "backtest.generate",
            entity_type: "backtest_report",
            entity_id: id.to_string(),
            before: None,
            after: Some(summary),
        },
    )
    .await?;
    Ok(id)
}

/// What the list shows and the audit row records.
pub fn summary(r: &BacktestReport) -> serde_json::Value {
    let total = r.total();
    json!({
        "period": r.period_key,
        "as_of": r.as_of,
        "basis": r.basis,
        "groups": r.groups.len(),
        "earned_premium": total.map(|t| t.totals.earned),
        "ultimate": total.and_then(|t| t.totals.ultimate),
        "loss_ratio": total.and_then(|t| t.indication.as_ref().map(|i| i.loss_ratio)),
        "combined_ratio": total.and_then(|t| t.indication.as_ref().map(|i| i.combined_ratio)),
        "decision": total.and_then(|t| t.indication.as_ref().map(|i| i.decision)),
        "conclusion_en": total.and_then(|t| t.indication.as_ref().map(|i| &i.conclusion_en)),
        "conclusion_zh": total.and_then(|t| t.indication.as_ref().map(|i| &i.conclusion_zh)),
    })
}

/// Stored reports, newest first (read through [`stored::items`] / [`stored::listed`]).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub(crate) async fn list(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &crate::services::SeekQuery,
) -> ServiceResult<crate::paging::Paged<ReportRow>> {
    require_actuary(actor, "read rate backtests")?;
    let seek = q.seek(reports::order, true);
    let mut tx = ctx.db.read().await?;
    let page = reports::list(&mut tx, &seek).await?;
    tx.commit().await?;
    Ok(page)
}

/// Which stored document of a report: the XML sent to the regulator, the HTML or the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportDocument {
    Xml,
    Html,
    Pdf,
}

impl ReportDocument {
    /// By its file extension (`xml`, `html`, `pdf`).
    pub fn parse(ext: &str) -> Option<ReportDocument> {
        match ext {
            "xml" => Some(ReportDocument::Xml),
            "html" => Some(ReportDocument::Html),
            "pdf" => Some(ReportDocument::Pdf),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ReportDocument::Xml => "application/xml; charset=utf-8",
            ReportDocument::Html => "text/html; charset=utf-8",
            ReportDocument::Pdf => "application/pdf",
        }
    }
}

/// One stored document of a report.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn document(
    ctx: &Ctx<'_>,
    actor: &Actor,
    report_id: i64,
    doc: ReportDocument,
) -> ServiceResult<Vec<u8>> {
    let db = ctx.db;
    require_actuary(actor, "read rate backtests")?;
    let doc = match doc {
        ReportDocument::Xml => reports::Document::Xml,
        ReportDocument::Html => reports::Document::Html,
        ReportDocument::Pdf => reports::Document::Pdf,
    };
    let mut tx = db.read().await?;
    let bytes = reports::document(&mut tx, report_id, doc)
        .await
        .map_err(|e| match e {
            crate::store::StoreError::NotFound => ServiceError::NotFound("backtest report"),
            other => other.into(),
        })?;
    tx.commit().await?;
    Ok(bytes)
}
