//! Parties and the relations between them.

use super::search::{Needle, Way};
use super::seek::{self, Arg, Key, KeyKind, Order, Paged, Seek, Sql};
use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use crate::domain::party::ValidParty;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartyRow {
    pub party_id: i64,
    pub kind: String,
    pub name: String,
    pub credit_code: String,
    pub province: String,
    pub city: String,
    pub county: String,
    pub state_owned: bool,
    pub contact_email: String,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RelationRow {
    pub party_relation_id: i64,
    pub party_id: i64,
    pub other_party_id: i64,
    pub other_name: String,
    pub relation: String,
    pub note: String,
}

/// Filters for the party list.
#[derive(Debug, Clone, Default)]
pub struct PartyFilter {
    pub query: Option<String>,
    pub kind: Option<String>,
    /// A client sees its own maker only.
    pub only_id: Option<i64>,
}

pub use crate::paging::PartySort;

impl PartySort {
    pub fn order(self, descending: bool) -> Order {
        let (column, kind) = match self {
            PartySort::Created => ("party_id", KeyKind::Int),
            PartySort::Name => ("name", KeyKind::Text),
        };
        Order {
            column,
            kind,
            id: "party_id",
            descending,
        }
    }

    fn key(self, r: &PartyRow) -> (Key, i64) {
        let k = match self {
            PartySort::Created => Key::Int(r.party_id),
            PartySort::Name => Key::Text(r.name.clone()),
        };
        (k, r.party_id)
    }
}

const COLUMNS: &str = "party_id, kind, name, credit_code, province, city, county, state_owned, \
                       contact_email, version, created_at, updated_at";

pub async fn insert(tx: &mut Tx, p: &ValidParty) -> StoreResult<PartyRow> {
    let at = now();
    let sql = format!(
        "insert into party (kind, name, credit_code, province, city, county, state_owned, contact_email, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning {COLUMNS}"
    );
    let row = dispatch!(tx, c => {
        sqlx::query_as::<_, PartyRow>(&sql)
            .bind(p.kind.as_str())
            .bind(&p.name)
            .bind(p.credit_code.as_str())
            .bind(&p.region.province)
            .bind(&p.region.city)
            .bind(&p.region.county)
            .bind(p.state_owned)
            .bind(&p.contact_email)
            .bind(at)
            .fetch_one(&mut *c)
            .await
    });
    row.map_err(|e| StoreError::on_unique(e, "credit_code"))
}

/// Update if nobody changed the record since `version` was read (optimistic lock).
pub async fn update(tx: &mut Tx, id: i64, version: i64, p: &ValidParty) -> StoreResult<PartyRow> {
    let sql = format!(
        "update party set kind = $1, name = $2, credit_code = $3, province = $4, city = $5, county = $6, \
         state_owned = $7, contact_email = $8, updated_at = $9, version = version + 1 \
         where party_id = $10 and version = $11 returning {COLUMNS}"
    );
    let row = dispatch!(tx, c => {
        sqlx::query_as::<_, PartyRow>(&sql)
            .bind(p.kind.as_str())
            .bind(&p.name)
            .bind(p.credit_code.as_str())
            .bind(&p.region.province)
            .bind(&p.region.city)
            .bind(&p.region.county)
            .bind(p.state_owned)
            .bind(&p.contact_email)
            .bind(now())
            .bind(id)
            .bind(version)
            .fetch_optional(&mut *c)
            .await
    });
    match row.map_err(|e| StoreError::on_unique(e, "credit_code"))? {
        Some(r) => Ok(r),
        None => match get(tx, id).await? {
            Some(_) => Err(StoreError::Conflict),
            None => Err(StoreError::NotFound),
        },
    }
}

pub async fn get(tx: &mut Tx, id: i64) -> StoreResult<Option<PartyRow>> {
    let sql = format!("select {COLUMNS} from party where party_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PartyRow>(&sql).bind(id).fetch_optional(&mut *c).await?
    }))
}

pub async fn by_credit_code(tx: &mut Tx, code: &str) -> StoreResult<Option<PartyRow>> {
    let sql = format!("select {COLUMNS} from party where credit_code = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PartyRow>(&sql).bind(code).fetch_optional(&mut *c).await?
    }))
}

/// One page of parties found by any part of the name or credit code (an index lookup:
/// trigrams, see `store::search`), of one kind, in the order asked for.
pub async fn list(
    tx: &mut Tx,
    f: &PartyFilter,
    sort: PartySort,
    seek: &Seek,
) -> StoreResult<Paged<PartyRow>> {
    let postgres = tx.is_postgres();
    let mut w = Sql::default();
    let mut ways = Vec::new();
    if let Some(n) = Needle::new(f.query.as_deref()) {
        ways.push(Way::Ids(n.ids(
            &mut w,
            postgres,
            "party",
            "party_id",
            "name",
            "party_fts",
        )));
        ways.push(Way::Ids(n.ids(
            &mut w,
            postgres,
            "party",
            "party_id",
            "credit_code",
            "party_fts",
        )));
    }
    if let Some(k) = &f.kind {
        w.with("kind = {}", Arg::Text(k.clone()));
    }
    if let Some(id) = f.only_id {
        w.with("party_id = {}", Arg::Int(id));
    }
    let select = format!("select {COLUMNS} from party");
    let sql = if ways.is_empty() {
        seek::page_sql(&select, "from party", &w, seek)
    } else {
        super::search::page_sql(postgres, &select, "from party", &w, &ways, seek)
    };
    seek::read(tx, &sql, seek, |r| sort.key(r)).await
}

pub async fn relations(tx: &mut Tx, party_id: i64) -> StoreResult<Vec<RelationRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, RelationRow>(
            "select r.party_relation_id, r.party_id, r.other_party_id, p.name as other_name, r.relation, r.note \
             from party_relation r join party p on p.party_id = r.other_party_id \
             where r.party_id = $1 \
             union all \
             select r.party_relation_id, r.other_party_id, r.party_id, p.name, r.relation, r.note \
             from party_relation r join party p on p.party_id = r.party_id \
             where r.other_party_id = $1 order by 1",
        )
        .bind(party_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

pub async fn add_relation(
    tx: &mut Tx,
    party_id: i64,
    other_party_id: i64,
    relation: &str,
    note: &str,
) -> StoreResult<i64> {
    let id = dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into party_relation (party_id, other_party_id, relation, note, created_at) \
             values ($1, $2, $3, $4, $5) returning party_relation_id",
        )
        .bind(party_id)
        .bind(other_party_id)
        .bind(relation)
        .bind(note)
        .bind(now())
        .fetch_one(&mut *c)
        .await
    });
    id.map_err(|e| StoreError::on_unique(e, "relation"))
}

/// Are the two parties related in this way, in either direction?
pub async fn related(tx: &mut Tx, a: i64, b: i64, relation: &str) -> StoreResult<bool> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from party_relation where relation = $3 and \
             ((party_id = $1 and other_party_id = $2) or (party_id = $2 and other_party_id = $1))",
        )
        .bind(a)
        .bind(b)
        .bind(relation)
        .fetch_one(&mut *c)
        .await?
    }) > 0)
}
