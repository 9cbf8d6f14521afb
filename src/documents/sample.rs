//! A sample certificate, shared by the document tests and the certificate benchmark.

use super::{CertificateContent, InsuredItem, PremiumPayment};
use crate::domain::money::Money;
use chrono::NaiveDate;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Two payments that add up to the premium, two kinds of insured item.
pub fn certificate() -> CertificateContent {
    CertificateContent {
        certificate_number: "FC-2025-000123".into(),
        policyholder_name: "杭州某某重型机械制造有限公司".into(),
        policyholder_credit_code: "91330100MA2XXXXX1K".into(),
        policy_number: "PSCZ2025330100000042".into(),
        product_name: "首台（套）重大技术装备综合保险".into(),
        insured_items: vec![
            InsuredItem {
                name: "大型盾构机".into(),
                quantity: 2,
                unit: "台".into(),
            },
            InsuredItem {
                name: "智能化控制系统".into(),
                quantity: 1,
                unit: "套".into(),
            },
        ],
        period_start: date(2025, 3, 1),
        period_end: date(2026, 2, 28),
        total_premium: Money::from_yuan(100_200),
        payments: vec![
            PremiumPayment {
                date: date(2025, 2, 20),
                amount: Money::from_yuan(60_000),
                method: "银行转账".into(),
                reference: "HZB20250220000981".into(),
            },
            PremiumPayment {
                date: date(2025, 2, 26),
                amount: Money::from_yuan(40_200),
                method: "银行转账".into(),
                reference: "HZB20250226001377".into(),
            },
        ],
        issue_date: date(2025, 3, 3),
        verification_code: "7K3Q-MX9P-2D4H".into(),
        verification_url: "https://firstcover.example.cn/verify/FC-2025-000123".into(),
    }
}
