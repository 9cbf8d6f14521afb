//! The insurance certificate (保险凭证) a maker hands the user unit.
//!
//! A buyer of insured first-set equipment or first-batch material should not hold back
//! a quality deposit (质量保证金): 000 三(五) "对于已投保质量保障类保险的首台(套)、
//! 首批次，一般不再收取质量保证金", and for equipment 001 四(四). The user unit needs a
//! paper that proves the cover: the insured product with every serial or batch number,
//! the user unit as insured and beneficiary, the period, the limits — and those two
//! sentences quoted. Stamped and verifiable like the premium certificate.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::canvas::Align;
use super::flow::Flow;
use super::frame::{self, amount_in_words_and_figures, period_text, Canonical, SMALL};
use super::pdf::{write_pdf, DocInfo};
use super::schedule::{CoverSection, Party, NO_SEPARATE_LIMIT};
use super::table::{widths, Column, Table};
use super::{Branding, DocumentError};
use crate::domain::money::Money;

/// One line of insured units: serial or batch number, how many, the value of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertifiedUnit {
    pub serial: String,
    pub quantity: u32,
    pub unit_value: Money,
}

/// A policy source quoted on the certificate: which document and clause, and its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotedRule {
    /// e.g. 《关于进一步完善首台（套）重大技术装备首批次新材料保险补偿政策的意见》（工信部联重装〔2024〕89号）三(五)
    pub citation: String,
    /// The sentence word for word.
    pub quote: String,
}

/// Everything the 保险凭证 states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuranceCertificateContent {
    /// 凭证编号.
    pub certificate_number: String,
    /// 保险单号.
    pub policy_number: String,
    /// 险种 and 条款版本.
    pub product_name: String,
    pub clause_set_version: String,
    /// 投保人 (the maker).
    pub policyholder: Party,
    /// 被保险人／受益人 (the user unit).
    pub beneficiary: Party,
    /// 保险标的: the catalogue product's name.
    pub insured_product: String,
    /// 台（套） or 批.
    pub unit_word: String,
    pub units: Vec<CertifiedUnit>,
    /// 保险金额（投保装备总价值）.
    pub insured_value: Money,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// 累计责任限额.
    pub aggregate_limit: Money,
    /// The sections taken, with their own limits where set.
    pub sections: Vec<CoverSection>,
    /// The policy covers quality risk (质量保障类保险): then the deposit rules apply.
    pub quality_cover: bool,
    /// The quality-deposit rules quoted (empty without quality cover).
    pub deposit_rules: Vec<QuotedRule>,
    /// The policy version this certificate states (a later endorsement supersedes it).
    pub version_seq: i32,
    /// 出具日期.
    pub issue_date: NaiveDate,
    pub verification_code: String,
    pub verification_url: String,
}

/// The 保险凭证 as an A4 PDF.
pub fn render_insurance_certificate(
    c: &InsuranceCertificateContent,
    b: &Branding,
) -> Result<Vec<u8>, DocumentError> {
    if c.units.is_empty() {
        return Err(DocumentError::InvalidContent(
            "an insurance certificate names at least one insured unit".into(),
        ));
    }
    let mut flow = Flow::new(
        b.font.clone(),
        format!("保险凭证 {}（续）", c.certificate_number),
    );
    frame::title_block(
        &mut flow,
        b,
        "保险凭证",
        "凭证编号：",
        &c.certificate_number,
    );
    frame::paragraph(
        &mut flow,
        &format!(
            "兹证明下列保险标的已在本公司投保{}，被保险人（受益人）为下列使用单位。",
            c.product_name
        ),
        true,
    );
    flow.advance(4.0);
    facts(&mut flow, c);
    frame::heading(&mut flow, "保险标的明细");
    units_table(&mut flow, c);
    frame::heading(&mut flow, "保险责任及责任限额");
    sections_table(&mut flow, c);
    if c.sections.iter().any(|s| s.limit.is_none()) {
        flow.advance(2.0);
        frame::note(
            &mut flow,
            "注：“未单独约定”指该项保险责任不另设每次事故责任限额，以累计责任限额为限。",
        );
    }
    frame::heading(&mut flow, "关于质量保证金");
    let deposit = deposit_paragraph(c);
    frame::paragraph(&mut flow, &deposit, true);
    flow.advance(6.0);
    let closing = "本凭证仅证明上述保险关系，保险责任、责任免除、赔偿处理等以保险单、保险条款及批单为准。保险单经批改或解除的，本凭证随之失效，以换发的凭证为准。";
    // The note, the seal and the verification band end the page together.
    let closing_height = frame::text_height(&flow, closing, SMALL, false) + 6.0;
    flow.ensure(closing_height + frame::signature_with_verification_height());
    frame::note(&mut flow, closing);
    flow.advance(6.0);
    frame::signature_with_verification(
        &mut flow,
        b,
        c.issue_date,
        &c.verification_url,
        &c.verification_code,
        "本凭证",
    )?;
    let pages = flow.finish();
    let info = DocInfo {
        title: format!("保险凭证 {}", c.certificate_number),
        author: format!("{}{}", b.insurer_name, b.branch_name),
        id: c.certificate_number.clone(),
        date: c.issue_date,
    };
    write_pdf(&pages, &info, &b.font)
}

/// The quality-deposit paragraph: the quoted rules when quality risk is covered.
pub fn deposit_paragraph(c: &InsuranceCertificateContent) -> String {
    if !c.quality_cover || c.deposit_rules.is_empty() {
        return "本保险单未承保质量风险，不属于质量保障类保险，本凭证不作为免收质量保证金的依据。"
            .into();
    }
    let quoted = c
        .deposit_rules
        .iter()
        .map(|r| format!("{}规定：“{}”", r.citation, r.quote))
        .collect::<Vec<_>>()
        .join("；");
    format!(
        "上述保险标的已投保质量保障类保险（质量风险）。{quoted}。使用单位采购上述装备或材料时，可凭本凭证向生产制造企业说明。"
    )
}

fn facts(flow: &mut Flow, c: &InsuranceCertificateContent) {
    let party = |p: &Party| format!("{}（统一社会信用代码：{}）", p.name, p.credit_code);
    let rows = [
        ("保险单号", c.policy_number.clone()),
        ("险种及条款", c.clause_set_version.clone()),
        ("投保人（生产制造企业）", party(&c.policyholder)),
        ("被保险人（受益人，使用单位）", party(&c.beneficiary)),
        (
            "保险标的",
            format!(
                "{}，共{}{}",
                c.insured_product,
                c.units
                    .iter()
                    .fold(0u32, |n, u| n.saturating_add(u.quantity)),
                c.unit_word
            ),
        ),
        ("保险金额", amount_in_words_and_figures(c.insured_value)),
        ("保险期间", period_text(c.period_start, c.period_end)),
        (
            "累计责任限额",
            amount_in_words_and_figures(c.aggregate_limit),
        ),
    ];
    let w = widths(flow.width(), &[30.0, 70.0]);
    let columns = [
        Column::new("项目", w[0], Align::Left),
        Column::new("内容", w[1], Align::Left),
    ];
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(k, v)| vec![k.to_string(), v])
        .collect();
    Table {
        columns: &columns,
        size: SMALL + 0.5,
        header: false,
    }
    .draw(flow, &rows);
}

/// One row per line of units, so each serial number stands on the stamped page.
fn units_table(flow: &mut Flow, c: &InsuranceCertificateContent) {
    let w = widths(flow.width(), &[8.0, 30.0, 28.0, 12.0, 22.0]);
    let columns = [
        Column::new("序号", w[0], Align::Centre),
        Column::new("标的名称", w[1], Align::Left),
        Column::new("出厂编号 / 批次号", w[2], Align::Left),
        Column::new("数量", w[3], Align::Right),
        Column::new("单位价值（元）", w[4], Align::Right),
    ];
    let rows: Vec<Vec<String>> = c
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            vec![
                (i + 1).to_string(),
                c.insured_product.clone(),
                u.serial.clone(),
                format!("{}{}", u.quantity, c.unit_word),
                u.unit_value.grouped(),
            ]
        })
        .collect();
    Table {
        columns: &columns,
        size: SMALL,
        header: true,
    }
    .draw(flow, &rows);
}

fn sections_table(flow: &mut Flow, c: &InsuranceCertificateContent) {
    let w = widths(flow.width(), &[30.0, 24.0, 46.0]);
    let columns = [
        Column::new("保险责任", w[0], Align::Left),
        Column::new("每次事故责任限额（元）", w[1], Align::Right),
        Column::new("免赔额", w[2], Align::Left),
    ];
    let rows: Vec<Vec<String>> = c
        .sections
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.limit
                    .map(Money::grouped)
                    .unwrap_or_else(|| NO_SEPARATE_LIMIT.to_string()),
                s.deductible.clone(),
            ]
        })
        .collect();
    Table {
        columns: &columns,
        size: SMALL + 0.5,
        header: true,
    }
    .draw(flow, &rows);
}

/// The bytes the 保险凭证's Ed25519 signature covers: every fact it states, in order.
pub fn insurance_certificate_canonical(c: &InsuranceCertificateContent) -> Vec<u8> {
    let mut out = Canonical::new("firstcover/insurance-certificate/v1");
    let party = |out: &mut Canonical, role: &str, p: &Party| {
        out.field(&format!("{role}.name"), &p.name)
            .field(&format!("{role}.credit_code"), &p.credit_code)
            .field(
                &format!("{role}.address"),
                p.address.as_deref().unwrap_or(""),
            );
    };
    out.field("certificate_number", &c.certificate_number)
        .field("policy_number", &c.policy_number)
        .field("product_name", &c.product_name)
        .field("clause_set_version", &c.clause_set_version);
    party(&mut out, "policyholder", &c.policyholder);
    party(&mut out, "beneficiary", &c.beneficiary);
    out.field("insured_product", &c.insured_product)
        .field("unit_word", &c.unit_word)
        .field("units", &c.units.len().to_string());
    for (i, u) in c.units.iter().enumerate() {
        out.field(&format!("units.{i}.serial"), &u.serial)
            .field(&format!("units.{i}.quantity"), &u.quantity.to_string())
            .field(
                &format!("units.{i}.unit_value_fen"),
                &u.unit_value.fen().to_string(),
            );
    }
    out.field("insured_value_fen", &c.insured_value.fen().to_string())
        .field("period_start", &c.period_start.to_string())
        .field("period_end", &c.period_end.to_string())
        .field("aggregate_limit_fen", &c.aggregate_limit.fen().to_string())
        .field("sections", &c.sections.len().to_string());
    for (i, s) in c.sections.iter().enumerate() {
        out.field(&format!("sections.{i}.name"), &s.name)
            .field(
                &format!("sections.{i}.limit_fen"),
                &s.limit.map(|m| m.fen().to_string()).unwrap_or_default(),
            )
            .field(&format!("sections.{i}.deductible"), &s.deductible);
    }
    out.field("quality_cover", if c.quality_cover { "1" } else { "0" })
        .field("deposit_rules", &c.deposit_rules.len().to_string());
    for (i, r) in c.deposit_rules.iter().enumerate() {
        out.field(&format!("deposit_rules.{i}.citation"), &r.citation)
            .field(&format!("deposit_rules.{i}.quote"), &r.quote);
    }
    out.field("version_seq", &c.version_seq.to_string())
        .field("issue_date", &c.issue_date.to_string());
    out.into_bytes()
}
