//! Web sessions: the cookie holds a random token; the database keeps only its hash.

use super::{now, StoreResult, Tx};
use crate::dispatch;
use crate::store::users::UserRow;
use chrono::{DateTime, Utc};

pub async fn insert(
    tx: &mut Tx,
    session_hash: &str,
    user_id: i64,
    csrf: &str,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "insert into web_session (session_hash, user_id, csrf_token, created_at, expires_at) \
             values ($1, $2, $3, $4, $5)",
        )
        .bind(session_hash)
        .bind(user_id)
        .bind(csrf)
        .bind(now())
        .bind(expires_at)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// The user and CSRF token of a live session.
pub async fn lookup(tx: &mut Tx, session_hash: &str) -> StoreResult<Option<(UserRow, String)>> {
    let row = dispatch!(tx, c => {
        sqlx::query_as::<_, (i64, String)>(
            "select s.user_id, s.csrf_token from web_session s join app_user u on u.user_id = s.user_id \
             where s.session_hash = $1 and s.expires_at > $2 and u.active",
        )
        .bind(session_hash)
        .bind(now())
        .fetch_optional(&mut *c)
        .await?
    });
    let Some((user_id, csrf)) = row else {
        return Ok(None);
    };
    Ok(super::users::get(tx, user_id).await?.map(|u| (u, csrf)))
}

pub async fn delete(tx: &mut Tx, session_hash: &str) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query("delete from web_session where session_hash = $1 or expires_at < $2")
            .bind(session_hash)
            .bind(now())
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}
