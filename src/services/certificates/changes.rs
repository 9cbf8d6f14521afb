//! What an endorsement changed, field by field, as the 批单 prints it: the policy's
//! terms before (the previous version) and after (this version) compared.

use crate::documents::{figures, ChangedField};
use crate::domain::clauses::set::ClauseSet;
use crate::domain::money::Money;
use crate::domain::terms::{QuoteInput, UnitLine};

fn change(label: impl Into<String>, before: String, after: String) -> ChangedField {
    ChangedField {
        label: label.into(),
        before,
        after,
    }
}

fn unit_text(u: &UnitLine, word: &str) -> String {
    format!("{}{word}，单位价值 {}", u.quantity, figures(u.unit_value))
}

fn limit_text(m: Option<Money>) -> String {
    m.map(figures)
        .unwrap_or_else(|| crate::documents::NO_SEPARATE_LIMIT.to_string())
}

/// Every field that differs between two versions' terms, in the order a reader checks
/// them: the insured units (serial by serial), the number of units and the sum insured,
/// the limits, then the period.
pub fn term_changes(
    before: &QuoteInput,
    after: &QuoteInput,
    set: &ClauseSet,
    unit_word: &str,
) -> Vec<ChangedField> {
    let mut out = Vec::new();
    // Units, keyed by serial: removed, changed, then added ones.
    for old in &before.units {
        match after.units.iter().find(|u| u.serial == old.serial) {
            None => out.push(change(
                format!("保险标的 {}", old.serial),
                unit_text(old, unit_word),
                "不再承保".into(),
            )),
            Some(new) if new != old => out.push(change(
                format!("保险标的 {}", old.serial),
                unit_text(old, unit_word),
                unit_text(new, unit_word),
            )),
            Some(_) => {}
        }
    }
    for new in &after.units {
        if !before.units.iter().any(|u| u.serial == new.serial) {
            out.push(change(
                format!("保险标的 {}", new.serial),
                "—".into(),
                format!("新增 {}", unit_text(new, unit_word)),
            ));
        }
    }
    if before.unit_count() != after.unit_count() {
        out.push(change(
            "投保数量",
            format!("{}{unit_word}", before.unit_count()),
            format!("{}{unit_word}", after.unit_count()),
        ));
    }
    let (vb, va) = (before.insured_value(), after.insured_value());
    if vb != va {
        let show = |v: Option<Money>| v.map(figures).unwrap_or_else(|| "—".into());
        out.push(change("保险金额（投保装备总价值）", show(vb), show(va)));
    }
    if before.aggregate_limit != after.aggregate_limit {
        out.push(change(
            "累计责任限额",
            figures(before.aggregate_limit),
            figures(after.aggregate_limit),
        ));
    }
    let name = |code: &str| {
        set.section(code)
            .map(|s| s.name.zh.clone())
            .unwrap_or_else(|| code.to_string())
    };
    for old in &before.sections {
        match after.sections.iter().find(|s| s.code == old.code) {
            None => out.push(change(
                format!("保险责任 {}", name(&old.code)),
                "承保".into(),
                "不再承保".into(),
            )),
            Some(new) if new.limit != old.limit => out.push(change(
                format!("{}每次事故责任限额", name(&old.code)),
                limit_text(old.limit),
                limit_text(new.limit),
            )),
            Some(_) => {}
        }
    }
    for new in &after.sections {
        if !before.sections.iter().any(|s| s.code == new.code) {
            out.push(change(
                format!("保险责任 {}", name(&new.code)),
                "—".into(),
                format!("新增承保，每次事故责任限额 {}", limit_text(new.limit)),
            ));
        }
    }
    if before.period_end != after.period_end {
        out.push(change(
            "保险期间终止日",
            crate::documents::chinese_date(before.period_end),
            crate::documents::chinese_date(after.period_end),
        ));
    }
    if before.period_start != after.period_start {
        out.push(change(
            "保险期间起始日",
            crate::documents::chinese_date(before.period_start),
            crate::documents::chinese_date(after.period_start),
        ));
    }
    out
}
