//! Delivery of a stored report through the outbox (报送): the validated XML by HTTP POST
//! to `[regulator] endpoint`, the readable PDF and HTML by mail to `[regulator]
//! recipients`. Both are queued in the transaction that stores the report, with
//! idempotency keys derived from the period, so a period is sent once in effect; the
//! worker retries, stores the receipt and dead-letters after `outbox.max_attempts`.

use super::Rendered;
use crate::config::Config;
use crate::services::outbox::{enqueue_http, enqueue_mail, Attachment, HttpPost, Mail};
use crate::services::Ctx;
use crate::services::{ServiceError, ServiceResult};
use crate::store::backtest::reports::{self, ReportRow};
use crate::store::Tx;

/// Queue both deliveries of report `id` and mark it queued.
pub async fn queue(tx: &mut Tx, config: &Config, id: i64, r: &Rendered) -> ServiceResult<()> {
    let reg = &config.regulator;
    if reg.endpoint.trim().is_empty() || reg.recipients.is_empty() {
        return Err(ServiceError::Internal(
            "[regulator] endpoint and recipients must be configured to deliver reports".into(),
        ));
    }
    let period = r
        .report
        .period_key
        .clone()
        .unwrap_or_else(|| format!("report-{id}"));
    let key = format!("backtest-{period}");
    let http = enqueue_http(
        tx,
        &format!("{key}-xml"),
        &HttpPost {
            url: reg.endpoint.clone(),
            content_type: "application/xml; charset=utf-8".into(),
            body: r.xml.clone().into_bytes(),
        },
    )
    .await?;
    let conclusion = r
        .report
        .total()
        .and_then(|t| t.indication.as_ref())
        .map(|i| format!("{}\n{}", i.conclusion_zh, i.conclusion_en))
        .unwrap_or_default();
    let mail = enqueue_mail(
        tx,
        &format!("{key}-mail"),
        &Mail {
            to: reg.recipients.clone(),
            subject: format!("费率回溯报告 Rate backtest report {period} ({})", r.report.insurer),
            text: format!(
                "{} 费率回溯报告（评估日 {}）见附件。\nRate backtest report as of {} attached.\n\n{conclusion}\n",
                r.report.insurer, r.report.as_of, r.report.as_of
            ),
            attachments: vec![
                Attachment {
                    filename: format!("backtest-{period}.pdf"),
                    content_type: "application/pdf".into(),
                    bytes: r.pdf.clone(),
                },
                Attachment {
                    filename: format!("backtest-{period}.html"),
                    content_type: "text/html; charset=utf-8".into(),
                    bytes: r.html.clone().into_bytes(),
                },
            ],
        },
    )
    .await?;
    reports::mark_queued(tx, id, http, mail).await?;
    Ok(())
}

/// One line per report: where its deliveries stand (delivered with the receipt status,
/// retrying with the last error, or dead letter).
#[tracing::instrument(skip_all)]
pub async fn states(ctx: &Ctx<'_>, rows: &[ReportRow]) -> ServiceResult<Vec<String>> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mut parts = Vec::new();
        for (label, id) in [("XML", r.http_outbox_id), ("mail", r.mail_outbox_id)] {
            let Some(id) = id else { continue };
            if let Some(o) = crate::store::outbox::get(&mut tx, id).await? {
                let receipt = o
                    .receipt_status
                    .map(|s| format!(" receipt {s}"))
                    .unwrap_or_default();
                let error = o
                    .last_error
                    .as_deref()
                    .filter(|_| o.status != crate::domain::delivery::DeliveryStatus::Delivered)
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                parts.push(format!(
                    "{label} #{id}: {} after {} attempt(s){receipt}{error}",
                    o.status.as_str(),
                    o.attempts
                ));
            }
        }
        out.push(if parts.is_empty() {
            "未报送 not sent".to_string()
        } else {
            parts.join("; ")
        });
    }
    tx.commit().await?;
    Ok(out)
}
