//! Browser tests: headless Chromium, driven through chromedriver, against the real app.

#[path = "../api/helpers.rs"]
mod helpers;

mod billing;
mod driver;
mod journeys;
mod underwriting;
