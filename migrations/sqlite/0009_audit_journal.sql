-- Audited transactions no longer take the audit head: they append to this journal, and one
-- sealer at a time moves committed entries into audit_log in commit order, numbering and
-- hash-chaining them there. (SQLite serialises writers anyway; the journal keeps both stores
-- on one design.) Journal entries are never edited and can only be deleted once audit_log
-- holds them (sealed_from).
create table audit_journal (
    id           integer primary key autoincrement,
    occurred_at  text not null,
    actor_id     integer,
    actor_name   text not null,
    action       text not null,
    entity_type  text not null,
    entity_id    text not null,
    before_json  text,
    after_json   text
);
create index audit_journal_entity_idx on audit_journal (entity_type, entity_id);

-- Which journal entry a sealed row came from (null for rows chained before the journal).
alter table audit_log add column sealed_from integer;
create unique index audit_log_sealed_from_idx on audit_log (sealed_from);

create trigger audit_journal_no_update before update on audit_journal
begin select raise(abort, 'audit_journal is append-only until sealed'); end;
create trigger audit_journal_no_delete before delete on audit_journal
when not exists (select 1 from audit_log where sealed_from = old.id)
begin select raise(abort, 'audit_journal is append-only until sealed'); end;
