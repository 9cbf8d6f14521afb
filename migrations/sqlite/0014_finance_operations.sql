-- SQLite twin of migrations/postgres/0014_finance_operations.sql (keep them equivalent).
-- Finance operations: statement uploads (preview, then an import job with progress),
-- payments tied to the bank line they came from (so a line can be split across
-- policies and matched again after a reversal), suspense disposals (dismissed as not
-- premium, refunded to the payer) and premium reminders.

-- The bank line a payment was made from. payment.bank_txn_id stays for rows written
-- before this migration; new payments from a line leave it empty and name the line
-- here, because SQLite cannot drop the column's UNIQUE constraint without rebuilding
-- the table, and that constraint is what kept a reversed payment's line from being
-- matched again. A line's money is never counted twice: every allocation locks the
-- line and checks the live payments and disposals against its amount.
alter table payment add column bank_line_id integer references bank_line (bank_line_id);
update payment set bank_line_id =
    (select l.bank_line_id from bank_line l where l.payment_id = payment.payment_id);
create index payment_bank_line_idx on payment (bank_line_id);

-- A statement file between preview and import: kept so the import reads exactly the
-- bytes finance saw in the preview, and so the import can run as a job whose page
-- shows how far it got.
create table statement_upload (
    upload_id    integer primary key,
    filename     text not null,
    sha256       text not null,
    layout_id    text not null,
    content      blob not null,
    lines        integer not null,
    status       text not null check (status in ('previewed', 'running', 'done', 'failed')),
    done_lines   integer not null default 0,
    import_id    integer references statement_import (import_id),
    error        text,
    uploaded_by  integer not null references app_user (user_id),
    uploaded_at  text not null,
    finished_at  text
);

-- A suspense line (挂账) settled without a premium payment: dismissed as not premium
-- (with the reason) or refunded to the payer. Reversible: a reversed disposal puts the
-- line back into suspense; at most one live disposal per line.
create table bank_line_disposal (
    disposal_id       integer primary key,
    bank_line_id      integer not null references bank_line (bank_line_id),
    kind              text not null check (kind in ('dismissed', 'refunded')),
    amount            integer not null check (amount > 0),
    reason            text not null check (reason <> ''),
    refund_reference  text not null default '',
    refunded_on       text,
    recorded_by       integer not null references app_user (user_id),
    recorded_at       text not null,
    reversed_at       text,
    reversed_by       integer references app_user (user_id),
    reversal_reason   text,
    check ((reversed_at is null) = (reversal_reason is null)),
    check ((kind = 'refunded') = (refunded_on is not null))
);
create unique index bank_line_disposal_live_idx on bank_line_disposal (bank_line_id)
    where reversed_at is null;

-- Premium reminders (催缴) sent: one per installment, due date and stage, ever.
create table premium_reminder (
    policy_id        integer not null references policy (policy_id),
    installment_seq  integer not null,
    due_on           text not null,
    stage            text not null check (stage in ('before_due', 'overdue')),
    outbox_id        integer references outbox (outbox_id),
    queued_on        text not null,
    primary key (policy_id, installment_seq, due_on, stage)
);
