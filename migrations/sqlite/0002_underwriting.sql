-- SQLite twin of migrations/postgres/0002_underwriting.sql (keep them equivalent).
-- Underwriting: quotes and policies, their immutable issued versions, referrals.
-- The terms a quote was priced on are kept as JSON (units, contracts, sections);
-- the columns beside them are what lists filter and sort on.

create table policy (
    policy_id          integer primary key,
    policy_number      text unique,
    state              text not null check (state in ('quoted', 'referred', 'bound', 'issued', 'in_force', 'expired', 'cancelled')),
    state_json         text not null,
    maker_id           integer not null references party (party_id),
    user_id            integer not null references party (party_id),
    intermediary_id    integer references party (party_id),
    end_user_proof     integer not null default 0,
    catalogue_item_id  integer not null references catalogue_item (catalogue_item_id),
    cover_basis        text not null check (cover_basis in ('first_set', 'first_batch', 'first_year')),
    clause_set_id      text not null,
    clause_set_version text not null,
    programme_id       text,
    period_start       text not null,
    period_end         text not null,
    units              integer not null check (units > 0),
    insured_value      integer not null check (insured_value >= 0),
    aggregate_limit    integer not null check (aggregate_limit > 0),
    rate               text not null,
    premium            integer not null check (premium >= 0),
    needs_referral     integer not null,
    terms_json         text not null,
    findings_json      text not null,
    renewal_of         integer references policy (policy_id),
    is_renewal         integer not null default 0,
    first_insured_year integer not null,
    quoted_by          integer not null references app_user (user_id),
    issued_at          text,
    version            integer not null default 1,
    created_at         text not null,
    updated_at         text not null,
    check (period_start <= period_end),
    check ((policy_number is null) = (state in ('quoted', 'referred', 'bound') or (state = 'cancelled' and issued_at is null)))
);
create index policy_maker_idx on policy (maker_id);
create index policy_user_idx on policy (user_id);
create index policy_state_idx on policy (state);
create index policy_period_idx on policy (period_start);

-- What was issued, and each endorsement or cancellation after it: never changed.
create table policy_version (
    policy_version_id integer primary key,
    policy_id         integer not null references policy (policy_id),
    seq               integer not null,
    kind              text not null check (kind in ('issue', 'endorsement', 'cancellation')),
    effective_on      text not null,
    terms_json        text not null,
    clause_text_json  text not null,
    premium           integer not null,
    adjustment        integer not null default 0,
    reason            text not null default '',
    created_by        integer not null references app_user (user_id),
    created_at        text not null,
    unique (policy_id, seq)
);

create trigger policy_version_no_update before update on policy_version
begin
    select raise(abort, 'policy_version is append-only');
end;
create trigger policy_version_no_delete before delete on policy_version
begin
    select raise(abort, 'policy_version is append-only');
end;

-- A quote above authority or outside the filed band waits for a senior underwriter.
create table referral (
    referral_id   integer primary key,
    policy_id     integer not null references policy (policy_id),
    reasons_json  text not null,
    requested_by  integer not null references app_user (user_id),
    requested_at  text not null,
    decision      text check (decision in ('approved', 'declined')),
    decided_by    integer references app_user (user_id),
    decision_note text not null default '',
    decided_at    text,
    check (decided_by is null or decided_by <> requested_by),
    check ((decision is null) = (decided_by is null))
);
create index referral_open_idx on referral (policy_id, decision);
