-- Security (issue 14, issue 16 item 8). See the SQLite file for the reasons.

create table login_throttle (
    throttle_key text primary key,
    window_start timestamptz not null,
    failures     integer not null
);

create table idempotency_key (
    user_id         bigint not null references app_user (user_id),
    idempotency_key text not null,
    request_hash    text not null,
    response_status integer not null,
    response_body   text not null,
    created_at      timestamptz not null,
    primary key (user_id, idempotency_key)
);

alter table app_user add column must_change_password boolean not null default false;
