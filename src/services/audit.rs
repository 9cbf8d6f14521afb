//! Reading and verifying the audit log.

use super::{Actor, ServiceResult};
use crate::store::audit::{self, AuditRow, ChainReport};
use crate::store::Db;

pub async fn verify(db: &Db) -> ServiceResult<ChainReport> {
    let mut tx = db.read().await?;
    Ok(audit::verify(&mut tx).await?)
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
