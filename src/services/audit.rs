//! Reading and verifying the audit log.

use super::{Actor, ServiceResult};
use crate::paging::{Cursor, Paged, Seek};
use crate::services::Ctx;
use crate::store::audit::{self, AuditRow, Walked};
use crate::store::audit_check::{self, Checkpoint};
use crate::store::audit_list::{self, AuditFilter};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One audited event as auditors and staff read it (审计记录). Sealed entries carry
/// their place in the chain; an entry still waiting to be sealed has no `seq` and no
/// hashes yet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    /// Position in the chain; `None` while the entry waits in the journal to be sealed.
    pub seq: Option<i64>,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The record before the change (JSON text).
    pub before_json: Option<String>,
    /// The record after the change (JSON text).
    pub after_json: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

impl From<AuditRow> for AuditEntryView {
    fn from(r: AuditRow) -> Self {
        AuditEntryView {
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before_json: r.before_json,
            after_json: r.after_json,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// Audit rows to views, in order.
pub fn entries(rows: Vec<AuditRow>) -> Vec<AuditEntryView> {
    rows.into_iter().map(AuditEntryView::from).collect()
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChainReport {
    /// `rows` sealed rows chain correctly to the head; `waiting` entries were committed
    /// after the seal and are not chained yet.
    Intact {
        rows: i64,
        last_hash: String,
        waiting: i64,
    },
    Broken {
        at_seq: i64,
        reason: String,
    },
}

/// How far the chain has been verified (已核验至), as pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointView {
    /// Rows 1 ..= seq chain correctly (as of `verified_at`).
    pub seq: i64,
    pub verified_at: DateTime<Utc>,
    /// Set when the walk after `seq` found a broken row: which, and why.
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

impl From<Checkpoint> for CheckpointView {
    fn from(c: Checkpoint) -> Self {
        CheckpointView {
            seq: c.seq,
            verified_at: c.verified_at,
            broken_at: c.broken_at,
            reason: c.reason,
        }
    }
}

/// Filters of the audit list, as a reader gives them; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// The actor's name as recorded (exact).
    pub actor: Option<String>,
    /// The record: its type (policy, claim, party, …) and optionally its id.
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// The action (exact, e.g. `policy.issue`), or every action under a prefix that
    /// ends with a dot (`claim.`).
    pub action: Option<String>,
    /// From this instant (inclusive) to that one (exclusive).
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl From<&AuditQuery> for AuditFilter {
    fn from(q: &AuditQuery) -> Self {
        AuditFilter {
            actor: q.actor.clone(),
            entity_type: q.entity_type.clone(),
            entity_id: q.entity_id.clone(),
            action: q.action.clone(),
            from: q.from,
            until: q.until,
        }
    }
}

/// A page request of the audit list: newest first, `limit` rows after the cursor
/// `after` (the `next`/`prev` of a page read before; anything else reads the first page).
fn audit_seek(limit: i64, after: Option<&str>) -> Seek {
    let order = audit_list::order();
    Seek {
        limit,
        cursor: after.and_then(|a| Cursor::decode(a, order.kind)),
        order,
    }
}

/// Seal what is waiting, then walk the whole chain (`audit verify`); the checkpoint
/// becomes what this walk found.
#[tracing::instrument(skip_all)]
pub async fn verify(ctx: &Ctx<'_>) -> ServiceResult<ChainReport> {
    let db = ctx.db;
    seal(ctx).await?;
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
#[tracing::instrument(skip_all)]
pub async fn check(ctx: &Ctx<'_>) -> ServiceResult<CheckpointView> {
    let db = ctx.db;
    let mut tx = db.write().await?;
    let cp = audit_check::advance(&mut tx).await?;
    tx.commit().await?;
    Ok(cp.into())
}

/// What pages show about the chain: the checkpoint (no walk) and how many entries wait
/// to be sealed.
#[tracing::instrument(skip_all)]
pub async fn status(ctx: &Ctx<'_>) -> ServiceResult<(Option<CheckpointView>, i64)> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    let cp = audit_check::get(&mut tx).await?;
    let waiting = audit::waiting(&mut tx).await?;
    Ok((cp.map(CheckpointView::from), waiting))
}

/// Chain every committed journal entry (see `store::audit::seal`).
#[tracing::instrument(skip_all)]
pub async fn seal(ctx: &Ctx<'_>) -> ServiceResult<u64> {
    let db = ctx.db;
    let mut tx = db.write().await?;
    let sealed = audit::seal(&mut tx).await?;
    tx.commit().await?;
    Ok(sealed)
}

/// Seal in the background while the service runs, so the chain trails the journal by at
/// most about `every`.
pub fn spawn_sealer(
    shared: crate::services::Services,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = seal(&shared.ctx()).await {
                tracing::warn!(error = %e, "audit seal failed");
            } else if let Err(e) = check(&shared.ctx()).await {
                tracing::warn!(error = %e, "audit check failed");
            }
        }
    })
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn latest(
    ctx: &Ctx<'_>,
    actor: &Actor,
    limit: i64,
) -> ServiceResult<Vec<AuditEntryView>> {
    let db = ctx.db;
    actor.require(actor.role.reads_audit(), "read the audit log")?;
    let mut tx = db.read().await?;
    Ok(entries(audit::latest(&mut tx, limit.clamp(1, 500)).await?))
}

/// The history of one record; callers check first that the actor may see the record.
#[tracing::instrument(skip_all)]
pub async fn history(
    ctx: &Ctx<'_>,
    entity_type: &str,
    entity_id: &str,
) -> ServiceResult<Vec<AuditEntryView>> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    Ok(entries(
        audit::for_entity(&mut tx, entity_type, entity_id).await?,
    ))
}

/// A page of the audit log matching the query (`limit` rows after the cursor `after`);
/// the first page also carries the entries still waiting to be sealed.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn search(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &AuditQuery,
    after: Option<&str>,
    limit: i64,
) -> ServiceResult<(Vec<AuditEntryView>, Paged<AuditEntryView>)> {
    let db = ctx.db;
    actor.require(actor.role.reads_audit(), "read the audit log")?;
    let f = AuditFilter::from(q);
    let seek = audit_seek(limit, after);
    let mut tx = db.read().await?;
    let waiting = if seek.cursor.is_none() {
        audit_list::waiting(&mut tx, &f, seek.limit).await?
    } else {
        Vec::new()
    };
    let page = audit_list::page(&mut tx, &f, &seek).await?;
    Ok((entries(waiting), page.into_map(AuditEntryView::from)))
}

/// The entries matching the query that wait to be sealed, newest first, at most
/// `limit` (the export's first chunk).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn export_waiting(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &AuditQuery,
    limit: i64,
) -> ServiceResult<Vec<AuditEntryView>> {
    let db = ctx.db;
    actor.require(actor.role.reads_audit(), "read the audit log")?;
    let mut tx = db.read().await?;
    Ok(entries(
        audit_list::waiting(&mut tx, &AuditFilter::from(q), limit).await?,
    ))
}

/// One chunk of sealed entries matching the query, newest first, after the cursor
/// `after` (the export reads chunk after chunk, following `next`).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn export_chunk(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &AuditQuery,
    after: Option<&str>,
    limit: i64,
) -> ServiceResult<Paged<AuditEntryView>> {
    let db = ctx.db;
    actor.require(actor.role.reads_audit(), "read the audit log")?;
    let seek = audit_seek(limit, after);
    let mut tx = db.read().await?;
    let page = audit_list::page(&mut tx, &AuditFilter::from(q), &seek).await?;
    Ok(page.into_map(AuditEntryView::from))
}
