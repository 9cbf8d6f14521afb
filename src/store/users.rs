//! Users, API tokens and login attempts.

use super::seek::{self, Key, Order, Paged, Seek, Sql};
use super::{now, Db, StoreError, StoreResult, Tx};
use crate::domain::role::Role;
use crate::{dispatch, dispatch_pool};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub maker_id: Option<i64>,
    pub locale: String,
    pub active: bool,
    /// Set by an admin's password reset: the one-time password must be changed at the
    /// next sign-in.
    pub must_change_password: bool,
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub maker_id: Option<i64>,
}

const COLUMNS: &str = "user_id, username, display_name, email, password_hash, role, maker_id, \
     locale, active, must_change_password";

pub async fn insert(tx: &mut Tx, u: &NewUser<'_>) -> StoreResult<UserRow> {
    let sql = format!(
        "insert into app_user (username, display_name, email, password_hash, role, maker_id, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $7) returning {COLUMNS}"
    );
    let row = dispatch!(tx, c => {
        sqlx::query_as::<_, UserRow>(&sql)
            .bind(u.username)
            .bind(u.display_name)
            .bind(u.email)
            .bind(u.password_hash)
            .bind(u.role)
            .bind(u.maker_id)
            .bind(now())
            .fetch_one(&mut *c)
            .await
    });
    row.map_err(|e| StoreError::on_unique(e, "username"))
}

pub async fn by_username(tx: &mut Tx, username: &str) -> StoreResult<Option<UserRow>> {
    let sql = format!("select {COLUMNS} from app_user where username = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, UserRow>(&sql).bind(username).fetch_optional(&mut *c).await?
    }))
}

pub async fn get(tx: &mut Tx, id: i64) -> StoreResult<Option<UserRow>> {
    let sql = format!("select {COLUMNS} from app_user where user_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(&mut *c).await?
    }))
}

/// The user list's order: by when each was created (its id).
pub fn order(descending: bool) -> Order {
    Order::by_id("user_id", descending)
}

/// One page of users with the (capped) total.
pub async fn list(tx: &mut Tx, seek: &Seek) -> StoreResult<Paged<UserRow>> {
    let select = format!("select {COLUMNS} from app_user");
    let sql = seek::page_sql(&select, "from app_user", &Sql::default(), seek);
    seek::read(tx, &sql, seek, |r: &UserRow| {
        (Key::Int(r.user_id), r.user_id)
    })
    .await
}

pub async fn count(tx: &mut Tx) -> StoreResult<i64> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>("select count(*) from app_user").fetch_one(&mut *c).await?
    }))
}

pub async fn set_locale(tx: &mut Tx, user_id: i64, locale: &str) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query("update app_user set locale = $1, updated_at = $2 where user_id = $3")
            .bind(locale)
            .bind(now())
            .bind(user_id)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

pub async fn record_attempt(tx: &mut Tx, username: &str, succeeded: bool) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query("insert into login_attempt (username, succeeded, attempted_at) values ($1, $2, $3)")
            .bind(username)
            .bind(succeeded)
            .bind(now())
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Failed attempts for this name since `since`, counted after its last success.
pub async fn recent_failures(
    tx: &mut Tx,
    username: &str,
    since: DateTime<Utc>,
) -> StoreResult<(i64, Option<DateTime<Utc>>)> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(
            "select count(*), max(attempted_at) from login_attempt where username = $1 and not succeeded \
             and attempted_at >= $2 and attempted_at > coalesce((select max(attempted_at) from login_attempt \
             where username = $1 and succeeded), $2)",
        )
        .bind(username)
        .bind(since)
        .fetch_one(&mut *c)
        .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub api_token_id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn insert_token(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    token_hash: &str,
) -> StoreResult<i64> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into api_token (user_id, name, token_hash, created_at) values ($1, $2, $3, $4) \
             returning api_token_id",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    }))
}

/// The active user behind a token hash, if the token is not revoked.
/// The active user behind an unrevoked token. One statement, no transaction: it runs
/// on every API request.
pub async fn user_for_token(db: &Db, token_hash: &str) -> StoreResult<Option<UserRow>> {
    let sql = format!(
        "select {} from app_user u join api_token t on t.user_id = u.user_id \
         where t.token_hash = $1 and t.revoked_at is null and u.active",
        COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(dispatch_pool!(db, p => {
        sqlx::query_as::<_, UserRow>(&sql).bind(token_hash).fetch_optional(p).await?
    }))
}

pub async fn tokens_of(tx: &mut Tx, user_id: i64) -> StoreResult<Vec<TokenRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, TokenRow>(
            "select api_token_id, user_id, name, created_at, revoked_at from api_token where user_id = $1 order by api_token_id",
        )
        .bind(user_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

pub async fn revoke_token(tx: &mut Tx, token_id: i64) -> StoreResult<bool> {
    Ok(dispatch!(tx, c => {
        sqlx::query("update api_token set revoked_at = $1 where api_token_id = $2 and revoked_at is null")
            .bind(now())
            .bind(token_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    }) == 1)
}

/// Activate or deactivate a user (停用/启用); false when it already was.
pub async fn set_active(tx: &mut Tx, user_id: i64, active: bool) -> StoreResult<bool> {
    Ok(dispatch!(tx, c => {
        sqlx::query("update app_user set active = $1, updated_at = $2 where user_id = $3 and active <> $1")
            .bind(active)
            .bind(now())
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    }) == 1)
}

/// A new password hash; `must_change` marks an admin's one-time password.
pub async fn set_password(
    tx: &mut Tx,
    user_id: i64,
    password_hash: &str,
    must_change: bool,
) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "update app_user set password_hash = $1, must_change_password = $2, updated_at = $3 \
             where user_id = $4",
        )
        .bind(password_hash)
        .bind(must_change)
        .bind(now())
        .bind(user_id)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// End every web session of a user, except the one with `keep_hash` (if any).
pub async fn end_sessions(tx: &mut Tx, user_id: i64, keep_hash: Option<&str>) -> StoreResult<u64> {
    Ok(dispatch!(tx, c => {
        sqlx::query("delete from web_session where user_id = $1 and session_hash <> coalesce($2, '')")
            .bind(user_id)
            .bind(keep_hash)
            .execute(&mut *c)
            .await?
            .rows_affected()
    }))
}

/// Revoke every API token of a user; how many were live.
pub async fn revoke_tokens_of(tx: &mut Tx, user_id: i64) -> StoreResult<u64> {
    Ok(dispatch!(tx, c => {
        sqlx::query("update api_token set revoked_at = $1 where user_id = $2 and revoked_at is null")
            .bind(now())
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    }))
}
