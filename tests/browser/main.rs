//! Browser tests: headless Chromium, driven through chromedriver, against the real app.

#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../../src/documents/tests/readback.rs"]
mod readback;
#[path = "../api/smtp_sink.rs"]
mod smtp_sink;

mod backtest;
mod bank;
mod billing;
mod claims;
mod driver;
mod journeys;
mod people;
mod seed;
mod ui;
mod underwriting;
