//! Bank statement uploads (preview → import job), the suspense list (挂账: bank lines
//! whose money is not yet placed), suspense disposals and the look-ups behind match
//! suggestions. A line's open amount is always derived — its amount minus live
//! payments made from it and a live disposal — never stored.

use super::billing::{BankLineRow, LINE};
use super::seek::{self, Key, KeyKind, Order, Paged, Seek, Sql};
use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use crate::domain::billing::bank_codes::{DisposalKind, UploadStatus};
use crate::domain::money::Money;
use chrono::{DateTime, NaiveDate, Utc};

/// A statement file kept between preview and import.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    pub upload_id: i64,
    pub filename: String,
    pub sha256: String,
    pub layout_id: String,
    pub lines: i32,
    pub status: UploadStatus,
    pub done_lines: i32,
    pub import_id: Option<i64>,
    pub error: Option<String>,
    pub uploaded_by: i64,
    pub uploaded_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const UPLOAD: &str = "select upload_id, filename, sha256, layout_id, lines, status, done_lines, \
    import_id, error, uploaded_by, uploaded_at, finished_at from statement_upload";

pub struct NewUpload<'a> {
    pub filename: &'a str,
    pub sha256: &'a str,
    pub layout_id: &'a str,
    pub content: &'a [u8],
    pub lines: i32,
    pub by: i64,
}

pub async fn insert_upload(tx: &mut Tx, u: &NewUpload<'_>) -> StoreResult<i64> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into statement_upload (filename, sha256, layout_id, content, lines, status, \
             uploaded_by, uploaded_at) values ($1, $2, $3, $4, $5, 'previewed', $6, $7) \
             returning upload_id",
        )
        .bind(u.filename)
        .bind(u.sha256)
        .bind(u.layout_id)
        .bind(u.content)
        .bind(u.lines)
        .bind(u.by)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    }))
}

pub async fn upload(tx: &mut Tx, id: i64) -> StoreResult<Option<UploadRow>> {
    let sql = format!("{UPLOAD} where upload_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, UploadRow>(&sql).bind(id).fetch_optional(&mut *c).await?
    }))
}

pub async fn upload_content(tx: &mut Tx, id: i64) -> StoreResult<Vec<u8>> {
    dispatch!(tx, c => {
        sqlx::query_scalar::<_, Vec<u8>>("select content from statement_upload where upload_id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    })
    .ok_or(StoreError::NotFound)
}

/// Move a previewed (or failed) upload to running with its import row; `Conflict` when
/// someone started it already.
pub async fn start_upload(tx: &mut Tx, id: i64, import_id: i64) -> StoreResult<()> {
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update statement_upload set status = 'running', import_id = $1, error = null \
             where upload_id = $2 and status in ('previewed', 'failed')",
        )
        .bind(import_id)
        .bind(id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

pub async fn upload_progress(tx: &mut Tx, id: i64, done_lines: i32) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query("update statement_upload set done_lines = $1 where upload_id = $2")
            .bind(done_lines)
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

pub async fn finish_upload(
    tx: &mut Tx,
    id: i64,
    status: UploadStatus,
    error: Option<&str>,
) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "update statement_upload set status = $1, error = $2, finished_at = $3 where upload_id = $4",
        )
        .bind(status)
        .bind(error)
        .bind(now())
        .bind(id)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Add one chunk's counts to an import.
pub async fn add_import_counts(
    tx: &mut Tx,
    import_id: i64,
    imported: i32,
    duplicates: i32,
    unmatched: i32,
) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "update statement_import set imported = imported + $1, duplicates = duplicates + $2, \
             unmatched = unmatched + $3 where import_id = $4",
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

/// How many of these transaction ids are already bank lines (for the preview).
pub async fn known_transactions(tx: &mut Tx, ids: &[String]) -> StoreResult<i64> {
    let mut known = 0;
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "select count(*) from bank_line where bank_txn_id in ({})",
            marks.join(", ")
        );
        known += dispatch!(tx, c => {
            let mut q = sqlx::query_scalar::<_, i64>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_one(&mut *c).await?
        });
    }
    Ok(known)
}

/// The line locked until commit (PostgreSQL; SQLite's write transaction holds the
/// database), so two allocations of one line queue.
pub async fn lock_line(tx: &mut Tx, id: i64) -> StoreResult<Option<BankLineRow>> {
    if tx.is_postgres() {
        dispatch!(tx, c => {
            sqlx::query("select 1 from bank_line where bank_line_id = $1 for update")
                .bind(id)
                .execute(&mut *c)
                .await?;
        });
    }
    super::billing::line(tx, id).await
}

const PLACED: &str = "cast(coalesce((select sum(p.amount) from payment p \
    where p.bank_line_id = l.bank_line_id and p.reversed_at is null), 0) as bigint)";
const DISPOSED: &str = "exists (select 1 from bank_line_disposal d \
    where d.bank_line_id = l.bank_line_id and d.reversed_at is null)";

/// What is still unplaced on a line: its amount less live payments from it, or zero
/// when a live disposal settled it.
pub async fn open_amount(tx: &mut Tx, id: i64) -> StoreResult<i64> {
    let sql = format!(
        "select case when {DISPOSED} then 0 else l.amount - {PLACED} end \
         from bank_line l where l.bank_line_id = $1"
    );
    dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(&sql).bind(id).fetch_optional(&mut *c).await?
    })
    .ok_or(StoreError::NotFound)
}

/// A suspense line (挂账) with what is still open on it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SuspenseRow {
    pub bank_line_id: i64,
    pub source: String,
    pub import_id: Option<i64>,
    pub bank_txn_id: String,
    pub value_date: NaiveDate,
    /// The line's amount, in fen.
    pub amount: Money,
    /// Not yet placed, in fen (less than `amount` after a part of a split was reversed).
    pub open_amount: Money,
    pub payer: String,
    pub reference: String,
    pub created_at: DateTime<Utc>,
}

/// A line in suspense: not disposed of and not fully placed. `placed` and `disposed`
/// are kept by triggers on payment and bank_line_disposal (migration 0021), and this
/// very condition is the partial index `bank_line_suspense_idx`, so suspense costs
/// the lines in it, not every line the bank ever sent.
fn suspense_where() -> String {
    "not l.disposed and l.amount > l.placed".to_string()
}

/// One page of suspense, oldest first.
pub async fn suspense(tx: &mut Tx, limit: i64, offset: i64) -> StoreResult<Vec<SuspenseRow>> {
    let sql = format!(
        "select l.bank_line_id, l.source, l.import_id, l.bank_txn_id, l.value_date, l.amount, \
         l.amount - l.placed as open_amount, l.payer, l.reference, l.created_at \
         from bank_line l where {} order by l.value_date, l.bank_line_id limit $1 offset $2",
        suspense_where()
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, SuspenseRow>(&sql).bind(limit).bind(offset).fetch_all(&mut *c).await?
    }))
}

/// How many lines are in suspense and what they hold open, in fen.
pub async fn suspense_totals(tx: &mut Tx) -> StoreResult<(i64, i64)> {
    let sql = format!(
        "select count(*), cast(coalesce(sum(l.amount - l.placed), 0) as bigint) from bank_line l where {}",
        suspense_where()
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, (i64, i64)>(&sql).fetch_one(&mut *c).await?
    }))
}

/// The open-line list's order: by value date, then by line.
pub fn open_line_order(descending: bool) -> Order {
    Order {
        column: "value_date",
        kind: KeyKind::Date,
        id: "bank_line_id",
        descending,
    }
}

/// One page of the open lines (the API's plain list), with the (capped) total.
pub async fn open_lines(tx: &mut Tx, seek: &Seek) -> StoreResult<Paged<BankLineRow>> {
    let mut w = Sql::default();
    w.when(&format!(
        "bank_line_id in (select l.bank_line_id from bank_line l where {})",
        suspense_where()
    ));
    let sql = seek::page_sql(LINE, "from bank_line", &w, seek);
    seek::read(tx, &sql, seek, |r: &BankLineRow| {
        (Key::Date(r.value_date), r.bank_line_id)
    })
    .await
}

/// The open lines of one import, oldest first, at most `limit`.
pub async fn open_lines_of_import(
    tx: &mut Tx,
    import_id: i64,
    limit: i64,
) -> StoreResult<Vec<BankLineRow>> {
    let sql = format!(
        "{LINE} where import_id = $1 and bank_line_id in (select l.bank_line_id from bank_line l \
         where l.import_id = $1 and {}) order by value_date, bank_line_id limit $2",
        suspense_where()
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, BankLineRow>(&sql).bind(import_id).bind(limit).fetch_all(&mut *c).await?
    }))
}

/// A suspense line settled without a premium payment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisposalRow {
    pub disposal_id: i64,
    pub bank_line_id: i64,
    /// Not premium, or paid back to the payer.
    pub kind: DisposalKind,
    /// In fen.
    pub amount: Money,
    pub reason: String,
    pub refund_reference: String,
    pub refunded_on: Option<NaiveDate>,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub reversed_at: Option<DateTime<Utc>>,
    pub reversal_reason: Option<String>,
}

const DISPOSAL: &str = "select disposal_id, bank_line_id, kind, amount, reason, refund_reference, \
    refunded_on, recorded_by, recorded_at, reversed_at, reversal_reason from bank_line_disposal";

pub struct NewDisposal<'a> {
    pub line_id: i64,
    pub kind: DisposalKind,
    pub amount: Money,
    pub reason: &'a str,
    pub refund_reference: &'a str,
    pub refunded_on: Option<NaiveDate>,
    pub by: i64,
}

/// Record a disposal; `Duplicate` when the line already has a live one.
pub async fn insert_disposal(tx: &mut Tx, d: &NewDisposal<'_>) -> StoreResult<i64> {
    let done = dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into bank_line_disposal (bank_line_id, kind, amount, reason, refund_reference, \
             refunded_on, recorded_by, recorded_at) values ($1, $2, $3, $4, $5, $6, $7, $8) \
             returning disposal_id",
        )
        .bind(d.line_id)
        .bind(d.kind)
        .bind(d.amount)
        .bind(d.reason)
        .bind(d.refund_reference)
        .bind(d.refunded_on)
        .bind(d.by)
        .bind(now())
        .fetch_one(&mut *c)
        .await
    });
    done.map_err(|e| StoreError::on_unique(e, "bank line disposal"))
}

pub async fn disposal(tx: &mut Tx, id: i64) -> StoreResult<Option<DisposalRow>> {
    let sql = format!("{DISPOSAL} where disposal_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, DisposalRow>(&sql).bind(id).fetch_optional(&mut *c).await?
    }))
}

/// Reverse a live disposal; `Conflict` when it already was.
pub async fn reverse_disposal(tx: &mut Tx, id: i64, by: i64, reason: &str) -> StoreResult<()> {
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update bank_line_disposal set reversed_at = $1, reversed_by = $2, reversal_reason = $3 \
             where disposal_id = $4 and reversed_at is null",
        )
        .bind(now())
        .bind(by)
        .bind(reason)
        .bind(id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

/// Disposals of a line, newest first, reversed ones included.
pub async fn disposals_of_line(tx: &mut Tx, line_id: i64) -> StoreResult<Vec<DisposalRow>> {
    let sql = format!("{DISPOSAL} where bank_line_id = $1 order by disposal_id desc");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, DisposalRow>(&sql).bind(line_id).fetch_all(&mut *c).await?
    }))
}

/// The order of the disposals in effect: by when each was recorded (its id).
pub fn disposal_order(descending: bool) -> Order {
    Order::by_id("disposal_id", descending)
}

/// One page of the disposals still in effect (for finance to reverse one), with the
/// (capped) total.
pub async fn disposals_in_effect(tx: &mut Tx, seek: &Seek) -> StoreResult<Paged<DisposalRow>> {
    let mut w = Sql::default();
    w.when("reversed_at is null");
    let sql = seek::page_sql(DISPOSAL, "from bank_line_disposal", &w, seek);
    seek::read(tx, &sql, seek, |r: &DisposalRow| {
        (Key::Int(r.disposal_id), r.disposal_id)
    })
    .await
}

/// Live payments made from a line.
pub async fn payments_of_line(tx: &mut Tx, line_id: i64) -> StoreResult<Vec<(i64, i64, i64)>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, (i64, i64, i64)>(
            "select payment_id, policy_id, amount from payment where bank_line_id = $1 \
             and reversed_at is null order by payment_id",
        )
        .bind(line_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

/// `(arm, policy)` rows grouped back per arm (0..n), each arm's ids in order.
fn per_arm(n: usize, rows: Vec<(i64, i64)>) -> Vec<Vec<i64>> {
    let mut out = vec![Vec::new(); n];
    for (arm, id) in rows {
        if let Some(v) = usize::try_from(arm).ok().and_then(|a| out.get_mut(a)) {
            v.push(id);
        }
    }
    for v in &mut out {
        v.sort_unstable();
        v.dedup();
    }
    out
}

/// Names (and amounts) of a page of lines, each with the line it came from. PostgreSQL
/// reads them as arrays joined `lateral` to one index look-up each (one plan, whatever
/// the page holds: a `union all` of 50 arms cost more to plan than to run); SQLite,
/// whose planning is cheap, as one `union all` arm per look-up.
async fn per_line(
    tx: &mut Tx,
    n: usize,
    keys: Vec<(i64, super::seek::Arg)>,
    pg: &str,
    sqlite_arm: &str,
) -> StoreResult<Vec<Vec<i64>>> {
    use super::seek::Arg;
    if keys.is_empty() {
        return Ok(vec![Vec::new(); n]);
    }
    let rows: Vec<(i64, i64)> = match tx {
        Tx::Postgres(t) => {
            let arms: Vec<i64> = keys.iter().map(|(a, _)| *a).collect();
            let q = sqlx::query_as::<_, (i64, i64)>(pg).bind(arms);
            let q = match keys.first().map(|(_, k)| k) {
                Some(Arg::Int(_)) => q.bind(
                    keys.iter()
                        .filter_map(|(_, k)| match k {
                            Arg::Int(v) => Some(*v),
                            _ => None,
                        })
                        .collect::<Vec<i64>>(),
                ),
                _ => q.bind(
                    keys.iter()
                        .filter_map(|(_, k)| match k {
                            Arg::Text(v) => Some(v.clone()),
                            _ => None,
                        })
                        .collect::<Vec<String>>(),
                ),
            };
            q.fetch_all(&mut **t).await?
        }
        Tx::Sqlite(t) => {
            let mut w = super::seek::Sql::default();
            let arms: Vec<String> = keys
                .into_iter()
                .map(|(arm, k)| {
                    let p = w.arg(k);
                    sqlite_arm
                        .replace("{arm}", &arm.to_string())
                        .replace("{key}", &p)
                })
                .collect();
            let sql = arms.join(" union all ");
            crate::bind_args!(sqlx::query_as::<_, (i64, i64)>(&sql), w.args)
                .fetch_all(&mut **t)
                .await?
        }
    };
    Ok(per_arm(n, rows))
}

/// Issued policies of makers named like each payer: for each set of a payer's name
/// variants, the first `50 × variants` policies by id of makers with one of those
/// names. One statement for a page of lines (was one per line).
pub async fn policies_of_makers_named(
    tx: &mut Tx,
    sets: &[Vec<String>],
) -> StoreResult<Vec<Vec<i64>>> {
    // A name's first 150 (three variants at most) are enough for any set.
    const PER_NAME: usize = 150;
    let keys: Vec<(i64, super::seek::Arg)> = sets
        .iter()
        .enumerate()
        .flat_map(|(i, names)| {
            names
                .iter()
                .map(move |n| (i as i64, super::seek::Arg::Text(n.clone())))
        })
        .collect();
    let pg = format!(
        "select a.arm, l.policy_id from unnest($1::bigint[], $2::text[]) a(arm, name) \
         cross join lateral (select p.policy_id from party m join policy p on p.maker_id = m.party_id \
         where m.name = a.name and p.policy_number is not null order by p.policy_id limit {PER_NAME}) l"
    );
    let sqlite = format!(
        "select {{arm}}, q.policy_id from (select p.policy_id from policy p \
         join party m on m.party_id = p.maker_id where m.name = {{key}} \
         and p.policy_number is not null order by p.policy_id limit {PER_NAME}) q"
    );
    let mut out = per_line(tx, sets.len(), keys, &pg, &sqlite).await?;
    for (ids, names) in out.iter_mut().zip(sets) {
        ids.truncate(50 * names.len());
    }
    Ok(out)
}

/// Live invoices with one of these numbers (four characters or more), by invoice id:
/// (policy, invoice number). One look-up of the unique number index per candidate
/// (`domain::billing::suspense::invoice_numbers_in` reads them from references).
pub async fn invoices_numbered(tx: &mut Tx, numbers: &[String]) -> StoreResult<Vec<(i64, String)>> {
    use super::seek::{Arg, Sql};
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = Sql::default();
    let list: Vec<String> = numbers
        .iter()
        .map(|n| w.arg(Arg::Text(n.clone())))
        .collect();
    let sql = format!(
        "select policy_id, number from invoice where number in ({}) and voided_at is null \
         and length(number) >= 4 order by invoice_id",
        list.join(", ")
    );
    Ok(dispatch!(tx, c => {
        crate::bind_args!(sqlx::query_as::<_, (i64, String)>(&sql), w.args)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// For each amount (fen), the issued policies with an installment of exactly it or a
/// single premium of it (the first 20 by id): one statement for a page of lines, each
/// side one range of `installment_amount_idx` / `policy_version_issue_premium_idx`.
pub async fn policies_owing_amounts(tx: &mut Tx, amounts: &[i64]) -> StoreResult<Vec<Vec<i64>>> {
    let keys: Vec<(i64, super::seek::Arg)> = amounts
        .iter()
        .enumerate()
        .map(|(i, a)| (i as i64, super::seek::Arg::Int(*a)))
        .collect();
    let pg = "select a.arm, l.policy_id from unnest($1::bigint[], $2::bigint[]) a(arm, amount) \
        cross join lateral (select policy_id from ((select i.policy_id from installment i \
        where i.amount = a.amount order by i.policy_id limit 20) union (select v.policy_id \
        from policy_version v where v.kind = 'issue' and v.premium = a.amount \
        order by v.policy_id limit 20)) u order by policy_id limit 20) l";
    let sqlite = "select {arm}, q.policy_id from (select policy_id from \
        (select * from (select i.policy_id from installment i where i.amount = {key} \
        order by i.policy_id limit 20) union select * from (select v.policy_id \
        from policy_version v where v.kind = 'issue' and v.premium = {key} \
        order by v.policy_id limit 20)) order by policy_id limit 20) q";
    per_line(tx, amounts.len(), keys, pg, sqlite).await
}

pub async fn import(tx: &mut Tx, import_id: i64) -> StoreResult<Option<super::billing::ImportRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, super::billing::ImportRow>(
            "select import_id, filename, sha256, lines, imported, duplicates, unmatched, imported_by, \
             imported_at from statement_import where import_id = $1",
        )
        .bind(import_id)
        .fetch_optional(&mut *c)
        .await?
    }))
}
