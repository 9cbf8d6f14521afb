//! Integration tests over HTTP against the real app, on SQLite and on PostgreSQL.

mod helpers;

mod audit;
mod auth;
mod backtest;
mod catalogue;
mod claims;
mod claims_concurrency;
mod cli;
mod library;
mod parties;
mod probes;
mod underwriting;
mod underwriting_pages;
