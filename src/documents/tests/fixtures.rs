//! Sample documents for the tests: a certificate, a schedule with as many units as
//! asked for, and a rejection notice.

use chrono::NaiveDate;

use super::test_font;
use crate::documents::*;
use crate::domain::money::{Money, Rate};

pub(super) fn branding() -> Branding {
    Branding::new(
        "示例财产保险股份有限公司",
        "浙江省分公司",
        &SealArtwork::default(),
        test_font(),
    )
    .unwrap()
}

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(super) fn sample_certificate() -> CertificateContent {
    crate::documents::sample::certificate()
}

pub(super) fn sample_schedule(units: usize) -> ScheduleContent {
    let party = |name: &str, code: &str| Party {
        name: name.into(),
        credit_code: code.into(),
        address: Some("浙江省杭州市滨江区某某路88号".into()),
    };
    ScheduleContent {
        policy_number: "PSCZ2025330100000042".into(),
        product_name: "首台（套）重大技术装备综合保险".into(),
        clause_set_version: "银保监会示范条款 2021 版（质量风险+责任风险）".into(),
        policyholder: party("杭州某某重型机械制造有限公司", "91330100MA2XXXXX1K"),
        insured: party("某某城市轨道交通建设有限公司", "91330100MA2YYYYY2L"),
        intermediary: Some(party("某某保险经纪有限公司", "91330100MA2ZZZZZ3M")),
        equipment: vec![ScheduleEquipment {
            name: "大型盾构机".into(),
            model: "ZD-6980".into(),
            unit_value: Money::from_yuan(2_500_000),
            units: (1..=units).map(|i| format!("SN-2025-{i:04}")).collect(),
        }],
        sections: vec![
            CoverSection {
                name: "质量风险（更换或修理）".into(),
                limit: Some(Money::from_yuan(5_000_000)),
                deductible: "每次事故绝对免赔额人民币1万元或损失金额的10%，两者以高者为准".into(),
            },
            CoverSection {
                name: "产品责任风险".into(),
                limit: None,
                deductible: "每次事故绝对免赔额人民币5,000元".into(),
            },
        ],
        aggregate_limit: Money::from_yuan(10_000_000),
        rate: Rate::parse("1.85%").unwrap(),
        premium: Money::from_yuan(100_200),
        period_start: date(2025, 3, 1),
        period_end: date(2026, 2, 28),
        issue_date: date(2025, 2, 18),
        special_terms: vec!["本保单保险标的以所附清单所列出厂编号为准。".into()],
    }
}

pub(super) fn sample_rejection() -> RejectionNotice {
    RejectionNotice {
        claim_number: "CLM2025330100000007".into(),
        policy_number: "PSCZ2025330100000042".into(),
        claimant: "某某城市轨道交通建设有限公司".into(),
        event_date: date(2025, 6, 12),
        decision_date: date(2025, 7, 2),
        reasons: vec![
            "经现场查勘及第三方检测机构出具的鉴定报告，本次盾构机主轴承损坏系使用单位未按操作规程超负荷运转所致，属于保险条款第七条第（三）项约定的责任免除情形。".into(),
            "索赔材料中未能提供事故发生前六个月的设备维护保养记录，无法证明损失系产品质量缺陷导致。".into(),
        ],
        clause_set: "首台(套)重大技术装备综合险 2025.2".into(),
        contact: NoticeContact {
            department: "理赔部".into(),
            phone: "0571-8765 4321".into(),
            address: "浙江省杭州市上城区示例路 1 号".into(),
        },
    }
}

pub(super) fn sample_endorsement() -> EndorsementContent {
    EndorsementContent {
        endorsement_number: "PSCZ2025330100000042-PD01".into(),
        policy_number: "PSCZ2025330100000042".into(),
        policyholder_name: "杭州某某重型机械制造有限公司".into(),
        insured_name: "某某城市轨道交通建设有限公司".into(),
        product_name: "首台(套)重大技术装备综合险".into(),
        kind: EndorsementKind::Endorsement,
        version_seq: 2,
        effective_on: date(2025, 7, 1),
        reason: "用户追加采购 10 台".into(),
        requested_by: RequestedBy::Policyholder,
        changes: vec![
            ChangedField {
                label: "保险标的 SN-2025-0001".into(),
                before: "50台（套），单位价值 ¥20,000.00".into(),
                after: "60台（套），单位价值 ¥20,000.00".into(),
            },
            ChangedField {
                label: "累计责任限额".into(),
                before: "¥2,000,000.00".into(),
                after: "¥2,400,000.00".into(),
            },
        ],
        premium_before: Money::from_yuan(14_000),
        premium_after: Money::from_yuan(16_800),
        adjustment: Money::from_fen(141_151),
        premium_due_after: Money::from_fen(1_541_151),
        issue_date: date(2025, 6, 20),
        verification_code: "PD7K3QMX9P2D4HAAAAAAAAAAAAAAAAAA".into(),
        verification_url: "https://firstcover.example.cn/verify/PD7K3QMX9P2D4HAAAAAAAAAAAAAAAAAA"
            .into(),
    }
}

pub(super) fn sample_insurance_certificate() -> InsuranceCertificateContent {
    let party = |name: &str, code: &str| Party {
        name: name.into(),
        credit_code: code.into(),
        address: Some("浙江省杭州市滨江区".into()),
    };
    InsuranceCertificateContent {
        certificate_number: "FC-PZ-2025-000007".into(),
        policy_number: "PSCZ2025330100000042".into(),
        product_name: "首台(套)重大技术装备综合险".into(),
        clause_set_version: "首台(套)重大技术装备综合险 2025.2".into(),
        policyholder: party("杭州某某重型机械制造有限公司", "91330100MA2XXXXX1K"),
        beneficiary: party("某某城市轨道交通建设有限公司", "91330100MA2YYYYY2L"),
        insured_product: "大型盾构机".into(),
        unit_word: "台（套）".into(),
        units: vec![
            CertifiedUnit {
                serial: "SN-2025-0001".into(),
                quantity: 1,
                unit_value: Money::from_yuan(2_500_000),
            },
            CertifiedUnit {
                serial: "SN-2025-0002".into(),
                quantity: 1,
                unit_value: Money::from_yuan(2_500_000),
            },
        ],
        insured_value: Money::from_yuan(5_000_000),
        period_start: date(2025, 3, 1),
        period_end: date(2026, 2, 28),
        aggregate_limit: Money::from_yuan(10_000_000),
        sections: vec![
            CoverSection {
                name: "质量风险".into(),
                limit: None,
                deductible: "每次事故绝对免赔额人民币1万元".into(),
            },
            CoverSection {
                name: "责任风险".into(),
                limit: Some(Money::from_yuan(2_000_000)),
                deductible: "无".into(),
            },
        ],
        quality_cover: true,
        deposit_rules: vec![
            QuotedRule {
                citation: "《意见》（工信部联重装〔2024〕89号）三(五)".into(),
                quote: "对于已投保质量保障类保险的首台(套)、首批次，一般不再收取质量保证金".into(),
            },
            QuotedRule {
                citation: "《通知》（工信厅联合重装〔2025〕46号）四(四)".into(),
                quote: "获得保险补偿政策支持的装备制造企业，在开展采购活动时，对于已投保质量保障类保险的装备，不应收取质量保证金".into(),
            },
        ],
        version_seq: 1,
        issue_date: date(2025, 3, 3),
        verification_code: "PZ7K3QMX9P2D4HBBBBBBBBBBBBBBBBBB".into(),
        verification_url: "https://firstcover.example.cn/verify/PZ7K3QMX9P2D4HBBBBBBBBBBBBBBBBBB"
            .into(),
    }
}
