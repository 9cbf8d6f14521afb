//! Billing tables: payment plans, payments, refunds, invoices, bank lines and the
//! bank's notification keys. Inserts that must happen once use the database's unique
//! constraints (`on conflict do nothing`), so concurrent deliveries cannot both write.

use super::seek::{self, Key, Order, Paged, Seek, Sql};
use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use crate::domain::money::Money;
use chrono::{DateTime, NaiveDate, Utc};

/// A policy as billing needs it: who, which programme, and whether it was issued.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BilledPolicy {
    pub policy_id: i64,
    pub policy_number: Option<String>,
    pub state: String,
    pub maker_id: i64,
    pub maker_name: String,
    pub programme_id: Option<String>,
    pub period_start: NaiveDate,
}

const POLICY: &str =
    "select p.policy_id, p.policy_number, p.state, p.maker_id, m.name as maker_name, \
    p.programme_id, p.period_start from policy p join party m on m.party_id = p.maker_id";

/// A conditional update that found its row, or a `Conflict` (someone got there first).
fn exactly_one(rows: u64) -> StoreResult<()> {
    if rows == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

pub async fn policy(tx: &mut Tx, policy_id: i64) -> StoreResult<Option<BilledPolicy>> {
    let sql = format!("{POLICY} where p.policy_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, BilledPolicy>(&sql).bind(policy_id).fetch_optional(&mut *c).await?
    }))
}

/// The policy row locked until commit (PostgreSQL; SQLite's write transaction already
/// holds the database), so two money movements on one policy queue.
pub async fn lock_policy(tx: &mut Tx, policy_id: i64) -> StoreResult<Option<BilledPolicy>> {
    let lock = if tx.is_postgres() {
        " for update of p"
    } else {
        ""
    };
    let sql = format!("{POLICY} where p.policy_id = $1{lock}");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, BilledPolicy>(&sql).bind(policy_id).fetch_optional(&mut *c).await?
    }))
}

pub async fn policy_by_number(tx: &mut Tx, number: &str) -> StoreResult<Option<BilledPolicy>> {
    let sql = format!("{POLICY} where p.policy_number = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, BilledPolicy>(&sql).bind(number).fetch_optional(&mut *c).await?
    }))
}

/// Many policies in one statement, by `column` (`p.policy_id` or `p.policy_number`).
async fn policies_where<T>(tx: &mut Tx, column: &str, keys: &[T]) -> StoreResult<Vec<BilledPolicy>>
where
    T: Clone,
    super::seek::Arg: From<T>,
{
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = super::seek::Sql::default();
    let list: Vec<String> = keys
        .iter()
        .map(|k| w.arg(super::seek::Arg::from(k.clone())))
        .collect();
    let sql = format!("{POLICY} where {column} in ({})", list.join(", "));
    Ok(dispatch!(tx, c => {
        crate::bind_args!(sqlx::query_as::<_, BilledPolicy>(&sql), w.args)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// The policies with these ids (those that exist), in no particular order.
pub async fn policies(tx: &mut Tx, ids: &[i64]) -> StoreResult<Vec<BilledPolicy>> {
    policies_where(tx, "p.policy_id", ids).await
}

/// The policies with these numbers (those that exist), in no particular order.
pub async fn policies_by_number(tx: &mut Tx, numbers: &[String]) -> StoreResult<Vec<BilledPolicy>> {
    policies_where(tx, "p.policy_number", numbers).await
}

/// The premium-relevant part of a policy version.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PremiumVersion {
    pub seq: i32,
    pub kind: String,
    pub effective_on: NaiveDate,
    pub premium: Money,
    pub adjustment: Money,
}

pub async fn premium_versions(tx: &mut Tx, policy_id: i64) -> StoreResult<Vec<PremiumVersion>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PremiumVersion>(
            "select seq, kind, effective_on, premium, adjustment from policy_version \
             where policy_id = $1 order by seq",
        )
        .bind(policy_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanRow {
    pub based_on_seq: i32,
    pub set_by: i64,
    pub set_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InstallmentRow {
    pub seq: i32,
    pub due_on: NaiveDate,
    pub amount: Money,
}

pub async fn plan(
    tx: &mut Tx,
    policy_id: i64,
) -> StoreResult<Option<(PlanRow, Vec<InstallmentRow>)>> {
    Ok(dispatch!(tx, c => {
        let plan = sqlx::query_as::<_, PlanRow>(
            "select based_on_seq, set_by, set_at from payment_plan where policy_id = $1",
        )
        .bind(policy_id)
        .fetch_optional(&mut *c)
        .await?;
        match plan {
            None => None,
            Some(p) => {
                let items = sqlx::query_as::<_, InstallmentRow>(
                    "select seq, due_on, amount from installment where policy_id = $1 order by seq",
                )
                .bind(policy_id)
                .fetch_all(&mut *c)
                .await?;
                Some((p, items))
            }
        }
    }))
}

/// Replace the policy's plan with these installments (due date, fen).
pub async fn set_plan(
    tx: &mut Tx,
    policy_id: i64,
    based_on_seq: i32,
    set_by: i64,
    installments: &[(NaiveDate, i64)],
) -> StoreResult<()> {
    let at = now();
    dispatch!(tx, c => {
        sqlx::query("delete from installment where policy_id = $1")
            .bind(policy_id)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "insert into payment_plan (policy_id, based_on_seq, set_by, set_at) values ($1, $2, $3, $4) \
             on conflict (policy_id) do update set based_on_seq = $2, set_by = $3, set_at = $4",
        )
        .bind(policy_id)
        .bind(based_on_seq)
        .bind(set_by)
        .bind(at)
        .execute(&mut *c)
        .await?;
        for (n, (due_on, amount)) in installments.iter().enumerate() {
            sqlx::query("insert into installment (policy_id, seq, due_on, amount) values ($1, $2, $3, $4)")
                .bind(policy_id)
                .bind(n as i32 + 1)
                .bind(due_on)
                .bind(amount)
                .execute(&mut *c)
                .await?;
        }
    });
    Ok(())
}

/// A payment as stored, reversed or not.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentRow {
    pub payment_id: i64,
    pub policy_id: i64,
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub method: String,
    pub reference: String,
    pub payer: String,
    pub source: String,
    pub bank_txn_id: Option<String>,
    /// The bank line (银行流水) it was made from.
    pub bank_line_id: Option<i64>,
    pub recorded_by: Option<i64>,
    pub recorded_at: DateTime<Utc>,
    pub reversed_at: Option<DateTime<Utc>>,
    pub reversed_by: Option<i64>,
    pub reversal_reason: Option<String>,
}

/// A payment's bank transaction id: its own (rows from before 0014) or its bank line's.
const PAYMENT: &str =
    "select payment_id, policy_id, paid_on, amount, method, reference, payer, source, \
    coalesce(bank_txn_id, (select l.bank_txn_id from bank_line l \
    where l.bank_line_id = payment.bank_line_id)) as bank_txn_id, bank_line_id, recorded_by, \
    recorded_at, reversed_at, reversed_by, reversal_reason from payment";

pub struct NewPayment<'a> {
    pub policy_id: i64,
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub method: &'a str,
    pub reference: &'a str,
    pub payer: &'a str,
    pub source: &'a str,
    /// The bank line it comes from; the line's transaction id is read through it.
    pub bank_line_id: Option<i64>,
    pub recorded_by: Option<i64>,
}

pub async fn insert_payment(tx: &mut Tx, p: &NewPayment<'_>) -> StoreResult<i64> {
    let done = dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into payment (policy_id, paid_on, amount, method, reference, payer, source, \
             bank_line_id, recorded_by, recorded_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             returning payment_id",
        )
        .bind(p.policy_id)
        .bind(p.paid_on)
        .bind(p.amount)
        .bind(p.method)
        .bind(p.reference)
        .bind(p.payer)
        .bind(p.source)
        .bind(p.bank_line_id)
        .bind(p.recorded_by)
        .bind(now())
        .fetch_one(&mut *c)
        .await
    });
    done.map_err(|e| StoreError::on_unique(e, "bank transaction id"))
}

pub async fn payment(tx: &mut Tx, payment_id: i64) -> StoreResult<Option<PaymentRow>> {
    let sql = format!("{PAYMENT} where payment_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PaymentRow>(&sql).bind(payment_id).fetch_optional(&mut *c).await?
    }))
}

/// Every payment of a policy, reversed ones included, oldest first.
pub async fn payments(tx: &mut Tx, policy_id: i64) -> StoreResult<Vec<PaymentRow>> {
    let sql = format!("{PAYMENT} where policy_id = $1 order by paid_on, payment_id");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PaymentRow>(&sql).bind(policy_id).fetch_all(&mut *c).await?
    }))
}

/// Mark a live payment reversed; `Conflict` when it already was.
pub async fn reverse_payment(
    tx: &mut Tx,
    payment_id: i64,
    by: i64,
    reason: &str,
) -> StoreResult<()> {
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update payment set reversed_at = $1, reversed_by = $2, reversal_reason = $3 \
             where payment_id = $4 and reversed_at is null",
        )
        .bind(now())
        .bind(by)
        .bind(reason)
        .bind(payment_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    exactly_one(n)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefundRow {
    pub refund_id: i64,
    pub policy_id: i64,
    pub refunded_on: NaiveDate,
    pub amount: Money,
    pub method: String,
    pub reference: String,
    pub reason: String,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

pub struct NewRefund<'a> {
    pub policy_id: i64,
    pub refunded_on: NaiveDate,
    pub amount: Money,
    pub method: &'a str,
    pub reference: &'a str,
    pub reason: &'a str,
    pub recorded_by: i64,
}

pub async fn insert_refund(tx: &mut Tx, r: &NewRefund<'_>) -> StoreResult<i64> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into refund (policy_id, refunded_on, amount, method, reference, reason, \
             recorded_by, recorded_at) values ($1, $2, $3, $4, $5, $6, $7, $8) returning refund_id",
        )
        .bind(r.policy_id)
        .bind(r.refunded_on)
        .bind(r.amount)
        .bind(r.method)
        .bind(r.reference)
        .bind(r.reason)
        .bind(r.recorded_by)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    }))
}

pub async fn refunds(tx: &mut Tx, policy_id: i64) -> StoreResult<Vec<RefundRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, RefundRow>(
            "select refund_id, policy_id, refunded_on, amount, method, reference, reason, recorded_by, \
             recorded_at from refund where policy_id = $1 order by refunded_on, refund_id",
        )
        .bind(policy_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoiceRow {
    pub invoice_id: i64,
    pub policy_id: i64,
    pub number: String,
    pub issued_on: NaiveDate,
    pub amount: Money,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    /// Set when the invoice was voided (作废).
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: Option<String>,
}

const INVOICE_COLUMNS: &str = "invoice_id, policy_id, number, issued_on, amount, recorded_by, \
     recorded_at, voided_at, void_reason";

pub async fn insert_invoice(
    tx: &mut Tx,
    policy_id: i64,
    number: &str,
    issued_on: NaiveDate,
    amount: i64,
    by: i64,
) -> StoreResult<i64> {
    let done = dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into invoice (policy_id, number, issued_on, amount, recorded_by, recorded_at) \
             values ($1, $2, $3, $4, $5, $6) returning invoice_id",
        )
        .bind(policy_id)
        .bind(number)
        .bind(issued_on)
        .bind(amount)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *c)
        .await
    });
    done.map_err(|e| StoreError::on_unique(e, "invoice number"))
}

pub async fn invoices(tx: &mut Tx, policy_id: i64) -> StoreResult<Vec<InvoiceRow>> {
    let sql = format!(
        "select {INVOICE_COLUMNS} from invoice where policy_id = $1 order by issued_on, invoice_id"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, InvoiceRow>(&sql).bind(policy_id).fetch_all(&mut *c).await?
    }))
}

pub async fn invoice(tx: &mut Tx, invoice_id: i64) -> StoreResult<Option<InvoiceRow>> {
    let sql = format!("select {INVOICE_COLUMNS} from invoice where invoice_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, InvoiceRow>(&sql).bind(invoice_id).fetch_optional(&mut *c).await?
    }))
}

/// Void an invoice that is not void yet; the time it was voided, or `None` when it already
/// was (a concurrent void).
pub async fn void_invoice(
    tx: &mut Tx,
    invoice_id: i64,
    reason: &str,
    by: i64,
) -> StoreResult<Option<DateTime<Utc>>> {
    let at = now();
    let done = dispatch!(tx, c => {
        sqlx::query(
            "update invoice set voided_at = $1, voided_by = $2, void_reason = $3 \
             where invoice_id = $4 and voided_at is null",
        )
        .bind(at)
        .bind(by)
        .bind(reason)
        .bind(invoice_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok((done == 1).then_some(at))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportRow {
    pub import_id: i64,
    pub filename: String,
    pub sha256: String,
    pub lines: i32,
    pub imported: i32,
    pub duplicates: i32,
    pub unmatched: i32,
    pub imported_by: i64,
    pub imported_at: DateTime<Utc>,
}

pub async fn insert_import(
    tx: &mut Tx,
    filename: &str,
    sha256: &str,
    lines: i32,
    by: i64,
) -> StoreResult<i64> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into statement_import (filename, sha256, lines, imported_by, imported_at) \
             values ($1, $2, $3, $4, $5) returning import_id",
        )
        .bind(filename)
        .bind(sha256)
        .bind(lines)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    }))
}

pub async fn finish_import(
    tx: &mut Tx,
    import_id: i64,
    imported: i32,
    duplicates: i32,
    unmatched: i32,
) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "update statement_import set imported = $1, duplicates = $2, unmatched = $3 where import_id = $4",
        )
        .bind(imported)
        .bind(duplicates)
        .bind(unmatched)
        .bind(import_id)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// The statement import list's order: by when a file was imported (its id).
pub fn import_order(descending: bool) -> Order {
    Order::by_id("import_id", descending)
}

/// One page of statement imports with the (capped) total.
pub async fn imports(tx: &mut Tx, seek: &Seek) -> StoreResult<Paged<ImportRow>> {
    let select = "select import_id, filename, sha256, lines, imported, duplicates, unmatched, \
                  imported_by, imported_at from statement_import";
    let sql = seek::page_sql(select, "from statement_import", &Sql::default(), seek);
    seek::read(tx, &sql, seek, |r: &ImportRow| {
        (Key::Int(r.import_id), r.import_id)
    })
    .await
}

/// A credit the bank reported.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BankLineRow {
    pub bank_line_id: i64,
    /// statement or callback
    pub source: String,
    pub import_id: Option<i64>,
    pub bank_txn_id: String,
    pub value_date: NaiveDate,
    /// In fen.
    pub amount: Money,
    pub payer: String,
    pub reference: String,
    /// The payment it became; absent while unmatched.
    pub payment_id: Option<i64>,
    pub matched_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// `payment_id` is the latest live payment made from the line (a split line has several).
pub(crate) const LINE: &str =
    "select bank_line_id, source, import_id, bank_txn_id, value_date, amount, payer, \
    reference, (select max(p.payment_id) from payment p where p.bank_line_id = bank_line.bank_line_id \
    and p.reversed_at is null) as payment_id, matched_by, created_at from bank_line";

pub struct NewLine<'a> {
    pub source: &'a str,
    pub import_id: Option<i64>,
    pub bank_txn_id: &'a str,
    pub value_date: NaiveDate,
    pub amount: Money,
    pub payer: &'a str,
    pub reference: &'a str,
}

/// Insert a bank line unless its transaction id is known; `None` means a duplicate.
/// On PostgreSQL a concurrent insert of the same id waits for the other transaction
/// and then sees the conflict.
pub async fn insert_line(tx: &mut Tx, l: &NewLine<'_>) -> StoreResult<Option<i64>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into bank_line (source, import_id, bank_txn_id, value_date, amount, payer, reference, \
             created_at) values ($1, $2, $3, $4, $5, $6, $7, $8) \
             on conflict (bank_txn_id) do nothing returning bank_line_id",
        )
        .bind(l.source)
        .bind(l.import_id)
        .bind(l.bank_txn_id)
        .bind(l.value_date)
        .bind(l.amount)
        .bind(l.payer)
        .bind(l.reference)
        .bind(now())
        .fetch_optional(&mut *c)
        .await?
    }))
}

pub async fn line(tx: &mut Tx, id: i64) -> StoreResult<Option<BankLineRow>> {
    let sql = format!("{LINE} where bank_line_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, BankLineRow>(&sql).bind(id).fetch_optional(&mut *c).await?
    }))
}

pub async fn line_by_txn(tx: &mut Tx, bank_txn_id: &str) -> StoreResult<Option<BankLineRow>> {
    let sql = format!("{LINE} where bank_txn_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, BankLineRow>(&sql).bind(bank_txn_id).fetch_optional(&mut *c).await?
    }))
}

/// Record who matched a line by hand (the payments themselves name the line).
pub async fn set_line_matcher(tx: &mut Tx, line_id: i64, by: Option<i64>) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query("update bank_line set matched_by = $1 where bank_line_id = $2")
            .bind(by)
            .bind(line_id)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub idempotency_key: String,
    pub body_sha256: String,
    pub bank_line_id: Option<i64>,
}

/// Claim an idempotency key; false when it was seen before (on PostgreSQL a
/// concurrent claim waits for the first transaction to commit, then finds the key).
pub async fn claim_notification(tx: &mut Tx, key: &str, body_sha256: &str) -> StoreResult<bool> {
    let got = dispatch!(tx, c => {
        sqlx::query_scalar::<_, String>(
            "insert into bank_notification (idempotency_key, body_sha256, received_at) values ($1, $2, $3) \
             on conflict (idempotency_key) do nothing returning idempotency_key",
        )
        .bind(key)
        .bind(body_sha256)
        .bind(now())
        .fetch_optional(&mut *c)
        .await?
    });
    Ok(got.is_some())
}

pub async fn notification(tx: &mut Tx, key: &str) -> StoreResult<Option<NotificationRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, NotificationRow>(
            "select idempotency_key, body_sha256, bank_line_id from bank_notification where idempotency_key = $1",
        )
        .bind(key)
        .fetch_optional(&mut *c)
        .await?
    }))
}

pub async fn set_notification_line(tx: &mut Tx, key: &str, line_id: i64) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query("update bank_notification set bank_line_id = $1 where idempotency_key = $2")
            .bind(line_id)
            .bind(key)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Premium due, live payments and refunds of many policies in one statement (fen):
/// `(policy_id, due, paid, refunded)` for every id given. The same reading as
/// `premium_versions` + `payments` + `refunds` per policy, summed by the database.
pub async fn totals_for(tx: &mut Tx, policy_ids: &[i64]) -> StoreResult<Vec<(i64, i64, i64, i64)>> {
    if policy_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = super::seek::Sql::default();
    let list: Vec<String> = policy_ids
        .iter()
        .map(|id| w.arg(super::seek::Arg::Int(*id)))
        .collect();
    let ids = list.join(", ");
    // Each sum is cast back to bigint: PostgreSQL widens sum(bigint) to numeric.
    let sql = format!(
        "select p.policy_id, \
         cast(coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end) \
           from policy_version v where v.policy_id = p.policy_id), 0) as bigint), \
         cast(coalesce((select sum(y.amount) from payment y \
           where y.policy_id = p.policy_id and y.reversed_at is null), 0) as bigint), \
         cast(coalesce((select sum(r.amount) from refund r where r.policy_id = p.policy_id), 0) as bigint) \
         from policy p where p.policy_id in ({ids})"
    );
    Ok(dispatch!(tx, c => {
        crate::bind_args!(sqlx::query_as::<_, (i64, i64, i64, i64)>(&sql), w.args)
            .fetch_all(&mut *c)
            .await?
    }))
}
