//! Line breaking for mixed Chinese and Latin text.
//!
//! Chinese may break between any two characters, Latin words and numbers (policy
//! numbers, amounts, URLs) stay whole where they fit, and the usual 避头尾 rule applies:
//! closing punctuation never starts a line and opening punctuation never ends one.

use super::font::DocumentFont;

/// Punctuation that must not start a line (行首禁则).
const NO_LINE_START: &str = "，。、；：？！）》」』】〉”’…—,.;:?!)]}%";
/// Punctuation that must not end a line (行尾禁则).
const NO_LINE_END: &str = "（《「『【〈“‘([{¥￥";

/// Split `text` into lines no wider than `max_width` at `size`. An explicit `\n` always
/// breaks; a single unbreakable piece wider than the line is split by character.
pub(crate) fn wrap_lines(
    font: &DocumentFont,
    text: &str,
    size: f32,
    max_width: f32,
) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        wrap_paragraph(font, para, size, max_width, &mut lines);
    }
    lines
}

fn wrap_paragraph(
    font: &DocumentFont,
    text: &str,
    size: f32,
    max_width: f32,
    out: &mut Vec<String>,
) {
    let mut line = String::new();
    let mut line_w = 0.0;
    for piece in pieces(text) {
        let w = font.width(&piece, size);
        if line_w + w <= max_width {
            line.push_str(&piece);
            line_w += w;
            continue;
        }
        if w > max_width {
            // Too long for any line (a long URL): fill up character by character.
            for ch in piece.chars() {
                let cw = font.char_width(ch, size);
                if line_w + cw > max_width && !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(ch);
                line_w += cw;
            }
            continue;
        }
        out.push(std::mem::take(&mut line).trim_end().to_string());
        let piece = piece.trim_start();
        line_w = font.width(piece, size);
        line.push_str(piece);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line.trim_end().to_string());
    }
}

/// Cut text into pieces that must stay together: one CJK character, or one Latin word
/// with its trailing space, each carrying the punctuation that may not be separated.
fn pieces(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut glue_next = false;
    for ch in text.chars() {
        // Codes, amounts and URLs: a run of visible ASCII is one word.
        let continues_word =
            ch.is_ascii_graphic() && current.chars().last().is_some_and(|c| c.is_ascii_graphic());
        if NO_LINE_START.contains(ch) || continues_word || glue_next {
            current.push(ch);
        } else if ch == ' ' {
            current.push(ch);
            out.push(std::mem::take(&mut current));
        } else {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current.push(ch);
        }
        glue_next = NO_LINE_END.contains(ch);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::tests::test_font;

    #[test]
    fn chinese_breaks_anywhere_but_not_before_a_comma() {
        let font = test_font();
        let text = "经审核，本次事故不属于保险责任范围，故本公司不予赔付。";
        let lines = wrap_lines(&font, text, 10.0, 65.0);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines {
            assert!(font.width(l, 10.0) <= 65.0 + 10.0, "{l} too wide");
            assert!(!l.starts_with(['，', '。']), "{l} starts with punctuation");
        }
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn latin_words_stay_whole() {
        let font = test_font();
        let lines = wrap_lines(&font, "保单号 PL20250001 已生效", 10.0, 70.0);
        assert!(lines.iter().any(|l| l.contains("PL20250001")), "{lines:?}");
    }

    #[test]
    fn an_overlong_url_is_cut_by_character() {
        let font = test_font();
        let url = "https://verify.example.com/certificates/ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let lines = wrap_lines(&font, url, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), url);
    }

    #[test]
    fn explicit_newlines_break_and_empty_text_is_one_empty_line() {
        let font = test_font();
        assert_eq!(wrap_lines(&font, "甲\n乙", 10.0, 100.0), vec!["甲", "乙"]);
        assert_eq!(wrap_lines(&font, "", 10.0, 100.0), vec![""]);
    }
}
