//! Table tests for every programme rule; each row names the seed file and clause.

use super::*;
use crate::domain::programme::{ConditionKind, Programme};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn programme(text: &str) -> Programme {
    let p: Programme = toml::from_str(text).unwrap_or_else(|e| panic!("{e}"));
    assert!(p.validate().is_empty());
    p
}

fn zhejiang() -> Programme {
    programme(include_str!(
        "../../../clauses/programmes/zhejiang-2025.toml"
    ))
}
fn shanxi() -> Programme {
    programme(include_str!(
        "../../../clauses/programmes/shanxi-new-materials.toml"
    ))
}
fn national() -> Programme {
    programme(include_str!(
        "../../../clauses/programmes/national-2025.toml"
    ))
}

/// A fact recorded by a test underwriter.
fn k<T>(value: T) -> Known<T> {
    Known::new(
        value,
        Provenance {
            recorded_by: "uw.test".into(),
            role: "underwriter".into(),
            recorded_at: None,
            source_document: "test".into(),
        },
    )
}

/// The user on the policy, related to the maker or a trader or neither.
fn link(related_party: bool, trader: bool) -> ChainLink {
    ChainLink {
        role: HolderRole::EndUser,
        party_name: "用户".into(),
        related_party,
        trader,
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

fn year(y: i32) -> Period {
    Period {
        start: d(y, 1, 1),
        end: d(y, 12, 31),
    }
}

/// A clean Zhejiang first-set policy: 10,000,000 value at 1.5 %.
fn equipment() -> SubsidyFacts {
    SubsidyFacts {
        product: ProductLine::FirstSetEquipment,
        basis: CoverBasis::FirstSet,
        unit_type: UnitType::CompleteMachine,
        tier: Some(Tier::Domestic),
        period: Period {
            start: d(2025, 3, 1),
            end: d(2026, 2, 28),
        },
        insured_value: Money::from_yuan(10_000_000),
        aggregate_limit: Money::from_yuan(10_000_000),
        rate: Rate::parse("1.5%").unwrap_or_default(),
        premium: Money::from_yuan(150_000),
        premium_paid: Money::from_yuan(150_000),
        first_installment: Money::from_yuan(150_000),
        policy_effective: true,
        contract_amount: Money::from_yuan(10_000_000),
        potential_liability: None,
        makers_on_policy: 1,
        users_on_policy: 1,
        chain: vec![link(false, false)],
        via_intermediary: false,
        ownership: None,
        end_user_proof: false,
        manufacture_date: Some(k(d(2025, 1, 15))),
        delivery_date: Some(k(d(2025, 2, 1))),
        qualification: Some(Qualification {
            valid_from: d(2024, 1, 1),
            valid_until: d(2028, 12, 31),
        }),
        maker_province: "浙江省".into(),
        nationally_subsidised: Some(k(false)),
        application_award: Some(k(false)),
        dishonest_entity: Some(k(false)),
        fraud_ban: Some(k(FraudBan {
            banned_from: None,
            banned_until: None,
        })),
        policy_source: Provenance::system("test"),
    }
}

/// A clean Shanxi new-materials policy: 2,000,000 value at 2.5 %.
fn material() -> SubsidyFacts {
    SubsidyFacts {
        product: ProductLine::FirstBatchNewMaterial,
        basis: CoverBasis::FirstBatch,
        unit_type: UnitType::NewMaterial,
        tier: None,
        insured_value: Money::from_yuan(2_000_000),
        aggregate_limit: Money::from_yuan(2_000_000),
        rate: Rate::parse("2.5%").unwrap_or_default(),
        premium: Money::from_yuan(50_000),
        premium_paid: Money::from_yuan(15_000),
        first_installment: Money::from_yuan(15_000),
        contract_amount: Money::from_yuan(2_000_000),
        maker_province: "山西省".into(),
        ..equipment()
    }
}

fn codes(a: &Assessment) -> Vec<&str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Assess with a national quota recorded far above any estimate here.
fn run(p: &Programme, f: &SubsidyFacts) -> Assessment {
    let e = EnterpriseYear {
        quota: Some(k(Money::from_yuan(100_000_000))),
        ..EnterpriseYear::default()
    };
    assess(p, f, &[], &e)
}

type Row = (
    &'static str,
    fn() -> Programme,
    SubsidyFacts,
    Option<&'static str>,
    Verdict,
);

#[test]
fn programme_rules_table() {
    let rows: Vec<Row> = vec![
        (
            "003 附件1 一.1 window start 2024-09-01 inclusive",
            zhejiang,
            SubsidyFacts {
                period: Period {
                    start: d(2024, 9, 1),
                    end: d(2025, 8, 31),
                },
                ..equipment()
            },
            None,
            Verdict::Eligible,
        ),
        (
            "003 附件1 一.1 window end 2025-08-31 inclusive",
            zhejiang,
            SubsidyFacts {
                period: Period {
                    start: d(2025, 8, 31),
                    end: d(2026, 8, 30),
                },
                ..equipment()
            },
            None,
            Verdict::Eligible,
        ),
        (
            "003 附件1 一.1 start 2025-09-01 outside",
            zhejiang,
            SubsidyFacts {
                period: Period {
                    start: d(2025, 9, 1),
                    end: d(2026, 8, 31),
                },
                ..equipment()
            },
            Some("subsidy.start_outside_window"),
            Verdict::Ineligible,
        ),
        (
            "003 附件1 一.1 start 2024-08-31 outside",
            zhejiang,
            SubsidyFacts {
                period: Period {
                    start: d(2024, 8, 31),
                    end: d(2025, 8, 30),
                },
                ..equipment()
            },
            Some("subsidy.start_outside_window"),
            Verdict::Ineligible,
        ),
        (
            "003 附件1 一.1 not fully paid is pending",
            zhejiang,
            SubsidyFacts {
                premium_paid: Money::from_yuan(100_000),
                ..equipment()
            },
            Some("subsidy.full_payment_pending"),
            Verdict::Pending,
        ),
        (
            "003 附件1 一.1 not yet effective is pending",
            zhejiang,
            SubsidyFacts {
                policy_effective: false,
                ..equipment()
            },
            Some("subsidy.policy_not_effective"),
            Verdict::Pending,
        ),
        (
            "003 二(一)2 rate above 2 % warns and is capped",
            zhejiang,
            SubsidyFacts {
                rate: Rate::parse("3%").unwrap_or_default(),
                premium: Money::from_yuan(300_000),
                premium_paid: Money::from_yuan(300_000),
                ..equipment()
            },
            Some("subsidy.rate_above_cap"),
            Verdict::Eligible,
        ),
        (
            "003 附件1 一.3 first-set limit below value",
            zhejiang,
            SubsidyFacts {
                aggregate_limit: Money::from_yuan(9_999_999),
                ..equipment()
            },
            Some("limit.below_minimum_multiple"),
            Verdict::Ineligible,
        ),
        (
            "003 附件1 一.3 first-year limit 1.99 × value",
            zhejiang,
            SubsidyFacts {
                basis: CoverBasis::FirstYear,
                unit_type: UnitType::KeyComponent,
                aggregate_limit: Money::from_yuan(19_900_000),
                ..equipment()
            },
            Some("limit.below_minimum_multiple"),
            Verdict::Ineligible,
        ),
        (
            "003 附件1 一.3 first-year limit 2 × value",
            zhejiang,
            SubsidyFacts {
                basis: CoverBasis::FirstYear,
                unit_type: UnitType::KeyComponent,
                aggregate_limit: Money::from_yuan(20_000_000),
                ..equipment()
            },
            None,
            Verdict::Eligible,
        ),
        (
            "003 附件1 一.4 intermediary without end-user proof",
            zhejiang,
            SubsidyFacts {
                via_intermediary: true,
                ..equipment()
            },
            Some("subsidy.end_user_proof_missing"),
            Verdict::Ineligible,
        ),
        (
            "003 附件1 一.4 intermediary with end-user proof",
            zhejiang,
            SubsidyFacts {
                via_intermediary: true,
                end_user_proof: true,
                ownership: Some(k(HolderRole::Dealer)),
                ..equipment()
            },
            None,
            Verdict::Eligible,
        ),
        (
            "003 一 ownership with a related enterprise",
            zhejiang,
            SubsidyFacts {
                chain: vec![link(true, false)],
                ..equipment()
            },
            Some("subsidy.buyer_related_party"),
            Verdict::Ineligible,
        ),
        (
            "003 一 already nationally subsidised",
            zhejiang,
            SubsidyFacts {
                nationally_subsidised: Some(k(true)),
                ..equipment()
            },
            Some("subsidy.already_national"),
            Verdict::Ineligible,
        ),
        (
            "003 一 not with the application award",
            zhejiang,
            SubsidyFacts {
                application_award: Some(k(true)),
                ..equipment()
            },
            Some("subsidy.with_application_award"),
            Verdict::Ineligible,
        ),
        (
            "003 附件1 一.1 delivery after the qualification",
            zhejiang,
            SubsidyFacts {
                delivery_date: Some(k(d(2029, 1, 1))),
                ..equipment()
            },
            Some("subsidy.delivery_outside_qualification"),
            Verdict::Ineligible,
        ),
        (
            "003 二(一)2 tiered ratio needs a tier",
            zhejiang,
            SubsidyFacts {
                tier: None,
                ..equipment()
            },
            Some("subsidy.tier_missing"),
            Verdict::Ineligible,
        ),
        (
            "004 第七条 4 contract 1,000,000 is enough",
            shanxi,
            SubsidyFacts {
                contract_amount: Money::from_yuan(1_000_000),
                aggregate_limit: Money::from_yuan(1_000_000),
                ..material()
            },
            None,
            Verdict::Eligible,
        ),
        (
            "004 第七条 4 contract below 1,000,000",
            shanxi,
            SubsidyFacts {
                contract_amount: Money::from_yuan(999_999),
                aggregate_limit: Money::from_yuan(999_999),
                ..material()
            },
            Some("subsidy.contract_too_small"),
            Verdict::Ineligible,
        ),
        (
            "004 第四条 2 first installment below 30 %",
            shanxi,
            SubsidyFacts {
                first_installment: Money::from_yuan(14_999),
                ..material()
            },
            Some("subsidy.first_installment_too_small"),
            Verdict::Ineligible,
        ),
        (
            "004 第十条 3 two users on one policy",
            shanxi,
            SubsidyFacts {
                users_on_policy: 2,
                ..material()
            },
            Some("subsidy.one_maker_one_user"),
            Verdict::Ineligible,
        ),
        (
            "004 第七条 4 buyer is a related party",
            shanxi,
            SubsidyFacts {
                chain: vec![link(true, false)],
                ..material()
            },
            Some("subsidy.buyer_related_party"),
            Verdict::Ineligible,
        ),
        (
            "004 第七条 4 buyer is a trader",
            shanxi,
            SubsidyFacts {
                chain: vec![link(false, true)],
                ..material()
            },
            Some("subsidy.buyer_trader"),
            Verdict::Ineligible,
        ),
        (
            "004 第四条 2 limit below contract amount warns",
            shanxi,
            SubsidyFacts {
                aggregate_limit: Money::from_yuan(1_500_000),
                ..material()
            },
            Some("limit.below_contract_amount"),
            Verdict::Eligible,
        ),
        (
            "004 第七条 1 maker outside Shanxi",
            shanxi,
            SubsidyFacts {
                maker_province: "河北省".into(),
                ..material()
            },
            Some("subsidy.maker_outside_province"),
            Verdict::Ineligible,
        ),
        (
            "004 第七条 1 dishonest entity",
            shanxi,
            SubsidyFacts {
                dishonest_entity: Some(k(true)),
                ..material()
            },
            Some("subsidy.dishonest_entity"),
            Verdict::Ineligible,
        ),
        (
            "004 第四条 equipment is not a Shanxi product",
            shanxi,
            equipment(),
            Some("subsidy.product_not_covered"),
            Verdict::Ineligible,
        ),
        (
            "001 二(二) full payment pending",
            national,
            SubsidyFacts {
                premium_paid: Money::ZERO,
                ..equipment()
            },
            Some("subsidy.full_payment_pending"),
            Verdict::Pending,
        ),
        (
            "001 二(二) related-party deals are a review focus",
            national,
            SubsidyFacts {
                chain: vec![link(true, false)],
                ..equipment()
            },
            Some("subsidy.buyer_related_party"),
            Verdict::Eligible,
        ),
        (
            "001 二(二) qualification expired at start",
            national,
            SubsidyFacts {
                qualification: Some(Qualification {
                    valid_from: d(2019, 1, 1),
                    valid_until: d(2023, 12, 31),
                }),
                ..equipment()
            },
            Some("subsidy.qualification_not_valid"),
            Verdict::Ineligible,
        ),
        (
            "001 三(一) fraud ban",
            national,
            SubsidyFacts {
                fraud_ban: Some(k(FraudBan {
                    banned_from: Some(d(2024, 1, 1)),
                    banned_until: Some(d(2027, 1, 1)),
                })),
                ..equipment()
            },
            Some("subsidy.fraud_ban"),
            Verdict::Ineligible,
        ),
        (
            "001 一 first-year basis is not national",
            national,
            SubsidyFacts {
                basis: CoverBasis::FirstYear,
                unit_type: UnitType::KeyComponent,
                ..equipment()
            },
            Some("subsidy.basis_not_supported"),
            Verdict::Ineligible,
        ),
    ];
    for (name, p, facts, code, verdict) in rows {
        let a = run(&p(), &facts);
        assert_eq!(a.verdict, verdict, "{name}: {:?}", codes(&a));
        match code {
            Some(c) => assert!(codes(&a).contains(&c), "{name}: {:?}", codes(&a)),
            None => assert!(
                a.findings.iter().all(|f| f.severity != Severity::Hard),
                "{name}: {:?}",
                codes(&a)
            ),
        }
    }
}

fn amount(a: &Assessment) -> Option<Money> {
    a.estimate.as_ref().map(|e| e.amount)
}

#[test]
fn zhejiang_pays_by_tier_on_the_capped_rate() {
    // 003 二(一)2: value 10,000,000 × min(3 %, 2 %) = 200,000 × 80 % (domestic) = 160,000
    let f = SubsidyFacts {
        rate: Rate::parse("3%").unwrap_or_default(),
        premium: Money::from_yuan(300_000),
        premium_paid: Money::from_yuan(300_000),
        ..equipment()
    };
    let a = run(&zhejiang(), &f);
    assert_eq!(amount(&a), Some(Money::from_yuan(160_000)));
    let steps: Vec<&str> = a
        .estimate
        .iter()
        .flat_map(|e| e.steps.iter().map(|s| s.code.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            "payment_required",
            "capped_rate",
            "base",
            "ratio",
            "raw",
            "enterprise_year_cap",
            "amount"
        ]
    );
    for (tier, expected) in [
        (Tier::International, 135_000),
        (Tier::Domestic, 120_000),
        (Tier::Provincial, 105_000),
    ] {
        let a = run(
            &zhejiang(),
            &SubsidyFacts {
                tier: Some(tier),
                ..equipment()
            },
        );
        assert_eq!(amount(&a), Some(Money::from_yuan(expected)), "{tier:?}");
    }
}

fn prior(y: i32, ratio: Option<Decimal>) -> PriorYear {
    PriorYear {
        period: year(y),
        subsidy_ratio: ratio,
    }
}

#[test]
fn zhejiang_decreases_ten_points_a_year_and_continues_after_an_interruption() {
    let facts = SubsidyFacts {
        period: Period {
            start: d(2025, 1, 1),
            end: d(2025, 12, 31),
        },
        ..equipment()
    };
    let p = zhejiang();
    let e = EnterpriseYear::default();
    // 003 二(一)2: second continuous year 80 % − 10 pp = 70 %
    let a = assess(&p, &facts, &[prior(2024, Some(dec!(0.80)))], &e);
    assert_eq!(a.estimate.as_ref().map(|e| e.ratio), Some(dec!(0.70)));
    assert!(a.continuity.is_renewal && a.continuity.first_insured_year == 2024);
    // interrupted in 2024: continue from the last subsidised year (2023, 80 %) − 10 pp
    let a = assess(&p, &facts, &[prior(2023, Some(dec!(0.80)))], &e);
    assert_eq!(a.estimate.as_ref().map(|e| e.ratio), Some(dec!(0.70)));
    assert!(!a.continuity.is_renewal);
    assert_eq!(a.continuity.first_insured_year, 2025);
    assert!(codes(&a).contains(&"subsidy.renewal_not_continuous"));
    // 003 二(一)2 最多可连续支持3年
    let three = [
        prior(2022, Some(dec!(0.80))),
        prior(2023, Some(dec!(0.70))),
        prior(2024, Some(dec!(0.60))),
    ];
    let a = assess(&p, &facts, &three, &e);
    assert_eq!(a.verdict, Verdict::Ineligible);
    assert!(codes(&a).contains(&"subsidy.max_years_reached"));
}

#[test]
fn the_yearly_cap_counts_all_policies_of_the_enterprise() {
    // 003 二(一)2 每年补偿金额最高不超过500万元: 4,950,000 already claimed leaves 50,000
    let e = EnterpriseYear {
        already_claimed: Money::from_yuan(4_950_000),
        ..EnterpriseYear::default()
    };
    let a = assess(&zhejiang(), &equipment(), &[], &e);
    assert_eq!(amount(&a), Some(Money::from_yuan(50_000)));
    let e = EnterpriseYear {
        already_claimed: Money::from_yuan(6_000_000),
        ..EnterpriseYear::default()
    };
    assert_eq!(
        amount(&assess(&zhejiang(), &equipment(), &[], &e)),
        Some(Money::ZERO)
    );
}

#[test]
fn shanxi_pays_80_percent_at_up_to_3_percent_and_not_on_renewal() {
    // 004 第四条 2: 2,000,000 × min(2.5 %, 3 %) = 50,000 × 80 % = 40,000
    assert_eq!(
        amount(&run(&shanxi(), &material())),
        Some(Money::from_yuan(40_000))
    );
    // 004 第六条 原则上不得续保补贴: a warning
    let a = assess(
        &shanxi(),
        &material(),
        &[prior(2024, Some(dec!(0.80)))],
        &EnterpriseYear::default(),
    );
    assert!(a
        .findings
        .iter()
        .any(|f| f.code == "subsidy.renewal_not_subsidised" && f.severity == Severity::Warning));
}

#[test]
fn national_pays_80_percent_of_premium_within_the_quota() {
    // 001 二(二) 不超过实际缴纳保费80%; 二(一) quota
    let e = EnterpriseYear {
        quota: Some(k(Money::from_yuan(100_000))),
        ..EnterpriseYear::default()
    };
    assert_eq!(
        amount(&assess(&national(), &equipment(), &[], &e)),
        Some(Money::from_yuan(100_000))
    );
    let a = assess(&national(), &equipment(), &[], &EnterpriseYear::default());
    assert_eq!(amount(&a), Some(Money::from_yuan(120_000)));
    // Without a recorded quota the estimate is shown but the verdict waits for it.
    assert!(codes(&a).contains(&"subsidy.needs_fact.national_quota"));
    assert_eq!(a.verdict, Verdict::Pending);
}

#[test]
fn continuity_marks_renewals_and_first_insured_year() {
    let c = continuity(&year(2025), &[prior(2023, None), prior(2024, None)]);
    assert!(c.is_renewal);
    assert_eq!(c.first_insured_year, 2023);
    let gap = PriorYear {
        period: Period {
            start: d(2023, 1, 1),
            end: d(2024, 12, 30),
        },
        subsidy_ratio: None,
    };
    let c = continuity(&year(2025), &[gap]);
    assert!(!c.is_renewal);
    assert_eq!(c.first_insured_year, 2025);
}

/// A programme holding exactly one condition (plus the shared share rule).
fn with_condition(kind: ConditionKind) -> Programme {
    let mut p = national();
    p.amount_caps.clear();
    p.conditions = vec![crate::domain::programme::Condition {
        kind,
        severity: Severity::Hard,
        share: Some(dec!(0.30)),
        amount: Some(Money::from_yuan(1_000_000)),
        bases: vec![CoverBasis::FirstSet],
        province: Some("浙江省".into()),
        source: p.share.source.clone(),
    }];
    p
}

fn check_of(a: &Assessment) -> CheckOutcome {
    a.checks
        .first()
        .map(|c| c.outcome)
        .unwrap_or(CheckOutcome::Met)
}

/// 000 (九), 001 二(二), 003 一 / 附件1, 004 第七条: every condition kind a programme file
/// can name is decided — it can pass, it can fail, and where it rests on a recorded
/// fact, an unrecorded fact leaves it pending ("needs FACT"), never passed.
#[test]
fn every_condition_kind_can_pass_fail_and_wait_for_its_fact() {
    use crate::domain::programme::ALL_CONDITION_KINDS;
    for kind in ALL_CONDITION_KINDS {
        let p = with_condition(kind);
        let pass = run(&p, &equipment());
        assert_eq!(
            check_of(&pass),
            CheckOutcome::Met,
            "{kind:?} passes: {:?}",
            pass.findings
        );
        assert_eq!(pass.verdict, Verdict::Eligible, "{kind:?}");
        let failing = match kind {
            ConditionKind::FullPayment => SubsidyFacts {
                premium_paid: Money::from_yuan(1),
                ..equipment()
            },
            ConditionKind::PolicyEffective => SubsidyFacts {
                policy_effective: false,
                ..equipment()
            },
            ConditionKind::FirstInstallmentShare => SubsidyFacts {
                premium_paid: Money::ZERO,
                ..equipment()
            },
            ConditionKind::MinContractAmount => SubsidyFacts {
                contract_amount: Money::from_yuan(999_999),
                ..equipment()
            },
            ConditionKind::OneMakerOneUser => SubsidyFacts {
                users_on_policy: 2,
                ..equipment()
            },
            ConditionKind::BuyerNotRelatedParty => SubsidyFacts {
                chain: vec![link(true, false)],
                ..equipment()
            },
            ConditionKind::BuyerNotTrader => SubsidyFacts {
                chain: vec![link(false, true)],
                ..equipment()
            },
            ConditionKind::EndUserProofViaIntermediary => SubsidyFacts {
                via_intermediary: true,
                ..equipment()
            },
            ConditionKind::NotNationallySubsidised => SubsidyFacts {
                nationally_subsidised: Some(k(true)),
                ..equipment()
            },
            ConditionKind::NotWithApplicationAward => SubsidyFacts {
                application_award: Some(k(true)),
                ..equipment()
            },
            ConditionKind::QualificationValid => SubsidyFacts {
                period: year(2030),
                ..equipment()
            },
            ConditionKind::DeliveryWithinQualification => SubsidyFacts {
                delivery_date: Some(k(d(2030, 1, 1))),
                ..equipment()
            },
            ConditionKind::CoverBases => SubsidyFacts {
                basis: CoverBasis::FirstBatch,
                ..equipment()
            },
            ConditionKind::MakerRegisteredIn => SubsidyFacts {
                maker_province: "山西省".into(),
                ..equipment()
            },
            ConditionKind::NotDishonestEntity => SubsidyFacts {
                dishonest_entity: Some(k(true)),
                ..equipment()
            },
            ConditionKind::NoFraudBan => SubsidyFacts {
                fraud_ban: Some(k(FraudBan {
                    banned_from: Some(d(2024, 6, 1)),
                    banned_until: Some(d(2027, 5, 31)),
                })),
                ..equipment()
            },
            ConditionKind::ManufacturedAndDelivered => SubsidyFacts {
                delivery_date: Some(k(d(2025, 1, 1))),
                ..equipment()
            },
        };
        let fail = run(&p, &failing);
        assert_eq!(
            check_of(&fail),
            CheckOutcome::NotMet,
            "{kind:?} fails: {:?}",
            fail.findings
        );
        assert_eq!(fail.verdict, Verdict::Ineligible, "{kind:?}");
        let unknown = match kind {
            ConditionKind::BuyerNotRelatedParty => Some(SubsidyFacts {
                via_intermediary: true,
                ownership: None,
                ..equipment()
            }),
            ConditionKind::NotNationallySubsidised => Some(SubsidyFacts {
                nationally_subsidised: None,
                ..equipment()
            }),
            ConditionKind::NotWithApplicationAward => Some(SubsidyFacts {
                application_award: None,
                ..equipment()
            }),
            ConditionKind::DeliveryWithinQualification => Some(SubsidyFacts {
                delivery_date: None,
                ..equipment()
            }),
            ConditionKind::NotDishonestEntity => Some(SubsidyFacts {
                dishonest_entity: None,
                ..equipment()
            }),
            ConditionKind::NoFraudBan => Some(SubsidyFacts {
                fraud_ban: None,
                ..equipment()
            }),
            ConditionKind::ManufacturedAndDelivered => Some(SubsidyFacts {
                manufacture_date: None,
                ..equipment()
            }),
            _ => None,
        };
        if let Some(facts) = unknown {
            let a = run(&p, &facts);
            assert_eq!(check_of(&a), CheckOutcome::NeedsFact, "{kind:?}");
            assert_eq!(
                a.verdict,
                Verdict::Pending,
                "{kind:?} never passes on an unknown fact"
            );
            let f = a
                .findings
                .iter()
                .find(|f| f.code.starts_with("subsidy.needs_fact."));
            assert!(
                f.is_some_and(|f| f.text.en.starts_with("pending — needs ")
                    && f.text.en.contains("recorded by")),
                "{kind:?}: {:?}",
                a.findings
            );
        }
    }
}

/// 003 一: ownership staying with a related lessor excludes the product, not only a
/// related user.
#[test]
fn zhejiang_excludes_ownership_kept_by_a_related_lessor() {
    let f = SubsidyFacts {
        via_intermediary: true,
        end_user_proof: true,
        ownership: Some(k(HolderRole::Lessor)),
        chain: vec![
            link(false, false),
            ChainLink {
                role: HolderRole::Lessor,
                party_name: "关联租赁".into(),
                related_party: true,
                trader: false,
            },
        ],
        ..equipment()
    };
    let a = run(&zhejiang(), &f);
    assert_eq!(a.verdict, Verdict::Ineligible);
    let finding = a
        .findings
        .iter()
        .find(|f| f.code == "subsidy.buyer_related_party");
    assert!(
        finding.is_some_and(|f| f.text.zh.contains("融资租赁公司")),
        "{:?}",
        a.findings
    );
}

/// 003 一: nationally subsidised / application award not recorded → pending, not a pass.
#[test]
fn zhejiang_waits_for_the_national_and_award_flags() {
    let f = SubsidyFacts {
        nationally_subsidised: None,
        application_award: None,
        ..equipment()
    };
    let a = run(&zhejiang(), &f);
    assert_eq!(a.verdict, Verdict::Pending);
    let c = codes(&a);
    assert!(
        c.contains(&"subsidy.needs_fact.national_subsidy_received"),
        "{c:?}"
    );
    assert!(
        c.contains(&"subsidy.needs_fact.application_award_received"),
        "{c:?}"
    );
    // The estimate is still shown, with its arithmetic.
    assert_eq!(amount(&a), Some(Money::from_yuan(120_000)));
}

/// 004 第四条 2: nothing paid — not even the 30 % first installment — is not eligible;
/// 30 % paid is.
#[test]
fn shanxi_needs_the_first_installment_paid() {
    let unpaid = SubsidyFacts {
        premium_paid: Money::ZERO,
        ..material()
    };
    let a = run(&shanxi(), &unpaid);
    assert_eq!(a.verdict, Verdict::Ineligible);
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "subsidy.first_installment_unpaid");
    assert!(
        f.is_some_and(|f| f.text.zh.contains("50,000.00") && f.text.zh.contains("15,000.00")),
        "{:?}",
        a.findings
    );
    let a = run(
        &shanxi(),
        &SubsidyFacts {
            premium_paid: Money::from_yuan(15_000),
            ..material()
        },
    );
    assert!(!codes(&a).contains(&"subsidy.first_installment_unpaid"));
}

/// 001 二(二): the national share is of the premium actually paid, shown in the steps,
/// and capped by what is left of the qualification's quota (二(一)).
#[test]
fn national_pays_on_the_premium_paid_within_what_is_left_of_the_quota() {
    let f = SubsidyFacts {
        premium_paid: Money::from_yuan(100_000),
        ..equipment()
    };
    let e = EnterpriseYear {
        quota: Some(k(Money::from_yuan(200_000))),
        quota_used: Money::from_yuan(150_000),
        ..EnterpriseYear::default()
    };
    let a = assess(&national(), &f, &[], &e);
    // 100,000 paid × 80 % = 80,000, capped by 200,000 − 150,000 = 50,000
    assert_eq!(amount(&a), Some(Money::from_yuan(50_000)));
    let steps: Vec<String> = a
        .estimate
        .iter()
        .flat_map(|e| e.steps.iter().map(|s| s.zh.clone()))
        .collect();
    assert!(
        steps.iter().any(|s| s.contains("实际缴纳保费 100,000.00")),
        "{steps:?}"
    );
    assert!(
        steps.iter().any(|s| s.contains("剩余 50,000.00")),
        "{steps:?}"
    );
    // the facts used list the quota and who recorded it
    let q = a.facts.iter().find(|f| f.code == "national_quota");
    assert!(q.is_some_and(|q| q.by.as_ref().is_some_and(|b| b.recorded_by == "uw.test")));
}

/// 001 二(二) 完成装备的制造、交付: the national programme waits for both dates.
#[test]
fn national_waits_for_manufacture_and_delivery() {
    let e = EnterpriseYear {
        quota: Some(k(Money::from_yuan(1_000_000))),
        ..EnterpriseYear::default()
    };
    let f = SubsidyFacts {
        manufacture_date: None,
        ..equipment()
    };
    let a = assess(&national(), &f, &[], &e);
    assert_eq!(a.verdict, Verdict::Pending);
    assert!(codes(&a).contains(&"subsidy.needs_fact.manufactured"));
    assert_eq!(
        assess(&national(), &equipment(), &[], &e).verdict,
        Verdict::Eligible
    );
}
