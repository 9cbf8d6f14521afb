//! Claim work management: who handles a claim (经办人) and its assignment history,
//! internal notes (内部备注, staff only) and proof waivers — a decision or approval made
//! while required proof was missing, with its reason.

use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use chrono::{DateTime, Utc};

/// Point the claim at a handler if nobody changed the row since it was read; bumps the
/// claim's version like every other change.
pub async fn set_assignee(
    tx: &mut Tx,
    claim_id: i64,
    version: i64,
    assigned_to: i64,
) -> StoreResult<()> {
    let at = now();
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update claim set assigned_to = $1, updated_at = $2, version = version + 1 \
             where claim_id = $3 and version = $4",
        )
        .bind(assigned_to)
        .bind(at)
        .bind(claim_id)
        .bind(version)
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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssignmentRow {
    pub assignment_id: i64,
    pub claim_id: i64,
    pub assigned_to: i64,
    pub assigned_to_name: String,
    pub previous: Option<i64>,
    pub assigned_by: i64,
    pub assigned_by_name: String,
    pub assigned_at: DateTime<Utc>,
    pub note: String,
}

pub async fn add_assignment(
    tx: &mut Tx,
    claim_id: i64,
    assigned_to: i64,
    previous: Option<i64>,
    by: i64,
    note: &str,
) -> StoreResult<i64> {
    let at = now();
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into claim_assignment (claim_id, assigned_to, previous, assigned_by, assigned_at, note) \
             values ($1, $2, $3, $4, $5, $6) returning assignment_id",
        )
        .bind(claim_id)
        .bind(assigned_to)
        .bind(previous)
        .bind(by)
        .bind(at)
        .bind(note)
        .fetch_one(&mut *c)
        .await?
    }))
}

pub async fn assignments(tx: &mut Tx, claim_id: i64) -> StoreResult<Vec<AssignmentRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, AssignmentRow>(
            "select a.assignment_id, a.claim_id, a.assigned_to, t.display_name as assigned_to_name, \
             a.previous, a.assigned_by, b.display_name as assigned_by_name, a.assigned_at, a.note \
             from claim_assignment a join app_user t on t.user_id = a.assigned_to \
             join app_user b on b.user_id = a.assigned_by where a.claim_id = $1 order by a.assignment_id",
        )
        .bind(claim_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

/// A user who may be given claims: an active claims handler or manager.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HandlerRow {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
}

pub async fn handlers(tx: &mut Tx) -> StoreResult<Vec<HandlerRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, HandlerRow>(
            "select user_id, username, display_name, role from app_user \
             where active and role in ('claims_handler', 'claims_manager') order by display_name, user_id",
        )
        .fetch_all(&mut *c)
        .await?
    }))
}

// ---- internal notes -----------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub note_id: i64,
    pub claim_id: i64,
    pub body: String,
    pub written_by: i64,
    pub written_by_name: String,
    pub written_at: DateTime<Utc>,
}

const NOTE_SELECT: &str = "select n.note_id, n.claim_id, n.body, n.written_by, \
    u.display_name as written_by_name, n.written_at from claim_note n \
    join app_user u on u.user_id = n.written_by";

pub async fn add_note(tx: &mut Tx, claim_id: i64, body: &str, by: i64) -> StoreResult<NoteRow> {
    let at = now();
    let id = dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into claim_note (claim_id, body, written_by, written_at) values ($1, $2, $3, $4) \
             returning note_id",
        )
        .bind(claim_id)
        .bind(body)
        .bind(by)
        .bind(at)
        .fetch_one(&mut *c)
        .await?
    });
    let sql = format!("{NOTE_SELECT} where n.note_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, NoteRow>(&sql).bind(id).fetch_one(&mut *c).await?
    }))
}

pub async fn notes(tx: &mut Tx, claim_id: i64) -> StoreResult<Vec<NoteRow>> {
    let sql = format!("{NOTE_SELECT} where n.claim_id = $1 order by n.note_id");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, NoteRow>(&sql).bind(claim_id).fetch_all(&mut *c).await?
    }))
}

// ---- proof waivers ------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaiverRow {
    pub waiver_id: i64,
    pub claim_id: i64,
    pub approval_id: Option<i64>,
    /// decision or approval
    pub stage: String,
    /// The checklist items missing then (JSON list of {code, zh, en}).
    pub missing_json: String,
    pub reason: String,
    pub given_by: i64,
    pub given_by_name: String,
    pub given_at: DateTime<Utc>,
}

pub struct NewWaiver<'a> {
    pub claim_id: i64,
    pub approval_id: Option<i64>,
    pub stage: &'a str,
    pub missing_json: &'a str,
    pub reason: &'a str,
    pub given_by: i64,
}

pub async fn add_waiver(tx: &mut Tx, w: &NewWaiver<'_>) -> StoreResult<i64> {
    let at = now();
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into claim_proof_waiver (claim_id, approval_id, stage, missing_json, reason, given_by, given_at) \
             values ($1, $2, $3, $4, $5, $6, $7) returning waiver_id",
        )
        .bind(w.claim_id)
        .bind(w.approval_id)
        .bind(w.stage)
        .bind(w.missing_json)
        .bind(w.reason)
        .bind(w.given_by)
        .bind(at)
        .fetch_one(&mut *c)
        .await?
    }))
}

/// Every waiver on a claim, oldest first; `approval_id` narrows to one approval's.
pub async fn waivers(
    tx: &mut Tx,
    claim_id: Option<i64>,
    approval_id: Option<i64>,
) -> StoreResult<Vec<WaiverRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, WaiverRow>(
            "select w.waiver_id, w.claim_id, w.approval_id, w.stage, w.missing_json, w.reason, \
             w.given_by, u.display_name as given_by_name, w.given_at from claim_proof_waiver w \
             join app_user u on u.user_id = w.given_by \
             where ($1 is null or w.claim_id = $1) and ($2 is null or w.approval_id = $2) \
             order by w.waiver_id",
        )
        .bind(claim_id)
        .bind(approval_id)
        .fetch_all(&mut *c)
        .await?
    }))
}
