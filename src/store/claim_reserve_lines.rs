//! Reserves by cost type (分类准备金): one row per change of a cost type's reserve, each
//! tied to the `claim_reserve` row (the case reserve total) it was set with.

use super::{now, StoreResult, Tx};
use crate::dispatch;
use crate::domain::money::Money;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReserveLineRow {
    pub line_id: i64,
    pub claim_id: i64,
    /// The case reserve row this change belongs to.
    pub reserve_id: i64,
    /// repair, replacement, return, third_party_property, bodily_injury or claim_expenses
    pub cost_type: String,
    /// Stored as fen (`store::types`).
    pub amount: Money,
    pub set_at: DateTime<Utc>,
    pub set_on: NaiveDate,
    pub reason: String,
    pub set_by: Option<i64>,
}

pub struct NewLine<'a> {
    pub claim_id: i64,
    pub reserve_id: i64,
    pub cost_type: &'a str,
    pub amount: Money,
    pub set_on: NaiveDate,
    pub reason: &'a str,
    pub set_by: Option<i64>,
}

pub async fn add(tx: &mut Tx, l: &NewLine<'_>) -> StoreResult<i64> {
    let at = now();
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into claim_reserve_line (claim_id, reserve_id, cost_type, amount, set_at, set_on, reason, set_by) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning line_id",
        )
        .bind(l.claim_id)
        .bind(l.reserve_id)
        .bind(l.cost_type)
        .bind(l.amount)
        .bind(at)
        .bind(l.set_on)
        .bind(l.reason)
        .bind(l.set_by)
        .fetch_one(&mut *c)
        .await?
    }))
}

/// Every change of every cost type on a claim, oldest first (the latest per type is
/// current).
pub async fn history(tx: &mut Tx, claim_id: i64) -> StoreResult<Vec<ReserveLineRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, ReserveLineRow>(
            "select line_id, claim_id, reserve_id, cost_type, amount, set_at, set_on, reason, set_by \
             from claim_reserve_line where claim_id = $1 order by line_id",
        )
        .bind(claim_id)
        .fetch_all(&mut *c)
        .await?
    }))
}
