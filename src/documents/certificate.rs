//! The full-premium collection certificate (全额保费收取证明).
//!
//! Subsidy applications need proof that the premium was paid in full (DOMAIN.md,
//! "Premium collection and the certificate"): this page states the policyholder, the
//! policy, the insured equipment, the period, the premium in figures and in capital
//! numerals, every payment, and that nothing is outstanding; it carries the seal, a
//! verification code and a QR code to the public verification page.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::canvas::Align;
use super::flow::Flow;
use super::frame::{
    self, amount_in_words_and_figures, chinese_date, figures, period_text, BODY, SMALL,
};
use super::pdf::{write_pdf, DocInfo};
use super::table::{widths, Column, Table};
use super::{Branding, DocumentError};
use crate::domain::money::Money;
use crate::domain::numerals::capital_numerals;

/// Everything the certificate states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateContent {
    /// 证明编号.
    pub certificate_number: String,
    /// 投保人.
    pub policyholder_name: String,
    /// 统一社会信用代码 of the policyholder.
    pub policyholder_credit_code: String,
    /// 保险单号.
    pub policy_number: String,
    /// 险种, e.g. 首台（套）重大技术装备综合保险.
    pub product_name: String,
    /// 保险标的.
    pub insured_items: Vec<InsuredItem>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// 应收保险费: the premium due under the policy.
    pub total_premium: Money,
    /// 缴费记录: must add up to `total_premium`.
    pub payments: Vec<PremiumPayment>,
    /// 出具日期.
    pub issue_date: NaiveDate,
    /// 验证码, printed and typed on the verification page.
    pub verification_code: String,
    /// The public verification page for this certificate, encoded in the QR code.
    pub verification_url: String,
}

/// One kind of insured equipment or material and how many units (台/套/批).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuredItem {
    pub name: String,
    pub quantity: u32,
    /// 计量单位: 台, 套, 批, 吨…
    pub unit: String,
}

/// One premium payment as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PremiumPayment {
    pub date: NaiveDate,
    pub amount: Money,
    /// 缴费方式 as printed, e.g. 银行转账.
    pub method: String,
    /// 交易流水号 or voucher number.
    pub reference: String,
}

/// The certificate as an A4 PDF. Refuses when the payments do not add up to the premium:
/// the document's whole point is that the premium was collected in full.
pub fn render_certificate(c: &CertificateContent, b: &Branding) -> Result<Vec<u8>, DocumentError> {
    let paid = Money::try_sum(c.payments.iter().map(|p| p.amount))?;
    if paid != c.total_premium || c.payments.is_empty() {
        return Err(DocumentError::PaymentsDoNotMatchPremium {
            due: c.total_premium,
            paid,
        });
    }
    let mut flow = Flow::new(
        b.font.clone(),
        format!("全额保费收取证明 {}（续）", c.certificate_number),
    );
    frame::title_block(
        &mut flow,
        b,
        "全额保费收取证明",
        "证明编号：",
        &c.certificate_number,
    );
    frame::paragraph(
        &mut flow,
        "兹证明下列保险合同项下的保险费已由投保人全额缴付，本公司已全额收取。",
        true,
    );
    flow.advance(6.0);
    facts_table(&mut flow, c);
    flow.advance(10.0);
    frame::heading(&mut flow, "缴费明细");
    payments_table(&mut flow, c);
    flow.advance(10.0);
    let statement = format!(
        "截至{}，上述保险合同项下应收保险费{}已全部收讫，投保人无欠缴保险费。特此证明。",
        chinese_date(c.issue_date),
        amount_in_words_and_figures(c.total_premium),
    );
    let closing_height =
        frame::text_height(&flow, &statement, BODY, true) + 8.0 + frame::verification_band_height();
    frame::keep_with_signature(&mut flow, closing_height);
    frame::paragraph(&mut flow, &statement, true);
    flow.advance(8.0);
    frame::signature_block(&mut flow, b, c.issue_date);
    verification_band(&mut flow, c)?;
    let pages = flow.finish();
    let info = DocInfo {
        title: format!("全额保费收取证明 {}", c.certificate_number),
        author: format!("{}{}", b.insurer_name, b.branch_name),
        id: c.certificate_number.clone(),
        date: c.issue_date,
    };
    write_pdf(&pages, &info, &b.font)
}

fn facts_table(flow: &mut Flow, c: &CertificateContent) {
    let items = c
        .insured_items
        .iter()
        .map(|i| format!("{} {}{}", i.name, i.quantity, i.unit))
        .collect::<Vec<_>>()
        .join("；");
    let rows = [
        ("投保人", c.policyholder_name.clone()),
        ("统一社会信用代码", c.policyholder_credit_code.clone()),
        ("保险单号", c.policy_number.clone()),
        ("险种", c.product_name.clone()),
        ("保险标的", items),
        ("保险期间", period_text(c.period_start, c.period_end)),
        ("应收保险费（小写）", figures(c.total_premium)),
        (
            "应收保险费（大写）",
            format!("人民币{}", capital_numerals(c.total_premium)),
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
        size: BODY,
        header: false,
    }
    .draw(flow, &rows);
}

fn payments_table(flow: &mut Flow, c: &CertificateContent) {
    let w = widths(flow.width(), &[8.0, 20.0, 22.0, 18.0, 32.0]);
    let columns = [
        Column::new("序号", w[0], Align::Centre),
        Column::new("缴费日期", w[1], Align::Centre),
        Column::new("缴费金额（元）", w[2], Align::Right),
        Column::new("缴费方式", w[3], Align::Centre),
        Column::new("交易流水号 / 凭证号", w[4], Align::Left),
    ];
    let mut rows: Vec<Vec<String>> = c
        .payments
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                p.date.format("%Y-%m-%d").to_string(),
                p.amount.grouped(),
                p.method.clone(),
                p.reference.clone(),
            ]
        })
        .collect();
    rows.push(vec![
        "合计".into(),
        String::new(),
        c.total_premium.grouped(),
        String::new(),
        String::new(),
    ]);
    Table {
        columns: &columns,
        size: SMALL + 0.5,
        header: true,
    }
    .draw(flow, &rows);
}

/// The QR code and the verification code, under the seal.
fn verification_band(flow: &mut Flow, c: &CertificateContent) -> Result<(), DocumentError> {
    frame::verification_band(flow, &c.verification_url, &c.verification_code, "本证明")
}

/// The bytes the certificate's Ed25519 signature covers: every fact the certificate
/// states, in a fixed order, each value length-prefixed so no two contents collide.
/// The verification code and URL are left out: they are derived from the signature
/// and the stored record, so they cannot be part of what is signed.
pub fn canonical_content(c: &CertificateContent) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(b"firstcover/premium-certificate/v1\n");
    field(&mut out, "certificate_number", &c.certificate_number);
    field(&mut out, "policyholder_name", &c.policyholder_name);
    field(
        &mut out,
        "policyholder_credit_code",
        &c.policyholder_credit_code,
    );
    field(&mut out, "policy_number", &c.policy_number);
    field(&mut out, "product_name", &c.product_name);
    field(
        &mut out,
        "insured_items",
        &c.insured_items.len().to_string(),
    );
    for (i, item) in c.insured_items.iter().enumerate() {
        field(&mut out, &format!("insured_items.{i}.name"), &item.name);
        field(
            &mut out,
            &format!("insured_items.{i}.quantity"),
            &item.quantity.to_string(),
        );
        field(&mut out, &format!("insured_items.{i}.unit"), &item.unit);
    }
    field(&mut out, "period_start", &c.period_start.to_string());
    field(&mut out, "period_end", &c.period_end.to_string());
    field(
        &mut out,
        "total_premium_fen",
        &c.total_premium.fen().to_string(),
    );
    field(&mut out, "payments", &c.payments.len().to_string());
    for (i, p) in c.payments.iter().enumerate() {
        field(&mut out, &format!("payments.{i}.date"), &p.date.to_string());
        field(
            &mut out,
            &format!("payments.{i}.amount_fen"),
            &p.amount.fen().to_string(),
        );
        field(&mut out, &format!("payments.{i}.method"), &p.method);
        field(&mut out, &format!("payments.{i}.reference"), &p.reference);
    }
    field(&mut out, "issue_date", &c.issue_date.to_string());
    out
}

/// `name=<byte length>:<value>\n`
fn field(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.push(b'=');
    out.extend_from_slice(value.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}
