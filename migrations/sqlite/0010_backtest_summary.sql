-- Rate backtesting, part two. The PostgreSQL migration of the same number explains each
-- part; SQLite has no trigger functions, so each trigger spells its insert out.
--
-- 1. The figures of each stored report as JSON (served by the API).
alter table backtest_report add column figures_json text;

-- 2. Signed delta ledgers the data step reads instead of every premium piece and loss
--    movement, appended by triggers in the transaction of the change; compacted by
--    `backtest::summary::compact`.
create table backtest_premium_summary (
    catalogue_item_id bigint not null,
    maker_id          bigint not null,
    cover_basis       text not null,
    programme_id      text,
    origin            integer not null,
    booked            text not null,
    starts            text not null,
    ends              text not null,
    amount            bigint not null,
    policies          bigint not null,
    pieces            bigint not null
);

create table backtest_loss_summary (
    catalogue_item_id bigint not null,
    maker_id          bigint not null,
    cover_basis       text not null,
    programme_id      text,
    underwriting_year integer not null,
    accident_year     integer not null,
    moved_on          text not null,
    paid              bigint not null,
    reserve_change    bigint not null,
    reported          bigint not null,
    movements         bigint not null
);

create index policy_period_end_idx on policy (period_end);
create index claim_reserve_order_idx on claim_reserve (claim_id, set_on, reserve_id);

-- Reserve history keyed by claim *and* source: an imported claim_ref such as 'C1' must
-- not share a history with this system's claim 1 (keyed 'C' || claim_id).
drop view backtest_reserve;
create view backtest_reserve as
    select r.claim_ref as claim_key, k.policy_id, k.accident_date, r.amount, r.set_at, 0 as seq,
           'import' as source
    from backtest_reserve_import r join backtest_claim_import k on k.claim_ref = r.claim_ref
    union all
    select 'C' || r.claim_id, c.policy_id, c.event_date, r.amount, r.set_on, r.reserve_id,
           'claim'
    from claim_reserve r join claim c on c.claim_id = r.claim_id;

create view backtest_movement as
    select policy_id, accident_date, paid_at as moved_on, amount as paid,
           0 as reserve_change, 0 as reported
    from backtest_payment
    union all
    select policy_id, accident_date, set_at, 0,
           amount - coalesce(lag(amount) over (partition by source, claim_key order by set_at, seq), 0), 0
    from backtest_reserve
    union all
    select policy_id, accident_date, reported_date, 0, 0,
           case when status = 'withdrawn' then 0 else 1 end
    from backtest_claim;

-- A policy's segment ids and underwriting year, as the loss deltas carry them.
create view backtest_policy_key as
    select policy_id, catalogue_item_id, maker_id, cover_basis, programme_id,
           cast(strftime('%Y', period_start) as integer) as underwriting_year
    from policy;

create trigger backtest_premium_piece after insert on policy_version
begin
    insert into backtest_premium_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        origin, booked, starts, ends, amount, policies, pieces)
    select p.catalogue_item_id, p.maker_id, p.cover_basis, p.programme_id,
           cast(strftime('%Y', p.period_start) as integer), new.effective_on,
           case when new.kind = 'cancellation' then date(new.effective_on, '+1 day')
                else new.effective_on end,
           p.period_end, new.adjustment, case when new.kind = 'issue' then 1 else 0 end, 1
    from policy p where p.policy_id = new.policy_id;
end;

create trigger backtest_policy_rekey after update on policy
when old.catalogue_item_id is not new.catalogue_item_id or old.maker_id is not new.maker_id
  or old.cover_basis is not new.cover_basis or old.programme_id is not new.programme_id
  or old.period_start is not new.period_start or old.period_end is not new.period_end
begin
    insert into backtest_premium_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        origin, booked, starts, ends, amount, policies, pieces)
    select old.catalogue_item_id, old.maker_id, old.cover_basis, old.programme_id,
           cast(strftime('%Y', old.period_start) as integer), v.effective_on,
           case when v.kind = 'cancellation' then date(v.effective_on, '+1 day')
                else v.effective_on end,
           old.period_end, -v.adjustment, case when v.kind = 'issue' then -1 else 0 end, -1
    from policy_version v where v.policy_id = old.policy_id
    union all
    select new.catalogue_item_id, new.maker_id, new.cover_basis, new.programme_id,
           cast(strftime('%Y', new.period_start) as integer), v.effective_on,
           case when v.kind = 'cancellation' then date(v.effective_on, '+1 day')
                else v.effective_on end,
           new.period_end, v.adjustment, case when v.kind = 'issue' then 1 else 0 end, 1
    from policy_version v where v.policy_id = new.policy_id;
end;

create trigger backtest_policy_rekey_losses after update on policy
when old.catalogue_item_id is not new.catalogue_item_id or old.maker_id is not new.maker_id
  or old.cover_basis is not new.cover_basis or old.programme_id is not new.programme_id
  or strftime('%Y', old.period_start) is not strftime('%Y', new.period_start)
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select old.catalogue_item_id, old.maker_id, old.cover_basis, old.programme_id,
           cast(strftime('%Y', old.period_start) as integer),
           cast(strftime('%Y', m.accident_date) as integer), m.moved_on,
           -m.paid, -m.reserve_change, -m.reported, -1
    from backtest_movement m where m.policy_id = old.policy_id
    union all
    select new.catalogue_item_id, new.maker_id, new.cover_basis, new.programme_id,
           cast(strftime('%Y', new.period_start) as integer),
           cast(strftime('%Y', m.accident_date) as integer), m.moved_on,
           m.paid, m.reserve_change, m.reported, 1
    from backtest_movement m where m.policy_id = new.policy_id;
end;

create trigger backtest_claim_reported after insert on claim
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', new.event_date) as integer), new.reported_on, 0, 0, 1, 1
    from backtest_policy_key k where k.policy_id = new.policy_id;
end;
create trigger backtest_claim_fixed before update on claim
when old.policy_id is not new.policy_id or old.event_date is not new.event_date
  or old.reported_on is not new.reported_on
begin
    select raise(abort, 'claim of a reported claim cannot change (rate backtest history)');
end;

-- Each row's change is from the claim's previous row; a row landing between two others
-- also changes the next one's. SQLite fires row triggers one row at a time.
create trigger backtest_claim_reserve after insert on claim_reserve
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.event_date) as integer), x.moved_on, 0, x.change, 0, x.movements
    from claim c join backtest_policy_key k on k.policy_id = c.policy_id,
         (select new.set_on as moved_on, new.amount - coalesce(
              (select r.amount from claim_reserve r where r.claim_id = new.claim_id
                 and (r.set_on, r.reserve_id) < (new.set_on, new.reserve_id)
               order by r.set_on desc, r.reserve_id desc limit 1), 0) as change, 1 as movements
          union all
          select (select r.set_on from claim_reserve r where r.claim_id = new.claim_id
                    and (r.set_on, r.reserve_id) > (new.set_on, new.reserve_id)
                  order by r.set_on, r.reserve_id limit 1),
                 coalesce((select r.amount from claim_reserve r where r.claim_id = new.claim_id
                    and (r.set_on, r.reserve_id) < (new.set_on, new.reserve_id)
                  order by r.set_on desc, r.reserve_id desc limit 1), 0) - new.amount, 0) x
    where c.claim_id = new.claim_id and x.moved_on is not null;
end;
create trigger backtest_claim_reserve_no_update before update on claim_reserve
begin
    select raise(abort, 'claim_reserve of a reported claim cannot change (rate backtest history)');
end;
create trigger backtest_claim_reserve_no_delete before delete on claim_reserve
begin
    select raise(abort, 'claim_reserve of a reported claim cannot change (rate backtest history)');
end;

create trigger backtest_claim_payment_in after insert on claim_payment when new.status = 'paid'
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.event_date) as integer), new.paid_on, new.amount, 0, 0, 1
    from claim c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_id = new.claim_id;
end;
create trigger backtest_claim_payment_change after update on claim_payment
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.event_date) as integer), old.paid_on, -old.amount, 0, 0, -1
    from claim c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_id = old.claim_id and old.status = 'paid'
    union all
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.event_date) as integer), new.paid_on, new.amount, 0, 0, 1
    from claim c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_id = new.claim_id and new.status = 'paid';
end;
create trigger backtest_claim_payment_out after delete on claim_payment when old.status = 'paid'
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.event_date) as integer), old.paid_on, -old.amount, 0, 0, -1
    from claim c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_id = old.claim_id;
end;

create trigger backtest_claim_recovery_in after insert on claim_recovery
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.event_date) as integer), new.received_on, -new.amount, 0, 0, 1
    from claim c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_id = new.claim_id;
end;
create trigger backtest_claim_recovery_change after update on claim_recovery
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.event_date) as integer), old.received_on, old.amount, 0, 0, -1
    from claim c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_id = old.claim_id
    union all
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.event_date) as integer), new.received_on, -new.amount, 0, 0, 1
    from claim c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_id = new.claim_id;
end;
create trigger backtest_claim_recovery_out after delete on claim_recovery
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.event_date) as integer), old.received_on, old.amount, 0, 0, -1
    from claim c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_id = old.claim_id;
end;

-- Imported history: corrected by deleting and inserting rows again.
create trigger backtest_import_claim_in after insert on backtest_claim_import
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', new.accident_date) as integer), new.reported_date, 0, 0,
           case when new.status = 'withdrawn' then 0 else 1 end, 1
    from backtest_policy_key k where k.policy_id = new.policy_id;
end;
create trigger backtest_import_claim_fixed before update on backtest_claim_import
when old.claim_ref is not new.claim_ref or old.policy_id is not new.policy_id
  or old.accident_date is not new.accident_date or old.reported_date is not new.reported_date
begin
    select raise(abort, 'backtest_claim_import of a reported claim cannot change (rate backtest history)');
end;
create trigger backtest_import_claim_status after update on backtest_claim_import
when old.status is not new.status
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', new.accident_date) as integer), new.reported_date, 0, 0,
           (case when new.status = 'withdrawn' then 0 else 1 end)
             - (case when old.status = 'withdrawn' then 0 else 1 end), 0
    from backtest_policy_key k where k.policy_id = new.policy_id;
end;
create trigger backtest_import_claim_out after delete on backtest_claim_import
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', old.accident_date) as integer), old.reported_date, 0, 0,
           case when old.status = 'withdrawn' then 0 else -1 end, -1
    from backtest_policy_key k where k.policy_id = old.policy_id;
end;

create trigger backtest_import_reserve_in after insert on backtest_reserve_import
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.accident_date) as integer), x.moved_on, 0, x.change, 0, x.movements
    from backtest_claim_import c join backtest_policy_key k on k.policy_id = c.policy_id,
         (select new.set_at as moved_on, new.amount - coalesce(
              (select r.amount from backtest_reserve_import r where r.claim_ref = new.claim_ref
                 and r.set_at < new.set_at order by r.set_at desc limit 1), 0) as change,
                 1 as movements
          union all
          select (select r.set_at from backtest_reserve_import r where r.claim_ref = new.claim_ref
                    and r.set_at > new.set_at order by r.set_at limit 1),
                 coalesce((select r.amount from backtest_reserve_import r
                    where r.claim_ref = new.claim_ref and r.set_at < new.set_at
                    order by r.set_at desc limit 1), 0) - new.amount, 0) x
    where c.claim_ref = new.claim_ref and x.moved_on is not null;
end;
create trigger backtest_import_reserve_out after delete on backtest_reserve_import
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.accident_date) as integer), x.moved_on, 0, x.change, 0, x.movements
    from backtest_claim_import c join backtest_policy_key k on k.policy_id = c.policy_id,
         (select old.set_at as moved_on, coalesce(
              (select r.amount from backtest_reserve_import r where r.claim_ref = old.claim_ref
                 and r.set_at < old.set_at order by r.set_at desc limit 1), 0) - old.amount
                 as change, -1 as movements
          union all
          select (select r.set_at from backtest_reserve_import r where r.claim_ref = old.claim_ref
                    and r.set_at > old.set_at order by r.set_at limit 1),
                 old.amount - coalesce((select r.amount from backtest_reserve_import r
                    where r.claim_ref = old.claim_ref and r.set_at < old.set_at
                    order by r.set_at desc limit 1), 0), 0) x
    where c.claim_ref = old.claim_ref and x.moved_on is not null;
end;
create trigger backtest_import_reserve_fixed before update on backtest_reserve_import
begin
    select raise(abort, 'backtest_reserve_import rows cannot change: delete and insert them (rate backtest history)');
end;

create trigger backtest_import_payment_in after insert on backtest_payment_import
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.accident_date) as integer), new.paid_at, new.amount, 0, 0, 1
    from backtest_claim_import c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_ref = new.claim_ref;
end;
create trigger backtest_import_payment_change after update on backtest_payment_import
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.accident_date) as integer), old.paid_at, -old.amount, 0, 0, -1
    from backtest_claim_import c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_ref = old.claim_ref
    union all
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.accident_date) as integer), new.paid_at, new.amount, 0, 0, 1
    from backtest_claim_import c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_ref = new.claim_ref;
end;
create trigger backtest_import_payment_out after delete on backtest_payment_import
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select k.catalogue_item_id, k.maker_id, k.cover_basis, k.programme_id, k.underwriting_year,
           cast(strftime('%Y', c.accident_date) as integer), old.paid_at, -old.amount, 0, 0, -1
    from backtest_claim_import c join backtest_policy_key k on k.policy_id = c.policy_id
    where c.claim_ref = old.claim_ref;
end;

-- What is already there.
insert into backtest_premium_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
    origin, booked, starts, ends, amount, policies, pieces)
select p.catalogue_item_id, p.maker_id, p.cover_basis, p.programme_id,
       cast(strftime('%Y', p.period_start) as integer), v.effective_on,
       case when v.kind = 'cancellation' then date(v.effective_on, '+1 day') else v.effective_on end,
       p.period_end, sum(v.adjustment), sum(case when v.kind = 'issue' then 1 else 0 end), count(*)
from policy_version v join policy p on p.policy_id = v.policy_id
group by 1, 2, 3, 4, 5, 6, 7, 8;
insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
    underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
select p.catalogue_item_id, p.maker_id, p.cover_basis, p.programme_id,
       cast(strftime('%Y', p.period_start) as integer),
       cast(strftime('%Y', m.accident_date) as integer), m.moved_on,
       sum(m.paid), sum(m.reserve_change), sum(m.reported), count(*)
from backtest_movement m join policy p on p.policy_id = m.policy_id
group by 1, 2, 3, 4, 5, 6, 7;
