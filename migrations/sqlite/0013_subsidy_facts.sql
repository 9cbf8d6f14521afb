-- SQLite twin of migrations/postgres/0013_subsidy_facts.sql (keep them equivalent).
-- Subsidy facts (补贴审核事实), recorded where they arise: per maker (信用中国 status,
-- fraud ban), per qualification (national quota), per insured unit (manufacture and
-- delivery dates, end-user receipt, national subsidy / application award received),
-- per policy year (ownership chain, subsidy granted). Append-only: the newest row of a
-- (fact, subject) is the fact; older rows are its history.
create table subsidy_fact (
    subsidy_fact_id   integer primary key,
    fact              text not null,
    party_id          integer references party (party_id),
    catalogue_item_id integer references catalogue_item (catalogue_item_id),
    policy_id         integer references policy (policy_id),
    serial            text,
    value_json        text not null,
    source_document   text not null,
    recorded_by       integer references app_user (user_id),
    recorded_by_name  text not null,
    recorded_role     text not null,
    recorded_at       text not null,
    check (length(source_document) between 1 and 500),
    check ((party_id is not null) + (catalogue_item_id is not null) + (policy_id is not null) = 1),
    check (serial is null or policy_id is not null)
);
create index subsidy_fact_party_idx on subsidy_fact (party_id, fact);
create index subsidy_fact_item_idx on subsidy_fact (catalogue_item_id, fact);
create index subsidy_fact_policy_idx on subsidy_fact (policy_id, fact);

create trigger subsidy_fact_no_update before update on subsidy_fact
begin
    select raise(abort, 'subsidy_fact is append-only');
end;
create trigger subsidy_fact_no_delete before delete on subsidy_fact
begin
    select raise(abort, 'subsidy_fact is append-only');
end;
