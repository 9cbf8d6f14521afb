//! The annual report to a provincial regulator (Shanxi 004 第十八条 承保理赔情况): one
//! set-based query per year over the policies of a scheme's programmes, grouped by
//! maker and product in SQL — the database adds up the book, Rust only names it.

use super::seek::{self, Arg, Key, Order, Paged, Seek, Sql};
use super::{now, StoreResult, Tx};
use crate::dispatch;
use crate::domain::money::Money;
use chrono::{DateTime, NaiveDate, Utc};

/// One maker and product's figures for the year, exact in fen.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FigureRow {
    pub maker_id: i64,
    pub maker_name: String,
    pub catalogue_item_id: i64,
    pub product_name: String,
    /// 承保件数: policies whose issue (first day of cover) falls in the year.
    pub policies: i64,
    /// 签单保费: premium pieces (issue, endorsement, cancellation) effective in the year.
    pub written: i64,
    /// 实收保费: payments received in the year (reversed ones left out), less refunds.
    pub collected: i64,
    /// 报案件数: claims reported in the year.
    pub reported: i64,
    /// 已决赔款: claim payments made in the year.
    pub paid: Money,
    /// 未决件数: claims reported by the cut-off and not closed by it.
    pub open_claims: i64,
    /// 未决赔款: the case reserve of those claims at the cut-off.
    pub outstanding: i64,
}

/// The figures of `from ..= to` for the policies of `programmes`, per maker and product.
/// Every measure is one branch of a `union all` over the movements of the year, summed
/// by group; nothing is read row by row.
pub async fn figures(
    tx: &mut Tx,
    programmes: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<FigureRow>> {
    if programmes.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..programmes.len())
        .map(|i| format!("${}", i + 3))
        .collect();
    let sql = format!(
        "with scope as (select policy_id, maker_id, catalogue_item_id from policy \
             where programme_id in ({list})), \
         m as ( \
           select s.maker_id as maker_id, s.catalogue_item_id as item_id, \
                  case when v.kind = 'issue' then 1 else 0 end as policies, v.adjustment as written, \
                  0 as collected, 0 as reported, 0 as paid, 0 as open_claims, 0 as outstanding \
             from policy_version v join scope s on s.policy_id = v.policy_id \
             where v.effective_on >= $1 and v.effective_on <= $2 \
           union all \
           select s.maker_id, s.catalogue_item_id, 0, 0, pm.amount, 0, 0, 0, 0 \
             from payment pm join scope s on s.policy_id = pm.policy_id \
             where pm.paid_on >= $1 and pm.paid_on <= $2 and pm.reversed_at is null \
           union all \
           select s.maker_id, s.catalogue_item_id, 0, 0, -r.amount, 0, 0, 0, 0 \
             from refund r join scope s on s.policy_id = r.policy_id \
             where r.refunded_on >= $1 and r.refunded_on <= $2 \
           union all \
           select s.maker_id, s.catalogue_item_id, 0, 0, 0, 1, 0, 0, 0 \
             from claim c join scope s on s.policy_id = c.policy_id \
             where c.reported_on >= $1 and c.reported_on <= $2 \
           union all \
           select s.maker_id, s.catalogue_item_id, 0, 0, 0, 0, cp.amount, 0, 0 \
             from claim_payment cp join scope s on s.policy_id = cp.policy_id \
             where cp.status = 'paid' and cp.paid_on >= $1 and cp.paid_on <= $2 \
           union all \
           select s.maker_id, s.catalogue_item_id, 0, 0, 0, 0, 0, 1, \
                  coalesce((select r.amount from claim_reserve r where r.claim_id = c.claim_id \
                      and r.reserve_id = (select max(x.reserve_id) from claim_reserve x \
                          where x.claim_id = c.claim_id and x.set_on <= $2)), 0) \
             from claim c join scope s on s.policy_id = c.policy_id \
             where c.reported_on <= $2 and (c.closed_on is null or c.closed_on > $2) \
         ) \
         select m.maker_id as maker_id, pa.name as maker_name, m.item_id as catalogue_item_id, \
                ci.product_name as product_name, \
                cast(sum(m.policies) as bigint) as policies, cast(sum(m.written) as bigint) as written, \
                cast(sum(m.collected) as bigint) as collected, cast(sum(m.reported) as bigint) as reported, \
                cast(sum(m.paid) as bigint) as paid, cast(sum(m.open_claims) as bigint) as open_claims, \
                cast(sum(m.outstanding) as bigint) as outstanding \
         from m join party pa on pa.party_id = m.maker_id \
                join catalogue_item ci on ci.catalogue_item_id = m.item_id \
         group by m.maker_id, pa.name, m.item_id, ci.product_name \
         order by m.maker_id, m.item_id",
        list = list.join(", ")
    );
    Ok(dispatch!(tx, c => {
        let mut q = sqlx::query_as::<_, FigureRow>(&sql).bind(from).bind(to);
        for p in programmes {
            q = q.bind(p);
        }
        q.fetch_all(&mut *c).await?
    }))
}

/// A report as queued.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub annual_report_id: i64,
    pub scheme: String,
    pub year: i32,
    pub as_of: NaiveDate,
    pub figures_json: String,
    pub pdf_sha256: String,
    pub xlsx_sha256: String,
    pub mail_outbox_id: Option<i64>,
    pub queued_by: Option<i64>,
    pub queued_by_name: String,
    pub queued_at: DateTime<Utc>,
}

const COLUMNS: &str = "annual_report_id, scheme, year, as_of, figures_json, pdf_sha256, \
    xlsx_sha256, mail_outbox_id, queued_by, queued_by_name, queued_at";

/// What a new row records.
pub struct NewReport<'a> {
    pub scheme: &'a str,
    pub year: i32,
    pub as_of: NaiveDate,
    pub figures_json: String,
    pub pdf_sha256: String,
    pub xlsx_sha256: String,
    pub mail_outbox_id: i64,
    pub queued_by: Option<i64>,
    pub queued_by_name: &'a str,
}

pub async fn insert(tx: &mut Tx, r: &NewReport<'_>) -> StoreResult<ReportRow> {
    let sql = format!(
        "insert into annual_report (scheme, year, as_of, figures_json, pdf_sha256, xlsx_sha256, \
         mail_outbox_id, queued_by, queued_by_name, queued_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning {COLUMNS}"
    );
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, ReportRow>(&sql)
            .bind(r.scheme)
            .bind(r.year)
            .bind(r.as_of)
            .bind(&r.figures_json)
            .bind(&r.pdf_sha256)
            .bind(&r.xlsx_sha256)
            .bind(r.mail_outbox_id)
            .bind(r.queued_by)
            .bind(r.queued_by_name)
            .bind(now())
            .fetch_one(&mut *c)
            .await?
    }))
}

/// The queued-report list's order: by when a report was queued (its id).
pub fn order(descending: bool) -> Order {
    Order::by_id("annual_report_id", descending)
}

/// One page of the reports queued for a scheme, with the (capped) total.
pub async fn list(tx: &mut Tx, scheme: &str, seek: &Seek) -> StoreResult<Paged<ReportRow>> {
    let mut w = Sql::default();
    w.with("scheme = {}", Arg::Text(scheme.to_string()));
    let select = format!("select {COLUMNS} from annual_report");
    let sql = seek::page_sql(&select, "from annual_report", &w, seek);
    seek::read(tx, &sql, seek, |r: &ReportRow| {
        (Key::Int(r.annual_report_id), r.annual_report_id)
    })
    .await
}
