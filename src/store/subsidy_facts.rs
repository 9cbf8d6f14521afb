//! Subsidy facts (补贴审核事实): append-only rows; the newest of a fact and subject wins.

use super::{now, StoreResult, Tx};
use crate::dispatch;
use crate::domain::subsidy::facts::FactValue;
use crate::store::types::JsonText;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FactRow {
    pub subsidy_fact_id: i64,
    pub fact: String,
    pub party_id: Option<i64>,
    pub catalogue_item_id: Option<i64>,
    pub policy_id: Option<i64>,
    pub serial: Option<String>,
    /// The fact's value, tagged by its kind (a broken document fails the read).
    pub value_json: JsonText<FactValue>,
    pub source_document: String,
    pub recorded_by: Option<i64>,
    pub recorded_by_name: String,
    pub recorded_role: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// What a new row says and about whom.
pub struct NewFact<'a> {
    pub fact: &'a str,
    pub party_id: Option<i64>,
    pub catalogue_item_id: Option<i64>,
    pub policy_id: Option<i64>,
    pub serial: Option<&'a str>,
    pub value_json: &'a FactValue,
    pub source_document: &'a str,
    pub recorded_by: Option<i64>,
    pub recorded_by_name: &'a str,
    pub recorded_role: &'a str,
}

const COLUMNS: &str = "subsidy_fact_id, fact, party_id, catalogue_item_id, policy_id, serial, \
                       value_json, source_document, recorded_by, recorded_by_name, recorded_role, recorded_at";

pub async fn insert(tx: &mut Tx, f: &NewFact<'_>) -> StoreResult<FactRow> {
    let sql = format!(
        "insert into subsidy_fact (fact, party_id, catalogue_item_id, policy_id, serial, value_json, \
         source_document, recorded_by, recorded_by_name, recorded_role, recorded_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning {COLUMNS}"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, FactRow>(&sql)
            .bind(f.fact)
            .bind(f.party_id)
            .bind(f.catalogue_item_id)
            .bind(f.policy_id)
            .bind(f.serial)
            .bind(JsonText(f.value_json))
            .bind(f.source_document)
            .bind(f.recorded_by)
            .bind(f.recorded_by_name)
            .bind(f.recorded_role)
            .bind(now())
            .fetch_one(&mut *c)
            .await?
    }))
}

/// Every row about a maker, a qualification or a policy (its units included), newest first.
pub async fn about(
    tx: &mut Tx,
    party_id: Option<i64>,
    catalogue_item_id: Option<i64>,
    policy_id: Option<i64>,
) -> StoreResult<Vec<FactRow>> {
    let sql = format!(
        "select {COLUMNS} from subsidy_fact where ($1 is not null and party_id = $1) \
         or ($2 is not null and catalogue_item_id = $2) or ($3 is not null and policy_id = $3) \
         order by subsidy_fact_id desc"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, FactRow>(&sql)
            .bind(party_id)
            .bind(catalogue_item_id)
            .bind(policy_id)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// Every `subsidy_granted` row on policies of a maker or of a catalogue item, newest first.
pub async fn grants_for(
    tx: &mut Tx,
    maker_id: Option<i64>,
    catalogue_item_id: Option<i64>,
) -> StoreResult<Vec<FactRow>> {
    let sql = "select f.subsidy_fact_id, f.fact, f.party_id, f.catalogue_item_id, f.policy_id, f.serial, \
               f.value_json, f.source_document, f.recorded_by, f.recorded_by_name, f.recorded_role, f.recorded_at \
               from subsidy_fact f join policy p on p.policy_id = f.policy_id \
               where f.fact = 'subsidy_granted' and (($1 is not null and p.maker_id = $1) \
               or ($2 is not null and p.catalogue_item_id = $2)) order by f.subsidy_fact_id desc";
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, FactRow>(sql)
            .bind(maker_id)
            .bind(catalogue_item_id)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// An issued policy by its number: (policy id, maker id).
pub async fn policy_by_number(tx: &mut Tx, number: &str) -> StoreResult<Option<(i64, i64)>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, (i64, i64)>(
            "select policy_id, maker_id from policy where policy_number = $1",
        )
        .bind(number)
        .fetch_optional(&mut *c)
        .await?
    }))
}
