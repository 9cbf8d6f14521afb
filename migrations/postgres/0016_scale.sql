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
