//! The endorsement document (批单) of every endorsement and cancellation, and the
//! insurance certificate (保险凭证) for the user unit: issued on first request, stored
//! with their PDF bytes, SHA-256 and an Ed25519 signature, and verifiable by anyone
//! with the verification code — like the premium certificate.
//!
//! A 批单 records one fixed policy version, so it never changes: the first request
//! issues it (numbered after the policy: `<policy number>-PD01` for the first change)
//! and every later one returns the same bytes. A 保险凭证 states the policy as it
//! stands; once an endorsement fixes a newer version it no longer tells the truth, so
//! the next request revokes it and issues a new one, and the verification page reports
//! a stale one as revoked from the moment the policy changed. A cancelled policy gets
//! none.

use crate::domain::document_status::DocumentStatus;
use crate::domain::text::Text;
use chrono::Datelike;
use serde::Serialize;

use super::{content, new_verification_code, sha256_hex, verification_url, Ctx};
use crate::documents::{self, EndorsementContent, InsuranceCertificateContent};
use crate::domain::money::Money;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::issued_documents::{
    self as store, DocumentRow, NewDocument, ENDORSEMENT, INSURANCE_CERTIFICATE,
};
use crate::store::policies::{self as policies, PolicyRow};
use crate::store::{counters, Tx};

/// An issued 批单 or 保险凭证 as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub document_id: i64,
    /// endorsement (批单) or insurance_certificate (保险凭证)
    pub kind: String,
    /// 批单号 / 凭证编号
    pub document_number: String,
    pub policy_id: i64,
    pub policy_number: String,
    /// The policy version the document states.
    pub version_seq: i32,
    /// The policyholder (批单) or the user unit, beneficiary (保险凭证).
    pub party_name: String,
    /// 批单: additional (+) or return (−) premium; 保险凭证: the aggregate limit. CNY.
    #[schema(value_type = String)]
    pub amount: Money,
    /// valid or revoked
    pub status: String,
    pub verification_code: String,
    pub verification_url: String,
    /// SHA-256 of the PDF bytes as issued, hex.
    pub sha256: String,
    /// Ed25519 signature over the canonical content, base64.
    pub signature: String,
    pub public_key: String,
    pub issued_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_reason: String,
}

impl DocumentView {
    fn of(row: &DocumentRow, config: &crate::config::Config) -> DocumentView {
        DocumentView {
            document_id: row.document_id,
            kind: row.kind.clone(),
            document_number: row.document_number.clone(),
            policy_id: row.policy_id,
            policy_number: row.policy_number.clone(),
            version_seq: row.version_seq,
            party_name: row.party_name.clone(),
            amount: row.amount,
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

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

/// The policy, locked (PostgreSQL) so two first requests issue one document, if the
/// actor may see it and it has been issued.
async fn issued_policy_for_update(
    tx: &mut Tx,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<PolicyRow> {
    let row = policies::get_for_update(tx, policy_id)
        .await?
        .filter(|p| actor.can_see_maker(p.maker_id))
        .ok_or(ServiceError::NotFound("policy"))?;
    super::issued_only(&row)?;
    Ok(row)
}

/// The 批单 number of the policy's `seq`-th version: the policy number and the change's
/// ordinal (version 2 is the first change).
fn endorsement_number(policy_number: &str, seq: i32) -> String {
    format!("{policy_number}-PD{:02}", seq - 1)
}

struct Signed {
    pdf: Vec<u8>,
    signature: String,
    json: String,
    sha: String,
}

fn sign(ctx: &Ctx<'_>, pdf: Vec<u8>, canonical: &[u8], json: String) -> Signed {
    Signed {
        sha: sha256_hex(&pdf),
        signature: ctx.kit.signer.sign_b64(canonical),
        pdf,
        json,
    }
}

async fn record_issue(
    tx: &mut Tx,
    actor: &Actor,
    doc: NewDocument<'_>,
) -> ServiceResult<DocumentRow> {
    let id = store::insert(tx, &doc).await?;
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action: "document.issue",
            entity_type: "issued_document",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "kind": doc.kind, "document_number": doc.document_number,
                "policy_id": doc.policy_id, "policy_number": doc.policy_number,
                "version_seq": doc.version_seq, "amount": doc.amount,
                "sha256": doc.sha256_hex,
            })),
        },
    )
    .await?;
    store::by_code(tx, doc.verification_code)
        .await?
        .ok_or_else(|| internal("document vanished after insert"))
}

/// The 批单 of version `seq` of the policy (an endorsement or a cancellation), issued
/// now if it was not before. Returns the view and whether this call issued it.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn endorsement_document(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
    seq: i32,
) -> ServiceResult<(DocumentView, bool)> {
    {
        let mut tx = ctx.db.read().await?;
        super::visible_policy(&mut tx, actor, policy_id).await?;
        if let Some(row) = store::endorsement_of(&mut tx, policy_id, seq).await? {
            return Ok((DocumentView::of(&row, ctx.config), false));
        }
    }
    let mut tx = ctx.db.write().await?;
    let row = issued_policy_for_update(&mut tx, actor, policy_id).await?;
    if let Some(existing) = store::endorsement_of(&mut tx, policy_id, seq).await? {
        return Ok((DocumentView::of(&existing, ctx.config), false));
    }
    let versions = policies::versions(&mut tx, policy_id).await?;
    let number = endorsement_number(row.policy_number.as_deref().unwrap_or_default(), seq);
    let code = new_verification_code()?;
    let c: EndorsementContent = content::endorsement(
        &mut tx,
        ctx.library,
        &row,
        &versions,
        seq,
        number.clone(),
        code.clone(),
        verification_url(ctx.config, &code),
    )
    .await?;
    let pdf = documents::render_endorsement(&c, &ctx.kit.branding)
        .map_err(|e| ServiceError::internal_from("render the endorsement PDF", e))?;
    let json = serde_json::to_string(&c)
        .map_err(|e| ServiceError::internal_from("serialise the sealed content", e))?;
    let s = sign(ctx, pdf, &documents::endorsement_canonical(&c), json);
    let stored = record_issue(
        &mut tx,
        actor,
        NewDocument {
            kind: ENDORSEMENT,
            document_number: &number,
            policy_id,
            version_seq: seq,
            verification_code: &code,
            policy_number: &c.policy_number,
            party_name: &c.policyholder_name,
            amount: c.adjustment,
            content_json: &s.json,
            pdf: &s.pdf,
            sha256_hex: &s.sha,
            signature_b64: &s.signature,
            public_key_b64: &ctx.kit.signer.public_b64(),
            issued_by: actor.user_id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((DocumentView::of(&stored, ctx.config), true))
}

/// The 批单's PDF exactly as issued, and its number. Nothing is issued here (a GET must
/// not change state): before it is issued (POST `…/endorsement`) the answer is 409.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn endorsement_pdf(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
    seq: i32,
) -> ServiceResult<(String, Vec<u8>)> {
    let mut tx = ctx.db.read().await?;
    super::visible_policy(&mut tx, actor, policy_id).await?;
    let doc = store::endorsement_of(&mut tx, policy_id, seq)
        .await?
        .ok_or_else(|| {
            ServiceError::Conflict(Text::new(
                "批单尚未出具，请先出具（POST）",
                "the endorsement document has not been issued yet; issue it first with POST",
            ))
        })?;
    Ok((
        doc.document_number,
        store::pdf(&mut tx, doc.document_id).await?,
    ))
}

/// Why a valid 保险凭证 no longer tells the truth, if it does not: the policy moved on
/// to a newer version (批改) or was cancelled (退保).
pub(super) fn stale_reason(doc: &DocumentRow, latest: Option<&(i32, String)>) -> Option<String> {
    let (seq, kind) = latest?;
    if *seq == doc.version_seq {
        return None;
    }
    Some(if kind == "cancellation" {
        "保险单已退保（解除），本凭证随之失效 / the policy was cancelled".to_string()
    } else {
        format!(
            "保险单已批改（批单 {}），本凭证由换发的凭证替代 / the policy was endorsed; a new certificate replaces this one",
            endorsement_number(&doc.policy_number, *seq)
        )
    })
}

/// The policy's 保险凭证 for the user unit: the valid one if it states the policy as it
/// stands, else a new one (revoking the stale one). 409 for a cancelled policy.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn insurance_certificate(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<(DocumentView, bool)> {
    {
        let mut tx = ctx.db.read().await?;
        if let Current::Valid(doc) =
            current_insurance_certificate(&mut tx, actor, policy_id).await?
        {
            return Ok((DocumentView::of(&doc, ctx.config), false));
        }
    }
    let mut tx = ctx.db.write().await?;
    let row = issued_policy_for_update(&mut tx, actor, policy_id).await?;
    let latest = store::latest_version(&mut tx, policy_id)
        .await?
        .ok_or_else(|| internal("an issued policy without versions"))?;
    if let Some(doc) = store::valid_insurance_certificate(&mut tx, policy_id).await? {
        match stale_reason(&doc, Some(&latest)) {
            None if !row.state().is_cancelled() => {
                return Ok((DocumentView::of(&doc, ctx.config), false));
            }
            reason => {
                let reason = reason.unwrap_or_else(|| {
                    "保险单已退保（解除），本凭证随之失效 / the policy was cancelled".into()
                });
                revoke(&mut tx, actor, &doc, &reason).await?;
            }
        }
    }
    if row.state().is_cancelled() {
        // Keep the revocation, then refuse.
        tx.commit().await?;
        return Err(cancelled());
    }
    let day = ctx.clock.today();
    let insurer = &ctx.config.insurer.code;
    let n = counters::next(
        &mut tx,
        &format!("insurance-certificate:{insurer}"),
        day.year(),
    )
    .await?;
    let number = format!("{insurer}-PZ-{}-{n:06}", day.year());
    let code = new_verification_code()?;
    let c: InsuranceCertificateContent = content::insurance_certificate(
        &mut tx,
        ctx.library,
        &row,
        latest.0,
        number.clone(),
        code.clone(),
        verification_url(ctx.config, &code),
        day,
    )
    .await?;
    let pdf = documents::render_insurance_certificate(&c, &ctx.kit.branding)
        .map_err(|e| ServiceError::internal_from("render the insurance certificate PDF", e))?;
    let json = serde_json::to_string(&c)
        .map_err(|e| ServiceError::internal_from("serialise the sealed content", e))?;
    let s = sign(
        ctx,
        pdf,
        &documents::insurance_certificate_canonical(&c),
        json,
    );
    let stored = record_issue(
        &mut tx,
        actor,
        NewDocument {
            kind: INSURANCE_CERTIFICATE,
            document_number: &number,
            policy_id,
            version_seq: latest.0,
            verification_code: &code,
            policy_number: &c.policy_number,
            party_name: &c.beneficiary.name,
            amount: c.aggregate_limit,
            content_json: &s.json,
            pdf: &s.pdf,
            sha256_hex: &s.sha,
            signature_b64: &s.signature,
            public_key_b64: &ctx.kit.signer.public_b64(),
            issued_by: actor.user_id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((DocumentView::of(&stored, ctx.config), true))
}

/// The valid 保险凭证's PDF exactly as issued, and its number. Nothing is issued or
/// revoked here (a GET must not change state): when none states the policy as it stands
/// (never issued, or the policy was endorsed since), the answer is 409 until a POST to
/// `…/insurance-certificate` issues the current one.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn insurance_certificate_pdf(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<(String, Vec<u8>)> {
    let mut tx = ctx.db.read().await?;
    match current_insurance_certificate(&mut tx, actor, policy_id).await? {
        Current::Valid(doc) => Ok((
            doc.document_number,
            store::pdf(&mut tx, doc.document_id).await?,
        )),
        Current::Cancelled => Err(cancelled()),
        Current::Missing => Err(ServiceError::Conflict(Text::new(
            "保险凭证尚未按保单现状出具，请先出具（POST）",
            "no insurance certificate states the policy as it stands; issue it first with POST",
        ))),
    }
}

/// The policy's 保险凭证 as it stands, read only.
enum Current {
    /// The valid one states the policy's latest version.
    Valid(Box<DocumentRow>),
    /// Never issued, or the policy moved on since (it needs a new one).
    Missing,
    /// A cancelled policy has none.
    Cancelled,
}

async fn current_insurance_certificate(
    tx: &mut Tx,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<Current> {
    let row = super::visible_policy(tx, actor, policy_id).await?;
    if row.state().is_cancelled() {
        return Ok(Current::Cancelled);
    }
    let latest = store::latest_version(tx, policy_id).await?;
    Ok(
        match store::valid_insurance_certificate(tx, policy_id).await? {
            Some(doc) if stale_reason(&doc, latest.as_ref()).is_none() => {
                Current::Valid(Box::new(doc))
            }
            _ => Current::Missing,
        },
    )
}

fn cancelled() -> ServiceError {
    ServiceError::Conflict(Text::new(
        "保单已退保，不出具保险凭证",
        "the policy is cancelled: no insurance certificate",
    ))
}

async fn revoke(tx: &mut Tx, actor: &Actor, doc: &DocumentRow, reason: &str) -> ServiceResult<()> {
    if !store::revoke(tx, doc.document_id, reason).await? {
        return Ok(());
    }
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action: "document.revoke",
            entity_type: "issued_document",
            entity_id: doc.document_id.to_string(),
            before: Some(serde_json::json!({"status": "valid"})),
            after: Some(serde_json::json!({
                "status": "revoked", "reason": reason, "policy_id": doc.policy_id,
                "document_number": doc.document_number,
            })),
        },
    )
    .await?;
    Ok(())
}

/// The endorsement and cancellation versions of a page of policies, as
/// (policy_id, seq, kind), in order: what the portal offers 批单 downloads for. The
/// policy ids come from a list the caller has already read as the actor.
#[tracing::instrument(skip_all)]
pub async fn change_versions_of(
    ctx: &Ctx<'_>,
    policy_ids: &[i64],
) -> ServiceResult<Vec<(i64, i32, String)>> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    Ok(crate::store::issued_documents::change_versions_of(&mut tx, policy_ids).await?)
}

/// Every 批单 and 保险凭证 of a policy, newest first.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn documents_of(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<Vec<DocumentView>> {
    let mut tx = ctx.db.read().await?;
    super::visible_policy(&mut tx, actor, policy_id).await?;
    let mut rows = store::of_policy(&mut tx, policy_id, ENDORSEMENT).await?;
    rows.extend(store::of_policy(&mut tx, policy_id, INSURANCE_CERTIFICATE).await?);
    rows.sort_by_key(|r| std::cmp::Reverse(r.document_id));
    let latest = store::latest_version(&mut tx, policy_id).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let mut view = DocumentView::of(r, ctx.config);
            // A 保险凭证 the policy has moved past reads as the verification page says.
            if r.kind == INSURANCE_CERTIFICATE && r.status == DocumentStatus::Valid {
                if let Some(why) = stale_reason(r, latest.as_ref()) {
                    view.status = "revoked".into();
                    view.revoked_reason = why;
                }
            }
            view
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endorsement_numbers_follow_the_policy_number() {
        assert_eq!(endorsement_number("FC2026000001", 2), "FC2026000001-PD01");
        assert_eq!(endorsement_number("FC2026000001", 12), "FC2026000001-PD11");
    }
}
