//! The endorsement document (批单): one for every endorsement (批改) and every
//! cancellation (退保) of an issued policy.
//!
//! It states the policy it amends, the change's effective date and reason, every field
//! that changed with its value before and after, and the premium effect — additional
//! premium (加收保险费) or return premium (退还保险费) to the fen, in figures and in
//! capital numerals. Stamped with the seal and verifiable like the premium certificate:
//! a verification code, a QR code to the public verification page, and an Ed25519
//! signature over [`endorsement_canonical`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::canvas::Align;
use super::flow::Flow;
use super::frame::{
    self, amount_in_words_and_figures, chinese_date, figures, Canonical, BODY, SMALL,
};
use super::pdf::{write_pdf, DocInfo};
use super::table::{widths, Column, Table};
use super::{Branding, DocumentError};
use crate::domain::money::Money;

/// What kind of change the document records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndorsementKind {
    /// 批改: the terms changed.
    Endorsement,
    /// 退保: the cover ends early.
    Cancellation,
}

impl EndorsementKind {
    pub fn zh(self) -> &'static str {
        match self {
            EndorsementKind::Endorsement => "批改",
            EndorsementKind::Cancellation => "退保（解除保险合同）",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            EndorsementKind::Endorsement => "endorsement",
            EndorsementKind::Cancellation => "cancellation",
        }
    }
}

/// Who asked for the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestedBy {
    /// 投保人申请
    Policyholder,
    /// 保险人解除 (cancellations only)
    Insurer,
}

impl RequestedBy {
    pub fn code(self) -> &'static str {
        match self {
            RequestedBy::Policyholder => "policyholder",
            RequestedBy::Insurer => "insurer",
        }
    }
}

/// One field that changed: its label, and its value before and after, as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedField {
    pub label: String,
    pub before: String,
    pub after: String,
}

/// Everything the 批单 states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndorsementContent {
    /// 批单号.
    pub endorsement_number: String,
    /// 保险单号.
    pub policy_number: String,
    /// 投保人.
    pub policyholder_name: String,
    /// 被保险人（使用单位）.
    pub insured_name: String,
    /// 险种.
    pub product_name: String,
    pub kind: EndorsementKind,
    /// The policy version this document records (2 for the first change after issue).
    pub version_seq: i32,
    /// 批改生效日 (an endorsement: from its 零时); for a cancellation, the last day
    /// covered (cover ends at its 二十四时).
    pub effective_on: NaiveDate,
    /// 批改原因 / 退保原因.
    pub reason: String,
    /// Who asked: the policyholder, or (a cancellation only) the insurer.
    pub requested_by: RequestedBy,
    /// 批改内容, field by field.
    pub changes: Vec<ChangedField>,
    /// 全期保险费 before and after.
    pub premium_before: Money,
    pub premium_after: Money,
    /// Additional (+) or return (−) premium.
    pub adjustment: Money,
    /// 应收保险费合计 after this change: the premium at issue plus every adjustment so far.
    pub premium_due_after: Money,
    /// 签发日期: the day the change was made.
    pub issue_date: NaiveDate,
    pub verification_code: String,
    pub verification_url: String,
}

impl EndorsementContent {
    /// `加收保险费` / `退还保险费` / `保险费不变` and the amount without sign.
    pub fn premium_effect(&self) -> (&'static str, Money) {
        if self.adjustment.is_negative() {
            ("退还保险费", self.adjustment.abs())
        } else if self.adjustment.fen() > 0 {
            ("加收保险费", self.adjustment)
        } else {
            ("保险费不变", Money::ZERO)
        }
    }
}

/// The 批单 as an A4 PDF.
pub fn render_endorsement(c: &EndorsementContent, b: &Branding) -> Result<Vec<u8>, DocumentError> {
    if c.reason.trim().is_empty() {
        return Err(DocumentError::InvalidContent(
            "an endorsement document states the reason for the change".into(),
        ));
    }
    let mut flow = Flow::new(
        b.font.clone(),
        format!("批单 {}（续）", c.endorsement_number),
    );
    frame::title_block(&mut flow, b, "批单", "批单号：", &c.endorsement_number);
    facts(&mut flow, c);
    flow.advance(8.0);
    let opening = match (c.kind, c.requested_by) {
        (EndorsementKind::Endorsement, _) => format!(
            "兹经投保人申请，本公司同意对上述保险单作如下批改，自{}零时起生效：",
            chinese_date(c.effective_on)
        ),
        (EndorsementKind::Cancellation, RequestedBy::Policyholder) => format!(
            "兹经投保人申请退保，上述保险单项下的保险责任于{}二十四时终止，本公司按日计算退还未到期保险费。批改内容如下：",
            chinese_date(c.effective_on)
        ),
        (EndorsementKind::Cancellation, RequestedBy::Insurer) => format!(
            "兹因本公司依照保险合同约定解除合同，上述保险单项下的保险责任于{}二十四时终止，本公司按日计算退还未到期保险费。批改内容如下：",
            chinese_date(c.effective_on)
        ),
    };
    frame::paragraph(&mut flow, &opening, true);
    flow.advance(4.0);
    changes_table(&mut flow, c);
    frame::heading(&mut flow, "保险费变动");
    premium_table(&mut flow, c);
    flow.advance(8.0);
    let closing = "除本批单所列批改事项外，原保险单的其他内容不变。本批单是保险合同的组成部分，与保险单具有同等效力。特此批注。";
    let closing_height =
        frame::text_height(&flow, closing, BODY, true) + 8.0 + frame::verification_band_height();
    frame::keep_with_signature(&mut flow, closing_height);
    frame::paragraph(&mut flow, closing, true);
    flow.advance(8.0);
    frame::signature_block(&mut flow, b, c.issue_date);
    frame::verification_band(
        &mut flow,
        &c.verification_url,
        &c.verification_code,
        "本批单",
    )?;
    let pages = flow.finish();
    let info = DocInfo {
        title: format!("批单 {}", c.endorsement_number),
        author: format!("{}{}", b.insurer_name, b.branch_name),
        id: c.endorsement_number.clone(),
        date: c.issue_date,
    };
    write_pdf(&pages, &info, &b.font)
}

fn key_value_columns(flow: &Flow) -> [Column; 2] {
    let w = widths(flow.width(), &[26.0, 74.0]);
    [
        Column::new("项目", w[0], Align::Left),
        Column::new("内容", w[1], Align::Left),
    ]
}

fn facts(flow: &mut Flow, c: &EndorsementContent) {
    let effective = match c.kind {
        EndorsementKind::Endorsement => format!("{}零时", chinese_date(c.effective_on)),
        EndorsementKind::Cancellation => format!("{}二十四时", chinese_date(c.effective_on)),
    };
    let rows = [
        ("保险单号", c.policy_number.clone()),
        ("投保人", c.policyholder_name.clone()),
        ("被保险人（使用单位）", c.insured_name.clone()),
        ("险种", c.product_name.clone()),
        ("批改类型", c.kind.zh().to_string()),
        (
            match c.kind {
                EndorsementKind::Endorsement => "批改生效时间",
                EndorsementKind::Cancellation => "保险责任终止时间",
            },
            effective,
        ),
        (
            match c.kind {
                EndorsementKind::Endorsement => "批改原因",
                EndorsementKind::Cancellation => "退保原因",
            },
            c.reason.trim().to_string(),
        ),
    ];
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(k, v)| vec![k.to_string(), v])
        .collect();
    Table {
        columns: &key_value_columns(flow),
        size: BODY,
        header: false,
    }
    .draw(flow, &rows);
}

fn changes_table(flow: &mut Flow, c: &EndorsementContent) {
    let w = widths(flow.width(), &[8.0, 28.0, 32.0, 32.0]);
    let columns = [
        Column::new("序号", w[0], Align::Centre),
        Column::new("批改项目", w[1], Align::Left),
        Column::new("批改前", w[2], Align::Left),
        Column::new("批改后", w[3], Align::Left),
    ];
    let mut rows: Vec<Vec<String>> = c
        .changes
        .iter()
        .enumerate()
        .map(|(i, ch)| {
            vec![
                (i + 1).to_string(),
                ch.label.clone(),
                ch.before.clone(),
                ch.after.clone(),
            ]
        })
        .collect();
    if rows.is_empty() {
        rows.push(vec![
            "—".into(),
            "保险要素".into(),
            "—".into(),
            "无变更".into(),
        ]);
    }
    Table {
        columns: &columns,
        size: SMALL + 0.5,
        header: true,
    }
    .draw(flow, &rows);
}

fn premium_table(flow: &mut Flow, c: &EndorsementContent) {
    let (effect, amount) = c.premium_effect();
    let mut rows = vec![
        vec!["批改前全期保险费".to_string(), figures(c.premium_before)],
        vec!["批改后全期保险费".to_string(), figures(c.premium_after)],
        vec![
            "批改后应收保险费合计".to_string(),
            figures(c.premium_due_after),
        ],
    ];
    if amount.fen() == 0 {
        rows.push(vec![effect.to_string(), "本次批改不涉及保险费变动".into()]);
    } else {
        rows.push(vec![
            effect.to_string(),
            amount_in_words_and_figures(amount),
        ]);
    }
    Table {
        columns: &key_value_columns(flow),
        size: BODY,
        header: false,
    }
    .draw(flow, &rows);
    if amount.fen() != 0 {
        flow.advance(3.0);
        let note = if c.adjustment.is_negative() {
            "退还保险费按日计算，由本公司退至投保人缴费账户。"
        } else {
            "加收保险费自批改生效日起应缴，缴清前本公司不出具新的全额保费收取证明。"
        };
        frame::note(flow, note);
    }
}

/// The bytes the 批单's Ed25519 signature covers: every fact it states, in order.
pub fn endorsement_canonical(c: &EndorsementContent) -> Vec<u8> {
    let mut out = Canonical::new("firstcover/endorsement-document/v1");
    out.field("endorsement_number", &c.endorsement_number)
        .field("policy_number", &c.policy_number)
        .field("policyholder_name", &c.policyholder_name)
        .field("insured_name", &c.insured_name)
        .field("product_name", &c.product_name)
        .field("kind", c.kind.code())
        .field("version_seq", &c.version_seq.to_string())
        .field("effective_on", &c.effective_on.to_string())
        .field("reason", &c.reason)
        .field("requested_by", c.requested_by.code())
        .field("changes", &c.changes.len().to_string());
    for (i, ch) in c.changes.iter().enumerate() {
        out.field(&format!("changes.{i}.label"), &ch.label)
            .field(&format!("changes.{i}.before"), &ch.before)
            .field(&format!("changes.{i}.after"), &ch.after);
    }
    out.field("premium_before_fen", &c.premium_before.fen().to_string())
        .field("premium_after_fen", &c.premium_after.fen().to_string())
        .field("adjustment_fen", &c.adjustment.fen().to_string())
        .field(
            "premium_due_after_fen",
            &c.premium_due_after.fen().to_string(),
        )
        .field("issue_date", &c.issue_date.to_string());
    out.into_bytes()
}
