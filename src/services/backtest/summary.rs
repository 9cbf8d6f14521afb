//! Upkeep of the backtest summaries (migration 0010): the triggers keep them current in
//! every writing transaction; here they are compacted (on the schedule's poll, or by
//! hand), checked against a full recomputation, and — as a repair — rebuilt from it.

use crate::services::Ctx;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::audit::{append, AuditEntry};
use crate::store::backtest::summary::{self, Compaction, Drift};
use serde_json::json;

/// Fold the delta rows into one row per key. Changes no figure, so it is not audited.
#[tracing::instrument(skip_all)]
pub async fn compact(ctx: &Ctx<'_>) -> ServiceResult<Compaction> {
    let db = ctx.db;
    let mut tx = db.write().await?;
    let c = summary::compact(&mut tx).await?;
    tx.commit().await?;
    Ok(c)
}

/// Where the summaries and a full recomputation from the source tables disagree.
#[tracing::instrument(skip_all)]
pub async fn verify(ctx: &Ctx<'_>) -> ServiceResult<Drift> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    let d = summary::differences(&mut tx).await?;
    tx.commit().await?;
    Ok(d)
}

/// Replace the summaries by the full recomputation (administrators); audited with the
/// drift it repaired.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn rebuild(ctx: &Ctx<'_>, actor: &Actor) -> ServiceResult<Drift> {
    let db = ctx.db;
    actor.require(
        actor.role == crate::domain::role::Role::Admin,
        "rebuild the backtest summaries",
    )?;
    let mut tx = db.write().await?;
    let before = summary::differences(&mut tx).await?;
    summary::rebuild(&mut tx).await?;
    let after = summary::differences(&mut tx).await?;
    if !after.is_none() {
        return Err(ServiceError::Internal(format!(
            "backtest summaries still differ after a rebuild: {after:?}"
        )));
    }
    append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "backtest.summary_rebuild",
            entity_type: "backtest_summary",
            entity_id: "all".into(),
            before: Some(
                json!({"premium_keys": before.premium_keys, "loss_keys": before.loss_keys}),
            ),
            after: Some(json!({"premium_keys": 0, "loss_keys": 0})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(before)
}
