//! The cover check at notification (报案时的承保责任初审): is the policy in force on
//! the event date, does a section on it cover this kind of claim, are the units
//! insured, is the claim within the limitation period, and what is left of the limits.
//! Refusals stop the registration; notes are shown and kept with the claim.

use super::clocks::limitation_end;
use crate::domain::clauses::ClaimType;
use crate::domain::money::Money;
use crate::domain::policy_state::PolicyState;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A section the policy carries, as the check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySection {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// An extension (扩展条款): used only when no main section covers the claim.
    pub optional: bool,
    pub claim_types: Vec<ClaimType>,
    /// 分项责任限额, when the policy sets one.
    pub limit: Option<Money>,
    /// Already paid against that section limit.
    pub used: Money,
}

/// Everything the check looks at.
#[derive(Debug, Clone)]
pub struct CoverFacts<'a> {
    pub policy_state: PolicyState,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub event_date: NaiveDate,
    pub known_date: Option<NaiveDate>,
    pub reported_on: NaiveDate,
    pub claim_type: ClaimType,
    pub sections: &'a [PolicySection],
    /// Serial or batch numbers on the policy (出厂编号/批次号).
    pub insured_units: &'a [String],
    /// The units the claim is about.
    pub claimed_units: &'a [String],
    pub aggregate_limit: Money,
    pub aggregate_used: Money,
    pub premium: Money,
    /// Premium collected, when billing can tell; `None` = not known here.
    pub premium_paid: Option<Money>,
}

/// One reason, in both languages, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CoverReason {
    pub code: String,
    pub zh: String,
    pub en: String,
}

impl CoverReason {
    fn new(code: &str, zh: String, en: String) -> CoverReason {
        CoverReason {
            code: code.into(),
            zh,
            en,
        }
    }
}

/// The result, stored with the claim as JSON and shown on its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CoverCheck {
    pub in_period: bool,
    /// The section that answers the claim, if one does.
    pub section_code: Option<String>,
    pub units_insured: bool,
    pub uninsured_units: Vec<String>,
    #[schema(value_type = Option<String>)]
    pub section_left: Option<Money>,
    #[schema(value_type = String)]
    pub aggregate_left: Money,
    #[schema(value_type = String)]
    pub premium: Money,
    #[schema(value_type = Option<String>)]
    pub premium_paid: Option<Money>,
    pub limitation_ends_on: NaiveDate,
    /// Reasons the claim cannot be registered.
    pub refusals: Vec<CoverReason>,
    /// Things the handler must look at, which do not stop registration.
    pub notes: Vec<CoverReason>,
}

impl CoverCheck {
    pub fn passed(&self) -> bool {
        self.refusals.is_empty()
    }
}

/// The last day of cover: the period end, or the cancellation date if earlier.
fn cover_ends(f: &CoverFacts<'_>) -> Option<NaiveDate> {
    match f.policy_state {
        PolicyState::Issued { .. } | PolicyState::InForce | PolicyState::Expired => {
            Some(f.period_end)
        }
        PolicyState::Cancelled {
            on,
            was_issued: true,
            ..
        } => Some(on.min(f.period_end)),
        _ => None,
    }
}

pub fn check_cover(f: &CoverFacts<'_>) -> CoverCheck {
    let mut refusals = Vec::new();
    let mut notes = Vec::new();
    let ends = cover_ends(f);
    let in_period = ends.is_some_and(|end| f.event_date >= f.period_start && f.event_date <= end);
    match ends {
        None => refusals.push(CoverReason::new(
            "policy_not_issued",
            "保单尚未出单，不承担保险责任".into(),
            "the policy has not been issued".into(),
        )),
        Some(end) if !in_period => refusals.push(CoverReason::new(
            "outside_period",
            format!(
                "出险日期 {} 不在保险期间 {} 至 {} 内",
                f.event_date, f.period_start, end
            ),
            format!(
                "the event date {} is outside the period of cover {} to {}",
                f.event_date, f.period_start, end
            ),
        )),
        Some(_) => {}
    }
    let covering = |optional: bool| {
        f.sections
            .iter()
            .find(|s| s.optional == optional && s.claim_types.contains(&f.claim_type))
    };
    let section = covering(false).or_else(|| covering(true));
    if section.is_none() {
        let kind = f.claim_type.as_str();
        refusals.push(CoverReason::new(
            "section_not_on_policy",
            format!("保单未承保该类索赔（{kind}）的保险责任部分"),
            format!("no section on the policy covers a {kind} claim"),
        ));
    }
    let uninsured: Vec<String> = f
        .claimed_units
        .iter()
        .filter(|u| !f.insured_units.iter().any(|i| i == u.trim()))
        .cloned()
        .collect();
    if f.claimed_units.is_empty() {
        refusals.push(CoverReason::new(
            "no_units",
            "请列明受损装备的出厂编号或批次号".into(),
            "name the serial or batch numbers of the units affected".into(),
        ));
    }
    if !uninsured.is_empty() {
        refusals.push(CoverReason::new(
            "uninsured_units",
            format!(
                "以下装备不在保单承保清单内：{}（承保：{}）",
                uninsured.join("、"),
                f.insured_units.join("、")
            ),
            format!(
                "these units are not insured by the policy: {} (insured: {})",
                uninsured.join(", "),
                f.insured_units.join(", ")
            ),
        ));
    }
    let limitation_ends_on = limitation_end(f.event_date, f.known_date);
    if f.reported_on > limitation_ends_on {
        refusals.push(CoverReason::new(
            "time_barred",
            format!("索赔权已于 {limitation_ends_on} 届满两年时效（保险法第二十六条）"),
            format!("the right to claim lapsed on {limitation_ends_on} (2 years, Insurance Law art. 26)"),
        ));
    }
    let aggregate_left = f.aggregate_limit.remaining(f.aggregate_used);
    let section_left = section.and_then(|s| s.limit.map(|l| l.remaining(s.used)));
    if aggregate_left.is_zero() || section_left.is_some_and(|l| l.is_zero()) {
        notes.push(CoverReason::new(
            "limit_exhausted",
            "责任限额已用尽，无可赔付余额".into(),
            "the limit is used up; nothing is left to pay".into(),
        ));
    }
    match f.premium_paid {
        Some(paid) if paid < f.premium => notes.push(CoverReason::new(
            "premium_outstanding",
            format!(
                "保费未缴清：应缴 {}，已缴 {}",
                f.premium.grouped(),
                paid.grouped()
            ),
            format!(
                "premium not fully paid: {} due, {} paid",
                f.premium.grouped(),
                paid.grouped()
            ),
        )),
        Some(_) => {}
        None => notes.push(CoverReason::new(
            "premium_status_unknown",
            format!("保费 {}；缴费情况请向财务核实", f.premium.grouped()),
            format!(
                "premium {}; ask finance whether it is paid",
                f.premium.grouped()
            ),
        )),
    }
    CoverCheck {
        in_period,
        section_code: section.map(|s| s.code.clone()),
        units_insured: uninsured.is_empty() && !f.claimed_units.is_empty(),
        uninsured_units: uninsured,
        section_left,
        aggregate_left,
        premium: f.premium,
        premium_paid: f.premium_paid,
        limitation_ends_on,
        refusals,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy_state::CancelReason;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn sections() -> Vec<PolicySection> {
        vec![
            PolicySection {
                code: "INSTALL".into(),
                name_zh: "安装".into(),
                name_en: "Install".into(),
                optional: true,
                claim_types: vec![ClaimType::QualityRepair],
                limit: None,
                used: Money::ZERO,
            },
            PolicySection {
                code: "QUALITY".into(),
                name_zh: "质量".into(),
                name_en: "Quality".into(),
                optional: false,
                claim_types: vec![ClaimType::QualityRepair, ClaimType::QualityReturn],
                limit: Some(Money::from_yuan(300_000)),
                used: Money::from_yuan(100_000),
            },
        ]
    }

    fn check(event: NaiveDate, units: &[&str], state: PolicyState) -> CoverCheck {
        let secs = sections();
        let insured = vec!["S-1".to_string(), "S-2".to_string()];
        let claimed: Vec<String> = units.iter().map(|s| s.to_string()).collect();
        check_cover(&CoverFacts {
            policy_state: state,
            period_start: d(2026, 1, 1),
            period_end: d(2026, 12, 31),
            event_date: event,
            known_date: None,
            reported_on: d(2026, 6, 1),
            claim_type: ClaimType::QualityRepair,
            sections: &secs,
            insured_units: &insured,
            claimed_units: &claimed,
            aggregate_limit: Money::from_yuan(1_000_000),
            aggregate_used: Money::from_yuan(250_000),
            premium: Money::from_yuan(20_000),
            premium_paid: None,
        })
    }

    #[test]
    fn an_insured_unit_in_the_period_passes_with_the_main_section_and_limits_left() {
        let c = check(d(2026, 5, 1), &["S-2"], PolicyState::InForce);
        assert!(c.passed(), "{:?}", c.refusals);
        assert_eq!(c.section_code.as_deref(), Some("QUALITY"));
        assert_eq!(c.section_left, Some(Money::from_yuan(200_000)));
        assert_eq!(c.aggregate_left, Money::from_yuan(750_000));
        assert_eq!(c.notes[0].code, "premium_status_unknown");
    }

    #[test]
    fn an_event_outside_the_period_is_refused_with_the_dates() {
        let c = check(d(2025, 12, 31), &["S-1"], PolicyState::Expired);
        assert!(!c.in_period);
        assert_eq!(c.refusals[0].code, "outside_period");
        assert!(c.refusals[0].en.contains("2025-12-31"));
        assert!(c.refusals[0].zh.contains("2026-01-01 至 2026-12-31"));
    }

    #[test]
    fn cover_ends_on_the_cancellation_date() {
        let state = PolicyState::Cancelled {
            on: d(2026, 3, 31),
            reason: CancelReason::PolicyholderRequest,
            was_issued: true,
        };
        assert!(check(d(2026, 3, 31), &["S-1"], state).passed());
        assert_eq!(
            check(d(2026, 4, 1), &["S-1"], state).refusals[0].code,
            "outside_period"
        );
    }

    #[test]
    fn an_uninsured_unit_is_named_in_the_refusal() {
        let c = check(d(2026, 5, 1), &["S-1", "X-9"], PolicyState::InForce);
        assert_eq!(c.uninsured_units, vec!["X-9".to_string()]);
        assert_eq!(c.refusals[0].code, "uninsured_units");
        assert!(c.refusals[0].zh.contains("X-9"));
    }

    #[test]
    fn a_quote_gives_no_cover() {
        let c = check(d(2026, 5, 1), &["S-1"], PolicyState::new_quote());
        assert_eq!(c.refusals[0].code, "policy_not_issued");
    }
}
