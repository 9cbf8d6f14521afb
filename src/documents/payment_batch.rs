//! The claim payment batch file (赔款支付批量文件) sent to the bank, and the bank's
//! confirmation file (支付结果文件) read back.
//!
//! Batch file layout — one heading row, then one row per payment, in payment order:
//!
//! | column | 收款人 | 开户行 | 账号 | 金额 | 赔案号 | 付款编号 | 批次号 |
//! |---|---|---|---|---|---|---|---|
//! | meaning | payee | payee's bank | account number | CNY, two decimals, no separators | claim number | payment id | batch number |
//!
//! CSV is UTF-8 with a byte-order mark and CRLF lines; XLSX has the same columns on
//! sheet 赔款支付, every cell text (account numbers keep their leading zeros). A cell
//! that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`
//! so a spreadsheet never runs it as a formula.
//!
//! Confirmation file (CSV, UTF-8 with or without BOM): a heading row naming at least
//! 付款编号 (payment_id) and 状态 (status: 成功 / success / paid, or 失败 / failed);
//! optional 支付日期 (paid_on: YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD), 银行流水号
//! (bank_reference), 失败原因 (reason), 批次号 (batch_no) and 金额 (amount), which are
//! checked against the batch when present. Columns may come in any order.

use crate::domain::money::Money;
use chrono::NaiveDate;

/// One payment in the batch file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLine {
    pub payee: String,
    pub bank_name: String,
    pub bank_account: String,
    pub amount: Money,
    pub claim_number: String,
    pub payment_id: i64,
}

pub const COLUMNS: [&str; 7] = [
    "收款人",
    "开户行",
    "账号",
    "金额",
    "赔案号",
    "付款编号",
    "批次号",
];

/// A cell a spreadsheet could take for a formula gets a leading apostrophe
/// (`documents::cells`, the one rule for every file the product writes).
pub fn neutralise(cell: &str) -> String {
    super::cells::neutralise(cell).into_owned()
}

fn csv_field(cell: &str) -> String {
    let s = neutralise(cell);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn cells(batch_number: &str, l: &BatchLine) -> [String; 7] {
    [
        l.payee.clone(),
        l.bank_name.clone(),
        l.bank_account.clone(),
        l.amount.to_string(),
        l.claim_number.clone(),
        l.payment_id.to_string(),
        batch_number.to_string(),
    ]
}

pub fn to_csv(batch_number: &str, lines: &[BatchLine]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let mut push = |row: Vec<String>| {
        let row: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    };
    push(COLUMNS.iter().map(|c| c.to_string()).collect());
    for l in lines {
        push(cells(batch_number, l).to_vec());
    }
    out.into_bytes()
}

pub fn to_xlsx(
    batch_number: &str,
    lines: &[BatchLine],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("赔款支付")?;
    for (c, h) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for (r, l) in lines.iter().enumerate() {
        for (c, cell) in cells(batch_number, l).iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, neutralise(cell))?;
        }
    }
    book.save_to_buffer()
}

// ---- the bank's confirmation ------------------------------------------------------

pub use crate::domain::claims::BankOutcome;

/// One line of a confirmation file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedLine {
    /// The file's line number (the heading is line 1).
    pub line: usize,
    pub payment_id: i64,
    pub outcome: BankOutcome,
    pub paid_on: Option<NaiveDate>,
    pub bank_reference: String,
    pub reason: String,
    pub batch_number: Option<String>,
    pub amount: Option<Money>,
}

/// A line that could not be read, with the reason in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub en: String,
    pub zh: String,
}

fn bad(line: usize, en: impl Into<String>, zh: impl Into<String>) -> BadLine {
    BadLine {
        line,
        en: en.into(),
        zh: zh.into(),
    }
}

/// Split CSV text into records (RFC 4180: quoted fields may hold commas, quotes and
/// line breaks). Each record carries the line it starts on.
fn records(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut row = Vec::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start = 1;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                out.push((start, std::mem::take(&mut row)));
                line += 1;
                start = line;
            }
            (_, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        out.push((start, row));
    }
    out.retain(|(_, r)| r.iter().any(|c| !c.trim().is_empty()));
    out
}

fn column(heading: &[String], names: &[&str]) -> Option<usize> {
    heading.iter().position(|h| {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        names.iter().any(|n| h == *n)
    })
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

/// The largest file read (a confirmation of thousands of payments is far smaller).
pub const MAX_CONFIRMATION_BYTES: usize = 5 << 20;

/// Read a confirmation file: every good line, and every bad one with its reason. A file
/// without the two required columns is one bad line (line 1).
pub fn read_confirmation(bytes: &[u8]) -> (Vec<ConfirmedLine>, Vec<BadLine>) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return (
            Vec::new(),
            vec![bad(
                1,
                "the file is not UTF-8 text (save it as CSV UTF-8)",
                "文件不是 UTF-8 文本（请另存为 CSV UTF-8）",
            )],
        );
    };
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let mut rows = records(&text).into_iter();
    let Some((_, heading)) = rows.next() else {
        return (Vec::new(), vec![bad(1, "the file is empty", "文件为空")]);
    };
    let id_col = column(&heading, &["付款编号", "payment_id"]);
    let status_col = column(&heading, &["状态", "status", "支付状态"]);
    let (Some(id_col), Some(status_col)) = (id_col, status_col) else {
        return (
            Vec::new(),
            vec![bad(
                1,
                "the heading must name 付款编号 (payment_id) and 状态 (status)",
                "表头须包含“付款编号”和“状态”两列",
            )],
        );
    };
    let date_col = column(&heading, &["支付日期", "paid_on", "交易日期"]);
    let ref_col = column(&heading, &["银行流水号", "bank_reference", "流水号"]);
    let reason_col = column(&heading, &["失败原因", "reason"]);
    let batch_col = column(&heading, &["批次号", "batch_no"]);
    let amount_col = column(&heading, &["金额", "amount"]);
    let mut good = Vec::new();
    let mut bad_lines = Vec::new();
    for (line, r) in rows {
        let cell = |c: Option<usize>| {
            c.and_then(|i| r.get(i))
                .map(|s| s.trim().trim_start_matches('\'').to_string())
                .unwrap_or_default()
        };
        let Ok(payment_id) = cell(Some(id_col)).parse::<i64>() else {
            bad_lines.push(bad(
                line,
                format!("'{}' is not a payment id", cell(Some(id_col))),
                format!("“{}”不是付款编号", cell(Some(id_col))),
            ));
            continue;
        };
        let status = cell(Some(status_col)).to_lowercase();
        let outcome = match status.as_str() {
            "成功" | "已支付" | "支付成功" | "success" | "paid" => BankOutcome::Paid,
            "失败" | "支付失败" | "退回" | "failed" | "returned" => BankOutcome::Failed,
            other => {
                bad_lines.push(bad(
                    line,
                    format!("status '{other}' is neither success nor failed"),
                    format!("状态“{other}”应为成功或失败"),
                ));
                continue;
            }
        };
        let date_text = cell(date_col);
        let paid_on = match date_text.is_empty() {
            true => None,
            false => match parse_date(&date_text) {
                Some(d) => Some(d),
                None => {
                    bad_lines.push(bad(
                        line,
                        format!("'{date_text}' is not a date (YYYY-MM-DD)"),
                        format!("“{date_text}”不是日期（YYYY-MM-DD）"),
                    ));
                    continue;
                }
            },
        };
        let amount_text = cell(amount_col);
        let amount = match amount_text.is_empty() {
            true => None,
            false => match Money::parse(&amount_text) {
                Ok(m) => Some(m),
                Err(_) => {
                    bad_lines.push(bad(
                        line,
                        format!("'{amount_text}' is not an amount"),
                        format!("“{amount_text}”不是金额"),
                    ));
                    continue;
                }
            },
        };
        let batch = cell(batch_col);
        good.push(ConfirmedLine {
            line,
            payment_id,
            outcome,
            paid_on,
            bank_reference: cell(ref_col).chars().take(100).collect(),
            reason: cell(reason_col).chars().take(500).collect(),
            batch_number: (!batch.is_empty()).then_some(batch),
            amount,
        });
    }
    (good, bad_lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(payee: &str, account: &str) -> BatchLine {
        BatchLine {
            payee: payee.into(),
            bank_name: "工商银行杭州分行".into(),
            bank_account: account.into(),
            amount: Money::from_fen(7_200_000),
            claim_number: "FC-CL-2026-000001".into(),
            payment_id: 7,
        }
    }

    #[test]
    fn the_csv_has_the_documented_columns_and_neutralises_formulas() {
        let csv = to_csv(
            "FC-PB-2026-000001",
            &[
                line("浙江精工机械有限公司", "0012020309900012345"),
                line("=HYPERLINK(\"http://x\")", "@SUM(A1)"),
                line("+86 公司", "-1+1"),
                line("\tTab, Inc", "\r9"),
            ],
        );
        let text = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "\u{feff}收款人,开户行,账号,金额,赔案号,付款编号,批次号"
        );
        assert_eq!(
            lines[1],
            "浙江精工机械有限公司,工商银行杭州分行,0012020309900012345,72000.00,FC-CL-2026-000001,7,FC-PB-2026-000001"
        );
        assert!(
            lines[2].starts_with("\"'=HYPERLINK(\"\"http://x\"\")\",工商银行杭州分行,'@SUM(A1),"),
            "{}",
            lines[2]
        );
        assert!(
            lines[3].starts_with("'+86 公司,工商银行杭州分行,'-1+1,"),
            "{}",
            lines[3]
        );
        assert!(
            lines[4].starts_with("\"'\tTab, Inc\",工商银行杭州分行,\"'\r9\","),
            "{}",
            lines[4]
        );
    }

    #[test]
    fn a_confirmation_is_read_by_its_heading_with_quotes_and_every_date_form() {
        let file = "\u{feff}状态,付款编号,支付日期,银行流水号,失败原因\r\n\
            成功,7,2026/05/06,\"BK,001\",\r\n\
            失败,8,,,\"账户名不符\r\n请核对\"\r\n\
            success,9,20260507,,\r\n\
            paid,10,2026-05-08,,\r\n\
            maybe,11,,,\r\n\
            成功,x,,,\r\n\
            成功,12,31/12/2026,,\r\n";
        let (good, bad) = read_confirmation(file.as_bytes());
        assert_eq!(good.len(), 4, "{good:?}");
        assert_eq!(good[0].payment_id, 7);
        assert_eq!(good[0].outcome, BankOutcome::Paid);
        assert_eq!(good[0].paid_on, NaiveDate::from_ymd_opt(2026, 5, 6));
        assert_eq!(good[0].bank_reference, "BK,001");
        assert_eq!(good[1].outcome, BankOutcome::Failed);
        assert_eq!(good[1].reason, "账户名不符\n请核对");
        assert_eq!(good[2].paid_on, NaiveDate::from_ymd_opt(2026, 5, 7));
        assert_eq!(good[3].line, 6);
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![7, 8, 9]);
        assert!(bad[0].zh.contains("maybe"));
    }

    #[test]
    fn a_file_without_the_required_columns_is_refused_whole() {
        let (good, bad) = read_confirmation("a,b\r\n1,2\r\n".as_bytes());
        assert!(good.is_empty());
        assert_eq!(bad.len(), 1);
        assert!(bad[0].en.contains("付款编号"));
        let (_, bad) = read_confirmation(&[0xb3, 0xc9, 0xb9, 0xa6]);
        assert!(bad[0].en.contains("UTF-8"));
    }
}
