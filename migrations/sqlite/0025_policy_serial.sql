-- Serials by policy (保单出厂编号): the units' serials of each policy's current terms, so the
-- "a serial is insured once at a time" check (000 (九)) reads the few policies naming the
-- serial by an index instead of every overlapping policy of the maker with LIKE over its
-- terms. Kept by triggers on policy, so every write path keeps it. Twin of
-- migrations/postgres/0025_policy_serial.sql.

create table policy_serial (
    policy_id  integer not null references policy (policy_id) on delete cascade,
    maker_id   integer not null,
    serial     text not null,
    primary key (policy_id, serial)
);
create index policy_serial_maker_idx on policy_serial (maker_id, serial);

create trigger policy_serial_insert after insert on policy
begin
    insert or ignore into policy_serial (policy_id, maker_id, serial)
    select new.policy_id, new.maker_id, json_extract(u.value, '$.serial')
    from json_each(new.terms_json, '$.units') u
    where json_extract(u.value, '$.serial') is not null;
end;

create trigger policy_serial_update after update of terms_json, maker_id on policy
when old.terms_json is not new.terms_json or old.maker_id is not new.maker_id
begin
    delete from policy_serial where policy_id = new.policy_id;
    insert or ignore into policy_serial (policy_id, maker_id, serial)
    select new.policy_id, new.maker_id, json_extract(u.value, '$.serial')
    from json_each(new.terms_json, '$.units') u
    where json_extract(u.value, '$.serial') is not null;
end;

insert or ignore into policy_serial (policy_id, maker_id, serial)
select p.policy_id, p.maker_id, json_extract(u.value, '$.serial')
from policy p, json_each(p.terms_json, '$.units') u
where json_extract(u.value, '$.serial') is not null;
