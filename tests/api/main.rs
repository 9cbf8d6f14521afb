//! Integration tests over HTTP against the real app, on SQLite and on PostgreSQL.

mod helpers;
#[path = "../../src/documents/tests/readback.rs"]
mod readback;
mod smtp_sink;

mod audit;
mod auth;
mod backtest;
mod backtest_api;
mod backtest_cli;
mod backtest_summary;
mod bank;
mod bank_import;
mod bank_suspense;
mod billing;
mod billing_pages;
mod catalogue;
mod certificate_pages;
mod certificates;
mod claims;
mod claims_concurrency;
mod claims_mail;
mod claims_ops;
mod cli;
mod contract;
mod cover_lines;
mod documents;
mod error_language;
mod ladder;
mod library;
mod list_paging;
mod lists;
mod outbox;
mod overdue_tile;
mod page_language;
mod parties;
mod policy_clock;
mod probes;
mod security;
mod shutdown;
mod subsidy_facts;
mod subsidy_report;
mod ui_forms;
mod underwriting;
mod underwriting_pages;
