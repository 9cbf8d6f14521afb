//! Properties any chain ladder + Mack fit must have, on random triangles.

use super::{fit, FitOptions, Triangle};
use proptest::prelude::*;

/// A staircase triangle of `n` origins × `n` developments with non-negative increments,
/// so cumulative values never decrease.
fn staircase() -> impl Strategy<Value = Triangle> {
    (3usize..9).prop_flat_map(|n| {
        let cells = n * (n + 1) / 2;
        (
            Just(n),
            proptest::collection::vec(1.0f64..1_000.0, n),
            proptest::collection::vec(0.0f64..500.0, cells),
        )
            .prop_map(|(n, first, incr)| {
                let mut it = incr.into_iter();
                let rows: Vec<Vec<f64>> = (0..n)
                    .map(|i| {
                        let mut c = first[i];
                        let mut row = vec![c];
                        for _ in 1..(n - i) {
                            c += it.next().unwrap_or(0.0);
                            row.push(c);
                        }
                        row
                    })
                    .collect();
                let labels = |m: usize| (1..=m).map(|k| k.to_string()).collect();
                Triangle::from_rows(labels(n), labels(n), rows).expect("valid staircase")
            })
    })
}

fn rel_eq(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #[test]
    fn factors_are_at_least_one_for_increasing_data(t in staircase()) {
        let f = fit(&t, FitOptions::default()).unwrap();
        for r in &f.chain_ladder.link_ratios {
            prop_assert!(*r >= 1.0);
        }
        for c in &f.chain_ladder.cumulative_factors {
            prop_assert!(*c >= 1.0);
        }
        for o in &f.chain_ladder.origins {
            prop_assert!(o.ibnr >= 0.0);
        }
        for s in &f.mack.origins {
            prop_assert!(s.se >= 0.0);
        }
    }

    #[test]
    fn a_fully_developed_origin_has_no_ibnr_and_no_error(t in staircase()) {
        let f = fit(&t, FitOptions::default()).unwrap();
        prop_assert_eq!(f.chain_ladder.origins[0].ibnr, 0.0);
        prop_assert_eq!(f.mack.origins[0].se, 0.0);
    }

    #[test]
    fn scaling_the_triangle_scales_every_estimate(t in staircase(), c in 0.001f64..1_000.0) {
        let a = fit(&t, FitOptions::default()).unwrap();
        let b = fit(&t.scaled(c), FitOptions::default()).unwrap();
        for (x, y) in a.chain_ladder.origins.iter().zip(&b.chain_ladder.origins) {
            prop_assert!(rel_eq(x.ultimate * c, y.ultimate));
            prop_assert!(rel_eq(x.ibnr * c, y.ibnr));
        }
        for (x, y) in a.mack.origins.iter().zip(&b.mack.origins) {
            prop_assert!(rel_eq(x.se * c, y.se));
        }
        prop_assert!(rel_eq(a.mack.total.se * c, b.mack.total.se));
        prop_assert!(rel_eq(a.chain_ladder.totals.ibnr * c, b.chain_ladder.totals.ibnr));
    }

    #[test]
    fn a_tail_scales_ultimates_and_standard_errors(t in staircase(), tail in 1.0f64..1.5) {
        let a = fit(&t, FitOptions::default()).unwrap();
        let b = fit(&t, FitOptions { tail: Some(tail), ..FitOptions::default() }).unwrap();
        prop_assert!(rel_eq(a.chain_ladder.totals.ultimate * tail, b.chain_ladder.totals.ultimate));
        prop_assert!(rel_eq(a.mack.total.se * tail, b.mack.total.se));
    }
}
