//! Bank statement import (银行流水导入): preview, then import as a job.
//!
//! The preview reads the file (CSV in UTF-8/GBK or XLSX, any layout in
//! `clauses/banks/`), lists every bad line with its reason and records nothing. A file
//! with any bad line cannot be imported: nothing is recorded from it (finance fixes the
//! file or asks the bank again, so the statement in the system is never half a file).
//! A clean file is kept (`statement_upload`) and imported in chunks of
//! [`CHUNK`] lines, one transaction each, the upload row counting the lines done — the
//! progress the import page shows. Each line is kept once (the bank's transaction id
//! is unique), so re-importing a file, an overlapping one or resuming a failed job
//! records nothing twice. A line whose reference names exactly one issued policy becomes
//! a payment; the rest wait in suspense (`super::suspense`).

use super::bank_views::{views, BankLineView, StatementImportView, StatementUploadView};
use super::payments::{add_payment, PaymentView};
use super::statement_file::{self, Encoding};
use super::{issued_policy_for_update, require_finance};
use crate::domain::billing::bank_codes::UploadStatus;
use crate::domain::billing::statement::layout::{self as layouts, BankLayout};
use crate::domain::billing::statement::{self, policy_numbers_in, Reading};
use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::paging::Paged;
use crate::services::Ctx;
use crate::services::{Actor, FieldError, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditActor, AuditEntry};
use crate::store::bank::{self as bank, NewUpload, UploadRow};
use crate::store::billing::{self as store, BankLineRow, NewLine, NewPayment};
use crate::store::Db;
use crate::store::Tx;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Lines per import transaction: large enough to keep commits cheap, small enough that
/// the progress moves and other writers get the database between chunks.
pub const CHUNK: usize = 1000;

/// What one import did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub import_id: i64,
    pub upload_id: i64,
    pub filename: String,
    /// Credit lines in the file.
    pub lines: i32,
    /// New lines that became payments.
    pub imported: i32,
    /// Lines already known (same bank transaction id): nothing recorded.
    pub duplicates: i32,
    /// New lines kept in suspense for finance.
    pub unmatched: i32,
    /// The unmatched lines of this file (at most 1,000; the suspense list has them all).
    pub unmatched_lines: Vec<BankLineView>,
}

/// A credit as the preview shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewLine {
    pub line: usize,
    pub value_date: NaiveDate,
    #[schema(value_type = String)]
    pub amount: Money,
    pub payer: String,
    pub reference: String,
    pub transaction_id: String,
}

/// A line that cannot be imported, with its reason in both languages.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewProblem {
    pub line: usize,
    pub zh: String,
    pub en: String,
}

/// What a file would record, before anything is recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// Set when the file is clean and kept for import.
    pub upload_id: Option<i64>,
    pub filename: String,
    /// UTF-8, UTF-8 (BOM), GBK/GB18030 or XLSX
    pub encoding: String,
    pub layout_id: String,
    #[schema(value_type = Object)]
    pub layout_name: Text,
    /// Credit lines read.
    pub lines: usize,
    /// Outgoings and blank rows, not premium.
    pub skipped: usize,
    /// Credit lines whose transaction id is already recorded (they will be duplicates).
    pub known: i64,
    #[schema(value_type = String)]
    pub total: Money,
    pub errors: Vec<PreviewProblem>,
    /// The first lines, to check the columns were read right.
    pub sample: Vec<PreviewLine>,
}

fn file_error(en: String, zh: String) -> ServiceError {
    ServiceError::Validation(vec![FieldError::new("file", en, zh)])
}

/// Read a file with the chosen layout (`None` or "auto": detected).
pub fn read_file<'a>(
    all: &'a [BankLayout],
    bytes: &[u8],
    layout: Option<&str>,
) -> ServiceResult<(Encoding, &'a BankLayout, Reading)> {
    let (encoding, sheet) = statement_file::read(bytes).map_err(|e| file_error(e.en(), e.zh()))?;
    let chosen = layout
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "auto");
    let found = match chosen {
        Some(id) => {
            let l = all.iter().find(|l| l.id == id).ok_or_else(|| {
                ServiceError::field(
                    "layout",
                    format!("no bank layout '{id}'"),
                    format!("没有银行流水格式“{id}”"),
                )
            })?;
            l.locate(&sheet.rows).map(|m| (l, m))
        }
        None => layouts::detect(all, &sheet.rows),
    };
    let Some((layout, map)) = found else {
        let names: Vec<&str> = all.iter().map(|l| l.id.as_str()).collect();
        return Err(file_error(
            format!(
                "no header row with a date, a credit amount and a transaction id column was found \
                 near the top of the file (layouts tried: {})",
                names.join(", ")
            ),
            format!(
                "文件开头未找到包含交易日期、贷方金额和交易流水号的列名行（已尝试格式：{}）",
                names.join("、")
            ),
        ));
    };
    let reading = statement::read(layout, &map, &sheet);
    Ok((encoding, layout, reading))
}

fn problems(r: &Reading) -> Vec<PreviewProblem> {
    r.errors
        .iter()
        .map(|e| PreviewProblem {
            line: e.line,
            zh: e.reason.zh(),
            en: e.reason.en(),
        })
        .collect()
}

fn clean_name(filename: &str) -> &str {
    match filename.trim() {
        "" => "statement.csv",
        f => f,
    }
}

/// Read a file and say what it would record; a clean file is kept for import.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn preview_statement(
    ctx: &Ctx<'_>,
    actor: &Actor,
    all: &[BankLayout],
    filename: &str,
    bytes: &[u8],
    layout: Option<&str>,
) -> ServiceResult<Preview> {
    let db = ctx.db;
    require_finance(actor, "import bank statements")?;
    let (encoding, layout, reading) = read_file(all, bytes, layout)?;
    if reading.lines.is_empty() && reading.errors.is_empty() {
        return Err(file_error(
            "the file holds no credit lines".into(),
            "文件中没有收入（贷方）流水".into(),
        ));
    }
    let ids: Vec<String> = reading
        .lines
        .iter()
        .map(|l| l.transaction_id.clone())
        .collect();
    let known = {
        let mut tx = db.read().await?;
        bank::known_transactions(&mut tx, &ids).await?
    };
    let filename = clean_name(filename);
    let total = reading
        .lines
        .iter()
        .try_fold(Money::ZERO, |s, l| s.checked_add(l.amount))
        .ok_or_else(|| file_error("the total is too large".into(), "合计金额过大".into()))?;
    let upload_id = if reading.errors.is_empty() {
        let sha = hex::encode(Sha256::digest(bytes));
        let lines = i32::try_from(reading.lines.len()).unwrap_or(i32::MAX);
        let mut tx = db.write().await?;
        let id = bank::insert_upload(
            &mut tx,
            &NewUpload {
                filename,
                sha256: &sha,
                layout_id: &layout.id,
                content: bytes,
                lines,
                by: actor.user_id,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            &actor.audit(),
            AuditEntry {
                action: "billing.statement_preview",
                entity_type: "statement_upload",
                entity_id: id.to_string(),
                before: None,
                after: Some(json!({
                    "filename": filename, "sha256": sha, "layout": layout.id,
                    "encoding": encoding.label(), "lines": lines, "known": known, "total": total,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Some(id)
    } else {
        None
    };
    Ok(Preview {
        upload_id,
        filename: filename.to_string(),
        encoding: encoding.label().to_string(),
        layout_id: layout.id.clone(),
        layout_name: layout.name.clone(),
        lines: reading.lines.len(),
        skipped: reading.skipped,
        known,
        total,
        errors: problems(&reading),
        sample: reading
            .lines
            .iter()
            .take(20)
            .map(|l| PreviewLine {
                line: l.line,
                value_date: l.value_date,
                amount: l.amount,
                payer: l.payer.clone(),
                reference: l.reference.clone(),
                transaction_id: l.transaction_id.clone(),
            })
            .collect(),
    })
}

/// The one issued policy a reference names, if exactly one.
pub(super) async fn policy_named_in(
    tx: &mut Tx,
    reference: &str,
    code: &str,
) -> ServiceResult<Option<i64>> {
    let mut found = Vec::new();
    for number in policy_numbers_in(reference, code) {
        if let Some(p) = store::policy_by_number(tx, &number).await? {
            if !found.contains(&p.policy_id) {
                found.push(p.policy_id);
            }
        }
    }
    Ok(match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    })
}

/// Turn (part of) a bank line into a payment of `amount` on `policy_id`.
pub(super) async fn pay_from_line(
    tx: &mut Tx,
    who: &AuditActor,
    line: &BankLineRow,
    policy_id: i64,
    amount: Money,
    by: Option<i64>,
) -> ServiceResult<PaymentView> {
    let policy = issued_policy_for_update(tx, policy_id).await?;
    let row = add_payment(
        tx,
        who,
        &policy,
        &NewPayment {
            policy_id,
            paid_on: line.value_date,
            amount,
            method: "bank_transfer",
            reference: &line.reference,
            payer: &line.payer,
            source: &line.source,
            bank_line_id: Some(line.bank_line_id),
            recorded_by: by,
        },
    )
    .await?;
    if by.is_some() {
        store::set_line_matcher(tx, line.bank_line_id, by).await?;
    }
    Ok(PaymentView::from(&row))
}

fn not_found_upload() -> ServiceError {
    ServiceError::NotFound("statement upload")
}

/// Start importing a previewed upload: its import row is created and the upload is
/// marked running (once: a second start is a conflict).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn start_import(
    ctx: &Ctx<'_>,
    actor: &Actor,
    upload_id: i64,
) -> ServiceResult<StatementUploadView> {
    let db = ctx.db;
    require_finance(actor, "import bank statements")?;
    let mut tx = db.write().await?;
    let up = bank::upload(&mut tx, upload_id)
        .await?
        .ok_or_else(not_found_upload)?;
    let import_id =
        store::insert_import(&mut tx, &up.filename, &up.sha256, up.lines, actor.user_id).await?;
    bank::start_upload(&mut tx, upload_id, import_id)
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Conflict => ServiceError::Conflict(Text::new(
                format!("流水文件 {upload_id} 正在导入或已导入"),
                format!("statement upload {upload_id} is already being imported or was imported"),
            )),
            other => other.into(),
        })?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "billing.statement_import_started",
            entity_type: "statement_import",
            entity_id: import_id.to_string(),
            before: None,
            after: Some(
                json!({"upload_id": upload_id, "filename": up.filename, "lines": up.lines}),
            ),
        },
    )
    .await?;
    let row = bank::upload(&mut tx, upload_id)
        .await?
        .ok_or_else(not_found_upload)?;
    tx.commit().await?;
    Ok(row.into())
}

#[derive(Default)]
struct Counts {
    imported: i32,
    duplicates: i32,
    unmatched: i32,
}

async fn import_chunk(
    db: &Db,
    actor: &Actor,
    code: &str,
    import_id: i64,
    upload_id: i64,
    lines: &[statement::StatementLine],
    done: i32,
) -> ServiceResult<Counts> {
    let mut c = Counts::default();
    let mut tx = db.write().await?;
    for l in lines {
        let new = NewLine {
            source: "statement",
            import_id: Some(import_id),
            bank_txn_id: &l.transaction_id,
            value_date: l.value_date,
            amount: l.amount,
            payer: &l.payer,
            reference: &l.reference,
        };
        let Some(line_id) = store::insert_line(&mut tx, &new).await? else {
            c.duplicates += 1;
            continue;
        };
        match policy_named_in(&mut tx, &l.reference, code).await? {
            Some(policy_id) => {
                let line = store::line(&mut tx, line_id)
                    .await?
                    .ok_or(ServiceError::NotFound("bank line"))?;
                pay_from_line(&mut tx, &actor.audit(), &line, policy_id, l.amount, None).await?;
                c.imported += 1;
            }
            None => c.unmatched += 1,
        }
    }
    bank::add_import_counts(&mut tx, import_id, c.imported, c.duplicates, c.unmatched).await?;
    bank::upload_progress(&mut tx, upload_id, done).await?;
    tx.commit().await?;
    Ok(c)
}

async fn run_chunks(
    db: &Db,
    actor: &Actor,
    code: &str,
    all: &[BankLayout],
    up: &UploadRow,
) -> ServiceResult<ImportReport> {
    let import_id = up.import_id.ok_or_else(not_found_upload)?;
    let content = {
        let mut tx = db.read().await?;
        bank::upload_content(&mut tx, up.upload_id).await?
    };
    let (_, _, reading) = read_file(all, &content, Some(&up.layout_id))?;
    if !reading.errors.is_empty() {
        return Err(ServiceError::Conflict(Text::new(
            format!("文件按当前格式“{}”读取有误", up.layout_id),
            format!(
                "the file no longer reads cleanly with layout '{}'",
                up.layout_id
            ),
        )));
    }
    let mut total = Counts::default();
    let mut done = 0usize;
    for chunk in reading.lines.chunks(CHUNK) {
        done += chunk.len();
        let d = i32::try_from(done).unwrap_or(i32::MAX);
        let c = import_chunk(db, actor, code, import_id, up.upload_id, chunk, d).await?;
        total.imported += c.imported;
        total.duplicates += c.duplicates;
        total.unmatched += c.unmatched;
    }
    let mut tx = db.write().await?;
    bank::finish_upload(&mut tx, up.upload_id, UploadStatus::Done, None).await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "billing.statement_import",
            entity_type: "statement_import",
            entity_id: import_id.to_string(),
            before: None,
            after: Some(json!({
                "upload_id": up.upload_id, "filename": up.filename, "sha256": up.sha256,
                "layout": up.layout_id, "lines": up.lines, "imported": total.imported,
                "duplicates": total.duplicates, "unmatched": total.unmatched,
            })),
        },
    )
    .await?;
    let unmatched_lines = views(bank::open_lines_of_import(&mut tx, import_id, 1000).await?);
    tx.commit().await?;
    Ok(ImportReport {
        import_id,
        upload_id: up.upload_id,
        filename: up.filename.clone(),
        lines: up.lines,
        imported: total.imported,
        duplicates: total.duplicates,
        unmatched: total.unmatched,
        unmatched_lines,
    })
}

/// Run a started import to its end (the page runs it as a background task, the API
/// and the CLI in the request). A failure marks the upload failed with the reason;
/// starting it again resumes, lines already recorded counting as duplicates.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn run_import(
    ctx: &Ctx<'_>,
    actor: &Actor,
    code: &str,
    all: &[BankLayout],
    upload_id: i64,
) -> ServiceResult<ImportReport> {
    let db = ctx.db;
    let up = {
        let mut tx = db.read().await?;
        bank::upload(&mut tx, upload_id)
            .await?
            .ok_or_else(not_found_upload)?
    };
    let result = run_chunks(db, actor, code, all, &up).await;
    if let Err(e) = &result {
        let mut tx = db.write().await?;
        let reason = super::bank_views::stored_failure(e);
        bank::finish_upload(&mut tx, upload_id, UploadStatus::Failed, Some(&reason)).await?;
        tx.commit().await?;
    }
    result
}

/// Preview and import in one call (API and CLI): a file with any bad line is refused
/// whole (422, every line listed) and records nothing.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn import_statement(
    ctx: &Ctx<'_>,
    actor: &Actor,
    insurer_code: &str,
    all: &[BankLayout],
    filename: &str,
    bytes: &[u8],
    layout: Option<&str>,
) -> ServiceResult<ImportReport> {
    let p = preview_statement(ctx, actor, all, filename, bytes, layout).await?;
    let Some(upload_id) = p.upload_id else {
        return Err(ServiceError::Validation(
            p.errors
                .iter()
                .map(|e| {
                    FieldError::new(
                        &format!("file:{}", e.line),
                        format!("line {}: {}", e.line, e.en),
                        format!("第 {} 行：{}", e.line, e.zh),
                    )
                })
                .collect(),
        ));
    };
    start_import(ctx, actor, upload_id).await?;
    run_import(ctx, actor, insurer_code, all, upload_id).await
}

/// An upload with its progress (finance only).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn upload(
    ctx: &Ctx<'_>,
    actor: &Actor,
    upload_id: i64,
) -> ServiceResult<StatementUploadView> {
    let db = ctx.db;
    require_finance(actor, "see statement imports")?;
    let mut tx = db.read().await?;
    bank::upload(&mut tx, upload_id)
        .await?
        .map(StatementUploadView::from)
        .ok_or_else(not_found_upload)
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn import_row(
    ctx: &Ctx<'_>,
    actor: &Actor,
    import_id: i64,
) -> ServiceResult<StatementImportView> {
    let db = ctx.db;
    require_finance(actor, "see statement imports")?;
    let mut tx = db.read().await?;
    bank::import(&mut tx, import_id)
        .await?
        .map(StatementImportView::from)
        .ok_or(ServiceError::NotFound("statement import"))
}

/// Statement imports a page at a time, newest first, with their counts.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn recent_imports(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &crate::services::SeekQuery,
) -> ServiceResult<Paged<StatementImportView>> {
    let db = ctx.db;
    require_finance(actor, "see statement imports")?;
    let seek = q.seek(store::import_order, true);
    let mut tx = db.read().await?;
    Ok(store::imports(&mut tx, &seek)
        .await?
        .into_map(StatementImportView::from))
}

/// The issued policy with this number, for matching by hand (finance only).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn policy_id_by_number(ctx: &Ctx<'_>, actor: &Actor, number: &str) -> ServiceResult<i64> {
    let db = ctx.db;
    require_finance(actor, "match bank lines")?;
    let mut tx = db.read().await?;
    match store::policy_by_number(&mut tx, number.trim()).await? {
        Some(p) => Ok(p.policy_id),
        None => Err(ServiceError::field(
            "policy_number",
            format!("no issued policy has the number '{}'", number.trim()),
            format!("没有保单号为“{}”的已出单保单", number.trim()),
        )),
    }
}
