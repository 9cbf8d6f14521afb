//! Actuarial rate backtesting engine (费率回溯): development triangles, volume-weighted
//! chain ladder, Mack (1993) standard errors, rate indication with credibility, and the
//! fast aggregation of a portfolio into per-segment triangles.
//!
//! Everything here is pure: text or bytes in, values out; no files, no database. The
//! statistical engine works in `f64` because its outputs are estimates (reserves,
//! factors, standard errors), not amounts anyone is billed; amounts enter as exact
//! `Money`/fen sums and leave through [`estimate::estimate_to_money`], rounded once, for
//! reports.
//!
//! Entry points:
//! - [`output::analyse_csv`] — a long-format triangle CSV to a [`output::TriangleReport`]
//!   (text table or JSON), behind `firstcover backtest triangle`.
//! - [`fit`] — a [`Triangle`] built from store rows to chain ladder + Mack.
//! - [`indication::indicate`] — loss ratios, combined ratio against the target band,
//!   indicated and credibility-weighted rate change, and the conclusion.

pub mod chain_ladder;
pub mod csv;
pub mod dataset;
pub mod error;
pub mod estimate;
pub mod indication;
mod indication_text;
pub mod mack;
pub mod output;
mod table;
pub mod triangle;

#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod published_tests;

pub use chain_ladder::{fit_chain_ladder, ChainLadderFit};
pub use error::TriangleError;
pub use mack::{fit_mack, MackFit, SigmaRule};
pub use output::{analyse, analyse_csv, TriangleReport};
pub use triangle::Triangle;

/// Choices a fit depends on.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FitOptions {
    /// Tail factor from the last development to ultimate; `None` means 1.
    pub tail: Option<f64>,
    /// How the σ² that cannot be estimated (the last age) is filled in.
    pub sigma_rule: SigmaRule,
}

/// Chain ladder and its Mack standard errors on one triangle.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TriangleFit {
    pub chain_ladder: ChainLadderFit,
    pub mack: MackFit,
}

/// Fit chain ladder and Mack on `tri`.
pub fn fit(tri: &Triangle, options: FitOptions) -> Result<TriangleFit, TriangleError> {
    let chain_ladder = fit_chain_ladder(tri, options.tail)?;
    let mack = fit_mack(tri, &chain_ladder, options.sigma_rule);
    Ok(TriangleFit { chain_ladder, mack })
}
