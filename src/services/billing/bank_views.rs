//! What finance reads of the bank's side (银行流水): statement uploads and imports, bank
//! lines, lines in suspense and their disposals. The store rows keep integer fen; these
//! views are the API's and the pages' shape — amounts as CNY decimal strings
//! ("1234.56") — so a column change in `store/` is not an API change.

use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::services::ServiceError;
use crate::store::bank::{DisposalRow, SuspenseRow, UploadRow};
use crate::store::billing::{BankLineRow, ImportRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A credit the bank reported (银行流水), from a statement or a callback.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BankLineView {
    pub bank_line_id: i64,
    /// statement or callback
    pub source: String,
    pub import_id: Option<i64>,
    pub bank_txn_id: String,
    pub value_date: NaiveDate,
    /// CNY, e.g. "1234.56".
    #[schema(value_type = String)]
    pub amount: Money,
    pub payer: String,
    pub reference: String,
    /// The payment it became; absent while unmatched.
    pub payment_id: Option<i64>,
    pub matched_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<BankLineRow> for BankLineView {
    fn from(l: BankLineRow) -> Self {
        BankLineView {
            bank_line_id: l.bank_line_id,
            source: l.source,
            import_id: l.import_id,
            bank_txn_id: l.bank_txn_id,
            value_date: l.value_date,
            amount: l.amount,
            payer: l.payer,
            reference: l.reference,
            payment_id: l.payment_id,
            matched_by: l.matched_by,
            created_at: l.created_at,
        }
    }
}

/// A bank line in suspense (挂账) with what is still open on it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenBankLineView {
    pub bank_line_id: i64,
    pub source: String,
    pub import_id: Option<i64>,
    pub bank_txn_id: String,
    pub value_date: NaiveDate,
    /// The line's amount, CNY.
    #[schema(value_type = String)]
    pub amount: Money,
    /// Not yet placed, CNY (less than `amount` after a part of a split was reversed).
    #[schema(value_type = String)]
    pub open_amount: Money,
    pub payer: String,
    pub reference: String,
    pub created_at: DateTime<Utc>,
}

impl From<SuspenseRow> for OpenBankLineView {
    fn from(l: SuspenseRow) -> Self {
        OpenBankLineView {
            bank_line_id: l.bank_line_id,
            source: l.source,
            import_id: l.import_id,
            bank_txn_id: l.bank_txn_id,
            value_date: l.value_date,
            amount: l.amount,
            open_amount: l.open_amount,
            payer: l.payer,
            reference: l.reference,
            created_at: l.created_at,
        }
    }
}

/// A line dismissed (not premium) or refunded to its payer, and its reversal if any.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BankDisposalView {
    pub disposal_id: i64,
    pub bank_line_id: i64,
    /// dismissed (not premium) or refunded (paid back to the payer)
    pub kind: String,
    /// CNY, e.g. "500.00".
    #[schema(value_type = String)]
    pub amount: Money,
    pub reason: String,
    pub refund_reference: String,
    pub refunded_on: Option<NaiveDate>,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub reversed_at: Option<DateTime<Utc>>,
    pub reversal_reason: Option<String>,
}

impl From<DisposalRow> for BankDisposalView {
    fn from(d: DisposalRow) -> Self {
        BankDisposalView {
            disposal_id: d.disposal_id,
            bank_line_id: d.bank_line_id,
            kind: d.kind.as_str().to_string(),
            amount: d.amount,
            reason: d.reason,
            refund_reference: d.refund_reference,
            refunded_on: d.refunded_on,
            recorded_by: d.recorded_by,
            recorded_at: d.recorded_at,
            reversed_at: d.reversed_at,
            reversal_reason: d.reversal_reason,
        }
    }
}

/// One imported statement file and what became of its lines.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatementImportView {
    pub import_id: i64,
    pub filename: String,
    pub sha256: String,
    pub lines: i32,
    pub imported: i32,
    pub duplicates: i32,
    pub unmatched: i32,
    pub imported_by: i64,
    pub imported_at: DateTime<Utc>,
}

impl From<ImportRow> for StatementImportView {
    fn from(i: ImportRow) -> Self {
        StatementImportView {
            import_id: i.import_id,
            filename: i.filename,
            sha256: i.sha256,
            lines: i.lines,
            imported: i.imported,
            duplicates: i.duplicates,
            unmatched: i.unmatched,
            imported_by: i.imported_by,
            imported_at: i.imported_at,
        }
    }
}

/// A previewed statement upload and the progress of its import.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatementUploadView {
    pub upload_id: i64,
    pub filename: String,
    pub sha256: String,
    pub layout_id: String,
    pub lines: i32,
    /// previewed, running, done or failed
    pub status: String,
    pub done_lines: i32,
    pub import_id: Option<i64>,
    /// Why the import failed, in both languages (`中文 / English`).
    pub error: Option<String>,
    /// The same words, for a page to say in its reader's language.
    #[serde(skip)]
    pub failure: Option<Text>,
    pub uploaded_by: i64,
    pub uploaded_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A failed import's reason as stored in `statement_upload.error`: its words in both
/// languages (`Text` as JSON), never the internals (those go to the log).
pub(super) fn stored_failure(e: &ServiceError) -> String {
    let text = e.text();
    serde_json::to_string(&text).unwrap_or(text.en)
}

/// The stored reason back as words; a reason stored before the words had a type reads
/// the same in both languages.
fn failure_of(stored: &str) -> Text {
    serde_json::from_str(stored).unwrap_or_else(|_| Text::new(stored, stored))
}

impl From<UploadRow> for StatementUploadView {
    fn from(u: UploadRow) -> Self {
        let failure = u.error.as_deref().map(failure_of);
        StatementUploadView {
            upload_id: u.upload_id,
            filename: u.filename,
            sha256: u.sha256,
            layout_id: u.layout_id,
            lines: u.lines,
            status: u.status.as_str().to_string(),
            done_lines: u.done_lines,
            import_id: u.import_id,
            error: failure.as_ref().map(Text::to_string),
            failure,
            uploaded_by: u.uploaded_by,
            uploaded_at: u.uploaded_at,
            finished_at: u.finished_at,
        }
    }
}

/// Rows to views, in order.
pub fn views<R, V: From<R>>(rows: Vec<R>) -> Vec<V> {
    rows.into_iter().map(V::from).collect()
}

#[cfg(test)]
mod tests {
    use super::{failure_of, stored_failure};
    use crate::domain::text::Text;
    use crate::services::ServiceError;

    #[test]
    fn a_failed_import_keeps_its_reason_in_both_languages() {
        let e = ServiceError::Conflict(Text::new(
            "文件按当前格式“ccb”读取有误",
            "the file no longer reads cleanly with layout 'ccb'",
        ));
        assert_eq!(failure_of(&stored_failure(&e)), e.text());
        let internal = failure_of(&stored_failure(&ServiceError::Internal("EOF".into())));
        assert!(!internal.zh.contains("EOF") && !internal.en.contains("EOF"));
        // A reason stored before it had both languages reads as it was written.
        assert_eq!(
            failure_of("line 3: bad"),
            Text::new("line 3: bad", "line 3: bad")
        );
    }
}
