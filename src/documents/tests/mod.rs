//! Checks on the rendered documents, read back as a person would: the text, the page
//! as a picture and the QR code on it, through the pure-Rust readers in [`readback`],
//! so every check runs on every machine.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::flow::Flow;
use super::frame::signature_block;
use super::seal::SEAL_RADIUS;
use super::*;
use crate::domain::money::Money;

mod fixtures;
pub(crate) mod readback;
use fixtures::{branding, date, sample_certificate, sample_rejection, sample_schedule};
use readback::Raster;

pub(crate) fn test_font() -> Arc<DocumentFont> {
    static FONT: OnceLock<Arc<DocumentFont>> = OnceLock::new();
    FONT.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_FONT_PATH);
        match DocumentFont::load(&FontSource {
            path,
            face_index: 0,
        }) {
            Ok(f) => f,
            Err(e) => panic!("the bundled font must load: {e}"),
        }
    })
    .clone()
}

/// Where rendered files go for a person to look at.
fn out_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("firstcover-documents");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = out_dir().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn certificate_reads_back_with_numbers_and_capital_numerals() {
    let c = sample_certificate();
    let pdf = render_certificate(&c, &branding()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    write("certificate.pdf", &pdf);
    let text = readback::text(&pdf);
    let flat: String = text.split_whitespace().collect();
    for expected in [
        "全额保费收取证明",
        "PSCZ2025330100000042",
        "FC-2025-000123",
        "91330100MA2XXXXX1K",
        "杭州某某重型机械制造有限公司",
        "100,200.00",
        "壹拾万零贰佰元整",
        "HZB20250226001377",
        "7K3Q-MX9P-2D4H",
        "已全部收讫",
        "保险专用章",
    ] {
        assert!(flat.contains(expected), "missing {expected} in:\n{text}");
    }
}

#[test]
fn the_same_certificate_gives_the_same_bytes() {
    let c = sample_certificate();
    let b = branding();
    let first = render_certificate(&c, &b).unwrap();
    let second = render_certificate(&c, &b).unwrap();
    assert_eq!(first, second);
    let mut changed = c.clone();
    changed.payments[1].reference.push('X');
    assert_ne!(render_certificate(&changed, &b).unwrap(), first);
}

#[test]
fn a_certificate_is_refused_while_premium_is_outstanding() {
    let mut c = sample_certificate();
    c.payments.pop();
    let err = render_certificate(&c, &branding()).unwrap_err();
    assert!(
        matches!(err, DocumentError::PaymentsDoNotMatchPremium { .. }),
        "{err}"
    );
}

#[test]
fn canonical_content_is_stable_and_covers_every_fact() {
    let c = sample_certificate();
    assert_eq!(canonical_content(&c), canonical_content(&c.clone()));
    let mut other = c.clone();
    other.verification_url.push_str("?x");
    assert_eq!(
        canonical_content(&other),
        canonical_content(&c),
        "URL is not signed"
    );
    let mut other = c.clone();
    other.payments[0].amount = Money::from_fen(6_000_001);
    assert_ne!(canonical_content(&other), canonical_content(&c));
    // Length prefixes keep shifted text from colliding.
    let mut a = c.clone();
    a.policyholder_name = "甲".into();
    a.policyholder_credit_code = "乙丙".into();
    let mut b = c.clone();
    b.policyholder_name = "甲乙".into();
    b.policyholder_credit_code = "丙".into();
    assert_ne!(canonical_content(&a), canonical_content(&b));
}

#[test]
fn a_character_missing_from_the_font_is_an_error_not_a_box() {
    let mut c = sample_certificate();
    c.policyholder_name = "\u{1F600} 公司".into();
    let err = render_certificate(&c, &branding()).unwrap_err();
    assert!(matches!(err, DocumentError::MissingGlyph { .. }), "{err}");
}

#[test]
fn the_seal_lies_over_the_signature_block() {
    let b = branding();
    let mut flow = Flow::new(test_font(), String::new());
    flow.advance(300.0);
    let place = signature_block(&mut flow, &b, date(2025, 3, 3));
    let pages = flow.finish();
    let ops = &pages[place.page].ops;
    let (cx, cy) = place.seal_centre;
    let stamped = ops
        .iter()
        .any(|op| matches!(op, canvas::Op::Layer { multiply: true, .. }));
    assert!(stamped, "no seal layer on the signature page");
    for needle in ["保险人", "签发日期", "（盖章）"] {
        let (x, y) = ops
            .iter()
            .find_map(|op| match op {
                canvas::Op::Text { x, y, text, .. } if text.contains(needle) => Some((*x, *y)),
                _ => None,
            })
            .unwrap();
        // Some part of each line lies inside the seal's circle.
        let line_w = test_font().width(needle, 11.0);
        let nearest_x = cx.clamp(x, x + 400.0f32.max(line_w));
        let d = ((nearest_x - cx).powi(2) + (y - cy).powi(2)).sqrt();
        assert!(
            d < SEAL_RADIUS,
            "{needle} at ({x},{y}) is outside the seal at ({cx},{cy})"
        );
    }
}

#[test]
fn a_long_schedule_runs_over_several_pages() {
    let s = sample_schedule(60);
    let pdf = render_policy_schedule(&s, &branding()).unwrap();
    write("schedule.pdf", &pdf);
    let text = readback::text(&pdf);
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 3, "expected several pages, got {pages}");
    let flat: String = text.split_whitespace().collect();
    for expected in [
        "保险单",
        "PSCZ2025330100000042",
        "SN-2025-0001",
        "SN-2025-0060",
        "累计责任限额",
        "壹仟万元整",
        "1.85%",
        "壹拾万零贰佰元整",
        "某某保险经纪有限公司",
        "共3页",
        "（续）",
    ] {
        assert!(flat.contains(expected), "missing {expected} in:\n{text}");
    }
}

#[test]
fn a_rejection_notice_states_reasons_and_the_legal_basis() {
    let n = sample_rejection();
    let pdf = render_rejection_notice(&n, &branding()).unwrap();
    write("rejection.pdf", &pdf);
    let mut empty = n.clone();
    empty.reasons = vec![" ".into()];
    assert!(matches!(
        render_rejection_notice(&empty, &branding()),
        Err(DocumentError::NoReasons)
    ));
    let text = readback::text(&pdf);
    let flat: String = text.split_whitespace().collect();
    for expected in [
        "拒赔通知书",
        "CLM2025330100000007",
        "PSCZ2025330100000042",
        "《保险法》第二十四条",
        "2025年6月12日",
        "2025年7月2日",
        "责任免除情形",
        "维护保养记录",
    ] {
        assert!(flat.contains(expected), "missing {expected} in:\n{text}");
    }
}

#[test]
fn the_qr_code_on_the_page_scans_to_the_verification_url() {
    let c = sample_certificate();
    let pdf = render_certificate(&c, &branding()).unwrap();
    write("certificate-qr.pdf", &pdf);
    assert_eq!(
        readback::qr_codes(&pdf, 0),
        vec![c.verification_url.clone()]
    );
}

#[test]
fn a_branch_may_stamp_its_own_png_seal() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/seals/example-seal.png");
    let b = Branding::new(
        "示例财产保险股份有限公司",
        "浙江省分公司",
        &SealArtwork::Png { path },
        test_font(),
    )
    .unwrap();
    let pdf = render_certificate(&sample_certificate(), &b).unwrap();
    write("certificate-png-seal.pdf", &pdf);
    assert!(
        pdf.windows(14).any(|w| w == b"/Subtype/Image"),
        "the PNG seal is embedded as an image"
    );
    let missing = Branding::new(
        "甲",
        "乙",
        &SealArtwork::Png {
            path: "/nonexistent.png".into(),
        },
        test_font(),
    );
    assert!(matches!(missing, Err(DocumentError::SealArtwork { .. })));
}

/// Regenerates `assets/seals/example-seal.png` (the sample artwork a branch would
/// configure) from the vector seal: `cargo test -- --ignored example_seal`, then
/// `pdftoppm -png -r 300 -singlefile` the printed PDF path (the page is the seal only).
#[test]
#[ignore]
fn example_seal_artwork_source() {
    let b = Branding::new(
        "示例财产保险股份有限公司",
        "某某市分公司",
        &SealArtwork::default(),
        test_font(),
    )
    .unwrap();
    let side = 2.0 * SEAL_RADIUS + 4.0;
    let mut canvas = canvas::Canvas::new(test_font());
    canvas
        .ops
        .push(b.seal.stamp(&test_font(), side / 2.0, side / 2.0));
    let info = pdf::DocInfo {
        title: "seal".into(),
        author: "firstcover".into(),
        id: "seal".into(),
        date: date(2025, 1, 1),
    };
    let bytes = pdf::write_pdf_sized(&[canvas], &info, &test_font(), side, side).unwrap();
    eprintln!("{}", write("seal-only.pdf", &bytes).display());
}

fn is_seal_red(r: u8, g: u8, b: u8) -> bool {
    r > 150 && g < 110 && b < 110
}

/// Looked at as a picture: the Chinese title is inked (glyphs, not blanks), the font is
/// embedded, and the red seal lies over the signature block — not elsewhere on the page.
#[test]
fn the_rendered_certificate_shows_chinese_text_and_the_seal_over_the_signature() {
    let pdf = render_certificate(&sample_certificate(), &branding()).unwrap();
    write("certificate-raster.pdf", &pdf);
    let page = Raster::render(&pdf, 0, 72.0);
    write("certificate-raster.ppm", &page.ppm());
    let measure = |text: &str, size: f32| test_font().width(text, size);
    // A4 is 595.28 × 841.89 pt.
    assert!(
        (595..=596).contains(&page.width) && (841..=843).contains(&page.height),
        "A4 at 72 dpi: {}×{}",
        page.width,
        page.height
    );

    let fonts = readback::fonts(&pdf);
    let cjk = fonts
        .iter()
        .find(|f| f.kind == "Type0/CIDFontType2")
        .unwrap_or_else(|| panic!("no embedded CID TrueType font: {fonts:?}"));
    assert!(
        cjk.embedded && cjk.subset && cjk.to_unicode,
        "embedded, subset, with ToUnicode: {cjk:?}"
    );

    let title = readback::word_box(&pdf, 0, "全额保费收取证明", &measure);
    let area = ((title.2 - title.0) * (title.3 - title.1)) as usize;
    let ink = page.count(title, |r, g, b| {
        u32::from(r) + u32::from(g) + u32::from(b) < 300
    });
    assert!(
        ink * 100 > area * 8 && ink * 100 < area * 70,
        "title glyphs: {ink} dark pixels of {area} in {title:?}"
    );

    let sign = readback::word_box(&pdf, 0, "签发日期", &measure);
    let holder = readback::word_box(&pdf, 0, "保险人：", &measure);
    let block = (
        holder.0 - 60.0,
        holder.1 - 80.0,
        holder.2 + 60.0,
        sign.3 + 80.0,
    );
    let red_in_block = page.count(block, is_seal_red);
    let red_total = page.count(
        (0.0, 0.0, page.width as f32, page.height as f32),
        is_seal_red,
    );
    assert!(
        red_in_block > 500,
        "seal ink over the signature block {block:?}: {red_in_block} of {red_total}"
    );
    assert!(
        red_in_block * 100 >= red_total * 95,
        "the red ink is the seal's: {red_in_block} of {red_total} red pixels"
    );
}

/// Shanxi 004 第十八条: the annual report's PDF states the year, the regulator, every
/// maker and product line and the figures as given, over as many pages as it takes.
#[test]
fn annual_report_reads_back_with_its_figures() {
    let mut rows = Vec::new();
    for i in 0..60 {
        rows.push([
            format!("山西新材料有限公司{i}"),
            "高性能碳纤维".to_string(),
            "1".to_string(),
            "12,000.00".to_string(),
            "3,600.00".to_string(),
            "0".to_string(),
            "0.00".to_string(),
            "0".to_string(),
            "0.00".to_string(),
        ]);
    }
    rows.push([
        "合计 Total".to_string(),
        String::new(),
        "60".to_string(),
        "720,000.00".to_string(),
        "216,000.00".to_string(),
        "2".to_string(),
        "10,000.00".to_string(),
        "1".to_string(),
        "15,000.00".to_string(),
    ]);
    let r = AnnualReportPdf {
        title: "首批次新材料保险承保理赔情况年度报告".into(),
        year: "2026".into(),
        as_of: date(2026, 12, 31),
        facts: vec![("报送单位 To".into(), "山西银保监局".into())],
        rows,
        notes: vec!["金额单位：元，精确到分。".into()],
    };
    let pdf = render_annual_report(&r, &branding()).unwrap();
    write("annual-report.pdf", &pdf);
    let flat = readback::flat_text(&pdf);
    for expected in [
        "首批次新材料保险承保理赔情况年度报告",
        "2026",
        "山西银保监局",
        "山西新材料有限公司59",
        "720,000.00",
        "216,000.00",
        "15,000.00",
        "金额单位：元，精确到分。",
    ] {
        assert!(flat.contains(expected), "missing {expected} in:\n{flat}");
    }
    let pages = readback::glyphs(&pdf)
        .iter()
        .map(|g| g.page)
        .max()
        .unwrap_or(0);
    assert!(pages >= 2, "60 lines run over more than one page");
    assert_eq!(
        render_annual_report(&r, &branding()).unwrap(),
        pdf,
        "same input, same bytes"
    );
}
