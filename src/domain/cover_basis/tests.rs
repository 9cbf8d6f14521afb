//! Table tests: each row names the seed clause it checks.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

fn base(basis: CoverBasis, unit_type: UnitType, units: u32, value: i64) -> CoverFacts {
    CoverFacts {
        basis,
        unit_type,
        units,
        total_value: Money::from_yuan(value),
        contract_dates: vec![d(2025, 1, 10)],
        same_specification: true,
        same_production_batch: true,
        first_use_by_user: true,
        policy_start: d(2025, 3, 1),
        delivery_date: Some(d(2025, 2, 1)),
        qualification: Some(Qualification {
            valid_from: d(2024, 6, 1),
            valid_until: d(2029, 5, 31),
        }),
    }
}

fn codes(f: &CoverFacts) -> Vec<(String, Severity)> {
    check(f).into_iter().map(|x| (x.code, x.severity)).collect()
}

#[test]
fn cover_basis_table() {
    use CoverBasis::*;
    use Severity::*;
    use UnitType::*;
    type Row = (&'static str, CoverFacts, Vec<(&'static str, Severity)>);
    let mut late_contract = base(FirstBatch, CoreSystem, 10, 1_000_000);
    late_contract.contract_dates.push(d(2025, 4, 11));
    let mut year_contracts = base(FirstYear, KeyComponent, 60, 1_000_000);
    year_contracts.contract_dates.push(d(2026, 1, 11));
    let mut not_first_use = base(FirstSet, CompleteMachine, 1, 1_000_000);
    not_first_use.first_use_by_user = false;
    let mut expired = base(FirstSet, CompleteMachine, 1, 1_000_000);
    expired.policy_start = d(2029, 6, 1);
    expired.delivery_date = Some(d(2024, 5, 31));
    let mut other_spec = base(FirstBatch, KeyComponent, 10, 1_000_000);
    other_spec.same_specification = false;
    let rows: Vec<Row> = vec![
        (
            "003 附件1 一.2(1) three units are fine",
            base(FirstSet, CompleteMachine, 3, 5_000_000),
            vec![],
        ),
        (
            "003 附件1 一.2(1) a fourth unit is not first set",
            base(FirstSet, CompleteMachine, 4, 5_000_000),
            vec![("basis.first_set_max_three", Hard)],
        ),
        (
            "003 附件1 一.2(1) first use by the user",
            not_first_use,
            vec![("basis.first_use", Hard)],
        ),
        (
            "003 附件1 一.2(2) 50 units, 20,000,000 are fine",
            base(FirstBatch, KeyComponent, 50, 20_000_000),
            vec![],
        ),
        (
            "003 附件1 一.2(2) 51 units is a warning",
            base(FirstBatch, KeyComponent, 51, 1_000_000),
            vec![("basis.batch_max_50_units", Warning)],
        ),
        (
            "003 附件1 一.2(2) over 20,000,000 is a warning",
            base(FirstBatch, KeyComponent, 5, 20_000_001),
            vec![("basis.batch_max_value", Warning)],
        ),
        (
            "003 附件1 一.2(2) contracts over 3 months apart",
            late_contract,
            vec![("basis.batch_contracts_3_months", Warning)],
        ),
        (
            "003 附件1 一.2(2) same specification",
            other_spec,
            vec![("basis.same_specification", Hard)],
        ),
        (
            "003 附件1 一.2(3) 50 units, 10,000,000 fine",
            base(FirstYear, KeyComponent, 50, 10_000_000),
            vec![],
        ),
        (
            "003 附件1 一.2(3) under 50 units warns",
            base(FirstYear, KeyComponent, 49, 1_000_000),
            vec![("basis.year_min_50_units", Warning)],
        ),
        (
            "003 附件1 一.2(3) over 10,000,000 warns",
            base(FirstYear, KeyComponent, 60, 10_000_001),
            vec![("basis.year_max_value", Warning)],
        ),
        (
            "003 附件1 一.2(3) contracts over 12 months apart",
            year_contracts,
            vec![("basis.year_contracts_12_months", Warning)],
        ),
        (
            "003 附件1 一.2 first year is for key components only",
            base(FirstYear, CompleteMachine, 60, 1_000_000),
            vec![("basis.first_year_key_components_only", Hard)],
        ),
        (
            "001 一 complete machines count by units as a rule",
            base(FirstBatch, CompleteMachine, 5, 1_000_000),
            vec![("basis.machines_usually_by_units", Warning)],
        ),
        (
            "001 一 components count by batch as a rule",
            base(FirstSet, KeyComponent, 2, 1_000_000),
            vec![("basis.components_usually_by_batch", Warning)],
        ),
        (
            "004 第二条 new materials by first batch",
            base(FirstSet, NewMaterial, 1, 1_000_000),
            vec![("basis.new_material_by_batch", Hard)],
        ),
        (
            "004 第二条 new materials in a batch are fine",
            base(FirstBatch, NewMaterial, 500, 90_000_000),
            vec![],
        ),
        (
            "001 二(一) / 003 附件1 一.1 qualification and delivery",
            expired,
            vec![
                ("qualification.not_valid_at_start", Hard),
                ("qualification.delivery_outside", Hard),
            ],
        ),
    ];
    for (name, facts, expected) in rows {
        let expected: Vec<(String, Severity)> = expected
            .into_iter()
            .map(|(c, s)| (c.to_owned(), s))
            .collect();
        assert_eq!(codes(&facts), expected, "{name}");
    }
}

#[test]
fn findings_carry_their_source_and_both_languages() {
    let f = check(&base(CoverBasis::FirstSet, UnitType::CompleteMachine, 4, 1));
    assert_eq!(f[0].source.seed, "003_88b4fbae1ca493a5.txt");
    assert_eq!(f[0].text.zh, "首台(套)仅承保前三台(套)，录入数量为 4");
    assert_eq!(
        f[0].text.en,
        "first-set cover takes the first three units only; 4 entered"
    );
}

#[test]
fn a_missing_qualification_is_hard() {
    let mut f = base(CoverBasis::FirstSet, UnitType::CompleteMachine, 1, 1);
    f.qualification = None;
    assert_eq!(
        codes(&f),
        vec![("qualification.missing".to_owned(), Severity::Hard)]
    );
}

#[test]
fn the_stored_code_is_the_serde_name_and_parses_back() {
    for b in CoverBasis::ALL {
        assert_eq!(serde_json::to_value(b).unwrap(), b.as_str());
        assert_eq!(CoverBasis::parse(b.as_str()), Some(b));
    }
    assert_eq!(CoverBasis::parse("first-set"), None);
    assert_eq!(CoverBasis::parse(""), None);
}
