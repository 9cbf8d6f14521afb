//! A statement file's bytes as rows of cells (`Sheet`), whatever the bank sent: XLSX
//! (by its ZIP signature, read with calamine), or CSV in UTF-8 (with or without BOM)
//! or GBK/GB18030 (what most Chinese online banking exports), parsed with the `csv`
//! crate so quoted fields with commas, quotes and line breaks stay one cell.

use crate::domain::billing::statement::Sheet;
use calamine::{Data, Reader};
use std::io::Cursor;

/// Why a file gives no rows at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// Neither UTF-8 nor GB18030 text.
    NotText,
    /// A spreadsheet calamine could not open (or without any sheet).
    Spreadsheet(String),
    /// A CSV record that cannot be read (an unclosed quote at the end of the file).
    Csv { line: usize, message: String },
}

impl FileError {
    pub fn zh(&self) -> String {
        match self {
            FileError::NotText => {
                "文件既不是 UTF-8 也不是 GBK/GB18030 编码的文本，也不是 XLSX 表格".into()
            }
            FileError::Spreadsheet(e) => format!("表格文件无法读取：{e}"),
            FileError::Csv { line, message } => format!("第 {line} 行无法读取：{message}"),
        }
    }

    pub fn en(&self) -> String {
        match self {
            FileError::NotText => {
                "the file is neither UTF-8 nor GBK/GB18030 text nor an XLSX workbook".into()
            }
            FileError::Spreadsheet(e) => format!("the workbook cannot be read: {e}"),
            FileError::Csv { line, message } => format!("line {line} cannot be read: {message}"),
        }
    }
}

/// Which encoding a CSV file was read in, for the preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Gb18030,
    Xlsx,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Gb18030 => "GBK/GB18030",
            Encoding::Xlsx => "XLSX",
        }
    }
}

/// Read a statement file into rows.
pub fn read(bytes: &[u8]) -> Result<(Encoding, Sheet), FileError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return xlsx(bytes).map(|s| (Encoding::Xlsx, s));
    }
    let (encoding, text) = decode(bytes)?;
    csv_rows(&text).map(|s| (encoding, s))
}

/// UTF-8 when the bytes are UTF-8 (a BOM is dropped), else GB18030 — a superset of
/// GBK and GB2312 — when they decode without a single replacement.
fn decode(bytes: &[u8]) -> Result<(Encoding, std::borrow::Cow<'_, str>), FileError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|t| (Encoding::Utf8Bom, t.into()))
            .map_err(|_| FileError::NotText);
    }
    if let Ok(t) = std::str::from_utf8(bytes) {
        return Ok((Encoding::Utf8, t.into()));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors || text.contains('\0') {
        return Err(FileError::NotText);
    }
    Ok((Encoding::Gb18030, text))
}

fn csv_rows(text: &str) -> Result<Sheet, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut sheet = Sheet::default();
    let mut record = csv::StringRecord::new();
    // Line numbers counted from the byte offsets (each record's start), so a quoted line
    // break inside a field and CRLF endings number lines as an editor does.
    let bytes = text.as_bytes();
    let (mut seen_to, mut line) = (0usize, 1usize);
    let mut line_at = |offset: usize| {
        // A record's position is where the reader stood, before the previous record's
        // line terminator: step over it.
        let mut offset = offset.min(bytes.len());
        while offset < bytes.len() && matches!(bytes[offset], b'\r' | b'\n') {
            offset += 1;
        }
        if offset > seen_to {
            line += bytes[seen_to..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            seen_to = offset;
        }
        line
    };
    loop {
        let here = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let start = record
                    .position()
                    .and_then(|p| usize::try_from(p.byte()).ok())
                    .unwrap_or(here);
                let n = line_at(start);
                sheet.push(n, record.iter().map(str::to_string).collect());
            }
            Err(e) => {
                return Err(FileError::Csv {
                    line: line_at(here),
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(sheet)
}

fn xlsx(bytes: &[u8]) -> Result<Sheet, FileError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| FileError::Spreadsheet(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| FileError::Spreadsheet("no worksheet".into()))?
        .map_err(|e| FileError::Spreadsheet(e.to_string()))?;
    let first = range.start().map_or(0, |(r, _)| r as usize);
    let mut sheet = Sheet::default();
    for (i, row) in range.rows().enumerate() {
        sheet.push(first + i + 1, row.iter().map(text_of).collect());
    }
    Ok(sheet)
}

/// A cell as the text a bank would have printed: whole numbers without `.0` (a long
/// transaction id stored as a number), dates as ISO days.
fn text_of(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        // Rust prints the shortest text that reads back as the same float, so 1234.56
        // stays "1234.56" and a float error such as 0.1 + 0.2 is refused later.
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_day(d.as_f64()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Excel's 1900 date system: day 1 is 1900-01-01 and the serial counts the phantom
/// 1900-02-29, so days are counted from 1899-12-30.
fn excel_day(serial: f64) -> String {
    let days = serial.floor();
    if !(0.0..=2_958_465.0).contains(&days) {
        return serial.to_string();
    }
    chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.checked_add_days(chrono::Days::new(days as u64)))
        .map_or_else(|| serial.to_string(), |d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_bom_and_plain_utf8_are_told_apart() {
        let (gbk, _, _) = encoding_rs::GBK.encode("交易日期,贷方金额\n2026-01-05,1.00\n");
        let (enc, s) = read(&gbk).unwrap();
        assert_eq!(enc, Encoding::Gb18030);
        assert_eq!(s.rows[0], vec!["交易日期", "贷方金额"]);
        let (enc, s) = read("\u{feff}a,b\n".as_bytes()).unwrap();
        assert_eq!((enc, s.rows[0][0].as_str()), (Encoding::Utf8Bom, "a"));
        assert_eq!(read(b"a,b\n").unwrap().0, Encoding::Utf8);
        assert_eq!(
            read(&[0xff, 0xfe, 0x00, 0x41]).unwrap_err(),
            FileError::NotText
        );
    }

    #[test]
    fn quoted_commas_and_line_breaks_stay_in_one_cell_and_lines_are_counted() {
        let (_, s) =
            read("h1,h2\r\n\"甲, \"\"乙\"\"\",\"第一行\r\n第二行\"\r\nx,y\r\n".as_bytes()).unwrap();
        assert_eq!(s.rows[1], vec!["甲, \"乙\"", "第一行\r\n第二行"]);
        assert_eq!(
            s.numbers,
            vec![1, 2, 4],
            "the record after the break starts on line 4"
        );
    }

    #[test]
    fn excel_serial_days_are_dates() {
        assert_eq!(excel_day(46023.0), "2026-01-01");
        assert_eq!(excel_day(46023.75), "2026-01-01");
        assert_eq!(
            text_of(&Data::Float(6222020260105000.0)),
            "6222020260105000"
        );
        assert_eq!(text_of(&Data::Float(1234.56)), "1234.56");
    }
}
