//! No conflict is worded in one language (issue 13, item 3): every
//! `ServiceError::Conflict(…)` under `src/` is built from a bilingual `Text` — a
//! `Text::new(zh, en)` whose Chinese literal is Chinese and whose two halves differ, or a
//! value that already is a `Text` (`e.text()`, a variable) — never from a bare string,
//! `format!`, `.to_string()` or `.into()`. Comments and strings do not count.

use super::{code_only, is_ident, scan};

fn cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The index just past the parenthesis closing the one opened before `from`.
fn closing(code: &[char], from: usize) -> usize {
    let mut depth = 1;
    let mut i = from;
    while i < code.len() && depth > 0 {
        match code[i] {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Top-level comma-separated parts of `code[from..to]`, as index ranges (a trailing comma
/// adds none; `src` tells a blanked literal from nothing).
fn arguments(code: &[char], src: &[char], from: usize, to: usize) -> Vec<(usize, usize)> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0, from);
    for (i, c) in code.iter().enumerate().take(to).skip(from) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    if src[start..to].iter().any(|c| !c.is_whitespace()) {
        out.push((start, to));
    }
    out
}

fn text(chars: &[char], (a, b): (usize, usize)) -> String {
    chars[a..b].iter().collect::<String>().trim().to_string()
}

/// Why the argument of one `Conflict(` is not a bilingual text, if it is not.
fn one_language(code: &[char], src: &[char], from: usize, to: usize) -> Option<&'static str> {
    let arg = text(code, (from, to));
    if arg.starts_with("Text::new(") {
        let lead = code[from..to]
            .iter()
            .take_while(|c| c.is_whitespace())
            .count();
        let open = from + lead + "Text::new(".len();
        let parts = arguments(code, src, open, closing(code, open) - 1);
        let [zh, en] = parts[..] else {
            return Some("Text::new takes the Chinese and the English");
        };
        let (zh_src, en_src) = (text(src, zh), text(src, en));
        if zh_src.contains('"') && !cjk(&zh_src) {
            return Some("the Chinese half has no Chinese");
        }
        if en_src.contains('"') && cjk(&en_src) {
            return Some("the English half is in Chinese");
        }
        if zh_src == en_src {
            return Some("both halves are the same words");
        }
        return None;
    }
    let bare = arg.is_empty()
        || arg.starts_with('.')
        || arg.starts_with("format!")
        || arg.starts_with("String::")
        || arg.ends_with(".to_string()")
        || arg.ends_with(".into()")
        || arg.ends_with(".to_owned()");
    bare.then_some("built from a bare string")
}

/// (line, source) of each `Conflict(` whose argument is not a bilingual text.
pub fn one_language_conflicts(src: &str) -> Vec<(usize, String)> {
    let code: Vec<char> = code_only(src).chars().collect();
    let chars: Vec<char> = src.chars().collect();
    let word: Vec<char> = "Conflict(".chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + word.len() <= code.len() {
        let starts_word = i == 0 || !is_ident(code[i - 1]);
        if starts_word && code[i..i + word.len()] == word[..] {
            let from = i + word.len();
            let to = closing(&code, from);
            if let Some(why) = one_language(&code, &chars, from, to - 1) {
                let line = code[..i].iter().filter(|&&c| c == '\n').count() + 1;
                let at = chars[i..to].iter().collect::<String>();
                found.push((
                    line,
                    format!(
                        "{why}: {}",
                        at.split_whitespace().collect::<Vec<_>>().join(" ")
                    ),
                ));
            }
            i = from;
        } else {
            i += 1;
        }
    }
    found
}

#[test]
fn every_conflict_is_worded_in_both_languages() {
    let found = scan("src", one_language_conflicts);
    assert!(
        found.is_empty(),
        "a conflict must say itself in Chinese and English (`Text::new(zh, en)`, or a domain \
         error's `text()`):\n{}",
        found.join("\n")
    );
}

/// The scanner itself: what counts and what does not.
#[test]
fn the_conflict_scanner_sees_code_and_not_prose() {
    let src = r##"
// ServiceError::Conflict(format!("in a comment"))
let s = "ServiceError::Conflict(\"in a string\".into())";
ServiceError::Conflict(Text::new("该保单没有待处理的转核", "no open referral"))
ServiceError::Conflict(e.text())
Err(ServiceError::Conflict(text)) => {}
ServiceError::Conflict(format!("policy {id} is closed"))
ServiceError::Conflict("no open referral".into())
ServiceError::Conflict(e.to_string())
ServiceError::Conflict(Text::new(msg.clone(), msg.clone()))
ServiceError::Conflict(Text::new("no open referral", "no open referral"))
ServiceError::Conflict(Text::new(
    format!("批次 {} 已完成", n),
    format!("batch {} is closed", n),
))
StoreError::Conflict => ServiceError::Conflict(wording::changed()),
ServiceError::Conflict(Text::new("英文", "中文"))
"##;
    let lines: Vec<usize> = one_language_conflicts(src)
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        lines,
        vec![7, 8, 9, 10, 11, 17],
        "{:?}",
        one_language_conflicts(src)
    );
}
