//! Bank statement files (银行流水) as banks export them, read into credits.
//!
//! A file arrives as rows of cells (`Sheet`: CSV in UTF-8 or GBK, or XLSX — decoding is
//! `services::billing::statement_file`'s job). A [`layout::BankLayout`] finds the header
//! row and says which column holds the value date, the credit, the payer, the reference
//! and the bank's transaction id (`transaction_id`, what makes re-importing the same or
//! an overlapping file harmless).
//!
//! Dates are `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD` (a time after them is ignored);
//! amounts may carry thousands separators and a currency sign, at most two decimals,
//! never above [`MAX_LINE_AMOUNT`]. Lines that are the account's outgoings (a debit, a
//! negative amount, a direction mark that is not a credit) are skipped and counted.
//!
//! A file with any bad line is refused whole — every bad line listed with its reason —
//! so a half-read statement never looks complete and nothing is recorded from it.

pub mod cells;
pub mod layout;

use crate::domain::money::{AmountError, Money};
use chrono::NaiveDate;
use layout::{BankLayout, ColumnMap};

/// The largest credit a statement line may carry (一亿元): far above any premium, well
/// inside the ledger's sums, so a mistyped or hostile figure is refused at the door.
pub const MAX_LINE_AMOUNT: Money = Money::from_yuan(100_000_000);

/// The rows of a file as read: each with its line (CSV: the line the record starts on)
/// or row number (XLSX), 1-based.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    pub rows: Vec<Vec<String>>,
    pub numbers: Vec<usize>,
}

impl Sheet {
    pub fn push(&mut self, number: usize, row: Vec<String>) {
        self.rows.push(row);
        self.numbers.push(number);
    }
}

/// One credit on the insurer's premium account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// Line (CSV) or row (XLSX) number in the file, 1-based.
    pub line: usize,
    pub value_date: NaiveDate,
    pub amount: Money,
    pub payer: String,
    pub reference: String,
    pub transaction_id: String,
}

/// Why a line could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Date(String),
    Amount(String),
    NotPositive(String),
    TooLarge(String),
    MissingTransactionId,
    MissingCells(usize),
    RepeatedTransaction { id: String, first: usize },
}

impl Reason {
    pub fn zh(&self) -> String {
        match self {
            Reason::Date(t) => {
                format!("日期“{t}”无法识别（应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD）")
            }
            Reason::Amount(t) => format!("金额“{t}”不是最多两位小数的数字"),
            Reason::NotPositive(t) => format!("金额“{t}”须大于零"),
            Reason::TooLarge(t) => {
                format!("金额“{t}”超过单笔上限 {} 元", MAX_LINE_AMOUNT.grouped())
            }
            Reason::MissingTransactionId => "缺少交易流水号".into(),
            Reason::MissingCells(n) => format!("本行只有 {n} 列，少于列名行"),
            Reason::RepeatedTransaction { id, first } => {
                format!("交易流水号 {id} 与第 {first} 行重复")
            }
        }
    }

    pub fn en(&self) -> String {
        match self {
            Reason::Date(t) => {
                format!("date '{t}' is not YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD")
            }
            Reason::Amount(t) => format!("amount '{t}' is not a number with at most two decimals"),
            Reason::NotPositive(t) => format!("amount '{t}' must be above zero"),
            Reason::TooLarge(t) => format!(
                "amount '{t}' is above the limit of {} CNY per line",
                MAX_LINE_AMOUNT.grouped()
            ),
            Reason::MissingTransactionId => "the transaction id is empty".into(),
            Reason::MissingCells(n) => {
                format!("the line has only {n} cells, fewer than the header")
            }
            Reason::RepeatedTransaction { id, first } => {
                format!("transaction id {id} repeats line {first}")
            }
        }
    }
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub reason: Reason,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason.en())
    }
}

/// Everything a file said, good and bad, before anything is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub layout_id: String,
    pub lines: Vec<StatementLine>,
    /// Outgoings and empty rows below the header: not premium, not errors.
    pub skipped: usize,
    pub errors: Vec<LineError>,
}

enum Row {
    Credit(StatementLine),
    Skip,
}

fn cell(row: &[String], i: usize) -> &str {
    row.get(i).map_or("", |c| c.trim())
}

fn credit_of(
    layout: &BankLayout,
    map: &ColumnMap,
    row: &[String],
) -> Result<Option<Money>, Reason> {
    if let Some(d) = map.direction {
        if !layout.is_credit_mark(cell(row, d)) {
            return Ok(None);
        }
    }
    let text = cell(row, map.credit);
    if text.is_empty() || cells::is_zero(text) {
        // A debit-only line (借方) is an outgoing; so is a blank credit without a debit
        // column only when the whole row is blank, which the caller skipped already.
        return match map.debit {
            Some(_) => Ok(None),
            None => Err(Reason::Amount(text.into())),
        };
    }
    let amount = cells::parse_amount(text).map_err(|e| match e {
        AmountError::TooLarge(_) | AmountError::AboveBound(..) => Reason::TooLarge(text.into()),
        _ => Reason::Amount(text.into()),
    })?;
    if amount.abs() > MAX_LINE_AMOUNT {
        return Err(Reason::TooLarge(text.into()));
    }
    if amount <= Money::ZERO {
        // A signed 交易金额 column: negative is money leaving the account.
        return if map.debit.is_none() && map.direction.is_none() && amount.is_negative() {
            Ok(None)
        } else {
            Err(Reason::NotPositive(text.into()))
        };
    }
    Ok(Some(amount))
}

fn read_row(
    layout: &BankLayout,
    map: &ColumnMap,
    line: usize,
    row: &[String],
) -> Result<Row, Reason> {
    if row.iter().all(|c| c.trim().is_empty()) {
        return Ok(Row::Skip);
    }
    let needed = [map.date, map.credit, map.transaction_id]
        .into_iter()
        .max()
        .unwrap_or(0);
    if row.len() <= needed {
        return Err(Reason::MissingCells(row.len()));
    }
    let Some(amount) = credit_of(layout, map, row)? else {
        return Ok(Row::Skip);
    };
    let date = cell(row, map.date);
    let value_date = cells::date(date).ok_or_else(|| Reason::Date(date.into()))?;
    let transaction_id = cell(row, map.transaction_id);
    if transaction_id.is_empty() {
        return Err(Reason::MissingTransactionId);
    }
    let reference = map
        .reference
        .iter()
        .map(|&i| cell(row, i))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Row::Credit(StatementLine {
        line,
        value_date,
        amount,
        payer: map.payer.map_or("", |i| cell(row, i)).to_string(),
        reference,
        transaction_id: transaction_id.to_string(),
    }))
}

/// Read the rows below the header with this layout. Transaction ids repeated inside
/// the file are errors too (a bank never sends one credit twice in one export).
pub fn read(layout: &BankLayout, map: &ColumnMap, sheet: &Sheet) -> Reading {
    let mut out = Reading {
        layout_id: layout.id.clone(),
        lines: Vec::new(),
        skipped: 0,
        errors: Vec::new(),
    };
    let mut seen = std::collections::HashMap::new();
    let body = sheet
        .rows
        .iter()
        .zip(&sheet.numbers)
        .skip(map.header_row + 1);
    for (row, &line) in body {
        match read_row(layout, map, line, row) {
            Ok(Row::Skip) => out.skipped += 1,
            Ok(Row::Credit(l)) => match seen.insert(l.transaction_id.clone(), line) {
                Some(first) => out.errors.push(LineError {
                    line,
                    reason: Reason::RepeatedTransaction {
                        id: l.transaction_id,
                        first,
                    },
                }),
                None => out.lines.push(l),
            },
            Err(reason) => out.errors.push(LineError { line, reason }),
        }
    }
    out
}

/// Policy numbers (`{code}-{yyyy}-{n}`) written anywhere in a payment reference, in
/// the order they appear; case and surrounding text do not matter.
pub fn policy_numbers_in(reference: &str, code: &str) -> Vec<String> {
    let text = reference.to_uppercase();
    let prefix = format!("{}-", code.to_uppercase());
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = text[from..].find(&prefix) {
        let start = from + pos;
        let rest = &text[start + prefix.len()..];
        let year: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after_year = &rest[year.len()..];
        if year.len() == 4 {
            if let Some(tail) = after_year.strip_prefix('-') {
                let seq: String = tail.chars().take_while(char::is_ascii_digit).collect();
                if !seq.is_empty() {
                    let number = format!("{prefix}{year}-{seq}");
                    if !out.contains(&number) {
                        out.push(number);
                    }
                }
            }
        }
        from = start + prefix.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::layout::{BankLayout, Columns};
    use super::*;
    use crate::domain::clauses::issue::DocumentKind;
    use crate::domain::clauses::text::Text;

    fn generic() -> BankLayout {
        BankLayout {
            kind: DocumentKind::BankLayout,
            id: "generic".into(),
            name: Text::new("通用", "Generic"),
            source: String::new(),
            generic: true,
            header_within: 5,
            columns: Columns {
                date: vec!["交易日期".into(), "date".into()],
                credit: vec!["贷方金额".into(), "amount".into()],
                debit: vec![],
                direction: vec![],
                payer: vec!["对方户名".into(), "payer".into()],
                reference: vec!["摘要".into(), "reference".into()],
                transaction_id: vec!["流水号".into(), "transaction_id".into()],
            },
            credit_marks: vec![],
        }
    }

    fn sheet(rows: &[&[&str]]) -> Sheet {
        let mut s = Sheet::default();
        for (i, r) in rows.iter().enumerate() {
            s.push(i + 1, r.iter().map(|c| c.to_string()).collect());
        }
        s
    }

    fn reading(rows: &[&[&str]]) -> Reading {
        let s = sheet(rows);
        let l = generic();
        let map = l.locate(&s.rows).unwrap();
        read(&l, &map, &s)
    }

    #[test]
    fn every_date_form_and_grouped_amounts_are_read() {
        let r = reading(&[
            &["交易日期", "贷方金额", "对方户名", "摘要", "流水号"],
            &[
                "2026-01-05",
                "4,200.00",
                "山西新材科技有限公司",
                "保费 FC-2026-000001",
                "T1",
            ],
            &["2026/1/6", "￥1,234.5", "甲", "", "T2"],
            &["20260107", "7", "乙", "", "T3"],
            &["2026-01-08 10:23:45", "0.01", "丙", "", "T4"],
        ]);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let got: Vec<(String, i64)> = r
            .lines
            .iter()
            .map(|l| (l.value_date.to_string(), l.amount.fen()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("2026-01-05".into(), 420_000),
                ("2026-01-06".into(), 123_450),
                ("2026-01-07".into(), 700),
                ("2026-01-08".into(), 1),
            ]
        );
        assert_eq!(r.lines[0].line, 2);
    }

    #[test]
    fn every_bad_line_is_reported_with_its_reason() {
        let r = reading(&[
            &["date", "amount", "payer", "reference", "transaction_id"],
            &["2026-13-01", "1.00", "a", "b", "T1"],
            &["2026-01-01", "-5.00", "a", "b", "T2"],
            &["2026-01-01", "1.001", "a", "b", "T3"],
            &["2026-01-01", "1.00", "a", "b", ""],
            &["2026-01-01", "1.00", "a", "b", "T5"],
            &["2026-01-02", "2.00", "a", "b", "T5"],
            &["2026-01-02", "200000000.00", "a", "b", "T7"],
            &["2026-01-02"],
        ]);
        let lines: Vec<usize> = r.errors.iter().map(|e| e.line).collect();
        // A negative amount in a signed column is an outgoing, not an error.
        assert_eq!(lines, vec![2, 4, 5, 7, 8, 9], "{:?}", r.errors);
        assert_eq!(r.skipped, 1);
        assert_eq!(r.lines.len(), 1);
        assert!(r.errors[0].reason.zh().contains("2026-13-01"));
        assert!(r.errors[3].reason.en().contains("repeats line 6"));
        assert!(r.errors[4].reason.zh().contains("上限"));
        assert_eq!(r.errors[5].reason, Reason::MissingCells(1));
    }

    #[test]
    fn debits_and_blank_rows_are_skipped_not_refused() {
        let mut l = generic();
        l.columns.debit = vec!["借方金额".into()];
        let s = sheet(&[
            &["交易日期", "借方金额", "贷方金额", "流水号"],
            &["2026-01-05", "500.00", "", "D1"],
            &["", "", "", ""],
            &["2026-01-05", "", "100.00", "C1"],
        ]);
        let map = l.locate(&s.rows).unwrap();
        let r = read(&l, &map, &s);
        assert_eq!((r.lines.len(), r.skipped, r.errors.len()), (1, 2, 0));
        assert_eq!(r.lines[0].payer, "", "no payer column: empty payer");
    }

    #[test]
    fn policy_numbers_are_found_inside_free_text() {
        assert_eq!(
            policy_numbers_in(
                "保费fc-2026-000001款，另 FC-2026-000002 与 FC-2026-000001",
                "FC"
            ),
            vec!["FC-2026-000001", "FC-2026-000002"]
        );
        assert!(policy_numbers_in("FC-26-1 FC-2026- XFC", "FC").is_empty());
        assert_eq!(policy_numbers_in("ABCFC-2026-7", "FC"), vec!["FC-2026-7"]);
    }
}
