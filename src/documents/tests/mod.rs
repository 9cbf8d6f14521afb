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
use fixtures::{
    branding, date, sample_certificate, sample_endorsement, sample_insurance_certificate,
    sample_rejection, sample_schedule,
};
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

/// The pages' texts, whitespace removed.
fn page_texts(pdf: &[u8]) -> Vec<String> {
    readback::text(pdf)
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.split_whitespace().collect())
        .collect()
}

#[test]
fn an_endorsement_document_lists_each_change_and_the_additional_premium() {
    let c = sample_endorsement();
    let pdf = render_endorsement(&c, &branding()).unwrap();
    write("endorsement.pdf", &pdf);
    let flat = readback::flat_text(&pdf);
    for expected in [
        "批单",
        "PSCZ2025330100000042-PD01",
        "PSCZ2025330100000042",
        "杭州某某重型机械制造有限公司",
        "某某城市轨道交通建设有限公司",
        "批改项目",
        "批改前",
        "批改后",
        "保险标的SN-2025-0001",
        "50台（套），单位价值¥20,000.00",
        "60台（套），单位价值¥20,000.00",
        "累计责任限额",
        "¥2,000,000.00",
        "¥2,400,000.00",
        "自2025年7月1日零时起生效",
        "用户追加采购10台",
        "批改前全期保险费",
        "批改前全期保险费¥14,000.00",
        "批改后全期保险费¥16,800.00",
        "批改后应收保险费合计¥15,411.51",
        "加收保险费",
        // To the fen, in words and in figures with separators.
        "人民币壹仟肆佰壹拾壹元伍角壹分（¥1,411.51）",
        "保险专用章",
        "签发日期：2025年6月20日",
        "PD7K3QMX9P2D4HAAAAAAAAAAAAAAAAAA",
        "可核验本批单的真伪",
    ] {
        assert!(flat.contains(expected), "missing {expected} in:\n{flat}");
    }
    assert_eq!(
        readback::qr_codes(&pdf, 0),
        vec![c.verification_url.clone()]
    );
    // The same content gives the same bytes (the stored hash identifies the file).
    assert_eq!(render_endorsement(&c, &branding()).unwrap(), pdf);
}

#[test]
fn a_cancellation_document_states_the_end_of_cover_and_the_return_premium() {
    let mut c = sample_endorsement();
    c.kind = EndorsementKind::Cancellation;
    c.requested_by = RequestedBy::Insurer;
    c.effective_on = date(2025, 9, 30);
    c.reason = "投保人未按约定缴付保险费".into();
    c.changes = vec![ChangedField {
        label: "保险责任终止时间".into(),
        before: "2025年12月31日二十四时".into(),
        after: "2025年9月30日二十四时".into(),
    }];
    c.premium_after = Money::from_fen(1_049_315);
    c.adjustment = Money::from_fen(-350_685);
    c.premium_due_after = Money::from_fen(1_049_315);
    let pdf = render_endorsement(&c, &branding()).unwrap();
    write("cancellation.pdf", &pdf);
    let flat = readback::flat_text(&pdf);
    for expected in [
        "退保（解除保险合同）",
        "兹因本公司依照保险合同约定解除合同",
        "2025年9月30日二十四时终止",
        "保险责任终止时间",
        "2025年12月31日二十四时",
        "退还保险费",
        "人民币叁仟伍佰零陆元捌角伍分（¥3,506.85）",
        "¥10,493.15",
        "退保原因",
    ] {
        assert!(flat.contains(expected), "missing {expected} in:\n{flat}");
    }
    assert!(!flat.contains("加收保险费"), "{flat}");
    let mut blank = c.clone();
    blank.reason = " ".into();
    assert!(matches!(
        render_endorsement(&blank, &branding()),
        Err(DocumentError::InvalidContent(_))
    ));
}

#[test]
fn endorsement_canonical_content_covers_every_fact() {
    let c = sample_endorsement();
    let base = endorsement_canonical(&c);
    assert!(base.starts_with(b"firstcover/endorsement-document/v1\n"));
    let mut url = c.clone();
    url.verification_url.push_str("?x");
    assert_eq!(endorsement_canonical(&url), base, "the URL is not signed");
    let mut other = c.clone();
    other.adjustment = Money::from_fen(141_152);
    assert_ne!(endorsement_canonical(&other), base);
    let mut other = c.clone();
    other.changes[1].after = "¥2,400,000.01".into();
    assert_ne!(endorsement_canonical(&other), base);
    let mut other = c.clone();
    other.requested_by = RequestedBy::Insurer;
    assert_ne!(endorsement_canonical(&other), base);
    let mut other = c.clone();
    other.premium_due_after = Money::from_fen(1);
    assert_ne!(endorsement_canonical(&other), base);
}

#[test]
fn an_insurance_certificate_names_the_units_the_beneficiary_and_the_deposit_rules() {
    let c = sample_insurance_certificate();
    let pdf = render_insurance_certificate(&c, &branding()).unwrap();
    write("insurance-certificate.pdf", &pdf);
    let flat = readback::flat_text(&pdf);
    for expected in [
        "保险凭证",
        "FC-PZ-2025-000007",
        "PSCZ2025330100000042",
        "被保险人（受益人，使用单位）",
        "某某城市轨道交通建设有限公司（统一社会信用代码：91330100MA2YYYYY2L）",
        "杭州某某重型机械制造有限公司",
        "大型盾构机",
        "SN-2025-0001",
        "SN-2025-0002",
        "2台（套）",
        "2,500,000.00",
        "自2025年3月1日零时起至2026年2月28日二十四时止",
        "人民币壹仟万元整（¥10,000,000.00）",
        "未单独约定",
        "2,000,000.00",
        "关于质量保证金",
        "工信部联重装〔2024〕89号",
        "三(五)",
        "对于已投保质量保障类保险的首台(套)、首批次，一般不再收取质量保证金",
        "四(四)",
        "对于已投保质量保障类保险的装备，不应收取质量保证金",
        "保险专用章",
        "PZ7K3QMX9P2D4HBBBBBBBBBBBBBBBBBB",
        "可核验本凭证的真伪",
    ] {
        assert!(flat.contains(expected), "missing {expected} in:\n{flat}");
    }
    let last = page_texts(&pdf).len() - 1;
    assert_eq!(
        readback::qr_codes(&pdf, last),
        vec![c.verification_url.clone()]
    );
    assert!(
        page_texts(&pdf)[last].contains("保险人：") && page_texts(&pdf)[last].contains("验证码"),
        "the seal and the verification band end the certificate together"
    );

    // Without quality cover the deposit rules do not apply, and it says so.
    let mut liability = c.clone();
    liability.quality_cover = false;
    liability.deposit_rules.clear();
    let flat = readback::flat_text(&render_insurance_certificate(&liability, &branding()).unwrap());
    assert!(flat.contains("不作为免收质量保证金的依据"), "{flat}");
    assert!(!flat.contains("一般不再收取质量保证金"), "{flat}");
}

#[test]
fn insurance_certificate_canonical_content_covers_every_fact() {
    let c = sample_insurance_certificate();
    let base = insurance_certificate_canonical(&c);
    assert!(base.starts_with(b"firstcover/insurance-certificate/v1\n"));
    let changes: [fn(&mut InsuranceCertificateContent); 6] = [
        |c| c.units[1].serial.push('X'),
        |c| c.beneficiary.name.push('X'),
        |c| c.sections[0].limit = Some(Money::from_yuan(1)),
        |c| c.period_end = date(2026, 3, 1),
        |c| {
            c.deposit_rules.pop();
        },
        |c| c.version_seq = 2,
    ];
    for change in changes {
        let mut other = c.clone();
        change(&mut other);
        assert_ne!(insurance_certificate_canonical(&other), base);
    }
}

#[test]
fn the_schedule_leaves_an_unset_per_occurrence_limit_unset() {
    let s = sample_schedule(2);
    let pdf = render_policy_schedule(&s, &branding()).unwrap();
    let text = readback::text(&pdf);
    let section_line = text
        .lines()
        .find(|l| l.contains("产品责任风险"))
        .unwrap_or_else(|| panic!("no liability row in:\n{text}"));
    assert!(section_line.contains("未单独约定"), "{section_line}");
    assert!(
        !section_line.contains("10,000,000.00"),
        "the aggregate limit is not repeated as a per-occurrence limit: {section_line}"
    );
    let quality_line = text
        .lines()
        .find(|l| l.contains("质量风险（更换或修理）"))
        .unwrap();
    assert!(quality_line.contains("5,000,000.00"), "{quality_line}");
    let flat = readback::flat_text(&pdf);
    assert!(flat.contains("以累计责任限额为限"), "{flat}");
}

#[test]
fn a_rejection_notice_says_whom_to_contact_and_how_to_object() {
    let n = sample_rejection();
    let flat = readback::flat_text(&render_rejection_notice(&n, &branding()).unwrap());
    for expected in [
        "如对本决定有异议",
        "复核申请",
        "向本公司理赔部提出复核申请",
        "联系电话：0571-87654321",
        "通讯地址：浙江省杭州市上城区示例路1号",
        "《保险法》第二十二条、第二十三条",
        "保险合同（《首台(套)重大技术装备综合险2025.2》条款）约定的争议处理方式",
        "仲裁",
        "人民法院",
        "国家金融监督管理总局派出机构",
        "特此通知",
    ] {
        assert!(flat.contains(expected), "missing {expected} in:\n{flat}");
    }
}

fn sample_backtest(conclusions: usize) -> BacktestPdf {
    BacktestPdf {
        period: "2026Q2".into(),
        as_of: date(2026, 6, 30),
        basis: "承保年度 Underwriting year".into(),
        facts: vec![("费用率 Expenses (V / F)".into(), "15.0% / 5.0%".into())],
        summary: (0..6)
            .map(|i| {
                [
                    format!("segment 板块{i}"),
                    "1,234,567.89".into(),
                    "345,678.00".into(),
                    "400,000.00".into(),
                    "32.4%".into(),
                    "55.4%".into(),
                    "维持 keep".into(),
                ]
            })
            .collect(),
        conclusions: (0..conclusions)
            .map(|i| {
                (
                    format!("板块{i}"),
                    "综合成本率位于目标区间内，建议维持现行费率。 The combined ratio is inside the band: keep the rate.".into(),
                )
            })
            .collect(),
        triangle_origins: vec!["2024".into(), "2025".into()],
        triangle: vec![
            vec!["1,000.00".into(), "3,000.00".into()],
            vec!["2,000.00".into()],
        ],
        method: "方法说明：链梯法（Mack），已报告赔款进展因子取加权平均。Method: chain ladder.".into(),
    }
}

/// However long the report, the seal never stands alone on its last page: the method
/// note (the last content) is on the page the signature block is on.
#[test]
fn the_backtest_seal_stays_with_the_last_content() {
    let b = branding();
    let mut pages_seen = std::collections::BTreeSet::new();
    for n in 0..=45 {
        let pdf = render_backtest_report(&sample_backtest(n), &b).unwrap();
        let pages = page_texts(&pdf);
        pages_seen.insert(pages.len());
        let last = pages.last().unwrap();
        assert!(
            last.contains("保险人：") && last.contains("签发日期"),
            "{n} conclusions: the signature block is on the last page"
        );
        assert!(
            last.contains("方法说明"),
            "{n} conclusions: the seal stands alone on page {}:\n{last}",
            pages.len()
        );
    }
    assert!(
        pages_seen.len() >= 2,
        "the sweep crosses a page break: {pages_seen:?}"
    );
}

/// Writes every page of the sample documents as PPM pictures for a person to look at:
/// `cargo test --lib -- --ignored documents_for_review`.
#[test]
#[ignore]
fn documents_for_review() {
    let b = branding();
    let docs = [
        (
            "endorsement",
            render_endorsement(&sample_endorsement(), &b).unwrap(),
        ),
        (
            "insurance-certificate",
            render_insurance_certificate(&sample_insurance_certificate(), &b).unwrap(),
        ),
        (
            "rejection",
            render_rejection_notice(&sample_rejection(), &b).unwrap(),
        ),
        (
            "schedule",
            render_policy_schedule(&sample_schedule(2), &b).unwrap(),
        ),
    ];
    for (name, pdf) in docs {
        for page in 0..page_texts(&pdf).len() {
            let r = Raster::render(&pdf, page, 60.0);
            eprintln!(
                "{}",
                write(&format!("{name}-{page}.ppm"), &r.ppm()).display()
            );
        }
    }
}
