//! The Zhejiang annex-3 summary (附件3 申报汇总表) for a maker, a programme and a period:
//! one row per issued policy, the subsidy column from the underwriting estimate and the
//! paid column from billing.

pub mod table;

pub use table::{to_csv, to_xlsx, Annex3Row, COLUMNS};

use chrono::NaiveDate;

use crate::domain::money::{Money, Rate};
use crate::domain::subsidy::Verdict;
use crate::services::underwriting::{self as uw, Desk, QuoteInput};
use crate::services::{billing, Actor, ServiceError, ServiceResult};
use crate::store::policies::{self as policies, PolicyRow};
use crate::store::{catalogue, parties};

/// Which rows: a maker's issued policies under a programme whose period starts within
/// `from ..= to`.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Annex3Query {
    pub maker_id: i64,
    pub programme_id: String,
    /// First start date included (起保时间 ≥ from).
    pub from: NaiveDate,
    /// Last start date included (起保时间 ≤ to).
    pub to: NaiveDate,
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

/// One policy's row (the actor must be allowed to see it).
async fn row_of(desk: &Desk<'_>, actor: &Actor, p: &PolicyRow) -> ServiceResult<Annex3Row> {
    let mut tx = desk.db.read().await?;
    let maker = parties::get(&mut tx, p.maker_id)
        .await?
        .ok_or(ServiceError::NotFound("maker"))?;
    let item = catalogue::get(&mut tx, p.catalogue_item_id)
        .await?
        .ok_or(ServiceError::NotFound("catalogue item"))?;
    let settlement = billing::settlement(&mut tx, p.policy_id).await?;
    drop(tx);
    let terms: QuoteInput = serde_json::from_str(&p.terms_json).map_err(internal)?;
    let (subsidy, remark) = match &p.programme_id {
        Some(prog) => {
            let a = uw::estimate(desk, actor, p.policy_id, Some(prog.clone())).await?;
            let remark = match a.verdict {
                Verdict::Eligible => String::new(),
                Verdict::Pending => "待满足条件（生效、全额缴费等）".to_string(),
                Verdict::Ineligible => "不符合补贴条件".to_string(),
            };
            (a.estimate.map(|e| e.amount), remark)
        }
        None => (None, "未选择补贴政策".to_string()),
    };
    let insurer = &desk.config.insurer;
    Ok(Annex3Row {
        city: maker.city,
        county: maker.county,
        maker: maker.name,
        insurer: format!("{}{}", insurer.name, insurer.branch),
        user: p.user_name.clone(),
        equipment: p.product_name.clone(),
        qualification_year: item.qualification_year,
        policy_number: p.policy_number.clone().unwrap_or_default(),
        period_start: p.period_start,
        period_end: p.period_end,
        renewal: p.is_renewal,
        first_insured_year: p.first_insured_year,
        delivery_date: terms.delivery_date,
        aggregate_limit: Money::from_fen(p.aggregate_limit),
        units: i64::from(p.units),
        insured_value: Money::from_fen(p.insured_value),
        rate: Rate::parse(&p.rate).map_err(internal)?,
        premium: Money::from_fen(p.premium),
        // What went to this premium; an over-payment is a credit, not premium paid.
        paid: settlement.paid.min(settlement.premium_due),
        subsidy,
        remark,
    })
}

/// The rows for a maker, programme and period, oldest policy first. A client asking
/// for another maker gets "not found".
pub async fn rows(
    desk: &Desk<'_>,
    actor: &Actor,
    q: &Annex3Query,
) -> ServiceResult<Vec<Annex3Row>> {
    if !actor.can_see_maker(q.maker_id) {
        return Err(ServiceError::NotFound("maker"));
    }
    if q.from > q.to {
        return Err(ServiceError::field(
            "to",
            "the period ends before it starts",
            "截止日期早于起始日期",
        ));
    }
    if desk.library.programme(&q.programme_id).is_none() {
        return Err(ServiceError::field(
            "programme_id",
            format!("no programme {}", q.programme_id),
            format!("无补贴政策 {}", q.programme_id),
        ));
    }
    let mut tx = desk.db.read().await?;
    // Every policy of the period: the table is never cut short.
    let found = policies::for_maker_programme_period(&mut tx, q.maker_id, &q.programme_id, q.from, q.to)
        .await?;
    drop(tx);
    let mut out = Vec::with_capacity(found.len());
    for p in &found {
        out.push(row_of(desk, actor, p).await?);
    }
    Ok(out)
}

/// The row of one policy (for the subsidy pack).
pub async fn row_for_policy(
    desk: &Desk<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<Annex3Row> {
    let mut tx = desk.db.read().await?;
    let p = policies::get(&mut tx, policy_id)
        .await?
        .filter(|p| actor.can_see_maker(p.maker_id))
        .ok_or(ServiceError::NotFound("policy"))?;
    drop(tx);
    row_of(desk, actor, &p).await
}
