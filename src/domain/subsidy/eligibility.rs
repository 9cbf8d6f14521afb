//! Eligibility findings: every rule of the programme that the facts do not meet.
//! Each finding carries the programme's own source for the rule.

use super::continuity::Continuity;
use super::SubsidyFacts;
use crate::domain::catalogue::is_valid_on;
use crate::domain::limits::{check_aggregate_limit, check_new_material_limit, LimitMultiples};
use crate::domain::party::Relation;
use crate::domain::programme::{
    Condition, ConditionKind, Finding, LimitRule, LimitRuleKind, Programme, RenewalPolicy, Severity,
};

pub(super) fn check(p: &Programme, f: &SubsidyFacts, c: &Continuity) -> Vec<Finding> {
    let mut out = Vec::new();
    if !p.products.contains(&f.product) {
        out.push(Finding::new(
            "subsidy.product_not_covered",
            Severity::Hard,
            format!("{}不支持该险种", p.name.zh),
            format!("{} does not cover this product line", p.name.en),
            p.share.source.clone(),
        ));
    }
    if let Some(w) = &p.policy_start_window {
        if !w.contains(f.period.start) {
            out.push(Finding::new(
                "subsidy.start_outside_window",
                Severity::Hard,
                format!(
                    "起保时间 {} 不在 {} 至 {}（含）之间",
                    f.period.start, w.from, w.to
                ),
                format!(
                    "policy start {} is outside {} to {} (inclusive)",
                    f.period.start, w.from, w.to
                ),
                w.source.clone(),
            ));
        }
    }
    if let Some(cap) = p.rate_cap.as_ref().filter(|cap| f.rate > cap.rate) {
        out.push(Finding::new(
            "subsidy.rate_above_cap",
            Severity::Warning,
            format!(
                "实际费率 {}% 高于补贴费率上限 {}%，按上限计算补贴",
                f.rate.as_percent(),
                cap.rate.as_percent()
            ),
            format!(
                "rate {} % is above the cap {} %: the subsidy is computed on the cap",
                f.rate.as_percent(),
                cap.rate.as_percent()
            ),
            cap.source.clone(),
        ));
    }
    if let Some(rule) = &p.limit_rule {
        limit(rule, f, &mut out);
    }
    for condition in &p.conditions {
        if let Some(finding) = unmet(condition, f) {
            out.push(finding);
        }
    }
    renewal(p, c, &mut out);
    out
}

fn limit(rule: &LimitRule, f: &SubsidyFacts, out: &mut Vec<Finding>) {
    match rule.kind {
        LimitRuleKind::ValueMultiples => {
            let Some(multiples) = LimitMultiples::from_rule(rule) else {
                return;
            };
            if let Err(e) =
                check_aggregate_limit(f.basis, f.insured_value, f.aggregate_limit, &multiples)
            {
                out.push(e.to_finding(rule.severity, rule.source.clone()));
            }
        }
        LimitRuleKind::ContractAmount => {
            for mut finding in check_new_material_limit(
                f.aggregate_limit,
                f.contract_amount,
                f.potential_liability,
            ) {
                finding.source = rule.source.clone();
                out.push(finding);
            }
        }
    }
}

fn found(c: &Condition, code: &str, zh: String, en: String) -> Option<Finding> {
    Some(Finding::new(code, c.severity, zh, en, c.source.clone()))
}

/// The finding for a condition the facts do not meet, if any.
fn unmet(c: &Condition, f: &SubsidyFacts) -> Option<Finding> {
    match c.kind {
        ConditionKind::FullPayment if f.premium_paid < f.premium => found(
            c,
            "subsidy.full_payment_pending",
            format!("保费尚未全额缴纳：应缴 {} 元，已缴 {} 元", f.premium.grouped(), f.premium_paid.grouped()),
            format!("premium not fully paid: {} CNY due, {} CNY paid", f.premium.grouped(), f.premium_paid.grouped()),
        ),
        ConditionKind::PolicyEffective if !f.policy_effective => found(
            c,
            "subsidy.policy_not_effective",
            "保单尚未正式生效".into(),
            "the policy is not yet in force".into(),
        ),
        ConditionKind::FirstInstallmentShare => {
            let share = c.share?;
            let minimum = f.premium.mul_decimal(share).ok()?;
            (f.first_installment < minimum).then(|| {
                Finding::new(
                    "subsidy.first_installment_too_small",
                    c.severity,
                    format!("首期保费 {} 元低于保费总额的 {}%（{} 元）", f.first_installment.grouped(), (share * rust_decimal::Decimal::ONE_HUNDRED).normalize(), minimum.grouped()),
                    format!("first installment {} CNY is below {} % of the premium ({} CNY)", f.first_installment.grouped(), (share * rust_decimal::Decimal::ONE_HUNDRED).normalize(), minimum.grouped()),
                    c.source.clone(),
                )
            })
        }
        ConditionKind::MinContractAmount => {
            let minimum = c.amount?;
            (f.contract_amount < minimum).then(|| {
                Finding::new(
                    "subsidy.contract_too_small",
                    c.severity,
                    format!("销售合同金额 {} 元低于 {} 元", f.contract_amount.grouped(), minimum.grouped()),
                    format!("contract amount {} CNY is below {} CNY", f.contract_amount.grouped(), minimum.grouped()),
                    c.source.clone(),
                )
            })
        }
        ConditionKind::OneMakerOneUser if f.makers_on_policy != 1 || f.users_on_policy != 1 => found(
            c,
            "subsidy.one_maker_one_user",
            format!("每份保单应对应一家生产企业及一家用户单位（现为 {} 家生产企业、{} 家用户单位）", f.makers_on_policy, f.users_on_policy),
            format!("one maker and one user per policy ({} makers, {} users here)", f.makers_on_policy, f.users_on_policy),
        ),
        ConditionKind::BuyerNotRelatedParty if f.buyer_relation == Some(Relation::RelatedParty) => found(
            c,
            "subsidy.buyer_related_party",
            "购买单位为生产企业的关联企业".into(),
            "the buyer is a related party of the maker".into(),
        ),
        ConditionKind::BuyerNotTrader if f.buyer_relation == Some(Relation::Trader) => found(
            c,
            "subsidy.buyer_trader",
            "购买单位为贸易商".into(),
            "the buyer is a trader".into(),
        ),
        ConditionKind::EndUserProofViaIntermediary if f.via_intermediary && !f.end_user_proof => found(
            c,
            "subsidy.end_user_proof_missing",
            "通过中间方销售，须提供交付最终用户的证明材料".into(),
            "sold through an intermediary: proof of delivery to the end user is required".into(),
        ),
        ConditionKind::NotNationallySubsidised if f.nationally_subsidised => found(
            c,
            "subsidy.already_national",
            "该装备已享受国家保险补偿政策".into(),
            "this equipment already received national insurance compensation".into(),
        ),
        ConditionKind::NotWithApplicationAward if f.application_award => found(
            c,
            "subsidy.with_application_award",
            "同一装备不得同时享受保险补偿和应用奖励".into(),
            "the same equipment cannot receive both insurance compensation and the application award".into(),
        ),
        ConditionKind::QualificationValid => qualification_at_start(c, f),
        ConditionKind::DeliveryWithinQualification => delivery(c, f),
        ConditionKind::CoverBases if !c.bases.contains(&f.basis) => found(
            c,
            "subsidy.basis_not_supported",
            "该投保方式不在本政策支持范围内".into(),
            "this cover basis is not supported by the programme".into(),
        ),
        ConditionKind::MakerRegisteredIn => {
            let province = c.province.as_deref()?;
            (f.maker_province.trim() != province).then(|| {
                Finding::new(
                    "subsidy.maker_outside_province",
                    c.severity,
                    format!("生产企业须在{province}境内注册"),
                    format!("the maker must be registered in {province}"),
                    c.source.clone(),
                )
            })
        }
        ConditionKind::NotDishonestEntity if f.dishonest_entity => found(
            c,
            "subsidy.dishonest_entity",
            "生产企业为失信主体".into(),
            "the maker is listed as a dishonest entity".into(),
        ),
        ConditionKind::NoFraudBan if f.fraud_ban_until.is_some_and(|until| f.period.start <= until) => found(
            c,
            "subsidy.fraud_ban",
            "生产企业处于骗补禁止申报期内".into(),
            "the maker is banned from applying after a fraud finding".into(),
        ),
        _ => None,
    }
}

fn qualification_at_start(c: &Condition, f: &SubsidyFacts) -> Option<Finding> {
    let valid = f
        .qualification
        .is_some_and(|q| is_valid_on(q.valid_from, q.valid_until, f.period.start));
    (!valid).then(|| {
        Finding::new(
            "subsidy.qualification_not_valid",
            c.severity,
            format!("起保日 {} 资格无效或未录入", f.period.start),
            format!(
                "no valid qualification on the policy start {}",
                f.period.start
            ),
            c.source.clone(),
        )
    })
}

fn delivery(c: &Condition, f: &SubsidyFacts) -> Option<Finding> {
    let (q, delivered) = match (f.qualification, f.delivery_date) {
        (Some(q), Some(d)) => (q, d),
        _ => {
            return found(
                c,
                "subsidy.delivery_unknown",
                "未录入交付时间或资格".into(),
                "delivery date or qualification not entered".into(),
            )
        }
    };
    (!is_valid_on(q.valid_from, q.valid_until, delivered)).then(|| {
        Finding::new(
            "subsidy.delivery_outside_qualification",
            c.severity,
            format!(
                "交付时间 {delivered} 不在资格有效期 {} 至 {} 内",
                q.valid_from, q.valid_until
            ),
            format!(
                "delivery on {delivered} is outside the qualification {} to {}",
                q.valid_from, q.valid_until
            ),
            c.source.clone(),
        )
    })
}

/// Renewal and year-count rules.
fn renewal(p: &Programme, c: &Continuity, out: &mut Vec<Finding>) {
    let rule = &p.renewal;
    match rule.policy {
        RenewalPolicy::NotSubsidised if c.subsidised_years > 0 => out.push(Finding::new(
            "subsidy.renewal_not_subsidised",
            rule.severity,
            "已获得保险补贴资金的项目原则上不得申请续保保费补贴".into(),
            "a project already subsidised is in principle not subsidised again on renewal".into(),
            rule.source.clone(),
        )),
        RenewalPolicy::ContinuousOrNew if c.subsidised_years > 0 && !c.previous_subsidised => out.push(Finding::new(
            "subsidy.renewal_not_continuous",
            Severity::Warning,
            "续保不连续或上一年度未获补贴：按新投保项目提交材料".into(),
            "renewal not continuous or previous year not subsidised: apply with the materials of a new project".into(),
            rule.source.clone(),
        )),
        _ => {}
    }
    if let Some(years) = &p.years {
        if c.subsidised_years >= years.max_years {
            out.push(Finding::new(
                "subsidy.max_years_reached",
                Severity::Hard,
                format!(
                    "已获补贴 {} 年，最多可支持 {} 年",
                    c.subsidised_years, years.max_years
                ),
                format!(
                    "already subsidised {} years; at most {} years",
                    c.subsidised_years, years.max_years
                ),
                years.source.clone(),
            ));
        }
    }
}
