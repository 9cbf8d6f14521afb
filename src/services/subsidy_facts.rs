//! Recording subsidy facts (补贴审核事实) and reading them back for a verdict.
//! Each record is one transaction with its audit row; rows are never changed, a new
//! record of the same fact and subject supersedes the old one (which stays as history).

use super::{Actor, FieldError, ServiceError, ServiceResult};
use crate::domain::subsidy::facts::{FactKind, FactValue, Known, Provenance, Subject};
use crate::domain::subsidy::Grant;
use crate::services::Ctx;
use crate::store::audit::{self, AuditEntry};
use crate::store::subsidy_facts::{self as store, FactRow, NewFact};
use crate::store::{catalogue, parties, policies, Tx};
use serde::{Deserialize, Serialize};

/// A fact to record, with its subject and source document.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordFact {
    /// For maker facts (credit_status, fraud_ban).
    #[serde(default)]
    pub party_id: Option<i64>,
    /// For qualification facts (national_quota).
    #[serde(default)]
    pub catalogue_item_id: Option<i64>,
    /// For unit facts (with `serial`) and policy-year facts (ownership, subsidy_granted).
    #[serde(default)]
    pub policy_id: Option<i64>,
    /// 出厂编号 / 批次号 of the insured unit, as on the policy.
    #[serde(default)]
    pub serial: Option<String>,
    /// The document the fact is taken from (信用中国 query of 2025-10-01, receipt no. …).
    pub source_document: String,
    pub value: FactValue,
}

/// A recorded fact as pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FactView {
    pub subsidy_fact_id: i64,
    pub fact: String,
    pub label_zh: String,
    pub label_en: String,
    pub party_id: Option<i64>,
    pub catalogue_item_id: Option<i64>,
    pub policy_id: Option<i64>,
    pub serial: Option<String>,
    #[schema(value_type = Object)]
    pub value: FactValue,
    pub value_zh: String,
    pub value_en: String,
    pub source_document: String,
    pub recorded_by: String,
    pub recorded_role: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    /// A newer record of the same fact and subject replaced this one.
    pub superseded: bool,
}

fn value_of(row: &FactRow) -> &FactValue {
    &row.value_json.0
}

fn provenance(row: &FactRow) -> Provenance {
    Provenance {
        recorded_by: row.recorded_by_name.clone(),
        role: row.recorded_role.clone(),
        recorded_at: Some(row.recorded_at),
        source_document: row.source_document.clone(),
    }
}

fn key(
    row: &FactRow,
) -> (
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
) {
    (
        row.fact.clone(),
        row.party_id,
        row.catalogue_item_id,
        row.policy_id,
        row.serial.clone(),
    )
}

/// Views, newest first, each marked when a newer row of its fact and subject exists.
fn views(rows: &[FactRow]) -> Vec<FactView> {
    let mut seen = std::collections::HashSet::new();
    rows.iter()
        .map(|r| {
            let value = value_of(r).clone();
            let (value_zh, value_en) = value.describe();
            let kind = value.kind();
            // Grants are per (scheme, round): two rounds on one policy are two facts.
            let mut k = key(r);
            if let FactValue::SubsidyGranted { scheme, round, .. } = &value {
                k.0 = format!("{}:{scheme}:{round}", k.0);
            }
            FactView {
                subsidy_fact_id: r.subsidy_fact_id,
                fact: r.fact.clone(),
                label_zh: kind.zh().into(),
                label_en: kind.en().into(),
                party_id: r.party_id,
                catalogue_item_id: r.catalogue_item_id,
                policy_id: r.policy_id,
                serial: r.serial.clone(),
                value,
                value_zh,
                value_en,
                source_document: r.source_document.clone(),
                recorded_by: r.recorded_by_name.clone(),
                recorded_role: r.recorded_role.clone(),
                recorded_at: r.recorded_at,
                superseded: !seen.insert(k),
            }
        })
        .collect()
}

/// Name each grant's scheme by its programmes' jurisdiction (浙江省) instead of the file
/// code (`zhejiang`), for pages.
pub fn name_schemes(library: &crate::library::Library, views: &mut [FactView]) {
    for v in views.iter_mut() {
        if let FactValue::SubsidyGranted { scheme, .. } = &v.value {
            if let Some(p) = library.programmes().iter().find(|p| p.scheme() == scheme) {
                v.value_zh = v.value_zh.replacen(scheme.as_str(), &p.jurisdiction.zh, 1);
                v.value_en = v.value_en.replacen(scheme.as_str(), &p.jurisdiction.en, 1);
            }
        }
    }
}

fn subject_error(kind: FactKind) -> ServiceError {
    let (field, en, zh) = match kind.subject() {
        Subject::Maker => (
            "party_id",
            "a maker fact needs party_id (and nothing else)",
            "生产企业事实须填写 party_id（且仅此一项）",
        ),
        Subject::Qualification => (
            "catalogue_item_id",
            "a qualification fact needs catalogue_item_id (and nothing else)",
            "资格事实须填写 catalogue_item_id（且仅此一项）",
        ),
        Subject::Unit => (
            "serial",
            "a unit fact needs policy_id and the unit's serial",
            "单台(套)事实须填写 policy_id 与出厂编号",
        ),
        Subject::PolicyYear => (
            "policy_id",
            "a policy-year fact needs policy_id and no serial",
            "保单年度事实须填写 policy_id，不填出厂编号",
        ),
    };
    ServiceError::field(field, en, zh)
}

/// Check the subject exists and fits the fact; returns the maker the fact belongs to.
async fn check_subject(tx: &mut Tx, input: &RecordFact, kind: FactKind) -> ServiceResult<i64> {
    let serial = input
        .serial
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let shape = (
        input.party_id.is_some(),
        input.catalogue_item_id.is_some(),
        input.policy_id.is_some(),
        serial.is_some(),
    );
    match (kind.subject(), shape) {
        (Subject::Maker, (true, false, false, false)) => {
            let id = input.party_id.unwrap_or_default();
            let party = parties::get(tx, id).await?;
            match party {
                Some(p) if p.kind == "maker" => Ok(p.party_id),
                Some(_) => Err(ServiceError::field(
                    "party_id",
                    "the party is not a maker",
                    "该当事方不是生产企业",
                )),
                None => Err(ServiceError::NotFound("party")),
            }
        }
        (Subject::Qualification, (false, true, false, false)) => {
            let id = input.catalogue_item_id.unwrap_or_default();
            let item = catalogue::get(tx, id)
                .await?
                .ok_or(ServiceError::NotFound("catalogue item"))?;
            Ok(item.maker_id)
        }
        (Subject::Unit, (false, false, true, true))
        | (Subject::PolicyYear, (false, false, true, false)) => {
            let id = input.policy_id.unwrap_or_default();
            let row = policies::get(tx, id)
                .await?
                .ok_or(ServiceError::NotFound("policy"))?;
            if let Some(serial) = serial {
                let terms = &row.terms_json.0;
                if !terms.units.iter().any(|u| u.serial == serial) {
                    return Err(ServiceError::field(
                        "serial",
                        format!("the policy insures no unit with serial {serial}"),
                        format!("该保单未承保出厂编号为 {serial} 的装备"),
                    ));
                }
            }
            if let FactValue::Ownership {
                holder_party_id, ..
            } = &input.value
            {
                if parties::get(tx, *holder_party_id).await?.is_none() {
                    return Err(ServiceError::field(
                        "value.holder_party_id",
                        "no such party",
                        "无此当事方",
                    ));
                }
            }
            Ok(row.maker_id)
        }
        _ => Err(subject_error(kind)),
    }
}

/// Record one fact (audited in the same transaction).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn record(ctx: &Ctx<'_>, actor: &Actor, input: RecordFact) -> ServiceResult<FactView> {
    let db = ctx.db;
    let mut tx = db.write().await?;
    let view = record_in(&mut tx, actor, &input).await?;
    tx.commit().await?;
    Ok(view)
}

/// Check a fact (who may record it, its value, its source, its subject) without writing.
async fn check(tx: &mut Tx, actor: &Actor, input: &RecordFact) -> ServiceResult<()> {
    let kind = input.value.kind();
    actor.require(kind.may_record(actor.role), "record this subsidy fact")?;
    let problems = input.value.problems();
    if !problems.is_empty() {
        return Err(ServiceError::Validation(
            problems
                .into_iter()
                .map(|(f, en, zh)| FieldError::new(&format!("value.{f}"), en, zh))
                .collect(),
        ));
    }
    let source = input.source_document.trim();
    if source.is_empty() || source.chars().count() > 500 {
        return Err(ServiceError::field(
            "source_document",
            "name the source document (at most 500 characters)",
            "请填写来源文件（不超过 500 字）",
        ));
    }
    check_subject(tx, input, kind).await?;
    Ok(())
}

/// Record one fact in the caller's transaction, with its audit row.
pub(crate) async fn record_in(
    tx: &mut Tx,
    actor: &Actor,
    input: &RecordFact,
) -> ServiceResult<FactView> {
    check(tx, actor, input).await?;
    let kind = input.value.kind();
    let source = input.source_document.trim();
    let serial = input
        .serial
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let row = store::insert(
        tx,
        &NewFact {
            fact: kind.as_str(),
            party_id: input.party_id,
            catalogue_item_id: input.catalogue_item_id,
            policy_id: input.policy_id,
            serial,
            value_json: &input.value,
            source_document: source,
            recorded_by: (actor.user_id != 0).then_some(actor.user_id),
            recorded_by_name: &actor.username,
            recorded_role: actor.role.as_str(),
        },
    )
    .await?;
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action: "subsidy_fact.record",
            entity_type: "subsidy_fact",
            entity_id: row.subsidy_fact_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "fact": row.fact, "party_id": row.party_id, "catalogue_item_id": row.catalogue_item_id,
                "policy_id": row.policy_id, "serial": row.serial, "value": input.value,
                "source_document": row.source_document,
            })),
        },
    )
    .await?;
    Ok(views(std::slice::from_ref(&row)).remove(0))
}

/// The facts about a maker, a qualification or a policy (its units included).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn list(
    ctx: &Ctx<'_>,
    actor: &Actor,
    party_id: Option<i64>,
    catalogue_item_id: Option<i64>,
    policy_id: Option<i64>,
) -> ServiceResult<Vec<FactView>> {
    let db = ctx.db;
    if party_id.is_none() && catalogue_item_id.is_none() && policy_id.is_none() {
        return Err(ServiceError::field(
            "policy_id",
            "give party_id, catalogue_item_id or policy_id",
            "请指定 party_id、catalogue_item_id 或 policy_id",
        ));
    }
    let mut tx = db.read().await?;
    // A client sees the facts of its own maker's records only.
    if let Some(id) = party_id {
        if !actor.can_see_maker(id) {
            return Err(ServiceError::NotFound("party"));
        }
    }
    if let Some(id) = catalogue_item_id {
        let item = catalogue::get(&mut tx, id).await?;
        if !item.is_some_and(|i| actor.can_see_maker(i.maker_id)) {
            return Err(ServiceError::NotFound("catalogue item"));
        }
    }
    if let Some(id) = policy_id {
        let row = policies::get(&mut tx, id).await?;
        if !row.is_some_and(|p| actor.can_see_maker(p.maker_id)) {
            return Err(ServiceError::NotFound("policy"));
        }
    }
    let rows = store::about(&mut tx, party_id, catalogue_item_id, policy_id).await?;
    Ok(views(&rows))
}

/// The newest facts about one policy, its maker, its qualification and its units, as
/// the subsidy rules read them.
#[derive(Debug, Clone, Default)]
pub struct PolicyFacts {
    pub credit: Option<Known<bool>>,
    pub fraud_ban: Option<Known<crate::domain::subsidy::FraudBan>>,
    pub quota: Option<Known<crate::domain::money::Money>>,
    /// Per unit serial: (fact, value with provenance).
    pub units: Vec<(String, FactKind, FactValue, Provenance)>,
    pub ownership: Option<(FactValue, Provenance)>,
    /// Grants recorded on this policy.
    pub grants: Vec<Grant>,
    /// The same grants with who recorded each (or imported it), when and from which notice.
    pub grants_by: Vec<Provenance>,
}

fn newest(rows: &[FactRow], kind: FactKind) -> Option<&FactRow> {
    rows.iter().find(|r| r.fact == kind.as_str())
}

/// Every grant recorded on a list of fact rows (newest per scheme and round).
pub fn grants(rows: &[FactRow]) -> Vec<(i64, Grant)> {
    let mut out: Vec<(i64, Grant)> = Vec::new();
    for r in rows
        .iter()
        .filter(|r| r.fact == FactKind::SubsidyGranted.as_str())
    {
        if let FactValue::SubsidyGranted {
            scheme,
            round,
            ratio,
            amount,
            notice_date,
        } = value_of(r)
        {
            let policy = r.policy_id.unwrap_or_default();
            if out
                .iter()
                .any(|(p, g)| *p == policy && g.scheme == *scheme && g.round == *round)
            {
                continue;
            }
            out.push((
                policy,
                Grant {
                    scheme: scheme.clone(),
                    round: *round,
                    ratio: *ratio,
                    amount: *amount,
                    notice_date: *notice_date,
                },
            ));
        }
    }
    out
}

pub async fn for_policy(
    tx: &mut Tx,
    policy_id: i64,
    maker_id: i64,
    catalogue_item_id: i64,
) -> ServiceResult<PolicyFacts> {
    let maker = store::about(tx, Some(maker_id), None, None).await?;
    let item = store::about(tx, None, Some(catalogue_item_id), None).await?;
    let policy = store::about(tx, None, None, Some(policy_id)).await?;
    let mut out = PolicyFacts::default();
    if let Some(r) = newest(&maker, FactKind::CreditStatus) {
        if let FactValue::CreditStatus { dishonest, .. } = value_of(r) {
            out.credit = Some(Known::new(*dishonest, provenance(r)));
        }
    }
    if let Some(r) = newest(&maker, FactKind::FraudBan) {
        if let FactValue::FraudBan {
            banned_from,
            banned_until,
            ..
        } = value_of(r)
        {
            out.fraud_ban = Some(Known::new(
                crate::domain::subsidy::FraudBan {
                    banned_from: *banned_from,
                    banned_until: *banned_until,
                },
                provenance(r),
            ));
        }
    }
    if let Some(r) = newest(&item, FactKind::NationalQuota) {
        if let FactValue::NationalQuota { amount } = value_of(r) {
            out.quota = Some(Known::new(*amount, provenance(r)));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for r in policy.iter().filter(|r| r.serial.is_some()) {
        let serial = r.serial.clone().unwrap_or_default();
        if !seen.insert((serial.clone(), r.fact.clone())) {
            continue;
        }
        let value = value_of(r).clone();
        out.units.push((serial, value.kind(), value, provenance(r)));
    }
    if let Some(r) = newest(&policy, FactKind::Ownership) {
        out.ownership = Some((value_of(r).clone(), provenance(r)));
    }
    out.grants = grants(&policy).into_iter().map(|(_, g)| g).collect();
    for g in &out.grants {
        let by = policy
            .iter()
            .filter(|r| r.fact == FactKind::SubsidyGranted.as_str())
            .find(|r| {
                matches!(value_of(r), FactValue::SubsidyGranted { scheme, round, .. }
                    if *scheme == g.scheme && *round == g.round)
            })
            .map(provenance)
            .unwrap_or_else(|| Provenance::system("已获补贴记录 / subsidy granted"));
        out.grants_by.push(by);
    }
    Ok(out)
}
