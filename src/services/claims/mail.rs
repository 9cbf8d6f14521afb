//! Mail to the claimant, queued in the outbox inside the caller's transaction, so it
//! is sent only if the change commits. The idempotency key is the claim and the
//! purpose: the same notice is never queued twice.

use super::proof::ProofItem;
use crate::services::outbox::{self, Attachment, Mail};
use crate::services::Ctx;
use crate::services::ServiceResult;
use crate::store::claims::ClaimRow;
use crate::store::Tx;

/// Subject and body of the one request for missing proof (《保险法》第二十二条).
pub fn proof_request_text(
    insurer: &str,
    row: &ClaimRow,
    missing: &[ProofItem],
    note: &str,
) -> (String, String) {
    let subject = format!("补充索赔材料通知 / Proof needed — {}", row.claim_number);
    let mut text = format!(
        "{}：\n\n贵方报案的赔案（赔案号 {}，保单号 {}，出险日期 {}）尚缺以下索赔材料。依照《保险法》第二十二条，现一次性通知如下，请补齐后提交：\n\n",
        row.maker_name, row.claim_number, row.policy_number, row.event_date
    );
    for (i, m) in missing.iter().enumerate() {
        text.push_str(&format!("{}. {}（{}）\n", i + 1, m.zh, m.en));
    }
    if !note.is_empty() {
        text.push_str(&format!("\n说明 / Note: {note}\n"));
    }
    text.push_str(&format!(
        "\nThe claim {} needs the documents listed above (Insurance Law art. 22: one complete request).\n\n{insurer}\n",
        row.claim_number
    ));
    (subject, text)
}

/// Subject and body of the mail that carries the rejection notice (第二十四条).
pub fn rejection_text(insurer: &str, row: &ClaimRow, reasons: &[String]) -> (String, String) {
    let subject = format!("拒赔通知书 / Notice of rejection — {}", row.claim_number);
    let mut text = format!(
        "{}：\n\n贵方就保险单号 {} 提出的索赔（赔案号 {}）经核定不属于保险责任，本公司决定不予赔付。拒赔通知书见附件（PDF）。理由：\n\n",
        row.maker_name, row.policy_number, row.claim_number
    );
    for (i, r) in reasons.iter().enumerate() {
        text.push_str(&format!("{}. {r}\n", i + 1));
    }
    text.push_str(&format!(
        "\nThe claim {} is rejected; the written notice with the reasons is attached.\n\n{insurer}\n",
        row.claim_number
    ));
    (subject, text)
}

#[tracing::instrument(skip_all)]
pub async fn proof_request(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    row: &ClaimRow,
    missing: &[ProofItem],
    note: &str,
) -> ServiceResult<Option<i64>> {
    let (subject, text) = proof_request_text(&ctx.config.insurer.name, row, missing, note);
    enqueue(
        tx,
        &format!("claim:{}:proof-request", row.claim_id),
        &row.contact_email,
        subject,
        text,
        None,
    )
    .await
}

pub async fn rejection_notice(
    tx: &mut Tx,
    insurer: &str,
    row: &ClaimRow,
    reasons: &[String],
    filename: &str,
    pdf: Vec<u8>,
) -> ServiceResult<Option<i64>> {
    let (subject, text) = rejection_text(insurer, row, reasons);
    // The row's version changes with every save: a claim reopened and rejected again
    // gets a new notice; the same decision never queues a second one.
    let key = format!("claim:{}:rejection:v{}", row.claim_id, row.version);
    enqueue(
        tx,
        &key,
        &row.contact_email,
        subject,
        text,
        Some((filename.to_string(), pdf)),
    )
    .await
}

async fn enqueue(
    tx: &mut Tx,
    key: &str,
    to: &str,
    subject: String,
    text: String,
    attachment: Option<(String, Vec<u8>)>,
) -> ServiceResult<Option<i64>> {
    let mail = Mail {
        to: vec![to.trim().to_string()],
        subject,
        text,
        attachments: attachment
            .map(|(filename, bytes)| Attachment {
                filename,
                content_type: "application/pdf".into(),
                bytes,
            })
            .into_iter()
            .collect(),
    };
    outbox::enqueue_mail(tx, key, &mail).await.map(Some)
}
