//! Parties: makers, users and intermediaries, and their relations.

use super::{descending, seek, Actor, FieldError, ServiceError, ServiceResult};
use crate::domain::party::{FieldIssue, PartyInput, Relation, ValidParty};
use crate::domain::text::Text;
use crate::paging::Paged;
use crate::services::Ctx;
use crate::store::audit::{self, AuditEntry};
use crate::store::parties::{self as store, PartyFilter, PartyRow, PartySort, RelationRow};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

/// A party (当事方: maker, user or intermediary) as its readers see it; a client reads
/// only its own maker.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartyView {
    pub party_id: i64,
    /// maker, user or intermediary
    pub kind: String,
    pub name: String,
    /// 统一社会信用代码
    pub credit_code: String,
    pub province: String,
    pub city: String,
    pub county: String,
    pub state_owned: bool,
    pub contact_email: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<PartyRow> for PartyView {
    fn from(p: PartyRow) -> Self {
        PartyView {
            party_id: p.party_id,
            kind: p.kind,
            name: p.name,
            credit_code: p.credit_code,
            province: p.province,
            city: p.city,
            county: p.county,
            state_owned: p.state_owned,
            contact_email: p.contact_email,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A relation of a party to another (关联方, 贸易商…): staff only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartyRelationView {
    pub party_relation_id: i64,
    pub party_id: i64,
    pub other_party_id: i64,
    pub other_name: String,
    pub relation: String,
    pub note: String,
}

impl From<RelationRow> for PartyRelationView {
    fn from(r: RelationRow) -> Self {
        PartyRelationView {
            party_relation_id: r.party_relation_id,
            party_id: r.party_id,
            other_party_id: r.other_party_id,
            other_name: r.other_name,
            relation: r.relation,
            note: r.note,
        }
    }
}

fn field_errors(issues: Vec<FieldIssue>) -> ServiceError {
    ServiceError::Validation(
        issues
            .into_iter()
            .map(|i| FieldError::new(i.field, i.message, i.message_zh))
            .collect(),
    )
}

fn duplicate_code(e: crate::store::StoreError) -> ServiceError {
    match e {
        crate::store::StoreError::Duplicate(_) => ServiceError::field(
            "credit_code",
            "a party with this unified social credit code already exists",
            "已存在相同统一社会信用代码的当事方",
        ),
        other => other.into(),
    }
}

fn snapshot(p: &PartyRow) -> serde_json::Value {
    json!({
        "kind": p.kind, "name": p.name, "credit_code": p.credit_code, "province": p.province,
        "city": p.city, "county": p.county, "state_owned": p.state_owned, "contact_email": p.contact_email,
    })
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn create(ctx: &Ctx<'_>, actor: &Actor, input: PartyInput) -> ServiceResult<PartyView> {
    let db = ctx.db;
    actor.require(actor.role.manages_parties(), "create parties")?;
    let valid: ValidParty = input.validate().map_err(field_errors)?;
    let mut tx = db.write().await?;
    let row = store::insert(&mut tx, &valid)
        .await
        .map_err(duplicate_code)?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "party.create",
            entity_type: "party",
            entity_id: row.party_id.to_string(),
            before: None,
            after: Some(snapshot(&row)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn update(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i64,
    version: i64,
    input: PartyInput,
) -> ServiceResult<PartyView> {
    let db = ctx.db;
    actor.require(actor.role.manages_parties(), "edit parties")?;
    let valid = input.validate().map_err(field_errors)?;
    let mut tx = db.write().await?;
    let before = store::get(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound("party"))?;
    let row = store::update(&mut tx, id, version, &valid)
        .await
        .map_err(duplicate_code)?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "party.update",
            entity_type: "party",
            entity_id: id.to_string(),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&row)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// A client may read only its own maker; anything else is "not found".
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn get(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i64,
) -> ServiceResult<(PartyView, Vec<PartyRelationView>)> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    let row = store::get(&mut tx, id)
        .await?
        .filter(|p| actor.can_see_maker(p.party_id))
        .ok_or(ServiceError::NotFound("party"))?;
    let relations = if actor.role.is_staff() {
        store::relations(&mut tx, id)
            .await?
            .into_iter()
            .map(PartyRelationView::from)
            .collect()
    } else {
        Vec::new()
    };
    Ok((row.into(), relations))
}

/// A party list request: search, kind, order and page.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PartyListQuery {
    /// Part of the name or credit code.
    pub q: Option<String>,
    /// maker, user or intermediary.
    pub kind: Option<String>,
    /// created (default) or name.
    pub sort: Option<String>,
    /// asc or desc (default desc; by name the default is asc).
    pub order: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The cursor of the page to read (`next` or `prev` of the page before).
    pub after: Option<String>,
}

impl PartyListQuery {
    /// The first `limit` parties of a kind (pickers).
    pub fn of_kind(kind: Option<&str>, limit: i64) -> PartyListQuery {
        PartyListQuery {
            kind: kind.map(str::to_string),
            sort: Some("name".into()),
            limit: Some(limit),
            ..Default::default()
        }
    }
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn list(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: PartyListQuery,
) -> ServiceResult<Paged<PartyView>> {
    let db = ctx.db;
    let sort = match q.sort.as_deref().filter(|s| !s.is_empty()) {
        None => PartySort::default(),
        Some(s) => PartySort::parse(s).ok_or_else(|| {
            ServiceError::field(
                "sort",
                "sort by created or name",
                "排序只能是 created 或 name",
            )
        })?,
    };
    let order = sort.order(descending(q.order.as_deref(), sort == PartySort::Created));
    let seek = seek(q.limit, q.after.as_deref(), order);
    let filter = PartyFilter {
        query: q.q.filter(|q| !q.trim().is_empty()),
        kind: q.kind.filter(|k| !k.is_empty()),
        only_id: actor.maker_scope(),
    };
    let mut tx = db.read().await?;
    Ok(store::list(&mut tx, &filter, sort, &seek)
        .await?
        .into_map(PartyView::from))
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn add_relation(
    ctx: &Ctx<'_>,
    actor: &Actor,
    party_id: i64,
    other_party_id: i64,
    relation: Relation,
    note: &str,
) -> ServiceResult<i64> {
    let db = ctx.db;
    actor.require(actor.role.manages_parties(), "record party relations")?;
    if party_id == other_party_id {
        return Err(ServiceError::field(
            "other_party_id",
            "a party cannot be related to itself",
            "当事方不能与自身关联",
        ));
    }
    let mut tx = db.write().await?;
    for (field, id) in [("party_id", party_id), ("other_party_id", other_party_id)] {
        if store::get(&mut tx, id).await?.is_none() {
            return Err(ServiceError::field(field, "no such party", "无此当事方"));
        }
    }
    let id = store::add_relation(
        &mut tx,
        party_id,
        other_party_id,
        relation.as_str(),
        note.trim(),
    )
    .await
    .map_err(|e| match e {
        crate::store::StoreError::Duplicate(_) => ServiceError::Conflict(Text::new(
            "该关联关系已登记",
            "this relation is already recorded",
        )),
        other => other.into(),
    })?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "party.relate",
            entity_type: "party",
            entity_id: party_id.to_string(),
            before: None,
            after: Some(json!({"other_party_id": other_party_id, "relation": relation.as_str(), "note": note})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
