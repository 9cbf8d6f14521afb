//! Byte-level CSV reading for large, machine-written files (the benchmark portfolio, store
//! exports): no quoting, one record per line, amounts with at most two decimals.
//!
//! Amounts are read straight into integer fen, so sums are exact and no float parsing is
//! paid for; the body is split at line boundaries and read on every core. Hand-written
//! because this is the hot path of the backtest benchmark and the project takes no CSV
//! crate for it.

use std::num::NonZeroUsize;
use std::thread;

/// A problem at a line of one chunk, before the chunk's place in the file is known.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LocalError<K> {
    /// 1-based line within the chunk.
    pub line: usize,
    pub kind: K,
}

/// Split off the header line; `None` when there is no header.
pub(super) fn header_and_body(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    if data.is_empty() {
        return None;
    }
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => Some((trim_cr(&data[..i]), &data[i + 1..])),
        None => Some((trim_cr(data), &[])),
    }
}

/// Position of `name` among the header's columns (exact, case-insensitive).
pub(super) fn column_index(header: &[u8], name: &str) -> Option<usize> {
    header
        .split(|b| *b == b',')
        .position(|f| f.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
}

/// Run `work` on line-aligned chunks of `body` in parallel, results in file order. An error
/// is reported with its line number in the whole file (the header is line 1).
pub(super) fn map_chunks<T, K, F>(body: &[u8], work: F) -> Result<Vec<T>, (usize, K)>
where
    T: Send,
    K: Send,
    F: Fn(&[u8]) -> Result<T, LocalError<K>> + Sync,
{
    let parts = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    // Small inputs are not worth a thread.
    let parts = parts.min(body.len() / (1 << 20) + 1);
    let chunks = split_at_lines(body, parts);
    let results: Vec<Result<T, LocalError<K>>> = if chunks.len() == 1 {
        chunks.iter().map(|c| work(c)).collect()
    } else {
        thread::scope(|s| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|c| {
                    let work = &work;
                    s.spawn(move || work(c))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    };
    let mut out = Vec::with_capacity(results.len());
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(v) => out.push(v),
            Err(e) => {
                let before: usize = chunks[..i].iter().map(|c| count_lines(c)).sum();
                return Err((1 + before + e.line, e.kind));
            }
        }
    }
    Ok(out)
}

fn count_lines(chunk: &[u8]) -> usize {
    chunk.iter().filter(|b| **b == b'\n').count()
}

/// Split into at most `parts` pieces, each ending just after a newline (except the last).
fn split_at_lines(body: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for p in 1..parts {
        let target = (body.len() * p / parts).max(start);
        match body[target..].iter().position(|b| *b == b'\n') {
            Some(nl) => {
                let end = target + nl + 1;
                out.push(&body[start..end]);
                start = end;
            }
            None => break,
        }
    }
    out.push(&body[start..]);
    out
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Call `record` for every non-blank line of `chunk` with its 1-based line number and the
/// fields at positions `wanted` (any order), or `None` if the line has too few fields.
///
/// One pass over the bytes finds both line ends and field separators; this loop is most
/// of the portfolio benchmark's time, so it avoids scanning each line twice.
pub(super) fn for_each_record<'a, const N: usize, E>(
    chunk: &'a [u8],
    wanted: &[usize; N],
    mut record: impl FnMut(usize, Option<[&'a [u8]; N]>) -> Result<(), E>,
) -> Result<(), E> {
    let mut out: [&[u8]; N] = [&[]; N];
    let (mut found, mut field, mut start, mut line_start, mut line_no) = (0, 0, 0, 0, 1);
    for (i, &b) in chunk.iter().enumerate() {
        if b != b',' && b != b'\n' {
            continue;
        }
        let end = if b == b'\n' && i > start && chunk[i - 1] == b'\r' {
            i - 1
        } else {
            i
        };
        for (slot, w) in out.iter_mut().zip(wanted) {
            if *w == field {
                *slot = &chunk[start..end];
                found += 1;
            }
        }
        field += 1;
        start = i + 1;
        if b == b'\n' {
            if end > line_start {
                record(line_no, (found == N).then_some(out))?;
            }
            line_no += 1;
            (found, field, line_start) = (0, 0, i + 1);
        }
    }
    let end = trim_cr(chunk).len();
    if end > line_start {
        for (slot, w) in out.iter_mut().zip(wanted) {
            if *w == field {
                *slot = &chunk[start..end];
                found += 1;
            }
        }
        record(line_no, (found == N).then_some(out))?;
    }
    Ok(())
}

/// An integer such as `2024` or `-3`.
pub(super) fn parse_int(f: &[u8]) -> Option<i64> {
    let (neg, digits) = match f.first() {
        Some(b'-') => (true, &f[1..]),
        Some(b'+') => (false, &f[1..]),
        _ => (false, f),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(d - b'0');
    }
    Some(if neg { -v } else { v })
}

/// An amount such as `1234.56`, `-7.5` or `12` as integer fen; more than two decimals,
/// exponents or stray characters are rejected rather than rounded.
pub(super) fn parse_fen(f: &[u8]) -> Option<i64> {
    let (int_part, frac) = match f.iter().position(|b| *b == b'.') {
        Some(p) => (&f[..p], &f[p + 1..]),
        None => (f, &f[f.len()..]),
    };
    if frac.len() > 2 || !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let neg = int_part.first() == Some(&b'-');
    let whole = match int_part {
        [b'-'] | [b'+'] | [] if !frac.is_empty() => 0,
        _ => parse_int(int_part)?,
    };
    let mut cents: i64 = 0;
    for (i, d) in frac.iter().enumerate() {
        cents += i64::from(d - b'0') * if i == 0 { 10 } else { 1 };
    }
    let abs = whole.checked_abs()?.checked_mul(100)?.checked_add(cents)?;
    Some(if neg { -abs } else { abs })
}

// Run by tests/bench_support.rs. A benchmark target (harness = false) compiles this
// module in clippy's test pass but drops its #[test] functions, leaving the import unused.
#[cfg(test)]
#[allow(unused_imports)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_to_the_fen() {
        assert_eq!(parse_fen(b"1234.56"), Some(123_456));
        assert_eq!(parse_fen(b"1234.5"), Some(123_450));
        assert_eq!(parse_fen(b"12"), Some(1_200));
        assert_eq!(parse_fen(b"-0.05"), Some(-5));
        assert_eq!(parse_fen(b".5"), Some(50));
        assert_eq!(parse_fen(b"1.005"), None);
        assert_eq!(parse_fen(b"1e3"), None);
        assert_eq!(parse_fen(b""), None);
        assert_eq!(parse_fen(b"-"), None);
        assert_eq!(parse_int(b"2024"), Some(2024));
        assert_eq!(parse_int(b"20x4"), None);
    }

    fn records(chunk: &[u8], wanted: &[usize; 2]) -> Vec<(usize, Option<[Vec<u8>; 2]>)> {
        let mut out = Vec::new();
        for_each_record(chunk, wanted, |n, r| {
            out.push((n, r.map(|f| f.map(<[u8]>::to_vec))));
            Ok::<(), ()>(())
        })
        .unwrap();
        out
    }

    #[test]
    fn fields_are_picked_by_position_in_one_pass() {
        let got = records(b"a,b,c,d\r\n\nx,y\ne,f,g,h", &[3, 1]);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], (1, Some([b"d".to_vec(), b"b".to_vec()])));
        assert_eq!(got[1], (3, None)); // too short; the blank line 2 is skipped
        assert_eq!(got[2], (4, Some([b"h".to_vec(), b"f".to_vec()])));
        let got = records(b"a,,c\n", &[1, 2]);
        assert_eq!(got, vec![(1, Some([b"".to_vec(), b"c".to_vec()]))]);
    }

    #[test]
    fn chunks_end_on_line_boundaries_and_errors_get_file_lines() {
        let body = b"1\n2\n3\n4\n5\n";
        let parts = split_at_lines(body, 3);
        assert_eq!(parts.concat(), body.to_vec());
        assert!(parts[..parts.len() - 1].iter().all(|p| p.ends_with(b"\n")));
        let sum = map_chunks(body, |c| {
            let mut s = 0;
            for_each_record(c, &[0], |n, f| {
                let [v] = f.ok_or(LocalError { line: n, kind: () })?;
                s += parse_int(v).ok_or(LocalError { line: n, kind: () })?;
                Ok(())
            })?;
            Ok(s)
        });
        assert_eq!(sum.map(|v| v.iter().sum::<i64>()), Ok(15));
        let err = map_chunks(b"1\nx\n", |c| {
            for_each_record(c, &[0], |n, f| {
                let [v] = f.ok_or(LocalError { line: n, kind: () })?;
                parse_int(v)
                    .map(|_| ())
                    .ok_or(LocalError { line: n, kind: () })
            })
        });
        assert_eq!(err, Err((3, ())));
    }

    #[test]
    fn header_is_split_off() {
        let (h, b) = header_and_body(b"\xef\xbb\xbfa,B\r\n1,2\n").unwrap();
        assert_eq!(column_index(h, "b"), Some(1));
        assert_eq!(b, b"1,2\n");
        assert!(header_and_body(b"").is_none());
    }
}
