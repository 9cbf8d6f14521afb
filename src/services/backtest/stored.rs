//! Stored reports as the JSON API reads and runs them: the list with each report's
//! headline, one report's figures and conclusion, its triangles. Actuaries (and
//! administrators) only, like the page.

use super::view::{
    ReportItem, ReportLinks, ReportSummary, RunInput, StoredFigures, TriangleFigures,
};
use super::{generate, require_actuary};
use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::paging::Paged;
use crate::services::Ctx;
use crate::services::SeekQuery;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::backtest::reports::{self, ReportRow};
use crate::store::StoreError;
use serde::Deserialize;

/// The headline `summary` stores in each row (see [`super::summary`]).
#[derive(Debug, Default, Deserialize)]
struct Headline {
    #[serde(default)]
    groups: u64,
    earned_premium: Option<Money>,
    ultimate: Option<Money>,
    loss_ratio: Option<f64>,
    combined_ratio: Option<f64>,
    decision: Option<String>,
    conclusion_en: Option<String>,
    conclusion_zh: Option<String>,
}

fn item(row: &ReportRow) -> ServiceResult<ReportItem> {
    let h: Headline = serde_json::from_str(&row.summary_json)
        .map_err(|e| ServiceError::Internal(format!("report {} summary: {e}", row.report_id)))?;
    Ok(item_with(row, h))
}

fn item_with(row: &ReportRow, h: Headline) -> ReportItem {
    ReportItem {
        report_id: row.report_id,
        period_key: row.period_key.clone(),
        as_of: row.as_of,
        basis: row.basis.clone(),
        status: row.status.clone(),
        created_at: row.created_at,
        groups: h.groups,
        earned_premium: h.earned_premium,
        ultimate: h.ultimate,
        loss_ratio: h.loss_ratio,
        combined_ratio: h.combined_ratio,
        decision: h.decision,
        conclusion_en: h.conclusion_en,
        conclusion_zh: h.conclusion_zh,
    }
}

fn not_found(e: StoreError) -> ServiceError {
    match e {
        StoreError::NotFound => ServiceError::NotFound("backtest report"),
        other => other.into(),
    }
}

/// Stored reports, newest first, a page at a time, with their headline figures and where
/// their deliveries stand (the page's list).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn listed(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &SeekQuery,
) -> ServiceResult<Paged<(ReportItem, String)>> {
    let page = super::list(ctx, actor, q).await?;
    let deliveries = super::delivery::states(ctx, &page.rows).await?;
    // A summary that does not read leaves the headline empty on the page's list.
    let rows = page
        .rows
        .iter()
        .zip(deliveries)
        .map(|(r, d)| {
            let h = serde_json::from_str(&r.summary_json).unwrap_or_default();
            (item_with(r, h), d)
        })
        .collect();
    Ok(page.with_rows(rows))
}

/// Stored reports, newest first, a page at a time, with their headline figures.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn items(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &SeekQuery,
) -> ServiceResult<Paged<ReportItem>> {
    let page = super::list(ctx, actor, q).await?;
    let items = page
        .rows
        .iter()
        .map(item)
        .collect::<ServiceResult<Vec<_>>>()?;
    Ok(page.with_rows(items))
}

/// The row and stored figures of one report.
async fn load(ctx: &Ctx<'_>, actor: &Actor, id: i64) -> ServiceResult<(ReportRow, StoredFigures)> {
    require_actuary(actor, "read rate backtests")?;
    let mut tx = ctx.db.read().await?;
    let row = reports::get(&mut tx, id).await.map_err(not_found)?;
    let json = reports::figures(&mut tx, id).await.map_err(not_found)?;
    tx.commit().await?;
    let json = json.ok_or_else(|| {
        ServiceError::Conflict(Text::new(
            format!(
                "回溯报告 {id} 保存于保留计算数据之前：其 XML、HTML 和 PDF 仍可下载，或重新运行回溯"
            ),
            format!(
                "backtest report {id} was stored before its figures were kept; its XML, HTML \
                 and PDF are still available, or run the backtest again"
            ),
        ))
    })?;
    let figures = serde_json::from_str(&json)
        .map_err(|e| ServiceError::Internal(format!("report {id} figures: {e}")))?;
    Ok((row, figures))
}

/// One report: headline, every group's figures and indication, the conclusion.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn summary(ctx: &Ctx<'_>, actor: &Actor, id: i64) -> ServiceResult<ReportSummary> {
    let (row, f) = load(ctx, actor, id).await?;
    let mut item = item(&row)?;
    item.conclusion_en = item.conclusion_en.or(f.conclusion_en);
    item.conclusion_zh = item.conclusion_zh.or(f.conclusion_zh);
    Ok(ReportSummary {
        item,
        origin_years: f.origin_years,
        method: f.method,
        tail_factor: f.tail_factor,
        groups: f.groups,
        links: ReportLinks::of(id),
    })
}

/// The triangles of one report, optionally only one level (`total`, `line`,
/// `segment`) or one group key.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn triangles(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i64,
    level: Option<&str>,
    key: Option<&str>,
) -> ServiceResult<Vec<TriangleFigures>> {
    if let Some(l) = level {
        if !matches!(l, "total" | "line" | "segment") {
            return Err(ServiceError::field(
                "level",
                "level is total, line or segment",
                "层级应为 total、line 或 segment",
            ));
        }
    }
    let (_, f) = load(ctx, actor, id).await?;
    Ok(f.triangles
        .into_iter()
        .filter(|t| level.is_none_or(|l| t.level == l) && key.is_none_or(|k| t.key == k))
        .collect())
}

/// Run a backtest as the page does, store it (audited) and answer its summary.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn run(ctx: &Ctx<'_>, actor: &Actor, input: &RunInput) -> ServiceResult<ReportSummary> {
    require_actuary(actor, "run rate backtests")?;
    let (as_of, basis) = input.parse(ctx.clock.today())?;
    let (id, _) = generate(ctx, actor, as_of, basis, None).await?;
    summary(ctx, actor, id).await
}
