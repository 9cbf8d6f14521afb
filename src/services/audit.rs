//! Reading and verifying the audit log.

use super::{Actor, ServiceResult};
use crate::store::audit::{self, AuditRow, ChainReport, Walked};
use crate::store::audit_check::{self, Checkpoint};
use crate::store::audit_list::{self, AuditFilter};
use crate::store::seek::{Paged, Seek};
use crate::store::Db;

/// Seal what is waiting, then walk the whole chain (`audit verify`); the checkpoint
/// becomes what this walk found.
pub async fn verify(db: &Db) -> ServiceResult<ChainReport> {
    seal(db).await?;
    let mut tx = db.read().await?;
    let walked = audit::walk(&mut tx, 0, &audit::genesis_hash()).await?;
    let waiting = audit::waiting(&mut tx).await?;
    drop(tx);
    let mut tx = db.write().await?;
    audit_check::reset(&mut tx, walked.clone()).await?;
    tx.commit().await?;
    Ok(match walked {
        Walked::Intact { seq, hash } => ChainReport::Intact {
            rows: seq,
            last_hash: hash,
            waiting,
        },
        Walked::Broken { at_seq, reason } => ChainReport::Broken { at_seq, reason },
    })
}

/// Verify the rows sealed since the checkpoint and move it (the sealer's second step).
pub async fn check(db: &Db) -> ServiceResult<Checkpoint> {
    let mut tx = db.write().await?;
    let cp = audit_check::advance(&mut tx).await?;
    tx.commit().await?;
    Ok(cp)
}

/// What pages show about the chain: the checkpoint (no walk) and how many entries wait
/// to be sealed.
pub async fn status(db: &Db) -> ServiceResult<(Option<Checkpoint>, i64)> {
    let mut tx = db.read().await?;
    let cp = audit_check::get(&mut tx).await?;
    let waiting = audit::waiting(&mut tx).await?;
    Ok((cp, waiting))
}

/// Chain every committed journal entry (see `store::audit::seal`).
pub async fn seal(db: &Db) -> ServiceResult<u64> {
    let mut tx = db.write().await?;
    let sealed = audit::seal(&mut tx).await?;
    tx.commit().await?;
    Ok(sealed)
}

/// Seal in the background while the service runs, so the chain trails the journal by at
/// most about `every`.
pub fn spawn_sealer(db: Db, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = seal(&db).await {
                tracing::warn!(error = %e, "audit seal failed");
            } else if let Err(e) = check(&db).await {
                tracing::warn!(error = %e, "audit check failed");
            }
        }
    })
}

pub async fn latest(db: &Db, actor: &Actor, limit: i64) -> ServiceResult<Vec<AuditRow>> {
    actor.require(actor.role.reads_audit(), "read the audit log")?;
    let mut tx = db.read().await?;
    Ok(audit::latest(&mut tx, limit.clamp(1, 500)).await?)
}

/// The history of one record; callers check first that the actor may see the record.
pub async fn history(db: &Db, entity_type: &str, entity_id: &str) -> ServiceResult<Vec<AuditRow>> {
    let mut tx = db.read().await?;
    Ok(audit::for_entity(&mut tx, entity_type, entity_id).await?)
}

/// A page of the audit log matching the filter; the first page also carries the
/// entries still waiting to be sealed.
pub async fn search(
    db: &Db,
    actor: &Actor,
    f: &AuditFilter,
    seek: &Seek,
) -> ServiceResult<(Vec<AuditRow>, Paged<AuditRow>)> {
    actor.require(actor.role.reads_audit(), "read the audit log")?;
    let mut tx = db.read().await?;
    let waiting = if seek.cursor.is_none() {
        audit_list::waiting(&mut tx, f, seek.limit).await?
    } else {
        Vec::new()
    };
    let page = audit_list::page(&mut tx, f, seek).await?;
    Ok((waiting, page))
}
