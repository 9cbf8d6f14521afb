//! Catalogue entries: a maker's qualified products.

use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CatalogueRow {
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

/// A checked catalogue entry, ready to store.
#[derive(Debug, Clone)]
pub struct CatalogueValues {
    pub maker_id: i64,
    pub edition: String,
    pub product_name: String,
    pub field: String,
    pub unit_type: String,
    pub tier: String,
    pub qualification_year: i32,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

#[derive(Debug, Clone, Default)]
pub struct CatalogueFilter {
    pub query: Option<String>,
    pub maker_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

const SELECT: &str =
    "select c.catalogue_item_id, c.maker_id, p.name as maker_name, c.edition, c.product_name, \
     c.field, c.unit_type, c.tier, c.qualification_year, c.valid_from, c.valid_until, c.version \
     from catalogue_item c join party p on p.party_id = c.maker_id";

pub async fn insert(tx: &mut Tx, v: &CatalogueValues) -> StoreResult<i64> {
    let at = now();
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into catalogue_item (maker_id, edition, product_name, field, unit_type, tier, \
             qualification_year, valid_from, valid_until, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning catalogue_item_id",
        )
        .bind(v.maker_id)
        .bind(&v.edition)
        .bind(&v.product_name)
        .bind(&v.field)
        .bind(&v.unit_type)
        .bind(&v.tier)
        .bind(v.qualification_year)
        .bind(v.valid_from)
        .bind(v.valid_until)
        .bind(at)
        .fetch_one(&mut *c)
        .await?
    }))
}

pub async fn update(tx: &mut Tx, id: i64, version: i64, v: &CatalogueValues) -> StoreResult<()> {
    let changed = dispatch!(tx, c => {
        sqlx::query(
            "update catalogue_item set maker_id = $1, edition = $2, product_name = $3, field = $4, \
             unit_type = $5, tier = $6, qualification_year = $7, valid_from = $8, valid_until = $9, \
             updated_at = $10, version = version + 1 where catalogue_item_id = $11 and version = $12",
        )
        .bind(v.maker_id)
        .bind(&v.edition)
        .bind(&v.product_name)
        .bind(&v.field)
        .bind(&v.unit_type)
        .bind(&v.tier)
        .bind(v.qualification_year)
        .bind(v.valid_from)
        .bind(v.valid_until)
        .bind(now())
        .bind(id)
        .bind(version)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if changed == 1 {
        return Ok(());
    }
    match get(tx, id).await? {
        Some(_) => Err(StoreError::Conflict),
        None => Err(StoreError::NotFound),
    }
}

pub async fn get(tx: &mut Tx, id: i64) -> StoreResult<Option<CatalogueRow>> {
    let sql = format!("{SELECT} where c.catalogue_item_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, CatalogueRow>(&sql).bind(id).fetch_optional(&mut *c).await?
    }))
}

pub async fn list(tx: &mut Tx, f: &CatalogueFilter) -> StoreResult<(Vec<CatalogueRow>, i64)> {
    let pattern = super::contains_pattern(f.query.as_deref());
    let filter =
        "where ($1 is null or c.product_name like $1 escape '\\' or c.field like $1 escape '\\' \
         or p.name like $1 escape '\\') \
                  and ($2 is null or c.maker_id = $2)";
    let sql = format!("{SELECT} {filter} order by c.catalogue_item_id desc limit $3 offset $4");
    let count_sql = format!(
        "select count(*) from catalogue_item c join party p on p.party_id = c.maker_id {filter}"
    );
    Ok(dispatch!(tx, c => {
        let rows = sqlx::query_as::<_, CatalogueRow>(&sql)
            .bind(&pattern)
            .bind(f.maker_id)
            .bind(f.limit)
            .bind(f.offset)
            .fetch_all(&mut *c)
            .await?;
        let total: i64 = sqlx::query_scalar(&count_sql)
            .bind(&pattern)
            .bind(f.maker_id)
            .fetch_one(&mut *c)
            .await?;
        (rows, total)
    }))
}
