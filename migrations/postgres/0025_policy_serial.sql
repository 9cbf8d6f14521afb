-- Serials by policy (保单出厂编号): the units' serials of each policy's current terms, so the
-- "a serial is insured once at a time" check (000 (九)) reads the few policies naming the
-- serial by an index instead of every overlapping policy of the maker with LIKE over its
-- terms (quadratic for a maker with many policies: the quote → issue bench fell to 0.08 ×
-- pgbench). Kept by triggers on policy, so every write path (services, CLI, SQL loads)
-- keeps it. Twin of migrations/sqlite/0025_policy_serial.sql.

create table policy_serial (
    policy_id  bigint not null references policy (policy_id) on delete cascade,
    maker_id   bigint not null,
    serial     text not null,
    primary key (policy_id, serial)
);
create index policy_serial_maker_idx on policy_serial (maker_id, serial);

create function policy_serial_refresh() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' then
        delete from policy_serial where policy_id = new.policy_id;
    end if;
    insert into policy_serial (policy_id, maker_id, serial)
    select distinct new.policy_id, new.maker_id, u ->> 'serial'
    from json_array_elements(coalesce(new.terms_json::json -> 'units', '[]'::json)) u
    where u ->> 'serial' is not null;
    return null;
end $$;

create trigger policy_serial_insert after insert on policy
    for each row execute function policy_serial_refresh();
create trigger policy_serial_update after update of terms_json, maker_id on policy
    for each row
    when (old.terms_json is distinct from new.terms_json or old.maker_id is distinct from new.maker_id)
    execute function policy_serial_refresh();

insert into policy_serial (policy_id, maker_id, serial)
select distinct p.policy_id, p.maker_id, u ->> 'serial'
from policy p, json_array_elements(coalesce(p.terms_json::json -> 'units', '[]'::json)) u
where u ->> 'serial' is not null;
