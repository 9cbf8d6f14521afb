//! Full-premium collection certificates (全额保费收取证明) and the stored signing key.

use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use crate::domain::document_status::DocumentStatus;
use crate::domain::money::Money;
use chrono::{DateTime, Utc};

/// A certificate as stored, without its PDF bytes (read those with [`pdf`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CertificateRow {
    pub certificate_id: i64,
    pub certificate_number: String,
    pub policy_id: i64,
    pub verification_code: String,
    /// valid or revoked
    pub status: DocumentStatus,
    pub policy_number: String,
    pub policyholder_name: String,
    /// Fen.
    pub total_premium: Money,
    pub content_json: String,
    pub sha256_hex: String,
    pub signature_b64: String,
    pub public_key_b64: String,
    pub issued_by: i64,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: String,
}

const SELECT: &str = "select certificate_id, certificate_number, policy_id, verification_code, \
    status, policy_number, policyholder_name, total_premium, content_json, sha256_hex, \
    signature_b64, public_key_b64, issued_by, issued_at, revoked_at, revoked_reason from certificate";

/// What a new certificate row holds.
pub struct NewCertificate<'a> {
    pub certificate_number: &'a str,
    pub policy_id: i64,
    pub verification_code: &'a str,
    pub policy_number: &'a str,
    pub policyholder_name: &'a str,
    pub total_premium: Money,
    pub content_json: &'a str,
    pub pdf: &'a [u8],
    pub sha256_hex: &'a str,
    pub signature_b64: &'a str,
    pub public_key_b64: &'a str,
    pub issued_by: i64,
}

pub async fn insert(tx: &mut Tx, c: &NewCertificate<'_>) -> StoreResult<i64> {
    let done = dispatch!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "insert into certificate (certificate_number, policy_id, verification_code, status, \
             policy_number, policyholder_name, total_premium, content_json, pdf, sha256_hex, \
             signature_b64, public_key_b64, issued_by, issued_at) values ($1, $2, $3, 'valid', \
             $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning certificate_id",
        )
        .bind(c.certificate_number)
        .bind(c.policy_id)
        .bind(c.verification_code)
        .bind(c.policy_number)
        .bind(c.policyholder_name)
        .bind(c.total_premium)
        .bind(c.content_json)
        .bind(c.pdf)
        .bind(c.sha256_hex)
        .bind(c.signature_b64)
        .bind(c.public_key_b64)
        .bind(c.issued_by)
        .bind(now())
        .fetch_one(&mut *conn)
        .await
    });
    done.map_err(|e| StoreError::on_unique(e, "valid certificate"))
}

/// The policy's valid certificate, if any.
pub async fn valid_for_policy(tx: &mut Tx, policy_id: i64) -> StoreResult<Option<CertificateRow>> {
    let sql = format!("{SELECT} where policy_id = $1 and status = 'valid'");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, CertificateRow>(&sql).bind(policy_id).fetch_optional(&mut *c).await?
    }))
}

pub async fn by_code(tx: &mut Tx, code: &str) -> StoreResult<Option<CertificateRow>> {
    let sql = format!("{SELECT} where verification_code = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, CertificateRow>(&sql).bind(code).fetch_optional(&mut *c).await?
    }))
}

/// Every certificate of a policy, newest first.
pub async fn of_policy(tx: &mut Tx, policy_id: i64) -> StoreResult<Vec<CertificateRow>> {
    let sql = format!("{SELECT} where policy_id = $1 order by certificate_id desc");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, CertificateRow>(&sql).bind(policy_id).fetch_all(&mut *c).await?
    }))
}

/// The PDF bytes exactly as issued.
pub async fn pdf(tx: &mut Tx, certificate_id: i64) -> StoreResult<Vec<u8>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, Vec<u8>>("select pdf from certificate where certificate_id = $1")
            .bind(certificate_id)
            .fetch_one(&mut *c)
            .await?
    }))
}

/// valid → revoked; returns whether a row changed.
pub async fn revoke(tx: &mut Tx, certificate_id: i64, reason: &str) -> StoreResult<bool> {
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update certificate set status = 'revoked', revoked_at = $1, revoked_reason = $2 \
             where certificate_id = $3 and status = 'valid'",
        )
        .bind(now())
        .bind(reason)
        .bind(certificate_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// The stored signing key seed for `purpose` (base64), if one was generated before.
pub async fn stored_key(tx: &mut Tx, purpose: &str) -> StoreResult<Option<String>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, String>("select seed_b64 from signing_key where purpose = $1")
            .bind(purpose)
            .fetch_optional(&mut *c)
            .await?
    }))
}

/// Keep a newly generated key unless another instance stored one first; returns the
/// seed that is now stored (so two instances starting together agree on one key).
pub async fn store_key(
    tx: &mut Tx,
    purpose: &str,
    seed_b64: &str,
    public_b64: &str,
) -> StoreResult<String> {
    dispatch!(tx, c => {
        sqlx::query(
            "insert into signing_key (purpose, seed_b64, public_b64, created_at) \
             values ($1, $2, $3, $4) on conflict (purpose) do nothing",
        )
        .bind(purpose)
        .bind(seed_b64)
        .bind(public_b64)
        .bind(now())
        .execute(&mut *c)
        .await?;
    });
    stored_key(tx, purpose)
        .await?
        .ok_or_else(|| StoreError::Corrupt("signing key vanished after insert".into()))
}
