//! Find the line of a key in TOML text, so a semantic error can name it.
//!
//! The toml crate gives byte spans for syntax and type errors; semantic checks run
//! on the typed value and only know a [`KeyPath`]. This scanner maps table headers
//! (`[a]`, `[[a]]`, with array-of-tables indices) and `key = value` lines to paths and
//! returns the line of the longest matching prefix: the key itself when written on its
//! own line, else its table, else line 1. Inline tables and arrays resolve to the line
//! of the key that holds them.

use super::issue::{KeyPath, PathSegment};
use std::collections::HashMap;

/// 1-based line of byte `offset` in `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// 1-based line that best matches `path` in `text`.
pub fn line_of_path(text: &str, path: &KeyPath) -> usize {
    let mut best = (0usize, 1usize);
    for (line, candidate) in entries(text) {
        let common = common_prefix(&candidate, &path.0);
        if common == candidate.len() && common > best.0 {
            best = (common, line);
            if common == path.0.len() {
                break;
            }
        }
    }
    best.1
}

fn common_prefix(a: &[PathSegment], b: &[PathSegment]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Every header and key line with the path it defines.
fn entries(text: &str) -> Vec<(usize, Vec<PathSegment>)> {
    let mut out = Vec::new();
    let mut table: Vec<PathSegment> = Vec::new();
    let mut array_counts: HashMap<String, usize> = HashMap::new();
    let mut open_bracket_depth = 0i32;
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if open_bracket_depth > 0 {
            open_bracket_depth += bracket_balance(line);
            continue;
        }
        if let Some(inner) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            table = array_header(inner, &table, &mut array_counts);
            out.push((i + 1, table.clone()));
        } else if let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            table = resolve_dotted(inner, &table, &array_counts);
            out.push((i + 1, table.clone()));
        } else if let Some((key, rest)) = split_key(line) {
            let mut path = table.clone();
            path.extend(dotted(key).into_iter().map(PathSegment::Key));
            out.push((i + 1, path));
            open_bracket_depth = bracket_balance(rest).max(0);
        }
    }
    out
}

fn strip_comment(line: &str) -> &str {
    let mut in_string = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '#' if !in_string => return &line[..i],
            _ => {}
        }
    }
    line
}

/// How many `[`/`{` stay open after this text (strings are skipped).
fn bracket_balance(text: &str) -> i32 {
    let mut depth = 0;
    let mut in_string = false;
    for c in text.chars() {
        match c {
            '"' => in_string = !in_string,
            '[' | '{' if !in_string => depth += 1,
            ']' | '}' if !in_string => depth -= 1,
            _ => {}
        }
    }
    depth
}

fn split_key(line: &str) -> Option<(&str, &str)> {
    let (key, rest) = line.split_once('=')?;
    let key = key.trim();
    let bare = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | ' '));
    (bare && !key.is_empty()).then_some((key, rest))
}

fn dotted(key: &str) -> Vec<String> {
    key.split('.')
        .map(|k| k.trim().trim_matches('"').to_owned())
        .collect()
}

fn key_of(path: &[PathSegment]) -> String {
    KeyPath(path.to_vec()).to_string()
}

/// `[a.b]`: keys resolved through the arrays of tables already opened.
fn resolve_dotted(
    inner: &str,
    _current: &[PathSegment],
    counts: &HashMap<String, usize>,
) -> Vec<PathSegment> {
    let mut path = Vec::new();
    for key in dotted(inner) {
        path.push(PathSegment::Key(key));
        if let Some(n) = counts.get(&key_of(&path)) {
            path.push(PathSegment::Index(n - 1));
        }
    }
    path
}

/// `[[a.b]]`: the next element of array `a.b` (inside the latest element of `a`).
fn array_header(
    inner: &str,
    current: &[PathSegment],
    counts: &mut HashMap<String, usize>,
) -> Vec<PathSegment> {
    let mut path = resolve_dotted(inner, current, counts);
    if matches!(path.last(), Some(PathSegment::Index(_))) {
        path.pop();
    }
    let key = key_of(&path);
    let n = counts.entry(key).or_insert(0);
    *n += 1;
    path.push(PathSegment::Index(*n - 1));
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "id = \"x\"\n\
        [window]\n\
        from = 2024-09-01\n\
        \n\
        [[sections]]\n\
        code = \"A\"\n\
        items = [\n  { code = \"a\" },\n]\n\
        [[sections]]\n\
        code = \"B\"\n\
        [sections.extra]\n\
        flag = true\n";

    fn p(keys: &[&str], index: Option<(usize, usize)>) -> KeyPath {
        let mut path = KeyPath::root();
        for (i, k) in keys.iter().enumerate() {
            path = path.key(k);
            if let Some((at, n)) = index {
                if at == i {
                    path = path.index(n);
                }
            }
        }
        path
    }

    #[test]
    fn finds_keys_headers_and_array_elements() {
        assert_eq!(line_of_path(DOC, &p(&["id"], None)), 1);
        assert_eq!(line_of_path(DOC, &p(&["window", "from"], None)), 3);
        assert_eq!(
            line_of_path(DOC, &p(&["sections", "code"], Some((0, 1)))),
            11
        );
        assert_eq!(
            line_of_path(DOC, &p(&["sections", "code"], Some((0, 0)))),
            6
        );
        assert_eq!(
            line_of_path(DOC, &p(&["sections", "items"], Some((0, 0)))),
            7
        );
        assert_eq!(
            line_of_path(DOC, &p(&["sections", "extra", "flag"], Some((0, 1)))),
            13
        );
        assert_eq!(line_of_path(DOC, &p(&["nowhere"], None)), 1);
    }

    #[test]
    fn offsets_become_lines() {
        assert_eq!(line_of_offset("a\nb\nc", 0), 1);
        assert_eq!(line_of_offset("a\nb\nc", 2), 2);
        assert_eq!(line_of_offset("a\nb\nc", 99), 3);
    }
}
