//! Reading and verifying the audit log.

use super::{Actor, ServiceResult};
use crate::store::audit::{self, AuditRow, ChainReport};
use crate::store::Db;

/// Seal what is waiting, then walk the whole chain.
pub async fn verify(db: &Db) -> ServiceResult<ChainReport> {
    seal(db).await?;
    let mut tx = db.read().await?;
    Ok(audit::verify(&mut tx).await?)
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
