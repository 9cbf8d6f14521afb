//! Delivery of stored reports to the regulator through the outbox.
//! DELIVERY-PENDING: wired to `services::outbox` once it lands on main.

use crate::services::ServiceResult;
use crate::store::backtest::reports::ReportRow;
use crate::store::Db;

/// Delivery state per report, for the actuary page.
pub async fn states(_db: &Db, rows: &[ReportRow]) -> ServiceResult<Vec<String>> {
    Ok(rows.iter().map(|_| String::new()).collect())
}
