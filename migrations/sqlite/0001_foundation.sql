-- Foundation: people, sessions, tokens, audit chain, parties, catalogue, counters.
-- Money is integer fen, rates are decimal text; never floating point.

create table party (
    party_id      integer primary key,
    kind          text not null check (kind in ('maker', 'user', 'intermediary')),
    name          text not null,
    credit_code   text not null unique,
    province      text not null,
    city          text not null default '',
    county        text not null default '',
    state_owned   integer not null default 0,
    contact_email text not null default '',
    version       integer not null default 1,
    created_at    text not null,
    updated_at    text not null
);
create index party_name_idx on party (name);

create table party_relation (
    party_relation_id integer primary key,
    party_id          integer not null references party (party_id),
    other_party_id    integer not null references party (party_id),
    relation          text not null check (relation in ('related_party', 'trader')),
    note              text not null default '',
    created_at        text not null,
    unique (party_id, other_party_id, relation),
    check (party_id <> other_party_id)
);

create table app_user (
    user_id       integer primary key,
    username      text not null unique,
    display_name  text not null,
    email         text not null default '',
    password_hash text not null,
    role          text not null,
    maker_id      integer references party (party_id),
    locale        text not null default 'zh',
    active        integer not null default 1,
    created_at    text not null,
    updated_at    text not null,
    check ((role = 'client') = (maker_id is not null))
);

create table web_session (
    session_hash text primary key,
    user_id      integer not null references app_user (user_id),
    csrf_token   text not null,
    created_at   text not null,
    expires_at   text not null
);

create table api_token (
    api_token_id integer primary key,
    user_id      integer not null references app_user (user_id),
    name         text not null,
    token_hash   text not null unique,
    created_at   text not null,
    revoked_at   text
);

create table login_attempt (
    login_attempt_id integer primary key,
    username         text not null,
    succeeded        integer not null,
    attempted_at     text not null
);
create index login_attempt_user_idx on login_attempt (username, attempted_at);

create table catalogue_item (
    catalogue_item_id   integer primary key,
    maker_id            integer not null references party (party_id),
    edition             text not null,
    product_name        text not null,
    field               text not null,
    unit_type           text not null check (unit_type in ('complete_machine', 'core_system', 'key_component', 'new_material')),
    tier                text not null check (tier in ('international', 'domestic', 'provincial')),
    qualification_year  integer not null,
    valid_from          text not null,
    valid_until         text not null,
    version             integer not null default 1,
    created_at          text not null,
    updated_at          text not null,
    check (valid_from <= valid_until)
);
create index catalogue_maker_idx on catalogue_item (maker_id);

-- Gap-free human numbers: taken inside the transaction that uses them.
create table counter (
    scope  text not null,
    year   integer not null,
    value  integer not null,
    primary key (scope, year)
);

-- Append-only, hash-chained audit log. audit_head serialises writers and
-- remembers the last hash, so deleting the newest rows is detected too.
create table audit_log (
    seq          integer primary key,
    occurred_at  text not null,
    actor_id     integer,
    actor_name   text not null,
    action       text not null,
    entity_type  text not null,
    entity_id    text not null,
    before_json  text,
    after_json   text,
    prev_hash    text not null,
    hash         text not null
);
create index audit_entity_idx on audit_log (entity_type, entity_id);

create table audit_head (
    id        integer primary key check (id = 1),
    seq       integer not null,
    last_hash text not null
);
insert into audit_head (id, seq, last_hash) values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

create trigger audit_log_no_update before update on audit_log
begin select raise(abort, 'audit_log is append-only'); end;
create trigger audit_log_no_delete before delete on audit_log
begin select raise(abort, 'audit_log is append-only'); end;
