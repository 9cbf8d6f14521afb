//! Reading the portfolio CSV files into exact per-chunk sums (fen), in parallel.

use super::fast_csv::{
    column_index, for_each_record, header_and_body, map_chunks, parse_fen, parse_int, LocalError,
};
use super::PortfolioError;
use std::collections::HashMap;

/// Per-chunk sums keyed by (segment, origin) or (segment, origin, development).
pub(super) struct Sums<K, V> {
    /// Segment labels in order of first appearance; keys hold their index.
    pub segments: Vec<Vec<u8>>,
    seg_index: HashMap<Vec<u8>, u32>,
    pub cells: HashMap<K, V>,
}

impl<K, V> Default for Sums<K, V> {
    fn default() -> Self {
        Sums {
            segments: Vec::new(),
            seg_index: HashMap::new(),
            cells: HashMap::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq, V: Default> Sums<K, V> {
    /// Index of a segment label in this chunk. Files are grouped by segment, so the
    /// previous label is compared before hashing.
    fn segment(&mut self, label: &[u8], last: &mut Option<u32>) -> u32 {
        if let Some(idx) = *last {
            if self.segments[idx as usize] == label {
                return idx;
            }
        }
        let idx = match self.seg_index.get(label) {
            Some(i) => *i,
            None => {
                let i = self.segments.len() as u32;
                self.segments.push(label.to_vec());
                self.seg_index.insert(label.to_vec(), i);
                i
            }
        };
        *last = Some(idx);
        idx
    }
}

/// Earned premium in fen per (segment, origin year).
pub(super) type PolicySums = Sums<(u32, i64), i64>;
/// (paid fen, case reserve fen, rows) per (segment, accident year, development year).
pub(super) type ClaimSums = Sums<(u32, i64, i64), (i64, i64, u64)>;

fn bad(column: &'static str, line: usize, value: &[u8]) -> LocalError<(&'static str, String)> {
    LocalError {
        line,
        kind: (column, String::from_utf8_lossy(value).into_owned()),
    }
}

fn columns<const N: usize>(
    file: &'static str,
    header: &[u8],
    names: [&'static str; N],
) -> Result<[usize; N], PortfolioError> {
    let mut out = [0; N];
    for (slot, column) in out.iter_mut().zip(names) {
        *slot =
            column_index(header, column).ok_or(PortfolioError::MissingColumn { file, column })?;
    }
    Ok(out)
}

fn to_error(file: &'static str) -> impl Fn((usize, (&'static str, String))) -> PortfolioError {
    move |(line, (column, value))| {
        if column.is_empty() {
            PortfolioError::FieldCount { file, line }
        } else if column == "overflow" {
            PortfolioError::Overflow { file }
        } else {
            PortfolioError::BadField {
                file,
                line,
                column,
                value,
            }
        }
    }
}

pub(super) fn read_policies(data: &[u8]) -> Result<Vec<PolicySums>, PortfolioError> {
    const FILE: &str = "policies.csv";
    let (header, body) = header_and_body(data).ok_or(PortfolioError::Empty { file: FILE })?;
    let cols = columns(FILE, header, ["segment", "origin_year", "earned_premium"])?;
    map_chunks(body, |chunk| {
        let mut sums = PolicySums::default();
        let mut last = None;
        let mut last_key = None;
        let mut acc = 0i64;
        for_each_record(chunk, &cols, |n, rec| {
            let [seg, oy, ep] = rec.ok_or_else(|| bad("", n, b""))?;
            let oy = parse_int(oy).ok_or_else(|| bad("origin_year", n, oy))?;
            let ep = parse_fen(ep).ok_or_else(|| bad("earned_premium", n, ep))?;
            let key = (sums.segment(seg, &mut last), oy);
            if last_key != Some(key) {
                if let Some(k) = last_key {
                    add(sums.cells.entry(k).or_default(), acc)
                        .ok_or_else(|| bad("overflow", n, b""))?;
                }
                last_key = Some(key);
                acc = 0;
            }
            acc = acc.checked_add(ep).ok_or_else(|| bad("overflow", n, b""))?;
            Ok(())
        })?;
        if let Some(k) = last_key {
            add(sums.cells.entry(k).or_default(), acc).ok_or_else(|| bad("overflow", 0, b""))?;
        }
        Ok(sums)
    })
    .map_err(to_error(FILE))
}

fn add(slot: &mut i64, v: i64) -> Option<()> {
    *slot = slot.checked_add(v)?;
    Some(())
}

pub(super) fn read_claims(data: &[u8]) -> Result<Vec<ClaimSums>, PortfolioError> {
    const FILE: &str = "claims.csv";
    let (header, body) = header_and_body(data).ok_or(PortfolioError::Empty { file: FILE })?;
    let names = [
        "segment",
        "accident_year",
        "development_year",
        "paid",
        "case_reserve",
    ];
    let cols = columns(FILE, header, names)?;
    map_chunks(body, |chunk| {
        let mut sums = ClaimSums::default();
        let mut last = None;
        for_each_record(chunk, &cols, |n, rec| {
            let [seg, ay, dy, paid, case] = rec.ok_or_else(|| bad("", n, b""))?;
            let ay = parse_int(ay).ok_or_else(|| bad("accident_year", n, ay))?;
            let dy = parse_int(dy).ok_or_else(|| bad("development_year", n, dy))?;
            let paid = parse_fen(paid).ok_or_else(|| bad("paid", n, paid))?;
            let case = parse_fen(case).ok_or_else(|| bad("case_reserve", n, case))?;
            let seg = sums.segment(seg, &mut last);
            let cell = sums.cells.entry((seg, ay, dy)).or_default();
            cell.0 = cell
                .0
                .checked_add(paid)
                .ok_or_else(|| bad("overflow", n, b""))?;
            cell.1 = cell
                .1
                .checked_add(case)
                .ok_or_else(|| bad("overflow", n, b""))?;
            cell.2 += 1;
            Ok(())
        })?;
        Ok(sums)
    })
    .map_err(to_error(FILE))
}
