-- The outbox (发件箱): mail and HTTP deliveries queued in the same transaction as the
-- change that causes them, sent afterwards by the worker with retries.
create table outbox (
    outbox_id        bigserial primary key,
    kind             text not null check (kind in ('mail', 'http')),
    -- Queuing the same key twice queues nothing the second time; HTTP deliveries
    -- send it as Idempotency-Key so a receiver can drop a repeat after a crash.
    dedupe_key       text not null unique,
    payload_json     text not null,
    status           text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
    attempts         integer not null default 0,
    next_attempt_at  timestamptz not null,
    -- A worker that claimed the row owns it until then; after, another may retry.
    claimed_until    timestamptz,
    last_error       text,
    receipt_status   integer,
    receipt_body     text,
    created_at       timestamptz not null,
    delivered_at     timestamptz
);
create index outbox_due_idx on outbox (status, next_attempt_at);
