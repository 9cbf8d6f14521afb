//! Bank statement files (银行流水) as finance downloads them from online banking,
//! reduced to one simple CSV format (UTF-8, optional BOM, comma-separated, fields
//! with commas or quotes in double quotes, `""` for a quote):
//!
//! ```text
//! date,amount,payer,reference,transaction_id
//! 2026-01-05,4200.00,山西新材科技有限公司,保费 FC-2026-000001,CCB20260105000123
//! ```
//!
//! `date` is the value date (YYYY-MM-DD), `amount` a credit in CNY (positive, at most
//! two decimals, thousands commas allowed inside quotes), `transaction_id` the bank's
//! own unique id — what makes re-importing the same or an overlapping file harmless.
//! A file with any bad line is refused whole, every bad line listed, so a half-read
//! statement never looks complete.

use crate::domain::money::Money;
use chrono::NaiveDate;

pub const HEADER: [&str; 5] = ["date", "amount", "payer", "reference", "transaction_id"];

/// One credit on the insurer's premium account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// Line number in the file (1-based, the header is line 1).
    pub line: usize,
    pub value_date: NaiveDate,
    pub amount: Money,
    pub payer: String,
    pub reference: String,
    pub transaction_id: String,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Split one CSV record; `None` when a quoted field is not closed.
fn fields(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cur.push(c),
            (false, '"') if cur.trim().is_empty() => {
                cur.clear();
                quoted = true;
            }
            (false, ',') => out.push(std::mem::take(&mut cur)),
            (false, c) => cur.push(c),
        }
    }
    if quoted {
        return None;
    }
    out.push(cur);
    Some(out.into_iter().map(|f| f.trim().to_string()).collect())
}

fn line(n: usize, f: &[String]) -> Result<StatementLine, String> {
    if f.len() != HEADER.len() {
        return Err(format!(
            "expected {} fields, found {}",
            HEADER.len(),
            f.len()
        ));
    }
    let value_date = NaiveDate::parse_from_str(&f[0], "%Y-%m-%d")
        .map_err(|_| format!("date '{}' is not YYYY-MM-DD", f[0]))?;
    let amount = Money::parse(&f[1]).map_err(|e| e.to_string())?;
    if amount <= Money::ZERO {
        return Err(format!("amount '{}' must be a credit above zero", f[1]));
    }
    if f[4].is_empty() {
        return Err("transaction_id is empty".into());
    }
    Ok(StatementLine {
        line: n,
        value_date,
        amount,
        payer: f[2].clone(),
        reference: f[3].clone(),
        transaction_id: f[4].clone(),
    })
}

/// Read a statement. Blank lines are skipped; the header must name the five columns
/// in order. Transaction ids repeated inside the file are refused too.
pub fn parse(text: &str) -> Result<Vec<StatementLine>, Vec<LineError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let err = |line, reason: String| vec![LineError { line, reason }];
    let Some((h, header)) = lines.next() else {
        return Err(err(1, "the file is empty".into()));
    };
    let names: Vec<String> = fields(header)
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    if names != HEADER {
        return Err(err(
            h + 1,
            format!("the header must be '{}'", HEADER.join(",")),
        ));
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (i, l) in lines {
        let n = i + 1;
        match fields(l)
            .ok_or_else(|| "a quoted field is not closed".to_string())
            .and_then(|f| line(n, &f))
        {
            Ok(s) => match seen.insert(s.transaction_id.clone(), n) {
                Some(first) => errors.push(LineError {
                    line: n,
                    reason: format!("transaction_id {} repeats line {first}", s.transaction_id),
                }),
                None => out.push(s),
            },
            Err(reason) => errors.push(LineError { line: n, reason }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
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
    use super::*;

    #[test]
    fn a_statement_is_read_with_quotes_bom_and_blank_lines() {
        let text = "\u{feff}date,amount,payer,reference,transaction_id\n\
            2026-01-05,4200.00,山西新材科技有限公司,保费 FC-2026-000001,T1\n\n\
            2026-01-06,\"1,000.50\",\"Acme, \"\"Ltd\"\"\",x,T2\r\n";
        let lines = parse(text).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].amount, Money::from_yuan(4200));
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[1].amount, Money::from_fen(100_050));
        assert_eq!(lines[1].payer, "Acme, \"Ltd\"");
        assert_eq!(lines[1].line, 4);
    }

    #[test]
    fn every_bad_line_is_reported_and_nothing_is_returned() {
        let text = "date,amount,payer,reference,transaction_id\n\
            2026-13-01,1.00,a,b,T1\n2026-01-01,-5.00,a,b,T2\n2026-01-01,1.001,a,b,T3\n\
            2026-01-01,1.00,a,b,\n2026-01-01,1.00,a,b,T5\n2026-01-02,2.00,a,b,T5\n\"open,1,a,b,T6\n";
        let errors = parse(text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 7, 8], "{errors:?}");
        assert!(errors[5].reason.contains("quoted"));
    }

    #[test]
    fn the_header_must_name_the_columns() {
        let e = parse("when,amount\n2026-01-01,1.00\n").unwrap_err();
        assert_eq!(e[0].line, 1);
        assert!(e[0]
            .reason
            .contains("date,amount,payer,reference,transaction_id"));
        assert!(parse("").is_err());
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
