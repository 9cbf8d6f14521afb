-- SQLite twin of migrations/postgres/0015_claim_operations.sql (keep them equivalent).
-- Claim work management, reserves by cost type and claim payments to the bank (issue 17,
-- items 4-6). New tables and added columns only; the case reserve total stays in
-- claim_reserve (what the rate backtest and its summary triggers read).

-- 经办人: the handler a claim is assigned to (null = unassigned); every assignment is kept.
alter table claim add column assigned_to bigint references app_user (user_id);
create index claim_assigned_idx on claim (assigned_to, state);

create table claim_assignment (
    assignment_id integer primary key,
    claim_id      bigint not null references claim (claim_id),
    assigned_to   bigint not null references app_user (user_id),
    previous      bigint references app_user (user_id),
    assigned_by   bigint not null references app_user (user_id),
    assigned_at   text not null,
    note          text not null default ''
);
create index claim_assignment_claim_idx on claim_assignment (claim_id, assignment_id);

-- 内部备注: staff notes on a claim, never shown to the client.
create table claim_note (
    note_id    integer primary key,
    claim_id   bigint not null references claim (claim_id),
    body       text not null check (length(body) between 1 and 4000),
    written_by bigint not null references app_user (user_id),
    written_at text not null
);
create index claim_note_claim_idx on claim_note (claim_id, note_id);

-- A decision or approval made while required proof is missing, with the explicit reason.
create table claim_proof_waiver (
    waiver_id    integer primary key,
    claim_id     bigint not null references claim (claim_id),
    approval_id  bigint references claim_approval (approval_id),
    stage        text not null check (stage in ('decision', 'approval')),
    missing_json text not null,
    reason       text not null check (length(reason) > 0),
    given_by     bigint not null references app_user (user_id),
    given_at     text not null
);
create index claim_proof_waiver_claim_idx on claim_proof_waiver (claim_id, waiver_id);

-- 分类准备金: each change of a cost type's reserve is a row; the latest per type is
-- current, and the current lines add up to the claim_reserve row they were set with.
create table claim_reserve_line (
    line_id    integer primary key,
    claim_id   bigint not null references claim (claim_id),
    reserve_id bigint not null references claim_reserve (reserve_id),
    cost_type  text not null check (cost_type in ('repair', 'replacement', 'return',
        'third_party_property', 'bodily_injury', 'claim_expenses')),
    amount     bigint not null check (amount >= 0),
    set_at     text not null,
    set_on     text not null,
    reason     text not null,
    set_by     bigint references app_user (user_id)
);
create index claim_reserve_line_claim_idx on claim_reserve_line (claim_id, cost_type, line_id);

-- 赔款支付批次: approved payments sent to the bank as one file. A payment is in at most
-- one active batch item (partial unique index); a failed or cancelled item releases it.
create table claim_payment_batch (
    batch_id      integer primary key,
    batch_number  text not null unique,
    state         text not null check (state in ('open', 'closed', 'cancelled')),
    payment_count bigint not null,
    total         bigint not null check (total >= 0),
    created_by    bigint not null references app_user (user_id),
    created_at    text not null,
    closed_at     text,
    note          text not null default ''
);

create table claim_payment_batch_item (
    batch_id       bigint not null references claim_payment_batch (batch_id),
    payment_id     bigint not null references claim_payment (payment_id),
    amount         bigint not null check (amount > 0),
    active         integer not null default 1,
    outcome        text check (outcome in ('paid', 'failed')),
    bank_reference text not null default '',
    failure_reason text not null default '',
    resolved_at    text,
    primary key (batch_id, payment_id)
);
create unique index claim_payment_batch_one_active on claim_payment_batch_item (payment_id)
    where active = 1;
