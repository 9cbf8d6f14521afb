//! Integration tests over HTTP against the real app, on SQLite and on PostgreSQL.

mod helpers;

mod audit;
mod auth;
mod bank;
mod billing;
mod billing_pages;
mod catalogue;
mod certificate_pages;
mod certificates;
mod cli;
mod library;
mod parties;
mod probes;
mod underwriting;
mod underwriting_pages;
