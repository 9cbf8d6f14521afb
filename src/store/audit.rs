//! The audit log: append-only rows, each hashing the one before it.
//!
//! Writers append to a journal (`audit_journal`) inside their own transaction; a sealer
//! moves committed entries into the chain (`audit_log`) in commit order. Before the
//! journal, every audited transaction locked the chain's head row until commit, so all
//! audited commits across all clients ran one at a time (see docs/BENCHMARKS.md).

use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use sha2::{Digest, Sha256};

/// Who did it, for the audit row.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub user_id: Option<i64>,
    pub name: String,
}

/// One state change to record.
pub struct AuditEntry<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// One audited event. Sealed rows carry their place in the chain; an entry still waiting in
/// the journal (written, committed, not yet sealed) has no `seq` and no hashes yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    /// Position in the chain; `None` while the entry waits in the journal to be sealed.
    pub seq: Option<i64>,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The snapshots stay text on purpose (not `JsonText`): the hash chain seals these exact
    /// bytes, and parsing and re-serialising would change key order and number spelling, so
    /// an old row would no longer verify.
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// The hash of a row at position `seq` after `prev_hash`: SHA-256 over the previous hash and
/// every field, length-prefixed so no two different rows can produce the same input.
pub fn row_hash(prev_hash: &str, seq: i64, row: &AuditRow) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field(prev_hash);
    field(&seq.to_string());
    field(
        &row.occurred_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    );
    field(&row.actor_id.map(|i| i.to_string()).unwrap_or_default());
    field(&row.actor_name);
    field(&row.action);
    field(&row.entity_type);
    field(&row.entity_id);
    field(row.before_json.as_deref().unwrap_or("\u{0}"));
    field(row.after_json.as_deref().unwrap_or("\u{0}"));
    hex::encode(h.finalize())
}

/// Record one state change in the caller's transaction: it commits or rolls back with the
/// change itself. Only the journal is written, which takes no lock shared with other
/// writers, so audited transactions never queue behind each other for the audit log;
/// [`seal`] chains the entry shortly after commit.
pub async fn append(tx: &mut Tx, actor: &AuditActor, entry: AuditEntry<'_>) -> StoreResult<()> {
    let before = entry.before.map(|v| v.to_string());
    let after = entry.after.map(|v| v.to_string());
    dispatch!(tx, c => {
        sqlx::query(
            "insert into audit_journal (occurred_at, actor_id, actor_name, action, entity_type, \
             entity_id, before_json, after_json) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(now())
        .bind(actor.user_id)
        .bind(&actor.name)
        .bind(entry.action)
        .bind(entry.entity_type)
        .bind(&entry.entity_id)
        .bind(&before)
        .bind(&after)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Stands in an entry's `after` for a number that is assigned in the same statement as the
/// entry is written (`policies::save_issued`); replaced before the entry is stored.
pub const NUMBER_MARK: &str = "\u{1}number\u{1}";

/// Put `number` where `NUMBER_MARK` stands in `v`.
pub fn fill_number(v: &mut serde_json::Value, number: &str) {
    match v {
        serde_json::Value::String(s) if s == NUMBER_MARK => *s = number.to_string(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| fill_number(i, number)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|i| fill_number(i, number)),
        _ => {}
    }
}

/// A journal insert as a data-modifying CTE for PostgreSQL, for a caller that must write its
/// audit entry in its own statement: parameters `$first` … `$first + 8` are bound by
/// [`bind_journal_cte`]; `number_from` names the CTE row whose `policy_number` replaces
/// `NUMBER_MARK` in the `after` text.
pub(crate) fn journal_cte(first: usize, number_from: &str) -> String {
    let p: Vec<String> = (first..first + 9).map(|i| format!("${i}")).collect();
    format!(
        "insert into audit_journal (occurred_at, actor_id, actor_name, action, entity_type, \
         entity_id, before_json, after_json) select {}, \
         replace({}, {}, to_json({number_from}.policy_number)::text) from {number_from}",
        p[..7].join(", "),
        p[7],
        p[8]
    )
}

/// Bind the parameters of [`journal_cte`], in order.
pub(crate) fn bind_journal_cte<'q, O>(
    q: sqlx::query::QueryScalar<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    actor: &AuditActor,
    entry: AuditEntry<'q>,
) -> sqlx::query::QueryScalar<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    let mark = serde_json::Value::String(NUMBER_MARK.into()).to_string();
    q.bind(now())
        .bind(actor.user_id)
        .bind(actor.name.clone())
        .bind(entry.action)
        .bind(entry.entity_type)
        .bind(entry.entity_id)
        .bind(entry.before.map(|v| v.to_string()))
        .bind(entry.after.map(|v| v.to_string()))
        .bind(mark)
}

/// Journal entries sealed per round trip batch.
const SEAL_BATCH: i64 = 500;

/// Move every committed journal entry into the chain, oldest first: number it, link it to
/// the previous row and hash it, then drop it from the journal — all in the caller's write
/// transaction. The head row is locked first, so concurrent sealers (several app instances)
/// take turns and the chain never forks; an entry committed late (a long transaction) is
/// simply sealed in a later round, after rows that committed before it. Returns how many
/// entries were sealed.
pub async fn seal(tx: &mut Tx) -> StoreResult<u64> {
    let (start_seq, mut prev_hash): (i64, String) = dispatch!(tx, c => {
        sqlx::query_as("update audit_head set seq = seq where id = 1 returning seq, last_hash")
            .fetch_one(&mut *c)
            .await?
    });
    let mut seq = start_seq;
    loop {
        let batch_start = seq;
        let batch = journal_batch(tx, SEAL_BATCH).await?;
        let done = (batch.len() as i64) < SEAL_BATCH;
        let mut sealed = Vec::with_capacity(batch.len());
        for (journal_id, mut row) in batch {
            seq += 1;
            let hash = row_hash(&prev_hash, seq, &row);
            row.seq = Some(seq);
            row.prev_hash = Some(std::mem::replace(&mut prev_hash, hash.clone()));
            row.hash = Some(hash);
            sealed.push((journal_id, row));
        }
        insert_sealed(tx, &sealed).await?;
        // The journal's delete trigger lets an entry go only once audit_log holds it.
        dispatch!(tx, c => {
            sqlx::query(
                "delete from audit_journal where id in \
                 (select sealed_from from audit_log where seq > $1)",
            )
            .bind(batch_start)
            .execute(&mut *c)
            .await?;
        });
        if done {
            break;
        }
    }
    if seq > start_seq {
        dispatch!(tx, c => {
            sqlx::query("update audit_head set seq = $1, last_hash = $2 where id = 1")
                .bind(seq)
                .bind(&prev_hash)
                .execute(&mut *c)
                .await?;
        });
    }
    Ok(u64::try_from(seq - start_seq).unwrap_or(0))
}

/// Write sealed rows into the chain: on PostgreSQL one statement for the whole batch (the
/// sealer holds the head row meanwhile); on SQLite row by row, which costs no round trips.
async fn insert_sealed(tx: &mut Tx, rows: &[(i64, AuditRow)]) -> StoreResult<()> {
    const COLUMNS: &str = "seq, occurred_at, actor_id, actor_name, action, entity_type, \
        entity_id, before_json, after_json, prev_hash, hash, sealed_from";
    match tx {
        Tx::Postgres(c) => {
            let col = |f: fn(&AuditRow) -> Option<String>| -> Vec<Option<String>> {
                rows.iter().map(|(_, r)| f(r)).collect()
            };
            sqlx::query(&format!(
                "insert into audit_log ({COLUMNS}) select * from unnest($1::bigint[], \
                 $2::timestamptz[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], \
                 $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[])"
            ))
            .bind(rows.iter().map(|(_, r)| r.seq).collect::<Vec<_>>())
            .bind(rows.iter().map(|(_, r)| r.occurred_at).collect::<Vec<_>>())
            .bind(rows.iter().map(|(_, r)| r.actor_id).collect::<Vec<_>>())
            .bind(col(|r| Some(r.actor_name.clone())))
            .bind(col(|r| Some(r.action.clone())))
            .bind(col(|r| Some(r.entity_type.clone())))
            .bind(col(|r| Some(r.entity_id.clone())))
            .bind(col(|r| r.before_json.clone()))
            .bind(col(|r| r.after_json.clone()))
            .bind(col(|r| r.prev_hash.clone()))
            .bind(col(|r| r.hash.clone()))
            .bind(rows.iter().map(|(id, _)| *id).collect::<Vec<_>>())
            .execute(&mut **c)
            .await?;
        }
        Tx::Sqlite(c) => {
            let sql = format!(
                "insert into audit_log ({COLUMNS}) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
            );
            for (journal_id, row) in rows {
                sqlx::query(&sql)
                    .bind(row.seq)
                    .bind(row.occurred_at)
                    .bind(row.actor_id)
                    .bind(&row.actor_name)
                    .bind(&row.action)
                    .bind(&row.entity_type)
                    .bind(&row.entity_id)
                    .bind(&row.before_json)
                    .bind(&row.after_json)
                    .bind(&row.prev_hash)
                    .bind(&row.hash)
                    .bind(journal_id)
                    .execute(&mut **c)
                    .await?;
            }
        }
    }
    Ok(())
}

/// The oldest journal entries, with their journal ids.
async fn journal_batch(tx: &mut Tx, limit: i64) -> StoreResult<Vec<(i64, AuditRow)>> {
    #[derive(sqlx::FromRow)]
    struct Entry {
        id: i64,
        #[sqlx(flatten)]
        row: AuditRow,
    }
    let sql = format!("{JOURNAL} order by id limit $1");
    let rows: Vec<Entry> = dispatch!(tx, c => {
        sqlx::query_as::<_, Entry>(&sql).bind(limit).fetch_all(&mut *c).await?
    });
    Ok(rows.into_iter().map(|e| (e.id, e.row)).collect())
}

/// Sealed rows.
const SELECT: &str =
    "select seq, occurred_at, actor_id, actor_name, action, entity_type, entity_id, \
     before_json, after_json, prev_hash, hash from audit_log";

/// Journal entries not yet sealed, shaped like sealed rows (typed nulls for PostgreSQL).
const JOURNAL: &str = "select id, cast(null as bigint) as seq, occurred_at, actor_id, \
     actor_name, action, entity_type, entity_id, before_json, after_json, \
     cast(null as text) as prev_hash, cast(null as text) as hash from audit_journal";

/// Sealed rows and waiting journal entries together, newest first: entries still in the
/// journal come after every sealed row in the chain, so they sort first.
fn newest_first(filter: &str, limit: &str) -> String {
    let journal = JOURNAL.replacen("select id, ", "select 1 as waiting, id as pos, ", 1);
    format!(
        "select seq, occurred_at, actor_id, actor_name, action, entity_type, entity_id, \
         before_json, after_json, prev_hash, hash from ( \
         {journal} {filter} union all \
         select 0 as waiting, seq as pos, seq, occurred_at, actor_id, actor_name, action, \
         entity_type, entity_id, before_json, after_json, prev_hash, hash from audit_log {filter}) u \
         order by waiting desc, pos desc {limit}"
    )
}

/// Sealed rows in order, a page at a time (verification walks the whole log this way).
pub async fn page(tx: &mut Tx, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditRow>> {
    let sql = format!("{SELECT} where seq > $1 order by seq limit $2");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, AuditRow>(&sql).bind(after_seq).bind(limit).fetch_all(&mut *c).await?
    }))
}

/// The history of one record, newest first, including entries not yet sealed.
pub async fn for_entity(
    tx: &mut Tx,
    entity_type: &str,
    entity_id: &str,
) -> StoreResult<Vec<AuditRow>> {
    let sql = newest_first("where entity_type = $1 and entity_id = $2", "");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, AuditRow>(&sql).bind(entity_type).bind(entity_id).fetch_all(&mut *c).await?
    }))
}

/// The newest rows, for the audit page, including entries not yet sealed.
pub async fn latest(tx: &mut Tx, limit: i64) -> StoreResult<Vec<AuditRow>> {
    let sql = newest_first("", "limit $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, AuditRow>(&sql).bind(limit).fetch_all(&mut *c).await?
    }))
}

pub async fn head(tx: &mut Tx) -> StoreResult<(i64, String)> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as("select seq, last_hash from audit_head where id = 1").fetch_one(&mut *c).await?
    }))
}

/// Journal entries committed but not yet sealed.
pub async fn waiting(tx: &mut Tx) -> StoreResult<i64> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar("select count(*) from audit_journal").fetch_one(&mut *c).await?
    }))
}

/// Where a walk along the chain ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Walked {
    /// Every row after the start chains correctly up to `seq` (whose hash is `hash`).
    Intact {
        seq: i64,
        hash: String,
    },
    Broken {
        at_seq: i64,
        reason: String,
    },
}

/// Walk the rows after `from_seq` (whose hash is `from_hash`; 0 and 64 zeros for the
/// start of the log): contiguous numbering, each row's link and hash.
pub async fn walk(tx: &mut Tx, from_seq: i64, from_hash: &str) -> StoreResult<Walked> {
    // The head first: rows sealed after it was read are left for the next walk (the
    // head moves in the transaction that inserts its rows, so every row up to it is
    // visible by now), and a sealer committing meanwhile cannot look like a deletion.
    let (head_seq, head_hash) = head(tx).await?;
    let mut expected_prev = from_hash.to_string();
    let mut expected_seq = from_seq + 1;
    'pages: while expected_seq <= head_seq {
        let rows = page(tx, expected_seq - 1, 1000).await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let seq = row.seq.unwrap_or_default();
            if seq > head_seq {
                break 'pages;
            }
            if seq != expected_seq {
                return Ok(Walked::Broken {
                    at_seq: expected_seq,
                    reason: format!("row {expected_seq} is missing (next row is {seq})"),
                });
            }
            if row.prev_hash.as_deref() != Some(expected_prev.as_str()) {
                return Ok(Walked::Broken {
                    at_seq: seq,
                    reason: "its link to the previous row does not match".into(),
                });
            }
            let hash = row_hash(&expected_prev, seq, &row);
            if row.hash.as_deref() != Some(hash.as_str()) {
                return Ok(Walked::Broken {
                    at_seq: seq,
                    reason: "its content does not match its hash (the row was altered)".into(),
                });
            }
            expected_prev = hash;
            expected_seq += 1;
        }
    }
    if head_seq != expected_seq - 1 || head_hash != expected_prev {
        return Ok(Walked::Broken {
            at_seq: expected_seq,
            reason: format!(
                "the log ends at row {} but {head_seq} rows were written (rows were deleted)",
                expected_seq - 1
            ),
        });
    }
    Ok(Walked::Intact {
        seq: head_seq,
        hash: head_hash,
    })
}

/// The hash before the first row.
pub fn genesis_hash() -> String {
    "0".repeat(64)
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_mark_is_filled_wherever_it_stands_and_nothing_else_changes() {
        let mut v = serde_json::json!({
            "policy_number": NUMBER_MARK, "state": "issued",
            "nested": [{"n": NUMBER_MARK}, "number"], "reason": "number"
        });
        fill_number(&mut v, "FC-2026-000007");
        assert_eq!(
            v,
            serde_json::json!({
                "policy_number": "FC-2026-000007", "state": "issued",
                "nested": [{"n": "FC-2026-000007"}, "number"], "reason": "number"
            })
        );
        // What PostgreSQL's replace() looks for is the mark as JSON text.
        let text = serde_json::json!({"policy_number": NUMBER_MARK}).to_string();
        let mark = serde_json::Value::String(NUMBER_MARK.into()).to_string();
        assert_eq!(
            text.replace(&mark, "\"FC-1\""),
            r#"{"policy_number":"FC-1"}"#
        );
    }
}
