//! Claims (赔案): the claim row, its reserve history, documents, the one proof
//! request and approvals. Limits, payments and recoveries are in `claim_money`.

use super::search::{Needle, Way};
use super::seek::{self, Arg, Key, KeyKind, Order, Paged, Seek, Sql};
use super::{now, StoreError, StoreResult, Tx};
use crate::dispatch;
use crate::domain::claims::{ClaimState, CoverCheck, Outcome};
use crate::domain::clauses::checklist::ClaimType;
use crate::domain::money::Money;
use crate::store::types::JsonText;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimRow {
    pub claim_id: i64,
    pub claim_number: String,
    pub policy_id: i64,
    pub policy_number: String,
    pub maker_id: i64,
    pub maker_name: String,
    pub claim_type: ClaimType,
    pub section_code: Option<String>,
    pub state: ClaimState,
    pub event_date: NaiveDate,
    pub known_date: Option<NaiveDate>,
    pub reported_on: NaiveDate,
    pub place: String,
    pub description: String,
    /// The serials the claim names (受损装备).
    pub units_json: JsonText<Vec<String>>,
    pub amount_claimed: Money,
    pub contact_email: String,
    /// The cover check made at notification (保险责任初审).
    pub cover_json: JsonText<CoverCheck>,
    pub reported_by: i64,
    pub registered_by: Option<i64>,
    pub proof_complete_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    /// The decision's reasons (拒赔/核定理由).
    pub reasons_json: JsonText<Vec<String>>,
    pub agreed_loss: Option<Money>,
    pub indemnity: Option<Money>,
    pub indemnity_json: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_on: Option<NaiveDate>,
    pub agreed_on: Option<NaiveDate>,
    pub paid_total: Money,
    pub recovered_total: Money,
    pub closed_on: Option<NaiveDate>,
    /// The latest case reserve (0 before any is set).
    pub reserve: i64,
    /// 经办人: the handler the claim is assigned to.
    pub assigned_to: Option<i64>,
    pub assigned_name: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "select k.claim_id, k.claim_number, k.policy_id, p.policy_number, k.maker_id, \
    m.name as maker_name, k.claim_type, k.section_code, k.state, k.event_date, k.known_date, \
    k.reported_on, k.place, k.description, k.units_json, k.amount_claimed, k.contact_email, \
    k.cover_json, k.reported_by, k.registered_by, k.proof_complete_on, k.outcome, k.reasons_json, \
    k.agreed_loss, k.indemnity, k.indemnity_json, k.decided_by, k.decided_on, k.agreed_on, \
    k.paid_total, k.recovered_total, k.closed_on, \
    coalesce((select r.amount from claim_reserve r where r.claim_id = k.claim_id \
      order by r.reserve_id desc limit 1), 0) as reserve, \
    k.assigned_to, (select u.display_name from app_user u where u.user_id = k.assigned_to) as assigned_name, \
    k.version, k.created_at, k.updated_at \
    from claim k join policy p on p.policy_id = k.policy_id join party m on m.party_id = k.maker_id";

/// What a notification records.
pub struct NewClaim<'a> {
    pub claim_number: &'a str,
    pub policy_id: i64,
    pub maker_id: i64,
    pub claim_type: &'a str,
    pub section_code: Option<&'a str>,
    pub state: &'a str,
    pub event_date: NaiveDate,
    pub known_date: Option<NaiveDate>,
    pub reported_on: NaiveDate,
    pub place: &'a str,
    pub description: &'a str,
    pub units_json: &'a str,
    pub amount_claimed: Money,
    pub contact_email: &'a str,
    pub cover_json: &'a str,
    pub reported_by: i64,
    pub registered_by: Option<i64>,
}

pub async fn insert(tx: &mut Tx, n: &NewClaim<'_>) -> StoreResult<i64> {
    let at = now();
    dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into claim (claim_number, policy_id, maker_id, claim_type, section_code, state, \
             event_date, known_date, reported_on, place, description, units_json, amount_claimed, \
             contact_email, cover_json, reported_by, registered_by, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) \
             returning claim_id",
        )
        .bind(n.claim_number)
        .bind(n.policy_id)
        .bind(n.maker_id)
        .bind(n.claim_type)
        .bind(n.section_code)
        .bind(n.state)
        .bind(n.event_date)
        .bind(n.known_date)
        .bind(n.reported_on)
        .bind(n.place)
        .bind(n.description)
        .bind(n.units_json)
        .bind(n.amount_claimed)
        .bind(n.contact_email)
        .bind(n.cover_json)
        .bind(n.reported_by)
        .bind(n.registered_by)
        .bind(at)
        .fetch_one(&mut *c)
        .await
        .map_err(|e| StoreError::on_unique(e, "claim_number"))
    })
}

/// `claim.next_due_on` of a claim with no statutory clock on the insurer running
/// (a sentinel rather than null, so the queue's keyset order needs no null handling).
/// 9999-12-31: sorts last as a date and as ISO text on both stores.
pub fn no_deadline() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// The nearest deadline that binds the insurer (决定/先行赔付/支付期限), stored with
/// every save so the queue and the overdue count read an index instead of computing
/// every open claim's clocks.
pub fn next_due_on(r: &ClaimRow) -> NaiveDate {
    let clocks = crate::domain::claims::clocks_for(&crate::domain::claims::ClockFacts {
        event_date: r.event_date,
        known_date: r.known_date,
        proof_complete_on: r.proof_complete_on,
        decided: r.decided_on.is_some(),
        agreed_on: r.agreed_on,
        anything_paid: r.paid_total > Money::ZERO,
        fully_paid: r.indemnity.is_some_and(|i| r.paid_total >= i),
        open: r.state != ClaimState::Closed,
    });
    clocks
        .iter()
        .filter(|c| c.kind.binds_insurer())
        .map(|c| c.due_on)
        .min()
        .unwrap_or_else(no_deadline)
}

/// Save the changeable columns if nobody saved the row since it was read.
pub async fn save(tx: &mut Tx, row: &mut ClaimRow) -> StoreResult<()> {
    let at = now();
    let done = dispatch!(tx, c => {
        sqlx::query(
            "update claim set state = $1, registered_by = $2, proof_complete_on = $3, outcome = $4, \
             reasons_json = $5, agreed_loss = $6, indemnity = $7, indemnity_json = $8, \
             decided_by = $9, decided_on = $10, agreed_on = $11, paid_total = $12, \
             recovered_total = $13, closed_on = $14, contact_email = $15, updated_at = $16, \
             next_due_on = $19, version = version + 1 where claim_id = $17 and version = $18",
        )
        .bind(row.state)
        .bind(row.registered_by)
        .bind(row.proof_complete_on)
        .bind(row.outcome)
        .bind(&row.reasons_json)
        .bind(row.agreed_loss)
        .bind(row.indemnity)
        .bind(&row.indemnity_json)
        .bind(row.decided_by)
        .bind(row.decided_on)
        .bind(row.agreed_on)
        .bind(row.paid_total)
        .bind(row.recovered_total)
        .bind(row.closed_on)
        .bind(&row.contact_email)
        .bind(at)
        .bind(row.claim_id)
        .bind(row.version)
        .bind(next_due_on(row))
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if done != 1 {
        return Err(StoreError::Conflict);
    }
    row.version += 1;
    row.updated_at = at;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: i64) -> StoreResult<Option<ClaimRow>> {
    let sql = format!("{SELECT} where k.claim_id = $1");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, ClaimRow>(&sql).bind(id).fetch_optional(&mut *c).await?
    }))
}

/// Lock the claim row (PostgreSQL) before changing it; SQLite's write transaction
/// already holds the database lock.
pub async fn get_for_update(tx: &mut Tx, id: i64) -> StoreResult<Option<ClaimRow>> {
    if tx.is_postgres() {
        dispatch!(tx, c => {
            sqlx::query("select claim_id from claim where claim_id = $1 for update")
                .bind(id)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
    }
    get(tx, id).await
}

/// Filters for claim lists; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    /// Part of the claim number, the policy number or the maker's name or credit code.
    pub query: Option<String>,
    pub state: Option<String>,
    pub policy_id: Option<i64>,
    pub maker_id: Option<i64>,
    pub claim_type: Option<String>,
    /// Reported on or after / on or before.
    pub reported_from: Option<NaiveDate>,
    pub reported_to: Option<NaiveDate>,
    /// Not closed.
    pub open_only: bool,
    /// A client sees its own maker's claims only.
    pub only_maker: Option<i64>,
    /// One handler's claims ("my claims").
    pub assigned_to: Option<i64>,
}

pub use crate::paging::ClaimSort;

impl ClaimSort {
    pub fn order(self, descending: bool) -> Order {
        let (column, kind) = match self {
            ClaimSort::Created => ("k.claim_id", KeyKind::Int),
            ClaimSort::ReportedOn => ("k.reported_on", KeyKind::Date),
            ClaimSort::EventDate => ("k.event_date", KeyKind::Date),
            ClaimSort::AmountClaimed => ("k.amount_claimed", KeyKind::Int),
        };
        Order {
            column,
            kind,
            id: "k.claim_id",
            descending,
        }
    }

    fn key(self, r: &ClaimRow) -> (Key, i64) {
        let k = match self {
            ClaimSort::Created => Key::Int(r.claim_id),
            ClaimSort::ReportedOn => Key::Date(r.reported_on),
            ClaimSort::EventDate => Key::Date(r.event_date),
            ClaimSort::AmountClaimed => Key::Int(r.amount_claimed.fen()),
        };
        (k, r.claim_id)
    }
}

/// The `where` of a claim list and, for a search, its ways to the claims (see
/// `policy_where`): by claim number, through the policies by number, through the makers.
fn claim_where(f: &ClaimFilter, postgres: bool) -> (Sql, Vec<Way>) {
    let mut w = Sql::default();
    let mut ways = Vec::new();
    if let Some(n) = Needle::new(f.query.as_deref()) {
        ways.push(Way::Ids(n.ids(
            &mut w,
            postgres,
            "claim",
            "claim_id",
            "claim_number",
            "claim_fts",
        )));
        ways.push(Way::Through {
            column: "k.policy_id",
            parents: n.ids(
                &mut w,
                postgres,
                "policy",
                "policy_id",
                "policy_number",
                "policy_fts",
            ),
        });
        ways.push(Way::Through {
            column: "k.maker_id",
            parents: n.parties(&mut w, postgres),
        });
    }
    if let Some(v) = &f.state {
        w.with("k.state = {}", Arg::Text(v.clone()));
    }
    if let Some(v) = f.policy_id {
        w.with("k.policy_id = {}", Arg::Int(v));
    }
    if let Some(v) = f.maker_id {
        w.with("k.maker_id = {}", Arg::Int(v));
    }
    if let Some(v) = f.only_maker {
        w.with("k.maker_id = {}", Arg::Int(v));
    }
    if let Some(v) = &f.claim_type {
        w.with("k.claim_type = {}", Arg::Text(v.clone()));
    }
    if let Some(v) = f.reported_from {
        w.with("k.reported_on >= {}", Arg::Date(v));
    }
    if let Some(v) = f.reported_to {
        w.with("k.reported_on <= {}", Arg::Date(v));
    }
    if let Some(v) = f.assigned_to {
        w.with("k.assigned_to = {}", Arg::Int(v));
    }
    if f.open_only {
        w.when("k.state <> 'closed'");
    }
    (w, ways)
}

/// One page of claims and the (capped) total.
pub async fn list(
    tx: &mut Tx,
    f: &ClaimFilter,
    sort: ClaimSort,
    seek: &Seek,
) -> StoreResult<Paged<ClaimRow>> {
    let postgres = tx.is_postgres();
    let (w, ways) = claim_where(f, postgres);
    let sql = if ways.is_empty() {
        seek::page_sql(SELECT, "from claim k", &w, seek)
    } else {
        super::search::page_sql(postgres, SELECT, "from claim k", &w, &ways, seek)
    };
    seek::read(tx, &sql, seek, |r| sort.key(r)).await
}

/// The work queue's order: soonest (most overdue) deadline first.
pub fn queue_order() -> Order {
    Order {
        column: "k.next_due_on",
        kind: KeyKind::Date,
        id: "k.claim_id",
        descending: false,
    }
}

/// One page of open claims by deadline (partial index `claim_queue_idx`), optionally
/// one handler's only ("my claims").
pub async fn queue(
    tx: &mut Tx,
    assigned_to: Option<i64>,
    seek: &Seek,
) -> StoreResult<Paged<ClaimRow>> {
    let mut w = Sql::default();
    w.when("k.state <> 'closed'");
    if let Some(v) = assigned_to {
        w.with("k.assigned_to = {}", Arg::Int(v));
    }
    let sql = seek::page_sql(SELECT, "from claim k", &w, seek);
    seek::read(tx, &sql, seek, |r| (Key::Date(next_due_on(r)), r.claim_id)).await
}

/// Open claims whose deadline has passed: one range count on `claim_queue_idx`.
/// Open claims past a deadline, counted up to the cap (a range of the queue index).
pub async fn overdue_count(tx: &mut Tx, today: NaiveDate) -> StoreResult<i64> {
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar(
            "select count(*) from (select 1 from claim where state <> 'closed' and next_due_on < $1 \
             limit $2) capped",
        )
            .bind(today)
            .bind(super::seek::COUNT_CAP + 1)
            .fetch_one(&mut *c)
            .await?
    }))
}

// ---- reserves -------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReserveRow {
    pub reserve_id: i64,
    pub claim_id: i64,
    /// Stored as fen (`store::types`).
    pub amount: Money,
    pub set_at: DateTime<Utc>,
    pub set_on: NaiveDate,
    pub reason: String,
    pub set_by: Option<i64>,
}

pub async fn add_reserve(
    tx: &mut Tx,
    claim_id: i64,
    amount: i64,
    on: NaiveDate,
    reason: &str,
    by: Option<i64>,
) -> StoreResult<i64> {
    let at = now();
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into claim_reserve (claim_id, amount, set_at, set_on, reason, set_by) \
             values ($1, $2, $3, $4, $5, $6) returning reserve_id",
        )
        .bind(claim_id)
        .bind(amount)
        .bind(at)
        .bind(on)
        .bind(reason)
        .bind(by)
        .fetch_one(&mut *c)
        .await?
    }))
}

pub async fn reserves(tx: &mut Tx, claim_id: i64) -> StoreResult<Vec<ReserveRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, ReserveRow>(
            "select reserve_id, claim_id, amount, set_at, set_on, reason, set_by \
             from claim_reserve where claim_id = $1 order by reserve_id",
        )
        .bind(claim_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

/// Every claim's case reserve as it stood at the end of `on` (for triangles).
pub async fn reserves_as_at(tx: &mut Tx, on: NaiveDate) -> StoreResult<Vec<(i64, i64)>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, (i64, i64)>(
            "select r.claim_id, r.amount from claim_reserve r where r.reserve_id = \
             (select max(x.reserve_id) from claim_reserve x where x.claim_id = r.claim_id and x.set_on <= $1) \
             order by r.claim_id",
        )
        .bind(on)
        .fetch_all(&mut *c)
        .await?
    }))
}

// ---- documents ------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub document_id: i64,
    pub claim_id: i64,
    /// proof or rejection_notice
    pub kind: String,
    /// Checklist code the document answers.
    pub code: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: DateTime<Utc>,
}

pub struct NewDocument<'a> {
    pub claim_id: i64,
    pub kind: &'a str,
    pub code: Option<&'a str>,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub uploaded_by: Option<i64>,
}

pub async fn add_document(tx: &mut Tx, d: &NewDocument<'_>) -> StoreResult<i64> {
    let at = now();
    let size = i64::try_from(d.content.len()).unwrap_or(i64::MAX);
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into claim_document (claim_id, kind, code, filename, content_type, size_bytes, \
             sha256, content, uploaded_by, uploaded_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             returning document_id",
        )
        .bind(d.claim_id)
        .bind(d.kind)
        .bind(d.code)
        .bind(d.filename)
        .bind(d.content_type)
        .bind(size)
        .bind(d.sha256)
        .bind(d.content)
        .bind(d.uploaded_by)
        .bind(at)
        .fetch_one(&mut *c)
        .await?
    }))
}

pub async fn documents(tx: &mut Tx, claim_id: i64) -> StoreResult<Vec<DocumentRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, DocumentRow>(
            "select document_id, claim_id, kind, code, filename, content_type, size_bytes, sha256, \
             uploaded_by, uploaded_at from claim_document where claim_id = $1 order by document_id",
        )
        .bind(claim_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

/// One document's bytes, with its row.
pub async fn document_content(
    tx: &mut Tx,
    claim_id: i64,
    document_id: i64,
) -> StoreResult<Option<(String, String, Vec<u8>)>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, (String, String, Vec<u8>)>(
            "select filename, content_type, content from claim_document \
             where claim_id = $1 and document_id = $2",
        )
        .bind(claim_id)
        .bind(document_id)
        .fetch_optional(&mut *c)
        .await?
    }))
}

// ---- the proof request (art. 22) ------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProofRequestRow {
    pub claim_id: i64,
    pub items_json: String,
    pub note: String,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    pub outbox_id: Option<i64>,
}

/// The primary key on `claim_id` makes a second request impossible, even from two
/// instances at once.
pub async fn add_proof_request(
    tx: &mut Tx,
    claim_id: i64,
    items_json: &str,
    note: &str,
    by: i64,
    outbox_id: Option<i64>,
) -> StoreResult<()> {
    let at = now();
    dispatch!(tx, c => {
        sqlx::query(
            "insert into claim_proof_request (claim_id, items_json, note, requested_by, requested_at, outbox_id) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(claim_id)
        .bind(items_json)
        .bind(note)
        .bind(by)
        .bind(at)
        .bind(outbox_id)
        .execute(&mut *c)
        .await
        .map_err(|e| StoreError::on_unique(e, "the request for missing proof"))?
        .rows_affected()
    });
    Ok(())
}

pub async fn proof_request(tx: &mut Tx, claim_id: i64) -> StoreResult<Option<ProofRequestRow>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, ProofRequestRow>(
            "select claim_id, items_json, note, requested_by, requested_at, outbox_id \
             from claim_proof_request where claim_id = $1",
        )
        .bind(claim_id)
        .fetch_optional(&mut *c)
        .await?
    }))
}

// ---- approvals --------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApprovalRow {
    pub approval_id: i64,
    pub claim_id: i64,
    pub claim_number: String,
    pub outcome: String,
    pub agreed_loss: Option<Money>,
    pub indemnity: Option<Money>,
    /// The decision's reasons (拒赔/核定理由).
    pub reasons_json: JsonText<Vec<String>>,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    pub decision: Option<String>,
    pub decided_by: Option<i64>,
    pub decision_note: String,
    pub decided_at: Option<DateTime<Utc>>,
}

const APPROVAL_SELECT: &str = "select a.approval_id, a.claim_id, k.claim_number, a.outcome, \
    a.agreed_loss, a.indemnity, a.reasons_json, a.requested_by, u.display_name as requested_by_name, \
    a.requested_at, a.decision, a.decided_by, a.decision_note, a.decided_at from claim_approval a \
    join claim k on k.claim_id = a.claim_id join app_user u on u.user_id = a.requested_by";

pub struct NewApproval<'a> {
    pub claim_id: i64,
    pub outcome: &'a str,
    pub agreed_loss: Option<Money>,
    pub indemnity: Option<Money>,
    pub reasons_json: &'a JsonText<Vec<String>>,
    pub requested_by: i64,
}

pub async fn add_approval(tx: &mut Tx, a: &NewApproval<'_>) -> StoreResult<i64> {
    let at = now();
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into claim_approval (claim_id, outcome, agreed_loss, indemnity, reasons_json, \
             requested_by, requested_at) values ($1, $2, $3, $4, $5, $6, $7) returning approval_id",
        )
        .bind(a.claim_id)
        .bind(a.outcome)
        .bind(a.agreed_loss)
        .bind(a.indemnity)
        .bind(a.reasons_json)
        .bind(a.requested_by)
        .bind(at)
        .fetch_one(&mut *c)
        .await?
    }))
}

pub async fn open_approval(tx: &mut Tx, claim_id: i64) -> StoreResult<Option<ApprovalRow>> {
    let sql = format!("{APPROVAL_SELECT} where a.claim_id = $1 and a.decision is null");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, ApprovalRow>(&sql).bind(claim_id).fetch_optional(&mut *c).await?
    }))
}

pub async fn approvals_of(tx: &mut Tx, claim_id: i64) -> StoreResult<Vec<ApprovalRow>> {
    let sql = format!("{APPROVAL_SELECT} where a.claim_id = $1 order by a.approval_id");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, ApprovalRow>(&sql).bind(claim_id).fetch_all(&mut *c).await?
    }))
}

pub async fn open_approvals(tx: &mut Tx) -> StoreResult<Vec<ApprovalRow>> {
    let sql = format!("{APPROVAL_SELECT} where a.decision is null order by a.approval_id");
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, ApprovalRow>(&sql).fetch_all(&mut *c).await?
    }))
}

pub async fn decide_approval(
    tx: &mut Tx,
    approval_id: i64,
    decision: &str,
    by: i64,
    note: &str,
) -> StoreResult<()> {
    let at = now();
    let n = dispatch!(tx, c => {
        sqlx::query(
            "update claim_approval set decision = $1, decided_by = $2, decision_note = $3, decided_at = $4 \
             where approval_id = $5 and decision is null",
        )
        .bind(decision)
        .bind(by)
        .bind(note)
        .bind(at)
        .bind(approval_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}
