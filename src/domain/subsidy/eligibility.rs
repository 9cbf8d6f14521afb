//! Eligibility findings: every rule of the programme, decided on the facts. Each
//! condition kind has exactly one evaluator here (the `match` has no catch-all, so a
//! new kind does not compile until it is decided); a condition whose fact nobody has
//! recorded is pending — "needs FACT, recorded by ROLE" — never a pass.

use super::continuity::Continuity;
use super::facts::FactKind;
use super::SubsidyFacts;
use crate::domain::catalogue::is_valid_on;
use crate::domain::limits::{check_aggregate_limit, check_new_material_limit, LimitMultiples};
use crate::domain::programme::{
    Condition, ConditionKind, Finding, LimitRule, LimitRuleKind, Programme, RenewalPolicy,
    Severity, SourceRef,
};
use serde::Serialize;

/// How one configured condition came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// 符合
    Met,
    /// 不符合 (or a warning / a pending payment, by the condition's severity)
    NotMet,
    /// 待录入 — a fact it needs is not recorded.
    NeedsFact,
}

/// One configured condition, its outcome and the facts it was decided on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionCheck {
    pub kind: ConditionKind,
    pub outcome: CheckOutcome,
    /// Codes of the facts used (see `Assessment::facts`).
    pub facts: Vec<&'static str>,
    /// How it was decided: the comparison or arithmetic on the facts, in both
    /// languages (e.g. "已缴 4,200.00 元 ≥ 保费 14,000.00 元 × 30% = 4,200.00 元").
    pub detail_zh: String,
    pub detail_en: String,
    pub source: SourceRef,
}

pub(super) fn check(
    p: &Programme,
    f: &SubsidyFacts,
    c: &Continuity,
) -> (Vec<Finding>, Vec<ConditionCheck>) {
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
    let mut checks = Vec::with_capacity(p.conditions.len());
    for condition in &p.conditions {
        let (eval, facts) = evaluate(condition, f);
        let outcome = match eval {
            Eval::Met => CheckOutcome::Met,
            Eval::Unmet(finding) => {
                out.push(finding);
                CheckOutcome::NotMet
            }
            Eval::Needs(kind) => {
                out.push(needs_fact(condition, kind));
                CheckOutcome::NeedsFact
            }
        };
        let (detail_zh, detail_en) = explain(condition, f);
        checks.push(ConditionCheck {
            kind: condition.kind,
            outcome,
            facts,
            detail_zh,
            detail_en,
            source: condition.source.clone(),
        });
    }
    renewal(p, c, &mut out);
    (out, checks)
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

/// What one evaluator decided.
enum Eval {
    Met,
    Unmet(Finding),
    Needs(FactKind),
}

fn unmet(c: &Condition, code: &str, zh: String, en: String) -> Eval {
    Eval::Unmet(Finding::new(code, c.severity, zh, en, c.source.clone()))
}

fn met_unless(cond: bool, or: impl FnOnce() -> Eval) -> Eval {
    if cond {
        or()
    } else {
        Eval::Met
    }
}

/// "pending — needs FACT, recorded by ROLE" (待录入：事实，由角色录入).
fn needs_fact(c: &Condition, kind: FactKind) -> Finding {
    let role = kind.recorder();
    Finding::new(
        &format!("subsidy.needs_fact.{}", kind.as_str()),
        Severity::Pending,
        format!("待录入：{}（由{}录入）", kind.zh(), role.zh()),
        format!(
            "pending — needs {}, recorded by {}",
            kind.en(),
            role.en().to_lowercase()
        ),
        c.source.clone(),
    )
}

/// The one evaluator of each condition kind, with the facts it reads.
fn evaluate(c: &Condition, f: &SubsidyFacts) -> (Eval, Vec<&'static str>) {
    match c.kind {
        ConditionKind::FullPayment => (
            met_unless(f.premium_paid < f.premium, || {
                unmet(
                    c,
                    "subsidy.full_payment_pending",
                    format!(
                        "保费尚未全额缴纳：应缴 {} 元，已缴 {} 元",
                        f.premium.grouped(),
                        f.premium_paid.grouped()
                    ),
                    format!(
                        "premium not fully paid: {} CNY due, {} CNY paid",
                        f.premium.grouped(),
                        f.premium_paid.grouped()
                    ),
                )
            }),
            vec!["premium", "premium_paid"],
        ),
        ConditionKind::PolicyEffective => (
            met_unless(!f.policy_effective, || {
                unmet(
                    c,
                    "subsidy.policy_not_effective",
                    format!("保单尚未正式生效（起保日 {}）", f.period.start),
                    format!(
                        "the policy has not come into force (starts {})",
                        f.period.start
                    ),
                )
            }),
            vec!["policy_effective"],
        ),
        ConditionKind::FirstInstallmentShare => (first_installment(c, f), {
            vec!["premium", "premium_paid", "first_installment"]
        }),
        ConditionKind::MinContractAmount => (
            match c.amount {
                Some(minimum) => met_unless(f.contract_amount < minimum, || {
                    unmet(
                        c,
                        "subsidy.contract_too_small",
                        format!(
                            "销售合同金额 {} 元低于 {} 元",
                            f.contract_amount.grouped(),
                            minimum.grouped()
                        ),
                        format!(
                            "contract amount {} CNY is below {} CNY",
                            f.contract_amount.grouped(),
                            minimum.grouped()
                        ),
                    )
                }),
                // validate() refuses the file without an amount.
                None => Eval::Met,
            },
            vec!["contract_amount"],
        ),
        ConditionKind::OneMakerOneUser => (
            met_unless(f.makers_on_policy != 1 || f.users_on_policy != 1, || {
                unmet(
                    c,
                    "subsidy.one_maker_one_user",
                    format!(
                        "每份保单应对应一家生产企业及一家用户单位（现为 {} 家生产企业、{} 家用户单位）",
                        f.makers_on_policy, f.users_on_policy
                    ),
                    format!(
                        "one maker and one user per policy ({} makers, {} users here)",
                        f.makers_on_policy, f.users_on_policy
                    ),
                )
            }),
            vec!["parties_on_policy"],
        ),
        ConditionKind::BuyerNotRelatedParty => (related(c, f), vec!["chain", "ownership"]),
        ConditionKind::BuyerNotTrader => {
            let trader = f.chain.iter().find(|l| l.trader);
            (
                match trader {
                    Some(l) => unmet(
                        c,
                        "subsidy.buyer_trader",
                        format!("购买单位（{}：{}）为贸易商", l.role.zh(), l.party_name),
                        format!("the buyer ({} {}) is a trader", l.role.en(), l.party_name),
                    ),
                    None => Eval::Met,
                },
                vec!["chain"],
            )
        }
        ConditionKind::EndUserProofViaIntermediary => (
            met_unless(f.via_intermediary && !f.end_user_proof, || {
                unmet(
                    c,
                    "subsidy.end_user_proof_missing",
                    "通过中间方销售，须提供交付最终用户的证明材料".into(),
                    "sold through an intermediary: proof of delivery to the end user is required"
                        .into(),
                )
            }),
            vec!["chain", "end_user_receipt"],
        ),
        ConditionKind::NotNationallySubsidised => (
            match &f.nationally_subsidised {
                None => Eval::Needs(FactKind::NationalSubsidyReceived),
                Some(k) => met_unless(k.value, || {
                    unmet(
                        c,
                        "subsidy.already_national",
                        "该装备已享受国家保险补偿政策".into(),
                        "this equipment already received national insurance compensation".into(),
                    )
                }),
            },
            vec!["national_subsidy_received"],
        ),
        ConditionKind::NotWithApplicationAward => (
            match &f.application_award {
                None => Eval::Needs(FactKind::ApplicationAwardReceived),
                Some(k) => met_unless(k.value, || {
                    unmet(
                        c,
                        "subsidy.with_application_award",
                        "同一装备不得同时享受保险补偿和应用奖励".into(),
                        "the same equipment cannot receive both insurance compensation and the application award".into(),
                    )
                }),
            },
            vec!["application_award_received"],
        ),
        ConditionKind::QualificationValid => (qualification_at_start(c, f), vec!["qualification"]),
        ConditionKind::DeliveryWithinQualification => {
            (delivery(c, f), vec!["qualification", "delivered"])
        }
        ConditionKind::CoverBases => (
            met_unless(!c.bases.contains(&f.basis), || {
                unmet(
                    c,
                    "subsidy.basis_not_supported",
                    "该投保方式不在本政策支持范围内".into(),
                    "this cover basis is not supported by the programme".into(),
                )
            }),
            vec!["cover_basis"],
        ),
        ConditionKind::MakerRegisteredIn => (
            match c.province.as_deref() {
                Some(province) => met_unless(f.maker_province.trim() != province, || {
                    unmet(
                        c,
                        "subsidy.maker_outside_province",
                        format!(
                            "生产企业须在{province}境内注册（登记为 {}）",
                            f.maker_province
                        ),
                        format!(
                            "the maker must be registered in {province} (registered in {})",
                            f.maker_province
                        ),
                    )
                }),
                None => Eval::Met,
            },
            vec!["maker_province"],
        ),
        ConditionKind::NotDishonestEntity => (
            match &f.dishonest_entity {
                None => Eval::Needs(FactKind::CreditStatus),
                Some(k) => met_unless(k.value, || {
                    unmet(
                        c,
                        "subsidy.dishonest_entity",
                        "生产企业为“信用中国”失信主体".into(),
                        "the maker is listed as a dishonest entity on 信用中国".into(),
                    )
                }),
            },
            vec!["credit_status"],
        ),
        ConditionKind::NoFraudBan => (
            match &f.fraud_ban {
                None => Eval::Needs(FactKind::FraudBan),
                Some(k) => match (k.value.banned_from, k.value.banned_until) {
                    (Some(a), Some(b)) if k.value.covers(f.period.start) => unmet(
                        c,
                        "subsidy.fraud_ban",
                        format!("生产企业处于骗补禁止申报期内（{a} 至 {b}）"),
                        format!(
                            "the maker is banned from applying ({a} to {b}) after a fraud finding"
                        ),
                    ),
                    _ => Eval::Met,
                },
            },
            vec!["fraud_ban", "period"],
        ),
        ConditionKind::ManufacturedAndDelivered => (
            match (&f.manufacture_date, &f.delivery_date) {
                (None, _) => Eval::Needs(FactKind::Manufactured),
                (_, None) => Eval::Needs(FactKind::Delivered),
                (Some(m), Some(d)) => met_unless(d.value < m.value, || {
                    unmet(
                        c,
                        "subsidy.delivered_before_made",
                        format!("交付日期 {} 早于制造完成日期 {}", d.value, m.value),
                        format!("delivered {} before it was made {}", d.value, m.value),
                    )
                }),
            },
            vec!["manufactured", "delivered"],
        ),
    }
}

/// 004 第四条 2: the first installment — at least `share` of the premium — must be
/// paid before applying; nothing paid is not eligible.
fn first_installment(c: &Condition, f: &SubsidyFacts) -> Eval {
    let Some(share) = c.share else {
        return Eval::Met;
    };
    let Ok(minimum) = f.premium.mul_decimal(share) else {
        return Eval::Met;
    };
    let pct = (share * rust_decimal::Decimal::ONE_HUNDRED).normalize();
    if f.first_installment < minimum {
        return unmet(
            c,
            "subsidy.first_installment_too_small",
            format!(
                "首期保费 {} 元低于保费总额 {} 元 × {pct}% = {} 元",
                f.first_installment.grouped(),
                f.premium.grouped(),
                minimum.grouped()
            ),
            format!(
                "first installment {} CNY is below {pct} % × premium {} CNY = {} CNY",
                f.first_installment.grouped(),
                f.premium.grouped(),
                minimum.grouped()
            ),
        );
    }
    met_unless(f.premium_paid < minimum, || {
        unmet(
            c,
            "subsidy.first_installment_unpaid",
            format!(
                "已缴保费 {} 元未达首期保费 {} 元 × {pct}% = {} 元",
                f.premium_paid.grouped(),
                f.premium.grouped(),
                minimum.grouped()
            ),
            format!(
                "paid {} CNY is below the first installment {pct} % × premium {} CNY = {} CNY",
                f.premium_paid.grouped(),
                f.premium.grouped(),
                minimum.grouped()
            ),
        )
    })
}

/// 003 一 / 004 第七条 4: no link of the chain (user, intermediary, owner) may be a
/// related company of the maker; through an intermediary the owner must be recorded.
fn related(c: &Condition, f: &SubsidyFacts) -> Eval {
    if let Some(l) = f.chain.iter().find(|l| l.related_party) {
        return unmet(
            c,
            "subsidy.buyer_related_party",
            format!("{}（{}）为生产企业的关联企业", l.role.zh(), l.party_name),
            format!(
                "the {} ({}) is a related party of the maker",
                l.role.en(),
                l.party_name
            ),
        );
    }
    if f.via_intermediary && f.ownership.is_none() {
        return Eval::Needs(FactKind::Ownership);
    }
    Eval::Met
}

fn qualification_at_start(c: &Condition, f: &SubsidyFacts) -> Eval {
    let valid = f
        .qualification
        .is_some_and(|q| is_valid_on(q.valid_from, q.valid_until, f.period.start));
    met_unless(!valid, || {
        unmet(
            c,
            "subsidy.qualification_not_valid",
            format!("起保日 {} 资格无效或未录入", f.period.start),
            format!(
                "no valid qualification on the policy start {}",
                f.period.start
            ),
        )
    })
}

fn delivery(c: &Condition, f: &SubsidyFacts) -> Eval {
    let Some(delivered) = f.delivery_date.as_ref().map(|k| k.value) else {
        return Eval::Needs(FactKind::Delivered);
    };
    let Some(q) = f.qualification else {
        return unmet(
            c,
            "subsidy.qualification_not_valid",
            "未录入资格".into(),
            "no qualification entered".into(),
        );
    };
    met_unless(!is_valid_on(q.valid_from, q.valid_until, delivered), || {
        unmet(
            c,
            "subsidy.delivery_outside_qualification",
            format!(
                "交付时间 {delivered} 不在资格有效期 {} 至 {} 内",
                q.valid_from, q.valid_until
            ),
            format!(
                "delivery on {delivered} is outside the qualification {} to {}",
                q.valid_from, q.valid_until
            ),
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

fn yuan(m: crate::domain::money::Money) -> String {
    format!("{} 元", m.grouped())
}

fn cny(m: crate::domain::money::Money) -> String {
    format!("{} CNY", m.grouped())
}

fn cmp_sign(ok: bool) -> &'static str {
    if ok {
        "≥"
    } else {
        "<"
    }
}

fn unknown() -> (String, String) {
    ("未录入".into(), "not recorded".into())
}

/// The comparison or arithmetic each condition is decided on, for the page and the API.
fn explain(c: &Condition, f: &SubsidyFacts) -> (String, String) {
    match c.kind {
        ConditionKind::FullPayment => {
            let ok = f.premium_paid >= f.premium;
            (
                format!(
                    "已缴 {} {} 应缴 {}",
                    yuan(f.premium_paid),
                    cmp_sign(ok),
                    yuan(f.premium)
                ),
                format!(
                    "paid {} {} due {}",
                    cny(f.premium_paid),
                    cmp_sign(ok),
                    cny(f.premium)
                ),
            )
        }
        ConditionKind::PolicyEffective => {
            if f.policy_effective {
                (
                    format!("保单已于 {} 起生效（含已到期）", f.period.start),
                    format!("in force from {} (expiry included)", f.period.start),
                )
            } else {
                (
                    format!("起保日 {}，尚未生效", f.period.start),
                    format!("starts {}, not yet in force", f.period.start),
                )
            }
        }
        ConditionKind::FirstInstallmentShare => {
            let share = c.share.unwrap_or_default();
            let pct = (share * rust_decimal::Decimal::ONE_HUNDRED).normalize();
            let minimum = f.premium.mul_decimal(share).unwrap_or(f.premium);
            let plan = f.first_installment >= minimum;
            let paid = f.premium_paid >= minimum;
            (
                format!(
                    "首期 {} {} 保费 {} × {pct}% = {}；已缴 {} {} {}",
                    yuan(f.first_installment),
                    cmp_sign(plan),
                    yuan(f.premium),
                    yuan(minimum),
                    yuan(f.premium_paid),
                    cmp_sign(paid),
                    yuan(minimum)
                ),
                format!(
                    "first installment {} {} premium {} × {pct} % = {}; paid {} {} {}",
                    cny(f.first_installment),
                    cmp_sign(plan),
                    cny(f.premium),
                    cny(minimum),
                    cny(f.premium_paid),
                    cmp_sign(paid),
                    cny(minimum)
                ),
            )
        }
        ConditionKind::MinContractAmount => {
            let min = c.amount.unwrap_or_default();
            let ok = f.contract_amount >= min;
            (
                format!(
                    "合同金额 {} {} {}",
                    yuan(f.contract_amount),
                    cmp_sign(ok),
                    yuan(min)
                ),
                format!(
                    "contract {} {} {}",
                    cny(f.contract_amount),
                    cmp_sign(ok),
                    cny(min)
                ),
            )
        }
        ConditionKind::OneMakerOneUser => (
            format!(
                "{} 家生产企业、{} 家用户单位",
                f.makers_on_policy, f.users_on_policy
            ),
            format!(
                "{} maker(s), {} user(s)",
                f.makers_on_policy, f.users_on_policy
            ),
        ),
        ConditionKind::BuyerNotRelatedParty | ConditionKind::BuyerNotTrader => {
            let zh: Vec<String> = f
                .chain
                .iter()
                .map(|l| {
                    let rel = if l.related_party {
                        "关联企业"
                    } else if l.trader {
                        "贸易商"
                    } else {
                        "无关联"
                    };
                    format!("{} {}：{rel}", l.role.zh(), l.party_name)
                })
                .collect();
            let en: Vec<String> = f
                .chain
                .iter()
                .map(|l| {
                    let rel = if l.related_party {
                        "related"
                    } else if l.trader {
                        "trader"
                    } else {
                        "unrelated"
                    };
                    format!("{} {}: {rel}", l.role.en(), l.party_name)
                })
                .collect();
            let owner = match (&f.ownership, f.via_intermediary) {
                (Some(k), _) => (
                    format!("；所有权人 {}", k.value.zh()),
                    format!("; owned by the {}", k.value.en()),
                ),
                (None, true) => ("；所有权人未录入".into(), "; owner not recorded".into()),
                (None, false) => (String::new(), String::new()),
            };
            (
                format!("{}{}", zh.join("；"), owner.0),
                format!("{}{}", en.join("; "), owner.1),
            )
        }
        ConditionKind::EndUserProofViaIntermediary => {
            match (f.via_intermediary, f.end_user_proof) {
                (false, _) => ("直接销售给用户".into(), "sold to the user directly".into()),
                (true, true) => (
                    "经中间方销售，最终用户证明已提供".into(),
                    "through an intermediary, end-user proof on file".into(),
                ),
                (true, false) => (
                    "经中间方销售，缺最终用户证明".into(),
                    "through an intermediary, no end-user proof".into(),
                ),
            }
        }
        ConditionKind::NotNationallySubsidised => match &f.nationally_subsidised {
            Some(k) if k.value => ("已享受国家补偿".into(), "nationally subsidised".into()),
            Some(_) => ("未享受国家补偿".into(), "not nationally subsidised".into()),
            None => unknown(),
        },
        ConditionKind::NotWithApplicationAward => match &f.application_award {
            Some(k) if k.value => ("已获应用奖励".into(), "application award received".into()),
            Some(_) => ("未获应用奖励".into(), "no application award".into()),
            None => unknown(),
        },
        ConditionKind::QualificationValid => match f.qualification {
            Some(q) => (
                format!(
                    "起保日 {} 对照资格 {} 至 {}",
                    f.period.start, q.valid_from, q.valid_until
                ),
                format!(
                    "start {} against the qualification {} to {}",
                    f.period.start, q.valid_from, q.valid_until
                ),
            ),
            None => unknown(),
        },
        ConditionKind::DeliveryWithinQualification => {
            match (f.delivery_date.as_ref(), f.qualification) {
                (Some(d), Some(q)) => (
                    format!(
                        "交付 {} 对照资格 {} 至 {}",
                        d.value, q.valid_from, q.valid_until
                    ),
                    format!(
                        "delivered {} against the qualification {} to {}",
                        d.value, q.valid_from, q.valid_until
                    ),
                ),
                _ => unknown(),
            }
        }
        ConditionKind::CoverBases => (
            format!("投保方式 {}", crate::domain::limits::basis_zh(f.basis)),
            format!("cover basis {}", crate::domain::limits::basis_en(f.basis)),
        ),
        ConditionKind::MakerRegisteredIn => (
            format!(
                "注册地 {} 对照 {}",
                f.maker_province,
                c.province.as_deref().unwrap_or("")
            ),
            format!(
                "registered in {} against {}",
                f.maker_province,
                c.province.as_deref().unwrap_or("")
            ),
        ),
        ConditionKind::NotDishonestEntity => match &f.dishonest_entity {
            Some(k) if k.value => ("失信主体".into(), "listed as dishonest".into()),
            Some(_) => ("非失信主体".into(), "not listed".into()),
            None => unknown(),
        },
        ConditionKind::NoFraudBan => match &f.fraud_ban {
            Some(k) => match (k.value.banned_from, k.value.banned_until) {
                (Some(a), Some(b)) => (
                    format!("禁止申报 {a} 至 {b}，起保日 {}", f.period.start),
                    format!("banned {a} to {b}, policy starts {}", f.period.start),
                ),
                _ => ("无禁止申报".into(), "no ban".into()),
            },
            None => unknown(),
        },
        ConditionKind::ManufacturedAndDelivered => match (&f.manufacture_date, &f.delivery_date) {
            (Some(m), Some(d)) => (
                format!("制造 {}，交付 {}", m.value, d.value),
                format!("made {}, delivered {}", m.value, d.value),
            ),
            _ => unknown(),
        },
    }
}
