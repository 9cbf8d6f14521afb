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
