//! Delivery state of stored reports, for the actuary page.
//!
//! Not yet wired: queueing the XML (HTTP POST to `[regulator] endpoint`) and the
//! readable report (mail to `[regulator] recipients`) through the shared outbox, which
//! had not landed on main when this was written. Until then a report's delivery is what
//! its row says: generated, or queued with the outbox ids.

use crate::services::ServiceResult;
use crate::store::backtest::reports::ReportRow;
use crate::store::Db;

/// One line per report: the outbox rows that carry it, or that none do yet.
pub async fn states(_db: &Db, rows: &[ReportRow]) -> ServiceResult<Vec<String>> {
    Ok(rows
        .iter()
        .map(|r| match (r.http_outbox_id, r.mail_outbox_id) {
            (Some(h), Some(m)) => format!("outbox HTTP #{h}, mail #{m}"),
            _ => "未报送 not sent".to_string(),
        })
        .collect())
}
