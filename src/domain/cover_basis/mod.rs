//! Cover basis (投保方式): first three units, first batch, or first year — and whether
//! the units on a policy fit the one chosen. Returns findings, never stops on the
//! first: the underwriter sees every problem at once.
//!
//! "原则上" (as a rule) limits are warnings the underwriter must acknowledge;
//! definitions (same specification, ≤ 3 units, key components only) are hard.

use super::catalogue::{is_valid_on, UnitType};
use super::money::Money;
use super::programme::{Finding, Severity, SourceRef};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

const S003: &str = "003_88b4fbae1ca493a5.txt";
const S001: &str = "001_5f2f9fd03269e1b0.txt";
const S004: &str = "004_8012e5ef1e8f42d5.txt";

/// How units are counted for cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverBasis {
    /// 前三台(套) — first three units of a complete machine.
    FirstSet,
    /// 首批次 — first batch (for new materials: 首批次应用).
    FirstBatch,
    /// 首年度 — first year, key components only.
    FirstYear,
}

impl CoverBasis {
    pub const ALL: [CoverBasis; 3] = [
        CoverBasis::FirstSet,
        CoverBasis::FirstBatch,
        CoverBasis::FirstYear,
    ];

    /// The snake_case code used in JSON and the database (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            CoverBasis::FirstSet => "first_set",
            CoverBasis::FirstBatch => "first_batch",
            CoverBasis::FirstYear => "first_year",
        }
    }

    pub fn parse(s: &str) -> Option<CoverBasis> {
        CoverBasis::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// A qualification's validity (资格有效期), both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualification {
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

/// What the underwriter entered about the insured units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverFacts {
    pub basis: CoverBasis,
    pub unit_type: UnitType,
    /// 投保装备数量(台/套)
    pub units: u32,
    /// 投保装备总价值
    pub total_value: Money,
    /// Signing dates of the sales contracts (销售合同签订日期).
    pub contract_dates: Vec<NaiveDate>,
    /// 同品种、同技术规格参数
    pub same_specification: bool,
    /// 同批生产
    pub same_production_batch: bool,
    /// 用户首次使用
    pub first_use_by_user: bool,
    /// 起保日期
    pub policy_start: NaiveDate,
    /// 装备交付时间
    pub delivery_date: Option<NaiveDate>,
    pub qualification: Option<Qualification>,
}

fn finding(code: &str, severity: Severity, zh: String, en: String, source: SourceRef) -> Finding {
    Finding::new(code, severity, zh, en, source)
}

/// All cover-basis findings for these facts.
pub fn check(facts: &CoverFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    unit_type_fits(facts, &mut out);
    match (facts.basis, facts.unit_type) {
        (_, UnitType::NewMaterial) => new_material_batch(facts, &mut out),
        (CoverBasis::FirstSet, _) => first_set(facts, &mut out),
        (CoverBasis::FirstBatch, _) => first_batch(facts, &mut out),
        (CoverBasis::FirstYear, _) => first_year(facts, &mut out),
    }
    qualification(facts, &mut out);
    out
}

/// Unit type must fit the basis: first year only for key components (003 附件1 一.2);
/// complete machines count by units, core systems and key components by batch, with
/// named exceptions — hence warnings (001 一).
fn unit_type_fits(f: &CoverFacts, out: &mut Vec<Finding>) {
    let by_units = SourceRef::new(
        S001,
        "一、支持范围",
        "整机装备原则上按照台（套）数方式支持；核心系统、关键零部件，重大技术装备关键配套及基础件原则上按照批次数方式支持",
    );
    match (f.basis, f.unit_type) {
        (CoverBasis::FirstBatch, UnitType::NewMaterial) => {}
        (_, UnitType::NewMaterial) => out.push(finding(
            "basis.new_material_by_batch",
            Severity::Hard,
            "新材料按首批次应用投保".into(),
            "new materials are insured by first batch".into(),
            SourceRef::new(S004, "第二条", "首批次应用是用户在首年度内购买使用"),
        )),
        (CoverBasis::FirstYear, UnitType::KeyComponent) => {}
        (CoverBasis::FirstYear, other) => out.push(finding(
            "basis.first_year_key_components_only",
            Severity::Hard,
            format!("首年度投保仅适用于关键零部件，本保单为{}", other.zh()),
            format!("first-year cover is for key components only, not {}", other.en()),
            SourceRef::new(S003, "附件1 一.2", "关键零部件首台(套)装备保险补偿的覆盖范围可扩展到首年度投保装备"),
        )),
        (CoverBasis::FirstSet, UnitType::CoreSystem | UnitType::KeyComponent) => out.push(finding(
            "basis.components_usually_by_batch",
            Severity::Warning,
            "核心系统、关键零部件原则上按批次投保；仅单件价值较高者可按台(套)".into(),
            "core systems and key components count by batch as a rule; by units only when each unit is of high value".into(),
            by_units,
        )),
        (CoverBasis::FirstBatch, UnitType::CompleteMachine) => out.push(finding(
            "basis.machines_usually_by_units",
            Severity::Warning,
            "整机装备原则上按台(套)投保；仅单台价值不高者可按批次".into(),
            "complete machines count by units as a rule; by batch only when each unit is of low value".into(),
            by_units,
        )),
        _ => {}
    }
}

/// Span between first and last contract within `months` (同批签订合同).
fn contracts_within(dates: &[NaiveDate], months: u32) -> bool {
    match (dates.iter().min(), dates.iter().max()) {
        (Some(first), Some(last)) => first
            .checked_add_months(Months::new(months))
            .is_none_or(|limit| *last <= limit),
        _ => true,
    }
}

fn same_spec(f: &CoverFacts, source: &SourceRef, out: &mut Vec<Finding>) {
    if !f.same_specification {
        out.push(finding(
            "basis.same_specification",
            Severity::Hard,
            "同一保单的装备应为同品种、同技术规格参数".into(),
            "units on one policy must be of the same kind and technical specification".into(),
            source.clone(),
        ));
    }
}

/// 前三台(套): at most three units, first use by the user (003 附件1 一.2(1)).
fn first_set(f: &CoverFacts, out: &mut Vec<Finding>) {
    let source = SourceRef::new(
        S003,
        "附件1 一.2(1)",
        "前三套装备是指用户首次使用的前3台(套)重大成套装备",
    );
    if f.units == 0 || f.units > 3 {
        out.push(finding(
            "basis.first_set_max_three",
            Severity::Hard,
            format!("首台(套)仅承保前三台(套)，录入数量为 {}", f.units),
            format!(
                "first-set cover takes the first three units only; {} entered",
                f.units
            ),
            source.clone(),
        ));
    }
    if !f.first_use_by_user {
        out.push(finding(
            "basis.first_use",
            Severity::Hard,
            "须为用户首次使用".into(),
            "the user must be using the equipment for the first time".into(),
            source,
        ));
    }
}

/// 首批次: same spec and batch, contracts ≤ 3 months apart, ≤ 50 units, ≤ 20,000,000
/// (003 附件1 一.2(2); the last three are "原则上").
fn first_batch(f: &CoverFacts, out: &mut Vec<Finding>) {
    let source = SourceRef::new(
        S003,
        "附件1 一.2(2)",
        "同批签订合同(原则上间隔时间不超过3个月)、同批生产的装备产品(原则上投保数量不超过50台,且投保装备总价不超过2000万元)",
    );
    same_spec(f, &source, out);
    if !f.same_production_batch {
        out.push(finding(
            "basis.same_batch",
            Severity::Hard,
            "首批次装备应为同批生产".into(),
            "first-batch units must come from the same production batch".into(),
            source.clone(),
        ));
    }
    if !contracts_within(&f.contract_dates, 3) {
        out.push(warn(
            "basis.batch_contracts_3_months",
            "合同签订间隔原则上不超过3个月",
            "contracts should be signed at most 3 months apart",
            &source,
        ));
    }
    if f.units > 50 {
        out.push(warn(
            "basis.batch_max_50_units",
            &format!("投保数量原则上不超过50台，录入 {}", f.units),
            &format!("at most 50 units as a rule; {} entered", f.units),
            &source,
        ));
    }
    if f.total_value > Money::from_yuan(20_000_000) {
        out.push(warn(
            "basis.batch_max_value",
            &format!(
                "投保装备总价原则上不超过2000万元，录入 {} 元",
                f.total_value.grouped()
            ),
            &format!(
                "total value at most 20,000,000 CNY as a rule; {} entered",
                f.total_value.grouped()
            ),
            &source,
        ));
    }
}

/// 首年度: contracts ≤ 12 months apart, ≥ 50 units, ≤ 10,000,000 (003 附件1 一.2(3)).
fn first_year(f: &CoverFacts, out: &mut Vec<Finding>) {
    let source = SourceRef::new(
        S003,
        "附件1 一.2(3)",
        "同批签订合同(原则上间隔时间不超过12个月)、同批生产的装备产品(原则上投保数量不低于50台,且投保装备总价不超过1000万元)",
    );
    same_spec(f, &source, out);
    if !contracts_within(&f.contract_dates, 12) {
        out.push(warn(
            "basis.year_contracts_12_months",
            "合同签订间隔原则上不超过12个月",
            "contracts should be signed at most 12 months apart",
            &source,
        ));
    }
    if f.units < 50 {
        out.push(warn(
            "basis.year_min_50_units",
            &format!("投保数量原则上不低于50台，录入 {}", f.units),
            &format!("at least 50 units as a rule; {} entered", f.units),
            &source,
        ));
    }
    if f.total_value > Money::from_yuan(10_000_000) {
        out.push(warn(
            "basis.year_max_value",
            &format!(
                "投保装备总价原则上不超过1000万元，录入 {} 元",
                f.total_value.grouped()
            ),
            &format!(
                "total value at most 10,000,000 CNY as a rule; {} entered",
                f.total_value.grouped()
            ),
            &source,
        ));
    }
}

/// New materials: same kind and specification, bought in the first year (004 第二条).
fn new_material_batch(f: &CoverFacts, out: &mut Vec<Finding>) {
    let source = SourceRef::new(
        S004,
        "第二条",
        "首批次应用是用户在首年度内购买使用《山西省重点新材料首批次应用示范指导目录》(以下简称《目录》)内的同品种、同技术规格参数的新材料产品的行为",
    );
    same_spec(f, &source, out);
    if !contracts_within(&f.contract_dates, 12) {
        out.push(finding(
            "basis.material_first_year",
            Severity::Hard,
            "首批次应用须为用户首年度内的购买".into(),
            "first-batch use means purchases within the user's first year".into(),
            source,
        ));
    }
}

fn warn(code: &str, zh: &str, en: &str, source: &SourceRef) -> Finding {
    finding(
        code,
        Severity::Warning,
        zh.into(),
        en.into(),
        source.clone(),
    )
}

/// Qualification valid on the policy start, delivery within validity
/// (001 二(一) 有效期5年; 003 附件1 一.1).
fn qualification(f: &CoverFacts, out: &mut Vec<Finding>) {
    let validity = SourceRef::new(
        S001,
        "二(一) 部门复核",
        "按装备价值的一定比例核定保费补助资金额度，有效期5年",
    );
    let Some(q) = f.qualification else {
        out.push(finding(
            "qualification.missing",
            Severity::Hard,
            "未录入首台(套)/首批次资格".into(),
            "no first-set / first-batch qualification entered".into(),
            validity,
        ));
        return;
    };
    if !is_valid_on(q.valid_from, q.valid_until, f.policy_start) {
        out.push(finding(
            "qualification.not_valid_at_start",
            Severity::Hard,
            format!(
                "起保日 {} 不在资格有效期 {} 至 {} 内",
                f.policy_start, q.valid_from, q.valid_until
            ),
            format!(
                "policy start {} is outside the qualification's validity {} to {}",
                f.policy_start, q.valid_from, q.valid_until
            ),
            validity.clone(),
        ));
    }
    if let Some(delivered) = f.delivery_date {
        if !is_valid_on(q.valid_from, q.valid_until, delivered) {
            out.push(finding(
                "qualification.delivery_outside",
                Severity::Hard,
                format!(
                    "交付日 {delivered} 不在资格有效期 {} 至 {} 内",
                    q.valid_from, q.valid_until
                ),
                format!(
                    "delivery on {delivered} is outside the qualification's validity {} to {}",
                    q.valid_from, q.valid_until
                ),
                SourceRef::new(
                    S003,
                    "附件1 一.1",
                    "申请装备的交付用户时间应在首台(套)装备认定之日起到退出推广应用目录时间之内",
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests;
