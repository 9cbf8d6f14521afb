//! Volume-weighted chain ladder (链梯法): age-to-age factors, factors to ultimate,
//! ultimates and IBNR per origin.
//!
//! The link factor from development `k` to `k+1` is `f_k = Σ C_{i,k+1} / Σ C_{i,k}` over
//! the origins observed at both ages — Mack's (1993) estimator, and the default of R
//! `ChainLadder` and Python `chainladder`. An optional tail factor carries the last
//! observed development to ultimate. Estimates are `f64`: they are statistics, not money.

use super::error::TriangleError;
use super::triangle::Triangle;
use serde::Serialize;

/// Chain-ladder estimate for one origin period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OriginEstimate {
    /// Index of the latest observed development (the diagonal).
    pub latest_index: usize,
    /// Latest observed cumulative amount (最新评估值).
    pub latest: f64,
    /// Factor from the latest development to ultimate, tail included.
    pub factor_to_ultimate: f64,
    /// Estimated ultimate (最终损失).
    pub ultimate: f64,
    /// Incurred but not reported (已发生未报告), `ultimate − latest`.
    pub ibnr: f64,
}

/// Sums over all origins.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Totals {
    pub latest: f64,
    pub ultimate: f64,
    pub ibnr: f64,
}

/// A fitted chain ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainLadderFit {
    /// `link_ratios[k]`: age-to-age factor from development `k` to `k+1`.
    pub link_ratios: Vec<f64>,
    /// `link_volumes[k]`: `Σ C_{i,k}` over origins observed at `k` and `k+1` (Mack's
    /// denominator for parameter risk).
    pub link_volumes: Vec<f64>,
    /// `link_counts[k]`: how many origins contributed to `link_ratios[k]`.
    pub link_counts: Vec<usize>,
    /// Tail factor from the last development period to ultimate (1 = none).
    pub tail: f64,
    /// `cumulative_factors[k]`: factor from development `k` to ultimate, tail included.
    pub cumulative_factors: Vec<f64>,
    pub origins: Vec<OriginEstimate>,
    pub totals: Totals,
}

/// Fit the volume-weighted chain ladder. `tail` defaults to 1 (no development after the
/// last observed age).
pub fn fit_chain_ladder(
    tri: &Triangle,
    tail: Option<f64>,
) -> Result<ChainLadderFit, TriangleError> {
    let n = tri.n_developments();
    if n < 2 {
        return Err(TriangleError::TooFewDevelopments(n));
    }
    let tail = tail.unwrap_or(1.0);
    if !tail.is_finite() || tail <= 0.0 {
        return Err(TriangleError::InvalidTail(tail));
    }

    let mut num = vec![0.0; n - 1];
    let mut den = vec![0.0; n - 1];
    let mut counts = vec![0usize; n - 1];
    for row in tri.rows() {
        for (k, pair) in row.windows(2).enumerate() {
            den[k] += pair[0];
            num[k] += pair[1];
            counts[k] += 1;
        }
    }
    // With no volume to weight by there is no evidence of development: factor 1.
    let link_ratios: Vec<f64> = num
        .iter()
        .zip(&den)
        .map(|(n, d)| if *d != 0.0 { n / d } else { 1.0 })
        .collect();

    let mut cumulative_factors = vec![tail; n];
    for k in (0..n - 1).rev() {
        cumulative_factors[k] = cumulative_factors[k + 1] * link_ratios[k];
    }

    let origins: Vec<OriginEstimate> = (0..tri.n_origins())
        .map(|i| {
            let latest_index = tri.latest_index(i);
            let latest = tri.latest(i);
            let factor_to_ultimate = cumulative_factors[latest_index];
            let ultimate = latest * factor_to_ultimate;
            OriginEstimate {
                latest_index,
                latest,
                factor_to_ultimate,
                ultimate,
                ibnr: ultimate - latest,
            }
        })
        .collect();
    let totals = Totals {
        latest: origins.iter().map(|o| o.latest).sum(),
        ultimate: origins.iter().map(|o| o.ultimate).sum(),
        ibnr: origins.iter().map(|o| o.ibnr).sum(),
    };
    Ok(ChainLadderFit {
        link_ratios,
        link_volumes: den,
        link_counts: counts,
        tail,
        cumulative_factors,
        origins,
        totals,
    })
}

impl ChainLadderFit {
    /// Projected cumulative amount of origin `i` at every development from its latest to
    /// the last one (before any tail): `Ĉ_{i,k}`, used by Mack's formulas.
    pub fn projected_row(&self, i: usize) -> Vec<f64> {
        let o = &self.origins[i];
        let n = self.cumulative_factors.len();
        let mut out = Vec::with_capacity(n - o.latest_index);
        let mut c = o.latest;
        out.push(c);
        for f in &self.link_ratios[o.latest_index..] {
            c *= f;
            out.push(c);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tri(rows: Vec<Vec<f64>>) -> Triangle {
        let n = rows.iter().map(Vec::len).max().unwrap_or(0);
        let o = (1..=rows.len()).map(|i| i.to_string()).collect();
        let d = (1..=n).map(|i| i.to_string()).collect();
        Triangle::from_rows(o, d, rows).unwrap()
    }

    #[test]
    fn link_ratios_are_volume_weighted() {
        // f_0 = (20 + 30) / (10 + 10) = 2.5; f_1 = 40 / 20 = 2.
        let t = tri(vec![vec![10.0, 20.0, 40.0], vec![10.0, 30.0], vec![5.0]]);
        let fit = fit_chain_ladder(&t, None).unwrap();
        assert_eq!(fit.link_ratios, vec![2.5, 2.0]);
        assert_eq!(fit.cumulative_factors, vec![5.0, 2.0, 1.0]);
        assert_eq!(fit.origins[2].ultimate, 25.0);
        assert_eq!(fit.origins[1].ibnr, 30.0);
        assert_eq!(fit.origins[0].ibnr, 0.0);
        assert_eq!(fit.totals.ibnr, 50.0);
        assert_eq!(fit.projected_row(2), vec![5.0, 12.5, 25.0]);
    }

    #[test]
    fn tail_factor_multiplies_every_ultimate() {
        let t = tri(vec![vec![10.0, 20.0], vec![10.0]]);
        let fit = fit_chain_ladder(&t, Some(1.1)).unwrap();
        assert!((fit.origins[0].ultimate - 22.0).abs() < 1e-12);
        assert!((fit.origins[1].ultimate - 22.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_tails_and_single_column_triangles() {
        let t = tri(vec![vec![10.0, 20.0], vec![10.0]]);
        assert!(matches!(
            fit_chain_ladder(&t, Some(f64::NAN)),
            Err(TriangleError::InvalidTail(_))
        ));
        assert!(matches!(
            fit_chain_ladder(&t, Some(0.0)),
            Err(TriangleError::InvalidTail(_))
        ));
        let one = tri(vec![vec![1.0]]);
        assert!(matches!(
            fit_chain_ladder(&one, None),
            Err(TriangleError::TooFewDevelopments(1))
        ));
    }

    #[test]
    fn a_column_without_volume_develops_by_one() {
        let t = tri(vec![vec![0.0, 0.0, 5.0], vec![0.0, 0.0], vec![0.0]]);
        let fit = fit_chain_ladder(&t, None).unwrap();
        assert_eq!(fit.link_ratios[0], 1.0);
    }
}
