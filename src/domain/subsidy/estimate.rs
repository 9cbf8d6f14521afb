//! The estimated subsidy, with every step of the arithmetic shown:
//! capped rate → subsidisable premium → share ratio (tier, −pp per later year,
//! after an interruption from the last subsidised year) → raw amount → caps.

use super::continuity::Continuity;
use super::{EnterpriseYear, SubsidyFacts};
use crate::domain::catalogue::Tier;
use crate::domain::money::Money;
use crate::domain::programme::{
    AfterInterruption, CapScope, ConditionKind, Finding, PremiumBasis, Programme, Severity,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One line of the arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub code: String,
    pub zh: String,
    pub en: String,
    /// The result of this step, as text (an amount, a rate or a ratio).
    pub value: String,
}

/// The estimate: steps and the amount (申报保费补贴金额).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estimate {
    pub steps: Vec<Step>,
    /// The share ratio applied this year.
    pub ratio: Decimal,
    pub amount: Money,
}

fn step(code: &str, zh: String, en: String, value: String) -> Step {
    Step {
        code: code.into(),
        zh,
        en,
        value,
    }
}

fn pct(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).normalize())
}

/// This year's ratio, or `None` (with a finding) when it cannot be set.
pub(super) fn ratio(
    p: &Programme,
    f: &SubsidyFacts,
    c: &Continuity,
    findings: &mut Vec<Finding>,
) -> Option<(Decimal, Step)> {
    let s = &p.share;
    let first_year = match (&s.ratio, &s.tier_ratios, f.tier) {
        (Some(r), _, _) => *r,
        (None, Some(t), Some(tier)) => match tier {
            Tier::International => t.international,
            Tier::Domestic => t.domestic,
            Tier::Provincial => t.provincial,
        },
        _ => {
            findings.push(Finding::new(
                "subsidy.tier_missing",
                Severity::Hard,
                "本政策按国际/国内/省内首台(套)分档补贴，须录入档次".into(),
                "this programme pays by tier (international / domestic / provincial): enter the tier".into(),
                s.source.clone(),
            ));
            return None;
        }
    };
    let restart = c.interrupted && s.after_interruption == AfterInterruption::Restart;
    let (value, zh, en) = match c.last_ratio {
        Some(last) if !restart && s.yearly_decrement > Decimal::ZERO => (
            last - s.yearly_decrement,
            format!(
                "上一获补贴年度比例 {} − {} = {}{}",
                pct(last),
                pct(s.yearly_decrement),
                pct(last - s.yearly_decrement),
                if c.interrupted {
                    "（中断后继续递减）"
                } else {
                    ""
                }
            ),
            format!(
                "last subsidised year's ratio {} − {} = {}{}",
                pct(last),
                pct(s.yearly_decrement),
                pct(last - s.yearly_decrement),
                if c.interrupted {
                    " (continues after the interruption)"
                } else {
                    ""
                }
            ),
        ),
        _ => (
            first_year,
            format!("首年度比例 {}", pct(first_year)),
            format!("first-year ratio {}", pct(first_year)),
        ),
    };
    if value <= Decimal::ZERO {
        findings.push(Finding::new(
            "subsidy.ratio_exhausted",
            Severity::Hard,
            "补贴比例已递减至零".into(),
            "the share ratio has decreased to zero".into(),
            s.source.clone(),
        ));
        return None;
    }
    Some((value, step("ratio", zh, en, pct(value))))
}

/// The payment the programme requires before applying, against what is paid: the
/// full premium (003 附件1 一.1, 001 二(二)) or the first installment share (004
/// 第四条 2). The condition itself decides the verdict; this step shows the figures.
fn payment_step(p: &Programme, f: &SubsidyFacts) -> Option<Step> {
    if let Some(share) = p
        .condition(ConditionKind::FirstInstallmentShare)
        .and_then(|c| c.share)
    {
        let minimum = f.premium.mul_decimal(share).ok()?;
        return Some(step(
            "payment_required",
            format!(
                "申请前须缴首期保费 ≥ 应缴保费 {} 元 × {} = {} 元；已缴 {} 元",
                f.premium.grouped(),
                pct(share),
                minimum.grouped(),
                f.premium_paid.grouped()
            ),
            format!(
                "before applying, a first installment ≥ premium due {} CNY × {} = {} CNY; paid {} CNY",
                f.premium.grouped(),
                pct(share),
                minimum.grouped(),
                f.premium_paid.grouped()
            ),
            minimum.to_string(),
        ));
    }
    p.condition(ConditionKind::FullPayment)?;
    Some(step(
        "payment_required",
        format!(
            "申请前须全额缴纳保费 {} 元；已缴 {} 元",
            f.premium.grouped(),
            f.premium_paid.grouped()
        ),
        format!(
            "before applying, the full premium {} CNY; paid {} CNY",
            f.premium.grouped(),
            f.premium_paid.grouped()
        ),
        f.premium.to_string(),
    ))
}

/// The amount with its steps; `None` only if the arithmetic overflows.
pub(super) fn compute(
    p: &Programme,
    f: &SubsidyFacts,
    (ratio, ratio_step): (Decimal, Step),
    enterprise: &EnterpriseYear,
    findings: &mut Vec<Finding>,
) -> Option<Estimate> {
    let mut steps = Vec::new();
    steps.extend(payment_step(p, f));
    let base = match p.share.basis {
        PremiumBasis::PremiumPaid => {
            // 001 二(二) "实际缴纳保费": what is paid, never more than what is due.
            let base = f.premium_paid.min(f.premium);
            steps.push(step(
                "base",
                format!(
                    "补贴基数 = 实际缴纳保费 {} 元（应缴 {} 元）",
                    base.grouped(),
                    f.premium.grouped()
                ),
                format!(
                    "base = premium actually paid {} CNY (due {} CNY)",
                    base.grouped(),
                    f.premium.grouped()
                ),
                base.to_string(),
            ));
            base
        }
        PremiumBasis::PremiumAtCappedRate => {
            let cap = p.rate_cap.as_ref()?.rate;
            let capped = f.rate.min(cap);
            steps.push(step(
                "capped_rate",
                format!(
                    "补贴费率 = min(实际费率 {}%, 上限 {}%)",
                    f.rate.as_percent(),
                    cap.as_percent()
                ),
                format!(
                    "rate = min(actual {} %, cap {} %)",
                    f.rate.as_percent(),
                    cap.as_percent()
                ),
                format!("{}%", capped.as_percent()),
            ));
            let at_cap = f.insured_value.at_rate(capped).ok()?;
            let base = at_cap.min(f.premium);
            steps.push(step(
                "base",
                format!(
                    "补贴基数 = min(保额 {} 元 × {}% = {} 元, 应缴保费 {} 元)",
                    f.insured_value.grouped(),
                    capped.as_percent(),
                    at_cap.grouped(),
                    f.premium.grouped()
                ),
                format!(
                    "base = min(value {} CNY × {} % = {} CNY, premium due {} CNY)",
                    f.insured_value.grouped(),
                    capped.as_percent(),
                    at_cap.grouped(),
                    f.premium.grouped()
                ),
                base.to_string(),
            ));
            base
        }
    };
    steps.push(ratio_step);
    let raw = base.mul_decimal(ratio).ok()?;
    steps.push(step(
        "raw",
        format!(
            "{} 元 × {} = {} 元",
            base.grouped(),
            pct(ratio),
            raw.grouped()
        ),
        format!(
            "{} CNY × {} = {} CNY",
            base.grouped(),
            pct(ratio),
            raw.grouped()
        ),
        raw.to_string(),
    ));
    let mut amount = raw;
    for cap in &p.amount_caps {
        let room = match (cap.scope, cap.amount) {
            (CapScope::EnterprisePerYear, Some(limit)) => {
                let room = limit.remaining(enterprise.already_claimed);
                steps.push(step("enterprise_year_cap", format!("企业年度上限 {} 元 − 本年已申报/获得 {} 元 = 剩余 {} 元", limit.grouped(), enterprise.already_claimed.grouped(), room.grouped()), format!("enterprise yearly cap {} CNY − already claimed this year {} CNY = {} CNY left", limit.grouped(), enterprise.already_claimed.grouped(), room.grouped()), room.to_string()));
                room
            }
            (CapScope::QualificationQuota, _) => match &enterprise.quota {
                Some(quota) => {
                    let room = quota.value.remaining(enterprise.quota_used);
                    steps.push(step(
                        "quota",
                        format!(
                            "资格额度 {} 元 − 已使用 {} 元 = 剩余 {} 元",
                            quota.value.grouped(),
                            enterprise.quota_used.grouped(),
                            room.grouped()
                        ),
                        format!(
                            "qualification quota {} CNY − used {} CNY = {} CNY left",
                            quota.value.grouped(),
                            enterprise.quota_used.grouped(),
                            room.grouped()
                        ),
                        room.to_string(),
                    ));
                    room
                }
                None => {
                    let kind = super::facts::FactKind::NationalQuota;
                    findings.push(Finding::new(
                        &format!("subsidy.needs_fact.{}", kind.as_str()),
                        Severity::Pending,
                        format!(
                            "待录入：{}（由{}录入）；估算未按额度封顶",
                            kind.zh(),
                            kind.recorder().zh()
                        ),
                        format!(
                            "pending — needs {}, recorded by {}; the estimate is not capped by it",
                            kind.en(),
                            kind.recorder().en().to_lowercase()
                        ),
                        cap.source.clone(),
                    ));
                    continue;
                }
            },
            (CapScope::EnterprisePerYear, None) => continue,
        };
        amount = amount.min(room);
    }
    steps.push(step(
        "amount",
        format!("估算补贴金额 {} 元", amount.grouped()),
        format!("estimated subsidy {} CNY", amount.grouped()),
        amount.to_string(),
    ));
    Some(Estimate {
        steps,
        ratio,
        amount,
    })
}
