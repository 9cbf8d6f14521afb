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
-- tables by the policy's indexed keys, and puts them back. Twin of the migrations/postgres/0024_premium_arrears.sql file.

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

-- SQLite has no trigger functions: each trigger spells the refresh out.

create trigger premium_arrears_policy_version_insert after insert on policy_version
begin
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, -opens, -amount from premium_arrears where policy_id = new.policy_id;
    delete from premium_arrears where policy_id = new.policy_id;
    insert into premium_arrears (policy_id, due_on, amount, opens)
    select new.policy_id, s.d, s.u, case when row_number() over (order by s.d) = 1 then 1 else 0 end
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
               where i.policy_id = new.policy_id
                 and exists (select 1 from policy p where p.policy_id = new.policy_id and p.policy_number is not null)
              union all
              select p.period_start, v.premium from policy p join policy_version v on v.policy_id = p.policy_id
               where p.policy_id = new.policy_id and p.policy_number is not null and v.kind = 'issue'
                 and not exists (select 1 from payment_plan pp where pp.policy_id = new.policy_id)
              union all
              select v.effective_on, v.adjustment from policy_version v join policy p on p.policy_id = v.policy_id
               where v.policy_id = new.policy_id and p.policy_number is not null and v.adjustment > 0
                 and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = new.policy_id),
                                      (select min(w.seq) from policy_version w where w.policy_id = new.policy_id))
            ) ev group by ev.d
          ) e
        ) r,
        (select coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end)
                            from policy_version v where v.policy_id = new.policy_id), 0) as total,
                case when q.paid > 0 then q.paid else 0 end as paid
           from (select coalesce((select sum(y.amount) from payment y
                                   where y.policy_id = new.policy_id and y.reversed_at is null), 0)
                      - coalesce((select sum(f.amount) from refund f where f.policy_id = new.policy_id), 0) as paid) q
        ) t
      ) c
      where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)
    ) s;
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, opens, amount from premium_arrears where policy_id = new.policy_id;
end;

create trigger premium_arrears_payment_plan_insert after insert on payment_plan
begin
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, -opens, -amount from premium_arrears where policy_id = new.policy_id;
    delete from premium_arrears where policy_id = new.policy_id;
    insert into premium_arrears (policy_id, due_on, amount, opens)
    select new.policy_id, s.d, s.u, case when row_number() over (order by s.d) = 1 then 1 else 0 end
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
               where i.policy_id = new.policy_id
                 and exists (select 1 from policy p where p.policy_id = new.policy_id and p.policy_number is not null)
              union all
              select p.period_start, v.premium from policy p join policy_version v on v.policy_id = p.policy_id
               where p.policy_id = new.policy_id and p.policy_number is not null and v.kind = 'issue'
                 and not exists (select 1 from payment_plan pp where pp.policy_id = new.policy_id)
              union all
              select v.effective_on, v.adjustment from policy_version v join policy p on p.policy_id = v.policy_id
               where v.policy_id = new.policy_id and p.policy_number is not null and v.adjustment > 0
                 and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = new.policy_id),
                                      (select min(w.seq) from policy_version w where w.policy_id = new.policy_id))
            ) ev group by ev.d
          ) e
        ) r,
        (select coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end)
                            from policy_version v where v.policy_id = new.policy_id), 0) as total,
                case when q.paid > 0 then q.paid else 0 end as paid
           from (select coalesce((select sum(y.amount) from payment y
                                   where y.policy_id = new.policy_id and y.reversed_at is null), 0)
                      - coalesce((select sum(f.amount) from refund f where f.policy_id = new.policy_id), 0) as paid) q
        ) t
      ) c
      where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)
    ) s;
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, opens, amount from premium_arrears where policy_id = new.policy_id;
end;

create trigger premium_arrears_payment_plan_update after update on payment_plan
begin
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, -opens, -amount from premium_arrears where policy_id = new.policy_id;
    delete from premium_arrears where policy_id = new.policy_id;
    insert into premium_arrears (policy_id, due_on, amount, opens)
    select new.policy_id, s.d, s.u, case when row_number() over (order by s.d) = 1 then 1 else 0 end
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
               where i.policy_id = new.policy_id
                 and exists (select 1 from policy p where p.policy_id = new.policy_id and p.policy_number is not null)
              union all
              select p.period_start, v.premium from policy p join policy_version v on v.policy_id = p.policy_id
               where p.policy_id = new.policy_id and p.policy_number is not null and v.kind = 'issue'
                 and not exists (select 1 from payment_plan pp where pp.policy_id = new.policy_id)
              union all
              select v.effective_on, v.adjustment from policy_version v join policy p on p.policy_id = v.policy_id
               where v.policy_id = new.policy_id and p.policy_number is not null and v.adjustment > 0
                 and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = new.policy_id),
                                      (select min(w.seq) from policy_version w where w.policy_id = new.policy_id))
            ) ev group by ev.d
          ) e
        ) r,
        (select coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end)
                            from policy_version v where v.policy_id = new.policy_id), 0) as total,
                case when q.paid > 0 then q.paid else 0 end as paid
           from (select coalesce((select sum(y.amount) from payment y
                                   where y.policy_id = new.policy_id and y.reversed_at is null), 0)
                      - coalesce((select sum(f.amount) from refund f where f.policy_id = new.policy_id), 0) as paid) q
        ) t
      ) c
      where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)
    ) s;
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, opens, amount from premium_arrears where policy_id = new.policy_id;
end;

create trigger premium_arrears_installment_insert after insert on installment
begin
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, -opens, -amount from premium_arrears where policy_id = new.policy_id;
    delete from premium_arrears where policy_id = new.policy_id;
    insert into premium_arrears (policy_id, due_on, amount, opens)
    select new.policy_id, s.d, s.u, case when row_number() over (order by s.d) = 1 then 1 else 0 end
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
               where i.policy_id = new.policy_id
                 and exists (select 1 from policy p where p.policy_id = new.policy_id and p.policy_number is not null)
              union all
              select p.period_start, v.premium from policy p join policy_version v on v.policy_id = p.policy_id
               where p.policy_id = new.policy_id and p.policy_number is not null and v.kind = 'issue'
                 and not exists (select 1 from payment_plan pp where pp.policy_id = new.policy_id)
              union all
              select v.effective_on, v.adjustment from policy_version v join policy p on p.policy_id = v.policy_id
               where v.policy_id = new.policy_id and p.policy_number is not null and v.adjustment > 0
                 and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = new.policy_id),
                                      (select min(w.seq) from policy_version w where w.policy_id = new.policy_id))
            ) ev group by ev.d
          ) e
        ) r,
        (select coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end)
                            from policy_version v where v.policy_id = new.policy_id), 0) as total,
                case when q.paid > 0 then q.paid else 0 end as paid
           from (select coalesce((select sum(y.amount) from payment y
                                   where y.policy_id = new.policy_id and y.reversed_at is null), 0)
                      - coalesce((select sum(f.amount) from refund f where f.policy_id = new.policy_id), 0) as paid) q
        ) t
      ) c
      where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)
    ) s;
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, opens, amount from premium_arrears where policy_id = new.policy_id;
end;

create trigger premium_arrears_installment_delete after delete on installment
begin
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, -opens, -amount from premium_arrears where policy_id = old.policy_id;
    delete from premium_arrears where policy_id = old.policy_id;
    insert into premium_arrears (policy_id, due_on, amount, opens)
    select old.policy_id, s.d, s.u, case when row_number() over (order by s.d) = 1 then 1 else 0 end
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
               where i.policy_id = old.policy_id
                 and exists (select 1 from policy p where p.policy_id = old.policy_id and p.policy_number is not null)
              union all
              select p.period_start, v.premium from policy p join policy_version v on v.policy_id = p.policy_id
               where p.policy_id = old.policy_id and p.policy_number is not null and v.kind = 'issue'
                 and not exists (select 1 from payment_plan pp where pp.policy_id = old.policy_id)
              union all
              select v.effective_on, v.adjustment from policy_version v join policy p on p.policy_id = v.policy_id
               where v.policy_id = old.policy_id and p.policy_number is not null and v.adjustment > 0
                 and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = old.policy_id),
                                      (select min(w.seq) from policy_version w where w.policy_id = old.policy_id))
            ) ev group by ev.d
          ) e
        ) r,
        (select coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end)
                            from policy_version v where v.policy_id = old.policy_id), 0) as total,
                case when q.paid > 0 then q.paid else 0 end as paid
           from (select coalesce((select sum(y.amount) from payment y
                                   where y.policy_id = old.policy_id and y.reversed_at is null), 0)
                      - coalesce((select sum(f.amount) from refund f where f.policy_id = old.policy_id), 0) as paid) q
        ) t
      ) c
      where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)
    ) s;
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, opens, amount from premium_arrears where policy_id = old.policy_id;
end;

create trigger premium_arrears_payment_insert after insert on payment
begin
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, -opens, -amount from premium_arrears where policy_id = new.policy_id;
    delete from premium_arrears where policy_id = new.policy_id;
    insert into premium_arrears (policy_id, due_on, amount, opens)
    select new.policy_id, s.d, s.u, case when row_number() over (order by s.d) = 1 then 1 else 0 end
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
               where i.policy_id = new.policy_id
                 and exists (select 1 from policy p where p.policy_id = new.policy_id and p.policy_number is not null)
              union all
              select p.period_start, v.premium from policy p join policy_version v on v.policy_id = p.policy_id
               where p.policy_id = new.policy_id and p.policy_number is not null and v.kind = 'issue'
                 and not exists (select 1 from payment_plan pp where pp.policy_id = new.policy_id)
              union all
              select v.effective_on, v.adjustment from policy_version v join policy p on p.policy_id = v.policy_id
               where v.policy_id = new.policy_id and p.policy_number is not null and v.adjustment > 0
                 and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = new.policy_id),
                                      (select min(w.seq) from policy_version w where w.policy_id = new.policy_id))
            ) ev group by ev.d
          ) e
        ) r,
        (select coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end)
                            from policy_version v where v.policy_id = new.policy_id), 0) as total,
                case when q.paid > 0 then q.paid else 0 end as paid
           from (select coalesce((select sum(y.amount) from payment y
                                   where y.policy_id = new.policy_id and y.reversed_at is null), 0)
                      - coalesce((select sum(f.amount) from refund f where f.policy_id = new.policy_id), 0) as paid) q
        ) t
      ) c
      where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)
    ) s;
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, opens, amount from premium_arrears where policy_id = new.policy_id;
end;

create trigger premium_arrears_payment_update after update on payment
when old.reversed_at is not new.reversed_at or old.amount is not new.amount
begin
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, -opens, -amount from premium_arrears where policy_id = new.policy_id;
    delete from premium_arrears where policy_id = new.policy_id;
    insert into premium_arrears (policy_id, due_on, amount, opens)
    select new.policy_id, s.d, s.u, case when row_number() over (order by s.d) = 1 then 1 else 0 end
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
               where i.policy_id = new.policy_id
                 and exists (select 1 from policy p where p.policy_id = new.policy_id and p.policy_number is not null)
              union all
              select p.period_start, v.premium from policy p join policy_version v on v.policy_id = p.policy_id
               where p.policy_id = new.policy_id and p.policy_number is not null and v.kind = 'issue'
                 and not exists (select 1 from payment_plan pp where pp.policy_id = new.policy_id)
              union all
              select v.effective_on, v.adjustment from policy_version v join policy p on p.policy_id = v.policy_id
               where v.policy_id = new.policy_id and p.policy_number is not null and v.adjustment > 0
                 and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = new.policy_id),
                                      (select min(w.seq) from policy_version w where w.policy_id = new.policy_id))
            ) ev group by ev.d
          ) e
        ) r,
        (select coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end)
                            from policy_version v where v.policy_id = new.policy_id), 0) as total,
                case when q.paid > 0 then q.paid else 0 end as paid
           from (select coalesce((select sum(y.amount) from payment y
                                   where y.policy_id = new.policy_id and y.reversed_at is null), 0)
                      - coalesce((select sum(f.amount) from refund f where f.policy_id = new.policy_id), 0) as paid) q
        ) t
      ) c
      where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)
    ) s;
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, opens, amount from premium_arrears where policy_id = new.policy_id;
end;

create trigger premium_arrears_refund_insert after insert on refund
begin
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, -opens, -amount from premium_arrears where policy_id = new.policy_id;
    delete from premium_arrears where policy_id = new.policy_id;
    insert into premium_arrears (policy_id, due_on, amount, opens)
    select new.policy_id, s.d, s.u, case when row_number() over (order by s.d) = 1 then 1 else 0 end
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
               where i.policy_id = new.policy_id
                 and exists (select 1 from policy p where p.policy_id = new.policy_id and p.policy_number is not null)
              union all
              select p.period_start, v.premium from policy p join policy_version v on v.policy_id = p.policy_id
               where p.policy_id = new.policy_id and p.policy_number is not null and v.kind = 'issue'
                 and not exists (select 1 from payment_plan pp where pp.policy_id = new.policy_id)
              union all
              select v.effective_on, v.adjustment from policy_version v join policy p on p.policy_id = v.policy_id
               where v.policy_id = new.policy_id and p.policy_number is not null and v.adjustment > 0
                 and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = new.policy_id),
                                      (select min(w.seq) from policy_version w where w.policy_id = new.policy_id))
            ) ev group by ev.d
          ) e
        ) r,
        (select coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end)
                            from policy_version v where v.policy_id = new.policy_id), 0) as total,
                case when q.paid > 0 then q.paid else 0 end as paid
           from (select coalesce((select sum(y.amount) from payment y
                                   where y.policy_id = new.policy_id and y.reversed_at is null), 0)
                      - coalesce((select sum(f.amount) from refund f where f.policy_id = new.policy_id), 0) as paid) q
        ) t
      ) c
      where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)
    ) s;
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, opens, amount from premium_arrears where policy_id = new.policy_id;
end;

create trigger premium_arrears_policy_update after update on policy
when old.policy_number is not new.policy_number or old.period_start is not new.period_start
begin
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, -opens, -amount from premium_arrears where policy_id = new.policy_id;
    delete from premium_arrears where policy_id = new.policy_id;
    insert into premium_arrears (policy_id, due_on, amount, opens)
    select new.policy_id, s.d, s.u, case when row_number() over (order by s.d) = 1 then 1 else 0 end
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
               where i.policy_id = new.policy_id
                 and exists (select 1 from policy p where p.policy_id = new.policy_id and p.policy_number is not null)
              union all
              select p.period_start, v.premium from policy p join policy_version v on v.policy_id = p.policy_id
               where p.policy_id = new.policy_id and p.policy_number is not null and v.kind = 'issue'
                 and not exists (select 1 from payment_plan pp where pp.policy_id = new.policy_id)
              union all
              select v.effective_on, v.adjustment from policy_version v join policy p on p.policy_id = v.policy_id
               where v.policy_id = new.policy_id and p.policy_number is not null and v.adjustment > 0
                 and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = new.policy_id),
                                      (select min(w.seq) from policy_version w where w.policy_id = new.policy_id))
            ) ev group by ev.d
          ) e
        ) r,
        (select coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end)
                            from policy_version v where v.policy_id = new.policy_id), 0) as total,
                case when q.paid > 0 then q.paid else 0 end as paid
           from (select coalesce((select sum(y.amount) from payment y
                                   where y.policy_id = new.policy_id and y.reversed_at is null), 0)
                      - coalesce((select sum(f.amount) from refund f where f.policy_id = new.policy_id), 0) as paid) q
        ) t
      ) c
      where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)
    ) s;
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, opens, amount from premium_arrears where policy_id = new.policy_id;
end;

-- A policy id inserted here is refreshed (what premium_arrears_refresh is on PostgreSQL):
-- the migration below and `store::arrears::rebuild` go through it. Always empty between
-- statements.
create table premium_arrears_touch (policy_id bigint not null);
create trigger premium_arrears_touch_insert after insert on premium_arrears_touch
begin
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, -opens, -amount from premium_arrears where policy_id = new.policy_id;
    delete from premium_arrears where policy_id = new.policy_id;
    insert into premium_arrears (policy_id, due_on, amount, opens)
    select new.policy_id, s.d, s.u, case when row_number() over (order by s.d) = 1 then 1 else 0 end
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
               where i.policy_id = new.policy_id
                 and exists (select 1 from policy p where p.policy_id = new.policy_id and p.policy_number is not null)
              union all
              select p.period_start, v.premium from policy p join policy_version v on v.policy_id = p.policy_id
               where p.policy_id = new.policy_id and p.policy_number is not null and v.kind = 'issue'
                 and not exists (select 1 from payment_plan pp where pp.policy_id = new.policy_id)
              union all
              select v.effective_on, v.adjustment from policy_version v join policy p on p.policy_id = v.policy_id
               where v.policy_id = new.policy_id and p.policy_number is not null and v.adjustment > 0
                 and v.seq > coalesce((select pp.based_on_seq from payment_plan pp where pp.policy_id = new.policy_id),
                                      (select min(w.seq) from policy_version w where w.policy_id = new.policy_id))
            ) ev group by ev.d
          ) e
        ) r,
        (select coalesce((select sum(case when v.kind = 'issue' then v.premium else v.adjustment end)
                            from policy_version v where v.policy_id = new.policy_id), 0) as total,
                case when q.paid > 0 then q.paid else 0 end as paid
           from (select coalesce((select sum(y.amount) from payment y
                                   where y.policy_id = new.policy_id and y.reversed_at is null), 0)
                      - coalesce((select sum(f.amount) from refund f where f.policy_id = new.policy_id), 0) as paid) q
        ) t
      ) c
      where c.hi > (case when c.lo > c.paid then c.lo else c.paid end)
    ) s;
    insert into premium_arrears_summary (due_on, policies, amount)
    select due_on, opens, amount from premium_arrears where policy_id = new.policy_id;
end;

-- The ledger for the book as it stands.
insert into premium_arrears_touch (policy_id) select policy_id from policy where policy_number is not null;
delete from premium_arrears_touch;
