-- SQLite twin of migrations/postgres/0019_subsidy_report.sql (keep them equivalent).
-- Annual reports to a provincial regulator (Shanxi 004 第十八条: insurers report their
-- first-batch underwriting and claims every year). One row per report queued: the
-- figures as sent, the hashes of the PDF and XLSX, and the outbox mail carrying them.
create table annual_report (
    annual_report_id integer primary key,
    scheme           text not null,
    year             integer not null check (year between 2000 and 2100),
    as_of            text not null,
    figures_json     text not null,
    pdf_sha256       text not null,
    xlsx_sha256      text not null,
    mail_outbox_id   integer references outbox (outbox_id),
    queued_by        integer references app_user (user_id),
    queued_by_name   text not null,
    queued_at        text not null
);
create index annual_report_scheme_idx on annual_report (scheme, year);
