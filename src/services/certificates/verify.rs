//! Public verification (no login): what a certificate states and whether it is still
//! valid, and whether an uploaded file is byte-identical to the one issued.

use serde::Serialize;

use super::{sha256_hex, signing};
use crate::documents::{canonical_content, CertificateContent};
use crate::domain::money::Money;
use crate::services::{ServiceError, ServiceResult};
use crate::store::certificates::{self as store, CertificateRow};
use crate::store::Db;

/// What anyone holding the verification code may learn.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// 证明编号
    pub certificate_number: String,
    /// 投保人
    pub policyholder: String,
    /// 保险单号
    pub policy_number: String,
    /// 保险费（已全额收取）, CNY.
    #[schema(value_type = String)]
    pub amount: Money,
    /// valid or revoked
    pub status: String,
    pub issued_on: chrono::NaiveDate,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_reason: Option<String>,
    /// The stored record still carries a good Ed25519 signature over what it states.
    pub signature_valid: bool,
    /// SHA-256 of the PDF as issued, hex.
    pub sha256: String,
}

/// Codes are typed from paper: ignore case, spaces and dashes.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

async fn find(db: &Db, code: &str) -> ServiceResult<CertificateRow> {
    let code = normalise(code);
    if code.is_empty() || code.len() > 64 {
        return Err(ServiceError::NotFound("certificate"));
    }
    let mut tx = db.read().await?;
    store::by_code(&mut tx, &code)
        .await?
        .ok_or(ServiceError::NotFound("certificate"))
}

/// Look a certificate up by its verification code.
pub async fn lookup(db: &Db, code: &str) -> ServiceResult<Verification> {
    let row = find(db, code).await?;
    let content: Option<CertificateContent> = serde_json::from_str(&row.content_json).ok();
    let signature_valid = content.as_ref().is_some_and(|c| {
        c.certificate_number == row.certificate_number
            && c.policy_number == row.policy_number
            && c.total_premium.fen() == row.total_premium
            && signing::verify(
                &row.public_key_b64,
                &canonical_content(c),
                &row.signature_b64,
            )
    });
    let issued_on = content
        .as_ref()
        .map(|c| c.issue_date)
        .unwrap_or_else(|| row.issued_at.date_naive());
    Ok(Verification {
        certificate_number: row.certificate_number,
        policyholder: row.policyholder_name,
        policy_number: row.policy_number,
        amount: Money::from_fen(row.total_premium),
        status: row.status,
        issued_on,
        revoked_at: row.revoked_at,
        revoked_reason: row.revoked_at.map(|_| row.revoked_reason),
        signature_valid,
        sha256: row.sha256_hex,
    })
}

/// Is an uploaded file the certificate as issued?
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PdfCheck {
    /// The bytes are identical to the PDF issued under this code.
    pub genuine: bool,
    /// valid or revoked: a genuine file of a revoked certificate proves nothing any more.
    pub status: String,
    pub certificate_number: String,
    /// SHA-256 of the uploaded bytes, hex.
    pub uploaded_sha256: String,
    /// SHA-256 of the issued PDF, hex.
    pub issued_sha256: String,
}

pub async fn check_pdf(db: &Db, code: &str, bytes: &[u8]) -> ServiceResult<PdfCheck> {
    let row = find(db, code).await?;
    let uploaded = sha256_hex(bytes);
    Ok(PdfCheck {
        genuine: uploaded == row.sha256_hex,
        status: row.status,
        certificate_number: row.certificate_number,
        uploaded_sha256: uploaded,
        issued_sha256: row.sha256_hex,
    })
}
