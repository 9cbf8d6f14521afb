//! Catalogue entries (目录产品): a maker's qualified products and their validity.

use super::{descending, seek, Actor, FieldError, ServiceError, ServiceResult};
use crate::domain::catalogue::{default_valid_until, Tier, UnitType};
use crate::paging::Paged;
use crate::services::Ctx;
use crate::store::audit::{self, AuditEntry};
use crate::store::catalogue::{
    self as store, CatalogueFilter, CatalogueRow, CatalogueSort, CatalogueValues,
};
use crate::store::parties;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A catalogue entry (目录产品) as every reader sees it (a client only its own maker's).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogueView {
    pub catalogue_item_id: i64,
    pub maker_id: i64,
    pub maker_name: String,
    pub edition: String,
    pub product_name: String,
    pub field: String,
    pub unit_type: String,
    pub tier: String,
    pub qualification_year: i32,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub version: i64,
}

impl From<CatalogueRow> for CatalogueView {
    fn from(c: CatalogueRow) -> Self {
        CatalogueView {
            catalogue_item_id: c.catalogue_item_id,
            maker_id: c.maker_id,
            maker_name: c.maker_name,
            edition: c.edition,
            product_name: c.product_name,
            field: c.field,
            unit_type: c.unit_type,
            tier: c.tier,
            qualification_year: c.qualification_year,
            valid_from: c.valid_from,
            valid_until: c.valid_until,
            version: c.version,
        }
    }
}

/// A catalogue entry as entered.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueInput {
    pub maker_id: i64,
    /// e.g. "national-2024" (《首台(套)重大技术装备推广应用指导目录(2024版)》) or "zhejiang-2025".
    pub edition: String,
    pub product_name: String,
    pub field: String,
    pub unit_type: UnitType,
    pub tier: Tier,
    pub qualification_year: i32,
    /// Start of validity (ISO date).
    pub valid_from: NaiveDate,
    /// End of validity; five years nationally when left out.
    pub valid_until: Option<NaiveDate>,
}

fn validate(i: &CatalogueInput) -> Result<CatalogueValues, ServiceError> {
    let mut errs = Vec::new();
    let required = [
        ("edition", &i.edition, "目录版本必填"),
        ("product_name", &i.product_name, "产品名称必填"),
        ("field", &i.field, "所属领域必填"),
    ];
    for (field, value, zh) in required {
        if value.trim().is_empty() {
            errs.push(FieldError::new(field, "required", zh));
        }
    }
    if !(2000..=2100).contains(&i.qualification_year) {
        errs.push(FieldError::new(
            "qualification_year",
            "a year between 2000 and 2100",
            "认定年份应在2000至2100之间",
        ));
    }
    let valid_until = i
        .valid_until
        .unwrap_or_else(|| default_valid_until(i.valid_from));
    if valid_until < i.valid_from {
        errs.push(FieldError::new(
            "valid_until",
            "the end of validity is before its start",
            "有效期截止日早于起始日",
        ));
    }
    if !errs.is_empty() {
        return Err(ServiceError::Validation(errs));
    }
    Ok(CatalogueValues {
        maker_id: i.maker_id,
        edition: i.edition.trim().into(),
        product_name: i.product_name.trim().into(),
        field: i.field.trim().into(),
        unit_type: i.unit_type.as_str().into(),
        tier: i.tier.as_str().into(),
        qualification_year: i.qualification_year,
        valid_from: i.valid_from,
        valid_until,
    })
}

async fn require_maker(tx: &mut crate::store::Tx, maker_id: i64) -> ServiceResult<()> {
    match parties::get(tx, maker_id).await? {
        Some(p) if p.kind == "maker" => Ok(()),
        _ => Err(ServiceError::field(
            "maker_id",
            "no such maker",
            "无此制造企业",
        )),
    }
}

fn snapshot(v: &CatalogueValues) -> serde_json::Value {
    json!({
        "maker_id": v.maker_id, "edition": v.edition, "product_name": v.product_name, "field": v.field,
        "unit_type": v.unit_type, "tier": v.tier, "qualification_year": v.qualification_year,
        "valid_from": v.valid_from, "valid_until": v.valid_until,
    })
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn create(
    ctx: &Ctx<'_>,
    actor: &Actor,
    input: CatalogueInput,
) -> ServiceResult<CatalogueView> {
    let db = ctx.db;
    actor.require(actor.role.manages_parties(), "edit the catalogue")?;
    let values = validate(&input)?;
    let mut tx = db.write().await?;
    require_maker(&mut tx, values.maker_id).await?;
    let id = store::insert(&mut tx, &values).await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "catalogue.create",
            entity_type: "catalogue_item",
            entity_id: id.to_string(),
            before: None,
            after: Some(snapshot(&values)),
        },
    )
    .await?;
    let row = store::get(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound("catalogue item"))?;
    tx.commit().await?;
    Ok(row.into())
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn update(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i64,
    version: i64,
    input: CatalogueInput,
) -> ServiceResult<CatalogueView> {
    let db = ctx.db;
    actor.require(actor.role.manages_parties(), "edit the catalogue")?;
    let values = validate(&input)?;
    let mut tx = db.write().await?;
    let before = store::get(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound("catalogue item"))?;
    require_maker(&mut tx, values.maker_id).await?;
    store::update(&mut tx, id, version, &values).await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "catalogue.update",
            entity_type: "catalogue_item",
            entity_id: id.to_string(),
            before: Some(serde_json::to_value(CatalogueView::from(before)).unwrap_or_default()),
            after: Some(snapshot(&values)),
        },
    )
    .await?;
    let row = store::get(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound("catalogue item"))?;
    tx.commit().await?;
    Ok(row.into())
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn get(ctx: &Ctx<'_>, actor: &Actor, id: i64) -> ServiceResult<CatalogueView> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    store::get(&mut tx, id)
        .await?
        .filter(|c| actor.can_see_maker(c.maker_id))
        .map(CatalogueView::from)
        .ok_or(ServiceError::NotFound("catalogue item"))
}

/// A catalogue list request: search, maker, order and page.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CatalogueListQuery {
    /// Part of the product name, the field, or the maker's name or credit code.
    pub q: Option<String>,
    pub maker_id: Option<i64>,
    /// created (default), product or valid_until.
    pub sort: Option<String>,
    /// asc or desc (default desc; by product the default is asc).
    pub order: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The cursor of the page to read (`next` or `prev` of the page before).
    pub after: Option<String>,
}

impl CatalogueListQuery {
    /// The first `limit` products (of one maker), by name (pickers).
    pub fn first(maker_id: Option<i64>, limit: i64) -> CatalogueListQuery {
        CatalogueListQuery {
            maker_id,
            sort: Some("product".into()),
            limit: Some(limit),
            ..Default::default()
        }
    }
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn list(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: CatalogueListQuery,
) -> ServiceResult<Paged<CatalogueView>> {
    let db = ctx.db;
    let sort = match q.sort.as_deref().filter(|s| !s.is_empty()) {
        None => CatalogueSort::default(),
        Some(s) => CatalogueSort::parse(s).ok_or_else(|| {
            ServiceError::field(
                "sort",
                "sort by created, product or valid_until",
                "排序只能是 created、product 或 valid_until",
            )
        })?,
    };
    let order = sort.order(descending(
        q.order.as_deref(),
        sort != CatalogueSort::Product,
    ));
    let seek = seek(q.limit, q.after.as_deref(), order);
    let maker_id = actor.maker_scope().or(q.maker_id);
    let mut tx = db.read().await?;
    Ok(store::list(
        &mut tx,
        &CatalogueFilter {
            query: q.q.filter(|q| !q.trim().is_empty()),
            maker_id,
        },
        sort,
        &seek,
    )
    .await?
    .into_map(CatalogueView::from))
}
