//! The subsidy estimate (保费补贴测算) of a policy under a programme: every reason and
//! the arithmetic, with the enterprise's yearly cap taken across all its policies.

use super::quote::chain;
use super::{terms_of, Desk};
use crate::domain::catalogue::Tier;
use crate::domain::cover_basis::{CoverBasis, Qualification};
use crate::domain::money::{Money, Rate};
use crate::domain::party::Relation;
use crate::domain::programme::Programme;
use crate::domain::prorata::Period;
use crate::domain::subsidy::{self, Assessment, EnterpriseYear, PriorYear, SubsidyFacts, Verdict};
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::policies::{self as store, PolicyRow};
use crate::store::{catalogue, parties, Tx};
use chrono::Datelike;

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

/// Facts of one policy as the subsidy rules need them. Payment comes from billing's
/// settlement: "fully paid" there (premium due after endorsements, net of refunds)
/// is what satisfies the full-payment condition here.
async fn facts(desk: &Desk<'_>, tx: &mut Tx, row: &PolicyRow) -> ServiceResult<SubsidyFacts> {
    let terms = terms_of(row)?;
    let item = catalogue::get(tx, row.catalogue_item_id)
        .await?
        .ok_or(ServiceError::NotFound("catalogue item"))?;
    let maker = parties::get(tx, row.maker_id)
        .await?
        .ok_or(ServiceError::NotFound("maker"))?;
    let product = desk
        .library
        .clause_set(&row.clause_set_id, &row.clause_set_version)
        .map(|s| s.product)
        .ok_or_else(|| internal("clause set of the policy is gone"))?;
    let buyer_relation = if parties::related(tx, row.maker_id, row.user_id, "related_party").await?
    {
        Some(Relation::RelatedParty)
    } else if parties::related(tx, row.maker_id, row.user_id, "trader").await? {
        Some(Relation::Trader)
    } else {
        None
    };
    let basis: CoverBasis =
        serde_json::from_value(serde_json::Value::String(row.cover_basis.clone()))
            .map_err(internal)?;
    let premium = Money::from_fen(row.premium);
    let settled = crate::services::billing::settlement(tx, row.policy_id).await?;
    // The rule compares paid with the full-term premium; the settlement already knows
    // whether what is due (pro-rata endorsements included) has been paid.
    let premium_paid = if settled.fully_paid {
        settled.paid.max(premium)
    } else {
        settled.paid.min(premium - Money::from_fen(1))
    };
    let first_installment = crate::services::billing::first_installment(tx, row.policy_id)
        .await?
        .unwrap_or(Money::ZERO);
    Ok(SubsidyFacts {
        product,
        basis,
        unit_type: item.unit_type.parse().map_err(internal)?,
        tier: item.tier.parse::<Tier>().ok(),
        period: Period::new(row.period_start, row.period_end).map_err(internal)?,
        insured_value: Money::from_fen(row.insured_value),
        aggregate_limit: Money::from_fen(row.aggregate_limit),
        rate: Rate::parse(&row.rate).map_err(internal)?,
        premium,
        premium_paid,
        first_installment,
        policy_effective: row.state == "in_force",
        contract_amount: terms.contract_amount(),
        potential_liability: None,
        makers_on_policy: 1,
        users_on_policy: 1,
        buyer_relation,
        via_intermediary: row.intermediary_id.is_some(),
        end_user_proof: row.end_user_proof,
        delivery_date: terms.delivery_date,
        qualification: Some(Qualification {
            valid_from: item.valid_from,
            valid_until: item.valid_until,
        }),
        maker_province: maker.province,
        nationally_subsidised: false,
        application_award: false,
        dishonest_entity: false,
        fraud_ban_until: None,
    })
}

/// Assess one policy with the ratios its earlier renewal years would get.
async fn assess_one(
    desk: &Desk<'_>,
    tx: &mut Tx,
    programme: &Programme,
    row: &PolicyRow,
    enterprise: &EnterpriseYear,
) -> ServiceResult<Assessment> {
    let mut history: Vec<PriorYear> = Vec::new();
    for prior in chain(tx, row).await? {
        let f = facts(desk, tx, &prior).await?;
        if prior.policy_id == row.policy_id {
            return Ok(subsidy::assess(programme, &f, &history, enterprise));
        }
        if prior.state == "cancelled" {
            continue;
        }
        let a = subsidy::assess(programme, &f, &history, &EnterpriseYear::default());
        history.push(PriorYear {
            period: f.period,
            subsidy_ratio: (a.verdict != Verdict::Ineligible)
                .then(|| a.estimate.map(|e| e.ratio))
                .flatten(),
        });
    }
    Err(internal("renewal chain does not end at the policy"))
}

/// Estimate a policy's subsidy under `programme_id` (default: the policy's own).
/// Earlier policies of the same maker under the programme in the same year count
/// against the yearly cap first.
pub async fn estimate(
    desk: &Desk<'_>,
    actor: &Actor,
    policy_id: i64,
    programme_id: Option<String>,
) -> ServiceResult<Assessment> {
    let mut tx = desk.db.read().await?;
    let row = store::get(&mut tx, policy_id)
        .await?
        .filter(|p| actor.can_see_maker(p.maker_id))
        .ok_or(ServiceError::NotFound("policy"))?;
    let id = programme_id
        .or_else(|| row.programme_id.clone())
        .ok_or_else(|| {
            ServiceError::field("programme_id", "choose a programme", "请选择补贴政策")
        })?;
    let programme = desk.library.programme(&id).ok_or_else(|| {
        ServiceError::field(
            "programme_id",
            format!("no programme {id}"),
            format!("无补贴政策 {id}"),
        )
    })?;
    let year = row.period_start.year();
    let mut enterprise = EnterpriseYear::default();
    for other in store::for_maker_programme_year(&mut tx, row.maker_id, &id, year).await? {
        if other.policy_id >= row.policy_id {
            break;
        }
        if other.state == "cancelled" {
            continue;
        }
        let a = assess_one(desk, &mut tx, programme, &other, &enterprise).await?;
        if let Some(e) = a.estimate {
            enterprise.already_claimed += e.amount;
        }
    }
    assess_one(desk, &mut tx, programme, &row, &enterprise).await
}

/// Policies read per batch by [`YearPass`].
const PASS_BATCH: i64 = 200;

/// A maker's issued policies of one programme and year, assessed in policy order with
/// the running total of what the earlier ones claim (已申请补贴累计): the answer
/// [`estimate`] gives for each policy, in one pass, instead of re-assessing every
/// earlier policy for each row (quadratic). Reads a batch of policies at a time.
pub struct YearPass {
    maker_id: i64,
    programme_id: String,
    year: i32,
    after_id: i64,
    enterprise: EnterpriseYear,
    batch: std::collections::VecDeque<PolicyRow>,
    exhausted: bool,
}

impl YearPass {
    pub fn new(maker_id: i64, programme_id: &str, year: i32) -> YearPass {
        YearPass {
            maker_id,
            programme_id: programme_id.to_string(),
            year,
            after_id: 0,
            enterprise: EnterpriseYear::default(),
            batch: Default::default(),
            exhausted: false,
        }
    }

    /// The next policy that is not cancelled, with its assessment; `None` at the end.
    pub async fn next(
        &mut self,
        desk: &Desk<'_>,
    ) -> ServiceResult<Option<(PolicyRow, Assessment)>> {
        let programme = desk.library.programme(&self.programme_id).ok_or_else(|| {
            ServiceError::field(
                "programme_id",
                format!("no programme {}", self.programme_id),
                format!("无补贴政策 {}", self.programme_id),
            )
        })?;
        loop {
            if self.batch.is_empty() && !self.exhausted {
                let mut tx = desk.db.read().await?;
                let rows = store::maker_programme_year_after(
                    &mut tx,
                    self.maker_id,
                    &self.programme_id,
                    self.year,
                    self.after_id,
                    PASS_BATCH,
                )
                .await?;
                self.exhausted = (rows.len() as i64) < PASS_BATCH;
                if let Some(last) = rows.last() {
                    self.after_id = last.policy_id;
                }
                self.batch.extend(rows);
            }
            let Some(row) = self.batch.pop_front() else {
                return Ok(None);
            };
            if row.state == "cancelled" {
                continue;
            }
            let mut tx = desk.db.read().await?;
            let a = assess_one(desk, &mut tx, programme, &row, &self.enterprise).await?;
            if let Some(e) = &a.estimate {
                self.enterprise.already_claimed += e.amount;
            }
            return Ok(Some((row, a)));
        }
    }
}
