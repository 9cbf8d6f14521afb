//! A development triangle (赔案进展三角形): origin periods × development periods of
//! cumulative amounts.
//!
//! Values are `f64` because the triangle feeds statistical estimates, not ledgers; exact
//! amounts stay in `Money` until they are aggregated into a triangle.
//!
//! Each origin's observed cells are a contiguous run from the first development period:
//! the "future" (lower-right) cells are simply absent. A missing cell followed by an
//! observed one is a hole and is rejected, because chain ladder would silently read it as
//! "not yet known" and mis-state the latest diagonal.

use super::error::TriangleError;

/// Cumulative development triangle with labelled origins and development periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Triangle {
    origins: Vec<String>,
    developments: Vec<String>,
    /// `rows[i]` holds the observed cumulative values of origin `i`, development 0 upward.
    rows: Vec<Vec<f64>>,
}

impl Triangle {
    /// Build from cumulative cells: `cells[i][k]` is origin `i` at development `k`, `None`
    /// where not yet observed.
    pub fn from_cumulative(
        origins: Vec<String>,
        developments: Vec<String>,
        cells: Vec<Vec<Option<f64>>>,
    ) -> Result<Triangle, TriangleError> {
        Triangle::build(origins, developments, cells, false)
    }

    /// Build from incremental cells (amount arising in each development period); they are
    /// accumulated along each origin.
    pub fn from_incremental(
        origins: Vec<String>,
        developments: Vec<String>,
        cells: Vec<Vec<Option<f64>>>,
    ) -> Result<Triangle, TriangleError> {
        Triangle::build(origins, developments, cells, true)
    }

    /// Build straight from observed cumulative rows (each a prefix of the development
    /// periods). Used by the portfolio aggregation, which produces valid prefixes by
    /// construction but still goes through the same checks.
    pub fn from_rows(
        origins: Vec<String>,
        developments: Vec<String>,
        rows: Vec<Vec<f64>>,
    ) -> Result<Triangle, TriangleError> {
        check_labels("origins", origins.len(), rows.len())?;
        if origins.is_empty() || developments.is_empty() {
            return Err(TriangleError::Empty);
        }
        for (origin, row) in origins.iter().zip(&rows) {
            if row.is_empty() {
                return Err(TriangleError::EmptyOrigin(origin.clone()));
            }
            if row.len() > developments.len() {
                return Err(TriangleError::Shape {
                    origin: origin.clone(),
                    expected: developments.len(),
                    found: row.len(),
                });
            }
            if let Some(k) = row.iter().position(|v| !v.is_finite()) {
                return Err(TriangleError::NotFinite {
                    origin: origin.clone(),
                    development: developments[k].clone(),
                });
            }
        }
        Ok(Triangle {
            origins,
            developments,
            rows,
        })
    }

    fn build(
        origins: Vec<String>,
        developments: Vec<String>,
        cells: Vec<Vec<Option<f64>>>,
        incremental: bool,
    ) -> Result<Triangle, TriangleError> {
        check_labels("origins", origins.len(), cells.len())?;
        let mut rows = Vec::with_capacity(cells.len());
        for (origin, row) in origins.iter().zip(&cells) {
            if row.len() != developments.len() {
                return Err(TriangleError::Shape {
                    origin: origin.clone(),
                    expected: developments.len(),
                    found: row.len(),
                });
            }
            let observed = row.iter().take_while(|c| c.is_some()).count();
            // Reported at the first missing development: the cell the user has to add.
            if row[observed..].iter().any(Option::is_some) {
                return Err(TriangleError::Hole {
                    origin: origin.clone(),
                    development: developments[observed].clone(),
                });
            }
            let mut values: Vec<f64> = row.iter().map_while(|c| *c).collect();
            if incremental {
                let mut sum = 0.0;
                for v in &mut values {
                    sum += *v;
                    *v = sum;
                }
            }
            rows.push(values);
        }
        Triangle::from_rows(origins, developments, rows)
    }

    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    pub fn developments(&self) -> &[String] {
        &self.developments
    }

    pub fn n_origins(&self) -> usize {
        self.rows.len()
    }

    pub fn n_developments(&self) -> usize {
        self.developments.len()
    }

    /// Observed cumulative values of origin `i` (development 0 upward).
    pub fn row(&self, i: usize) -> &[f64] {
        &self.rows[i]
    }

    pub fn rows(&self) -> &[Vec<f64>] {
        &self.rows
    }

    /// Cumulative value at (origin `i`, development `k`), if observed.
    pub fn get(&self, i: usize, k: usize) -> Option<f64> {
        self.rows.get(i).and_then(|r| r.get(k)).copied()
    }

    /// Index of the latest observed development of origin `i` (the diagonal).
    pub fn latest_index(&self, i: usize) -> usize {
        self.rows[i].len().saturating_sub(1)
    }

    /// Latest observed cumulative value of origin `i` (最新评估值).
    pub fn latest(&self, i: usize) -> f64 {
        self.rows[i].last().copied().unwrap_or(0.0)
    }

    /// Every value multiplied by `c` (for currency or unit changes, and the scaling tests).
    pub fn scaled(&self, c: f64) -> Triangle {
        Triangle {
            origins: self.origins.clone(),
            developments: self.developments.clone(),
            rows: self
                .rows
                .iter()
                .map(|r| r.iter().map(|v| v * c).collect())
                .collect(),
        }
    }

    /// Incremental view of origin `i`: the amount arising in each development period.
    pub fn incremental_row(&self, i: usize) -> Vec<f64> {
        let row = &self.rows[i];
        row.iter()
            .enumerate()
            .map(|(k, v)| if k == 0 { *v } else { v - row[k - 1] })
            .collect()
    }
}

fn check_labels(what: &'static str, labels: usize, rows: usize) -> Result<(), TriangleError> {
    if labels != rows {
        return Err(TriangleError::LabelCount {
            what,
            expected: rows,
            found: labels,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize) -> Vec<String> {
        (1..=n).map(|i| i.to_string()).collect()
    }

    #[test]
    fn incremental_cells_accumulate_along_each_origin() {
        let t = Triangle::from_incremental(
            labels(2),
            labels(2),
            vec![vec![Some(1.0), Some(2.0)], vec![Some(3.0), None]],
        )
        .unwrap();
        assert_eq!(t.row(0), &[1.0, 3.0]);
        assert_eq!(t.latest(1), 3.0);
        assert_eq!(t.incremental_row(0), vec![1.0, 2.0]);
    }

    #[test]
    fn a_gap_before_an_observed_cell_is_a_hole() {
        let err =
            Triangle::from_cumulative(labels(1), labels(3), vec![vec![Some(1.0), None, Some(2.0)]])
                .unwrap_err();
        assert!(matches!(err, TriangleError::Hole { ref development, .. } if development == "2"));
    }

    #[test]
    fn an_origin_without_cells_is_rejected() {
        let err = Triangle::from_cumulative(labels(1), labels(2), vec![vec![None, None]]);
        assert!(matches!(err, Err(TriangleError::EmptyOrigin(_))));
    }

    #[test]
    fn rows_must_match_the_development_labels() {
        let err = Triangle::from_cumulative(labels(1), labels(3), vec![vec![Some(1.0)]]);
        assert!(matches!(err, Err(TriangleError::Shape { .. })));
        let err = Triangle::from_rows(labels(1), labels(2), vec![vec![f64::NAN]]);
        assert!(matches!(err, Err(TriangleError::NotFinite { .. })));
    }
}
