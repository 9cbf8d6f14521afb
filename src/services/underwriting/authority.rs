//! The authority ladder at work (核保权限阶梯), backdated cover (倒签) and the quote's
//! validity (报价有效期). The rules are in `domain::authority`; this module applies them
//! to quotes, referrals and the clock.

use super::{Ctx, QuoteInput};
use crate::clock::business_date;
use crate::domain::authority::{Ask, Ladder, Level};
use crate::domain::money::Money;
use crate::domain::programme::{Finding, Severity, SourceRef};
use crate::domain::role::Role;
use crate::services::{FieldError, Refusal, ServiceError, ServiceResult};
use crate::store::policies::PolicyRow;
use chrono::{Duration, NaiveDate};

/// 000 (九): 弄虚作假 — backdated cover is where a loss already known gets insured.
const S000: &str = "000_641e00229bc486a9.txt";

pub fn ladder<'a>(ctx: &Ctx<'a>) -> &'a Ladder {
    &ctx.config.underwriting.ladder
}

/// The actor's own level; someone not on the ladder quotes with the lowest level's authority.
pub fn own_level<'a>(ctx: &Ctx<'a>, role: Role) -> &'a Level {
    let l = ladder(ctx);
    l.level(role).unwrap_or(&l.levels()[0])
}

/// The level a referral waits for: the lowest deciding level covering `ask`; what no
/// level covers is refused.
pub fn route(ctx: &Ctx<'_>, ask: &Ask) -> ServiceResult<Role> {
    let l = ladder(ctx);
    if let Some(level) = l.decider_for(ask) {
        return Ok(level.role);
    }
    let top = l.top();
    Err(ServiceError::refused(
        Refusal::BeyondAuthorityLadder,
        format!(
            "超出核保权限阶梯最高层级（{}：累计责任限额 {} 元，费率偏离 {}%{}）的权限，任何层级均不能承保",
            top.role.zh(),
            top.limit_authority.grouped(),
            (top.rate_deviation_authority * rust_decimal::Decimal::ONE_HUNDRED).normalize(),
            if top.past_cover { "，可追溯承保" } else { "" }
        ),
        format!(
            "above the authority of the ladder's highest level ({}: aggregate limit {} CNY, rate deviation {} %{}); no level may accept it",
            top.role.en(),
            top.limit_authority.grouped(),
            (top.rate_deviation_authority * rust_decimal::Decimal::ONE_HUNDRED).normalize(),
            if top.past_cover { ", past cover" } else { "" }
        ),
    ))
}

/// A role's label on the ladder, in both languages ("分公司负责人 / Branch head").
pub fn level_label(code: &str) -> (String, String) {
    match code.parse::<Role>() {
        Ok(r) => (r.zh().to_string(), r.en().to_string()),
        Err(_) => (code.to_string(), code.to_string()),
    }
}

/// Refuse a decision by someone below the level the referral waits for.
pub fn require_level(ctx: &Ctx<'_>, role: Role, level: Role) -> ServiceResult<()> {
    let l = ladder(ctx);
    if l.may_decide(role, level) {
        return Ok(());
    }
    let mine = l.level(role);
    let (zh_mine, en_mine) = match mine {
        Some(m) => (
            format!(
                "您的层级为{}（累计责任限额权限 {} 元）",
                role.zh(),
                m.limit_authority.grouped()
            ),
            format!(
                "you are at the level of {} (limit authority {} CNY)",
                role.en(),
                m.limit_authority.grouped()
            ),
        ),
        None => (
            format!("{}不在核保权限阶梯上", role.zh()),
            format!("{} is not on the authority ladder", role.en()),
        ),
    };
    Err(ServiceError::refused(
        Refusal::BelowAuthorityLevel,
        format!("该转核须由{}或更高层级决定；{zh_mine}", level.zh()),
        format!(
            "this referral waits for a {} or a higher level; {en_mine}",
            level.en()
        ),
    ))
}

/// Backdating of new cover (a quote, a re-quote, a renewal — not an endorsement):
/// a start before today is a warning to acknowledge, with a reason; a period wholly in
/// the past is also a referral reason for a level with past-cover authority.
pub struct Backdating {
    pub warning: Option<Finding>,
    pub wholly_past: Option<Finding>,
    pub days: i64,
}

pub fn backdating(today: NaiveDate, input: &QuoteInput) -> Backdating {
    let days = (today - input.period_start).num_days();
    if days <= 0 {
        return Backdating {
            warning: None,
            wholly_past: None,
            days: 0,
        };
    }
    let source = || {
        SourceRef::new(
            S000,
            "(九)",
            "弄虚作假等违法违纪行为的，应当按照有关规定追究相应责任",
        )
    };
    let warning = Finding::new(
        "period.backdated",
        Severity::Warning,
        format!(
            "起保日期 {} 早于今天（{today}）{days} 天（倒签）：须确认并填写倒签原因，并确认起保日以来未发生保险事故",
            input.period_start
        ),
        format!(
            "the cover starts on {}, {days} days before today ({today}) (backdated): acknowledge it, give the reason, and make sure no loss has happened since the start",
            input.period_start
        ),
        source(),
    );
    let wholly_past = (input.period_end < today).then(|| {
        Finding::new(
            "period.wholly_past",
            Severity::Warning,
            format!(
                "保险期间 {} 至 {} 已全部过去，须由核保权限阶梯中有追溯承保权限的层级批准",
                input.period_start, input.period_end
            ),
            format!(
                "the whole period {} – {} lies in the past: a level of the authority ladder with past-cover authority must approve it",
                input.period_start, input.period_end
            ),
            source(),
        )
    });
    Backdating {
        warning: Some(warning),
        wholly_past,
        days,
    }
}

/// A backdated quote whose warning is acknowledged still needs the reason.
pub fn reason_missing(b: &Backdating, input: &QuoteInput) -> Option<FieldError> {
    let acknowledged = input.acknowledged.iter().any(|a| a == "period.backdated");
    let reason = input
        .backdating_reason
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    (b.warning.is_some() && acknowledged && reason.is_empty()).then(|| {
        FieldError::new(
            "backdating_reason",
            "the cover is backdated: give the reason (e.g. the equipment was delivered before the policy was asked for)",
            "起保日期早于今天（倒签）：请填写倒签原因（例如装备交付早于投保申请）",
        )
    })
}

/// The last day a quote may be bound: the day it was (last) priced + the validity days.
pub fn valid_until(ctx: &Ctx<'_>, row: &PolicyRow) -> NaiveDate {
    let from = row
        .quoted_on
        .unwrap_or_else(|| business_date(row.created_at));
    from + Duration::days(i64::from(ctx.config.underwriting.quote_validity_days))
}

/// Refuse to bind (or approve) a quote whose validity has ended.
pub fn require_valid(ctx: &Ctx<'_>, row: &PolicyRow) -> ServiceResult<()> {
    let until = valid_until(ctx, row);
    let today = ctx.clock.today();
    if today <= until {
        return Ok(());
    }
    Err(ServiceError::refused(
        Refusal::QuoteExpired,
        format!(
            "报价已于 {until} 过期（有效期 {} 天，今天 {today}），不能承保；请修改报价重新定价",
            ctx.config.underwriting.quote_validity_days
        ),
        format!(
            "the quote expired after {until} (valid for {} days; today is {today}) and cannot be bound; edit the quote to price it again",
            ctx.config.underwriting.quote_validity_days
        ),
    ))
}

/// What a priced quote asks of the ladder.
pub fn ask(limit: Money, deviation: rust_decimal::Decimal, wholly_past: bool) -> Ask {
    Ask {
        aggregate_limit: limit,
        rate_deviation: deviation,
        wholly_past,
    }
}
