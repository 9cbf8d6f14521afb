//! Spreadsheet cells that cannot become formulas (公式注入防护), and CSV written with the
//! `csv` crate.
//!
//! OWASP's rule for CSV injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return is read by spreadsheet programs as a formula (`=HYPERLINK(…)`,
//! `=cmd|' /C calc'!A0`). Such a cell gets a leading apostrophe, which spreadsheets show as
//! text and never evaluate. A plain number (`-12.50`, our own figures) is left as it is:
//! a number cannot be a formula, and a quoted minus sign would turn it into text.

use std::borrow::Cow;

/// The cell as text a spreadsheet will not evaluate.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let dangerous = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if dangerous && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `-123`, `-0.0150`: an optional minus, digits, an optional fraction — nothing else.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// One CSV record (CRLF-terminated, every cell neutralised), for files written a row at a
/// time (the streamed annex-3 export).
pub fn csv_line<I>(cells: I) -> Result<String, csv::Error>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());
    let cells: Vec<String> = cells
        .into_iter()
        .map(|c| neutralise(c.as_ref()).into_owned())
        .collect();
    w.write_record(&cells)?;
    finish(w)
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    String::from_utf8(bytes)
        .map_err(|e| csv::Error::from(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// CSV as UTF-8 with a byte-order mark (spreadsheet programs then read the Chinese) and
/// CRLF lines; every cell neutralised, quoted by the `csv` crate where needed.
pub fn csv_with_bom<R, C>(rows: R) -> Result<String, csv::Error>
where
    R: IntoIterator<Item = C>,
    C: IntoIterator,
    C::Item: AsRef<str>,
{
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::from("\u{feff}".as_bytes()));
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|c| neutralise(c.as_ref()).into_owned())
            .collect();
        w.write_record(&cells)?;
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_payloads_of_issue_14_become_text() {
        assert_eq!(neutralise("=cmd|\" /C calc\"!A0"), "'=cmd|\" /C calc\"!A0");
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralise("+SUM(1,2)"), "'+SUM(1,2)");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-2+3"), "'-2+3");
        assert_eq!(neutralise("\t=1"), "'\t=1");
        assert_eq!(neutralise("\r=1"), "'\r=1");
    }

    #[test]
    fn numbers_and_ordinary_text_are_untouched() {
        assert_eq!(neutralise("-12.50"), "-12.50");
        assert_eq!(neutralise("-3"), "-3");
        assert_eq!(neutralise("浙江精工机械有限公司"), "浙江精工机械有限公司");
        assert_eq!(neutralise("a=b"), "a=b");
        assert_eq!(neutralise("-"), "'-");
        assert_eq!(neutralise("-1e5"), "'-1e5");
    }

    #[test]
    fn csv_is_quoted_by_the_csv_crate_with_bom_and_crlf() {
        let out = csv_with_bom([vec!["a,b", "say \"hi\""], vec!["=1+1", "普通"]]).unwrap();
        assert_eq!(out, "\u{feff}\"a,b\",\"say \"\"hi\"\"\"\r\n'=1+1,普通\r\n");
    }

    proptest! {
        /// Whatever the text, no written cell starts with a formula character unless it
        /// is a plain number.
        #[test]
        fn no_cell_can_start_a_formula(s in "[=+@\t\r-]?[ -~]{0,12}") {
            let n = neutralise(&s);
            prop_assert!(!n.starts_with(['=', '+', '@', '\t', '\r']));
            if n.starts_with('-') {
                prop_assert!(is_plain_number(&n));
            }
        }
    }
}
