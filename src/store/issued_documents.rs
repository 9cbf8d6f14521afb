//! Issued policy documents besides the premium certificate: endorsement documents
//! (批单) and insurance certificates (保险凭证), with their PDF bytes, hash and signature.

use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use crate::domain::document_status::DocumentStatus;
use crate::domain::money::Money;
use chrono::{DateTime, Utc};

/// endorsement (批单) or insurance_certificate (保险凭证).
pub const ENDORSEMENT: &str = "endorsement";
pub const INSURANCE_CERTIFICATE: &str = "insurance_certificate";

/// A document as stored, without its PDF bytes (read those with [`pdf`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub document_id: i64,
    pub kind: String,
    pub document_number: String,
    pub policy_id: i64,
    pub version_seq: i32,
    pub verification_code: String,
    /// valid or revoked
    pub status: DocumentStatus,
    pub policy_number: String,
    pub party_name: String,
    /// Fen.
    pub amount: Money,
    pub content_json: String,
    pub sha256_hex: String,
    pub signature_b64: String,
    pub public_key_b64: String,
    pub issued_by: i64,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: String,
}

const SELECT: &str = "select document_id, kind, document_number, policy_id, version_seq, \
    verification_code, status, policy_number, party_name, amount, content_json, sha256_hex, \
    signature_b64, public_key_b64, issued_by, issued_at, revoked_at, revoked_reason \
    from issued_document";

/// What a new document row holds.
pub struct NewDocument<'a> {
    pub kind: &'a str,
    pub document_number: &'a str,
    pub policy_id: i64,
    pub version_seq: i32,
    pub verification_code: &'a str,
    pub policy_number: &'a str,
    pub party_name: &'a str,
    pub amount: Money,
    pub content_json: &'a str,
    pub pdf: &'a [u8],
    pub sha256_hex: &'a str,
    pub signature_b64: &'a str,
    pub public_key_b64: &'a str,
    pub issued_by: i64,
}

pub async fn insert(tx: &mut Tx, d: &NewDocument<'_>) -> StoreResult<i64> {
    let done = dispatch!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "insert into issued_document (kind, document_number, policy_id, version_seq, \
             verification_code, status, policy_number, party_name, amount, content_json, pdf, \
             sha256_hex, signature_b64, public_key_b64, issued_by, issued_at) values ($1, $2, \
             $3, $4, $5, 'valid', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             returning document_id",
        )
        .bind(d.kind)
        .bind(d.document_number)
        .bind(d.policy_id)
        .bind(d.version_seq)
        .bind(d.verification_code)
        .bind(d.policy_number)
        .bind(d.party_name)
        .bind(d.amount)
        .bind(d.content_json)
        .bind(d.pdf)
        .bind(d.sha256_hex)
        .bind(d.signature_b64)
        .bind(d.public_key_b64)
        .bind(d.issued_by)
        .bind(now())
        .fetch_one(&mut *conn)
        .await
    });
    done.map_err(|e| StoreError::on_unique(e, "issued document"))
}

/// The 批单 of one policy version, if issued.
pub async fn endorsement_of(
    tx: &mut Tx,
    policy_id: i64,
    version_seq: i32,
) -> StoreResult<Option<DocumentRow>> {
    let sql =
        format!("{SELECT} where policy_id = $1 and version_seq = $2 and kind = '{ENDORSEMENT}'");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, DocumentRow>(&sql)
            .bind(policy_id)
            .bind(version_seq)
            .fetch_optional(&mut *c)
            .await?
    }))
}

/// The policy's valid 保险凭证, if any.
pub async fn valid_insurance_certificate(
    tx: &mut Tx,
    policy_id: i64,
) -> StoreResult<Option<DocumentRow>> {
    let sql = format!(
        "{SELECT} where policy_id = $1 and kind = '{INSURANCE_CERTIFICATE}' and status = 'valid'"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, DocumentRow>(&sql).bind(policy_id).fetch_optional(&mut *c).await?
    }))
}

pub async fn by_code(tx: &mut Tx, code: &str) -> StoreResult<Option<DocumentRow>> {
    let sql = format!("{SELECT} where verification_code = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, DocumentRow>(&sql).bind(code).fetch_optional(&mut *c).await?
    }))
}

/// Every document of a policy of one kind, newest first.
pub async fn of_policy(tx: &mut Tx, policy_id: i64, kind: &str) -> StoreResult<Vec<DocumentRow>> {
    let sql = format!("{SELECT} where policy_id = $1 and kind = $2 order by document_id desc");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, DocumentRow>(&sql)
            .bind(policy_id)
            .bind(kind)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// The PDF bytes exactly as issued.
pub async fn pdf(tx: &mut Tx, document_id: i64) -> StoreResult<Vec<u8>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, Vec<u8>>("select pdf from issued_document where document_id = $1")
            .bind(document_id)
            .fetch_one(&mut *c)
            .await?
    }))
}

/// valid → revoked; returns whether a row changed.
pub async fn revoke(tx: &mut Tx, document_id: i64, reason: &str) -> StoreResult<bool> {
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update issued_document set status = 'revoked', revoked_at = $1, revoked_reason = $2 \
             where document_id = $3 and status = 'valid'",
        )
        .bind(now())
        .bind(reason)
        .bind(document_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// The latest version of a policy (its seq and kind), what a 保险凭证 must state.
pub async fn latest_version(tx: &mut Tx, policy_id: i64) -> StoreResult<Option<(i32, String)>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, (i32, String)>(
            "select seq, kind from policy_version where policy_id = $1 order by seq desc limit 1",
        )
        .bind(policy_id)
        .fetch_optional(&mut *c)
        .await?
    }))
}

/// The endorsement and cancellation versions of a page of policies, as
/// (policy_id, seq, kind), in order: what the portal offers 批单 downloads for.
pub async fn change_versions_of(
    tx: &mut Tx,
    policy_ids: &[i64],
) -> StoreResult<Vec<(i64, i32, String)>> {
    if policy_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = super::seek::Sql::default();
    let list: Vec<String> = policy_ids
        .iter()
        .map(|id| w.arg(super::seek::Arg::Int(*id)))
        .collect();
    let sql = format!(
        "select policy_id, seq, kind from policy_version where kind <> 'issue' \
         and policy_id in ({}) order by policy_id, seq",
        list.join(", ")
    );
    Ok(dispatch!(tx, c => {
        crate::bind_args!(sqlx::query_as::<_, (i64, i32, String)>(&sql), w.args)
            .fetch_all(&mut *c)
            .await?
    }))
}
