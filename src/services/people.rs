//! People (人员管理): an admin deactivates and reactivates users (停用/启用), unlocks a
//! locked-out sign-in (解锁) and resets a password (重置密码, one-time: it must be changed
//! at the next sign-in); everyone changes their own password (修改密码), giving the current
//! one. Each is one transaction with its audit row; deactivating and resetting end the
//! user's sessions and API tokens in that same transaction, so they stop working at once.

use super::auth::{hash_password, random_token, token_hash, user_throttle_key, verify_password};
use super::users::MIN_PASSWORD_LEN;
use super::{Actor, ServiceError, ServiceResult};
use crate::domain::text::Text;
use crate::services::Ctx;
use crate::store::audit::{self, AuditEntry};
use crate::store::{throttle, users, Tx};
use serde_json::json;

async fn target(tx: &mut Tx, actor: &Actor, user_id: i64) -> ServiceResult<users::UserRow> {
    actor.require(actor.role.manages_users(), "manage users")?;
    users::get(tx, user_id)
        .await?
        .ok_or(ServiceError::NotFound("user"))
}

async fn audited(
    tx: &mut Tx,
    actor: &Actor,
    action: &'static str,
    user_id: i64,
    before: serde_json::Value,
    after: serde_json::Value,
) -> ServiceResult<()> {
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action,
            entity_type: "user",
            entity_id: user_id.to_string(),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Deactivate (`false`) or reactivate (`true`) a user. Deactivating ends every session and
/// revokes every API token at once; reactivating does not bring them back.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn set_active(
    ctx: &Ctx<'_>,
    actor: &Actor,
    user_id: i64,
    active: bool,
) -> ServiceResult<super::users::UserView> {
    let db = ctx.db;
    let mut tx = db.write().await?;
    let user = target(&mut tx, actor, user_id).await?;
    if !active && actor.user_id == user_id {
        return Err(ServiceError::Conflict(Text::new(
            "不能停用自己的账户",
            "you cannot deactivate yourself",
        )));
    }
    if !users::set_active(&mut tx, user_id, active).await? {
        return Ok(user.into());
    }
    let (sessions, tokens) = if active {
        (0, 0)
    } else {
        (
            users::end_sessions(&mut tx, user_id, None).await?,
            users::revoke_tokens_of(&mut tx, user_id).await?,
        )
    };
    audited(
        &mut tx,
        actor,
        if active {
            "user.reactivate"
        } else {
            "user.deactivate"
        },
        user_id,
        json!({"active": !active}),
        json!({"active": active, "sessions_ended": sessions, "tokens_revoked": tokens}),
    )
    .await?;
    let user = users::get(&mut tx, user_id)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    tx.commit().await?;
    Ok(user.into())
}

/// Lift a sign-in lock-out at once (the failures counted against the user name).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn unlock(ctx: &Ctx<'_>, actor: &Actor, user_id: i64) -> ServiceResult<bool> {
    let db = ctx.db;
    let mut tx = db.write().await?;
    let user = target(&mut tx, actor, user_id).await?;
    let was_locked = throttle::clear(&mut tx, &user_throttle_key(&user.username)).await?;
    audited(
        &mut tx,
        actor,
        "user.unlock",
        user_id,
        json!({"locked": was_locked}),
        json!({"locked": false}),
    )
    .await?;
    tx.commit().await?;
    Ok(was_locked)
}

/// Reset a password: a new random one-time password (returned once, to hand over), which
/// must be changed at the next sign-in; the user's sessions and tokens end, and any
/// lock-out is lifted.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn reset_password(ctx: &Ctx<'_>, actor: &Actor, user_id: i64) -> ServiceResult<String> {
    let db = ctx.db;
    let one_time: String = random_token()?.chars().take(16).collect();
    let hash = hash_password(one_time.clone()).await?;
    let mut tx = db.write().await?;
    let user = target(&mut tx, actor, user_id).await?;
    users::set_password(&mut tx, user_id, &hash, true).await?;
    let sessions = users::end_sessions(&mut tx, user_id, None).await?;
    let tokens = users::revoke_tokens_of(&mut tx, user_id).await?;
    throttle::clear(&mut tx, &user_throttle_key(&user.username)).await?;
    audited(
        &mut tx,
        actor,
        "user.reset_password",
        user_id,
        json!({"must_change_password": user.must_change_password}),
        json!({"must_change_password": true, "sessions_ended": sessions, "tokens_revoked": tokens}),
    )
    .await?;
    tx.commit().await?;
    Ok(one_time)
}

/// Change one's own password, giving the current one. Other sessions of the user end (the
/// one in use, `session_token`, stays); a one-time password's mark is cleared.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn change_own_password(
    ctx: &Ctx<'_>,
    actor: &Actor,
    current: &str,
    new: &str,
    session_token: Option<&str>,
) -> ServiceResult<()> {
    let db = ctx.db;
    if new.chars().count() < MIN_PASSWORD_LEN {
        return Err(ServiceError::field(
            "new_password",
            format!("at least {MIN_PASSWORD_LEN} characters"),
            format!("新密码至少{MIN_PASSWORD_LEN}位"),
        ));
    }
    if new == current {
        return Err(ServiceError::field(
            "new_password",
            "choose a password different from the current one",
            "新密码不能与当前密码相同",
        ));
    }
    let mut tx = db.read().await?;
    let user = users::get(&mut tx, actor.user_id)
        .await?
        .ok_or(ServiceError::Unauthenticated)?;
    drop(tx);
    if !verify_password(current.to_string(), user.password_hash.clone()).await {
        return Err(ServiceError::field(
            "current_password",
            "the current password is wrong",
            "当前密码不正确",
        ));
    }
    let hash = hash_password(new.to_string()).await?;
    let mut tx = db.write().await?;
    users::set_password(&mut tx, actor.user_id, &hash, false).await?;
    let keep = session_token.map(token_hash);
    let ended = users::end_sessions(&mut tx, actor.user_id, keep.as_deref()).await?;
    audited(
        &mut tx,
        actor,
        "user.change_password",
        actor.user_id,
        json!({"must_change_password": user.must_change_password}),
        json!({"must_change_password": false, "other_sessions_ended": ended}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
