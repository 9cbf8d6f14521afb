//! Receivables reads (应收保费) and the premium reminder ledger (催缴提醒记录).

use super::billing::{BilledPolicy, InstallmentRow, PremiumVersion};
use super::seek::{self, Arg, Key, Order, Paged, Seek, Sql};
use super::{StoreResult, Tx};
use crate::dispatch;
use chrono::NaiveDate;

const ISSUED: &str =
    "select p.policy_id, p.policy_number, p.state, p.maker_id, m.name as maker_name, \
    p.programme_id, p.period_start from policy p join party m on m.party_id = p.maker_id \
    where p.policy_number is not null order by p.policy_id";

/// Every issued policy (what is owed is computed per policy from its versions).
pub async fn issued_policies(tx: &mut Tx) -> StoreResult<Vec<BilledPolicy>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, BilledPolicy>(ISSUED).fetch_all(&mut *c).await?
    }))
}

/// The receivables list's order: issued policies by id (a partial index on the issued).
pub fn order(descending: bool) -> Order {
    Order::by_id("p.policy_id", descending)
}

/// One page of issued policies (optionally of one maker), for receivables read a page
/// at a time.
pub async fn issued_page(
    tx: &mut Tx,
    maker_id: Option<i64>,
    seek: &Seek,
) -> StoreResult<Paged<BilledPolicy>> {
    let select = "select p.policy_id, p.policy_number, p.state, p.maker_id, m.name as maker_name, \
        p.programme_id, p.period_start from policy p join party m on m.party_id = p.maker_id";
    let mut w = Sql::default();
    w.when("p.policy_number is not null");
    if let Some(m) = maker_id {
        w.with("p.maker_id = {}", Arg::Int(m));
    }
    let sql = seek::page_sql(select, "from policy p", &w, seek);
    seek::read(tx, &sql, seek, |r: &BilledPolicy| {
        (Key::Int(r.policy_id), r.policy_id)
    })
    .await
}

/// `in (…)` over the ids, with its arguments.
fn id_list(ids: &[i64]) -> (String, Sql) {
    let mut w = Sql::default();
    let list: Vec<String> = ids.iter().map(|id| w.arg(Arg::Int(*id))).collect();
    (list.join(", "), w)
}

#[derive(sqlx::FromRow)]
struct VersionOf {
    policy_id: i64,
    #[sqlx(flatten)]
    version: PremiumVersion,
}

/// The premium versions of many policies in one statement, in (policy, seq) order.
pub async fn versions_of(tx: &mut Tx, ids: &[i64]) -> StoreResult<Vec<(i64, PremiumVersion)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (list, w) = id_list(ids);
    let sql = format!(
        "select policy_id, seq, kind, effective_on, premium, adjustment from policy_version \
         where policy_id in ({list}) order by policy_id, seq"
    );
    let rows = dispatch!(tx, c => {
        crate::bind_args!(sqlx::query_as::<_, VersionOf>(&sql), w.args)
            .fetch_all(&mut *c)
            .await?
    });
    Ok(rows.into_iter().map(|r| (r.policy_id, r.version)).collect())
}

#[derive(sqlx::FromRow)]
struct InstallmentOf {
    policy_id: i64,
    based_on_seq: i32,
    #[sqlx(flatten)]
    item: InstallmentRow,
}

/// The payment plans of many policies in one statement: (policy, based-on version,
/// installment), in (policy, seq) order; policies without a plan have no rows.
pub async fn plans_of(tx: &mut Tx, ids: &[i64]) -> StoreResult<Vec<(i64, i32, InstallmentRow)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (list, w) = id_list(ids);
    let sql = format!(
        "select i.policy_id, p.based_on_seq, i.seq, i.due_on, i.amount from payment_plan p \
         join installment i on i.policy_id = p.policy_id \
         where p.policy_id in ({list}) order by i.policy_id, i.seq"
    );
    let rows = dispatch!(tx, c => {
        crate::bind_args!(sqlx::query_as::<_, InstallmentOf>(&sql), w.args)
            .fetch_all(&mut *c)
            .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| (r.policy_id, r.based_on_seq, r.item))
        .collect())
}

#[derive(sqlx::FromRow)]
struct WithContact {
    #[sqlx(flatten)]
    policy: BilledPolicy,
    contact_email: String,
}

/// Issued policies with their maker's contact e-mail.
pub async fn issued_policies_with_contact(tx: &mut Tx) -> StoreResult<Vec<(BilledPolicy, String)>> {
    let sql = "select p.policy_id, p.policy_number, p.state, p.maker_id, m.name as maker_name, \
        p.programme_id, p.period_start, m.contact_email from policy p \
        join party m on m.party_id = p.maker_id where p.policy_number is not null order by p.policy_id";
    let rows = dispatch!(tx, c => {
        sqlx::query_as::<_, WithContact>(sql).fetch_all(&mut *c).await?
    });
    Ok(rows
        .into_iter()
        .map(|r| (r.policy, r.contact_email))
        .collect())
}

/// Claim a reminder for an installment, due date and stage; false when it was sent
/// before (the primary key keeps concurrent runs to one).
pub async fn claim_reminder(
    tx: &mut Tx,
    policy_id: i64,
    seq: i32,
    due_on: NaiveDate,
    stage: &str,
    queued_on: NaiveDate,
) -> StoreResult<bool> {
    let got = dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into premium_reminder (policy_id, installment_seq, due_on, stage, queued_on) \
             values ($1, $2, $3, $4, $5) on conflict do nothing returning policy_id",
        )
        .bind(policy_id)
        .bind(seq)
        .bind(due_on)
        .bind(stage)
        .bind(queued_on)
        .fetch_optional(&mut *c)
        .await?
    });
    Ok(got.is_some())
}

pub async fn set_reminder_outbox(
    tx: &mut Tx,
    policy_id: i64,
    seq: i32,
    due_on: NaiveDate,
    stage: &str,
    outbox_id: i64,
) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "update premium_reminder set outbox_id = $1 where policy_id = $2 and installment_seq = $3 \
             and due_on = $4 and stage = $5",
        )
        .bind(outbox_id)
        .bind(policy_id)
        .bind(seq)
        .bind(due_on)
        .bind(stage)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Overdue premium on `as_of` over the whole book, computed directly: how many issued
/// policies owe premium that fell due before that day, and how much (fen). Reads every
/// issued policy (about 30 s at a million) — the check on the arrears ledger that the
/// dashboard reads ([`super::arrears::overdue`]), never a page's query.
///
/// Due by `as_of` = the plan's installments due before it (no plan: the issue premium
/// if the period started before it) plus the additional premiums of later versions
/// effective before it, capped at the premium due in all; overdue = that less what was
/// paid (live payments less refunds of credit). The same figure as the receivables'
/// overdue buckets whenever return premiums cut the installments due last, which is how
/// the schedule applies them.
pub async fn overdue_recomputed(tx: &mut Tx, as_of: NaiveDate) -> StoreResult<(i64, i64)> {
    let sql = "select cast(count(*) as bigint), cast(coalesce(sum(o.overdue), 0) as bigint) from ( \
        select (case when d.due_now < d.total then d.due_now else d.total end) - d.paid as overdue \
        from ( \
          select \
            (case when pp.policy_id is not null \
               then coalesce((select sum(i.amount) from installment i \
                    where i.policy_id = p.policy_id and i.due_on < $1), 0) \
               else (case when p.period_start < $1 \
                    then coalesce((select sum(v.premium) from policy_version v \
                         where v.policy_id = p.policy_id and v.kind = 'issue'), 0) \
                    else 0 end) end) \
            + coalesce((select sum(v.adjustment) from policy_version v \
                 where v.policy_id = p.policy_id and v.adjustment > 0 and v.effective_on < $1 \
                 and v.seq > coalesce(pp.based_on_seq, (select min(w.seq) from policy_version w \
                      where w.policy_id = p.policy_id))), 0) as due_now, \
            coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end) \
                 from policy_version v where v.policy_id = p.policy_id), 0) as total, \
            coalesce((select sum(y.amount) from payment y \
                 where y.policy_id = p.policy_id and y.reversed_at is null), 0) \
            - coalesce((select sum(r.amount) from refund r where r.policy_id = p.policy_id), 0) as paid \
          from policy p left join payment_plan pp on pp.policy_id = p.policy_id \
          where p.policy_number is not null \
        ) d \
      ) o where o.overdue > 0";
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, (i64, i64)>(sql).bind(as_of).fetch_one(&mut *c).await?
    }))
}
