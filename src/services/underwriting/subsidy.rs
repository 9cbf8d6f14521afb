//! The subsidy estimate (保费补贴测算) of a policy under a programme: every reason, every
//! fact used with who recorded it, and the arithmetic, with the enterprise's cap for
//! the application round taken across all its policies.

use super::quote::chain;
use super::Ctx;
use crate::domain::catalogue::Tier;
use crate::domain::cover_basis::{CoverBasis, Qualification};
use crate::domain::money::{Money, Overflow};
use crate::domain::policy_state::PolicyState;
use crate::domain::programme::Programme;
use crate::domain::prorata::Period;
use crate::domain::subsidy::{
    self, Assessment, ChainLink, EnterpriseYear, FactKind, FactValue, HolderRole, Known, PriorYear,
    Provenance, SubsidyFacts,
};
use crate::services::subsidy_facts::{self as recorded, PolicyFacts};
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::policies::{self as store, PolicyRow};
use crate::store::{catalogue, parties, users, Tx};
use chrono::NaiveDate;

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

async fn link(
    tx: &mut Tx,
    maker_id: i64,
    party_id: i64,
    role: HolderRole,
) -> ServiceResult<ChainLink> {
    let name = parties::get(tx, party_id)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    Ok(ChainLink {
        role,
        party_name: name,
        related_party: parties::related(tx, maker_id, party_id, "related_party").await?,
        trader: parties::related(tx, maker_id, party_id, "trader").await?,
    })
}

/// A unit flag known for every insured unit: true if any unit has it, false only when
/// every unit is recorded false, unknown otherwise.
fn every_unit_flag(serials: &[String], rec: &PolicyFacts, kind: FactKind) -> Option<Known<bool>> {
    let mut all = Vec::new();
    for serial in serials {
        let found = rec
            .units
            .iter()
            .find(|(s, k, _, _)| s == serial && *k == kind)?;
        let flag = match &found.2 {
            FactValue::NationalSubsidyReceived { received }
            | FactValue::ApplicationAwardReceived { received } => *received,
            _ => return None,
        };
        all.push(Known::new(flag, found.3.clone()));
    }
    let any = all.iter().position(|k| k.value);
    match any {
        Some(i) => all.into_iter().nth(i),
        None => all.into_iter().next(),
    }
}

/// The latest date recorded across every unit, or unknown if a unit lacks it.
fn every_unit_date(
    serials: &[String],
    rec: &PolicyFacts,
    kind: FactKind,
) -> Option<Known<NaiveDate>> {
    let mut latest: Option<Known<NaiveDate>> = None;
    for serial in serials {
        let found = rec
            .units
            .iter()
            .find(|(s, k, _, _)| s == serial && *k == kind)?;
        let day = match &found.2 {
            FactValue::Manufactured { on } | FactValue::Delivered { on } => *on,
            FactValue::EndUserReceipt { received_on } => *received_on,
            _ => return None,
        };
        if latest.as_ref().is_none_or(|k| day > k.value) {
            latest = Some(Known::new(day, found.3.clone()));
        }
    }
    latest
}

/// Facts of one policy as the subsidy rules need them. Payment comes from billing's
/// settlement: "fully paid" there (premium due after endorsements, net of refunds)
/// is what satisfies the full-payment condition here.
async fn facts(ctx: &Ctx<'_>, tx: &mut Tx, row: &PolicyRow) -> ServiceResult<SubsidyFacts> {
    let terms = &row.terms_json.0;
    let item = catalogue::get(tx, row.catalogue_item_id)
        .await?
        .ok_or(ServiceError::NotFound("catalogue item"))?;
    let maker = parties::get(tx, row.maker_id)
        .await?
        .ok_or(ServiceError::NotFound("maker"))?;
    let product = ctx
        .library
        .clause_set(&row.clause_set_id, &row.clause_set_version)
        .map(|s| s.product)
        .ok_or_else(|| internal("clause set of the policy is gone"))?;
    let rec = recorded::for_policy(tx, row.policy_id, row.maker_id, row.catalogue_item_id).await?;
    let mut chain_links = vec![link(tx, row.maker_id, row.user_id, HolderRole::EndUser).await?];
    if let Some(id) = row.intermediary_id {
        chain_links.push(link(tx, row.maker_id, id, HolderRole::Dealer).await?);
    }
    let ownership = match &rec.ownership {
        Some((
            FactValue::Ownership {
                holder_role,
                holder_party_id,
            },
            by,
        )) => {
            if Some(*holder_party_id) == row.intermediary_id {
                if let Some(l) = chain_links.get_mut(1) {
                    l.role = *holder_role;
                }
            } else if *holder_party_id != row.user_id {
                chain_links.push(link(tx, row.maker_id, *holder_party_id, *holder_role).await?);
            }
            Some(Known::new(*holder_role, by.clone()))
        }
        _ => None,
    };
    let basis: CoverBasis = row.cover_basis;
    let premium = row.premium;
    let settled = crate::services::billing::settlement(tx, row.policy_id).await?;
    // The rule compares paid with the full-term premium; the settlement already knows
    // whether what is due (pro-rata endorsements included) has been paid.
    let premium_paid = if settled.fully_paid {
        settled.paid.max(premium)
    } else {
        settled.paid.min(premium.try_sub(Money::from_fen(1))?)
    };
    let first_installment = crate::services::billing::first_installment(tx, row.policy_id)
        .await?
        .unwrap_or(Money::ZERO);
    let quoted_by = users::get(tx, row.quoted_by)
        .await?
        .map(|u| u.username)
        .unwrap_or_default();
    let policy_source = Provenance {
        recorded_by: quoted_by,
        role: "underwriter".into(),
        recorded_at: Some(row.created_at),
        source_document: "保单投保要素 / policy terms".into(),
    };
    let serials: Vec<String> = terms.units.iter().map(|u| u.serial.clone()).collect();
    let delivery_date = every_unit_date(&serials, &rec, FactKind::Delivered).or_else(|| {
        terms
            .delivery_date
            .map(|d| Known::new(d, policy_source.clone()))
    });
    let receipt = every_unit_date(&serials, &rec, FactKind::EndUserReceipt);
    // 保单正式生效: has come into force — in force now, expired after being in force,
    // or issued with its first day reached (the clock job flips it within minutes).
    let policy_effective = matches!(row.state(), PolicyState::InForce | PolicyState::Expired)
        || (matches!(row.state(), PolicyState::Issued { .. })
            && row.period_start <= ctx.clock.today());
    Ok(SubsidyFacts {
        product,
        basis,
        unit_type: item.unit_type.parse().map_err(internal)?,
        tier: item.tier.parse::<Tier>().ok(),
        period: Period::new(row.period_start, row.period_end)
            .map_err(|e| ServiceError::internal_from("read the policy period", e))?,
        insured_value: row.insured_value,
        aggregate_limit: row.aggregate_limit,
        rate: row.rate,
        premium,
        premium_paid,
        first_installment,
        policy_effective,
        contract_amount: terms.contract_amount().ok_or(Overflow)?,
        potential_liability: None,
        makers_on_policy: 1,
        users_on_policy: 1,
        chain: chain_links,
        via_intermediary: row.intermediary_id.is_some(),
        ownership,
        end_user_proof: row.end_user_proof || receipt.is_some(),
        manufacture_date: every_unit_date(&serials, &rec, FactKind::Manufactured),
        delivery_date,
        qualification: Some(Qualification {
            valid_from: item.valid_from,
            valid_until: item.valid_until,
        }),
        maker_province: maker.province,
        nationally_subsidised: every_unit_flag(&serials, &rec, FactKind::NationalSubsidyReceived),
        application_award: every_unit_flag(&serials, &rec, FactKind::ApplicationAwardReceived),
        dishonest_entity: rec.credit.clone(),
        fraud_ban: rec.fraud_ban.clone(),
        policy_source,
    })
}

/// Assess one policy; its earlier renewal years count as subsidised only where a
/// grant under the programme's scheme is recorded (003 二(一)2 decided on history).
async fn assess_one(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    programme: &Programme,
    row: &PolicyRow,
    enterprise: &EnterpriseYear,
) -> ServiceResult<Assessment> {
    let mut history: Vec<PriorYear> = Vec::new();
    let mut grants_used: Vec<subsidy::FactUsed> = Vec::new();
    for prior in chain(tx, row).await? {
        if prior.policy_id == row.policy_id {
            let f = facts(ctx, tx, row).await?;
            let mut a = subsidy::assess(programme, &f, &history, enterprise);
            a.facts.extend(grants_used);
            return Ok(a);
        }
        if prior.state().is_cancelled() {
            continue;
        }
        let rec =
            recorded::for_policy(tx, prior.policy_id, prior.maker_id, prior.catalogue_item_id)
                .await?;
        let found = rec
            .grants
            .iter()
            .zip(&rec.grants_by)
            .find(|(g, _)| g.scheme == programme.scheme());
        let ratio = found.map(|(g, _)| g.ratio);
        if let Some((g, by)) = found {
            // The earlier year's grant decides this year's ratio and year count: listed
            // with who recorded it, as every fact a verdict uses.
            // The scheme by its jurisdiction's name (浙江省), not its file code.
            let scheme_name = ctx
                .library
                .programmes()
                .iter()
                .find(|p| p.scheme() == g.scheme)
                .map(|p| p.jurisdiction.clone());
            let (zh, en) = FactValue::SubsidyGranted {
                scheme: g.scheme.clone(),
                round: g.round,
                ratio: g.ratio,
                amount: g.amount,
                notice_date: g.notice_date,
            }
            .describe();
            let (zh, en) = match &scheme_name {
                Some(n) => (
                    zh.replacen(&g.scheme, &n.zh, 1),
                    en.replacen(&g.scheme, &n.en, 1),
                ),
                None => (zh, en),
            };
            let number = prior.policy_number.clone().unwrap_or_default();
            grants_used.push(subsidy::FactUsed {
                code: "subsidy_granted",
                label_zh: format!(
                    "已获补贴（保单 {number}，{} 至 {}）",
                    prior.period_start, prior.period_end
                ),
                label_en: format!(
                    "subsidy granted (policy {number}, {} to {})",
                    prior.period_start, prior.period_end
                ),
                value_zh: Some(zh),
                value_en: Some(en),
                by: Some(by.clone()),
            });
        }
        history.push(PriorYear {
            period: Period::new(prior.period_start, prior.period_end)
                .map_err(|e| ServiceError::internal_from("read the prior policy period", e))?,
            subsidy_ratio: ratio,
        });
    }
    Err(internal("renewal chain does not end at the policy"))
}

/// Estimate a policy's subsidy under `programme_id` (default: the policy's own).
/// Earlier policies of the same maker in the same application round (the programme)
/// count against the round's cap first — their recorded grant, else their estimate.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn estimate(
    ctx: &Ctx<'_>,
    actor: &Actor,
    policy_id: i64,
    programme_id: Option<String>,
) -> ServiceResult<Assessment> {
    let mut tx = ctx.db.read().await?;
    let row = store::get(&mut tx, policy_id)
        .await?
        .filter(|p| actor.can_see_maker(p.maker_id))
        .ok_or(ServiceError::NotFound("policy"))?;
    let id = programme_id
        .or_else(|| row.programme_id.clone())
        .ok_or_else(|| {
            ServiceError::field("programme_id", "choose a programme", "请选择补贴政策")
        })?;
    let programme = ctx.library.programme(&id).ok_or_else(|| {
        ServiceError::field(
            "programme_id",
            format!("no programme {id}"),
            format!("无补贴政策 {id}"),
        )
    })?;
    let scheme = programme.scheme().to_string();
    let round = programme.year;
    let rec =
        recorded::for_policy(&mut tx, row.policy_id, row.maker_id, row.catalogue_item_id).await?;
    // The quota is used by every grant of the scheme on this qualification, all years.
    let item_grants = recorded::grants(
        &crate::store::subsidy_facts::grants_for(&mut tx, None, Some(row.catalogue_item_id))
            .await?,
    );
    let mut enterprise = EnterpriseYear {
        quota: rec.quota.clone(),
        quota_used: Money::try_sum(
            item_grants
                .iter()
                .filter(|(p, g)| g.scheme == scheme && !(*p == row.policy_id && g.round == round))
                .map(|(_, g)| g.amount),
        )?,
        ..EnterpriseYear::default()
    };
    let maker_grants = recorded::grants(
        &crate::store::subsidy_facts::grants_for(&mut tx, Some(row.maker_id), None).await?,
    );
    let mut counted = std::collections::HashSet::new();
    for (p, g) in maker_grants.iter() {
        if *p != row.policy_id && g.scheme == scheme && g.round == round {
            enterprise.already_claimed = enterprise.already_claimed.try_add(g.amount)?;
            counted.insert(*p);
        }
    }
    for other in store::for_maker_programme(&mut tx, row.maker_id, &id).await? {
        if other.policy_id >= row.policy_id {
            break;
        }
        if other.state().is_cancelled() || counted.contains(&other.policy_id) {
            continue;
        }
        let a = assess_one(ctx, &mut tx, programme, &other, &enterprise).await?;
        if let Some(e) = a.estimate {
            enterprise.already_claimed = enterprise.already_claimed.try_add(e.amount)?;
            if other.catalogue_item_id == row.catalogue_item_id {
                enterprise.quota_used = enterprise.quota_used.try_add(e.amount)?;
            }
        }
    }
    let mut a = assess_one(ctx, &mut tx, programme, &row, &enterprise).await?;
    // What the round's cap counted: the maker's grants recorded for this round and the
    // estimates of its earlier policies of the round.
    a.facts.push(subsidy::FactUsed {
        code: "round_claimed",
        label_zh: format!("{round} 申报年度本企业其他保单已获/已申报补贴"),
        label_en: format!(
            "subsidy granted or estimated on the maker's other policies, round {round}"
        ),
        value_zh: Some(format!(
            "{} 元（其中已录入补贴 {} 笔）",
            enterprise.already_claimed.grouped(),
            counted.len()
        )),
        value_en: Some(format!(
            "{} CNY ({} recorded grant(s))",
            enterprise.already_claimed.grouped(),
            counted.len()
        )),
        by: Some(Provenance::system(
            "已获补贴记录及本轮测算 / grants recorded and this round's estimates",
        )),
    });
    Ok(a)
}

/// A round's recorded grants of a maker's policies (policy, amount), and the policies
/// that have one.
type RoundGrants = (Vec<(i64, Money)>, std::collections::HashSet<i64>);

/// Policies read per batch by [`YearPass`].
const PASS_BATCH: i64 = 200;

/// A maker's issued policies of one programme (one application round, whatever
/// calendar year they start in), assessed in policy order with the running total of
/// what the earlier ones claim (已申请补贴累计) and of what they use of each
/// qualification's quota: the answer [`estimate`] gives for each policy, in one pass,
/// instead of re-assessing every earlier policy for each row (quadratic). Recorded
/// grants of the round count for every policy (and an earlier policy with a recorded
/// grant adds no estimate), as in [`estimate`]. Reads a batch of policies at a time.
///
/// One difference from [`estimate`]: an earlier policy's estimate is the one assessed
/// for its own row (with its own qualification's quota), where [`estimate`] re-assesses
/// it against the later policy's quota; they differ only when the maker's products
/// have different quotas and a quota binds.
pub struct YearPass {
    maker_id: i64,
    programme_id: String,
    after_id: i64,
    /// Loaded with the first batch: the round's recorded grants of the maker's
    /// policies, and which policies have one.
    recorded: Option<RoundGrants>,
    /// The scheme's recorded grants on each qualification (catalogue item), all rounds.
    item_grants: std::collections::HashMap<i64, Vec<(i64, i32, Money)>>,
    /// Estimates of the earlier policies without a recorded grant: total, and per item.
    claimed: Money,
    claimed_by_item: std::collections::HashMap<i64, Money>,
    batch: std::collections::VecDeque<PolicyRow>,
    exhausted: bool,
}

impl YearPass {
    pub fn new(maker_id: i64, programme_id: &str) -> YearPass {
        YearPass {
            maker_id,
            programme_id: programme_id.to_string(),
            after_id: 0,
            recorded: None,
            item_grants: Default::default(),
            claimed: Money::default(),
            claimed_by_item: Default::default(),
            batch: Default::default(),
            exhausted: false,
        }
    }

    /// The next policy that is not cancelled, with its assessment; `None` at the end.
    #[tracing::instrument(skip_all)]
    pub async fn next(&mut self, ctx: &Ctx<'_>) -> ServiceResult<Option<(PolicyRow, Assessment)>> {
        let programme = ctx.library.programme(&self.programme_id).ok_or_else(|| {
            ServiceError::field(
                "programme_id",
                format!("no programme {}", self.programme_id),
                format!("无补贴政策 {}", self.programme_id),
            )
        })?;
        let scheme = programme.scheme().to_string();
        let round = programme.year;
        loop {
            if self.batch.is_empty() && !self.exhausted {
                let mut tx = ctx.db.read().await?;
                if self.recorded.is_none() {
                    let maker_grants = recorded::grants(
                        &crate::store::subsidy_facts::grants_for(
                            &mut tx,
                            Some(self.maker_id),
                            None,
                        )
                        .await?,
                    );
                    let mut amounts = Vec::new();
                    let mut counted = std::collections::HashSet::new();
                    for (p, g) in maker_grants.iter() {
                        if g.scheme == scheme && g.round == round {
                            amounts.push((*p, g.amount));
                            counted.insert(*p);
                        }
                    }
                    self.recorded = Some((amounts, counted));
                }
                let rows = store::maker_programme_after(
                    &mut tx,
                    self.maker_id,
                    &self.programme_id,
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
            if row.state().is_cancelled() {
                continue;
            }
            let mut tx = ctx.db.read().await?;
            let item = row.catalogue_item_id;
            if let std::collections::hash_map::Entry::Vacant(slot) = self.item_grants.entry(item) {
                let grants = recorded::grants(
                    &crate::store::subsidy_facts::grants_for(&mut tx, None, Some(item)).await?,
                )
                .into_iter()
                .filter(|(_, g)| g.scheme == scheme)
                .map(|(p, g)| (p, g.round, g.amount))
                .collect();
                slot.insert(grants);
            }
            let rec =
                recorded::for_policy(&mut tx, row.policy_id, row.maker_id, row.catalogue_item_id)
                    .await?;
            let (amounts, counted) = self.recorded.as_ref().expect("loaded with the batch");
            let mut already_claimed: Money = self.claimed;
            for (p, a) in amounts {
                if *p != row.policy_id {
                    already_claimed = already_claimed.try_add(*a)?;
                }
            }
            let mut quota_used: Money =
                self.claimed_by_item.get(&item).copied().unwrap_or_default();
            for (p, r, a) in &self.item_grants[&item] {
                if !(*p == row.policy_id && *r == round) {
                    quota_used = quota_used.try_add(*a)?;
                }
            }
            let enterprise = EnterpriseYear {
                quota: rec.quota.clone(),
                quota_used,
                already_claimed,
            };
            let a = assess_one(ctx, &mut tx, programme, &row, &enterprise).await?;
            if !counted.contains(&row.policy_id) {
                if let Some(e) = &a.estimate {
                    self.claimed = self.claimed.try_add(e.amount)?;
                    let by_item = self.claimed_by_item.entry(item).or_default();
                    *by_item = by_item.try_add(e.amount)?;
                }
            }
            return Ok(Some((row, a)));
        }
    }
}
