//! Mack (1993) standard errors of chain-ladder reserves (Mack 标准误差): process and
//! parameter risk per origin and for the total.
//!
//! Source: T. Mack, "Distribution-free calculation of the standard error of chain ladder
//! reserve estimates", ASTIN Bulletin 23(2), 1993. With
//! `σ²_k = 1/(n_k−1) · Σ_i C_{i,k} (C_{i,k+1}/C_{i,k} − f_k)²`:
//!
//! - process variance of origin i:   `Ĉ_{i,I}² Σ_{k≥L_i} σ²_k/f_k² · 1/Ĉ_{i,k}`
//! - parameter variance of origin i: `Ĉ_{i,I}² Σ_{k≥L_i} σ²_k/f_k² · 1/S_k`, `S_k = Σ C_{j,k}`
//! - total: process variances add; parameter variance is
//!   `Σ_k σ²_k/f_k²/S_k · (Σ_{i: L_i ≤ k} Ĉ_{i,I})²`, which is Mack's sum of the per-origin
//!   terms plus his cross terms `2 Ĉ_{i,I} Ĉ_{j,I} Σ σ²_k/f_k²/S_k`, regrouped by `k`.
//!
//! Where `σ²_k` cannot be estimated (fewer than two link ratios, normally the last age)
//! it is extrapolated — by default with Mack's own rule
//! `σ²_{n−1} = min(σ⁴_{n−2}/σ²_{n−3}, min(σ²_{n−3}, σ²_{n−2}))`, which reproduces the
//! published figures (and R `ChainLadder` with `est.sigma = "Mack"`). The log-linear
//! regression used by Python `chainladder` is available for like-for-like comparisons.
//!
//! Tail factor: treated as a known constant. Ultimates are `tail × Ĉ_{i,I}`, so every
//! standard error is multiplied by the tail; no tail parameter or process risk is added.
//! This is stated in the fit's `notes`.
//!
//! Link ratios from a zero or negative `C_{i,k}` are undefined and left out of `σ²_k`.
//! Estimates are `f64`: they are statistics, not money.

use super::chain_ladder::ChainLadderFit;
use super::triangle::Triangle;
use serde::Serialize;

/// How `σ²_k` is filled in where it cannot be estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SigmaRule {
    /// Mack (1993): `min(σ⁴_{k−1}/σ²_{k−2}, σ²_{k−2}, σ²_{k−1})`.
    #[default]
    Mack1993,
    /// Least squares of `ln σ²_k` on `k` over the estimated ages (Python `chainladder`).
    LogLinear,
}

impl SigmaRule {
    pub fn describe(self) -> &'static str {
        match self {
            SigmaRule::Mack1993 => {
                "sigma^2 of the last age by Mack (1993): min(s4[n-2]/s2[n-3], s2[n-3], s2[n-2])"
            }
            SigmaRule::LogLinear => "sigma^2 of the last age by log-linear regression on age",
        }
    }
}

/// Standard error of one reserve estimate, split into its two sources.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StandardError {
    pub process_se: f64,
    pub parameter_se: f64,
    /// `sqrt(process² + parameter²)` — Mack's S.E. of the reserve (and of the ultimate).
    pub se: f64,
    /// Coefficient of variation `se / IBNR`; absent where the IBNR is zero.
    pub cv: Option<f64>,
}

impl StandardError {
    fn from_variances(process: f64, parameter: f64, ibnr: f64) -> StandardError {
        let se = (process + parameter).max(0.0).sqrt();
        StandardError {
            process_se: process.max(0.0).sqrt(),
            parameter_se: parameter.max(0.0).sqrt(),
            se,
            cv: (ibnr != 0.0).then(|| se / ibnr.abs()),
        }
    }
}

/// Mack standard errors for a fitted chain ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MackFit {
    /// `sigma[k]`: σ of the link from development `k` to `k+1`.
    pub sigma: Vec<f64>,
    /// `true` where `sigma[k]` was extrapolated rather than estimated.
    pub sigma_extrapolated: Vec<bool>,
    pub sigma_rule: SigmaRule,
    pub origins: Vec<StandardError>,
    pub total: StandardError,
    /// Plain statements of the assumptions this fit rests on.
    pub notes: Vec<String>,
}

/// Mack standard errors for `cl`, which must have been fitted on `tri`.
pub fn fit_mack(tri: &Triangle, cl: &ChainLadderFit, rule: SigmaRule) -> MackFit {
    let (sigma2, extrapolated) = sigma_squared(tri, cl, rule);
    // weight[k] = σ²_k / f_k²; zero where the factor is zero (nothing left to develop).
    let weight: Vec<f64> = sigma2
        .iter()
        .zip(&cl.link_ratios)
        .map(|(s2, f)| if *f != 0.0 { s2 / (f * f) } else { 0.0 })
        .collect();
    let param_step: Vec<f64> = weight
        .iter()
        .zip(&cl.link_volumes)
        .map(|(w, s)| if *s > 0.0 { w / s } else { 0.0 })
        .collect();
    let tail2 = cl.tail * cl.tail;

    let n_links = weight.len();
    let mut developing = vec![0.0; n_links];
    let mut origins = Vec::with_capacity(cl.origins.len());
    let mut total_process = 0.0;
    for (i, est) in cl.origins.iter().enumerate() {
        let projected = cl.projected_row(i);
        let ult = projected.last().copied().unwrap_or(0.0);
        let (mut process, mut parameter) = (0.0, 0.0);
        for (j, k) in (est.latest_index..n_links).enumerate() {
            if projected[j] > 0.0 {
                process += weight[k] / projected[j];
            }
            parameter += param_step[k];
            developing[k] += ult;
        }
        let (process, parameter) = (process * ult * ult * tail2, parameter * ult * ult * tail2);
        total_process += process;
        origins.push(StandardError::from_variances(process, parameter, est.ibnr));
    }
    let total_parameter: f64 = (0..n_links)
        .map(|k| param_step[k] * developing[k] * developing[k])
        .sum::<f64>()
        * tail2;
    let total = StandardError::from_variances(total_process, total_parameter, cl.totals.ibnr);

    let mut notes = Vec::new();
    if extrapolated.iter().any(|e| *e) {
        notes.push(rule.describe().to_string());
    }
    if cl.tail != 1.0 {
        notes.push(format!(
            "tail factor {} treated as known: standard errors scaled by it, no tail risk added",
            cl.tail
        ));
    }
    MackFit {
        sigma: sigma2.iter().map(|s| s.max(0.0).sqrt()).collect(),
        sigma_extrapolated: extrapolated,
        sigma_rule: rule,
        origins,
        total,
        notes,
    }
}

/// `σ²_k` for every link, estimated where at least two link ratios exist, else extrapolated.
fn sigma_squared(tri: &Triangle, cl: &ChainLadderFit, rule: SigmaRule) -> (Vec<f64>, Vec<bool>) {
    let n_links = cl.link_ratios.len();
    let mut sum = vec![0.0; n_links];
    let mut count = vec![0usize; n_links];
    for row in tri.rows() {
        for (k, pair) in row.windows(2).enumerate() {
            if pair[0] > 0.0 {
                let d = pair[1] / pair[0] - cl.link_ratios[k];
                sum[k] += pair[0] * d * d;
                count[k] += 1;
            }
        }
    }
    let mut s2: Vec<f64> = vec![0.0; n_links];
    let mut extrapolated = vec![false; n_links];
    for k in 0..n_links {
        if count[k] >= 2 {
            s2[k] = sum[k] / (count[k] - 1) as f64;
        } else {
            extrapolated[k] = true;
        }
    }
    let loglinear = match rule {
        SigmaRule::LogLinear => log_linear(&s2, &extrapolated),
        SigmaRule::Mack1993 => None,
    };
    for k in 0..n_links {
        if extrapolated[k] {
            s2[k] = match loglinear {
                Some((a, b)) => (a + b * k as f64).exp(),
                None => mack_rule(&s2[..k]),
            };
        }
    }
    (s2, extrapolated)
}

/// Mack's rule from the two preceding σ²; with fewer than two, the smallest available (or
/// zero), which is the cautious reading of the same rule.
fn mack_rule(before: &[f64]) -> f64 {
    match before {
        [] => 0.0,
        [only] => *only,
        [.., a, b] if *a > 0.0 => (b * b / a).min(*a).min(*b),
        [.., _, _] => 0.0,
    }
}

/// Intercept and slope of `ln σ²_k` on `k` over the estimated, positive σ²; `None` with
/// fewer than two such points (the Mack rule is used then).
fn log_linear(s2: &[f64], extrapolated: &[bool]) -> Option<(f64, f64)> {
    let pts: Vec<(f64, f64)> = s2
        .iter()
        .zip(extrapolated)
        .enumerate()
        .filter(|(_, (s, e))| !**e && **s > 0.0)
        .map(|(k, (s, _))| (k as f64, s.ln()))
        .collect();
    if pts.len() < 2 {
        return None;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let b = sxy / sxx;
    Some((my - b * mx, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mack_rule_takes_the_smallest_of_the_three() {
        assert_eq!(mack_rule(&[4.0, 2.0]), 1.0); // 2²/4 = 1
        assert_eq!(mack_rule(&[1.0, 2.0]), 1.0); // min(4, 1, 2)
        assert_eq!(mack_rule(&[0.0, 2.0]), 0.0);
        assert_eq!(mack_rule(&[3.0]), 3.0);
        assert_eq!(mack_rule(&[]), 0.0);
    }

    #[test]
    fn log_linear_fits_a_straight_line_in_logs() {
        let s2 = [1.0f64.exp(), 2.0f64.exp(), 0.0];
        let (a, b) = log_linear(&s2, &[false, false, true]).unwrap();
        assert!((a - 1.0).abs() < 1e-12 && (b - 1.0).abs() < 1e-12);
        assert!(log_linear(&s2[..1], &[false]).is_none());
    }
}
