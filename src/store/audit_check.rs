//! The audit chain's verified checkpoint (已核验至): how far the chain has been walked
//! and found intact. The sealer walks only the rows after it, so no page ever walks
//! the whole log; `audit verify` still walks everything from the first row.

use super::audit::{self, Walked};
use super::{now, StoreResult, Tx};
use crate::dispatch;
use chrono::{DateTime, Utc};

/// What the last verification found.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Checkpoint {
    /// Rows 1 ..= seq chain correctly (as of `verified_at`).
    pub seq: i64,
    pub hash: String,
    pub verified_at: DateTime<Utc>,
    /// Set when the walk after `seq` found a broken row: which, and why.
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

pub async fn get(tx: &mut Tx) -> StoreResult<Option<Checkpoint>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, Checkpoint>(
            "select seq, hash, verified_at, broken_at, reason from audit_checkpoint where id = 1",
        )
        .fetch_optional(&mut *c)
        .await?
    }))
}

async fn put(tx: &mut Tx, cp: &Checkpoint) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "insert into audit_checkpoint (id, seq, hash, verified_at, broken_at, reason) \
             values (1, $1, $2, $3, $4, $5) on conflict (id) do update set seq = excluded.seq, \
             hash = excluded.hash, verified_at = excluded.verified_at, \
             broken_at = excluded.broken_at, reason = excluded.reason",
        )
        .bind(cp.seq)
        .bind(&cp.hash)
        .bind(cp.verified_at)
        .bind(cp.broken_at)
        .bind(&cp.reason)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Walk the rows sealed since the checkpoint and move it: O(new rows). A break is
/// remembered (and the checkpoint stays where the chain was last intact) until a full
/// verification finds the chain intact again.
pub async fn advance(tx: &mut Tx) -> StoreResult<Checkpoint> {
    let start = get(tx).await?;
    if let Some(cp) = start.as_ref().filter(|cp| cp.broken_at.is_some()) {
        return Ok(cp.clone());
    }
    let (seq, hash) = start
        .as_ref()
        .map_or((0, audit::genesis_hash()), |cp| (cp.seq, cp.hash.clone()));
    let walked = audit::walk(tx, seq, &hash).await?;
    record(tx, walked, seq, hash).await
}

/// After a full walk from the first row (`audit verify`): the checkpoint is what it found.
pub async fn reset(tx: &mut Tx, walked: Walked) -> StoreResult<Checkpoint> {
    record(tx, walked, 0, audit::genesis_hash()).await
}

async fn record(tx: &mut Tx, walked: Walked, seq: i64, hash: String) -> StoreResult<Checkpoint> {
    let cp = match walked {
        Walked::Intact { seq, hash } => Checkpoint {
            seq,
            hash,
            verified_at: now(),
            broken_at: None,
            reason: None,
        },
        // The checkpoint stays where the chain was last known intact.
        Walked::Broken { at_seq, reason } => Checkpoint {
            seq,
            hash,
            verified_at: now(),
            broken_at: Some(at_seq),
            reason: Some(reason),
        },
    };
    put(tx, &cp).await?;
    Ok(cp)
}
