//! A fitted triangle as a report: an aligned text table for people and serde structs for
//! JSON. Backs `firstcover backtest triangle --input FILE.csv [--format json|text] [--tail F]`.

use super::csv::parse_triangle_csv;
use super::error::TriangleError;
use super::mack::SigmaRule;
use super::table::{grouped, render};
use super::triangle::Triangle;
use super::{fit, FitOptions, TriangleFit};
use serde::Serialize;

/// One age-to-age link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRow {
    pub from: String,
    pub to: String,
    /// Volume-weighted age-to-age factor.
    pub factor: f64,
    /// Mack's σ for this link.
    pub sigma: f64,
    /// `true` where σ was extrapolated (see `sigma_rule`).
    pub sigma_extrapolated: bool,
    /// Origins whose two ages were both observed.
    pub origins_used: usize,
}

/// Factor from one development to ultimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CumulativeFactorRow {
    pub development: String,
    pub to_ultimate: f64,
}

/// Latest, ultimate, IBNR and Mack standard error of one origin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OriginRow {
    pub origin: String,
    pub latest_development: String,
    pub latest: f64,
    pub factor_to_ultimate: f64,
    pub ultimate: f64,
    pub ibnr: f64,
    pub mack_se: f64,
    pub process_se: f64,
    pub parameter_se: f64,
    /// `mack_se / ibnr`, absent where the IBNR is zero.
    pub cv: Option<f64>,
}

/// Sums over all origins; the standard error includes Mack's covariance terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalRow {
    pub latest: f64,
    pub ultimate: f64,
    pub ibnr: f64,
    pub mack_se: f64,
    pub process_se: f64,
    pub parameter_se: f64,
    pub cv: Option<f64>,
}

/// Everything the triangle command prints, in either format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriangleReport {
    pub method: &'static str,
    pub sigma_rule: SigmaRule,
    pub tail_factor: f64,
    pub link_ratios: Vec<LinkRow>,
    pub cumulative_factors: Vec<CumulativeFactorRow>,
    pub origins: Vec<OriginRow>,
    pub totals: TotalRow,
    pub notes: Vec<String>,
}

const METHOD: &str = "volume-weighted chain ladder; Mack (1993) standard errors";

/// Parse a long-format triangle CSV and fit it (Mack's σ rule; `tail` defaults to 1).
pub fn analyse_csv(text: &str, tail: Option<f64>) -> Result<TriangleReport, TriangleError> {
    let tri = parse_triangle_csv(text)?;
    analyse(
        &tri,
        FitOptions {
            tail,
            ..FitOptions::default()
        },
    )
}

/// Fit a triangle (e.g. built from store rows) and shape the report.
pub fn analyse(tri: &Triangle, options: FitOptions) -> Result<TriangleReport, TriangleError> {
    let f = fit(tri, options)?;
    Ok(TriangleReport::from_fit(tri, &f))
}

impl TriangleReport {
    /// Shape a fit of `tri` for output.
    pub fn from_fit(tri: &Triangle, f: &TriangleFit) -> TriangleReport {
        let (cl, mack) = (&f.chain_ladder, &f.mack);
        let devs = tri.developments();
        let link_ratios = (0..cl.link_ratios.len())
            .map(|k| LinkRow {
                from: devs[k].clone(),
                to: devs[k + 1].clone(),
                factor: cl.link_ratios[k],
                sigma: mack.sigma[k],
                sigma_extrapolated: mack.sigma_extrapolated[k],
                origins_used: cl.link_counts[k],
            })
            .collect();
        let cumulative_factors = devs
            .iter()
            .zip(&cl.cumulative_factors)
            .map(|(d, f)| CumulativeFactorRow {
                development: d.clone(),
                to_ultimate: *f,
            })
            .collect();
        let origins = tri
            .origins()
            .iter()
            .zip(cl.origins.iter().zip(&mack.origins))
            .map(|(origin, (e, se))| OriginRow {
                origin: origin.clone(),
                latest_development: devs[e.latest_index].clone(),
                latest: e.latest,
                factor_to_ultimate: e.factor_to_ultimate,
                ultimate: e.ultimate,
                ibnr: e.ibnr,
                mack_se: se.se,
                process_se: se.process_se,
                parameter_se: se.parameter_se,
                cv: se.cv,
            })
            .collect();
        let totals = TotalRow {
            latest: cl.totals.latest,
            ultimate: cl.totals.ultimate,
            ibnr: cl.totals.ibnr,
            mack_se: mack.total.se,
            process_se: mack.total.process_se,
            parameter_se: mack.total.parameter_se,
            cv: mack.total.cv,
        };
        TriangleReport {
            method: METHOD,
            sigma_rule: mack.sigma_rule,
            tail_factor: cl.tail,
            link_ratios,
            cumulative_factors,
            origins,
            totals,
            notes: mack.notes.clone(),
        }
    }

    /// Pretty JSON of the whole report.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// Aligned text: link ratios, factors to ultimate, then one line per origin and the
    /// totals. Estimates are shown to the unit; `*` marks an extrapolated σ.
    pub fn to_text(&self) -> String {
        let mut out = format!("Chain ladder backtest: {}\n\n", self.method);
        let mut links: Vec<Vec<String>> = self
            .link_ratios
            .iter()
            .map(|l| {
                let mark = if l.sigma_extrapolated { "*" } else { "" };
                vec![
                    format!("{}-{}", l.from, l.to),
                    format!("{:.4}", l.factor),
                    format!("{:.4}{mark}", l.sigma),
                    l.origins_used.to_string(),
                ]
            })
            .collect();
        links.push(vec![
            "tail".into(),
            format!("{:.4}", self.tail_factor),
            String::new(),
            String::new(),
        ]);
        out.push_str(&render(&["Link", "Factor", "Sigma", "Origins"], &links));

        out.push('\n');
        let cdf: Vec<Vec<String>> = self
            .cumulative_factors
            .iter()
            .map(|c| vec![c.development.clone(), format!("{:.4}", c.to_ultimate)])
            .collect();
        out.push_str(&render(&["Development", "To ultimate"], &cdf));

        out.push('\n');
        let mut rows: Vec<Vec<String>> = self
            .origins
            .iter()
            .map(|o| {
                vec![
                    o.origin.clone(),
                    o.latest_development.clone(),
                    grouped(o.latest),
                    format!("{:.4}", o.factor_to_ultimate),
                    grouped(o.ultimate),
                    grouped(o.ibnr),
                    grouped(o.mack_se),
                    percent(o.cv),
                ]
            })
            .collect();
        let t = &self.totals;
        rows.push(vec![
            "Total".into(),
            String::new(),
            grouped(t.latest),
            String::new(),
            grouped(t.ultimate),
            grouped(t.ibnr),
            grouped(t.mack_se),
            percent(t.cv),
        ]);
        let header = [
            "Origin",
            "Dev",
            "Latest",
            "To ult.",
            "Ultimate",
            "IBNR",
            "Mack S.E.",
            "CV",
        ];
        out.push_str(&render(&header, &rows));

        out.push_str(&format!("\nSigma rule: {}\n", self.sigma_rule.describe()));
        for note in &self.notes {
            if note != self.sigma_rule.describe() {
                out.push_str(&format!("Note: {note}\n"));
            }
        }
        out
    }
}

fn percent(x: Option<f64>) -> String {
    x.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "origin,development,cumulative\n\
        1,1,100\n1,2,150\n1,3,165\n1,4,170\n\
        2,1,110\n2,2,168\n2,3,180\n\
        3,1,120\n3,2,170\n\
        4,1,130\n";

    #[test]
    fn text_report_lists_every_origin_and_the_total() {
        let r = analyse_csv(SMALL, None).unwrap();
        let text = r.to_text();
        assert!(text.contains("Link"));
        assert!(text.contains("3-4"));
        assert!(text.lines().any(|l| l.starts_with("Total")));
        assert_eq!(r.origins.len(), 4);
        assert_eq!(r.origins[0].ibnr, 0.0);
        assert!(r.link_ratios[2].sigma_extrapolated);
    }

    #[test]
    fn json_report_carries_the_sigma_rule_and_notes() {
        let r = analyse_csv(SMALL, Some(1.05)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
        assert_eq!(v["sigma_rule"], "mack1993");
        assert_eq!(v["tail_factor"], 1.05);
        // A tail gives the oldest origin IBNR, but no standard error (tail taken as known).
        assert_eq!(v["origins"][0]["mack_se"], 0.0);
        assert!(v["notes"].as_array().unwrap().len() == 2);
    }

    #[test]
    fn input_errors_pass_through() {
        assert!(matches!(
            analyse_csv("origin,development,cumulative\n1,1,x\n", None),
            Err(TriangleError::NotANumber { line: 2, .. })
        ));
    }
}
