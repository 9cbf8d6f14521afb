//! Proof (索赔材料): the checklist for the claim type, the ONE request for everything
//! missing (《保险法》第二十二条 — 一次性通知), uploads, and the day proof became complete
//! (which starts the art. 23 and art. 25 clocks).

use super::mail;
use super::staff_view::ClaimDocumentView;
use super::view::ClaimView;
use super::{load_for_change, log, require_handler, snapshot};
use crate::domain::clauses::ChecklistDocument;
use crate::domain::text::Text;
use crate::library::Library;
use crate::services::Ctx;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::claims::{self as store, ClaimRow, DocumentRow, NewDocument, ProofRequestRow};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

/// One checklist line and whether it is on file.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProofItem {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub required: bool,
    /// Named in the proof request (so needed even if the checklist calls it optional).
    pub requested: bool,
    pub on_file: bool,
}

impl ProofItem {
    pub fn missing(&self) -> bool {
        !self.on_file && (self.required || self.requested)
    }
}

/// The checklist of a claim with what is on file.
pub fn checklist_status(
    library: &Library,
    row: &ClaimRow,
    docs: &[DocumentRow],
    requested: &[String],
) -> Vec<ProofItem> {
    let Some(list) = library.checklist(row.claim_type) else {
        return Vec::new();
    };
    list.documents
        .iter()
        .map(|d: &ChecklistDocument| ProofItem {
            code: d.code.clone(),
            zh: d.zh.clone(),
            en: d.en.clone(),
            required: d.required,
            requested: requested.iter().any(|r| r == &d.code),
            on_file: docs
                .iter()
                .any(|x| x.kind == "proof" && x.code.as_deref() == Some(d.code.as_str())),
        })
        .collect()
}

/// What is missing on the claim now: required or requested items with nothing on file.
pub(super) async fn missing_now(
    tx: &mut crate::store::Tx,
    library: &Library,
    row: &ClaimRow,
) -> ServiceResult<Vec<ProofItem>> {
    let docs = store::documents(tx, row.claim_id).await?;
    let requested = requested_codes(tx, row.claim_id).await?;
    Ok(checklist_status(library, row, &docs, &requested)
        .into_iter()
        .filter(ProofItem::missing)
        .collect())
}

/// Deciding or approving while proof is missing needs an explicit reason: `Ok(None)`
/// when nothing is missing, the trimmed reason when one is given, else a field error
/// naming every missing item.
pub(super) fn waiver_reason(missing: &[ProofItem], reason: &str) -> ServiceResult<Option<String>> {
    if missing.is_empty() {
        return Ok(None);
    }
    let reason = reason.trim();
    if reason.chars().count() > 2000 {
        return Err(ServiceError::field(
            "missing_proof_reason",
            "the reason is at most 2,000 characters",
            "理由不超过 2000 个字符",
        ));
    }
    if reason.is_empty() {
        let zh: Vec<&str> = missing.iter().map(|m| m.zh.as_str()).collect();
        let en: Vec<&str> = missing.iter().map(|m| m.en.as_str()).collect();
        return Err(ServiceError::field(
            "missing_proof_reason",
            format!(
                "required proof is missing ({}); give the reason for going ahead without it",
                en.join("; ")
            ),
            format!(
                "以下必需材料尚未提交：{}；如仍要继续，须说明理由",
                zh.join("、")
            ),
        ));
    }
    Ok(Some(reason.to_string()))
}

/// The items a proof request asked for (none without a request). Stored items that do
/// not parse are an error, never "nothing requested".
pub(super) fn requested_items(request: Option<&ProofRequestRow>) -> ServiceResult<Vec<ProofItem>> {
    match request {
        Some(r) => serde_json::from_str(&r.items_json)
            .map_err(|e| ServiceError::internal_from("claim proof request items", e)),
        None => Ok(Vec::new()),
    }
}

async fn requested_codes(tx: &mut crate::store::Tx, claim_id: i64) -> ServiceResult<Vec<String>> {
    let request = store::proof_request(tx, claim_id).await?;
    let items = requested_items(request.as_ref())?;
    Ok(items.into_iter().map(|i| i.code).collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofRequestInput {
    /// Checklist codes marked "when it applies" that this claim needs too.
    #[serde(default)]
    pub also: Vec<String>,
    /// A note to the claimant.
    #[serde(default)]
    pub note: String,
    /// Where to send it, if the claim has no address yet.
    #[serde(default)]
    pub contact_email: Option<String>,
}

/// Ask the claimant, once, for everything missing; recorded and mailed (outbox) in the
/// same transaction. A second request is refused: the law asks for one complete list.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn request_missing_proof(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    input: ProofRequestInput,
) -> ServiceResult<ClaimView> {
    require_handler(actor, "request proof")?;
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, actor, claim_id).await?;
    if !row.state.can_handle() {
        return Err(ServiceError::Conflict(Text::new(
            "赔案已核定，不能再索要材料",
            "the claim is decided; no proof can be requested",
        )));
    }
    if store::proof_request(&mut tx, claim_id).await?.is_some() {
        return Err(ServiceError::Conflict(Text::new(
            "补充材料通知已发出，依《保险法》第二十二条应一次性告知，不得再次索要",
            "missing proof was already requested once; the law allows one complete request",
        )));
    }
    let docs = store::documents(&mut tx, claim_id).await?;
    let items = checklist_status(ctx.library, &row, &docs, &input.also);
    for code in &input.also {
        if !items.iter().any(|i| &i.code == code) {
            return Err(ServiceError::field(
                "also",
                format!("'{code}' is not on this claim type's checklist"),
                format!("“{code}”不在该类索赔的材料清单内"),
            ));
        }
    }
    let missing: Vec<ProofItem> = items.into_iter().filter(ProofItem::missing).collect();
    if missing.is_empty() {
        return Err(ServiceError::Conflict(Text::new(
            "材料已齐全，无需补充",
            "nothing is missing",
        )));
    }
    if let Some(e) = input
        .contact_email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        row.contact_email = e.to_string();
    }
    if !row.contact_email.contains('@') {
        return Err(ServiceError::field(
            "contact_email",
            "the claim has no mail address for the claimant; give one",
            "赔案没有索赔人的电子邮箱，请填写",
        ));
    }
    let before = snapshot(&row);
    let outbox_id = mail::proof_request(&mut tx, ctx, &row, &missing, input.note.trim()).await?;
    let items_json = serde_json::to_string(&missing)
        .map_err(|e| ServiceError::internal_from("serialise a record to JSON", e))?;
    store::add_proof_request(
        &mut tx,
        claim_id,
        &items_json,
        input.note.trim(),
        actor.user_id,
        outbox_id,
    )
    .await?;
    store::save(&mut tx, &mut row).await?;
    let mut after = snapshot(&row);
    after["missing"] = json!(missing.iter().map(|m| &m.code).collect::<Vec<_>>());
    after["outbox_id"] = json!(outbox_id);
    log(
        &mut tx,
        actor,
        "claim.proof_requested",
        claim_id,
        Some(before),
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(ClaimView::from(&row))
}

/// An uploaded file as it arrived.
pub struct Upload {
    /// The form field it came in (named in a refusal).
    pub field: String,
    pub filename: String,
    pub code: Option<String>,
    pub bytes: Vec<u8>,
}

/// What the bytes are, by their first bytes — never by the name alone.
fn sniff(bytes: &[u8]) -> Result<&'static str, &'static str> {
    const EXECUTABLE: [&[u8]; 7] = [
        b"MZ",
        b"\x7fELF",
        b"#!",
        b"\xca\xfe\xba\xbe",
        b"\xcf\xfa\xed\xfe",
        b"\xce\xfa\xed\xfe",
        b"\0asm",
    ];
    if EXECUTABLE.iter().any(|m| bytes.starts_with(m)) {
        return Err("executable");
    }
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Ok("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else {
        Err("unknown")
    }
}

fn extension_fits(filename: &str, content_type: &str) -> bool {
    let lower = filename.to_ascii_lowercase();
    match content_type {
        "application/pdf" => lower.ends_with(".pdf"),
        "image/jpeg" => lower.ends_with(".jpg") || lower.ends_with(".jpeg"),
        "image/png" => lower.ends_with(".png"),
        _ => false,
    }
}

/// Check an upload's size and type; return its content type.
pub fn check_upload(u: &Upload, max_bytes: usize) -> ServiceResult<&'static str> {
    if u.bytes.is_empty() {
        return Err(ServiceError::field("file", "the file is empty", "文件为空"));
    }
    if u.bytes.len() > max_bytes {
        return Err(ServiceError::field(
            "file",
            format!("the file is larger than {max_bytes} bytes"),
            format!("文件超过 {max_bytes} 字节的上限"),
        ));
    }
    let kind = match sniff(&u.bytes) {
        Ok(k) => k,
        Err("executable") => {
            return Err(ServiceError::field(
                "file",
                "executable files are not accepted",
                "不接受可执行文件",
            ))
        }
        Err(_) => {
            return Err(ServiceError::field(
                "file",
                "only PDF, JPEG and PNG files are accepted",
                "仅接受 PDF、JPG、PNG 文件",
            ))
        }
    };
    crate::documents::inspect::check(kind, &u.bytes)
        .map_err(|r| ServiceError::field("file", r.en, r.zh))?;
    if !extension_fits(&u.filename, kind) {
        return Err(ServiceError::field(
            "file",
            format!(
                "the name '{}' does not match its content ({kind})",
                u.filename
            ),
            format!("文件名“{}”与文件内容（{kind}）不符", u.filename),
        ));
    }
    Ok(kind)
}

/// Store one document against a checklist code (see [`upload_documents`]).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn upload_document(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    upload: Upload,
) -> ServiceResult<ClaimDocumentView> {
    upload_documents(ctx, actor, claim_id, vec![upload])
        .await?
        .into_iter()
        .next()
        .ok_or(ServiceError::NotFound("document"))
}

/// At most this many files in one upload.
pub const MAX_FILES_PER_UPLOAD: usize = 20;

/// Prefix a field error with the file it is about, so a refusal among several files
/// says which one.
fn about_file(e: ServiceError, field: &str, filename: &str) -> ServiceError {
    match e {
        ServiceError::Validation(errors) => ServiceError::Validation(
            errors
                .into_iter()
                .map(|mut f| {
                    f.field = field.to_string();
                    f.text.en = format!("{filename}: {}", f.text.en);
                    f.text.zh = format!("{filename}：{}", f.text.zh);
                    f
                })
                .collect(),
        ),
        other => other,
    }
}

/// Store several documents at once, each against its own checklist code, in one
/// transaction: either every file is kept or none is (a refusal names the file). When
/// they complete the proof, the day is recorded.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn upload_documents(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    uploads: Vec<Upload>,
) -> ServiceResult<Vec<ClaimDocumentView>> {
    actor.require(actor.role.reports_claims(), "upload claim documents")?;
    if uploads.is_empty() {
        return Err(ServiceError::field("file", "choose a file", "请选择文件"));
    }
    if uploads.len() > MAX_FILES_PER_UPLOAD {
        return Err(ServiceError::field(
            "file",
            format!("at most {MAX_FILES_PER_UPLOAD} files at once"),
            format!("每次最多上传 {MAX_FILES_PER_UPLOAD} 个文件"),
        ));
    }
    let mut kinds = Vec::with_capacity(uploads.len());
    for u in &uploads {
        let kind = check_upload(u, ctx.config.claims.upload_max_bytes)
            .map_err(|e| about_file(e, &u.field, &u.filename))?;
        kinds.push(kind);
    }
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, actor, claim_id).await?;
    let before = snapshot(&row);
    let docs = store::documents(&mut tx, claim_id).await?;
    let requested = requested_codes(&mut tx, claim_id).await?;
    let items = checklist_status(ctx.library, &row, &docs, &requested);
    let mut stored = Vec::with_capacity(uploads.len());
    for (upload, content_type) in uploads.iter().zip(kinds) {
        let code = upload
            .code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if let Some(code) = code {
            if !items.iter().any(|i| i.code == code) {
                return Err(ServiceError::field(
                    &upload.field,
                    format!(
                        "{}: '{code}' is not on this claim type's checklist",
                        upload.filename
                    ),
                    format!("{}：“{code}”不在该类索赔的材料清单内", upload.filename),
                ));
            }
        }
        let sha = hex::encode(Sha256::digest(&upload.bytes));
        let filename: String = upload
            .filename
            .chars()
            .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
            .take(255)
            .collect();
        let id = store::add_document(
            &mut tx,
            &NewDocument {
                claim_id,
                kind: "proof",
                code,
                filename: &filename,
                content_type,
                sha256: &sha,
                content: &upload.bytes,
                uploaded_by: Some(actor.user_id),
            },
        )
        .await?;
        stored.push(
            json!({"document_id": id, "code": code, "filename": filename,
            "content_type": content_type, "sha256": sha, "size": upload.bytes.len()}),
        );
    }
    let docs = store::documents(&mut tx, claim_id).await?;
    let complete = checklist_status(ctx.library, &row, &docs, &requested)
        .iter()
        .all(|i| !i.missing());
    if complete && row.proof_complete_on.is_none() {
        row.proof_complete_on = Some(ctx.clock.today());
        store::save(&mut tx, &mut row).await?;
    }
    let ids: Vec<i64> = stored
        .iter()
        .filter_map(|d| d["document_id"].as_i64())
        .collect();
    let mut after = snapshot(&row);
    if stored.len() == 1 {
        after["document"] = stored[0].clone();
    } else {
        after["documents"] = json!(stored);
    }
    log(
        &mut tx,
        actor,
        "claim.document",
        claim_id,
        Some(before),
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(docs
        .into_iter()
        .filter(|d| ids.contains(&d.document_id))
        .map(ClaimDocumentView::from)
        .collect())
}

/// The handler confirms proof is complete (e.g. papers received by post) on a day.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn mark_proof_complete(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    on: Option<NaiveDate>,
) -> ServiceResult<ClaimView> {
    require_handler(actor, "record complete proof")?;
    let day = on.unwrap_or_else(|| ctx.clock.today());
    if day > ctx.clock.today() {
        return Err(ServiceError::field(
            "on",
            "the date cannot be in the future",
            "日期不能晚于今天",
        ));
    }
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, actor, claim_id).await?;
    if row.proof_complete_on.is_some() {
        return Err(ServiceError::Conflict(Text::new(
            "材料齐全日期已记录",
            "proof is already complete",
        )));
    }
    // A claim keyed in from paper files may have had complete proof before it was
    // entered; never before the event itself.
    if day < row.event_date {
        return Err(ServiceError::field(
            "on",
            "proof cannot be complete before the event",
            "材料齐全日期不能早于出险日期",
        ));
    }
    let before = snapshot(&row);
    row.proof_complete_on = Some(day);
    store::save(&mut tx, &mut row).await?;
    log(
        &mut tx,
        actor,
        "claim.proof_complete",
        claim_id,
        Some(before),
        snapshot(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(ClaimView::from(&row))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            field: "file".into(),
            filename: name.into(),
            code: None,
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn pdf_jpeg_and_png_are_recognised_by_content() {
        use crate::documents::inspect::samples;
        assert_eq!(
            check_upload(&up("a.pdf", &samples::pdf()), 10_000).unwrap(),
            "application/pdf"
        );
        assert_eq!(
            check_upload(&up("a.PNG", &samples::png()), 10_000).unwrap(),
            "image/png"
        );
        // Sniffed as JPEG but not decodable: refused.
        assert!(check_upload(&up("a.JPG", b"\xff\xd8\xff\xe0x"), 100).is_err());
    }

    #[test]
    fn an_executable_is_refused_whatever_its_name() {
        for bytes in [&b"MZ\x90\x00"[..], b"\x7fELF\x02", b"#!/bin/sh\n"] {
            let e = check_upload(&up("invoice.pdf", bytes), 100).unwrap_err();
            assert!(format!("{e:?}").contains("executable"), "{e:?}");
        }
    }

    #[test]
    fn a_name_that_does_not_match_the_content_and_oversize_files_are_refused() {
        let pdf = crate::documents::inspect::samples::pdf();
        assert!(check_upload(&up("a.exe", &pdf), 10_000).is_err());
        assert!(check_upload(&up("a.pdf", b"\x89PNG\r\n\x1a\n"), 100).is_err());
        assert!(check_upload(&up("a.pdf", b"%PDF-1.7 0123456789"), 10).is_err());
        assert!(check_upload(&up("a.txt", b"hello"), 100).is_err());
    }
}
