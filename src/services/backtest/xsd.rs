//! Validation of a regulator report (监管报送) against the published schema
//! `assets/schemas/backtest-report-1.0.xsd`, in pure Rust.
//!
//! The schema file stays the single source: it is parsed once, at first use, by the
//! `xmlschema` crate, which checks types, facets, content models, cardinality, fixed
//! values and the `xs:unique` identity constraint. Loading refuses a schema that uses a
//! construct `xmlschema` does not enforce (`support::unsupported`), so a later schema
//! version cannot silently loosen the check.
//!
//! `xmlschema` 0.0.x matches element and attribute names by local name only and lets
//! through what its content models do not mention. [`strict`] closes the three gaps
//! that matter for this schema (found by feeding it broken reports, see the tests):
//! every element must be in the target namespace (`elementFormDefault="qualified"`),
//! no attribute the schema does not declare (it declares no `xs:anyAttribute`), and
//! no character data inside element-only content.

use super::xml::{XmlError, XSD};
use oxml::{Document, NodeId, NodeKind};
use std::sync::OnceLock;
use xmlschema::model::{Content, Particle};
use xmlschema::Schema;

/// The published schema, parsed and checked for unsupported constructs.
fn schema() -> Result<&'static Schema, XmlError> {
    static SCHEMA: OnceLock<Result<Schema, String>> = OnceLock::new();
    SCHEMA
        .get_or_init(load)
        .as_ref()
        .map_err(|e| XmlError::Schema(e.clone()))
}

fn load() -> Result<Schema, String> {
    let doc = oxml::parse(XSD).map_err(|e| e.to_string())?;
    let skipped = xmlschema::support::unsupported(&doc);
    if !skipped.is_empty() {
        let names: Vec<String> = skipped
            .iter()
            .map(|u| format!("{} ({})", u.construct, u.effect))
            .collect();
        return Err(format!(
            "the schema uses constructs the validator does not enforce: {}",
            names.join(", ")
        ));
    }
    let schema = xmlschema::parse_schema(XSD).map_err(|e| e.to_string())?;
    if schema.target_namespace.is_none() {
        return Err("the schema has no targetNamespace".into());
    }
    for decl in schema.elements.values() {
        distinct_children(decl, 0)?;
    }
    Ok(schema)
}

/// [`strict`] finds a child's declaration by its local name, which is only sound
/// when no content model declares the same name twice; refuse a schema where one does.
fn distinct_children(decl: &Particle, depth: usize) -> Result<(), String> {
    if depth > 32 {
        return Err(format!("`{}` nests deeper than 32 levels", decl.name));
    }
    if let Content::Sequence(p) | Content::All(p) | Content::Choice(p) = &*decl.content {
        for (i, child) in p.iter().enumerate() {
            if p[..i].iter().any(|c| c.name == child.name) {
                return Err(format!(
                    "`{}` declares the child `{}` twice",
                    decl.name, child.name
                ));
            }
            distinct_children(child, depth + 1)?;
        }
    }
    Ok(())
}

/// Check the schema loads and uses nothing the validator would skip (a unit test calls
/// it, so a schema edit that weakens the check fails the build's tests).
pub fn ensure_loaded() -> Result<(), XmlError> {
    schema().map(|_| ())
}

/// Validate `xml` against the published schema. Every violation is listed, each
/// beginning with the path of the element it is about.
pub fn validate(xml: &str) -> Result<(), XmlError> {
    let schema = schema()?;
    let doc = oxml::parse(xml).map_err(|e| XmlError::Parse(e.to_string()))?;
    let mut problems: Vec<String> = xmlschema::validate(&doc, schema)
        .violations
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Some(root) = doc.root_element() {
        let name = local_name(&doc, root);
        if let Some(decl) = schema.element(&name) {
            let ns = schema.target_namespace.as_deref().unwrap_or_default();
            strict(&doc, root, decl, ns, &format!("/{name}"), &mut problems);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(XmlError::Invalid(problems))
    }
}

fn local_name(doc: &Document, node: NodeId) -> String {
    doc.element_name(node)
        .map(|n| n.local.clone())
        .unwrap_or_default()
}

/// The checks `xmlschema` leaves out, walking the document beside its declarations.
fn strict(
    doc: &Document,
    node: NodeId,
    decl: &Particle,
    ns: &str,
    path: &str,
    problems: &mut Vec<String>,
) {
    if doc.element_name(node).and_then(|n| n.namespace.as_deref()) != Some(ns) {
        problems.push(format!("{path}: the element is not in the namespace {ns}"));
    }
    for attr in doc.attributes(node) {
        let Some(name) = doc.name(attr.name) else {
            continue;
        };
        let declared =
            name.namespace.is_none() && decl.attributes.iter().any(|a| a.name == name.local);
        if !declared {
            problems.push(format!(
                "{path}: attribute `{}` is not declared by the schema",
                name.local
            ));
        }
    }
    let children = match &*decl.content {
        Content::Sequence(p) | Content::All(p) | Content::Choice(p) => p.as_slice(),
        Content::Empty => &[],
        Content::Simple(_) | Content::Any => return,
    };
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for &child in doc.children(node) {
        match doc.kind(child) {
            Some(NodeKind::Text(t)) if !t.trim().is_empty() => problems.push(format!(
                "{path}: text `{}` where only elements are allowed",
                t.trim()
            )),
            Some(NodeKind::Element { .. }) => {
                let name = local_name(doc, child);
                let n = seen.entry(name.clone()).or_default();
                *n += 1;
                // An element the content model does not allow is already reported.
                if let Some(d) = children.iter().find(|p| p.name == name) {
                    let child_path = format!("{path}/{name}[{n}]");
                    strict(doc, child, d, ns, &child_path, problems);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small report of the shape [`super::super::xml::write`] produces.
    const GOOD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<BacktestReport xmlns="urn:firstcover:backtest-report:1.0" version="1.0">
 <Header>
  <Insurer>示例财产保险股份有限公司</Insurer>
  <InstitutionCode>000123</InstitutionCode>
  <AsOf>2026-06-30</AsOf>
  <Basis>underwriting_year</Basis>
  <FirstOriginYear>2024</FirstOriginYear>
  <LastOriginYear>2026</LastOriginYear>
  <Method>chain_ladder</Method>
  <Targets variableExpenseRatio="0.150000" fixedExpenseRatio="0.100000" profitProvision="0.050000" combinedBandLow="0.900000" combinedBandHigh="1.000000" fullCredibilityClaims="1082" materiality="0.050000" tailFactor="1.000000"/>
 </Header>
 <Group level="total" key="all">
  <Origin year="2024" policies="3" writtenPremium="100.00" earnedPremium="100.00" claims="1" paid="3000.00" caseReserve="0.00" incurred="3000.00" lossRatio="0.500000"/>
  <Totals policies="3" writtenPremium="100.00" earnedPremium="100.00" claims="1" paid="3000.00" caseReserve="0.00" incurred="3000.00"/>
  <Triangle kind="paid"><Cell origin="2024" development="1" cumulative="3000.00"/></Triangle>
  <Triangle kind="incurred"><Cell origin="2024" development="1" cumulative="3000.00"/></Triangle>
  <Factor development="1" ageToAge="1.000000" toUltimate="1.000000"/>
  <Indication lossRatio="0.5" expenseRatio="0.25" combinedRatio="0.75" bandPosition="below" permissibleLossRatio="0.7" indicatedChange="-0.1" credibility="0.1" weightedChange="-0.01" decision="lower">
   <ConclusionZh>建议下调费率</ConclusionZh><ConclusionEn>lower the rate</ConclusionEn>
  </Indication>
  <Note>cap applied</Note>
 </Group>
 <Group level="line" key="equipment">
  <Origin year="2024" policies="3" writtenPremium="100.00" earnedPremium="100.00" claims="1" paid="3000.00" caseReserve="0.00" incurred="3000.00"/>
  <Totals policies="3" writtenPremium="100.00" earnedPremium="100.00" claims="1" paid="3000.00" caseReserve="0.00" incurred="3000.00"/>
  <Triangle kind="paid"/>
  <Triangle kind="incurred"/>
 </Group>
</BacktestReport>"#;

    fn refused(xml: &str) -> String {
        match validate(xml) {
            Err(XmlError::Invalid(problems)) => problems.join("; "),
            other => panic!("expected the schema to refuse it, got {other:?}"),
        }
    }

    #[test]
    fn the_published_schema_loads_with_nothing_unenforced() {
        ensure_loaded().unwrap();
        validate(GOOD).unwrap();
    }

    #[test]
    fn a_missing_required_element_is_refused_naming_it() {
        let err = refused(&GOOD.replace("<AsOf>2026-06-30</AsOf>", ""));
        assert!(err.contains("/BacktestReport/Header"), "{err}");
        assert!(err.contains("`AsOf`"), "{err}");
        let err = refused(&GOOD.replacen("<Triangle kind=\"incurred\"/>", "", 1));
        assert!(err.contains("`Triangle`"), "{err}");
    }

    #[test]
    fn text_where_a_number_belongs_is_refused_naming_the_element() {
        let err = refused(&GOOD.replacen("paid=\"3000.00\"", "paid=\"lots\"", 1));
        assert!(err.contains("/Origin[1]/@paid"), "{err}");
        assert!(err.contains("not a valid decimal"), "{err}");
        let err = refused(&GOOD.replace(
            "<FirstOriginYear>2024</FirstOriginYear>",
            "<FirstOriginYear>twenty</FirstOriginYear>",
        ));
        assert!(err.contains("/Header/FirstOriginYear"), "{err}");
    }

    #[test]
    fn facets_enumerations_fixed_values_and_uniqueness_are_enforced() {
        for (bad, expect) in [
            (
                GOOD.replacen("cumulative=\"3000.00\"", "cumulative=\"3000.001\"", 1),
                "@cumulative",
            ),
            (
                GOOD.replace("decision=\"lower\"", "decision=\"maybe\""),
                "@decision",
            ),
            (GOOD.replace("2026-06-30", "2026-02-30"), "AsOf"),
            (
                GOOD.replacen("<FirstOriginYear>2024", "<FirstOriginYear>1800", 1),
                "FirstOriginYear",
            ),
            (
                GOOD.replace("version=\"1.0\">", "version=\"2.0\">"),
                "@version",
            ),
            (
                GOOD.replace(
                    "<Insurer>示例财产保险股份有限公司</Insurer>",
                    "<Insurer></Insurer>",
                ),
                "Insurer",
            ),
            (
                GOOD.replacen("policies=\"3\"", "policies=\"-3\"", 1),
                "@policies",
            ),
            (GOOD.replacen(" caseReserve=\"0.00\"", "", 1), "caseReserve"),
            (
                GOOD.replace("key=\"equipment\"", "key=\"all\"")
                    .replace("\"line\"", "\"total\""),
                "GroupKey",
            ),
            (
                GOOD.replace("<Note>cap applied</Note>", "<Note>n</Note><Extra/>"),
                "Extra",
            ),
        ] {
            let err = refused(&bad);
            assert!(err.contains(expect), "{expect}: {err}");
        }
    }

    #[test]
    fn what_xmlschema_lets_through_is_refused_by_the_strict_pass() {
        let err = refused(&GOOD.replace("urn:firstcover:backtest-report:1.0", "urn:other"));
        assert!(err.contains("not in the namespace"), "{err}");
        let err = refused(&GOOD.replace("<Totals ", "<Totals extra=\"1\" "));
        assert!(err.contains("/Totals[1]: attribute `extra`"), "{err}");
        let err = refused(&GOOD.replace("<Header>", "<Header>stray"));
        assert!(err.contains("/Header[1]: text `stray`"), "{err}");
    }

    #[test]
    fn xml_that_does_not_parse_is_a_parse_error() {
        assert!(matches!(
            validate("<BacktestReport"),
            Err(XmlError::Parse(_))
        ));
    }
}
