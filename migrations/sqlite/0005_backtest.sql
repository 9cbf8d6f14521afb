-- SQLite twin of migrations/postgres/0005_backtest.sql (keep them equivalent).
-- Rate backtesting (费率回溯): the reports sent to the regulator, and the loss data the
-- data step reads.
--
-- The data step reads losses only through the three views below, so the loss side has
-- one shape whatever feeds it: claims kept in this system, or history imported from the
-- insurer's previous claims system (the *_import tables, e.g. for years before go-live).

create table backtest_claim_import (
    claim_ref     text primary key,
    policy_id     bigint not null references policy (policy_id),
    accident_date text not null,
    reported_date text not null,
    status        text not null default 'open' check (status in ('open', 'closed', 'withdrawn')),
    check (accident_date <= reported_date)
);
create index backtest_claim_import_policy_idx on backtest_claim_import (policy_id);

-- Case reserve history: each row is the reserve of the claim from set_at on.
create table backtest_reserve_import (
    claim_ref text not null references backtest_claim_import (claim_ref),
    amount    bigint not null check (amount >= 0),
    set_at    text not null,
    primary key (claim_ref, set_at)
);

create table backtest_payment_import (
    payment_id integer primary key,
    claim_ref  text not null references backtest_claim_import (claim_ref),
    amount     bigint not null,
    paid_at    text not null
);
create index backtest_payment_import_claim_idx on backtest_payment_import (claim_ref);

-- The agreed loss shape, over the claims kept in this system (0004) and imported
-- history: claim (key, policy, accident and reported dates, status), case-reserve
-- history (claim, amount fen, date, order within the day), payments net of recoveries
-- (claim, amount fen, date). Claims rejected or closed without payment still count as
-- reported claims; only imported claims marked withdrawn do not.
create view backtest_claim as
    select claim_ref as claim_key, policy_id, accident_date, reported_date, status
    from backtest_claim_import
    union all
    select 'C' || claim_id, policy_id, event_date, reported_on,
           case when state = 'closed' then 'closed' else 'open' end
    from claim;
-- Each movement carries its claim's policy and accident date, joined here on the claim
-- tables' own keys, so the data step never joins movements to claims by the text key.
create view backtest_reserve as
    select r.claim_ref as claim_key, k.policy_id, k.accident_date, r.amount, r.set_at, 0 as seq
    from backtest_reserve_import r join backtest_claim_import k on k.claim_ref = r.claim_ref
    union all
    select 'C' || r.claim_id, c.policy_id, c.event_date, r.amount, r.set_on, r.reserve_id
    from claim_reserve r join claim c on c.claim_id = r.claim_id;
create view backtest_payment as
    select k.policy_id, k.accident_date, p.amount, p.paid_at
    from backtest_payment_import p join backtest_claim_import k on k.claim_ref = p.claim_ref
    union all
    select c.policy_id, c.event_date, p.amount, p.paid_on
    from claim_payment p join claim c on c.claim_id = p.claim_id where p.status = 'paid'
    union all
    select c.policy_id, c.event_date, -r.amount, r.received_on
    from claim_recovery r join claim c on c.claim_id = r.claim_id;

-- One stored report per run; a scheduled report carries its period (e.g. '2026Q2') and
-- the unique key stops the schedule queueing a period twice.
create table backtest_report (
    report_id      integer primary key,
    period_key     text unique,
    as_of          text not null,
    basis          text not null check (basis in ('underwriting_year', 'accident_year')),
    status         text not null check (status in ('generated', 'queued')),
    summary_json   text not null,
    xml            text not null,
    html           text not null,
    pdf            blob not null,
    http_outbox_id bigint,
    mail_outbox_id bigint,
    created_by     bigint references app_user (user_id),
    created_at     text not null
);
create index backtest_report_created_idx on backtest_report (created_at);
