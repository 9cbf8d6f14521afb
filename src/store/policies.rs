//! Quotes and policies (保单), their issued versions and referrals.
//!
//! A policy row is read, changed in Rust, and saved back only if nobody saved it
//! since it was read (the `version` column). Issued versions are append-only.

use super::audit::{self, AuditActor, AuditEntry};
use super::search::{Needle, Way};
use super::seek::{self, Arg, Key, KeyKind, Order, Paged, Seek, Sql};
use super::types::JsonText;
use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use crate::domain::cover_basis::CoverBasis;
use crate::domain::money::{Money, Rate};
use crate::domain::policy_state::PolicyState;
use crate::domain::programme::Finding;
use crate::domain::terms::QuoteInput;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyRow {
    pub policy_id: i64,
    pub policy_number: Option<String>,
    /// The full state; the `state` column holds its tag (for filtering), written from it
    /// on every save. A stored document that does not parse fails the read.
    pub state_json: JsonText<PolicyState>,
    pub maker_id: i64,
    pub maker_name: String,
    pub user_id: i64,
    pub user_name: String,
    pub intermediary_id: Option<i64>,
    pub end_user_proof: bool,
    pub catalogue_item_id: i64,
    pub product_name: String,
    pub cover_basis: CoverBasis,
    pub clause_set_id: String,
    pub clause_set_version: String,
    pub programme_id: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub units: i32,
    pub insured_value: Money,
    pub aggregate_limit: Money,
    pub rate: Rate,
    pub premium: Money,
    pub needs_referral: bool,
    /// The terms the quote is priced on; a stored document that does not parse fails the read.
    pub terms_json: JsonText<QuoteInput>,
    /// What the programme and limit rules found when last priced.
    pub findings_json: JsonText<Vec<Finding>>,
    pub renewal_of: Option<i64>,
    pub is_renewal: bool,
    pub first_insured_year: i32,
    pub quoted_by: i64,
    pub issued_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Business date the quote was last priced (its validity runs from here); older rows
    /// have none.
    pub quoted_on: Option<NaiveDate>,
}

const SELECT: &str = "select p.policy_id, p.policy_number, p.state, p.state_json, p.maker_id, \
    m.name as maker_name, p.user_id, u.name as user_name, p.intermediary_id, p.end_user_proof, \
    p.catalogue_item_id, c.product_name, p.cover_basis, p.clause_set_id, p.clause_set_version, \
    p.programme_id, p.period_start, p.period_end, p.units, p.insured_value, p.aggregate_limit, \
    p.rate, p.premium, p.needs_referral, p.terms_json, p.findings_json, p.renewal_of, \
    p.is_renewal, p.first_insured_year, p.quoted_by, p.issued_at, p.version, p.created_at, \
    p.updated_at, p.quoted_on from policy p join party m on m.party_id = p.maker_id \
    join party u on u.party_id = p.user_id \
    join catalogue_item c on c.catalogue_item_id = p.catalogue_item_id";

/// Insert a new quote; `row.policy_id`, names, version and timestamps are ignored.
pub async fn insert(tx: &mut Tx, row: &PolicyRow) -> StoreResult<i64> {
    let at = now();
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into policy (state, state_json, maker_id, user_id, intermediary_id, end_user_proof, \
             catalogue_item_id, cover_basis, clause_set_id, clause_set_version, programme_id, \
             period_start, period_end, units, insured_value, aggregate_limit, rate, premium, \
             needs_referral, terms_json, findings_json, renewal_of, is_renewal, first_insured_year, \
             quoted_by, created_at, updated_at, quoted_on) values ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, \
             $26, $26, $27) returning policy_id",
        )
        .bind(row.state_json.0.name())
        .bind(&row.state_json)
        .bind(row.maker_id)
        .bind(row.user_id)
        .bind(row.intermediary_id)
        .bind(row.end_user_proof)
        .bind(row.catalogue_item_id)
        .bind(row.cover_basis)
        .bind(&row.clause_set_id)
        .bind(&row.clause_set_version)
        .bind(&row.programme_id)
        .bind(row.period_start)
        .bind(row.period_end)
        .bind(row.units)
        .bind(row.insured_value)
        .bind(row.aggregate_limit)
        .bind(row.rate)
        .bind(row.premium)
        .bind(row.needs_referral)
        .bind(&row.terms_json)
        .bind(&row.findings_json)
        .bind(row.renewal_of)
        .bind(row.is_renewal)
        .bind(row.first_insured_year)
        .bind(row.quoted_by)
        .bind(at)
        .bind(row.quoted_on)
        .fetch_one(&mut *c)
        .await?
    }))
}

/// Record the business date a quote was (re-)priced; its validity runs from there.
/// Call after `save` in the same transaction (it does not touch `version`).
pub async fn set_quoted_on(tx: &mut Tx, policy_id: i64, day: NaiveDate) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query("update policy set quoted_on = $1 where policy_id = $2")
            .bind(day)
            .bind(policy_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    Ok(())
}

impl PolicyRow {
    /// Where the policy is in its life (from `state_json`).
    pub fn state(&self) -> PolicyState {
        self.state_json.0
    }

    /// Move the policy to `state`; the `state` tag column follows on the next save.
    pub fn set_state(&mut self, state: PolicyState) {
        self.state_json = JsonText(state);
    }
}

/// Save every changeable column if the row is still at `row.version`; on success the
/// row in hand carries the new version.
/// Every column `save` writes but the number, with `$2` … `$25` (the number is `$1`).
const SAVE_COLUMNS: &str = "state = $2, state_json = $3, intermediary_id = $4, \
     end_user_proof = $5, catalogue_item_id = $6, cover_basis = $7, clause_set_id = $8, \
     clause_set_version = $9, programme_id = $10, period_start = $11, period_end = $12, \
     units = $13, insured_value = $14, aggregate_limit = $15, rate = $16, premium = $17, \
     needs_referral = $18, terms_json = $19, findings_json = $20, issued_at = $21, \
     user_id = $22, updated_at = $23, version = version + 1";

/// Bind `$1` … `$25` of a save statement.
macro_rules! bind_save {
    ($q:expr, $first:expr, $row:expr, $at:expr) => {
        $q.bind($first)
            .bind($row.state_json.0.name())
            .bind(&$row.state_json)
            .bind($row.intermediary_id)
            .bind($row.end_user_proof)
            .bind($row.catalogue_item_id)
            .bind($row.cover_basis)
            .bind(&$row.clause_set_id)
            .bind(&$row.clause_set_version)
            .bind(&$row.programme_id)
            .bind($row.period_start)
            .bind($row.period_end)
            .bind($row.units)
            .bind($row.insured_value)
            .bind($row.aggregate_limit)
            .bind(&$row.rate)
            .bind($row.premium)
            .bind($row.needs_referral)
            .bind(&$row.terms_json)
            .bind(&$row.findings_json)
            .bind($row.issued_at)
            .bind($row.user_id)
            .bind($at)
            .bind($row.policy_id)
            .bind($row.version)
    };
}

/// Write the row back if nobody changed it since it was read (optimistic lock on `version`).
pub async fn save(tx: &mut Tx, row: &mut PolicyRow) -> StoreResult<()> {
    let at = now();
    let sql = format!(
        "update policy set policy_number = $1, {SAVE_COLUMNS} \
         where policy_id = $24 and version = $25"
    );
    let done = dispatch!(tx, c => {
        bind_save!(sqlx::query(&sql), &row.policy_number, row, at)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    });
    match done {
        Ok(1) => {
            row.version += 1;
            row.updated_at = at;
            Ok(())
        }
        Ok(_) => Err(StoreError::Conflict),
        Err(e) => Err(StoreError::on_unique(e, "policy_number")),
    }
}

/// Save a policy being issued with its number `{prefix}{n:06}`, `n` taken from the gap-free
/// counter `scope`/`year` (see `counters`), and journal its audit entry, whose `after` holds
/// `audit::NUMBER_MARK` where the number goes. The counter row stays locked from here to
/// commit and every issue queues on it, so call this last; on PostgreSQL the increment, the
/// save and the journal entry are one statement, leaving only the commit inside the section
/// all issuers share.
pub async fn save_issued(
    tx: &mut Tx,
    row: &mut PolicyRow,
    counter: (&str, i32),
    prefix: &str,
    actor: &AuditActor,
    mut entry: AuditEntry<'_>,
) -> StoreResult<()> {
    let (scope, year) = counter;
    let Tx::Postgres(c) = tx else {
        let n = super::counters::next(tx, scope, year).await?;
        let number = format!("{prefix}{n:06}");
        row.policy_number = Some(number.clone());
        save(tx, row).await?;
        if let Some(after) = entry.after.as_mut() {
            audit::fill_number(after, &number);
        }
        return audit::append(tx, actor, entry).await;
    };
    let at = now();
    let sql = format!(
        "with n as (insert into counter (scope, year, value) values ($26, $27, 1) \
         on conflict (scope, year) do update set value = counter.value + 1 returning value), \
         u as (update policy set policy_number = $1 || case when n.value < 1000000 \
         then lpad(n.value::text, 6, '0') else n.value::text end, {SAVE_COLUMNS} \
         from n where policy_id = $24 and version = $25 returning policy_number), \
         j as ({journal}) select policy_number from u",
        journal = audit::journal_cte(28, "u"),
    );
    let q = bind_save!(sqlx::query_scalar::<_, String>(&sql), prefix, row, at)
        .bind(scope)
        .bind(year);
    let number = audit::bind_journal_cte(q, actor, entry)
        .fetch_optional(&mut **c)
        .await
        .map_err(|e| StoreError::on_unique(e, "policy_number"))?
        .ok_or(StoreError::Conflict)?;
    row.policy_number = Some(number);
    row.version += 1;
    row.updated_at = at;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: i64) -> StoreResult<Option<PolicyRow>> {
    let sql = format!("{SELECT} where p.policy_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PolicyRow>(&sql).bind(id).fetch_optional(&mut *c).await?
    }))
}

/// Read a row to change it: on PostgreSQL the row stays locked until commit, so two
/// requests on the same policy queue instead of failing on the version check.
pub async fn get_for_update(tx: &mut Tx, id: i64) -> StoreResult<Option<PolicyRow>> {
    // SQLite has no row locks: its write transaction already holds the database lock.
    let lock = if tx.is_postgres() {
        " for update of p"
    } else {
        ""
    };
    let sql = format!("{SELECT} where p.policy_id = $1{lock}");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PolicyRow>(&sql).bind(id).fetch_optional(&mut *c).await?
    }))
}

/// Filters for the policy list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct PolicyFilter {
    /// Part of the policy number, the product name, or the maker's or user's name or
    /// credit code.
    pub query: Option<String>,
    pub maker_id: Option<i64>,
    pub user_id: Option<i64>,
    pub state: Option<String>,
    /// Policies whose period overlaps `period_from ..= period_to`.
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub programme_id: Option<String>,
    /// A client sees its own maker's policies only.
    pub only_maker: Option<i64>,
    /// Issued policies only (those with a number), for pickers and the portal.
    pub numbered_only: bool,
}

pub use crate::paging::PolicySort;

impl PolicySort {
    pub fn order(self, descending: bool) -> Order {
        let (column, kind) = match self {
            PolicySort::Created => ("p.policy_id", KeyKind::Int),
            PolicySort::PeriodStart => ("p.period_start", KeyKind::Date),
            PolicySort::PeriodEnd => ("p.period_end", KeyKind::Date),
            PolicySort::Premium => ("p.premium", KeyKind::Int),
        };
        Order {
            column,
            kind,
            id: "p.policy_id",
            descending,
        }
    }

    fn key(self, r: &PolicyRow) -> (Key, i64) {
        let k = match self {
            PolicySort::Created => Key::Int(r.policy_id),
            PolicySort::PeriodStart => Key::Date(r.period_start),
            PolicySort::PeriodEnd => Key::Date(r.period_end),
            PolicySort::Premium => Key::Int(r.premium.fen()),
        };
        (k, r.policy_id)
    }
}

/// The `where` of a policy list and, for a search, its ways to the policies: ids are
/// looked up in each indexed column separately (trigram indexes on PostgreSQL; see
/// migration 0016) rather than one `or` across the joined names, which no index can
/// answer, and each way reads only a page of them (`search::page_sql`).
fn policy_where(f: &PolicyFilter, postgres: bool) -> (Sql, Vec<Way>) {
    let mut w = Sql::default();
    let mut ways = Vec::new();
    if let Some(n) = Needle::new(f.query.as_deref()) {
        ways.push(Way::Ids(n.ids(
            &mut w,
            postgres,
            "policy",
            "policy_id",
            "policy_number",
            "policy_fts",
        )));
        ways.push(Way::Through {
            column: "p.maker_id",
            parents: n.parties(&mut w, postgres),
        });
        ways.push(Way::Through {
            column: "p.user_id",
            parents: n.parties(&mut w, postgres),
        });
        ways.push(Way::Through {
            column: "p.catalogue_item_id",
            parents: n.ids(
                &mut w,
                postgres,
                "catalogue_item",
                "catalogue_item_id",
                "product_name",
                "catalogue_fts",
            ),
        });
    }
    if let Some(v) = f.maker_id {
        w.with("p.maker_id = {}", Arg::Int(v));
    }
    if let Some(v) = f.only_maker {
        w.with("p.maker_id = {}", Arg::Int(v));
    }
    if let Some(v) = f.user_id {
        w.with("p.user_id = {}", Arg::Int(v));
    }
    if let Some(v) = &f.state {
        w.with("p.state = {}", Arg::Text(v.clone()));
    }
    if let Some(v) = f.period_from {
        w.with("p.period_end >= {}", Arg::Date(v));
    }
    if let Some(v) = f.period_to {
        w.with("p.period_start <= {}", Arg::Date(v));
    }
    if let Some(v) = &f.programme_id {
        w.with("p.programme_id = {}", Arg::Text(v.clone()));
    }
    if f.numbered_only {
        w.when("p.policy_number is not null");
    }
    (w, ways)
}

/// One page of the policy list and its (capped) total.
pub async fn list(
    tx: &mut Tx,
    f: &PolicyFilter,
    sort: PolicySort,
    seek: &Seek,
) -> StoreResult<Paged<PolicyRow>> {
    let postgres = tx.is_postgres();
    let (w, ways) = policy_where(f, postgres);
    let sql = if ways.is_empty() {
        seek::page_sql(SELECT, "from policy p", &w, seek)
    } else {
        super::search::page_sql(postgres, SELECT, "from policy p", &w, &ways, seek)
    };
    seek::read(tx, &sql, seek, |r| sort.key(r)).await
}

/// Every policy of a maker under a programme whose period starts in `year`, oldest first.
pub async fn for_maker_programme_year(
    tx: &mut Tx,
    maker_id: i64,
    programme_id: &str,
    year: i32,
) -> StoreResult<Vec<PolicyRow>> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(StoreError::NotFound)?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(StoreError::NotFound)?;
    let sql = format!(
        "{SELECT} where p.maker_id = $1 and p.programme_id = $2 and p.period_start >= $3 \
         and p.period_start <= $4 and p.policy_number is not null order by p.policy_id"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PolicyRow>(&sql)
            .bind(maker_id)
            .bind(programme_id)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// Issued policies of a maker assessed under one programme (one application round),
/// whatever calendar year they start in, oldest first.
pub async fn for_maker_programme(
    tx: &mut Tx,
    maker_id: i64,
    programme_id: &str,
) -> StoreResult<Vec<PolicyRow>> {
    let sql = format!(
        "{SELECT} where p.maker_id = $1 and p.programme_id = $2 \
         and p.policy_number is not null order by p.policy_id"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PolicyRow>(&sql)
            .bind(maker_id)
            .bind(programme_id)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// A policy of a maker that is or was cover (bound, issued, in force, expired), with the
/// terms that name its units: the cover history quotes are checked against.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CoverHistoryRow {
    pub policy_id: i64,
    pub policy_number: Option<String>,
    pub user_id: i64,
    pub catalogue_item_id: i64,
    pub cover_basis: CoverBasis,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The units named by the stored terms (`terms_json`); a document that does not parse
    /// fails the read rather than counting as no units.
    #[sqlx(rename = "terms_json")]
    pub terms: JsonText<HistoryTerms>,
}

/// What the cover history reads of a policy's stored terms: its unit lines.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct HistoryTerms {
    pub units: Vec<HistoryUnit>,
}

/// One unit line of stored terms: its serial (出厂编号 / 批次号) and quantity.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct HistoryUnit {
    pub serial: String,
    #[serde(default = "one_unit")]
    pub quantity: u32,
}

fn one_unit() -> u32 {
    1
}

/// The cover history's columns of a policy `p`, and the states in which it is or was cover.
const HISTORY_COLUMNS: &str = "p.policy_id, p.policy_number, p.user_id, p.catalogue_item_id, \
    p.cover_basis, p.period_start, p.period_end, p.terms_json";
const COVER_STATES: &str = "('bound', 'issued', 'in_force', 'expired')";

/// The maker's policies naming `serial` among their units for a period overlapping
/// `start`..=`end`, found through `policy_serial` (migration 0025: the serials of each
/// policy's current terms, kept by triggers), so the cost is the few policies naming it.
pub async fn with_serial_overlapping(
    tx: &mut Tx,
    maker_id: i64,
    serial: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> StoreResult<Vec<CoverHistoryRow>> {
    // Driven from policy_serial's (maker_id, serial) index: as `policy_id in (select …)` the
    // planner walked the maker's whole book by its maker index (5 ms a quote at 3,000
    // policies in the underwriting bench).
    let sql = format!(
        "select {HISTORY_COLUMNS} from policy_serial s join policy p on p.policy_id = s.policy_id \
         where s.maker_id = $1 and s.serial = $4 and p.state in {COVER_STATES} \
         and p.period_start <= $2 and p.period_end >= $3 order by p.policy_id"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, CoverHistoryRow>(&sql)
            .bind(maker_id)
            .bind(end)
            .bind(start)
            .bind(serial)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// Rebuild `policy_serial` from the policies' terms, set-based: for a bulk load that ran with
/// its insert trigger off (the scale bench), and to check the triggers (tests). The same
/// statements as migration 0025's backfill.
pub async fn rebuild_serials(tx: &mut Tx) -> StoreResult<()> {
    let fill = match tx {
        Tx::Postgres(_) => {
            "insert into policy_serial (policy_id, maker_id, serial) \
             select distinct p.policy_id, p.maker_id, u ->> 'serial' \
             from policy p, json_array_elements(coalesce(p.terms_json::json -> 'units', '[]'::json)) u \
             where u ->> 'serial' is not null"
        }
        Tx::Sqlite(_) => {
            "insert or ignore into policy_serial (policy_id, maker_id, serial) \
             select p.policy_id, p.maker_id, json_extract(u.value, '$.serial') \
             from policy p, json_each(p.terms_json, '$.units') u \
             where json_extract(u.value, '$.serial') is not null"
        }
    };
    for sql in ["delete from policy_serial", fill] {
        dispatch!(tx, c => {
            sqlx::query(sql).execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// The maker's first-set policies for one user and catalogue product.
pub async fn first_set_of(
    tx: &mut Tx,
    maker_id: i64,
    user_id: i64,
    catalogue_item_id: i64,
) -> StoreResult<Vec<CoverHistoryRow>> {
    let sql = format!(
        "select {HISTORY_COLUMNS} from policy p where p.maker_id = $1 and p.state in {COVER_STATES} \
         and p.cover_basis = 'first_set' and p.user_id = $2 and p.catalogue_item_id = $3 \
         order by p.policy_id"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, CoverHistoryRow>(&sql)
            .bind(maker_id)
            .bind(user_id)
            .bind(catalogue_item_id)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// The next `limit` issued policies of a maker under a programme (one application
/// round, whatever year they start in), after policy `after_id`, in policy order
/// (annex 3's one pass).
pub async fn maker_programme_after(
    tx: &mut Tx,
    maker_id: i64,
    programme_id: &str,
    after_id: i64,
    limit: i64,
) -> StoreResult<Vec<PolicyRow>> {
    let sql = format!(
        "{SELECT} where p.maker_id = $1 and p.programme_id = $2 \
         and p.policy_number is not null and p.policy_id > $3 order by p.policy_id limit $4"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PolicyRow>(&sql)
            .bind(maker_id)
            .bind(programme_id)
            .bind(after_id)
            .bind(limit)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// The next `limit` issued policies of a maker under a programme whose period starts
/// in `year`, after policy `after_id`, in policy order (annex 3's one pass).
pub async fn maker_programme_year_after(
    tx: &mut Tx,
    maker_id: i64,
    programme_id: &str,
    year: i32,
    after_id: i64,
    limit: i64,
) -> StoreResult<Vec<PolicyRow>> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(StoreError::NotFound)?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(StoreError::NotFound)?;
    let sql = format!(
        "{SELECT} where p.maker_id = $1 and p.programme_id = $2 and p.period_start >= $3 \
         and p.period_start <= $4 and p.policy_number is not null and p.policy_id > $5 \
         order by p.policy_id limit $6"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PolicyRow>(&sql)
            .bind(maker_id)
            .bind(programme_id)
            .bind(from)
            .bind(to)
            .bind(after_id)
            .bind(limit)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// One fixed version of an issued policy (出单, 批改, 退保).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub policy_version_id: i64,
    pub policy_id: i64,
    pub seq: i32,
    /// issue, endorsement or cancellation
    pub kind: String,
    pub effective_on: NaiveDate,
    /// The terms as they stand after this version (a JSON document; one that does not
    /// parse fails the read).
    pub terms_json: JsonText<serde_json::Value>,
    /// The clause set's text the policy was issued on (JSON).
    pub clause_text_json: String,
    /// Full-term premium after this version, in fen.
    pub premium: Money,
    /// Additional (+) or return (−) premium of this version, in fen.
    pub adjustment: Money,
    pub reason: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

pub struct NewVersion<'a> {
    pub policy_id: i64,
    pub kind: &'a str,
    pub effective_on: NaiveDate,
    pub terms_json: &'a QuoteInput,
    pub clause_text_json: &'a str,
    pub premium: Money,
    pub adjustment: Money,
    pub reason: &'a str,
    pub created_by: i64,
}

/// Append the next version (numbered 1, 2, … per policy).
pub async fn add_version(tx: &mut Tx, v: &NewVersion<'_>) -> StoreResult<i32> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i32>(
            "insert into policy_version (policy_id, seq, kind, effective_on, terms_json, \
             clause_text_json, premium, adjustment, reason, created_by, created_at) \
             select $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
             from policy_version where policy_id = $1 returning seq",
        )
        .bind(v.policy_id)
        .bind(v.kind)
        .bind(v.effective_on)
        .bind(JsonText(v.terms_json))
        .bind(v.clause_text_json)
        .bind(v.premium)
        .bind(v.adjustment)
        .bind(v.reason)
        .bind(v.created_by)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    }))
}

pub async fn versions(tx: &mut Tx, policy_id: i64) -> StoreResult<Vec<VersionRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, VersionRow>(
            "select policy_version_id, policy_id, seq, kind, effective_on, terms_json, clause_text_json, \
             premium, adjustment, reason, created_by, created_at from policy_version \
             where policy_id = $1 order by seq",
        )
        .bind(policy_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

/// A referral to a senior underwriter (提交上级核保).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReferralRow {
    pub referral_id: i64,
    pub policy_id: i64,
    /// Why it was referred: the referral findings.
    pub reasons_json: JsonText<Vec<Finding>>,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    /// approved or declined; absent while open.
    pub decision: Option<String>,
    pub decided_by: Option<i64>,
    pub decision_note: String,
    pub decided_at: Option<DateTime<Utc>>,
    /// Set for an endorsement waiting for approval: the change requested, as the
    /// underwriter sent it (the service reads it into its input type).
    pub endorsement_json: Option<JsonText<serde_json::Value>>,
    /// The level of the authority ladder it waits for (a role code); none on older rows.
    pub level: Option<String>,
    pub product_name: String,
    pub maker_name: String,
    pub aggregate_limit: Money,
    pub premium: Money,
    pub rate: Rate,
}

const REFERRAL_SELECT: &str = "select r.referral_id, r.policy_id, r.reasons_json, r.requested_by, \
    a.username as requested_by_name, r.requested_at, r.decision, r.decided_by, r.decision_note, \
    r.decided_at, r.endorsement_json, r.level, c.product_name, m.name as maker_name, p.aggregate_limit, p.premium, p.rate \
    from referral r join policy p on p.policy_id = r.policy_id \
    join app_user a on a.user_id = r.requested_by \
    join party m on m.party_id = p.maker_id \
    join catalogue_item c on c.catalogue_item_id = p.catalogue_item_id";

/// Open a referral; `endorsement` is the requested change when it is an endorsement.
pub async fn add_referral(
    tx: &mut Tx,
    policy_id: i64,
    reasons: &[Finding],
    requested_by: i64,
    endorsement: Option<&serde_json::Value>,
    level: &str,
) -> StoreResult<i64> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into referral (policy_id, reasons_json, requested_by, requested_at, endorsement_json, level) \
             values ($1, $2, $3, $4, $5, $6) returning referral_id",
        )
        .bind(policy_id)
        .bind(JsonText(reasons))
        .bind(requested_by)
        .bind(now())
        .bind(endorsement.map(JsonText))
        .bind(level)
        .fetch_one(&mut *c)
        .await?
    }))
}

/// The open referral of a policy, if any.
pub async fn open_referral(tx: &mut Tx, policy_id: i64) -> StoreResult<Option<ReferralRow>> {
    let sql = format!("{REFERRAL_SELECT} where r.policy_id = $1 and r.decision is null");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, ReferralRow>(&sql).bind(policy_id).fetch_optional(&mut *c).await?
    }))
}

pub async fn referrals_of(tx: &mut Tx, policy_id: i64) -> StoreResult<Vec<ReferralRow>> {
    let sql = format!("{REFERRAL_SELECT} where r.policy_id = $1 order by r.referral_id");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, ReferralRow>(&sql).bind(policy_id).fetch_all(&mut *c).await?
    }))
}

/// The referral queue's order: by when the referral was made (its id).
pub fn referral_order(descending: bool) -> Order {
    Order::by_id("r.referral_id", descending)
}

/// The queue: one page of open referrals (a partial index holds only the open ones),
/// optionally of one maker.
pub async fn open_referrals(
    tx: &mut Tx,
    maker_id: Option<i64>,
    seek: &Seek,
) -> StoreResult<Paged<ReferralRow>> {
    let mut w = Sql::default();
    w.when("r.decision is null");
    let count_from = match maker_id {
        Some(m) => {
            w.with("p.maker_id = {}", Arg::Int(m));
            "from referral r join policy p on p.policy_id = r.policy_id"
        }
        None => "from referral r",
    };
    let sql = seek::page_sql(REFERRAL_SELECT, count_from, &w, seek);
    seek::read(tx, &sql, seek, |r: &ReferralRow| {
        (Key::Int(r.referral_id), r.referral_id)
    })
    .await
}

pub async fn decide_referral(
    tx: &mut Tx,
    referral_id: i64,
    decision: &str,
    decided_by: i64,
    note: &str,
) -> StoreResult<()> {
    let done = dispatch!(tx, c => {
        sqlx::query(
            "update referral set decision = $1, decided_by = $2, decision_note = $3, decided_at = $4 \
             where referral_id = $5 and decision is null",
        )
        .bind(decision)
        .bind(decided_by)
        .bind(note)
        .bind(now())
        .bind(referral_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

/// What a quote needs to know about its parties, read in one round trip.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartyFacts {
    pub maker_kind: Option<String>,
    pub maker_name: Option<String>,
    pub user_kind: Option<String>,
    pub user_name: Option<String>,
    pub intermediary_kind: Option<String>,
    /// 关联企业 recorded between maker and user (either direction).
    pub related_party: bool,
    /// The user is recorded as a trader for the maker (either direction).
    pub trader: bool,
}

pub async fn party_facts(
    tx: &mut Tx,
    maker_id: i64,
    user_id: i64,
    intermediary_id: Option<i64>,
) -> StoreResult<PartyFacts> {
    let between = "((r.party_id = $1 and r.other_party_id = $2) or (r.party_id = $2 and r.other_party_id = $1))";
    let sql = format!(
        "select (select kind from party where party_id = $1) as maker_kind, \
         (select name from party where party_id = $1) as maker_name, \
         (select kind from party where party_id = $2) as user_kind, \
         (select name from party where party_id = $2) as user_name, \
         (select kind from party where party_id = $3) as intermediary_kind, \
         exists (select 1 from party_relation r where r.relation = 'related_party' and {between}) as related_party, \
         exists (select 1 from party_relation r where r.relation = 'trader' and {between}) as trader"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, PartyFacts>(&sql)
            .bind(maker_id)
            .bind(user_id)
            .bind(intermediary_id)
            .fetch_one(&mut *c)
            .await?
    }))
}

/// Issued policies whose cover has started, and policies in force whose period has
/// ended, as of `day` — the ones the policy clock must move.
pub async fn due_for_clock(tx: &mut Tx, day: NaiveDate) -> StoreResult<Vec<i64>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar(
            "select policy_id from policy where (state = 'issued' and period_start <= $1) \
             or (state = 'in_force' and period_end < $1) order by policy_id",
        )
        .bind(day)
        .fetch_all(&mut *c)
        .await?
    }))
}
