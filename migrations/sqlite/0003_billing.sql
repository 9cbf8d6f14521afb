-- SQLite twin of migrations/postgres/0003_billing.sql (keep them equivalent).
-- Billing (保费收取): payment plans, payments and their reversal, refunds of credit,
-- premium invoices, bank statement lines (imported or called back) and the bank's
-- notification idempotency keys. Money is integer fen; dates are ISO text.

-- A payment plan agreed on the premium due after version `based_on_seq`; a policy
-- without one pays in a single installment at the start of the period.
create table payment_plan (
    policy_id     integer primary key references policy (policy_id),
    based_on_seq  integer not null,
    set_by        integer not null references app_user (user_id),
    set_at        text not null
);

create table installment (
    policy_id  integer not null references payment_plan (policy_id),
    seq        integer not null,
    due_on     text not null,
    amount     integer not null check (amount > 0),
    primary key (policy_id, seq)
);

create table payment (
    payment_id       integer primary key,
    policy_id        integer not null references policy (policy_id),
    paid_on          text not null,
    amount           integer not null check (amount > 0),
    method           text not null check (method in ('bank_transfer', 'cheque', 'cash', 'draft', 'other')),
    reference        text not null default '',
    payer            text not null,
    -- manual (recorded by finance), statement (bank file), callback (bank notification)
    source           text not null check (source in ('manual', 'statement', 'callback')),
    -- The bank's transaction id: the same bank credit is never recorded twice.
    bank_txn_id      text unique,
    recorded_by      integer references app_user (user_id),
    recorded_at      text not null,
    reversed_at      text,
    reversed_by      integer references app_user (user_id),
    reversal_reason  text,
    check ((reversed_at is null) = (reversal_reason is null))
);
create index payment_policy_idx on payment (policy_id);

-- Credit (over-payment or return premium) paid back to the policyholder.
create table refund (
    refund_id    integer primary key,
    policy_id    integer not null references policy (policy_id),
    refunded_on  text not null,
    amount       integer not null check (amount > 0),
    method       text not null check (method in ('bank_transfer', 'cheque', 'cash', 'draft', 'other')),
    reference    text not null default '',
    reason       text not null check (reason <> ''),
    recorded_by  integer not null references app_user (user_id),
    recorded_at  text not null
);
create index refund_policy_idx on refund (policy_id);

-- Premium invoices (保费发票).
create table invoice (
    invoice_id   integer primary key,
    policy_id    integer not null references policy (policy_id),
    number       text not null unique,
    issued_on    text not null,
    amount       integer not null check (amount > 0),
    recorded_by  integer not null references app_user (user_id),
    recorded_at  text not null
);
create index invoice_policy_idx on invoice (policy_id);

create table statement_import (
    import_id    integer primary key,
    filename     text not null,
    sha256       text not null,
    lines        integer not null,
    imported     integer not null default 0,
    duplicates   integer not null default 0,
    unmatched    integer not null default 0,
    imported_by  integer not null references app_user (user_id),
    imported_at  text not null
);

-- Every credit the bank reported, from a statement file or a callback. A line
-- without a payment waits for finance to match it to a policy.
create table bank_line (
    bank_line_id  integer primary key,
    source        text not null check (source in ('statement', 'callback')),
    import_id     integer references statement_import (import_id),
    bank_txn_id   text not null unique,
    value_date    text not null,
    amount        integer not null check (amount > 0),
    payer         text not null,
    reference     text not null,
    payment_id    integer unique references payment (payment_id),
    matched_by    integer references app_user (user_id),
    created_at    text not null
);
create index bank_line_open_idx on bank_line (payment_id);

-- One row per callback Idempotency-Key: a repeat delivery finds it and answers with
-- what the first delivery did; the body hash catches a key reused for other content.
create table bank_notification (
    idempotency_key  text primary key,
    body_sha256      text not null,
    bank_line_id     integer references bank_line (bank_line_id),
    received_at      text not null
);
