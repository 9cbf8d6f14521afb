//! Sign-in, sessions, API tokens, and throttling of failed sign-ins.

use super::{Actor, ServiceError, ServiceResult};
use crate::config::SecurityConfig;
use crate::services::Ctx;
use crate::store::{sessions, throttle, users};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::Engine;
use chrono::Duration;
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// A fresh random secret: 32 bytes, URL-safe base64.
pub fn random_token() -> ServiceResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| ServiceError::internal_from("draw a random secret", e))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Secrets are stored only as their SHA-256 (they are random, so no salt is needed).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// argon2id, off the async executor (it is deliberately slow).
pub async fn hash_password(password: String) -> ServiceResult<String> {
    tokio::task::spawn_blocking(move || {
        // A fresh salt from the operating system (argon2's default `getrandom` feature).
        PasswordHasher::<PasswordHash>::hash_password(&Argon2::default(), password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| ServiceError::internal_from("hash a password", e))?
}

pub(crate) async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        // A malformed stored hash is simply a failed sign-in.
        PasswordVerifier::<str>::verify_password(&Argon2::default(), password.as_bytes(), &hash)
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A new web session after a successful sign-in.
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
    pub must_change_password: bool,
}

/// The throttle windows a sign-in takes a slot in, most shared first (every attempt
/// takes them in this order, so concurrent attempts cannot deadlock): everyone, the
/// client's address, the user name.
fn throttle_windows(
    sec: &SecurityConfig,
    username: &str,
    address: IpAddr,
) -> [(String, i64, i64); 3] {
    [
        (
            "global".to_string(),
            sec.login_address_window_minutes,
            sec.login_global_max_failures,
        ),
        (
            format!("addr:{address}"),
            sec.login_address_window_minutes,
            sec.login_address_max_failures,
        ),
        (
            user_throttle_key(username),
            sec.login_lockout_minutes,
            sec.login_max_failures,
        ),
    ]
}

/// The throttle key of a user name (an admin's unlock clears it).
pub fn user_throttle_key(username: &str) -> String {
    format!("user:{}", username.trim())
}

/// Check the password from `address`, refusing (429) when the user name, the address or
/// everyone has used up the failures of the current window. The slots are taken before the
/// password is checked, in one committed transaction, so 50 simultaneous attempts check at
/// most the configured number of passwords; a success gives its slots back.
#[tracing::instrument(skip_all)]
pub async fn login(
    ctx: &Ctx<'_>,
    sec: &SecurityConfig,
    username: &str,
    password: &str,
    address: IpAddr,
) -> ServiceResult<NewSession> {
    let db = ctx.db;
    let username = username.trim();
    let windows = throttle_windows(sec, username, address);
    let now = crate::store::now();
    let mut tx = db.write().await?;
    for (key, minutes, limit) in &windows {
        let opened_after = now - Duration::minutes(*minutes);
        if throttle::take_slot(&mut tx, key, now, opened_after, *limit)
            .await?
            .is_none()
        {
            let started = throttle::window_start(&mut tx, key).await?.unwrap_or(now);
            // Dropping the transaction rolls back the slots already taken.
            drop(tx);
            let secs = (started + Duration::minutes(*minutes) - now)
                .num_seconds()
                .max(1);
            return Err(ServiceError::Throttled {
                retry_after_secs: secs,
            });
        }
    }
    let user = users::by_username(&mut tx, username).await?;
    tx.commit().await?;
    let ok = match &user {
        Some(u) => verify_password(password.to_string(), u.password_hash.clone()).await,
        None => {
            // Spend the same time as a real check, so timing does not reveal unknown names.
            hash_password(password.to_string()).await?;
            false
        }
    };
    let actor = user
        .as_ref()
        .filter(|u| ok && u.active)
        .map(Actor::from_row);
    let mut tx = db.write().await?;
    users::record_attempt(&mut tx, username, actor.is_some()).await?;
    let Some(actor) = actor else {
        tx.commit().await?;
        return Err(ServiceError::BadCredentials);
    };
    let must_change_password = user.as_ref().is_some_and(|u| u.must_change_password);
    throttle::clear(&mut tx, &windows[2].0).await?;
    throttle::give_back(&mut tx, &windows[1].0).await?;
    throttle::give_back(&mut tx, &windows[0].0).await?;
    let token = random_token()?;
    let csrf = random_token()?;
    let expires = crate::store::now() + Duration::hours(sec.session_hours);
    sessions::insert(&mut tx, &token_hash(&token), actor.user_id, &csrf, expires).await?;
    tx.commit().await?;
    Ok(NewSession {
        token,
        csrf,
        actor,
        must_change_password,
    })
}

/// The person behind a session cookie.
pub struct SessionUser {
    pub actor: Actor,
    pub csrf: String,
    /// Signed in with an admin's one-time password: only changing it is allowed.
    pub must_change_password: bool,
}

/// The actor and CSRF token behind a session cookie.
#[tracing::instrument(skip_all)]
pub async fn session(ctx: &Ctx<'_>, token: &str) -> ServiceResult<Option<SessionUser>> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    let found = sessions::lookup(&mut tx, &token_hash(token)).await?;
    Ok(found.map(|(u, csrf)| SessionUser {
        actor: Actor::from_row(&u),
        csrf,
        must_change_password: u.must_change_password,
    }))
}

#[tracing::instrument(skip_all)]
pub async fn logout(ctx: &Ctx<'_>, token: &str) -> ServiceResult<()> {
    let db = ctx.db;
    let mut tx = db.write().await?;
    sessions::delete(&mut tx, &token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// The actor behind a bearer token.
#[tracing::instrument(skip_all)]
pub async fn bearer(ctx: &Ctx<'_>, token: &str) -> ServiceResult<Option<Actor>> {
    let db = ctx.db;
    let user = users::user_for_token(db, &token_hash(token)).await?;
    Ok(user.as_ref().map(Actor::from_row))
}

/// Constant-time comparison for CSRF tokens.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &b));
    }

    /// Stored passwords must survive an upgrade of the argon2 crate: this hash was made by
    /// `hash_password` with argon2 0.5 (the PHC string carries its own parameters).
    #[tokio::test]
    async fn a_password_hashed_before_an_upgrade_still_verifies() {
        let stored = "$argon2id$v=19$m=19456,t=2,p=1$rDODdc2zlC8iYUNy/DsUfA$m8U6xkwity/l/w5uW+vq7gFdT+IYVSBg1RmiPC2gMFQ";
        assert!(verify_password("correct horse battery staple".into(), stored.into()).await);
        assert!(!verify_password("correct horse battery stapler".into(), stored.into()).await);
        assert!(!verify_password("correct horse battery staple".into(), "not a hash".into()).await);
        // A fresh hash still uses argon2id with the same default parameters, and verifies.
        let fresh = hash_password("correct horse battery staple".into())
            .await
            .unwrap();
        assert!(
            fresh.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{fresh}"
        );
        assert!(verify_password("correct horse battery staple".into(), fresh).await);
    }
}
