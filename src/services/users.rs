//! User administration: create users and API tokens, bootstrap the first admin.

use super::auth::{hash_password, random_token, token_hash};
use super::{Actor, FieldError, ServiceError, ServiceResult};
use crate::domain::role::Role;
use crate::services::Ctx;
use crate::store::audit::{self, AuditEntry};
use crate::store::{parties, users};
use serde_json::json;

/// A user account as administrators see it (never the password hash).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub maker_id: Option<i64>,
    pub locale: String,
    pub active: bool,
    /// Set by an admin's password reset: the one-time password must be changed at the
    /// next sign-in.
    pub must_change_password: bool,
}

impl From<users::UserRow> for UserView {
    fn from(u: users::UserRow) -> Self {
        UserView {
            user_id: u.user_id,
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            role: u.role,
            maker_id: u.maker_id,
            locale: u.locale,
            active: u.active,
            must_change_password: u.must_change_password,
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    pub password: String,
    pub role: Role,
    /// Required for clients: the maker they act for.
    pub maker_id: Option<i64>,
}

pub const MIN_PASSWORD_LEN: usize = 10;

fn validate(input: &NewUserInput) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = input.username.trim();
    if name.len() < 3
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        errs.push(FieldError::new(
            "username",
            "3–64 characters: letters, digits, '.', '_' or '-'",
            "用户名为3至64位字母、数字或“._-”",
        ));
    }
    if input.password.chars().count() < MIN_PASSWORD_LEN {
        errs.push(FieldError::new(
            "password",
            format!("at least {MIN_PASSWORD_LEN} characters"),
            format!("密码至少{MIN_PASSWORD_LEN}位"),
        ));
    }
    match (input.role, input.maker_id) {
        (Role::Client, None) => errs.push(FieldError::new(
            "maker_id",
            "a client user must be bound to one maker",
            "客户用户必须绑定一家制造企业",
        )),
        (r, Some(_)) if r != Role::Client => errs.push(FieldError::new(
            "maker_id",
            "only client users are bound to a maker",
            "只有客户用户绑定制造企业",
        )),
        _ => {}
    }
    errs
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn create(ctx: &Ctx<'_>, actor: &Actor, input: NewUserInput) -> ServiceResult<UserView> {
    let db = ctx.db;
    actor.require(actor.role.manages_users(), "manage users")?;
    let errs = validate(&input);
    if !errs.is_empty() {
        return Err(ServiceError::Validation(errs));
    }
    let hash = hash_password(input.password.clone()).await?;
    let mut tx = db.write().await?;
    if let Some(maker_id) = input.maker_id {
        let maker = parties::get(&mut tx, maker_id).await?;
        if maker.map(|m| m.kind != "maker").unwrap_or(true) {
            return Err(ServiceError::field(
                "maker_id",
                "no such maker",
                "无此制造企业",
            ));
        }
    }
    let row = users::insert(
        &mut tx,
        &users::NewUser {
            username: input.username.trim(),
            display_name: input.display_name.trim(),
            email: input.email.trim(),
            password_hash: &hash,
            role: input.role.as_str(),
            maker_id: input.maker_id,
        },
    )
    .await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "user.create",
            entity_type: "user",
            entity_id: row.user_id.to_string(),
            before: None,
            after: Some(
                json!({"username": row.username, "role": row.role.as_str(), "maker_id": row.maker_id}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Create a bearer token for a user; the secret is returned once and stored hashed.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn create_token(
    ctx: &Ctx<'_>,
    actor: &Actor,
    username: &str,
    name: &str,
) -> ServiceResult<(i64, String)> {
    let db = ctx.db;
    let mut tx = db.write().await?;
    let user = users::by_username(&mut tx, username)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    actor.require(
        actor.role.manages_users() || actor.user_id == user.user_id,
        "create tokens for others",
    )?;
    let secret = format!("fc_{}", random_token()?);
    let id = users::insert_token(&mut tx, user.user_id, name, &token_hash(&secret)).await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "token.create",
            entity_type: "api_token",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"user_id": user.user_id, "name": name})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((id, secret))
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn revoke_token(ctx: &Ctx<'_>, actor: &Actor, token_id: i64) -> ServiceResult<()> {
    let db = ctx.db;
    actor.require(actor.role.manages_users(), "revoke tokens")?;
    let mut tx = db.write().await?;
    if !users::revoke_token(&mut tx, token_id).await? {
        return Err(ServiceError::NotFound("active token"));
    }
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "token.revoke",
            entity_type: "api_token",
            entity_id: token_id.to_string(),
            before: Some(json!({"revoked": false})),
            after: Some(json!({"revoked": true})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn list(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &crate::services::SeekQuery,
) -> ServiceResult<crate::paging::Paged<UserView>> {
    actor.require(actor.role.manages_users(), "list users")?;
    let seek = q.seek(users::order, false);
    let mut tx = ctx.db.read().await?;
    Ok(users::list(&mut tx, &seek).await?.into_map(UserView::from))
}

/// One user (administrators only).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn get(ctx: &Ctx<'_>, actor: &Actor, user_id: i64) -> ServiceResult<UserView> {
    actor.require(actor.role.manages_users(), "list users")?;
    let mut tx = ctx.db.read().await?;
    users::get(&mut tx, user_id)
        .await?
        .map(UserView::from)
        .ok_or(ServiceError::NotFound("user"))
}

/// On first start: create `admin` if there are no users. Returns the password
/// when one was generated (to print once).
#[tracing::instrument(skip_all)]
pub async fn bootstrap_admin(
    ctx: &Ctx<'_>,
    password: Option<String>,
) -> ServiceResult<Option<String>> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    if users::count(&mut tx).await? > 0 {
        return Ok(None);
    }
    drop(tx);
    let generated = password.is_none();
    let password = match password {
        Some(p) => p,
        None => random_token()?.chars().take(20).collect(),
    };
    let input = NewUserInput {
        username: "admin".into(),
        display_name: "系统管理员".into(),
        email: String::new(),
        password: password.clone(),
        role: Role::Admin,
        maker_id: None,
    };
    match create(ctx, &Actor::system(), input).await {
        Ok(_) => Ok(generated.then_some(password)),
        // Another instance created it first.
        Err(ServiceError::Duplicate { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A user may switch the page language; it is remembered.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn set_locale(ctx: &Ctx<'_>, actor: &Actor, locale: &str) -> ServiceResult<()> {
    let db = ctx.db;
    let mut tx = db.write().await?;
    users::set_locale(&mut tx, actor.user_id, locale).await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "user.set_locale",
            entity_type: "user",
            entity_id: actor.user_id.to_string(),
            before: Some(json!({"locale": actor.locale})),
            after: Some(json!({"locale": locale})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
