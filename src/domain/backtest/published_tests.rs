//! Chain ladder and Mack against published figures.
//!
//! - GenIns: the Taylor–Ashe (1983) triangle used by Mack (1993, ASTIN Bulletin 23(2),
//!   Table 1) and shipped as `GenIns` in R `ChainLadder`. `MackChainLadder(GenIns)` prints
//!   total IBNR 18,680,856 and total Mack S.E. 2,447,095 (R falls back to Mack's σ rule
//!   for this triangle, as the log-linear fit is not significant).
//! - RAA: Reinsurance Association of America data (Mack 1994, "Measuring the variability
//!   of chain ladder reserve estimates"), `RAA` in R `ChainLadder`: total IBNR 52,135,
//!   total Mack S.E. 26,909.
//!
//! Cross-checked in this repository's work with Python `chainladder` 0.10.1 (`genins`,
//! `raa` samples): identical link ratios, ultimates and IBNR; its log-linear σ gives total
//! S.E. 2,441,364 (GenIns) and 26,881 (RAA), which the `LogLinear` rule reproduces.

use super::csv::parse_triangle_csv;
use super::{fit, FitOptions, SigmaRule, Triangle};

const GENINS: &str = include_str!("../../../tests/data/triangles/genins.csv");
const GENINS_INCREMENTAL: &str =
    include_str!("../../../tests/data/triangles/genins_incremental.csv");
const RAA: &str = include_str!("../../../tests/data/triangles/raa.csv");

fn triangle(text: &str) -> Triangle {
    parse_triangle_csv(text).expect("published triangle parses")
}

/// Relative agreement to `digits` significant digits.
fn close(actual: f64, expected: f64, digits: i32) {
    let tol = 0.5 * 10f64.powi(1 - digits);
    assert!(
        ((actual - expected) / expected).abs() <= tol,
        "{actual} vs published {expected} (to {digits} significant digits)"
    );
}

#[test]
fn genins_total_ibnr_and_mack_se_match_mack_1993() {
    let f = fit(&triangle(GENINS), FitOptions::default()).unwrap();
    close(f.chain_ladder.totals.ibnr, 18_680_856.0, 7);
    close(f.mack.total.se, 2_447_095.0, 7);
    // Origin 10 (the youngest year): IBNR 4,625,811, Mack S.E. 1,363,155.
    close(f.chain_ladder.origins[9].ibnr, 4_625_811.0, 7);
    close(f.mack.origins[9].se, 1_363_155.0, 7);
    // First and last link ratios, and the extrapolated last σ (= σ of age 7-8 here).
    close(f.chain_ladder.link_ratios[0], 3.4906, 5);
    close(f.chain_ladder.link_ratios[8], 1.0177, 5);
    close(f.mack.sigma[8], 21.133, 5);
    assert!(f.mack.sigma_extrapolated[8] && !f.mack.sigma_extrapolated[7]);
}

#[test]
fn genins_read_as_incremental_gives_the_same_fit() {
    let a = fit(&triangle(GENINS), FitOptions::default()).unwrap();
    let b = fit(&triangle(GENINS_INCREMENTAL), FitOptions::default()).unwrap();
    assert_eq!(a.chain_ladder.link_ratios, b.chain_ladder.link_ratios);
    close(b.mack.total.se, a.mack.total.se, 12);
}

#[test]
fn raa_total_ibnr_and_mack_se_match_r_chainladder() {
    let f = fit(&triangle(RAA), FitOptions::default()).unwrap();
    close(f.chain_ladder.totals.ibnr, 52_135.0, 5);
    close(f.mack.total.se, 26_909.0, 5);
    close(f.chain_ladder.origins[9].ultimate, 18_402.0, 5);
    close(f.mack.origins[9].se, 24_566.0, 5);
    close(f.chain_ladder.link_ratios[0], 2.9994, 5);
    close(f.chain_ladder.cumulative_factors[0], 8.9202, 5);
}

#[test]
fn log_linear_sigma_reproduces_python_chainladder() {
    let opts = FitOptions {
        sigma_rule: SigmaRule::LogLinear,
        ..FitOptions::default()
    };
    let f = fit(&triangle(GENINS), opts).unwrap();
    close(f.mack.total.se, 2_441_364.128, 9);
    close(f.mack.sigma[8], 20.098_153_84, 9);
    let f = fit(&triangle(RAA), opts).unwrap();
    close(f.mack.total.se, 26_880.740_33, 9);
}

#[test]
fn total_se_equals_mack_pairwise_formula() {
    // Mack's own statement of the total: Σ mse_i + Σ_{i<j} 2 Ĉ_i Ĉ_j Σ_k σ²_k/f²_k/S_k,
    // summed directly, against the regrouped form in `mack.rs`.
    let t = triangle(RAA);
    let f = fit(&t, FitOptions::default()).unwrap();
    let (cl, m) = (&f.chain_ladder, &f.mack);
    let n = cl.link_ratios.len();
    let step = |k: usize| {
        m.sigma[k] * m.sigma[k] / (cl.link_ratios[k] * cl.link_ratios[k]) / cl.link_volumes[k]
    };
    let mut total: f64 = m.origins.iter().map(|s| s.se * s.se).sum();
    for i in 0..t.n_origins() {
        for j in (i + 1)..t.n_origins() {
            let from = cl.origins[i].latest_index.max(cl.origins[j].latest_index);
            let s: f64 = (from..n).map(step).sum();
            total += 2.0 * cl.origins[i].ultimate * cl.origins[j].ultimate * s;
        }
    }
    close(m.total.se, total.sqrt(), 12);
}
