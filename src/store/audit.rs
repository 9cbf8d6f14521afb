//! The audit log: append-only rows, each hashing the one before it.

use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use serde::Serialize;
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

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditRow {
    pub seq: i64,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of a row: SHA-256 over the previous hash and every field, length-prefixed
/// so no two different rows can produce the same input.
pub fn row_hash(row: &AuditRow) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field(&row.prev_hash);
    field(&row.seq.to_string());
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

/// Append one row in the caller's transaction. Taking the head row serialises
/// writers on PostgreSQL (row lock) and SQLite (the write lock), so the chain never forks.
pub async fn append(tx: &mut Tx, actor: &AuditActor, entry: AuditEntry<'_>) -> StoreResult<i64> {
    let (seq, prev_hash): (i64, String) = dispatch!(tx, c => {
        sqlx::query_as("update audit_head set seq = seq + 1 where id = 1 returning seq, last_hash")
            .fetch_one(&mut *c)
            .await?
    });
    let mut row = AuditRow {
        seq,
        occurred_at: now(),
        actor_id: actor.user_id,
        actor_name: actor.name.clone(),
        action: entry.action.into(),
        entity_type: entry.entity_type.into(),
        entity_id: entry.entity_id,
        before_json: entry.before.map(|v| v.to_string()),
        after_json: entry.after.map(|v| v.to_string()),
        prev_hash,
        hash: String::new(),
    };
    row.hash = row_hash(&row);
    // On PostgreSQL the insert and the new head go in one statement: the head row is
    // locked from the first update to commit, so every round trip saved here is time
    // other writers do not wait. (SQLite has no data-modifying CTEs and no network.)
    let (insert_sql, head_sql) = if tx.is_postgres() {
        (
            "with ins as (insert into audit_log (seq, occurred_at, actor_id, actor_name, action, \
             entity_type, entity_id, before_json, after_json, prev_hash, hash) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning hash) \
             update audit_head set last_hash = (select hash from ins) where id = 1",
            None,
        )
    } else {
        (
            "insert into audit_log (seq, occurred_at, actor_id, actor_name, action, entity_type, \
             entity_id, before_json, after_json, prev_hash, hash) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            Some("update audit_head set last_hash = $1 where id = 1"),
        )
    };
    dispatch!(tx, c => {
        sqlx::query(insert_sql)
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
            .execute(&mut *c)
            .await?;
        if let Some(head) = head_sql {
            sqlx::query(head).bind(&row.hash).execute(&mut *c).await?;
        }
    });
    Ok(seq)
}

const SELECT: &str =
    "select seq, occurred_at, actor_id, actor_name, action, entity_type, entity_id, \
                      before_json, after_json, prev_hash, hash from audit_log";

/// Rows in order, a page at a time (verification walks the whole log this way).
pub async fn page(tx: &mut Tx, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditRow>> {
    let sql = format!("{SELECT} where seq > $1 order by seq limit $2");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, AuditRow>(&sql).bind(after_seq).bind(limit).fetch_all(&mut *c).await?
    }))
}

/// The history of one record, newest first.
pub async fn for_entity(
    tx: &mut Tx,
    entity_type: &str,
    entity_id: &str,
) -> StoreResult<Vec<AuditRow>> {
    let sql = format!("{SELECT} where entity_type = $1 and entity_id = $2 order by seq desc");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, AuditRow>(&sql).bind(entity_type).bind(entity_id).fetch_all(&mut *c).await?
    }))
}

/// The newest rows, for the audit page.
pub async fn latest(tx: &mut Tx, limit: i64) -> StoreResult<Vec<AuditRow>> {
    let sql = format!("{SELECT} order by seq desc limit $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, AuditRow>(&sql).bind(limit).fetch_all(&mut *c).await?
    }))
}

pub async fn head(tx: &mut Tx) -> StoreResult<(i64, String)> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as("select seq, last_hash from audit_head where id = 1").fetch_one(&mut *c).await?
    }))
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChainReport {
    Intact { rows: i64, last_hash: String },
    Broken { at_seq: i64, reason: String },
}

/// Walk the whole chain: contiguous numbering, each row's link and hash, and the head.
pub async fn verify(tx: &mut Tx) -> StoreResult<ChainReport> {
    let mut expected_prev = "0".repeat(64);
    let mut expected_seq = 1i64;
    loop {
        let rows = page(tx, expected_seq - 1, 1000).await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            if row.seq != expected_seq {
                return Ok(ChainReport::Broken {
                    at_seq: expected_seq,
                    reason: format!("row {expected_seq} is missing (next row is {})", row.seq),
                });
            }
            if row.prev_hash != expected_prev {
                return Ok(ChainReport::Broken {
                    at_seq: row.seq,
                    reason: "its link to the previous row does not match".into(),
                });
            }
            if row_hash(&row) != row.hash {
                return Ok(ChainReport::Broken {
                    at_seq: row.seq,
                    reason: "its content does not match its hash (the row was altered)".into(),
                });
            }
            expected_prev = row.hash;
            expected_seq += 1;
        }
    }
    let (head_seq, head_hash) = head(tx).await?;
    if head_seq != expected_seq - 1 || head_hash != expected_prev {
        return Ok(ChainReport::Broken {
            at_seq: expected_seq,
            reason: format!(
                "the log ends at row {} but {head_seq} rows were written (rows were deleted)",
                expected_seq - 1
            ),
        });
    }
    Ok(ChainReport::Intact {
        rows: head_seq,
        last_hash: head_hash,
    })
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
