//! Unit tests of the benchmarks' own code (`benches/portfolio/`: the CSV portfolio reader and
//! its aggregation), which lives beside the benchmarks rather than in the product, so that
//! `cargo test` still checks it.

#[path = "../benches/portfolio/mod.rs"]
mod portfolio;
