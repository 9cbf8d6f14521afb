-- Audited transactions no longer take the audit head: they append to this journal, which
-- needs no shared lock, and one sealer at a time moves committed entries into audit_log in
-- commit order, numbering and hash-chaining them there. Journal entries are never edited
-- and can only be deleted once audit_log holds them (sealed_from).
create table audit_journal (
    id           bigint generated always as identity primary key,
    occurred_at  timestamptz not null,
    actor_id     bigint,
    actor_name   text not null,
    action       text not null,
    entity_type  text not null,
    entity_id    text not null,
    before_json  text,
    after_json   text
);
create index audit_journal_entity_idx on audit_journal (entity_type, entity_id);

-- Which journal entry a sealed row came from (null for rows chained before the journal).
alter table audit_log add column sealed_from bigint;
create unique index audit_log_sealed_from_idx on audit_log (sealed_from);

create function audit_journal_guard() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' and exists (select 1 from audit_log where sealed_from = old.id) then
        return old;
    end if;
    raise exception 'audit_journal is append-only until sealed';
end $$;
create trigger audit_journal_no_change before update or delete on audit_journal
    for each row execute function audit_journal_guard();
