-- SQLite twin of migrations/postgres/0016_scale.sql (keep them equivalent).
-- Lists, queues and search that stay fast as the book grows (issue 18, issue 16 item 3).

-- Keyset orders and filters of the policy list (each filter column, then the id).
create index policy_maker_seek_idx on policy (maker_id, policy_id);
create index policy_user_seek_idx on policy (user_id, policy_id);
create index policy_state_seek_idx on policy (state, policy_id);
create index policy_programme_seek_idx on policy (programme_id, policy_id);
create index policy_start_seek_idx on policy (period_start, policy_id);
create index policy_end_seek_idx on policy (period_end, policy_id);
create index policy_premium_seek_idx on policy (premium, policy_id);
create index policy_catalogue_idx on policy (catalogue_item_id);
drop index policy_maker_idx;
drop index policy_user_idx;
drop index policy_state_idx;
drop index policy_period_idx;

-- Substring search: FTS5 trigram tables over the searched columns (PostgreSQL uses
-- pg_trgm GIN indexes instead). External content, kept by the triggers below; a
-- search of three or more characters is a MATCH on them (store::search).
create virtual table policy_fts using fts5(policy_number, content='policy', content_rowid='policy_id', tokenize='trigram');
insert into policy_fts (policy_fts) values ('rebuild');
create trigger policy_fts_insert after insert on policy begin
    insert into policy_fts (rowid, policy_number) values (new.policy_id, new.policy_number);
end;
create trigger policy_fts_update after update of policy_number on policy begin
    insert into policy_fts (policy_fts, rowid, policy_number) values ('delete', old.policy_id, old.policy_number);
    insert into policy_fts (rowid, policy_number) values (new.policy_id, new.policy_number);
end;
create trigger policy_fts_delete after delete on policy begin
    insert into policy_fts (policy_fts, rowid, policy_number) values ('delete', old.policy_id, old.policy_number);
end;

create virtual table party_fts using fts5(name, credit_code, content='party', content_rowid='party_id', tokenize='trigram');
insert into party_fts (party_fts) values ('rebuild');
create trigger party_fts_insert after insert on party begin
    insert into party_fts (rowid, name, credit_code) values (new.party_id, new.name, new.credit_code);
end;
create trigger party_fts_update after update of name, credit_code on party begin
    insert into party_fts (party_fts, rowid, name, credit_code) values ('delete', old.party_id, old.name, old.credit_code);
    insert into party_fts (rowid, name, credit_code) values (new.party_id, new.name, new.credit_code);
end;
create trigger party_fts_delete after delete on party begin
    insert into party_fts (party_fts, rowid, name, credit_code) values ('delete', old.party_id, old.name, old.credit_code);
end;

create virtual table catalogue_fts using fts5(product_name, content='catalogue_item', content_rowid='catalogue_item_id', tokenize='trigram');
insert into catalogue_fts (catalogue_fts) values ('rebuild');
create trigger catalogue_fts_insert after insert on catalogue_item begin
    insert into catalogue_fts (rowid, product_name) values (new.catalogue_item_id, new.product_name);
end;
create trigger catalogue_fts_update after update of product_name on catalogue_item begin
    insert into catalogue_fts (catalogue_fts, rowid, product_name) values ('delete', old.catalogue_item_id, old.product_name);
    insert into catalogue_fts (rowid, product_name) values (new.catalogue_item_id, new.product_name);
end;
create trigger catalogue_fts_delete after delete on catalogue_item begin
    insert into catalogue_fts (catalogue_fts, rowid, product_name) values ('delete', old.catalogue_item_id, old.product_name);
end;

create virtual table claim_fts using fts5(claim_number, content='claim', content_rowid='claim_id', tokenize='trigram');
insert into claim_fts (claim_fts) values ('rebuild');
create trigger claim_fts_insert after insert on claim begin
    insert into claim_fts (rowid, claim_number) values (new.claim_id, new.claim_number);
end;
create trigger claim_fts_delete after delete on claim begin
    insert into claim_fts (claim_fts, rowid, claim_number) values ('delete', old.claim_id, old.claim_number);
end;

-- Claims: the next statutory deadline that binds the insurer, kept by every save
-- (store::claims::next_due_on); 9999-12-31 when none runs.
alter table claim add column next_due_on text not null default '9999-12-31';
update claim set next_due_on = min(
    coalesce(case when proof_complete_on is not null and decided_on is null
             then date(proof_complete_on, '+30 days') end, '9999-12-31'),
    coalesce(case when proof_complete_on is not null and agreed_on is null and paid_total = 0
             then date(proof_complete_on, '+60 days') end, '9999-12-31'),
    coalesce(case when agreed_on is not null and (indemnity is null or paid_total < indemnity)
             then date(agreed_on, '+10 days') end, '9999-12-31'))
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
create index claim_reserve_latest_idx on claim_reserve (claim_id, reserve_id);

-- Audit page filters.
create index audit_log_actor_idx on audit_log (actor_name, seq);
create index audit_log_action_idx on audit_log (action, seq);
create index audit_log_time_idx on audit_log (occurred_at, seq);
create index audit_log_entity_seek_idx on audit_log (entity_type, entity_id, seq);
drop index audit_entity_idx;

-- How far the chain has been verified (see the PostgreSQL twin).
create table audit_checkpoint (
    id           integer primary key check (id = 1),
    seq          bigint not null,
    hash         text not null,
    verified_at  text not null,
    broken_at    bigint,
    reason       text
);

-- Unpaged lists that are now paged.
create index outbox_status_seek_idx on outbox (status, outbox_id);
create index bank_line_seek_idx on bank_line (value_date, bank_line_id);

-- Re-keying a policy's losses read the backtest_movement view by policy, whose lag()
-- window is computed over every reserve in the book before the filter. The same
-- movements of the one policy, from the base tables by their policy keys.
drop trigger backtest_policy_rekey_losses;
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
    from (
        select k.accident_date, p.paid_at as moved_on, p.amount as paid, 0 as reserve_change, 0 as reported
        from backtest_claim_import k join backtest_payment_import p on p.claim_ref = k.claim_ref
        where k.policy_id = old.policy_id
        union all
        select c.event_date, p.paid_on, p.amount, 0, 0
        from claim c join claim_payment p on p.claim_id = c.claim_id
        where c.policy_id = old.policy_id and p.status = 'paid'
        union all
        select c.event_date, r.received_on, -r.amount, 0, 0
        from claim c join claim_recovery r on r.claim_id = c.claim_id
        where c.policy_id = old.policy_id
        union all
        select accident_date, set_at, 0,
               amount - coalesce(lag(amount) over (partition by source, claim_key order by set_at, seq), 0), 0
        from (select r.claim_ref as claim_key, k.accident_date, r.amount, r.set_at, 0 as seq,
                     'import' as source
              from backtest_claim_import k join backtest_reserve_import r on r.claim_ref = k.claim_ref
              where k.policy_id = old.policy_id
              union all
              select 'C' || r.claim_id, c.event_date, r.amount, r.set_on, r.reserve_id, 'claim'
              from claim c join claim_reserve r on r.claim_id = c.claim_id
              where c.policy_id = old.policy_id)
        union all
        select accident_date, reported_date, 0, 0, case when status = 'withdrawn' then 0 else 1 end
        from backtest_claim_import where policy_id = old.policy_id
        union all
        select event_date, reported_on, 0, 0, 1 from claim where policy_id = old.policy_id
    ) m
    union all
    select new.catalogue_item_id, new.maker_id, new.cover_basis, new.programme_id,
           cast(strftime('%Y', new.period_start) as integer),
           cast(strftime('%Y', m.accident_date) as integer), m.moved_on,
           m.paid, m.reserve_change, m.reported, 1
    from (
        select k.accident_date, p.paid_at as moved_on, p.amount as paid, 0 as reserve_change, 0 as reported
        from backtest_claim_import k join backtest_payment_import p on p.claim_ref = k.claim_ref
        where k.policy_id = new.policy_id
        union all
        select c.event_date, p.paid_on, p.amount, 0, 0
        from claim c join claim_payment p on p.claim_id = c.claim_id
        where c.policy_id = new.policy_id and p.status = 'paid'
        union all
        select c.event_date, r.received_on, -r.amount, 0, 0
        from claim c join claim_recovery r on r.claim_id = c.claim_id
        where c.policy_id = new.policy_id
        union all
        select accident_date, set_at, 0,
               amount - coalesce(lag(amount) over (partition by source, claim_key order by set_at, seq), 0), 0
        from (select r.claim_ref as claim_key, k.accident_date, r.amount, r.set_at, 0 as seq,
                     'import' as source
              from backtest_claim_import k join backtest_reserve_import r on r.claim_ref = k.claim_ref
              where k.policy_id = new.policy_id
              union all
              select 'C' || r.claim_id, c.event_date, r.amount, r.set_on, r.reserve_id, 'claim'
              from claim c join claim_reserve r on r.claim_id = c.claim_id
              where c.policy_id = new.policy_id)
        union all
        select accident_date, reported_date, 0, 0, case when status = 'withdrawn' then 0 else 1 end
        from backtest_claim_import where policy_id = new.policy_id
        union all
        select event_date, reported_on, 0, 0, 1 from claim where policy_id = new.policy_id
    ) m;
end;
