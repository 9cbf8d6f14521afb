//! Long-format triangle CSV (one cell per line), as an actuary exports it from a
//! spreadsheet or the claims store:
//!
//! ```text
//! origin,development,cumulative        (or: origin,development,incremental)
//! 2001,1,357848
//! 2001,2,1124788
//! ```
//!
//! Origins and developments may be integers (`2001`, `12`) or labels (`AY2001`, `dev12`);
//! both are ordered numerically (natural order: digit runs compare as numbers), so `dev12`
//! comes before `dev120`. Future cells are simply absent. Duplicate cells and values that
//! are not finite numbers are rejected with the line number, because a silently summed or
//! skipped cell would change the reserve without anyone noticing. Pure: takes the text,
//! does no file IO.

use super::error::TriangleError;
use super::triangle::Triangle;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Whether the value column holds cumulative or incremental amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Cumulative,
    Incremental,
}

struct Cell {
    line: usize,
    origin: String,
    development: String,
    value: f64,
}

/// Parse a long-format triangle CSV into a cumulative [`Triangle`].
///
/// Read with the `csv` crate, so quoted fields (`"AY 2001, restated"`), CRLF and blank
/// lines behave as spreadsheets write them; line numbers are where each record starts.
pub fn parse_triangle_csv(text: &str) -> Result<Triangle, TriangleError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line_of = |r: Option<&csv::Position>| r.map_or(index + 1, |p| p.line() as usize);
        let record = record.map_err(|e| TriangleError::Malformed {
            line: line_of(e.position()),
            reason: e.to_string(),
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows.push((line_of(record.position()), record));
    }
    let mut rows = rows.into_iter();
    let (header_line, header) = rows.next().ok_or(TriangleError::Empty)?;
    let kind = parse_header(header_line, &header)?;

    let mut cells = Vec::new();
    for (line, record) in rows {
        cells.push(parse_cell(line, &record)?);
    }
    if cells.is_empty() {
        return Err(TriangleError::Empty);
    }
    assemble(cells, kind)
}

fn parse_header(line: usize, header: &csv::StringRecord) -> Result<ValueKind, TriangleError> {
    let fields: Vec<String> = header.iter().map(str::to_ascii_lowercase).collect();
    let names: Vec<&str> = fields.iter().map(String::as_str).collect();
    match names.as_slice() {
        ["origin", "development", "cumulative"] => Ok(ValueKind::Cumulative),
        ["origin", "development", "incremental"] => Ok(ValueKind::Incremental),
        _ => Err(TriangleError::Header {
            line,
            found: header.iter().collect::<Vec<_>>().join(","),
        }),
    }
}

fn parse_cell(line: usize, record: &csv::StringRecord) -> Result<Cell, TriangleError> {
    let fields: Vec<&str> = record.iter().collect();
    let [origin, development, value] = fields.as_slice() else {
        return Err(TriangleError::FieldCount {
            line,
            found: fields.len(),
        });
    };
    for (column, label) in [("origin", origin), ("development", development)] {
        if label.is_empty() {
            return Err(TriangleError::EmptyLabel { line, column });
        }
    }
    let parsed = value.parse::<f64>().ok().filter(|v| v.is_finite());
    let value = parsed.ok_or_else(|| TriangleError::NotANumber {
        line,
        column: "value",
        value: value.to_string(),
    })?;
    Ok(Cell {
        line,
        origin: origin.to_string(),
        development: development.to_string(),
        value,
    })
}

fn assemble(cells: Vec<Cell>, kind: ValueKind) -> Result<Triangle, TriangleError> {
    let origins = sorted_labels(cells.iter().map(|c| c.origin.as_str()));
    let developments = sorted_labels(cells.iter().map(|c| c.development.as_str()));
    let o_index: HashMap<&str, usize> = index_of(&origins);
    let d_index: HashMap<&str, usize> = index_of(&developments);

    let mut grid: Vec<Vec<Option<f64>>> = vec![vec![None; developments.len()]; origins.len()];
    let mut first_line: Vec<Vec<usize>> = vec![vec![0; developments.len()]; origins.len()];
    for c in &cells {
        let (i, k) = (o_index[c.origin.as_str()], d_index[c.development.as_str()]);
        if grid[i][k].is_some() {
            return Err(TriangleError::Duplicate {
                line: c.line,
                first_line: first_line[i][k],
                origin: c.origin.clone(),
                development: c.development.clone(),
            });
        }
        grid[i][k] = Some(c.value);
        first_line[i][k] = c.line;
    }
    let origins: Vec<String> = origins.into_iter().map(str::to_string).collect();
    let developments: Vec<String> = developments.into_iter().map(str::to_string).collect();
    match kind {
        ValueKind::Cumulative => Triangle::from_cumulative(origins, developments, grid),
        ValueKind::Incremental => Triangle::from_incremental(origins, developments, grid),
    }
}

fn index_of<'a>(labels: &[&'a str]) -> HashMap<&'a str, usize> {
    labels.iter().enumerate().map(|(i, l)| (*l, i)).collect()
}

fn sorted_labels<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = labels.collect();
    v.sort_unstable_by(|a, b| natural_cmp(a, b));
    v.dedup();
    v
}

/// Natural order: runs of ASCII digits compare by value, everything else by text. Plain
/// integers therefore sort numerically (`9` < `10`), and so do labels like `AY2001`.
/// Labels equal in value but spelt differently (`007`, `7`) fall back to text order so
/// they stay distinct.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    natural_cmp_bytes(a.as_bytes(), b.as_bytes()).then_with(|| a.cmp(b))
}

fn natural_cmp_bytes(mut a: &[u8], mut b: &[u8]) -> Ordering {
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (na, ra) = split_digits(a);
                let (nb, rb) = split_digits(b);
                let (ta, tb) = (trim_zeros(na), trim_zeros(nb));
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    s.split_at(n)
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| **c == b'0').count();
    &s[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cumulative_cells_in_numeric_order() {
        let t =
            parse_triangle_csv("origin,development,cumulative\n10,1,5\n9,2,4\n9,1,2\n").unwrap();
        assert_eq!(t.origins(), &["9".to_string(), "10".to_string()]);
        assert_eq!(t.row(0), &[2.0, 4.0]);
        assert_eq!(t.row(1), &[5.0]);
    }

    #[test]
    fn reads_incremental_cells_and_labels() {
        let t = parse_triangle_csv(
            "\u{feff}Origin,Development,Incremental\r\nAY2001,dev12,1\r\nAY2001,dev120,2\r\n\
             AY2001,dev24,3\r\n\"AY2002\",\"dev12\",4\r\n",
        )
        .unwrap();
        assert_eq!(t.developments(), &["dev12", "dev24", "dev120"]);
        assert_eq!(t.row(0), &[1.0, 4.0, 6.0]);
        assert_eq!(t.row(1), &[4.0]);
    }

    #[test]
    fn duplicate_cells_are_rejected_with_both_lines() {
        let err = parse_triangle_csv("origin,development,cumulative\n1,1,5\n1,2,6\n1,1,7\n");
        assert!(matches!(
            err,
            Err(TriangleError::Duplicate {
                line: 4,
                first_line: 2,
                ..
            })
        ));
    }

    #[test]
    fn non_numeric_values_are_rejected_with_the_line() {
        let err = parse_triangle_csv("origin,development,cumulative\n1,1,5\n1,2,abc\n");
        assert!(matches!(
            err,
            Err(TriangleError::NotANumber { line: 3, .. })
        ));
        let err = parse_triangle_csv("origin,development,cumulative\n1,1,NaN\n");
        assert!(matches!(
            err,
            Err(TriangleError::NotANumber { line: 2, .. })
        ));
    }

    #[test]
    fn malformed_files_name_the_problem() {
        assert!(matches!(
            parse_triangle_csv("origin,dev,value\n1,1,1\n"),
            Err(TriangleError::Header { line: 1, .. })
        ));
        assert!(matches!(
            parse_triangle_csv("origin,development,cumulative\n1,1\n"),
            Err(TriangleError::FieldCount { line: 2, found: 2 })
        ));
        assert!(matches!(
            parse_triangle_csv("origin,development,cumulative\n"),
            Err(TriangleError::Empty)
        ));
        assert!(matches!(parse_triangle_csv(""), Err(TriangleError::Empty)));
        assert!(matches!(
            parse_triangle_csv("origin,development,cumulative\n1,1,1\n1,3,2\n2,2,1\n"),
            Err(TriangleError::Hole { .. })
        ));
    }

    #[test]
    fn quoted_fields_with_commas_and_line_breaks_are_one_label() {
        let t = parse_triangle_csv(
            "origin,development,cumulative\n\"AY2001, restated\",1,5\n\n\"AY2001, restated\",2,7\n\
             \"AY\n2002\",1,3\nAY2003,1,1\n",
        )
        .unwrap();
        assert_eq!(t.origins(), &["AY\n2002", "AY2001, restated", "AY2003"]);
        assert_eq!(t.row(1), &[5.0, 7.0]);
        let err = parse_triangle_csv("origin,development,cumulative\n\"a\nb\",1,x\n");
        assert!(matches!(
            err,
            Err(TriangleError::NotANumber { line: 2, .. })
        ));
    }

    #[test]
    fn natural_order_compares_digit_runs_by_value() {
        assert_eq!(natural_cmp("9", "10"), Ordering::Less);
        assert_eq!(natural_cmp("dev120", "dev24"), Ordering::Greater);
        assert_eq!(natural_cmp("007", "7"), Ordering::Less);
        assert_eq!(natural_cmp("a", "b"), Ordering::Less);
    }
}
