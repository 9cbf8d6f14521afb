//! Public verification (no login): what a certificate, 批单 or 保险凭证 states and
//! whether it is still valid, and whether an uploaded file is byte-identical to the
//! one issued. One verification code space: a code is looked up among the premium
//! certificates first, then among the other issued documents.

use crate::domain::document_status::DocumentStatus;
use crate::services::Ctx;
use serde::Serialize;

use super::{issued::stale_reason, sha256_hex};
use crate::documents::{
    canonical_content, endorsement_canonical, insurance_certificate_canonical, CertificateContent,
    EndorsementContent, InsuranceCertificateContent,
};
use crate::domain::money::Money;
use crate::services::ctx::signing;
use crate::services::{ServiceError, ServiceResult};
use crate::store::certificates::{self as store, CertificateRow};
use crate::store::issued_documents::{self as docs, DocumentRow, ENDORSEMENT};
use crate::store::Db;

/// What anyone holding the verification code may learn.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// premium_certificate (全额保费收取证明), endorsement (批单) or
    /// insurance_certificate (保险凭证)
    pub kind: String,
    /// 证明编号 / 批单号 / 凭证编号
    pub certificate_number: String,
    /// 投保人
    pub policyholder: String,
    /// 被保险人（受益人）: the user unit, on a 保险凭证.
    pub beneficiary: Option<String>,
    /// 保险单号
    pub policy_number: String,
    /// CNY: the premium collected in full (certificate), the additional (+) or return (−)
    /// premium (批单), or the aggregate limit (保险凭证).
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

/// What a code was issued for.
enum Found {
    Certificate(CertificateRow),
    /// A 批单 or 保险凭证, with why a valid 保险凭证 is stale, if it is.
    Document(DocumentRow, Option<String>),
}

async fn find(db: &Db, code: &str) -> ServiceResult<Found> {
    let code = normalise(code);
    if code.is_empty() || code.len() > 64 {
        return Err(ServiceError::NotFound("certificate"));
    }
    let mut tx = db.read().await?;
    if let Some(row) = store::by_code(&mut tx, &code).await? {
        return Ok(Found::Certificate(row));
    }
    let row = docs::by_code(&mut tx, &code)
        .await?
        .ok_or(ServiceError::NotFound("certificate"))?;
    let stale = if row.kind == ENDORSEMENT || row.status != DocumentStatus::Valid {
        None
    } else {
        let latest = docs::latest_version(&mut tx, row.policy_id).await?;
        stale_reason(&row, latest.as_ref())
    };
    Ok(Found::Document(row, stale))
}

/// Look a certificate, 批单 or 保险凭证 up by its verification code.
#[tracing::instrument(skip_all)]
pub async fn lookup(ctx: &Ctx<'_>, code: &str) -> ServiceResult<Verification> {
    let db = ctx.db;
    let row = match find(db, code).await? {
        Found::Certificate(row) => row,
        Found::Document(row, stale) => return Ok(document(row, stale)),
    };
    let content: Option<CertificateContent> = serde_json::from_str(&row.content_json).ok();
    let signature_valid = content.as_ref().is_some_and(|c| {
        c.certificate_number == row.certificate_number
            && c.policy_number == row.policy_number
            && c.total_premium == row.total_premium
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
        kind: "premium_certificate".into(),
        certificate_number: row.certificate_number,
        policyholder: row.policyholder_name,
        beneficiary: None,
        policy_number: row.policy_number,
        amount: row.total_premium,
        status: row.status.as_str().to_string(),
        issued_on,
        revoked_at: row.revoked_at,
        revoked_reason: row.revoked_at.map(|_| row.revoked_reason),
        signature_valid,
        sha256: row.sha256_hex,
    })
}

/// What a 批单 or 保险凭证 states, its signature checked against the stored content. A
/// valid 保险凭证 of a policy that has changed since reads as revoked, with the reason.
fn document(row: DocumentRow, stale: Option<String>) -> Verification {
    let key = &row.public_key_b64;
    let (signature_valid, issued_on, policyholder, beneficiary) = if row.kind == ENDORSEMENT {
        let c: Option<EndorsementContent> = serde_json::from_str(&row.content_json).ok();
        let ok = c.as_ref().is_some_and(|c| {
            c.endorsement_number == row.document_number
                && c.adjustment == row.amount
                && signing::verify(key, &endorsement_canonical(c), &row.signature_b64)
        });
        let issued = c.as_ref().map(|c| c.issue_date);
        let holder = c
            .map(|c| c.policyholder_name)
            .unwrap_or_else(|| row.party_name.clone());
        (ok, issued, holder, None)
    } else {
        let c: Option<InsuranceCertificateContent> = serde_json::from_str(&row.content_json).ok();
        let ok = c.as_ref().is_some_and(|c| {
            c.certificate_number == row.document_number
                && c.aggregate_limit == row.amount
                && signing::verify(key, &insurance_certificate_canonical(c), &row.signature_b64)
        });
        let issued = c.as_ref().map(|c| c.issue_date);
        let holder = c
            .as_ref()
            .map(|c| c.policyholder.name.clone())
            .unwrap_or_default();
        (ok, issued, holder, Some(row.party_name.clone()))
    };
    let (status, revoked_reason) = match (&stale, row.revoked_at) {
        (Some(why), _) => ("revoked".to_string(), Some(why.clone())),
        (None, Some(_)) => (
            row.status.as_str().to_string(),
            Some(row.revoked_reason.clone()),
        ),
        (None, None) => (row.status.as_str().to_string(), None),
    };
    Verification {
        kind: row.kind,
        certificate_number: row.document_number,
        policyholder,
        beneficiary,
        policy_number: row.policy_number,
        amount: row.amount,
        status,
        issued_on: issued_on.unwrap_or_else(|| row.issued_at.date_naive()),
        revoked_at: row.revoked_at,
        revoked_reason,
        signature_valid,
        sha256: row.sha256_hex,
    }
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

#[tracing::instrument(skip_all)]
pub async fn check_pdf(ctx: &Ctx<'_>, code: &str, bytes: &[u8]) -> ServiceResult<PdfCheck> {
    let db = ctx.db;
    let (status, number, issued) = match find(db, code).await? {
        Found::Certificate(row) => (row.status, row.certificate_number, row.sha256_hex),
        Found::Document(row, stale) => (
            if stale.is_some() {
                DocumentStatus::Revoked
            } else {
                row.status
            },
            row.document_number,
            row.sha256_hex,
        ),
    };
    let uploaded = sha256_hex(bytes);
    Ok(PdfCheck {
        genuine: uploaded == issued,
        status: status.as_str().to_string(),
        certificate_number: number,
        uploaded_sha256: uploaded,
        issued_sha256: issued,
    })
}
