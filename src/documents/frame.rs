//! Parts every document shares: the letterhead and title, the signature block under the
//! seal, and how dates, periods and amounts are written.

use chrono::{Datelike, NaiveDate};

use super::canvas::{line_height, Align, Rgb, BLACK, GREY};
use super::flow::{Flow, MM};
use super::seal::SEAL_RADIUS;
use super::wrap::wrap_lines;
use super::Branding;
use crate::domain::money::Money;
use crate::domain::numerals::capital_numerals;

pub(crate) const BODY: f32 = 10.5;
pub(crate) const SMALL: f32 = 9.0;

/// `2025年3月1日`, as Chinese documents write dates.
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// 保险期间: cover starts at 零时 of the first day and ends at 二十四时 of the last.
pub fn period_text(start: NaiveDate, end: NaiveDate) -> String {
    format!(
        "自{}零时起至{}二十四时止",
        chinese_date(start),
        chinese_date(end)
    )
}

/// `¥1,234,567.89`.
pub fn figures(m: Money) -> String {
    if m.is_negative() {
        format!("-¥{}", m.abs().grouped())
    } else {
        format!("¥{}", m.grouped())
    }
}

/// `人民币壹佰元整（¥100.00）`: an amount in words with the figures beside it.
pub fn amount_in_words_and_figures(m: Money) -> String {
    format!("人民币{}（{}）", capital_numerals(m), figures(m))
}

/// Insurer and branch, the document title, and its number on the right.
pub(crate) fn title_block(
    flow: &mut Flow,
    b: &Branding,
    title: &str,
    number_label: &str,
    number: &str,
) {
    let (x, w) = (flow.left(), flow.width());
    let name = format!("{}{}", b.insurer_name, b.branch_name);
    let top = flow.y;
    let page = flow.page();
    page.aligned_text(x, w, top + 14.0, 14.0, &name, Align::Centre);
    let title_size = 22.0;
    page.aligned_text(
        x,
        w,
        top + 14.0 + 12.0 + title_size,
        title_size,
        &spaced(title),
        Align::Centre,
    );
    let rule_y = top + 14.0 + 12.0 + title_size + 10.0;
    page.hline(x, x + w, rule_y, 1.2);
    page.hline(x, x + w, rule_y + 2.2, 0.4);
    let label = format!("{number_label}{number}");
    page.aligned_text(x, w, rule_y + 6.0 + SMALL, SMALL, &label, Align::Right);
    flow.y = rule_y + 6.0 + SMALL + 10.0;
}

/// Short titles are letter-spaced, as on printed forms (保 险 单).
fn spaced(title: &str) -> String {
    if title.chars().count() <= 5 {
        title
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        title.to_string()
    }
}

/// Where the signature block and its seal ended up (tests check the overlap).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SignaturePlace {
    pub page: usize,
    pub seal_centre: (f32, f32),
}

/// 保险人（盖章） and the date on the right, with the seal stamped across them.
pub(crate) fn signature_block(flow: &mut Flow, b: &Branding, date: NaiveDate) -> SignaturePlace {
    let size = BODY + 0.5;
    let block = 2.0 * SEAL_RADIUS + 4.0 * MM;
    flow.ensure(block);
    let right = flow.left() + flow.width();
    let font = b.font.clone();
    let lines = [
        format!("保险人：{}{}", b.insurer_name, b.branch_name),
        "（盖章）".to_string(),
        format!("签发日期：{}", chinese_date(date)),
    ];
    let text_w = lines
        .iter()
        .map(|l| font.width(l, size))
        .fold(0.0_f32, f32::max)
        .max(2.0 * SEAL_RADIUS);
    let left = right - text_w;
    let first_baseline = flow.y + SEAL_RADIUS - line_height(size) + size * 0.4;
    let page_index = flow.page_count() - 1;
    // The seal covers the name and the date, as a hand stamp would: centred on the
    // middle line, towards the right where the name ends.
    let centre = (
        right - text_w.min(2.0 * SEAL_RADIUS + 20.0 * MM) / 2.0,
        flow.y + SEAL_RADIUS + 2.0 * MM,
    );
    let page = flow.page();
    for (i, line) in lines.iter().enumerate() {
        let baseline = first_baseline + i as f32 * line_height(size);
        page.aligned_text(left, text_w, baseline, size, line, Align::Left);
    }
    let seal = b.seal.stamp(&font, centre.0, centre.1);
    page.ops.push(seal);
    flow.y += block;
    SignaturePlace {
        page: page_index,
        seal_centre: centre,
    }
}

/// A section heading, kept with a few lines of what follows.
pub(crate) fn heading(flow: &mut Flow, text: &str) {
    let size = BODY + 1.0;
    flow.advance(8.0);
    flow.ensure(line_height(size) * 4.0);
    let (x, y) = (flow.left(), flow.y);
    let ascent = flow.font().ascent(size);
    flow.page().text(x, y + ascent, size, text);
    flow.advance(line_height(size));
}

/// A grey note in small type across the full width.
pub(crate) fn note(flow: &mut Flow, text: &str) {
    lines(flow, text, SMALL, GREY);
}

/// A wrapped body paragraph at the cursor, breaking pages between lines; `indent`
/// starts it with the customary two-character first-line indent (首行缩进两字).
pub(crate) fn paragraph(flow: &mut Flow, text: &str, indent: bool) {
    if indent {
        lines(flow, &format!("\u{3000}\u{3000}{text}"), BODY, BLACK);
    } else {
        lines(flow, text, BODY, BLACK);
    }
}

fn lines(flow: &mut Flow, text: &str, size: f32, color: Rgb) {
    let (x, w) = (flow.left(), flow.width());
    let lines = wrap_lines(flow.font(), text, size, w);
    let ascent = flow.font().ascent(size);
    for line in lines {
        flow.ensure(line_height(size));
        let y = flow.y;
        flow.page().coloured_text(x, y + ascent, size, &line, color);
        flow.advance(line_height(size));
    }
}
