//! Full-premium collection certificates (全额保费收取证明): issued only once the premium
//! is fully paid, numbered from a gap-free counter, stored with the PDF bytes, their
//! SHA-256 and an Ed25519 signature over the canonical content; revoked when a payment
//! is reversed; verifiable by anyone with the verification code.
//!
//! Also the other documents a maker's subsidy application needs: the stamped policy
//! schedule and the subsidy pack (ZIP); and, in [`issued`], the endorsement document
//! (批单) of every endorsement and cancellation and the insurance certificate (保险凭证)
//! the maker hands the user unit, signed and verifiable the same way.

mod changes;
mod content;
pub mod issued;
pub mod pack;
mod verify;

pub use crate::services::ctx::{verify_signature, DocumentKit, Signer};
pub use crate::services::revocation::revoke_for_policy;
pub use issued::DocumentView;
pub use verify::{check_pdf, lookup, PdfCheck, Verification};

use crate::domain::text::Text;

use chrono::Datelike;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::documents::{self};
use crate::domain::money::Money;
use crate::services::{billing, Actor, Ctx, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::certificates::{self as store, CertificateRow, NewCertificate};
use crate::store::policies::{self as policies, PolicyRow};
use crate::store::{counters, Tx};

/// A certificate as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CertificateView {
    pub certificate_id: i64,
    /// 证明编号
    pub certificate_number: String,
    pub policy_id: i64,
    pub policy_number: String,
    pub policyholder_name: String,
    /// 应收保险费 = 已收保险费, CNY.
    #[schema(value_type = String)]
    pub total_premium: Money,
    /// valid or revoked
    pub status: String,
    /// 验证码 (base32, ≥ 128 random bits).
    pub verification_code: String,
    /// The public verification page (also in the QR code).
    pub verification_url: String,
    /// SHA-256 of the PDF bytes as issued, hex.
    pub sha256: String,
    /// Ed25519 signature over the canonical content, base64.
    pub signature: String,
    /// The key that signature verifies with, base64.
    pub public_key: String,
    pub issued_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_reason: String,
}

fn verification_url(config: &Config, code: &str) -> String {
    format!("{}/verify/{code}", config.public_url.trim_end_matches('/'))
}

impl CertificateView {
    fn of(row: &CertificateRow, config: &Config) -> CertificateView {
        CertificateView {
            certificate_id: row.certificate_id,
            certificate_number: row.certificate_number.clone(),
            policy_id: row.policy_id,
            policy_number: row.policy_number.clone(),
            policyholder_name: row.policyholder_name.clone(),
            total_premium: row.total_premium,
            status: row.status.as_str().to_string(),
            verification_code: row.verification_code.clone(),
            verification_url: verification_url(config, &row.verification_code),
            sha256: row.sha256_hex.clone(),
            signature: row.signature_b64.clone(),
            public_key: row.public_key_b64.clone(),
            issued_at: row.issued_at,
            revoked_at: row.revoked_at,
            revoked_reason: row.revoked_reason.clone(),
        }
    }
}

/// 160 random bits as 32 base32 characters (A–Z, 2–7): unguessable, URL-safe, and
/// unambiguous to type from paper.
pub fn new_verification_code() -> ServiceResult<String> {
    let mut bytes = [0u8; 20];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| ServiceError::internal_from("draw random bytes", e))?;
    Ok(base32(&bytes))
}

/// RFC 4648 base32 without padding.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A policy the actor may see, or "not found" (so a client cannot probe other makers).
async fn visible_policy(tx: &mut Tx, actor: &Actor, policy_id: i64) -> ServiceResult<PolicyRow> {
    policies::get(tx, policy_id)
        .await?
        .filter(|p| actor.can_see_maker(p.maker_id))
        .ok_or(ServiceError::NotFound("policy"))
}

fn issued_only(row: &PolicyRow) -> ServiceResult<()> {
    if row.policy_number.is_none() {
        return Err(ServiceError::Conflict(Text::new(
            "保单尚未出单",
            "the policy has not been issued",
        )));
    }
    Ok(())
}

/// The policy's valid certificate; issued now if there is none and the premium is fully
/// paid. Refused (409, with the balance) while anything is unpaid. Returns the view and
/// whether it was issued by this call.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn certificate(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<(CertificateView, bool)> {
    {
        let mut tx = ctx.db.read().await?;
        visible_policy(&mut tx, actor, policy_id).await?;
        if let Some(row) = store::valid_for_policy(&mut tx, policy_id).await? {
            return Ok((CertificateView::of(&row, ctx.config), false));
        }
    }
    let mut tx = ctx.db.write().await?;
    // Locks the policy row (PostgreSQL) so two first requests issue one certificate.
    let row = policies::get_for_update(&mut tx, policy_id)
        .await?
        .filter(|p| actor.can_see_maker(p.maker_id))
        .ok_or(ServiceError::NotFound("policy"))?;
    if let Some(existing) = store::valid_for_policy(&mut tx, policy_id).await? {
        return Ok((CertificateView::of(&existing, ctx.config), false));
    }
    issued_only(&row)?;
    if row.state().is_cancelled() {
        return Err(ServiceError::Conflict(Text::new(
            "保单已注销，不出具全额保费收取证明",
            "the policy is cancelled",
        )));
    }
    let settlement = billing::settlement(&mut tx, policy_id).await?;
    if !settlement.fully_paid {
        return Err(not_fully_paid(&settlement));
    }
    let day = ctx.clock.today();
    let code = &ctx.config.insurer.code;
    let n = counters::next(&mut tx, &format!("certificate:{code}"), day.year()).await?;
    let number = format!("{code}-QF-{}-{n:06}", day.year());
    let verification_code = new_verification_code()?;
    let content = content::certificate(
        &mut tx,
        ctx.library,
        &row,
        &settlement,
        number.clone(),
        verification_code.clone(),
        verification_url(ctx.config, &verification_code),
        day,
    )
    .await?;
    let pdf = documents::render_certificate(&content, &ctx.kit.branding)
        .map_err(|e| ServiceError::internal_from("render the certificate PDF", e))?;
    let signature = ctx
        .kit
        .signer
        .sign_b64(&documents::canonical_content(&content));
    let content_json = serde_json::to_string(&content)
        .map_err(|e| ServiceError::internal_from("serialise a record to JSON", e))?;
    let sha = sha256_hex(&pdf);
    let id = store::insert(
        &mut tx,
        &NewCertificate {
            certificate_number: &number,
            policy_id,
            verification_code: &verification_code,
            policy_number: &content.policy_number,
            policyholder_name: &content.policyholder_name,
            total_premium: content.total_premium,
            content_json: &content_json,
            pdf: &pdf,
            sha256_hex: &sha,
            signature_b64: &signature,
            public_key_b64: &ctx.kit.signer.public_b64(),
            issued_by: actor.user_id,
        },
    )
    .await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "certificate.issue",
            entity_type: "certificate",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "certificate_number": number, "policy_id": policy_id,
                "policy_number": content.policy_number, "total_premium": content.total_premium,
                "sha256": sha, "payments": content.payments.len(),
            })),
        },
    )
    .await?;
    let row = store::valid_for_policy(&mut tx, policy_id)
        .await?
        .ok_or_else(|| ServiceError::Internal("certificate vanished after insert".into()))?;
    tx.commit().await?;
    Ok((CertificateView::of(&row, ctx.config), true))
}

/// The policy's valid certificate, changing nothing (GET): while the premium is unpaid a
/// 409 stating the balance; once it is paid but no certificate was issued yet, a 409
/// saying so (issuing is a POST).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn current(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<CertificateView> {
    let mut tx = ctx.db.read().await?;
    visible_policy(&mut tx, actor, policy_id).await?;
    if let Some(row) = store::valid_for_policy(&mut tx, policy_id).await? {
        return Ok(CertificateView::of(&row, ctx.config));
    }
    let settlement = billing::settlement(&mut tx, policy_id).await?;
    if !settlement.fully_paid {
        return Err(not_fully_paid(&settlement));
    }
    Err(ServiceError::Conflict(Text::new(
        "全额保费收取证明尚未出具：保费已全额缴付，请先出具证明（POST）",
        "the certificate has not been issued yet: the premium is fully paid; issue it first \
         with POST",
    )))
}

/// The PDF of the policy's valid certificate and its number; nothing is issued here.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn certificate_pdf(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<(String, Vec<u8>)> {
    let view = current(ctx, actor, policy_id).await?;
    let mut tx = ctx.db.read().await?;
    let bytes = store::pdf(&mut tx, view.certificate_id).await?;
    Ok((view.certificate_number, bytes))
}

/// Every certificate of a policy, newest first (valid and revoked).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn history(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<Vec<CertificateView>> {
    let mut tx = ctx.db.read().await?;
    visible_policy(&mut tx, actor, policy_id).await?;
    Ok(store::of_policy(&mut tx, policy_id)
        .await?
        .iter()
        .map(|r| CertificateView::of(r, ctx.config))
        .collect())
}

/// The stamped policy schedule (保险单) of an issued policy the actor may see.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn schedule_pdf(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<(String, Vec<u8>)> {
    let mut tx = ctx.db.read().await?;
    let row = visible_policy(&mut tx, actor, policy_id).await?;
    issued_only(&row)?;
    let content = content::schedule(&mut tx, ctx.library, &row).await?;
    let pdf = documents::render_policy_schedule(&content, &ctx.kit.branding)
        .map_err(|e| ServiceError::internal_from("render the policy schedule PDF", e))?;
    Ok((content.policy_number, pdf))
}

/// The public key certificates are signed with (base64 of the 32-byte Ed25519 key).
pub fn public_key_b64(kit: &DocumentKit) -> String {
    kit.signer.public_b64()
}

/// Refused while premium is owed, stating the balance (保费未缴清).
fn not_fully_paid(s: &billing::Settlement) -> ServiceError {
    ServiceError::Conflict(Text::new(
        format!(
            "保费尚未全额缴付，尚欠人民币{}元，不能出具全额保费收取证明",
            s.balance.grouped()
        ),
        format!(
            "the premium is not fully paid: {} CNY of {} CNY is outstanding",
            s.balance.grouped(),
            s.premium_due.grouped()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc_4648_vectors() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"fo"), "MZXQ");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn verification_codes_carry_160_random_bits() {
        let a = new_verification_code().unwrap();
        let b = new_verification_code().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
    }
}
