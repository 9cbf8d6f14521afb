//! Catalogue entries: a maker's qualified products.

use super::search::{Needle, Way};
use super::seek::{self, Arg, Key, KeyKind, Order, Paged, Seek, Sql};
use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use chrono::NaiveDate;

#[derive(Debug, Clone, sqlx::FromRow)]
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
}

pub use crate::paging::CatalogueSort;

impl CatalogueSort {
    pub fn order(self, descending: bool) -> Order {
        let (column, kind) = match self {
            CatalogueSort::Created => ("c.catalogue_item_id", KeyKind::Int),
            CatalogueSort::Product => ("c.product_name", KeyKind::Text),
            CatalogueSort::ValidUntil => ("c.valid_until", KeyKind::Date),
        };
        Order {
            column,
            kind,
            id: "c.catalogue_item_id",
            descending,
        }
    }

    fn key(self, r: &CatalogueRow) -> (Key, i64) {
        let k = match self {
            CatalogueSort::Created => Key::Int(r.catalogue_item_id),
            CatalogueSort::Product => Key::Text(r.product_name.clone()),
            CatalogueSort::ValidUntil => Key::Date(r.valid_until),
        };
        (k, r.catalogue_item_id)
    }
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

/// One page of the catalogue: found by any part of the product name (trigram index),
/// the maker's name or credit code, or the field; one maker's; in the order asked for.
pub async fn list(
    tx: &mut Tx,
    f: &CatalogueFilter,
    sort: CatalogueSort,
    seek: &Seek,
) -> StoreResult<Paged<CatalogueRow>> {
    let postgres = tx.is_postgres();
    let mut w = Sql::default();
    let mut ways = Vec::new();
    if let Some(n) = Needle::new(f.query.as_deref()) {
        ways.push(Way::Ids(n.ids(
            &mut w,
            postgres,
            "catalogue_item",
            "catalogue_item_id",
            "product_name",
            "catalogue_fts",
        )));
        ways.push(Way::Through {
            column: "c.maker_id",
            parents: n.parties(&mut w, postgres),
        });
        // The field is one of a short list of sectors: read the column.
        let field = w.arg(Arg::Text(
            super::contains_pattern(f.query.as_deref()).unwrap_or_default(),
        ));
        ways.push(Way::Ids(format!(
            "select s.catalogue_item_id from catalogue_item s where s.field like {field} escape '\\'"
        )));
    }
    if let Some(m) = f.maker_id {
        w.with("c.maker_id = {}", Arg::Int(m));
    }
    let sql = if ways.is_empty() {
        seek::page_sql(SELECT, "from catalogue_item c", &w, seek)
    } else {
        super::search::page_sql(postgres, SELECT, "from catalogue_item c", &w, &ways, seek)
    };
    seek::read(tx, &sql, seek, |r| sort.key(r)).await
}
