-- The premium arrears ledger (欠费台账, issue 18): what the finance dashboard's
-- "premium overdue" tile needs, kept up to date instead of recomputed over the book.
--
-- premium_arrears: each issued policy's premium not yet covered by what was paid, as steps
--   by the date it fell (or falls) due: the plan's installments (no plan: the issue premium
--   at the period start) and the additional premiums of later versions, the running total
--   capped at the premium due in all, what was paid (live payments less refunds) taken
--   from the oldest first. `opens` = 1 on the policy's first uncovered step. Overdue on a
--   day = the sum of the steps due before it; the policy is overdue then when its first
--   step is.
-- premium_arrears_summary: signed delta rows by due date, appended by the triggers below
--   in the transaction of every change to a policy's versions, plan, installments,
--   payments, refunds, number or period; folded into one row per date by the
--   summary-folding job. The tile reads a few thousand rows at most, whatever the book.
--
-- Each trigger takes the policy's steps out of the ledger, recomputes them from the base
-- tables by the policy's indexed keys, and puts them back. Twin of the migrations/sqlite/0024_premium_arrears.sql file.

create table premium_arrears (
    policy_id  bigint not null references policy (policy_id),
    due_on     date not null,
    amount     bigint not null check (amount > 0),
    opens      integer not null check (opens in (0, 1)),
    primary key (policy_id, due_on)
);

create table premium_arrears_summary (
    due_on    date not null,
    policies  bigint not null,
    amount    bigint not null
);
create index premium_arrears_summary_due_idx on premium_arrears_summary (due_on);

-- PL/pgSQL, not SQL: its statement plans are kept for the session.
create function premium_arrears_refresh(p_policy bigint) returns void language plpgsql as $$
begin
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, -opens, -amount from premium_arrears where policy_id = p_policy;
    delete from premium_arrears where policy_id = p_policy;
    insert into premium_arrears (policy_id, due_on, amount, opens)
    select p_policy, s.d, s.u, case when row_number() over (order by s.d) = 1 then 1 else 0 end
    from (
      select c.d as d, c.hi - (case when c.lo > c.paid then c.lo else c.paid end) as u
      from (
        select r.d as d,
               case when r.cum < t.total then r.cum when t.total > 0 then t.total else 0 end as hi,
               case when r.cum - r.a < t.total then r.cum - r.a when t.total > 0 then t.total else 0 end as lo,
               t.paid as paid
        from (
          select e.d as d, e.a as a,
                 sum(e.a) over (order by e.d rows between unbounded preceding and current row) as cum
          from (
            select ev.d as d, sum(ev.a) as a from (
              select i.due_on as d, i.amount as a from installment i
               where i.policy_id = p_policy
                 and exists (select 1 from policy p where p.policy_id = p_policy and p.policy_number is not null)
              union all
              select p.period_start, v.premium from policy p join policy_version v on v.policy_id = p.policy_id
               where p.policy_id = p_policy and p.policy_number is not null and v.kind = 'issue'
                 and not exists (select 1 from payment_plan pp where pp.policy_id = p_policy)
              union all
              select v.effective_on, v.adjustment from policy_version v join policy p on p.policy_id = v.policy_id
               where v.policy_id = p_policy and p.policy_number is not null and v.adjustment > 0
                 and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = p_policy),
                                      (select min(w.seq) from policy_version w where w.policy_id = p_policy))
            ) ev group by ev.d
          ) e
        ) r,
        (select coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end)
                            from policy_version v where v.policy_id = p_policy), 0) as total,
                case when q.paid > 0 then q.paid else 0 end as paid
           from (select coalesce((select sum(y.amount) from payment y
                                   where y.policy_id = p_policy and y.reversed_at is null), 0)
                      - coalesce((select sum(f.amount) from refund f where f.policy_id = p_policy), 0) as paid) q
        ) t
      ) c
      where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)
    ) s;
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, opens, amount from premium_arrears where policy_id = p_policy;
end $$;

-- Every table below carries the policy id.
create function premium_arrears_touched() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform premium_arrears_refresh(old.policy_id);
    else
        perform premium_arrears_refresh(new.policy_id);
    end if;
    return null;
end $$;

create trigger premium_arrears_policy_version after insert on policy_version
    for each row execute function premium_arrears_touched();
create trigger premium_arrears_payment_plan after insert or update on payment_plan
    for each row execute function premium_arrears_touched();
create trigger premium_arrears_installment after insert or delete on installment
    for each row execute function premium_arrears_touched();
create trigger premium_arrears_payment after insert on payment
    for each row execute function premium_arrears_touched();
create trigger premium_arrears_payment_reversed after update on payment for each row
    when (old.reversed_at is distinct from new.reversed_at or old.amount <> new.amount)
    execute function premium_arrears_touched();
create trigger premium_arrears_refund after insert on refund
    for each row execute function premium_arrears_touched();
create trigger premium_arrears_policy after update on policy for each row
    when ((old.policy_number, old.period_start)
          is distinct from (new.policy_number, new.period_start))
    execute function premium_arrears_touched();

-- The ledger for the book as it stands.
select premium_arrears_refresh(policy_id) from policy where policy_number is not null;
