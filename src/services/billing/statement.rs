//! Bank statement import (银行流水导入) and manual matching. Each line is kept once
//! (the bank's transaction id is unique), so re-importing a file or an overlapping one
//! records nothing twice. A line whose reference names exactly one issued policy
//! becomes a payment; the rest wait in the unmatched list for finance.

use super::payments::{add_payment, PaymentView};
use super::{issued_policy_for_update, require_finance};
use crate::domain::billing::statement::{self, policy_numbers_in};
use crate::services::{Actor, FieldError, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditActor, AuditEntry};
use crate::store::billing::{self as store, BankLineRow, ImportRow, NewLine, NewPayment};
use crate::store::Db;
use crate::store::Tx;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

/// What one import did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub import_id: i64,
    pub filename: String,
    /// Lines in the file.
    pub lines: i32,
    /// New lines that became payments.
    pub imported: i32,
    /// Lines already known (same bank transaction id): nothing recorded.
    pub duplicates: i32,
    /// New lines kept for manual matching.
    pub unmatched: i32,
    /// The unmatched lines of this file.
    pub unmatched_lines: Vec<BankLineRow>,
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

/// Turn a new bank line into a payment on `policy_id`.
pub(super) async fn pay_from_line(
    tx: &mut Tx,
    who: &AuditActor,
    line: &BankLineRow,
    policy_id: i64,
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
            amount: line.amount,
            method: "bank_transfer",
            reference: &line.reference,
            payer: &line.payer,
            source: &line.source,
            bank_txn_id: Some(&line.bank_txn_id),
            recorded_by: by,
        },
    )
    .await?;
    store::set_line_payment(tx, line.bank_line_id, row.payment_id, by).await?;
    Ok(PaymentView::from(&row))
}

/// Import a statement file (format in `domain::billing::statement`).
pub async fn import_statement(
    db: &Db,
    actor: &Actor,
    insurer_code: &str,
    filename: &str,
    bytes: &[u8],
) -> ServiceResult<ImportReport> {
    require_finance(actor, "import bank statements")?;
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ServiceError::field("file", "the file is not UTF-8 text", "文件不是 UTF-8 文本")
    })?;
    let lines = statement::parse(text).map_err(|errors| {
        ServiceError::Validation(
            errors
                .iter()
                .map(|e| {
                    FieldError::new(
                        &format!("file:{}", e.line),
                        e.to_string(),
                        format!("第 {} 行：{}", e.line, e.reason),
                    )
                })
                .collect(),
        )
    })?;
    let filename = if filename.trim().is_empty() {
        "statement.csv"
    } else {
        filename.trim()
    };
    let sha = hex::encode(Sha256::digest(bytes));
    let count = i32::try_from(lines.len()).unwrap_or(i32::MAX);
    let mut tx = db.write().await?;
    let import_id = store::insert_import(&mut tx, filename, &sha, count, actor.user_id).await?;
    let (mut imported, mut duplicates) = (0, 0);
    let mut unmatched_lines = Vec::new();
    for l in &lines {
        let new = NewLine {
            source: "statement",
            import_id: Some(import_id),
            bank_txn_id: &l.transaction_id,
            value_date: l.value_date,
            amount: l.amount.fen(),
            payer: &l.payer,
            reference: &l.reference,
        };
        let Some(line_id) = store::insert_line(&mut tx, &new).await? else {
            duplicates += 1;
            continue;
        };
        let line = store::line(&mut tx, line_id)
            .await?
            .ok_or(ServiceError::NotFound("bank line"))?;
        match policy_named_in(&mut tx, &l.reference, insurer_code).await? {
            Some(policy_id) => {
                pay_from_line(
                    &mut tx,
                    &actor.audit(),
                    &line,
                    policy_id,
                    Some(actor.user_id),
                )
                .await?;
                imported += 1;
            }
            None => unmatched_lines.push(line),
        }
    }
    let unmatched = i32::try_from(unmatched_lines.len()).unwrap_or(i32::MAX);
    store::finish_import(&mut tx, import_id, imported, duplicates, unmatched).await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "billing.statement_import",
            entity_type: "statement_import",
            entity_id: import_id.to_string(),
            before: None,
            after: Some(json!({
                "filename": filename, "sha256": sha, "lines": count, "imported": imported,
                "duplicates": duplicates, "unmatched": unmatched,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ImportReport {
        import_id,
        filename: filename.to_string(),
        lines: count,
        imported,
        duplicates,
        unmatched,
        unmatched_lines,
    })
}

/// Bank lines that are not payments yet, oldest first (finance only).
pub async fn unmatched(db: &Db, actor: &Actor) -> ServiceResult<Vec<BankLineRow>> {
    require_finance(actor, "see unmatched bank lines")?;
    let mut tx = db.read().await?;
    Ok(store::unmatched_lines(&mut tx).await?)
}

pub async fn recent_imports(db: &Db, actor: &Actor) -> ServiceResult<Vec<ImportRow>> {
    require_finance(actor, "see statement imports")?;
    let mut tx = db.read().await?;
    Ok(store::imports(&mut tx, 20).await?)
}

/// The issued policy with this number, for matching by hand (finance only).
pub async fn policy_id_by_number(db: &Db, actor: &Actor, number: &str) -> ServiceResult<i64> {
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

/// The policy an unmatched line pays for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchInput {
    pub policy_id: i64,
}

/// Finance matches an unmatched line to a policy: it becomes that policy's payment.
pub async fn match_line(
    db: &Db,
    actor: &Actor,
    line_id: i64,
    input: MatchInput,
) -> ServiceResult<PaymentView> {
    require_finance(actor, "match bank lines")?;
    let mut tx = db.write().await?;
    let line = store::line(&mut tx, line_id)
        .await?
        .ok_or(ServiceError::NotFound("bank line"))?;
    if let Some(p) = line.payment_id {
        return Err(ServiceError::Conflict(format!(
            "该银行流水已入账（收款 {p}）/ bank line {line_id} is already payment {p}"
        )));
    }
    let view = pay_from_line(
        &mut tx,
        &actor.audit(),
        &line,
        input.policy_id,
        Some(actor.user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}
