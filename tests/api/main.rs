//! Integration tests over HTTP against the real app, on SQLite and on PostgreSQL.

mod helpers;

mod audit;
mod backtest;
mod auth;
mod catalogue;
mod claims;
mod claims_concurrency;
mod cli;
mod library;
mod parties;
mod probes;
mod underwriting;
mod underwriting_pages;
