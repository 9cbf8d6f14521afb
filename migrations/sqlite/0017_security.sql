-- Security (issue 14, issue 16 item 8).

-- Sign-in throttle (登录限流): one counter row per user name ('user:NAME'), client address
-- ('addr:IP') and for everyone ('global'). A sign-in takes its slot in each with one
-- conditional upsert before the password is checked, so concurrent attempts can never
-- check more passwords than the limit (the row is the lock). A success gives its slots
-- back; an admin unlock deletes the user's row.
create table login_throttle (
    throttle_key text primary key,
    window_start text not null,
    failures     integer not null
);

-- Idempotency (幂等) of money-moving requests: an API `Idempotency-Key` or a form's
-- one-time key, per user. The first request claims the key inside its own transaction
-- (so a concurrent repeat waits for it) and stores its answer; a repeat with the same
-- body gets that answer, with another body a 409.
create table idempotency_key (
    user_id         integer not null references app_user (user_id),
    idempotency_key text not null,
    request_hash    text not null,
    response_status integer not null,
    response_body   text not null,
    created_at      text not null,
    primary key (user_id, idempotency_key)
);

-- People (人员管理): a password set by an admin is one-time and must be changed at the
-- next sign-in.
alter table app_user add column must_change_password integer not null default 0;
