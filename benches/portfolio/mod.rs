//! The portfolio path of the backtest: policies and claims CSV exports (the layout of
//! `shared/bench/gen_portfolio.py`) to per-segment paid and incurred triangles, earned
//! premium per segment and origin, and chain ladder + Mack fits of all of them.
//!
//! It reproduces the reference run (`shared/bench/chainladder_timing.py`): claims are
//! summed per (segment, accident year, development year); origins run from the first
//! policy origin year to the last accident year; cumulative paid is the running sum of
//! paid; incurred is cumulative paid plus the case reserve of the cell; unobserved cells
//! (`accident year + development year − 1 > last year`) are absent.
//!
//! Benchmark code, not product code (the product reads its book from the store): it lives
//! under `benches/` and its unit tests run from `tests/bench_support.rs`.
//!
//! Amounts are summed exactly in fen (`Money`) and only become `f64` in the triangles.
//! Claim rows are valuation records; their count per cell is kept as `claim_records`
//! (an upper bound on the claim count, usable for credibility where claims have one
//! record per development year).

#![allow(dead_code)] // each benchmark uses part of it

mod fast_csv;
mod read;

use firstcover::domain::backtest::csv::natural_cmp;
use firstcover::domain::backtest::error::TriangleError;
use firstcover::domain::backtest::triangle::Triangle;
use firstcover::domain::backtest::{fit, FitOptions, TriangleFit};
use firstcover::domain::money::Money;
use read::{read_claims, read_policies};
use std::collections::HashMap;

/// Why the portfolio files could not be turned into fitted triangles.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PortfolioError {
    #[error("{file}: the file is empty")]
    Empty { file: &'static str },
    #[error("{file}: no column '{column}' in the header")]
    MissingColumn {
        file: &'static str,
        column: &'static str,
    },
    #[error("{file} line {line}: too few fields")]
    FieldCount { file: &'static str, line: usize },
    #[error("{file} line {line}: '{value}' is not a valid {column}")]
    BadField {
        file: &'static str,
        line: usize,
        column: &'static str,
        value: String,
    },
    #[error("{file}: amounts overflow")]
    Overflow { file: &'static str },
    #[error("claims.csv: accident year {accident_year}, development year {development_year} lies outside the triangle {first}..={last}")]
    OutsideTriangle {
        accident_year: i64,
        development_year: i64,
        first: i64,
        last: i64,
    },
    #[error("segment {segment}: {source}")]
    Triangle {
        segment: String,
        source: TriangleError,
    },
}

/// Triangles and exposure of one segment, ready to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentTriangles {
    pub segment: String,
    /// Cumulative paid (累计已决赔款).
    pub paid: Triangle,
    /// Cumulative paid plus case reserve (已报告赔款).
    pub incurred: Triangle,
    /// Earned premium per origin (已赚保费), exact.
    pub earned_premium: Vec<Money>,
    /// Claim valuation rows per origin.
    pub claim_records: Vec<u64>,
}

/// All segments over the same origin years.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioTriangles {
    pub origin_years: Vec<i64>,
    pub segments: Vec<SegmentTriangles>,
}

/// Fits of one segment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SegmentFit {
    pub segment: String,
    pub earned_premium: Vec<Money>,
    pub claim_records: Vec<u64>,
    pub paid: TriangleFit,
    pub incurred: TriangleFit,
    /// Paid chain-ladder ultimate / earned premium per origin; absent without premium.
    pub paid_loss_ratio: Vec<Option<f64>>,
    pub incurred_loss_ratio: Vec<Option<f64>>,
}

/// Fits of the whole portfolio.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PortfolioFit {
    pub origin_years: Vec<i64>,
    pub segments: Vec<SegmentFit>,
}

/// Read, aggregate and fit in one call: the benchmark's "engine alone" path.
pub fn fit_portfolio(
    policies: &[u8],
    claims: &[u8],
    options: FitOptions,
) -> Result<PortfolioFit, PortfolioError> {
    aggregate_portfolio(policies, claims)?.fit(options)
}

impl PortfolioTriangles {
    /// Chain ladder + Mack on the paid and incurred triangle of every segment.
    pub fn fit(&self, options: FitOptions) -> Result<PortfolioFit, PortfolioError> {
        let segments = self
            .segments
            .iter()
            .map(|s| fit_segment(s, options))
            .collect::<Result<_, _>>()?;
        Ok(PortfolioFit {
            origin_years: self.origin_years.clone(),
            segments,
        })
    }
}

fn fit_segment(s: &SegmentTriangles, options: FitOptions) -> Result<SegmentFit, PortfolioError> {
    let wrap = |source| PortfolioError::Triangle {
        segment: s.segment.clone(),
        source,
    };
    let paid = fit(&s.paid, options).map_err(wrap)?;
    let incurred = fit(&s.incurred, options).map_err(wrap)?;
    let ratio = |f: &TriangleFit| -> Vec<Option<f64>> {
        f.chain_ladder
            .origins
            .iter()
            .zip(&s.earned_premium)
            .map(|(o, p)| (!p.is_zero()).then(|| o.ultimate / (p.fen() as f64 / 100.0)))
            .collect()
    };
    Ok(SegmentFit {
        segment: s.segment.clone(),
        earned_premium: s.earned_premium.clone(),
        claim_records: s.claim_records.clone(),
        paid_loss_ratio: ratio(&paid),
        incurred_loss_ratio: ratio(&incurred),
        paid,
        incurred,
    })
}

/// Read both files and build every segment's triangles.
pub fn aggregate_portfolio(
    policies: &[u8],
    claims: &[u8],
) -> Result<PortfolioTriangles, PortfolioError> {
    let (policy_chunks, claim_chunks) = (read_policies(policies)?, read_claims(claims)?);
    let mut labels: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut global = |label: &[u8]| -> usize {
        let n = labels.len();
        *labels.entry(label.to_vec()).or_insert(n)
    };
    let mut premium: HashMap<(usize, i64), i64> = HashMap::new();
    for chunk in &policy_chunks {
        let seg: Vec<usize> = chunk.segments.iter().map(|l| global(l)).collect();
        for (&(s, oy), fen) in &chunk.cells {
            let slot = premium.entry((seg[s as usize], oy)).or_default();
            *slot = slot.checked_add(*fen).ok_or(PortfolioError::Overflow {
                file: "policies.csv",
            })?;
        }
    }
    let mut cells: HashMap<(usize, i64, i64), (i64, i64, u64)> = HashMap::new();
    for chunk in &claim_chunks {
        let seg: Vec<usize> = chunk.segments.iter().map(|l| global(l)).collect();
        for (&(s, ay, dy), v) in &chunk.cells {
            let slot = cells.entry((seg[s as usize], ay, dy)).or_default();
            let overflow = PortfolioError::Overflow { file: "claims.csv" };
            slot.0 = slot.0.checked_add(v.0).ok_or(overflow.clone())?;
            slot.1 = slot.1.checked_add(v.1).ok_or(overflow)?;
            slot.2 += v.2;
        }
    }

    let first = premium
        .keys()
        .map(|k| k.1)
        .min()
        .ok_or(PortfolioError::Empty {
            file: "policies.csv",
        })?;
    let last = cells
        .keys()
        .map(|k| k.1)
        .max()
        .or_else(|| premium.keys().map(|k| k.1).max())
        .unwrap_or(first);
    if let Some(&(_, ay, dy)) = cells
        .keys()
        .find(|(_, ay, dy)| *ay < first || *dy < 1 || ay + dy - 1 > last)
    {
        return Err(PortfolioError::OutsideTriangle {
            accident_year: ay,
            development_year: dy,
            first,
            last,
        });
    }

    let mut order: Vec<(String, usize)> = labels
        .into_iter()
        .map(|(l, i)| (String::from_utf8_lossy(&l).into_owned(), i))
        .collect();
    order.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    let origin_years: Vec<i64> = (first..=last).collect();
    let segments = order
        .into_iter()
        .map(|(label, s)| segment_triangles(label, s, &origin_years, &premium, &cells))
        .collect::<Result<_, _>>()?;
    Ok(PortfolioTriangles {
        origin_years,
        segments,
    })
}

fn segment_triangles(
    segment: String,
    s: usize,
    origin_years: &[i64],
    premium: &HashMap<(usize, i64), i64>,
    cells: &HashMap<(usize, i64, i64), (i64, i64, u64)>,
) -> Result<SegmentTriangles, PortfolioError> {
    let last = origin_years.last().copied().unwrap_or_default();
    let (mut paid, mut incurred) = (Vec::new(), Vec::new());
    let mut claim_records = Vec::with_capacity(origin_years.len());
    for &oy in origin_years {
        let observed = last - oy + 1;
        let (mut cum, mut records) = (0i64, 0u64);
        let (mut paid_row, mut incurred_row) = (Vec::new(), Vec::new());
        for dy in 1..=observed {
            let (p, c, n) = cells.get(&(s, oy, dy)).copied().unwrap_or_default();
            cum = cum
                .checked_add(p)
                .ok_or(PortfolioError::Overflow { file: "claims.csv" })?;
            records += n;
            paid_row.push(cum as f64 / 100.0);
            incurred_row.push((i128::from(cum) + i128::from(c)) as f64 / 100.0);
        }
        paid.push(paid_row);
        incurred.push(incurred_row);
        claim_records.push(records);
    }
    let origins: Vec<String> = origin_years.iter().map(i64::to_string).collect();
    let devs: Vec<String> = (1..=origin_years.len()).map(|d| d.to_string()).collect();
    let wrap = |source| PortfolioError::Triangle {
        segment: segment.clone(),
        source,
    };
    let paid = Triangle::from_rows(origins.clone(), devs.clone(), paid).map_err(wrap)?;
    let incurred = Triangle::from_rows(origins, devs, incurred).map_err(wrap)?;
    let earned_premium = origin_years
        .iter()
        .map(|oy| Money::from_fen(premium.get(&(s, *oy)).copied().unwrap_or(0)))
        .collect();
    Ok(SegmentTriangles {
        segment,
        paid,
        incurred,
        earned_premium,
        claim_records,
    })
}

// Run by tests/bench_support.rs. A benchmark target (harness = false) compiles this
// module in clippy's test pass but drops its #[test] functions, leaving the import unused.
#[cfg(test)]
#[allow(unused_imports)]
mod tests {
    use super::*;

    const POLICIES: &str = "policy_id,segment,origin_year,written_premium,earned_premium\n\
        0,0,2022,110.00,100.00\n1,0,2023,110.00,100.50\n2,0,2024,110.00,100.00\n\
        3,1,2022,110.00,200.00\n4,1,2023,110.00,200.00\n5,1,2024,110.00,200.00\n";
    const CLAIMS: &str =
        "claim_id,policy_id,segment,accident_year,development_year,paid,case_reserve\n\
        0,0,0,2022,1,10.00,5.00\n1,0,0,2022,2,5.00,1.00\n2,0,0,2022,3,1.00,0\n\
        3,1,0,2023,1,12.00,4.00\n4,1,0,2023,2,6.00,2.00\n5,2,0,2024,1,20.00,10.00\n\
        6,3,1,2022,1,10.00,0\n7,3,1,2022,1,10.00,0\n8,3,1,2023,1,30.00,0\n";

    #[test]
    fn aggregates_paid_incurred_and_premium_per_segment() {
        let p = aggregate_portfolio(POLICIES.as_bytes(), CLAIMS.as_bytes()).unwrap();
        assert_eq!(p.origin_years, vec![2022, 2023, 2024]);
        let s0 = &p.segments[0];
        assert_eq!(s0.paid.row(0), &[10.0, 15.0, 16.0]);
        assert_eq!(s0.incurred.row(0), &[15.0, 16.0, 16.0]);
        assert_eq!(s0.incurred.row(2), &[30.0]);
        assert_eq!(s0.earned_premium[1], Money::from_fen(10_050));
        let s1 = &p.segments[1];
        // Two rows in the same cell add up; cells without claims are zero, not missing.
        assert_eq!(s1.paid.row(0), &[20.0, 20.0, 20.0]);
        assert_eq!(s1.paid.row(2), &[0.0]);
        assert_eq!(s1.claim_records, vec![2, 1, 0]);
    }

    #[test]
    fn fits_every_segment_and_states_loss_ratios() {
        let f = fit_portfolio(
            POLICIES.as_bytes(),
            CLAIMS.as_bytes(),
            FitOptions::default(),
        )
        .unwrap();
        assert_eq!(f.segments.len(), 2);
        let s0 = &f.segments[0];
        assert_eq!(s0.paid_loss_ratio[0], Some(0.16));
        assert!(s0.paid.chain_ladder.origins[2].ultimate > 20.0);
    }

    #[test]
    fn bad_rows_are_reported_with_file_and_line() {
        let claims = CLAIMS.replace("6,3,1,2022,1,10.00,0", "6,3,1,2022,1,1o.00,0");
        let err = aggregate_portfolio(POLICIES.as_bytes(), claims.as_bytes()).unwrap_err();
        assert!(matches!(
            err,
            PortfolioError::BadField {
                file: "claims.csv",
                line: 8,
                column: "paid",
                ..
            }
        ));
        let future = CLAIMS.replace("5,2,0,2024,1", "5,2,0,2024,2");
        let err = aggregate_portfolio(POLICIES.as_bytes(), future.as_bytes()).unwrap_err();
        assert!(matches!(
            err,
            PortfolioError::OutsideTriangle {
                development_year: 2,
                ..
            }
        ));
        let err = aggregate_portfolio(b"policy_id,segment\n", CLAIMS.as_bytes()).unwrap_err();
        assert!(matches!(
            err,
            PortfolioError::MissingColumn {
                column: "origin_year",
                ..
            }
        ));
    }
}
