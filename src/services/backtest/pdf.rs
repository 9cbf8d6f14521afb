//! The report's figures as display text for the PDF layout in `documents::backtest`.

use super::report::{BacktestReport, Level};
use crate::config::Config;
use crate::documents::{render_backtest_report, BacktestPdf, Branding, DocumentFont, SealArtwork};
use crate::services::{ServiceError, ServiceResult};

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn decision_zh(d: crate::domain::backtest::indication::Decision) -> &'static str {
    use crate::domain::backtest::indication::Decision;
    match d {
        Decision::Keep => "维持 keep",
        Decision::Raise => "上调 raise",
        Decision::Lower => "下调 lower",
    }
}

/// A stored code of the report as printed words (both languages: the report is bilingual),
/// the code itself when it is not one we know.
fn words(code: &str) -> String {
    match code {
        "total" => "合计 Total",
        "line" => "险种 Line",
        "segment" => "细分 Segment",
        "all" => "全部业务 All business",
        "first_set_equipment" => "首台(套)重大技术装备 First-set equipment",
        "first_batch_material" => "首批次新材料 First-batch new material",
        "first_set" => "首台(套) First set",
        "first_batch" => "首批次 First batch",
        "first_year" => "首年度 First year",
        "underwriting_year" => "承保年度 Underwriting year",
        "accident_year" => "事故年度 Accident year",
        "-" => "无补贴项目 no programme",
        other => other,
    }
    .to_string()
}

/// A group's level and key in words: a segment key's parts (line, field, cover basis,
/// programme, region) each in words.
fn group_words(level: Level, key: &str) -> String {
    let parts: Vec<String> = key.split('|').map(words).collect();
    format!("{} {}", words(level.as_str()), parts.join(" · "))
}

/// Lay the report out as PDF with the insurer's branding.
pub fn render(config: &Config, r: &BacktestReport) -> ServiceResult<Vec<u8>> {
    let internal = |e: crate::documents::DocumentError| {
        ServiceError::internal_from("lay out the report PDF", e)
    };
    let font = DocumentFont::load_default().map_err(internal)?;
    let branding = Branding::new(
        config.insurer.name.clone(),
        config.insurer.branch.clone(),
        &SealArtwork::default(),
        font,
    )
    .map_err(internal)?;
    render_backtest_report(&content(r), &branding).map_err(internal)
}

pub fn content(r: &BacktestReport) -> BacktestPdf {
    let t = &r.targets;
    let summary = r
        .groups
        .iter()
        .map(|g| {
            let ind = g.indication.as_ref();
            [
                group_words(g.level, &g.key),
                g.totals.earned.grouped(),
                g.totals.incurred.grouped(),
                g.totals.ultimate.map(|u| u.grouped()).unwrap_or("—".into()),
                ind.map(|i| pct(i.loss_ratio)).unwrap_or("—".into()),
                ind.map(|i| pct(i.combined_ratio)).unwrap_or("—".into()),
                ind.map(|i| decision_zh(i.decision).to_string())
                    .unwrap_or("—".into()),
            ]
        })
        .collect();
    let conclusions = r
        .groups
        .iter()
        .filter(|g| g.level != Level::Segment)
        .filter_map(|g| {
            g.indication.as_ref().map(|i| {
                (
                    group_words(g.level, &g.key),
                    format!("{} {}", i.conclusion_zh, i.conclusion_en),
                )
            })
        })
        .collect();
    let total = r.total();
    BacktestPdf {
        period: r.period_key.clone().unwrap_or_else(|| "临时 ad hoc".into()),
        as_of: r.as_of,
        basis: words(&r.basis),
        facts: vec![
            (
                "费用率 Expenses (V / F)".into(),
                format!(
                    "{} / {}",
                    pct(t.variable_expense_ratio),
                    pct(t.fixed_expense_ratio)
                ),
            ),
            ("利润附加 Profit Q".into(), pct(t.profit_provision)),
            (
                "目标综合成本率 Target CR".into(),
                format!(
                    "{} – {}",
                    pct(t.combined_band_low),
                    pct(t.combined_band_high)
                ),
            ),
            (
                "完全信度标准 Full credibility".into(),
                format!("{} claims", t.full_credibility_claims),
            ),
        ],
        summary,
        conclusions,
        triangle_origins: r.origin_years.iter().map(i32::to_string).collect(),
        triangle: total
            .map(|g| {
                g.incurred_triangle
                    .iter()
                    .map(|row| row.iter().map(|m| m.grouped()).collect())
                    .collect()
            })
            .unwrap_or_default(),
        method: r.method.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_printed_as_words() {
        assert_eq!(words("underwriting_year"), "承保年度 Underwriting year");
        assert_eq!(
            group_words(Level::Segment, "first_set_equipment|高档数控机床|first_year|-|浙江省"),
            "细分 Segment 首台(套)重大技术装备 First-set equipment · 高档数控机床 · 首年度 First year · 无补贴项目 no programme · 浙江省"
        );
        assert_eq!(
            group_words(Level::Total, "all"),
            "合计 Total 全部业务 All business"
        );
    }
}
