-- SQLite twin of migrations/postgres/0004_claims.sql (keep them equivalent).
-- Claims (理赔): notification to payment. Money is integer fen; dates are ISO text.

create table claim (
    claim_id          integer primary key,
    claim_number      text not null unique,
    policy_id         bigint not null references policy (policy_id),
    maker_id          bigint not null references party (party_id),
    claim_type        text not null,
    section_code      text,
    state             text not null check (state in ('notified', 'open', 'awaiting_approval', 'agreed', 'closed')),
    event_date        text not null,
    known_date        text,
    reported_on       text not null,
    place             text not null,
    description       text not null,
    units_json        text not null,
    amount_claimed    bigint not null check (amount_claimed >= 0),
    contact_email     text not null default '',
    cover_json        text not null,
    reported_by       bigint not null references app_user (user_id),
    registered_by     bigint references app_user (user_id),
    proof_complete_on text,
    outcome           text check (outcome in ('accept', 'accept_in_part', 'reject')),
    reasons_json      text not null default '[]',
    agreed_loss       bigint,
    indemnity         bigint check (indemnity >= 0),
    indemnity_json    text,
    decided_by        bigint references app_user (user_id),
    decided_on        text,
    agreed_on         text,
    paid_total        bigint not null default 0 check (paid_total >= 0),
    recovered_total   bigint not null default 0,
    closed_on         text,
    version           bigint not null default 1,
    created_at        text not null,
    updated_at        text not null,
    check (indemnity is null or paid_total <= indemnity)
);
create index claim_policy_idx on claim (policy_id);
create index claim_maker_idx on claim (maker_id);
create index claim_state_idx on claim (state);

-- Case reserve (未决赔款准备金) history: every change is a new row; the latest is current.
create table claim_reserve (
    reserve_id integer primary key,
    claim_id   bigint not null references claim (claim_id),
    amount     bigint not null check (amount >= 0),
    set_at     text not null,
    set_on     text not null,
    reason     text not null,
    set_by     bigint references app_user (user_id)
);
create index claim_reserve_claim_idx on claim_reserve (claim_id, set_at);
create index claim_reserve_date_idx on claim_reserve (set_on);

-- Uploaded proof and issued notices, kept in the database with their hash.
create table claim_document (
    document_id  integer primary key,
    claim_id     bigint not null references claim (claim_id),
    kind         text not null check (kind in ('proof', 'rejection_notice')),
    code         text,
    filename     text not null,
    content_type text not null check (content_type in ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes   bigint not null,
    sha256       text not null,
    content      blob not null,
    uploaded_by  bigint references app_user (user_id),
    uploaded_at  text not null
);
create index claim_document_claim_idx on claim_document (claim_id);

-- The one request for missing proof (《保险法》第二十二条): one row per claim at most.
create table claim_proof_request (
    claim_id     bigint primary key references claim (claim_id),
    items_json   text not null,
    note         text not null default '',
    requested_by bigint not null references app_user (user_id),
    requested_at text not null,
    outbox_id    bigint
);

-- A decision above a handler's authority waits here for a claims manager.
create table claim_approval (
    approval_id    integer primary key,
    claim_id       bigint not null references claim (claim_id),
    outcome        text not null,
    agreed_loss    bigint,
    indemnity      bigint,
    reasons_json   text not null,
    requested_by   bigint not null references app_user (user_id),
    requested_at   text not null,
    decision       text check (decision in ('approved', 'declined')),
    decided_by     bigint references app_user (user_id),
    decision_note  text not null default '',
    decided_at     text,
    check (decided_by is null or decided_by <> requested_by),
    check ((decision is null) = (decided_by is null))
);
create index claim_approval_open_idx on claim_approval (claim_id, decision);

-- What has been paid against each limit of a policy. Payments erode it with one
-- conditional update (used + amount <= limit_amount), so it can never be overspent.
create table policy_limit_usage (
    policy_id    bigint not null references policy (policy_id),
    scope        text not null,
    limit_amount bigint not null check (limit_amount >= 0),
    used         bigint not null default 0,
    primary key (policy_id, scope),
    check (used >= 0 and used <= limit_amount)
);

create table claim_payment (
    payment_id   integer primary key,
    claim_id     bigint not null references claim (claim_id),
    policy_id    bigint not null references policy (policy_id),
    amount       bigint not null check (amount > 0),
    payee        text not null,
    bank_name    text not null,
    bank_account text not null,
    status       text not null check (status in ('approved', 'paid')),
    approved_by  bigint not null references app_user (user_id),
    approved_at  text not null,
    approved_on  text not null,
    paid_by      bigint references app_user (user_id),
    paid_at      text,
    paid_on      text
);
create index claim_payment_claim_idx on claim_payment (claim_id);
create index claim_payment_date_idx on claim_payment (approved_on);

-- Recoveries (追偿): subrogation against a third party, repayment after fraud.
create table claim_recovery (
    recovery_id    integer primary key,
    claim_id       bigint not null references claim (claim_id),
    kind           text not null check (kind in ('subrogation', 'fraud_repayment')),
    amount         bigint not null check (amount > 0),
    note           text not null,
    restores_limit integer not null,
    recorded_by    bigint not null references app_user (user_id),
    recorded_at    text not null,
    received_on    text not null
);
create index claim_recovery_claim_idx on claim_recovery (claim_id);
