//! The premium arrears ledger (欠费台账, migration 0024): each issued policy's premium not
//! yet covered by what was paid, as steps by due date (`premium_arrears`), and signed
//! delta rows by due date (`premium_arrears_summary`) that the triggers append in every
//! transaction that changes a policy's versions, plan, installments, payments, refunds,
//! number or period. The finance dashboard reads the overdue figure from the ledger — a
//! row per due date once folded — instead of recomputing it over the book.
//!
//! Here: the read ([`overdue`]), folding the deltas ([`compact`]), the checks against the
//! per-policy steps and against the direct computation over the book
//! ([`receivables::overdue_recomputed`](super::receivables::overdue_recomputed)), and the
//! repair ([`rebuild`]).

use super::backtest::summary::{compact_one, count};
use super::{StoreResult, Tx};
use crate::dispatch;
use crate::domain::money::Money;
use chrono::NaiveDate;

const LEDGER: &str = "premium_arrears_summary";

/// Overdue premium on `as_of` over the whole book: (policies, amount). A policy is overdue
/// when its first uncovered step fell due before the day; the amount is every uncovered
/// step due before it.
pub async fn overdue(tx: &mut Tx, as_of: NaiveDate) -> StoreResult<(i64, Money)> {
    let sql = "select cast(coalesce(sum(policies), 0) as bigint), \
        cast(coalesce(sum(amount), 0) as bigint) from premium_arrears_summary where due_on < $1";
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, (i64, Money)>(sql).bind(as_of).fetch_one(&mut *c).await?
    }))
}

/// Delta rows in the ledger before and after a fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Folded {
    pub before: i64,
    pub after: i64,
}

/// Fold the ledger into one row per due date (dates that net to nothing go). Every sum
/// over dates is unchanged, so readers see the same figure before, during and after.
pub async fn compact(tx: &mut Tx) -> StoreResult<Folded> {
    let before = count(tx, LEDGER).await?;
    compact_one(tx, LEDGER, "due_on", "policies, amount").await?;
    if let Tx::Postgres(t) = tx {
        sqlx::query("analyze premium_arrears_summary")
            .execute(&mut **t)
            .await?;
    }
    Ok(Folded {
        before,
        after: count(tx, LEDGER).await?,
    })
}

/// Due dates at which the ledger and the per-policy steps disagree.
pub async fn drift(tx: &mut Tx) -> StoreResult<i64> {
    let sql =
        "select count(*) from (select due_on, sum(policies) as policies, sum(amount) as amount \
        from (select due_on, policies, amount from premium_arrears_summary \
              union all select due_on, -opens, -amount from premium_arrears) both_sides \
        group by due_on having sum(policies) <> 0 or sum(amount) <> 0) drift";
    Ok(dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut *c).await?
    }))
}

/// Every issued policy's premium events (dated amounts that fall due), as the triggers'
/// refresh reads them for one policy.
const EVENTS: &str = "\
    select i.policy_id as policy_id, i.due_on as d, i.amount as a from installment i \
      join policy p on p.policy_id = i.policy_id where p.policy_number is not null \
    union all \
    select p.policy_id, p.period_start, v.premium from policy p \
      join policy_version v on v.policy_id = p.policy_id \
     where p.policy_number is not null and v.kind = 'issue' \
       and not exists (select 1 from payment_plan pp where pp.policy_id = p.policy_id) \
    union all \
    select v.policy_id, v.effective_on, v.adjustment from policy_version v \
      join policy p on p.policy_id = v.policy_id \
     where p.policy_number is not null and v.adjustment > 0 \
       and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = v.policy_id), \
                            (select min(w.seq) from policy_version w where w.policy_id = v.policy_id))";

/// Every issued policy's premium due in all and what it has paid (never below nothing).
const TOTALS: &str = "\
    select p.policy_id as policy_id, coalesce(tv.total, 0) as total, \
           case when coalesce(py.paid, 0) - coalesce(rf.refunded, 0) > 0 \
                then coalesce(py.paid, 0) - coalesce(rf.refunded, 0) else 0 end as paid \
      from policy p \
      left join (select policy_id, \
                        sum(case when kind = 'issue' then premium else adjustment end) as total \
                   from policy_version group by policy_id) tv on tv.policy_id = p.policy_id \
      left join (select policy_id, sum(amount) as paid from payment where reversed_at is null \
                  group by policy_id) py on py.policy_id = p.policy_id \
      left join (select policy_id, sum(amount) as refunded from refund group by policy_id) rf \
             on rf.policy_id = p.policy_id \
     where p.policy_number is not null";

/// Recompute every issued policy's steps and the ledger from them in a few set-based
/// statements — the triggers' refresh (migration 0024) over the whole book at once,
/// partitioned by policy. A repair, and what a bulk load runs with the triggers off;
/// the tile test holds both against the direct computation.
pub async fn rebuild(tx: &mut Tx) -> StoreResult<()> {
    let steps = format!(
        "insert into premium_arrears (policy_id, due_on, amount, opens) \
         select s.policy_id, s.d, s.u, \
                case when row_number() over (partition by s.policy_id order by s.d) = 1 then 1 else 0 end \
         from (select c.policy_id as policy_id, c.d as d, \
                      c.hi - (case when c.lo > c.paid then c.lo else c.paid end) as u \
               from (select r.policy_id as policy_id, r.d as d, \
                            case when r.cum < t.total then r.cum when t.total > 0 then t.total else 0 end as hi, \
                            case when r.cum - r.a < t.total then r.cum - r.a \
                                 when t.total > 0 then t.total else 0 end as lo, \
                            t.paid as paid \
                     from (select e.policy_id as policy_id, e.d as d, e.a as a, \
                                  sum(e.a) over (partition by e.policy_id order by e.d \
                                      rows between unbounded preceding and current row) as cum \
                           from (select ev.policy_id as policy_id, ev.d as d, sum(ev.a) as a \
                                 from ({EVENTS}) ev group by ev.policy_id, ev.d) e) r \
                     join ({TOTALS}) t on t.policy_id = r.policy_id) c \
               where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)) s"
    );
    let ledger = "insert into premium_arrears_summary (due_on, policies, amount) \
        select due_on, sum(opens), sum(amount) from premium_arrears group by due_on";
    for sql in [
        "delete from premium_arrears_summary",
        "delete from premium_arrears",
        steps.as_str(),
        ledger,
    ] {
        dispatch!(tx, c => {
            sqlx::query(sql).execute(&mut *c).await?;
        });
    }
    compact(tx).await?;
    Ok(())
}
