-- Rate backtesting, part two.
--
-- 1. The figures of each stored report (groups, ratios, indication, triangles) as JSON, so
--    the API answers what the report said rather than re-running it on today's data.
--    Reports stored before this column have none; their documents are still served.
alter table backtest_report add column figures_json text;

-- 2. Summaries the data step reads instead of a million premium pieces and loss movements.
--
-- Each is a ledger of signed delta rows, appended by the triggers below in the same
-- transaction as the change they summarise (an issue, endorsement or cancellation; a claim
-- reported, a reserve set, a payment made, a recovery; imported history). Appending, not
-- updating one row per key, means two transactions never wait on each other here.
-- `backtest::summary::compact` folds the deltas into one row per key (the service does it on
-- the backtest schedule's poll); the sum over any key is the same before and after.
--
-- Premium: one delta per policy_version piece, keyed by the policy's segment ids, the
-- underwriting year, and the dates that decide how much of it is written and earned on any
-- valuation date — booked (effective_on), earning from (the day after for a cancellation)
-- and to (the policy's period end). A piece still earning on the valuation date is rounded
-- on its own (see store::backtest::premium), so the data step reads those pieces one by one;
-- the summary answers for everything else.
create table backtest_premium_summary (
    catalogue_item_id bigint not null,
    maker_id          bigint not null,
    cover_basis       text not null,
    programme_id      text,
    origin            integer not null,
    booked            date not null,
    starts            date not null,
    ends              date not null,
    amount            bigint not null,
    policies          bigint not null,
    pieces            bigint not null
);

-- Losses: one delta per movement — a claim reported, a change of case reserve (the new
-- reserve less the claim's previous one), a payment net of recoveries — keyed by the
-- policy's segment ids, underwriting year, accident year and the day it moved.
create table backtest_loss_summary (
    catalogue_item_id bigint not null,
    maker_id          bigint not null,
    cover_basis       text not null,
    programme_id      text,
    underwriting_year integer not null,
    accident_year     integer not null,
    moved_on          date not null,
    paid              bigint not null,
    reserve_change    bigint not null,
    reported          bigint not null,
    movements         bigint not null
);

-- Policies still earning on a valuation date are found by their end date.
create index policy_period_end_idx on policy (period_end);
-- A reserve's previous and next row within its claim.
create index claim_reserve_order_idx on claim_reserve (claim_id, set_on, reserve_id);

-- Every loss movement from the backtest_* views (0005), with its reserve change: what the
-- summary must add up to (rebuild and verify compare against it).
-- Reserve history keyed by claim *and* source: an imported claim_ref such as 'C1' must
-- not share a history with this system's claim 1 (keyed 'C' || claim_id).
create or replace view backtest_reserve as
    select r.claim_ref as claim_key, k.policy_id, k.accident_date, r.amount, r.set_at, 0 as seq,
           'import' as source
    from backtest_reserve_import r join backtest_claim_import k on k.claim_ref = r.claim_ref
    union all
    select 'C' || r.claim_id, c.policy_id, c.event_date, r.amount, r.set_on, r.reserve_id,
           'claim'
    from claim_reserve r join claim c on c.claim_id = r.claim_id;

create view backtest_movement as
    select policy_id, accident_date, paid_at as moved_on, amount as paid,
           cast(0 as bigint) as reserve_change, 0 as reported
    from backtest_payment
    union all
    select policy_id, accident_date, set_at,  0,
           amount - coalesce(lag(amount) over (partition by source, claim_key order by set_at, seq), 0), 0
    from backtest_reserve
    union all
    select policy_id, accident_date, reported_date, 0, 0,
           case when status = 'withdrawn' then 0 else 1 end
    from backtest_claim;

-- One loss delta under the policy's current keys. PL/pgSQL, not SQL: its statement plan is
-- kept for the session instead of being made again on every call.
create function backtest_loss_delta(p_policy bigint, p_accident date, p_moved date,
    p_paid bigint, p_reserve bigint, p_reported bigint, p_movements bigint)
returns void language plpgsql as $$
begin
    insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
    select p.catalogue_item_id, p.maker_id, p.cover_basis, p.programme_id,
           cast(extract(year from p.period_start) as integer),
           cast(extract(year from p_accident) as integer), p_moved,
           p_paid, p_reserve, p_reported, p_movements
    from policy p where p.policy_id = p_policy;
end $$;

create function backtest_premium_piece() returns trigger language plpgsql as $$
begin
    insert into backtest_premium_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        origin, booked, starts, ends, amount, policies, pieces)
    select p.catalogue_item_id, p.maker_id, p.cover_basis, p.programme_id,
           cast(extract(year from p.period_start) as integer), new.effective_on,
           case when new.kind = 'cancellation' then new.effective_on + 1 else new.effective_on end,
           p.period_end, new.adjustment, case when new.kind = 'issue' then 1 else 0 end, 1
    from policy p where p.policy_id = new.policy_id;
    return null;
end $$;
create trigger backtest_premium_piece after insert on policy_version
    for each row execute function backtest_premium_piece();

-- A policy whose keys or period change (an endorsement extending the period): its pieces
-- leave the old keys and join the new ones; its loss movements too when a segment key or
-- the underwriting year changed.
create function backtest_policy_rekey() returns trigger language plpgsql as $$
begin
    insert into backtest_premium_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
        origin, booked, starts, ends, amount, policies, pieces)
    select old.catalogue_item_id, old.maker_id, old.cover_basis, old.programme_id,
           cast(extract(year from old.period_start) as integer), v.effective_on,
           case when v.kind = 'cancellation' then v.effective_on + 1 else v.effective_on end,
           old.period_end, -v.adjustment, case when v.kind = 'issue' then -1 else 0 end, -1
    from policy_version v where v.policy_id = old.policy_id
    union all
    select new.catalogue_item_id, new.maker_id, new.cover_basis, new.programme_id,
           cast(extract(year from new.period_start) as integer), v.effective_on,
           case when v.kind = 'cancellation' then v.effective_on + 1 else v.effective_on end,
           new.period_end, v.adjustment, case when v.kind = 'issue' then 1 else 0 end, 1
    from policy_version v where v.policy_id = new.policy_id;
    if (old.catalogue_item_id, old.maker_id, old.cover_basis, old.programme_id,
        cast(extract(year from old.period_start) as integer))
       is distinct from (new.catalogue_item_id, new.maker_id, new.cover_basis, new.programme_id,
        cast(extract(year from new.period_start) as integer)) then
        insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
            underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
        select old.catalogue_item_id, old.maker_id, old.cover_basis, old.programme_id,
               cast(extract(year from old.period_start) as integer),
               cast(extract(year from m.accident_date) as integer), m.moved_on,
               -m.paid, -m.reserve_change, -m.reported, -1
        from backtest_movement m where m.policy_id = old.policy_id
        union all
        select new.catalogue_item_id, new.maker_id, new.cover_basis, new.programme_id,
               cast(extract(year from new.period_start) as integer),
               cast(extract(year from m.accident_date) as integer), m.moved_on,
               m.paid, m.reserve_change, m.reported, 1
        from backtest_movement m where m.policy_id = new.policy_id;
    end if;
    return null;
end $$;
create trigger backtest_policy_rekey after update on policy for each row
    when ((old.catalogue_item_id, old.maker_id, old.cover_basis, old.programme_id,
           old.period_start, old.period_end)
          is distinct from (new.catalogue_item_id, new.maker_id, new.cover_basis,
           new.programme_id, new.period_start, new.period_end))
    execute function backtest_policy_rekey();

-- What places a claim in the triangles is fixed once it is reported.
create function backtest_claim_fixed() returns trigger language plpgsql as $$
begin
    raise exception '% of a reported claim cannot change (rate backtest history)', tg_table_name;
end $$;

create function backtest_claim_reported() returns trigger language plpgsql as $$
begin
    perform backtest_loss_delta(new.policy_id, new.event_date, new.reported_on, 0, 0, 1, 1);
    return null;
end $$;
create trigger backtest_claim_reported after insert on claim
    for each row execute function backtest_claim_reported();
create trigger backtest_claim_fixed before update on claim for each row
    when ((old.policy_id, old.event_date, old.reported_on)
          is distinct from (new.policy_id, new.event_date, new.reported_on))
    execute function backtest_claim_fixed();

-- A reserve row is the claim's reserve from its date on; its movement is the change from
-- the previous row. A row that lands between two others also changes the next row's
-- change. BEFORE row triggers see the rows a multi-row statement processed before, so the
-- effect is the same as inserting one row at a time, in any order.
create function backtest_claim_reserve() returns trigger language plpgsql as $$
declare
    k record;
    prev bigint;
    next_on date;
begin
    select policy_id, event_date into k from claim where claim_id = new.claim_id;
    select amount into prev from claim_reserve
        where claim_id = new.claim_id and (set_on, reserve_id) < (new.set_on, new.reserve_id)
        order by set_on desc, reserve_id desc limit 1;
    prev := coalesce(prev, 0);
    perform backtest_loss_delta(k.policy_id, k.event_date, new.set_on, 0, new.amount - prev, 0, 1);
    select set_on into next_on from claim_reserve
        where claim_id = new.claim_id and (set_on, reserve_id) > (new.set_on, new.reserve_id)
        order by set_on, reserve_id limit 1;
    if found then
        perform backtest_loss_delta(k.policy_id, k.event_date, next_on, 0, prev - new.amount, 0, 0);
    end if;
    return new;
end $$;
create trigger backtest_claim_reserve before insert on claim_reserve
    for each row execute function backtest_claim_reserve();
create trigger backtest_claim_reserve_fixed before update or delete on claim_reserve
    for each row execute function backtest_claim_fixed();

-- Payments count when paid, recoveries when received; either way round, so any change
-- leaves the old figures and adds the new.
create function backtest_claim_money() returns trigger language plpgsql as $$
declare
    k record;
begin
    if tg_op in ('UPDATE', 'DELETE') then
        select policy_id, event_date into k from claim where claim_id = old.claim_id;
        if tg_table_name = 'claim_recovery' then
            perform backtest_loss_delta(k.policy_id, k.event_date, old.received_on, old.amount, 0, 0, -1);
        elsif old.status = 'paid' then
            perform backtest_loss_delta(k.policy_id, k.event_date, old.paid_on, -old.amount, 0, 0, -1);
        end if;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        select policy_id, event_date into k from claim where claim_id = new.claim_id;
        if tg_table_name = 'claim_recovery' then
            perform backtest_loss_delta(k.policy_id, k.event_date, new.received_on, -new.amount, 0, 0, 1);
        elsif new.status = 'paid' then
            perform backtest_loss_delta(k.policy_id, k.event_date, new.paid_on, new.amount, 0, 0, 1);
        end if;
    end if;
    return null;
end $$;
create trigger backtest_claim_payment after insert or update or delete on claim_payment
    for each row execute function backtest_claim_money();
create trigger backtest_claim_recovery after insert or update or delete on claim_recovery
    for each row execute function backtest_claim_money();

-- Imported history: rows are corrected by deleting and inserting them again.
create function backtest_import_claim() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform backtest_loss_delta(old.policy_id, old.accident_date, old.reported_date, 0, 0,
            case when old.status = 'withdrawn' then 0 else -1 end, -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform backtest_loss_delta(new.policy_id, new.accident_date, new.reported_date, 0, 0,
            case when new.status = 'withdrawn' then 0 else 1 end, 1);
    end if;
    return null;
end $$;
create trigger backtest_import_claim after insert or delete or update on backtest_claim_import
    for each row execute function backtest_import_claim();
create trigger backtest_import_claim_fixed before update on backtest_claim_import for each row
    when ((old.claim_ref, old.policy_id, old.accident_date, old.reported_date)
          is distinct from (new.claim_ref, new.policy_id, new.accident_date, new.reported_date))
    execute function backtest_claim_fixed();

create function backtest_import_reserve() returns trigger language plpgsql as $$
declare
    r backtest_reserve_import;
    sign bigint;
    k record;
    prev bigint;
    next_at date;
begin
    if tg_op = 'INSERT' then r := new; sign := 1; else r := old; sign := -1; end if;
    select policy_id, accident_date into k from backtest_claim_import where claim_ref = r.claim_ref;
    select amount into prev from backtest_reserve_import
        where claim_ref = r.claim_ref and set_at < r.set_at order by set_at desc limit 1;
    prev := coalesce(prev, 0);
    perform backtest_loss_delta(k.policy_id, k.accident_date, r.set_at, 0,
        sign * (r.amount - prev), 0, sign);
    select set_at into next_at from backtest_reserve_import
        where claim_ref = r.claim_ref and set_at > r.set_at order by set_at limit 1;
    if found then
        perform backtest_loss_delta(k.policy_id, k.accident_date, next_at, 0,
            sign * (prev - r.amount), 0, 0);
    end if;
    if tg_op = 'INSERT' then return new; end if;
    return old;
end $$;
create trigger backtest_import_reserve before insert or delete on backtest_reserve_import
    for each row execute function backtest_import_reserve();
create trigger backtest_import_reserve_fixed before update on backtest_reserve_import
    for each row execute function backtest_claim_fixed();

create function backtest_import_payment() returns trigger language plpgsql as $$
declare
    k record;
begin
    if tg_op in ('UPDATE', 'DELETE') then
        select policy_id, accident_date into k from backtest_claim_import where claim_ref = old.claim_ref;
        perform backtest_loss_delta(k.policy_id, k.accident_date, old.paid_at, -old.amount, 0, 0, -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        select policy_id, accident_date into k from backtest_claim_import where claim_ref = new.claim_ref;
        perform backtest_loss_delta(k.policy_id, k.accident_date, new.paid_at, new.amount, 0, 0, 1);
    end if;
    return null;
end $$;
create trigger backtest_import_payment after insert or update or delete on backtest_payment_import
    for each row execute function backtest_import_payment();

-- What is already there.
insert into backtest_premium_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
    origin, booked, starts, ends, amount, policies, pieces)
select p.catalogue_item_id, p.maker_id, p.cover_basis, p.programme_id,
       cast(extract(year from p.period_start) as integer), v.effective_on,
       case when v.kind = 'cancellation' then v.effective_on + 1 else v.effective_on end,
       p.period_end, sum(v.adjustment), sum(case when v.kind = 'issue' then 1 else 0 end), count(*)
from policy_version v join policy p on p.policy_id = v.policy_id
group by 1, 2, 3, 4, 5, 6, 7, 8;
insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
    underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
select p.catalogue_item_id, p.maker_id, p.cover_basis, p.programme_id,
       cast(extract(year from p.period_start) as integer),
       cast(extract(year from m.accident_date) as integer), m.moved_on,
       sum(m.paid), sum(m.reserve_change), sum(m.reported), count(*)
from backtest_movement m join policy p on p.policy_id = m.policy_id
group by 1, 2, 3, 4, 5, 6, 7;
