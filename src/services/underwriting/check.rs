//! Checking and pricing a quote: input sanity, the parties and product, the hard
//! rules and the warnings, then the rate filing. Every problem is reported at once.

use super::{authority, Ctx, QuoteInput};
use crate::domain::catalogue::UnitType;
use crate::domain::clauses::ClauseSet;
use crate::domain::cover_basis::{self, CoverFacts, Qualification};
use crate::domain::limits::{self, LimitMultiples};
use crate::domain::money::Money;
use crate::domain::programme::{Finding, Severity, SourceRef};
use crate::domain::rating::{self, RatingRequest};
use crate::domain::role::Role;
use crate::services::{Actor, FieldError, ServiceError, ServiceResult};
use crate::store::catalogue::CatalogueRow;
use crate::store::policies::{self, PartyFacts};
use crate::store::{catalogue, Tx};

/// A quote that passed every hard rule, with its price.
pub struct Priced {
    pub maker_name: String,
    pub user_name: String,
    pub product_name: String,
    pub clause_set: ClauseSet,
    pub insured_value: Money,
    pub quote: rating::Quote,
    /// Acknowledged warnings and the reasons for referral.
    pub findings: Vec<Finding>,
    /// What the quote asks of the authority ladder.
    pub ask: crate::domain::authority::Ask,
    /// The level of the ladder a referral waits for (set when `quote.needs_referral()`).
    pub level: Option<Role>,
    /// Days the cover starts before today (倒签), 0 when it does not.
    pub backdated_days: i64,
}

fn err(field: &str, en: impl Into<String>, zh: impl Into<String>) -> FieldError {
    FieldError::new(field, en, zh)
}

/// Which input field a finding is about, so forms can show it in place.
fn field_of(code: &str) -> &'static str {
    match code.split('.').next().unwrap_or("") {
        "limit" => "aggregate_limit",
        "qualification" => "catalogue_item_id",
        "basis" => "cover_basis",
        _ => "acknowledged",
    }
}

fn shape(input: &QuoteInput, errors: &mut Vec<FieldError>) {
    if input.units.is_empty() {
        errors.push(err(
            "units",
            "enter at least one unit or batch",
            "请至少录入一台(套)或一个批次",
        ));
    }
    for (i, u) in input.units.iter().enumerate() {
        if u.serial.trim().is_empty() || u.quantity == 0 || u.unit_value.is_negative() {
            errors.push(err(
                "units",
                format!("line {}: serial or batch number, a quantity of at least 1 and a non-negative unit value are needed", i + 1),
                format!("第 {} 行：须填写出厂编号或批次号、数量不少于 1、单价不为负", i + 1),
            ));
        }
    }
    for (i, c) in input.contracts.iter().enumerate() {
        if c.number.trim().is_empty() || c.amount.is_negative() {
            errors.push(err(
                "contracts",
                format!(
                    "contract {}: a number and a non-negative amount are needed",
                    i + 1
                ),
                format!("第 {} 份合同：须填写合同编号且金额不为负", i + 1),
            ));
        }
    }
    if input.period_end < input.period_start {
        errors.push(err(
            "period_end",
            "the period must end on or after its start",
            "终保日期不得早于起保日期",
        ));
    }
    if input.insured_value().is_none() {
        errors.push(err(
            "units",
            "the insured value is too large",
            "投保装备总价值过大",
        ));
    }
    if input.contract_amount().is_none() {
        errors.push(err(
            "contracts",
            "the contract amounts add up to more than can be computed",
            "合同金额合计超出可计算范围",
        ));
    }
}

/// The party's name if it exists with the right kind; otherwise a field error.
fn party_of_kind(
    found: (Option<String>, Option<String>),
    id: i64,
    kind: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> String {
    match found {
        (Some(k), Some(name)) if k == kind => name,
        _ => {
            errors.push(err(
                field,
                format!("no {kind} with id {id}"),
                format!("无此{}（编号 {id}）", kind_zh(kind)),
            ));
            String::new()
        }
    }
}

fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "maker" => "制造企业",
        "user" => "用户单位",
        _ => "中间方",
    }
}

/// Sections must exist, the mandatory ones must be taken, limits within the aggregate.
fn sections(input: &QuoteInput, set: &ClauseSet, errors: &mut Vec<FieldError>) {
    for s in set.sections.iter().filter(|s| !s.optional) {
        if !input.sections.iter().any(|c| c.code == s.code) {
            errors.push(err(
                "sections",
                format!("section {} ({}) is mandatory", s.code, s.name.en),
                format!("{}（{}）为必选保险责任", s.name.zh, s.code),
            ));
        }
    }
    // The maker chooses its lines where the set allows it, but takes at least one.
    if !set.choose_at_least_one.is_empty()
        && !input
            .sections
            .iter()
            .any(|c| set.choose_at_least_one.contains(&c.code))
    {
        let names = set.choose_at_least_one.join(" / ");
        errors.push(err(
            "sections",
            format!("choose at least one of {names}"),
            format!("请至少选择 {names} 中的一项保险责任"),
        ));
    }
    for c in &input.sections {
        let Some(section) = set.section(&c.code) else {
            errors.push(err(
                "sections",
                format!(
                    "section {} is not in clause set {} {}",
                    c.code, set.id, set.version.0
                ),
                format!(
                    "条款 {} {} 中没有保险责任部分 {}",
                    set.id, set.version.0, c.code
                ),
            ));
            continue;
        };
        if let Some(limit) = c.limit {
            if limit > input.aggregate_limit
                || !limit.to_decimal().is_sign_positive()
                || limit.is_zero()
            {
                errors.push(err(
                    "sections",
                    format!("the limit of section {} must be above zero and at most the aggregate limit", c.code),
                    format!("{} 分项限额须大于零且不超过累计责任限额", section.name.zh),
                ));
            }
        }
        if let Some(d) = &c.deductible {
            if !section.deductible_options.iter().any(|o| &o.code == d) {
                errors.push(err(
                    "sections",
                    format!("deductible {d} is not offered for section {}", c.code),
                    format!("{} 没有免赔选项 {d}", section.name.zh),
                ));
            }
        }
    }
}

fn default_clause_set(unit_type: UnitType) -> &'static str {
    match unit_type {
        UnitType::NewMaterial => "first-batch-new-materials",
        _ => "first-set-equipment",
    }
}

/// Check everything and price; hard findings and unacknowledged warnings are refused.
/// `new_cover` is true for a quote, a re-quote and a renewal (whose dates are checked
/// against today: backdating), false for an endorsement of cover already agreed.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn price(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    actor: &Actor,
    input: &QuoteInput,
    new_cover: bool,
) -> ServiceResult<Priced> {
    let mut errors = Vec::new();
    shape(input, &mut errors);
    let facts =
        policies::party_facts(tx, input.maker_id, input.user_id, input.intermediary_id).await?;
    let maker_name = party_of_kind(
        (facts.maker_kind.clone(), facts.maker_name.clone()),
        input.maker_id,
        "maker",
        "maker_id",
        &mut errors,
    );
    let user_name = party_of_kind(
        (facts.user_kind.clone(), facts.user_name.clone()),
        input.user_id,
        "user",
        "user_id",
        &mut errors,
    );
    if let Some(id) = input.intermediary_id {
        let kind = facts.intermediary_kind.clone();
        party_of_kind(
            (kind.clone(), kind),
            id,
            "intermediary",
            "intermediary_id",
            &mut errors,
        );
    }
    if let Some(p) = &input.programme_id {
        if ctx.library.programme(p).is_none() {
            errors.push(err(
                "programme_id",
                format!("no programme {p}"),
                format!("无补贴政策 {p}"),
            ));
        }
    }
    let item = catalogue::get(tx, input.catalogue_item_id)
        .await?
        .filter(|c| c.maker_id == input.maker_id);
    let Some(item) = item else {
        errors.push(err(
            "catalogue_item_id",
            "no catalogue product of this maker with that id",
            "该制造企业的目录产品中没有此编号",
        ));
        return Err(ServiceError::Validation(errors));
    };
    let unit_type: UnitType = item
        .unit_type
        .parse()
        .map_err(|e: String| ServiceError::Internal(e))?;
    let set_id = input
        .clause_set_id
        .clone()
        .unwrap_or_else(|| default_clause_set(unit_type).to_string());
    let set = match &input.clause_set_version {
        Some(v) => ctx.library.clause_set(&set_id, v),
        None => ctx.library.latest_clause_set(&set_id),
    };
    let Some(set) = set.cloned() else {
        errors.push(err(
            "clause_set_version",
            format!("no clause set {set_id} in that version"),
            format!("条款库中没有 {set_id} 的该版本"),
        ));
        return Err(ServiceError::Validation(errors));
    };
    sections(input, &set, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let insured_value = input.insured_value().unwrap_or(Money::ZERO);
    let mut findings = rules(input, &item, unit_type, insured_value, &facts);
    let backdating = if new_cover {
        authority::backdating(ctx.clock.today(), input)
    } else {
        authority::backdating(input.period_start, input)
    };
    findings.extend(backdating.warning.clone());
    refuse_hard_and_unacknowledged(&findings, &input.acknowledged)?;
    if let Some(e) = authority::reason_missing(&backdating, input) {
        return Err(ServiceError::Validation(vec![e]));
    }
    let filing = ctx
        .library
        .rate_filing(&set.id, &set.version.0)
        .ok_or_else(|| {
            ServiceError::field(
                "clause_set_version",
                "this clause set version has no rate filing",
                "该条款版本没有费率备案",
            )
        })?;
    // The quoting person's own level of the ladder sets the limit they accept alone.
    let authority = authority::own_level(ctx, actor.role).limit_authority;
    let request = RatingRequest {
        sections: input.sections.iter().map(|s| s.code.clone()).collect(),
        factors: input.factors,
        insured_value,
        aggregate_limit: input.aggregate_limit,
        authority_limit: authority,
    };
    let mut quote = rating::quote(filing, &request)
        .map_err(|e| ServiceError::field("factors", e.to_string(), e.to_string()))?;
    quote.referrals.extend(backdating.wholly_past.clone());
    let ask = authority::ask(
        input.aggregate_limit,
        crate::domain::authority::deviation(quote.rate, &filing.band),
        backdating.wholly_past.is_some(),
    );
    let level = if quote.needs_referral() {
        Some(authority::route(ctx, &ask)?)
    } else {
        None
    };
    let mut kept: Vec<Finding> = findings;
    kept.extend(quote.referrals.iter().cloned());
    Ok(Priced {
        maker_name,
        user_name,
        product_name: item.product_name.clone(),
        clause_set: set,
        insured_value,
        quote,
        findings: kept,
        ask,
        level,
        backdated_days: backdating.days,
    })
}

/// Cover basis, qualification, the limit rule and the buyer's relation to the maker.
fn rules(
    input: &QuoteInput,
    item: &CatalogueRow,
    unit_type: UnitType,
    insured_value: Money,
    parties: &PartyFacts,
) -> Vec<Finding> {
    let facts = CoverFacts {
        basis: input.cover_basis,
        unit_type,
        units: input.unit_count(),
        total_value: insured_value,
        contract_dates: input.contracts.iter().map(|c| c.signed_on).collect(),
        same_specification: input.same_specification,
        same_production_batch: input.same_production_batch,
        first_use_by_user: input.first_use_by_user,
        policy_start: input.period_start,
        delivery_date: input.delivery_date,
        qualification: Some(Qualification {
            valid_from: item.valid_from,
            valid_until: item.valid_until,
        }),
    };
    let mut findings = cover_basis::check(&facts);
    if unit_type == UnitType::NewMaterial {
        findings.extend(limits::check_new_material_limit(
            input.aggregate_limit,
            input.contract_amount().unwrap_or(Money::ZERO),
            None,
        ));
    } else if let Err(e) = limits::check_aggregate_limit(
        input.cover_basis,
        insured_value,
        input.aggregate_limit,
        &LimitMultiples::annex_003(),
    ) {
        findings.push(e.to_finding(Severity::Hard, limits::source_003()));
    }
    for (relation, zh, en) in [
        (
            "related_party",
            "用户单位与制造企业为关联企业，属审核重点",
            "the user is a related party of the maker: a review focus",
        ),
        ("trader", "用户单位为贸易商", "the user is a trader"),
    ] {
        let recorded = match relation {
            "related_party" => parties.related_party,
            _ => parties.trader,
        };
        if recorded {
            findings.push(Finding::new(
                &format!("party.{relation}"),
                Severity::Warning,
                zh.into(),
                en.into(),
                SourceRef::new("001_5f2f9fd03269e1b0.txt", "四", "关联交易"),
            ));
        }
    }
    findings
}

/// Hard findings stop the quote; warnings stop it until acknowledged by code.
fn refuse_hard_and_unacknowledged(
    findings: &[Finding],
    acknowledged: &[String],
) -> ServiceResult<()> {
    let mut errors = Vec::new();
    for f in findings {
        let open = match f.severity {
            Severity::Hard => true,
            Severity::Warning => !acknowledged.iter().any(|a| a == &f.code),
            Severity::Pending => false,
        };
        if !open {
            continue;
        }
        let (en, zh) = if f.severity == Severity::Hard {
            (
                format!(
                    "[{}] {} ({} {})",
                    f.code, f.text.en, f.source.seed, f.source.article
                ),
                format!(
                    "[{}] {}（{} {}）",
                    f.code, f.text.zh, f.source.seed, f.source.article
                ),
            )
        } else {
            (
                format!("[{}] warning to acknowledge: {}", f.code, f.text.en),
                format!("[{}] 须确认的提示：{}", f.code, f.text.zh),
            )
        };
        let field = if f.severity == Severity::Hard {
            field_of(&f.code)
        } else {
            "acknowledged"
        };
        errors.push(err(field, en, zh));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Validation(errors))
    }
}
