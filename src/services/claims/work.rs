//! Claim work management (理赔作业): assigning a claim to a handler (经办人) and
//! reassigning it, and internal notes (内部备注). A claims manager assigns anyone who
//! handles claims; a handler may take an unassigned claim for themself. Notes are for
//! staff only: a client never reads them (not on the API, not on a page, not in the
//! claim's timeline — their audit rows are kept under `claim_note`).

use super::staff_view::{views, ClaimHandlerView, ClaimNoteView};
use super::{load_for_change, log, require_handler, snapshot};
use crate::domain::claims::ClaimState;
use crate::domain::text::Text;
use crate::services::Ctx;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::claim_work as work;
use crate::store::users;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// The handler to assign; yourself when absent.
    #[serde(default)]
    pub user_id: Option<i64>,
    /// Why (e.g. for a reassignment).
    #[serde(default)]
    pub note: String,
}

/// Who may be given claims (for the assignment form).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn handlers(ctx: &Ctx<'_>, actor: &Actor) -> ServiceResult<Vec<ClaimHandlerView>> {
    require_handler(actor, "see claims handlers")?;
    let mut tx = ctx.db.read().await?;
    Ok(views(work::handlers(&mut tx).await?))
}

/// Assign (or reassign) a claim. Audited with the previous and the new handler.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn assign(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    input: AssignInput,
) -> ServiceResult<super::ClaimView> {
    require_handler(actor, "assign claims")?;
    let note = input.note.trim();
    if note.chars().count() > 500 {
        return Err(ServiceError::field(
            "note",
            "at most 500 characters",
            "说明不超过 500 个字符",
        ));
    }
    let target_id = input.user_id.unwrap_or(actor.user_id);
    let manager = actor.role.approves_claims();
    let mut tx = ctx.db.write().await?;
    let row = load_for_change(&mut tx, actor, claim_id).await?;
    if row.state == ClaimState::Closed {
        return Err(ServiceError::Conflict(Text::new(
            "赔案已结案，不能分配",
            "the claim is closed; reopen it first",
        )));
    }
    if !manager && (target_id != actor.user_id || row.assigned_to.is_some()) {
        return Err(ServiceError::Forbidden(
            "assign claims to others or take an assigned claim (a claims manager does that)",
        ));
    }
    if row.assigned_to == Some(target_id) {
        return Err(ServiceError::Conflict(Text::new(
            "赔案已分配给该理赔员",
            "the claim is already assigned to this handler",
        )));
    }
    let target = users::get(&mut tx, target_id)
        .await?
        .filter(|u| u.active)
        .filter(|u| u.role.handles_claims())
        .ok_or_else(|| {
            ServiceError::field(
                "user_id",
                "choose an active claims handler or manager",
                "请选择在岗的理赔员或理赔主管",
            )
        })?;
    let before = snapshot(&row);
    work::set_assignee(&mut tx, claim_id, row.version, target_id).await?;
    work::add_assignment(
        &mut tx,
        claim_id,
        target_id,
        row.assigned_to,
        actor.user_id,
        note,
    )
    .await?;
    let row = super::store::get(&mut tx, claim_id)
        .await?
        .ok_or(ServiceError::NotFound("claim"))?;
    let mut after = snapshot(&row);
    after["assignment"] = json!({"from": before["assigned_to"], "to": target_id,
        "to_name": target.display_name, "note": note});
    let action = if before["assigned_to"].is_null() {
        "claim.assign"
    } else {
        "claim.reassign"
    };
    log(&mut tx, actor, action, claim_id, Some(before), after).await?;
    tx.commit().await?;
    Ok(super::ClaimView::from(&row))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// 内部备注, at most 4,000 characters; staff only.
    pub body: String,
}

/// Add an internal note. Claims staff only.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn add_note(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    input: NoteInput,
) -> ServiceResult<ClaimNoteView> {
    require_handler(actor, "write claim notes")?;
    let body = input.body.trim();
    if body.is_empty() {
        return Err(ServiceError::field("body", "write the note", "请填写备注"));
    }
    if body.chars().count() > 4000 {
        return Err(ServiceError::field(
            "body",
            "a note is at most 4,000 characters",
            "备注不超过 4000 个字符",
        ));
    }
    let mut tx = ctx.db.write().await?;
    load_for_change(&mut tx, actor, claim_id).await?;
    let note = work::add_note(&mut tx, claim_id, body, actor.user_id).await?;
    // Its own entity type, so the claim's timeline (which a client may read) never
    // carries a note.
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "claim.note",
            entity_type: "claim_note",
            entity_id: claim_id.to_string(),
            before: None,
            after: Some(json!({"note_id": note.note_id, "claim_id": claim_id, "body": body})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(note.into())
}
