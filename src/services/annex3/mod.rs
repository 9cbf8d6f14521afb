//! The Zhejiang annex-3 summary (附件3 申报汇总表) for a maker, a programme and a period:
//! one row per issued policy, the subsidy column from the underwriting estimate and the
//! paid column from billing.

pub mod table;

pub use table::{csv_header, csv_row, to_csv, to_xlsx, Annex3Row, COLUMNS};

use chrono::NaiveDate;

use crate::domain::subsidy::{Assessment, Verdict};
use crate::services::underwriting::{self as uw, YearPass};
use crate::services::Ctx;
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

/// One policy's row (the actor must be allowed to see it), with its subsidy assessment
/// (`None` when the policy names no programme).
async fn row_of(
    ctx: &Ctx<'_>,
    p: &PolicyRow,
    assessed: Option<Assessment>,
) -> ServiceResult<Annex3Row> {
    let mut tx = ctx.db.read().await?;
    let maker = parties::get(&mut tx, p.maker_id)
        .await?
        .ok_or(ServiceError::NotFound("maker"))?;
    let item = catalogue::get(&mut tx, p.catalogue_item_id)
        .await?
        .ok_or(ServiceError::NotFound("catalogue item"))?;
    let settlement = billing::settlement(&mut tx, p.policy_id).await?;
    drop(tx);
    let terms = &p.terms_json.0;
    let (subsidy, remark) = match assessed {
        Some(a) => {
            let remark = match a.verdict {
                Verdict::Eligible => String::new(),
                Verdict::Pending => "待满足条件（生效、全额缴费等）".to_string(),
                Verdict::Ineligible => "不符合补贴条件".to_string(),
            };
            (a.estimate.map(|e| e.amount), remark)
        }
        None => (None, "未选择补贴政策".to_string()),
    };
    let insurer = &ctx.config.insurer;
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
        aggregate_limit: p.aggregate_limit,
        units: i64::from(p.units),
        insured_value: p.insured_value,
        rate: p.rate,
        premium: p.premium,
        // What went to this premium; an over-payment is a credit, not premium paid.
        paid: settlement.paid.min(settlement.premium_due),
        subsidy,
        remark,
    })
}

/// The table for a maker, programme and period, read one row at a time, oldest policy
/// first: the programme's application round in one pass ([`uw::YearPass`]; earlier
/// policies of the round count towards the running total even when they start before
/// the period asked for), so a row costs the
/// same whatever its place in the table, nothing is held but the current batch, and a
/// caller that stops asking (the client went away) stops the work.
pub struct Annex3Pass {
    q: Annex3Query,
    pass: YearPass,
    /// Rows handed out so far (the 序号 of the next is this + 1).
    pub emitted: usize,
}

impl Annex3Pass {
    /// Check the request (a client asking for another maker gets "not found").
    pub fn start(ctx: &Ctx<'_>, actor: &Actor, q: &Annex3Query) -> ServiceResult<Annex3Pass> {
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
        if ctx.library.programme(&q.programme_id).is_none() {
            return Err(ServiceError::field(
                "programme_id",
                format!("no programme {}", q.programme_id),
                format!("无补贴政策 {}", q.programme_id),
            ));
        }
        Ok(Annex3Pass {
            pass: YearPass::new(q.maker_id, &q.programme_id),
            q: q.clone(),
            emitted: 0,
        })
    }

    /// The next row, or `None` when the table is complete.
    #[tracing::instrument(skip_all)]
    pub async fn next_row(&mut self, ctx: &Ctx<'_>) -> ServiceResult<Option<Annex3Row>> {
        loop {
            match self.pass.next(ctx).await? {
                // Earlier policies of the round count towards the running total even
                // when they start outside the period asked for.
                Some((p, a)) if p.period_start >= self.q.from && p.period_start <= self.q.to => {
                    self.emitted += 1;
                    return row_of(ctx, &p, Some(a)).await.map(Some);
                }
                Some(_) => continue,
                None => return Ok(None),
            }
        }
    }
}

/// The whole table in memory (XLSX, which is written at once).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn rows(ctx: &Ctx<'_>, actor: &Actor, q: &Annex3Query) -> ServiceResult<Vec<Annex3Row>> {
    let mut pass = Annex3Pass::start(ctx, actor, q)?;
    let mut out = Vec::new();
    while let Some(row) = pass.next_row(ctx).await? {
        out.push(row);
    }
    Ok(out)
}

/// The row of one policy (for the subsidy pack).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn row_for_policy(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<Annex3Row> {
    let mut tx = ctx.db.read().await?;
    let p = policies::get(&mut tx, policy_id)
        .await?
        .filter(|p| actor.can_see_maker(p.maker_id))
        .ok_or(ServiceError::NotFound("policy"))?;
    drop(tx);
    let assessed = match &p.programme_id {
        Some(prog) => Some(uw::estimate(ctx, actor, p.policy_id, Some(prog.clone())).await?),
        None => None,
    };
    row_of(ctx, &p, assessed).await
}
