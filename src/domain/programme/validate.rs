//! Semantic checks on a programme: ratios within [0, 1] and ordered by tier, windows
//! that start before they end, parameters present where a rule needs them.

use super::rules::{
    CapScope, Condition, ConditionKind, LimitRule, LimitRuleKind, PremiumBasis, ShareRule,
};
use super::{Programme, Severity, SourceRef};
use crate::domain::clauses::issue::{check_code, check_kind, check_unique};
use crate::domain::clauses::{DocumentKind, Issue, KeyPath};
use rust_decimal::Decimal;

pub(super) fn programme(p: &Programme) -> Vec<Issue> {
    let root = KeyPath::root();
    let mut issues = Vec::new();
    check_kind(p.kind, DocumentKind::Programme, &mut issues);
    check_code(&p.id, root.key("id"), &mut issues);
    p.name.check(&root.key("name"), &mut issues);
    p.jurisdiction.check(&root.key("jurisdiction"), &mut issues);
    if p.products.is_empty() {
        issues.push(Issue::new(
            root.key("products"),
            "name at least one product line",
        ));
    }
    if p.documents.is_empty() {
        issues.push(Issue::new(root.key("documents"), "name the seed documents"));
    }
    share(&p.share, &root.key("share"), &mut issues);
    if p.share.basis == PremiumBasis::PremiumAtCappedRate && p.rate_cap.is_none() {
        issues.push(Issue::new(
            root.key("share").key("basis"),
            "premium_at_capped_rate needs a [rate_cap]",
        ));
    }
    for (i, cap) in p.amount_caps.iter().enumerate() {
        let at = root.key("amount_caps").index(i);
        source(&cap.source, &at.key("source"), &mut issues);
        match (cap.scope, cap.amount) {
            (CapScope::EnterprisePerYear, None) => {
                issues.push(Issue::new(at.key("scope"), "a yearly cap needs an amount"))
            }
            (CapScope::EnterprisePerYear, Some(a)) if a.is_negative() || a.is_zero() => {
                issues.push(Issue::new(at.key("amount"), "a cap must be above 0"))
            }
            (CapScope::QualificationQuota, Some(_)) => issues.push(Issue::new(
                at.key("amount"),
                "the quota is the enterprise's own (an input); leave the amount out",
            )),
            _ => {}
        }
    }
    if let Some(cap) = &p.rate_cap {
        source(
            &cap.source,
            &root.key("rate_cap").key("source"),
            &mut issues,
        );
        if cap.rate == crate::domain::money::Rate::ZERO {
            issues.push(Issue::new(
                root.key("rate_cap").key("rate"),
                "a rate cap of 0",
            ));
        }
    }
    if let Some(years) = &p.years {
        source(&years.source, &root.key("years").key("source"), &mut issues);
        if years.max_years == 0 {
            issues.push(Issue::new(
                root.key("years").key("max_years"),
                "max_years must be at least 1",
            ));
        }
    }
    source(
        &p.renewal.source,
        &root.key("renewal").key("source"),
        &mut issues,
    );
    if p.renewal.severity == Severity::Pending {
        issues.push(Issue::new(
            root.key("renewal").key("severity"),
            "a renewal rule cannot be pending",
        ));
    }
    if let Some(w) = &p.policy_start_window {
        source(
            &w.source,
            &root.key("policy_start_window").key("source"),
            &mut issues,
        );
        if w.from > w.to {
            issues.push(Issue::new(
                root.key("policy_start_window").key("from"),
                format!("window starts {} after it ends {}", w.from, w.to),
            ));
        }
    }
    if let Some(rule) = &p.limit_rule {
        limit_rule(rule, &root.key("limit_rule"), &mut issues);
    }
    if let Some(r) = &p.annual_report {
        let at = root.key("annual_report");
        r.recipient.check(&at.key("recipient"), &mut issues);
        r.title.check(&at.key("title"), &mut issues);
        source(&r.source, &at.key("source"), &mut issues);
    }
    let kinds: Vec<String> = p
        .conditions
        .iter()
        .map(|c| format!("{:?}", c.kind))
        .collect();
    check_unique(
        kinds.iter().map(String::as_str),
        |i| root.key("conditions").index(i).key("kind"),
        "condition",
        &mut issues,
    );
    for (i, c) in p.conditions.iter().enumerate() {
        condition(c, &root.key("conditions").index(i), &mut issues);
    }
    issues
}

fn ratio(value: Decimal, at: KeyPath, issues: &mut Vec<Issue>) {
    if value < Decimal::ZERO || value > Decimal::ONE {
        issues.push(Issue::new(
            at,
            format!("{value} is not a ratio in [0, 1] (write 80 % as 0.80)"),
        ));
    }
}

fn share(s: &ShareRule, at: &KeyPath, issues: &mut Vec<Issue>) {
    source(&s.source, &at.key("source"), issues);
    if let Some(extra) = &s.interruption_source {
        source(extra, &at.key("interruption_source"), issues);
    }
    match (&s.ratio, &s.tier_ratios) {
        (Some(r), None) => ratio(*r, at.key("ratio"), issues),
        (None, Some(t)) => {
            let tiers = at.key("tier_ratios");
            ratio(t.international, tiers.key("international"), issues);
            ratio(t.domestic, tiers.key("domestic"), issues);
            ratio(t.provincial, tiers.key("provincial"), issues);
            if !(t.international >= t.domestic && t.domestic >= t.provincial) {
                issues.push(Issue::new(
                    tiers,
                    "tier ratios should not rise from international to domestic to provincial",
                ));
            }
        }
        _ => issues.push(Issue::new(
            at.key("ratio"),
            "give exactly one of 'ratio' and 'tier_ratios'",
        )),
    }
    if s.yearly_decrement < Decimal::ZERO || s.yearly_decrement >= Decimal::ONE {
        issues.push(Issue::new(
            at.key("yearly_decrement"),
            "a yearly decrement is in [0, 1)",
        ));
    }
}

fn limit_rule(rule: &LimitRule, at: &KeyPath, issues: &mut Vec<Issue>) {
    source(&rule.source, &at.key("source"), issues);
    let multiples = [
        ("first_set", rule.first_set),
        ("first_batch", rule.first_batch),
        ("first_year", rule.first_year),
    ];
    for (key, value) in multiples {
        match (rule.kind, value) {
            (LimitRuleKind::ValueMultiples, None) => issues.push(Issue::new(
                at.key("kind"),
                format!("value_multiples needs '{key}'"),
            )),
            (LimitRuleKind::ValueMultiples, Some(m)) if m <= Decimal::ZERO => {
                issues.push(Issue::new(at.key(key), "a multiple must be above 0"))
            }
            (LimitRuleKind::ContractAmount, Some(_)) => issues.push(Issue::new(
                at.key(key),
                "contract_amount rules take no multiples",
            )),
            _ => {}
        }
    }
}

fn condition(c: &Condition, at: &KeyPath, issues: &mut Vec<Issue>) {
    source(&c.source, &at.key("source"), issues);
    let needs = |present: bool, key: &str, issues: &mut Vec<Issue>| {
        if !present {
            issues.push(Issue::new(
                at.key("kind"),
                format!("{:?} needs '{key}'", c.kind),
            ));
        }
    };
    match c.kind {
        ConditionKind::FirstInstallmentShare => {
            needs(c.share.is_some(), "share", issues);
            if let Some(s) = c.share {
                ratio(s, at.key("share"), issues);
            }
        }
        ConditionKind::MinContractAmount => needs(c.amount.is_some(), "amount", issues),
        ConditionKind::CoverBases => needs(!c.bases.is_empty(), "bases", issues),
        ConditionKind::MakerRegisteredIn => needs(c.province.is_some(), "province", issues),
        _ => {}
    }
    let may_pend = matches!(
        c.kind,
        ConditionKind::FullPayment
            | ConditionKind::PolicyEffective
            | ConditionKind::FirstInstallmentShare
            | ConditionKind::ManufacturedAndDelivered
    );
    if c.severity == Severity::Pending && !may_pend {
        issues.push(Issue::new(
            at.key("severity"),
            "only payment, effectiveness and delivery conditions can be pending",
        ));
    }
}

fn source(s: &SourceRef, at: &KeyPath, issues: &mut Vec<Issue>) {
    if !s.seed.ends_with(".txt") || s.seed.contains('/') {
        issues.push(Issue::new(
            at.key("seed"),
            format!("'{}' is not a seed file name", s.seed),
        ));
    }
    if s.article.trim().is_empty() {
        issues.push(Issue::new(
            at.key("article"),
            "name the article or paragraph",
        ));
    }
    if s.quote.trim().is_empty() {
        issues.push(Issue::new(at.key("quote"), "quote the rule in Chinese"));
    }
}
