//! From the database's aggregated cells to development triangles (进展三角形) per
//! group (a segment, a line, or the whole book).
//!
//! Premium cells come per origin year; loss cells per origin year and calendar year of
//! the movement. Origins run from the first origin year to the valuation year; origin
//! `o` is observed at development periods 1..=(valuation year − o + 1), development
//! period `k` ending with calendar year `o + k − 1` (the last one at the valuation date).
//! Cumulative paid is the running sum of payments; incurred is cumulative paid plus the
//! case reserve at the end of the period (the running sum of reserve changes).
//! Amounts stay exact (fen) here; only the triangles handed to the engine are `f64`.

use super::error::TriangleError;
use super::triangle::Triangle;
use crate::domain::money::{Money, Overflow};
use std::collections::BTreeMap;

/// Premium of one group and origin year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PremiumInput {
    pub group: String,
    pub origin: i32,
    pub written: Money,
    pub earned: Money,
    pub policies: u64,
}

/// Loss movements of one group, origin year and calendar year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossInput {
    pub group: String,
    pub origin: i32,
    pub calendar_year: i32,
    pub paid: Money,
    pub reserve_change: Money,
    pub reported: u64,
}

/// The data of one group over the common origin years, exact.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupData {
    pub group: String,
    pub written: Vec<Money>,
    pub earned: Vec<Money>,
    pub policies: Vec<u64>,
    /// Claims reported to date per origin.
    pub claims: Vec<u64>,
    /// `paid[i][k]`: cumulative paid of origin `i` at development `k` (observed cells only).
    pub paid: Vec<Vec<Money>>,
    /// `case_reserve[i][k]`: case reserves outstanding at the end of development `k`.
    pub case_reserve: Vec<Vec<Money>>,
}

impl GroupData {
    /// `paid + case reserve` per cell (已报告赔款).
    pub fn incurred(&self) -> Result<Vec<Vec<Money>>, Overflow> {
        self.paid
            .iter()
            .zip(&self.case_reserve)
            .map(|(p, c)| p.iter().zip(c).map(|(p, c)| p.try_add(*c)).collect())
            .collect()
    }

    pub fn paid_triangle(&self, origins: &[i32]) -> Result<Triangle, TriangleError> {
        triangle(origins, &self.paid)
    }

    pub fn incurred_triangle(&self, origins: &[i32]) -> Result<Triangle, TriangleError> {
        let incurred = self.incurred().map_err(|_| TriangleError::Empty)?;
        triangle(origins, &incurred)
    }
}

fn triangle(origins: &[i32], rows: &[Vec<Money>]) -> Result<Triangle, TriangleError> {
    Triangle::from_rows(
        origins.iter().map(i32::to_string).collect(),
        (1..=origins.len()).map(|k| k.to_string()).collect(),
        rows.iter()
            .map(|r| r.iter().map(|m| m.fen() as f64 / 100.0).collect())
            .collect(),
    )
}

/// Every group, over the origin years `first..=valuation_year`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub origin_years: Vec<i32>,
    pub groups: Vec<GroupData>,
}

/// Arrange the cells into per-group triangles valued at the end of `valuation_year`
/// (or at the valuation date within it). Groups come out sorted by name.
///
/// Sums are checked: inputs are bounded (every amount that enters is at most
/// `money::entry_bound()`), so an `Overflow` needs a book far beyond any real one.
pub fn arrange(
    premium: &[PremiumInput],
    losses: &[LossInput],
    valuation_year: i32,
) -> Result<Dataset, Overflow> {
    let first = premium
        .iter()
        .map(|p| p.origin)
        .chain(losses.iter().map(|l| l.origin))
        .min()
        .unwrap_or(valuation_year)
        .min(valuation_year);
    let origin_years: Vec<i32> = (first..=valuation_year).collect();
    let n = origin_years.len();
    let index = |origin: i32| usize::try_from(origin - first).ok().filter(|i| *i < n);

    let mut groups: BTreeMap<&str, GroupData> = BTreeMap::new();
    let group = |name: &str| -> GroupData {
        GroupData {
            group: name.to_string(),
            written: vec![Money::ZERO; n],
            earned: vec![Money::ZERO; n],
            policies: vec![0; n],
            claims: vec![0; n],
            paid: origin_years
                .iter()
                .map(|o| vec![Money::ZERO; (valuation_year - o + 1) as usize])
                .collect(),
            case_reserve: origin_years
                .iter()
                .map(|o| vec![Money::ZERO; (valuation_year - o + 1) as usize])
                .collect(),
        }
    };
    for p in premium {
        let Some(i) = index(p.origin) else { continue };
        let g = groups
            .entry(p.group.as_str())
            .or_insert_with(|| group(&p.group));
        g.written[i] = g.written[i].try_add(p.written)?;
        g.earned[i] = g.earned[i].try_add(p.earned)?;
        g.policies[i] += p.policies;
    }
    for l in losses {
        let Some(i) = index(l.origin) else { continue };
        let g = groups
            .entry(l.group.as_str())
            .or_insert_with(|| group(&l.group));
        // A movement dated before its origin year (it should not happen) counts in the
        // first development period rather than being lost.
        let k = (l.calendar_year - l.origin).max(0) as usize;
        let row_len = g.paid[i].len();
        // Movements after the valuation year cannot be selected by the query; clamp.
        let k = k.min(row_len - 1);
        for cell in &mut g.paid[i][k..] {
            *cell = cell.try_add(l.paid)?;
        }
        for cell in &mut g.case_reserve[i][k..] {
            *cell = cell.try_add(l.reserve_change)?;
        }
        g.claims[i] += l.reported;
    }
    Ok(Dataset {
        origin_years,
        groups: groups.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fen(v: i64) -> Money {
        Money::from_fen(v)
    }

    fn loss(origin: i32, cy: i32, paid: i64, reserve: i64, reported: u64) -> LossInput {
        LossInput {
            group: "g".into(),
            origin,
            calendar_year: cy,
            paid: fen(paid),
            reserve_change: fen(reserve),
            reported,
        }
    }

    #[test]
    fn movements_accumulate_along_development_periods() {
        let premium = vec![PremiumInput {
            group: "g".into(),
            origin: 2024,
            written: fen(1000),
            earned: fen(900),
            policies: 1,
        }];
        let losses = vec![
            // 2024 origin: reserve 50 set in 2024, 30 paid and reserve down to 20 in 2025.
            loss(2024, 2024, 0, 50, 1),
            loss(2024, 2025, 30, -30, 0),
            loss(2025, 2026, 7, 0, 1),
        ];
        let d = arrange(&premium, &losses, 2026).unwrap();
        assert_eq!(d.origin_years, vec![2024, 2025, 2026]);
        let g = &d.groups[0];
        assert_eq!(g.paid[0], vec![fen(0), fen(30), fen(30)]);
        assert_eq!(g.case_reserve[0], vec![fen(50), fen(20), fen(20)]);
        assert_eq!(g.incurred().unwrap()[0], vec![fen(50), fen(50), fen(50)]);
        assert_eq!(g.paid[1], vec![fen(0), fen(7)]);
        assert_eq!(g.paid[2], vec![fen(0)]);
        assert_eq!(g.claims, vec![1, 1, 0]);
        assert_eq!(g.earned, vec![fen(900), fen(0), fen(0)]);
        let t = g.paid_triangle(&d.origin_years).unwrap();
        assert_eq!(t.row(0), &[0.0, 0.3, 0.3]);
        assert_eq!(t.n_developments(), 3);
    }

    #[test]
    fn groups_are_kept_apart_and_sorted() {
        let mut a = loss(2025, 2025, 100, 0, 1);
        a.group = "b".into();
        let b = loss(2025, 2025, 5, 0, 1);
        let d = arrange(&[], &[a, b], 2025).unwrap();
        let names: Vec<&str> = d.groups.iter().map(|g| g.group.as_str()).collect();
        assert_eq!(names, vec!["b", "g"]);
        assert_eq!(d.groups[0].paid[0], vec![fen(100)]);
    }
}
