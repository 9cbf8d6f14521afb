//! Claim payment batches (赔款支付批次): approved payments sent to the bank in one file.
//! A payment is in at most one active item (a partial unique index), so two batches
//! made at once — on any number of instances — never carry the same payment.

use super::seek::{self, Arg, Key, Order, Paged, Seek, Sql};
use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use crate::domain::claims::{BankOutcome, BatchState, PaymentStatus};
use crate::domain::money::Money;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BatchRow {
    pub batch_id: i64,
    pub batch_number: String,
    /// Sent and waiting for the bank, closed (every payment answered) or cancelled.
    pub state: BatchState,
    pub payment_count: i64,
    /// Fen.
    pub total: Money,
    pub created_by: i64,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub note: String,
}

const BATCH_SELECT: &str = "select b.batch_id, b.batch_number, b.state, b.payment_count, b.total, \
    b.created_by, u.display_name as created_by_name, b.created_at, b.closed_at, b.note \
    from claim_payment_batch b join app_user u on u.user_id = b.created_by";

/// An approved payment as the batch file needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BatchItemRow {
    pub payment_id: i64,
    pub claim_id: i64,
    pub claim_number: String,
    /// Fen.
    pub amount: Money,
    pub payee: String,
    pub bank_name: String,
    pub bank_account: String,
    /// The payment's status: approved or paid.
    pub status: PaymentStatus,
    pub paid_on: Option<NaiveDate>,
    /// What the bank answered, once it has.
    pub outcome: Option<BankOutcome>,
    pub active: bool,
    pub bank_reference: String,
    pub failure_reason: String,
}

/// Approved payments in no active batch, oldest first.
pub async fn waiting(tx: &mut Tx) -> StoreResult<Vec<BatchItemRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, BatchItemRow>(
            "select p.payment_id, p.claim_id, k.claim_number, p.amount, p.payee, p.bank_name, \
             p.bank_account, p.status, p.paid_on, null as outcome, false as active, \
             '' as bank_reference, '' as failure_reason \
             from claim_payment p join claim k on k.claim_id = p.claim_id \
             where p.status = 'approved' and not exists (select 1 from claim_payment_batch_item i \
               where i.payment_id = p.payment_id and i.active) \
             order by p.payment_id",
        )
        .fetch_all(&mut *c)
        .await?
    }))
}

pub async fn insert(
    tx: &mut Tx,
    number: &str,
    count: i64,
    total: Money,
    by: i64,
    note: &str,
) -> StoreResult<i64> {
    let at = now();
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into claim_payment_batch (batch_number, state, payment_count, total, created_by, created_at, note) \
             values ($1, 'open', $2, $3, $4, $5, $6) returning batch_id",
        )
        .bind(number)
        .bind(count)
        .bind(total)
        .bind(by)
        .bind(at)
        .bind(note)
        .fetch_one(&mut *c)
        .await
        .map_err(|e| StoreError::on_unique(e, "batch_number"))?
    }))
}

/// Put a payment in a batch; `Duplicate` when it is already in another active one.
pub async fn add_item(
    tx: &mut Tx,
    batch_id: i64,
    payment_id: i64,
    amount: Money,
) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "insert into claim_payment_batch_item (batch_id, payment_id, amount, active) values ($1, $2, $3, true)",
        )
        .bind(batch_id)
        .bind(payment_id)
        .bind(amount)
        .execute(&mut *c)
        .await
        .map_err(|e| StoreError::on_unique(e, "a payment already in an open batch"))?
        .rows_affected()
    });
    Ok(())
}

pub async fn get(tx: &mut Tx, batch_id: i64) -> StoreResult<Option<BatchRow>> {
    let sql = format!("{BATCH_SELECT} where b.batch_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, BatchRow>(&sql).bind(batch_id).fetch_optional(&mut *c).await?
    }))
}

/// Lock the batch row (PostgreSQL) before confirming or cancelling it.
pub async fn get_for_update(tx: &mut Tx, batch_id: i64) -> StoreResult<Option<BatchRow>> {
    if tx.is_postgres() {
        dispatch!(tx, c => {
            sqlx::query("select batch_id from claim_payment_batch where batch_id = $1 for update")
                .bind(batch_id)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
    }
    get(tx, batch_id).await
}

/// The batch list's order: by when a batch was made (its id).
pub fn order(descending: bool) -> Order {
    Order::by_id("b.batch_id", descending)
}

/// One page of batches, optionally of one state, with the (capped) total.
pub async fn list(
    tx: &mut Tx,
    state: Option<BatchState>,
    seek: &Seek,
) -> StoreResult<Paged<BatchRow>> {
    let mut w = Sql::default();
    if let Some(s) = state {
        w.with("b.state = {}", Arg::Text(s.as_str().to_string()));
    }
    let sql = seek::page_sql(BATCH_SELECT, "from claim_payment_batch b", &w, seek);
    seek::read(tx, &sql, seek, |r: &BatchRow| {
        (Key::Int(r.batch_id), r.batch_id)
    })
    .await
}

pub async fn items(tx: &mut Tx, batch_id: i64) -> StoreResult<Vec<BatchItemRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, BatchItemRow>(
            "select p.payment_id, p.claim_id, k.claim_number, i.amount, p.payee, p.bank_name, \
             p.bank_account, p.status, p.paid_on, i.outcome, i.active, i.bank_reference, i.failure_reason \
             from claim_payment_batch_item i join claim_payment p on p.payment_id = i.payment_id \
             join claim k on k.claim_id = p.claim_id where i.batch_id = $1 order by p.payment_id",
        )
        .bind(batch_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

/// Record the bank's answer for one item, once. A failed payment leaves the batch
/// (inactive), so it can go in a later one.
pub async fn resolve_item(
    tx: &mut Tx,
    batch_id: i64,
    payment_id: i64,
    outcome: BankOutcome,
    bank_reference: &str,
    failure_reason: &str,
) -> StoreResult<bool> {
    let at = now();
    let active = outcome == BankOutcome::Paid;
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update claim_payment_batch_item set outcome = $1, active = $2, bank_reference = $3, \
             failure_reason = $4, resolved_at = $5 \
             where batch_id = $6 and payment_id = $7 and outcome is null and active",
        )
        .bind(outcome)
        .bind(active)
        .bind(bank_reference)
        .bind(failure_reason)
        .bind(at)
        .bind(batch_id)
        .bind(payment_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// The open batch a payment is waiting in, if any.
pub async fn open_batch_of(tx: &mut Tx, payment_id: i64) -> StoreResult<Option<i64>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "select i.batch_id from claim_payment_batch_item i join claim_payment_batch b \
             on b.batch_id = i.batch_id where i.payment_id = $1 and i.active and i.outcome is null \
             and b.state = 'open'",
        )
        .bind(payment_id)
        .fetch_optional(&mut *c)
        .await?
    }))
}

/// Close an open batch once nothing in it waits for the bank; true when it closed.
pub async fn close_if_answered(tx: &mut Tx, batch_id: i64) -> StoreResult<bool> {
    let at = now();
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update claim_payment_batch set state = 'closed', closed_at = $1 where batch_id = $2 \
             and state = 'open' and not exists (select 1 from claim_payment_batch_item i \
             where i.batch_id = $2 and i.outcome is null)",
        )
        .bind(at)
        .bind(batch_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Cancel an open batch nothing of which is answered yet: its payments are released.
pub async fn cancel(tx: &mut Tx, batch_id: i64, note: &str) -> StoreResult<bool> {
    let at = now();
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update claim_payment_batch set state = 'cancelled', closed_at = $1, note = $2 \
             where batch_id = $3 and state = 'open' and not exists (select 1 from \
             claim_payment_batch_item i where i.batch_id = $3 and i.outcome is not null)",
        )
        .bind(at)
        .bind(note)
        .bind(batch_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if n == 1 {
        dispatch!(tx, c => {
            sqlx::query("update claim_payment_batch_item set active = false where batch_id = $1")
                .bind(batch_id)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
    }
    Ok(n == 1)
}
