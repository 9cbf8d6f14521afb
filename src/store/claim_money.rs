//! Money on claims: what is used of each policy limit, payments and recoveries.
//!
//! A payment erodes a limit with ONE conditional update inside the payment's
//! transaction (`used + amount <= limit_amount`). On PostgreSQL the row lock makes a
//! concurrent payment wait and then re-check the condition against the committed
//! value; on SQLite the write transaction (`BEGIN IMMEDIATE`) serialises writers. So
//! however many handlers or instances pay at once, `used` never passes the limit.

use super::{now, StoreResult, Tx};
use crate::dispatch;
use crate::domain::claims::PaymentStatus;
use crate::domain::money::Money;
use chrono::{DateTime, NaiveDate, Utc};

/// The scope name of the aggregate limit (累计责任限额).
pub const AGGREGATE: &str = "aggregate";

/// The scope name of a section limit (分项责任限额).
pub fn section_scope(code: &str) -> String {
    format!("section:{code}")
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UsageRow {
    pub scope: String,
    pub limit_amount: Money,
    pub used: Money,
}

/// Create the usage row for a limit if it is not there yet (first claim on a policy).
pub async fn ensure_limit(tx: &mut Tx, policy_id: i64, scope: &str, limit: i64) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "insert into policy_limit_usage (policy_id, scope, limit_amount, used) values ($1, $2, $3, 0) \
             on conflict (policy_id, scope) do nothing",
        )
        .bind(policy_id)
        .bind(scope)
        .bind(limit)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(())
}

pub async fn usage(tx: &mut Tx, policy_id: i64) -> StoreResult<Vec<UsageRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, UsageRow>(
            "select scope, limit_amount, used from policy_limit_usage where policy_id = $1 order by scope",
        )
        .bind(policy_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

/// Take `amount` from a limit if it fits; `Ok(None)` when it does not (nothing changed).
///
/// `used + $1` cannot overflow a BIGINT (nor turn into a float on SQLite): every limit and
/// every payment entered at most `money::entry_bound()` = 10^14 fen, and `used` never
/// exceeds the limit, so `used + $1 ≤ 2 × 10^14` fen, far below 2^63 ≈ 9.2 × 10^18.
pub async fn erode(
    tx: &mut Tx,
    policy_id: i64,
    scope: &str,
    amount: i64,
) -> StoreResult<Option<i64>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "update policy_limit_usage set used = used + $1 \
             where policy_id = $2 and scope = $3 and used + $1 <= limit_amount returning used",
        )
        .bind(amount)
        .bind(policy_id)
        .bind(scope)
        .fetch_optional(&mut *c)
        .await?
    }))
}

/// Give `amount` back to a limit (a recovery the clause lets restore it), never below 0.
pub async fn restore(tx: &mut Tx, policy_id: i64, scope: &str, amount: i64) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "update policy_limit_usage set used = case when used > $1 then used - $1 else 0 end \
             where policy_id = $2 and scope = $3",
        )
        .bind(amount)
        .bind(policy_id)
        .bind(scope)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(())
}

// ---- payments ---------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentRow {
    pub payment_id: i64,
    pub claim_id: i64,
    pub policy_id: i64,
    /// Stored as fen (`store::types`).
    pub amount: Money,
    pub payee: String,
    pub bank_name: String,
    pub bank_account: String,
    /// approved or paid
    pub status: PaymentStatus,
    pub approved_by: i64,
    pub approved_at: DateTime<Utc>,
    pub approved_on: NaiveDate,
    pub paid_by: Option<i64>,
    pub paid_at: Option<DateTime<Utc>>,
    pub paid_on: Option<NaiveDate>,
}

const PAYMENT_SELECT: &str = "select payment_id, claim_id, policy_id, amount, payee, bank_name, \
    bank_account, status, approved_by, approved_at, approved_on, paid_by, paid_at, paid_on \
    from claim_payment";

pub struct NewPayment<'a> {
    pub claim_id: i64,
    pub policy_id: i64,
    pub amount: Money,
    pub payee: &'a str,
    pub bank_name: &'a str,
    pub bank_account: &'a str,
    pub approved_by: i64,
    pub approved_on: NaiveDate,
}

pub async fn add_payment(tx: &mut Tx, p: &NewPayment<'_>) -> StoreResult<PaymentRow> {
    let at = now();
    let sql = "insert into claim_payment (claim_id, policy_id, amount, payee, bank_name, bank_account, \
         status, approved_by, approved_at, approved_on) values ($1, $2, $3, $4, $5, $6, 'approved', $7, $8, $9) \
         returning payment_id, claim_id, policy_id, amount, payee, bank_name, bank_account, status, \
         approved_by, approved_at, approved_on, paid_by, paid_at, paid_on";
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PaymentRow>(sql)
            .bind(p.claim_id)
            .bind(p.policy_id)
            .bind(p.amount)
            .bind(p.payee)
            .bind(p.bank_name)
            .bind(p.bank_account)
            .bind(p.approved_by)
            .bind(at)
            .bind(p.approved_on)
            .fetch_one(&mut *c)
            .await?
    }))
}

pub async fn payments(tx: &mut Tx, claim_id: i64) -> StoreResult<Vec<PaymentRow>> {
    let sql = format!("{PAYMENT_SELECT} where claim_id = $1 order by payment_id");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PaymentRow>(&sql).bind(claim_id).fetch_all(&mut *c).await?
    }))
}

/// approved → paid, once: `Ok(None)` when the payment is not there or already paid.
pub async fn mark_paid(
    tx: &mut Tx,
    claim_id: i64,
    payment_id: i64,
    by: i64,
    on: NaiveDate,
) -> StoreResult<Option<PaymentRow>> {
    let at = now();
    let sql = "update claim_payment set status = 'paid', paid_by = $1, paid_at = $2, paid_on = $3 \
         where payment_id = $4 and claim_id = $5 and status = 'approved' \
         returning payment_id, claim_id, policy_id, amount, payee, bank_name, bank_account, status, \
         approved_by, approved_at, approved_on, paid_by, paid_at, paid_on";
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PaymentRow>(sql)
            .bind(by)
            .bind(at)
            .bind(on)
            .bind(payment_id)
            .bind(claim_id)
            .fetch_optional(&mut *c)
            .await?
    }))
}

/// Total paid out on a policy (all claims), for checks and reports. The sum stays below
/// 2^63 fen: each payment is at most the entry bound (10^14 fen) and together they never
/// exceed the policy's limit (also bounded), so no SUM here can overflow.
pub async fn paid_on_policy(tx: &mut Tx, policy_id: i64) -> StoreResult<i64> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "select cast(coalesce(sum(amount), 0) as bigint) from claim_payment where policy_id = $1",
        )
        .bind(policy_id)
        .fetch_one(&mut *c)
        .await?
    }))
}

// ---- recoveries -------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecoveryRow {
    pub recovery_id: i64,
    pub claim_id: i64,
    /// subrogation or fraud_repayment
    pub kind: String,
    /// Stored as fen (`store::types`).
    pub amount: Money,
    pub note: String,
    pub restores_limit: bool,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub received_on: NaiveDate,
}

pub struct NewRecovery<'a> {
    pub claim_id: i64,
    pub kind: &'a str,
    pub amount: Money,
    pub note: &'a str,
    pub restores_limit: bool,
    pub recorded_by: i64,
    pub received_on: NaiveDate,
}

pub async fn add_recovery(tx: &mut Tx, r: &NewRecovery<'_>) -> StoreResult<i64> {
    let at = now();
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into claim_recovery (claim_id, kind, amount, note, restores_limit, recorded_by, \
             recorded_at, received_on) values ($1, $2, $3, $4, $5, $6, $7, $8) returning recovery_id",
        )
        .bind(r.claim_id)
        .bind(r.kind)
        .bind(r.amount)
        .bind(r.note)
        .bind(r.restores_limit)
        .bind(r.recorded_by)
        .bind(at)
        .bind(r.received_on)
        .fetch_one(&mut *c)
        .await?
    }))
}

pub async fn recoveries(tx: &mut Tx, claim_id: i64) -> StoreResult<Vec<RecoveryRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, RecoveryRow>(
            "select recovery_id, claim_id, kind, amount, note, restores_limit, recorded_by, \
             recorded_at, received_on from claim_recovery where claim_id = $1 order by recovery_id",
        )
        .bind(claim_id)
        .fetch_all(&mut *c)
        .await?
    }))
}
