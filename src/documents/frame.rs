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

/// Height of the signature block with its seal (see [`signature_block`]).
pub(crate) fn signature_height() -> f32 {
    2.0 * SEAL_RADIUS + 4.0 * MM
}

/// Height a paragraph or note takes at the flow's width (`indent` as [`paragraph`]).
pub(crate) fn text_height(flow: &Flow, text: &str, size: f32, indent: bool) -> f32 {
    let text = if indent {
        format!("\u{3000}\u{3000}{text}")
    } else {
        text.to_string()
    };
    wrap_lines(flow.font(), &text, size, flow.width()).len() as f32 * line_height(size)
}

/// Start a new page unless the closing `height` (the last content plus the signature
/// block measured together) fits on this one, so the seal never stands alone on a
/// page of its own: it stays with the last words it stamps.
pub(crate) fn keep_with_signature(flow: &mut Flow, height: f32) {
    flow.ensure(height + signature_height());
}

/// Height of the verification band under the seal (see [`verification_band`]).
pub(crate) fn verification_band_height() -> f32 {
    34.0 * MM
}

/// The QR code on the left, the verification code and address beside it; `what` names
/// the document in the sentence that says how to verify it (本证明, 本批单, 本凭证).
pub(crate) fn verification_band(
    flow: &mut Flow,
    url: &str,
    code: &str,
    what: &str,
) -> Result<(), super::DocumentError> {
    let qr_size = 30.0 * MM;
    flow.advance(4.0 * MM);
    flow.ensure(qr_size);
    let (x, top, w) = (flow.left(), flow.y, flow.width());
    flow.page().hline(x, x + w, top - 2.0 * MM, 0.4);
    let qr = super::qr::qr_code(url, x, top, qr_size)?;
    flow.page().ops.push(qr);
    let text_x = x + qr_size + 4.0 * MM;
    let text_w = w - qr_size - 4.0 * MM;
    let code_size = BODY + 1.5;
    let ascent = flow.font().ascent(code_size);
    let page = flow.page();
    let label = "验证码：";
    let label_w = page.font().width(label, code_size);
    page.text(text_x, top + 6.0 * MM + ascent, code_size, label);
    page.text(text_x + label_w, top + 6.0 * MM + ascent, code_size, code);
    let mut y = top + 6.0 * MM + line_height(code_size) + 2.0;
    let how =
        format!("扫描左侧二维码，或访问以下网址并输入验证码，可核验{what}的真伪及是否仍然有效：");
    y = page.paragraph(text_x, y, text_w, SMALL, &how);
    for line in wrap_lines(page.font(), url, SMALL, text_w) {
        page.coloured_text(text_x, y + SMALL * 0.88, SMALL, &line, GREY);
        y += line_height(SMALL);
    }
    flow.y = (top + qr_size).max(y);
    Ok(())
}

/// Signed content: a fixed first line naming the document and its layout version, then
/// one `name=<byte length>:<value>` line per fact, so no two contents collide.
pub(crate) struct Canonical(Vec<u8>);

impl Canonical {
    pub fn new(header: &str) -> Canonical {
        let mut out = Vec::with_capacity(1024);
        out.extend_from_slice(header.as_bytes());
        out.push(b'\n');
        Canonical(out)
    }

    pub fn field(&mut self, name: &str, value: &str) -> &mut Canonical {
        let out = &mut self.0;
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        out.extend_from_slice(value.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
        self
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

/// The signature block on the right and, in the same band on the left, the QR code with
/// the verification code and address: for a one-page document that must carry both.
pub(crate) fn signature_with_verification(
    flow: &mut Flow,
    b: &Branding,
    date: NaiveDate,
    url: &str,
    code: &str,
    what: &str,
) -> Result<SignaturePlace, super::DocumentError> {
    let qr_size = 30.0 * MM;
    flow.ensure(signature_height().max(qr_size + 4.0 * MM));
    let (x, top) = (flow.left(), flow.y);
    let qr = super::qr::qr_code(url, x, top + 2.0 * MM, qr_size)?;
    flow.page().ops.push(qr);
    let text_x = x + qr_size + 3.0 * MM;
    let text_w = flow.width() * 0.5 - qr_size - 3.0 * MM;
    let ascent = flow.font().ascent(SMALL);
    let page = flow.page();
    let mut y = top + 2.0 * MM;
    let line = |page: &mut super::canvas::Canvas, text: &str, color: Rgb, y: &mut f32| {
        for l in wrap_lines(page.font(), text, SMALL, text_w) {
            page.coloured_text(text_x, *y + ascent, SMALL, &l, color);
            *y += line_height(SMALL);
        }
    };
    line(page, "验证码：", BLACK, &mut y);
    line(page, code, BLACK, &mut y);
    line(
        page,
        &format!("扫描二维码，或访问下列网址输入验证码，可核验{what}的真伪及是否仍然有效："),
        BLACK,
        &mut y,
    );
    line(page, url, GREY, &mut y);
    let text_bottom = y;
    let place = signature_block(flow, b, date);
    flow.y = flow.y.max(text_bottom).max(top + qr_size + 4.0 * MM);
    Ok(place)
}

/// Height of [`signature_with_verification`].
pub(crate) fn signature_with_verification_height() -> f32 {
    signature_height().max(34.0 * MM)
}
