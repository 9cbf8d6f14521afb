//! The stamped policy schedule (保险单).
//!
//! The subsidy application needs the policy "stamped with the insurer's seal" (DOMAIN.md,
//! annex 1). It lists the parties, every insured unit with its serial or batch number,
//! the sections with their limits and deductibles, the aggregate limit (累计责任限额),
//! the rate and the premium; a policy with many units runs over several pages, the
//! equipment table repeating its heading on each.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::canvas::Align;
use super::flow::Flow;
use super::frame::{self, amount_in_words_and_figures, period_text, BODY, SMALL};
use super::pdf::{write_pdf, DocInfo};
use super::table::{widths, Column, Table};
use super::{Branding, DocumentError};
use crate::domain::money::{Money, Rate};

/// What the schedule states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleContent {
    /// 保险单号.
    pub policy_number: String,
    /// 险种.
    pub product_name: String,
    /// 条款版本: the model clause set the policy was issued under.
    pub clause_set_version: String,
    /// 投保人 (usually the maker).
    pub policyholder: Party,
    /// 被保险人（使用单位）: the user of the equipment or material.
    pub insured: Party,
    /// 保险中介, if the policy was placed through a broker or agent.
    pub intermediary: Option<Party>,
    /// 保险标的.
    pub equipment: Vec<ScheduleEquipment>,
    /// 保险责任: the sections and their limits.
    pub sections: Vec<CoverSection>,
    /// 累计责任限额.
    pub aggregate_limit: Money,
    /// 费率.
    pub rate: Rate,
    /// 保险费.
    pub premium: Money,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// 签单日期.
    pub issue_date: NaiveDate,
    /// 特别约定, one paragraph each.
    #[serde(default)]
    pub special_terms: Vec<String>,
}

/// A party named on the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    #[serde(default)]
    pub address: Option<String>,
}

/// One model of equipment (or one material) and its insured units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleEquipment {
    pub name: String,
    /// 规格型号.
    pub model: String,
    /// 单位价值: the insured value of one unit.
    pub unit_value: Money,
    /// 出厂编号 / 批次号, one per insured unit.
    pub units: Vec<String>,
}

/// One section of cover (保险责任) with its limit per occurrence and deductible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverSection {
    pub name: String,
    /// 每次事故责任限额; `None` when the policy sets none for the section (then only the
    /// aggregate limit applies, and the schedule says so instead of repeating it).
    pub limit: Option<Money>,
    /// 免赔额 as the clause words it, e.g. 每次事故绝对免赔额人民币1万元或损失金额的10%，两者以高者为准.
    pub deductible: String,
}

/// What the per-occurrence column says for a section without a limit of its own.
pub const NO_SEPARATE_LIMIT: &str = "未单独约定";

/// The schedule as an A4 PDF, as many pages as the units need.
pub fn render_policy_schedule(s: &ScheduleContent, b: &Branding) -> Result<Vec<u8>, DocumentError> {
    if s.equipment.iter().all(|e| e.units.is_empty()) {
        return Err(DocumentError::InvalidContent(
            "a policy schedule needs at least one insured unit".into(),
        ));
    }
    let mut flow = Flow::new(b.font.clone(), format!("保险单 {}（续）", s.policy_number));
    frame::title_block(&mut flow, b, "保险单", "保险单号：", &s.policy_number);
    key_values(
        &mut flow,
        &[
            ("险种", s.product_name.clone()),
            ("条款版本", s.clause_set_version.clone()),
            ("保险期间", period_text(s.period_start, s.period_end)),
        ],
    );
    frame::heading(&mut flow, "一、当事人");
    parties_table(&mut flow, s);
    frame::heading(&mut flow, "二、保险标的");
    equipment_table(&mut flow, s)?;
    frame::heading(&mut flow, "三、保险责任、责任限额及免赔额");
    sections_table(&mut flow, s);
    if s.sections.iter().any(|c| c.limit.is_none()) {
        flow.advance(2.0);
        frame::note(
            &mut flow,
            "注：“未单独约定”指该项保险责任不另设每次事故责任限额，以累计责任限额为限。",
        );
    }
    flow.advance(4.0);
    key_values(
        &mut flow,
        &[(
            "累计责任限额",
            amount_in_words_and_figures(s.aggregate_limit),
        )],
    );
    frame::heading(&mut flow, "四、保险费");
    key_values(
        &mut flow,
        &[
            ("费率", format!("{}%", s.rate.as_percent())),
            ("保险费", amount_in_words_and_figures(s.premium)),
        ],
    );
    if !s.special_terms.is_empty() {
        frame::heading(&mut flow, "五、特别约定");
        for (i, term) in s.special_terms.iter().enumerate() {
            frame::paragraph(&mut flow, &format!("{}. {}", i + 1, term), false);
        }
    }
    flow.advance(8.0);
    let closing = "本保险单与投保单、保险条款、批单及特别约定共同构成保险合同。保险费未按约定全额缴付的，保险合同按条款约定处理。";
    let closing_height = frame::text_height(&flow, closing, SMALL, false) + 6.0;
    frame::keep_with_signature(&mut flow, closing_height);
    frame::note(&mut flow, closing);
    flow.advance(6.0);
    frame::signature_block(&mut flow, b, s.issue_date);
    let pages = flow.finish();
    let info = DocInfo {
        title: format!("保险单 {}", s.policy_number),
        author: format!("{}{}", b.insurer_name, b.branch_name),
        id: s.policy_number.clone(),
        date: s.issue_date,
    };
    write_pdf(&pages, &info, &b.font)
}

fn key_values(flow: &mut Flow, rows: &[(&str, String)]) {
    let w = widths(flow.width(), &[22.0, 78.0]);
    let columns = [
        Column::new("项目", w[0], Align::Left),
        Column::new("内容", w[1], Align::Left),
    ];
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(k, v)| vec![k.to_string(), v.clone()])
        .collect();
    Table {
        columns: &columns,
        size: BODY,
        header: false,
    }
    .draw(flow, &rows);
}

fn parties_table(flow: &mut Flow, s: &ScheduleContent) {
    let w = widths(flow.width(), &[16.0, 30.0, 26.0, 28.0]);
    let columns = [
        Column::new("身份", w[0], Align::Centre),
        Column::new("名称", w[1], Align::Left),
        Column::new("统一社会信用代码", w[2], Align::Centre),
        Column::new("地址", w[3], Align::Left),
    ];
    let mut parties = vec![
        ("投保人", &s.policyholder),
        ("被保险人（使用单位）", &s.insured),
    ];
    if let Some(i) = &s.intermediary {
        parties.push(("保险中介", i));
    }
    let rows: Vec<Vec<String>> = parties
        .into_iter()
        .map(|(role, p)| {
            vec![
                role.to_string(),
                p.name.clone(),
                p.credit_code.clone(),
                p.address.clone().unwrap_or_default(),
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

/// One row per insured unit, so each serial number is visible on the stamped page.
fn equipment_table(flow: &mut Flow, s: &ScheduleContent) -> Result<(), DocumentError> {
    let w = widths(flow.width(), &[8.0, 30.0, 20.0, 24.0, 18.0]);
    let columns = [
        Column::new("序号", w[0], Align::Centre),
        Column::new("标的名称", w[1], Align::Left),
        Column::new("规格型号", w[2], Align::Left),
        Column::new("出厂编号 / 批次号", w[3], Align::Left),
        Column::new("单位价值（元）", w[4], Align::Right),
    ];
    let mut rows = Vec::new();
    let mut total = Money::ZERO;
    for e in &s.equipment {
        for serial in &e.units {
            rows.push(vec![
                (rows.len() + 1).to_string(),
                e.name.clone(),
                e.model.clone(),
                serial.clone(),
                e.unit_value.grouped(),
            ]);
            total = total.try_add(e.unit_value)?;
        }
    }
    rows.push(vec![
        "合计".into(),
        format!("共 {} 台（套/批）", rows.len()),
        String::new(),
        "保险金额合计".into(),
        total.grouped(),
    ]);
    Table {
        columns: &columns,
        size: SMALL,
        header: true,
    }
    .draw(flow, &rows);
    Ok(())
}

fn sections_table(flow: &mut Flow, s: &ScheduleContent) {
    let w = widths(flow.width(), &[30.0, 22.0, 48.0]);
    let columns = [
        Column::new("保险责任", w[0], Align::Left),
        Column::new("每次事故责任限额（元）", w[1], Align::Right),
        Column::new("免赔额", w[2], Align::Left),
    ];
    let rows: Vec<Vec<String>> = s
        .sections
        .iter()
        .map(|c| {
            let limit = c
                .limit
                .map(Money::grouped)
                .unwrap_or_else(|| NO_SEPARATE_LIMIT.to_string());
            vec![c.name.clone(), limit, c.deductible.clone()]
        })
        .collect();
    Table {
        columns: &columns,
        size: SMALL + 0.5,
        header: true,
    }
    .draw(flow, &rows);
}
