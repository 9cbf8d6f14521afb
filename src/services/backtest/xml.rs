//! The regulator's XML (监管报送) written with quick-xml, and its validation against the
//! published schema `assets/schemas/backtest-report-1.0.xsd` (pure Rust, [`super::xsd`]).
//! No report leaves without passing [`validate`].

use super::report::{BacktestReport, GroupReport, GroupTotals, OriginRow};
use crate::domain::money::Money;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// The published schema, compiled into the binary.
pub const XSD: &str = include_str!("../../../assets/schemas/backtest-report-1.0.xsd");
pub const NAMESPACE: &str = "urn:firstcover:backtest-report:1.0";

/// Why a report's XML is not acceptable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum XmlError {
    #[error("cannot write the XML: {0}")]
    Write(String),
    #[error("the XML does not parse: {0}")]
    Parse(String),
    #[error("the XML does not match backtest-report-1.0.xsd: {}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("the published schema backtest-report-1.0.xsd cannot be used: {0}")]
    Schema(String),
}

type W = Writer<Vec<u8>>;

fn amount(m: Money) -> String {
    m.to_string()
}

fn ratio(x: f64) -> String {
    format!("{x:.6}")
}

fn start<'a>(name: &'a str, attrs: &[(&str, String)]) -> BytesStart<'a> {
    let mut e = BytesStart::new(name);
    for (k, v) in attrs {
        e.push_attribute((*k, v.as_str()));
    }
    e
}

fn empty(w: &mut W, name: &str, attrs: &[(&str, String)]) -> std::io::Result<()> {
    w.write_event(Event::Empty(start(name, attrs)))
}

fn text(w: &mut W, name: &str, value: &str) -> std::io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(value)))?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

/// Write the report as XML (UTF-8, namespace [`NAMESPACE`]).
pub fn write(report: &BacktestReport) -> Result<String, XmlError> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 1);
    write_report(&mut w, report).map_err(|e| XmlError::Write(e.to_string()))?;
    String::from_utf8(w.into_inner()).map_err(|e| XmlError::Write(e.to_string()))
}

fn write_report(w: &mut W, r: &BacktestReport) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let root = start(
        "BacktestReport",
        &[("xmlns", NAMESPACE.into()), ("version", "1.0".into())],
    );
    w.write_event(Event::Start(root))?;
    w.write_event(Event::Start(BytesStart::new("Header")))?;
    text(w, "Insurer", &r.insurer)?;
    text(w, "InstitutionCode", &r.institution_code)?;
    if let Some(p) = &r.period_key {
        text(w, "Period", p)?;
    }
    text(w, "AsOf", &r.as_of.format("%Y-%m-%d").to_string())?;
    text(w, "Basis", &r.basis)?;
    let first = r.origin_years.first().copied().unwrap_or_default();
    let last = r.origin_years.last().copied().unwrap_or_default();
    text(w, "FirstOriginYear", &first.to_string())?;
    text(w, "LastOriginYear", &last.to_string())?;
    text(w, "Method", &r.method)?;
    let t = &r.targets;
    empty(
        w,
        "Targets",
        &[
            ("variableExpenseRatio", ratio(t.variable_expense_ratio)),
            ("fixedExpenseRatio", ratio(t.fixed_expense_ratio)),
            ("profitProvision", ratio(t.profit_provision)),
            ("combinedBandLow", ratio(t.combined_band_low)),
            ("combinedBandHigh", ratio(t.combined_band_high)),
            (
                "fullCredibilityClaims",
                format!("{}", t.full_credibility_claims),
            ),
            ("materiality", ratio(t.materiality)),
            ("tailFactor", ratio(r.tail_factor)),
        ],
    )?;
    w.write_event(Event::End(BytesEnd::new("Header")))?;
    for g in &r.groups {
        write_group(w, g, &r.origin_years)?;
    }
    w.write_event(Event::End(BytesEnd::new("BacktestReport")))
}

fn figures(
    policies: u64,
    written: Money,
    earned: Money,
    claims: u64,
    paid_case_incurred: [Money; 3],
    estimates: [Option<Money>; 3],
) -> Vec<(&'static str, String)> {
    let [paid, case, incurred] = paid_case_incurred;
    let mut a = vec![
        ("policies", policies.to_string()),
        ("writtenPremium", amount(written)),
        ("earnedPremium", amount(earned)),
        ("claims", claims.to_string()),
        ("paid", amount(paid)),
        ("caseReserve", amount(case)),
        ("incurred", amount(incurred)),
    ];
    for (name, v) in ["ultimate", "ibnr", "mackStandardError"]
        .iter()
        .zip(estimates)
    {
        if let Some(v) = v {
            a.push((name, amount(v)));
        }
    }
    a
}

fn origin_attrs(o: &OriginRow) -> Vec<(&'static str, String)> {
    let mut a = vec![("year", o.year.to_string())];
    a.extend(figures(
        o.policies,
        o.written,
        o.earned,
        o.claims,
        [o.paid, o.case_reserve, o.incurred],
        [o.ultimate, o.ibnr, o.mack_se],
    ));
    if let Some(lr) = o.loss_ratio {
        a.push(("lossRatio", ratio(lr)));
    }
    a
}

fn totals_attrs(t: &GroupTotals) -> Vec<(&'static str, String)> {
    figures(
        t.policies,
        t.written,
        t.earned,
        t.claims,
        [t.paid, t.case_reserve, t.incurred],
        [t.ultimate, t.ibnr, t.mack_se],
    )
}

fn write_group(w: &mut W, g: &GroupReport, origins: &[i32]) -> std::io::Result<()> {
    let head = start(
        "Group",
        &[("level", g.level.as_str().into()), ("key", g.key.clone())],
    );
    w.write_event(Event::Start(head))?;
    for o in &g.origins {
        empty(w, "Origin", &origin_attrs(o))?;
    }
    empty(w, "Totals", &totals_attrs(&g.totals))?;
    for (kind, tri) in [
        ("paid", &g.paid_triangle),
        ("incurred", &g.incurred_triangle),
    ] {
        w.write_event(Event::Start(start("Triangle", &[("kind", kind.into())])))?;
        for (row, year) in tri.iter().zip(origins) {
            for (k, v) in row.iter().enumerate() {
                empty(
                    w,
                    "Cell",
                    &[
                        ("origin", year.to_string()),
                        ("development", (k + 1).to_string()),
                        ("cumulative", amount(*v)),
                    ],
                )?;
            }
        }
        w.write_event(Event::End(BytesEnd::new("Triangle")))?;
    }
    for (k, to_ult) in g.cumulative_factors.iter().enumerate() {
        let mut a = vec![("development", (k + 1).to_string())];
        if let Some(f) = g.link_ratios.get(k) {
            a.push(("ageToAge", ratio(*f)));
        }
        a.push(("toUltimate", ratio(*to_ult)));
        empty(w, "Factor", &a)?;
    }
    if let Some(ind) = &g.indication {
        let pos = serde_json::to_value(ind.band_position)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let decision = serde_json::to_value(ind.decision)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let attrs = [
            ("lossRatio", ratio(ind.loss_ratio)),
            ("expenseRatio", ratio(ind.expense_ratio)),
            ("combinedRatio", ratio(ind.combined_ratio)),
            ("bandPosition", pos),
            ("permissibleLossRatio", ratio(ind.permissible_loss_ratio)),
            ("indicatedChange", ratio(ind.indicated_change)),
            ("credibility", ratio(ind.credibility)),
            ("weightedChange", ratio(ind.weighted_change)),
            ("decision", decision),
        ];
        w.write_event(Event::Start(start("Indication", &attrs)))?;
        text(w, "ConclusionZh", &ind.conclusion_zh)?;
        text(w, "ConclusionEn", &ind.conclusion_en)?;
        w.write_event(Event::End(BytesEnd::new("Indication")))?;
    }
    for n in &g.notes {
        text(w, "Note", n)?;
    }
    w.write_event(Event::End(BytesEnd::new("Group")))
}

/// Validate `xml` against the published schema (see [`super::xsd`]).
pub fn validate(xml: &str) -> Result<(), XmlError> {
    super::xsd::validate(xml)
}
