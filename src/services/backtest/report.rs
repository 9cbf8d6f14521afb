//! The backtest report (费率回溯报告) as values: per group (the whole book, each line,
//! each segment) the data it was built from, the chain-ladder and Mack figures, the
//! ratios and the indication. The XML, HTML and PDF renderings all read this one model.

use crate::domain::backtest::dataset::{Dataset, GroupData};
use crate::domain::backtest::estimate::estimate_to_money;
use crate::domain::backtest::indication::{indicate, Experience, Indication, RateTargets};
use crate::domain::backtest::{fit, FitOptions, SigmaRule, TriangleFit};
use crate::domain::money::{Money, Overflow};
use chrono::NaiveDate;
use serde::Serialize;

/// Whole book, a line, or a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Total,
    Line,
    Segment,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Total => "total",
            Level::Line => "line",
            Level::Segment => "segment",
        }
    }
}

/// One origin year of a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OriginRow {
    pub year: i32,
    pub policies: u64,
    pub written: Money,
    pub earned: Money,
    pub claims: u64,
    pub paid: Money,
    pub case_reserve: Money,
    pub incurred: Money,
    /// Incurred chain-ladder ultimate and IBNR; absent when the triangle cannot be fitted.
    pub ultimate: Option<Money>,
    pub ibnr: Option<Money>,
    pub mack_se: Option<Money>,
    /// Ultimate / earned; absent without earned premium.
    pub loss_ratio: Option<f64>,
}

/// Figures over all origins of a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTotals {
    pub policies: u64,
    pub written: Money,
    pub earned: Money,
    pub claims: u64,
    pub paid: Money,
    pub case_reserve: Money,
    pub incurred: Money,
    pub ultimate: Option<Money>,
    pub ibnr: Option<Money>,
    pub mack_se: Option<Money>,
}

/// The report for one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupReport {
    pub level: Level,
    /// Stable key, e.g. `first_set_equipment|高档数控机床|first_year|zhejiang-2025|浙江省`.
    pub key: String,
    pub origins: Vec<OriginRow>,
    pub totals: GroupTotals,
    /// Cumulative paid and incurred triangles, exact (origin × development).
    pub paid_triangle: Vec<Vec<Money>>,
    pub incurred_triangle: Vec<Vec<Money>>,
    /// Incurred age-to-age factors and factors to ultimate.
    pub link_ratios: Vec<f64>,
    pub cumulative_factors: Vec<f64>,
    pub indication: Option<Indication>,
    /// Why something could not be computed (too few years, no premium…).
    pub notes: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    pub insurer: String,
    pub institution_code: String,
    pub period_key: Option<String>,
    pub as_of: NaiveDate,
    pub basis: String,
    pub origin_years: Vec<i32>,
    pub targets: RateTargets,
    pub tail_factor: f64,
    pub method: String,
    pub groups: Vec<GroupReport>,
}

impl BacktestReport {
    pub fn total(&self) -> Option<&GroupReport> {
        self.groups.iter().find(|g| g.level == Level::Total)
    }
}

/// Chain ladder + Mack on the incurred triangle, indication on the totals.
pub fn group_report(
    level: Level,
    data: &GroupData,
    origin_years: &[i32],
    targets: &RateTargets,
    tail: Option<f64>,
) -> Result<GroupReport, Overflow> {
    let mut notes = Vec::new();
    let options = FitOptions {
        tail,
        sigma_rule: SigmaRule::Mack1993,
    };
    let fitted: Option<TriangleFit> = match data
        .incurred_triangle(origin_years)
        .and_then(|t| fit(&t, options))
    {
        Ok(f) => Some(f),
        Err(e) => {
            notes.push(format!("no chain ladder: {e}"));
            None
        }
    };
    let money = |v: f64| estimate_to_money(v).ok();
    let incurred = data.incurred()?;
    let last = |row: &Vec<Money>| row.last().copied().unwrap_or(Money::ZERO);
    let origins: Vec<OriginRow> = origin_years
        .iter()
        .enumerate()
        .map(|(i, &year)| {
            let est = fitted.as_ref().map(|f| &f.chain_ladder.origins[i]);
            let ultimate = est.and_then(|e| money(e.ultimate));
            let earned = data.earned[i];
            OriginRow {
                year,
                policies: data.policies[i],
                written: data.written[i],
                earned,
                claims: data.claims[i],
                paid: last(&data.paid[i]),
                case_reserve: last(&data.case_reserve[i]),
                incurred: last(&incurred[i]),
                ultimate,
                ibnr: est.and_then(|e| money(e.ibnr)),
                mack_se: fitted.as_ref().and_then(|f| money(f.mack.origins[i].se)),
                loss_ratio: ratio(ultimate, earned),
            }
        })
        .collect();
    let sum = |f: fn(&OriginRow) -> Money| Money::try_sum(origins.iter().map(f));
    let totals = GroupTotals {
        policies: origins.iter().map(|o| o.policies).sum(),
        written: sum(|o| o.written)?,
        earned: sum(|o| o.earned)?,
        claims: origins.iter().map(|o| o.claims).sum(),
        paid: sum(|o| o.paid)?,
        case_reserve: sum(|o| o.case_reserve)?,
        incurred: sum(|o| o.incurred)?,
        ultimate: fitted
            .as_ref()
            .and_then(|f| money(f.chain_ladder.totals.ultimate)),
        ibnr: fitted
            .as_ref()
            .and_then(|f| money(f.chain_ladder.totals.ibnr)),
        mack_se: fitted.as_ref().and_then(|f| money(f.mack.total.se)),
    };
    let indication = match totals.ultimate {
        None => None,
        Some(_) if totals.earned.fen() <= 0 => {
            notes.push("no earned premium: no indication".into());
            None
        }
        Some(ultimate) => {
            let exp = Experience {
                earned_premium: totals.earned.fen() as f64 / 100.0,
                ultimate_loss: ultimate.fen() as f64 / 100.0,
                claim_count: totals.claims,
                current_rate: None,
            };
            match indicate(&exp, targets) {
                Ok(ind) => Some(ind),
                Err(e) => {
                    notes.push(format!("no indication: {e}"));
                    None
                }
            }
        }
    };
    Ok(GroupReport {
        level,
        key: data.group.clone(),
        origins,
        totals,
        paid_triangle: data.paid.clone(),
        incurred_triangle: incurred,
        link_ratios: fitted
            .as_ref()
            .map(|f| f.chain_ladder.link_ratios.clone())
            .unwrap_or_default(),
        cumulative_factors: fitted
            .as_ref()
            .map(|f| f.chain_ladder.cumulative_factors.clone())
            .unwrap_or_default(),
        indication,
        notes,
    })
}

fn ratio(num: Option<Money>, den: Money) -> Option<f64> {
    let n = num?;
    (den.fen() > 0).then(|| n.fen() as f64 / den.fen() as f64)
}

/// Reports for every group of every level, total first, then lines, then segments.
pub fn group_reports(
    levels: [(Level, &Dataset); 3],
    targets: &RateTargets,
    tail: Option<f64>,
) -> Result<Vec<GroupReport>, Overflow> {
    levels
        .iter()
        .flat_map(|(level, d)| {
            d.groups
                .iter()
                .map(|g| group_report(*level, g, &d.origin_years, targets, tail))
                .collect::<Vec<_>>()
        })
        .collect()
}
