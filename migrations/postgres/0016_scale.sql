-- Lists, queues and search that stay fast as the book grows (issue 18, issue 16 item 3).
-- Twin of migrations/sqlite/0016_scale.sql (keep them equivalent).

-- Substring search by trigram (policy number fragments, Chinese names, credit codes).
-- pg_trgm is a trusted extension: the database owner may create it.
create extension if not exists pg_trgm;

-- Keyset orders and filters of the policy list: every filter column leads an index
-- that ends with the id, so "the next 50 after (value, id)" is one index range.
create index policy_maker_seek_idx on policy (maker_id, policy_id);
create index policy_user_seek_idx on policy (user_id, policy_id);
create index policy_state_seek_idx on policy (state, policy_id);
create index policy_programme_seek_idx on policy (programme_id, policy_id);
create index policy_start_seek_idx on policy (period_start, policy_id);
create index policy_end_seek_idx on policy (period_end, policy_id);
create index policy_premium_seek_idx on policy (premium, policy_id);
create index policy_catalogue_idx on policy (catalogue_item_id);
-- Superseded by the indexes above (their leading column is the same).
drop index policy_maker_idx;
drop index policy_user_idx;
drop index policy_state_idx;
drop index policy_period_idx;
create index policy_number_trgm_idx on policy using gin (policy_number gin_trgm_ops);
create index party_name_trgm_idx on party using gin (name gin_trgm_ops);
create index party_credit_code_trgm_idx on party using gin (credit_code gin_trgm_ops);
create index catalogue_product_trgm_idx on catalogue_item using gin (product_name gin_trgm_ops);

-- Claims: the next statutory deadline that binds the insurer (决定/先行赔付/支付期限),
-- kept by every save (store::claims::next_due_on); 9999-12-31 when none runs.
alter table claim add column next_due_on date not null default '9999-12-31';
update claim set next_due_on = least(
    case when proof_complete_on is not null and decided_on is null then proof_complete_on + 30 end,
    case when proof_complete_on is not null and agreed_on is null and paid_total = 0
         then proof_complete_on + 60 end,
    case when agreed_on is not null and (indemnity is null or paid_total < indemnity)
         then agreed_on + 10 end,
    date '9999-12-31')
where state <> 'closed';
create index claim_queue_idx on claim (next_due_on, claim_id) where state <> 'closed';
create index claim_maker_seek_idx on claim (maker_id, claim_id);
create index claim_state_seek_idx on claim (state, claim_id);
create index claim_policy_seek_idx on claim (policy_id, claim_id);
create index claim_reported_seek_idx on claim (reported_on, claim_id);
create index claim_event_seek_idx on claim (event_date, claim_id);
create index claim_amount_seek_idx on claim (amount_claimed, claim_id);
drop index claim_policy_idx;
drop index claim_maker_idx;
drop index claim_state_idx;
create index claim_number_trgm_idx on claim using gin (claim_number gin_trgm_ops);
-- The latest reserve of a claim, read for every claim shown.
create index claim_reserve_latest_idx on claim_reserve (claim_id, reserve_id);

-- Audit page filters.
create index audit_log_actor_idx on audit_log (actor_name, seq);
create index audit_log_action_idx on audit_log (action, seq);
create index audit_log_time_idx on audit_log (occurred_at, seq);
create index audit_log_entity_seek_idx on audit_log (entity_type, entity_id, seq);
drop index audit_entity_idx;

-- How far the chain has been verified (the sealer verifies only what is newer; pages
-- show this instead of walking the whole log). `audit verify` still walks everything.
create table audit_checkpoint (
    id           integer primary key check (id = 1),
    seq          bigint not null,
    hash         text not null,
    verified_at  timestamptz not null,
    -- Set when verification found the chain broken: where, and why.
    broken_at    bigint,
    reason       text
);

-- Unpaged lists that are now paged.
create index outbox_status_seek_idx on outbox (status, outbox_id);
create index bank_line_seek_idx on bank_line (value_date, bank_line_id);

-- Re-keying a policy (backtest_policy_rekey, 0010) read the backtest_movement view by
-- policy; the view's lag() window cannot be filtered first, so every call sorted every
-- reserve row in the book. The same movements of ONE policy, from the base tables by
-- their policy keys, the window applied to that policy's reserves only.
create function backtest_movements_of(p_policy bigint)
returns table (accident_date date, moved_on date, paid bigint, reserve_change bigint, reported bigint)
language sql stable as $$
    select k.accident_date, p.paid_at, p.amount, cast(0 as bigint), cast(0 as bigint)
    from backtest_claim_import k join backtest_payment_import p on p.claim_ref = k.claim_ref
    where k.policy_id = p_policy
    union all
    select c.event_date, p.paid_on, p.amount, 0, 0
    from claim c join claim_payment p on p.claim_id = c.claim_id
    where c.policy_id = p_policy and p.status = 'paid'
    union all
    select c.event_date, r.received_on, -r.amount, 0, 0
    from claim c join claim_recovery r on r.claim_id = c.claim_id
    where c.policy_id = p_policy
    union all
    select accident_date, set_at, 0,
           amount - coalesce(lag(amount) over (partition by source, claim_key order by set_at, seq), 0), 0
    from (select r.claim_ref as claim_key, k.accident_date, r.amount, r.set_at, 0 as seq,
                 'import' as source
          from backtest_claim_import k join backtest_reserve_import r on r.claim_ref = k.claim_ref
          where k.policy_id = p_policy
          union all
          select 'C' || r.claim_id, c.event_date, r.amount, r.set_on, r.reserve_id, 'claim'
          from claim c join claim_reserve r on r.claim_id = c.claim_id
          where c.policy_id = p_policy) reserves
    union all
    select accident_date, reported_date, 0, 0, case when status = 'withdrawn' then 0 else 1 end
    from backtest_claim_import where policy_id = p_policy
    union all
    select event_date, reported_on, 0, 0, 1 from claim where policy_id = p_policy;
$$;

create or replace function backtest_policy_rekey() returns trigger language plpgsql as $$
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
        -- The policy id does not change, so its movements are read once.
        insert into backtest_loss_summary (catalogue_item_id, maker_id, cover_basis, programme_id,
            underwriting_year, accident_year, moved_on, paid, reserve_change, reported, movements)
        select old.catalogue_item_id, old.maker_id, old.cover_basis, old.programme_id,
               cast(extract(year from old.period_start) as integer),
               cast(extract(year from m.accident_date) as integer), m.moved_on,
               -m.paid, -m.reserve_change, -m.reported, -1
        from backtest_movements_of(old.policy_id) m
        union all
        select new.catalogue_item_id, new.maker_id, new.cover_basis, new.programme_id,
               cast(extract(year from new.period_start) as integer),
               cast(extract(year from m.accident_date) as integer), m.moved_on,
               m.paid, m.reserve_change, m.reported, 1
        from backtest_movements_of(new.policy_id) m;
    end if;
    return null;
end $$;
