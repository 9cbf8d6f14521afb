//! Certificate revocation (证明撤销) inside another use case's transaction: a reversed
//! payment (billing), a cancellation or an endorsement that changes the premium
//! (underwriting) makes the policy's valid certificate untrue. Kept apart from
//! `certificates` so billing and underwriting need not import the folder that itself
//! reads their settlements and terms (no cycle between service folders).

use crate::services::{Actor, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::certificates as store;
use crate::store::Tx;

/// Revoke the policy's valid certificate, if any, inside the caller's transaction (a
/// reversed payment re-opens the balance, so the certificate no longer tells the truth).
/// Returns the revoked certificate's number.
pub async fn revoke_for_policy(
    tx: &mut Tx,
    actor: &Actor,
    policy_id: i64,
    reason: &str,
) -> ServiceResult<Option<String>> {
    let Some(row) = store::valid_for_policy(tx, policy_id).await? else {
        return Ok(None);
    };
    if !store::revoke(tx, row.certificate_id, reason).await? {
        return Ok(None);
    }
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action: "certificate.revoke",
            entity_type: "certificate",
            entity_id: row.certificate_id.to_string(),
            before: Some(serde_json::json!({"status": "valid"})),
            after: Some(serde_json::json!({
                "status": "revoked", "reason": reason, "policy_id": policy_id,
                "certificate_number": row.certificate_number,
            })),
        },
    )
    .await?;
    Ok(Some(row.certificate_number))
}
