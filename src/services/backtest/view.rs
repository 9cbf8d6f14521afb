//! The report as the JSON API shows it (回溯报告数据): the figures of every group
//! (whole book, line, segment) and their triangles. Built from the report values when
//! the report is stored and kept beside its XML, HTML and PDF, so what the API answers
//! for a report is what that report said — not a re-run on today's data.

use super::report::{BacktestReport, GroupReport, Level, OriginRow};
use crate::domain::backtest::indication::Indication;
use crate::domain::money::Money;
use crate::services::{FieldError, ServiceError, ServiceResult};
use crate::store::backtest::Basis;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The report's statistics (loss ratios, factors, credibility, indicated change) are
/// estimates the engine computes in `f64`; the API gives them as decimal strings, like
/// every rate (`"0.19074640471928075"`: the shortest text that reads back to the same
/// number, never an exponent). Figures stored before read as JSON numbers, so reading
/// takes either. Hand-written because it is three small serde adapters.
pub(crate) mod decimal {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Number(f64),
        Text(String),
    }

    fn read<E: Error>(v: Stored) -> Result<f64, E> {
        match v {
            Stored::Number(x) => Ok(x),
            Stored::Text(t) => t
                .parse()
                .map_err(|_| E::custom(format!("not a decimal: {t}"))),
        }
    }

    pub fn text(v: f64) -> String {
        format!("{v}")
    }

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&text(*v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        read(Stored::deserialize(d)?)
    }

    pub mod option {
        use super::{read, text, Stored};
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(x) => s.serialize_some(&text(*x)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
            Option::<Stored>::deserialize(d)?.map(read).transpose()
        }
    }

    pub mod list {
        use super::{read, text, Stored};
        use serde::ser::SerializeSeq;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(v.len()))?;
            for x in v {
                seq.serialize_element(&text(*x))?;
            }
            seq.end()
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
            Vec::<Stored>::deserialize(d)?
                .into_iter()
                .map(read)
                .collect()
        }
    }

    #[cfg(test)]
    mod tests {
        #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        struct T {
            #[serde(with = "super")]
            a: f64,
            #[serde(with = "super::option")]
            b: Option<f64>,
            #[serde(with = "super::list")]
            c: Vec<f64>,
        }

        #[test]
        fn statistics_go_out_as_decimal_text_and_read_back_from_either() {
            let t = T {
                a: 6930.0 / 36330.96,
                b: None,
                c: vec![1.26, 0.0000001],
            };
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(
                json,
                r#"{"a":"0.19074640471928075","b":null,"c":["1.26","0.0000001"]}"#
            );
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), t);
            let old: T =
                serde_json::from_str(r#"{"a":0.19074640471928075,"b":0.5,"c":[1.26]}"#).unwrap();
            assert_eq!((old.a, old.b, old.c), (t.a, Some(0.5), vec![1.26]));
            assert!(serde_json::from_str::<T>(r#"{"a":"x","b":null,"c":[]}"#).is_err());
        }
    }
}

/// What to run: the valuation date and the year basis (the page offers the same two).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    /// Valuation date (评估日), `YYYY-MM-DD`.
    pub as_of: String,
    /// `underwriting_year` (承保年度, the default) or `accident_year` (事故年度).
    pub basis: Option<String>,
}

impl RunInput {
    /// The date and basis, or every field that is wrong.
    pub fn parse(&self, today: NaiveDate) -> ServiceResult<(NaiveDate, Basis)> {
        let mut errors = Vec::new();
        let as_of = NaiveDate::parse_from_str(self.as_of.trim(), "%Y-%m-%d")
            .map_err(|_| {
                errors.push(FieldError::new(
                    "as_of",
                    "give a date as YYYY-MM-DD",
                    "请填写评估日（YYYY-MM-DD）",
                ))
            })
            .ok();
        // A valuation date after today would book premium not yet earned and claims
        // not yet known: the report would look complete and be wrong.
        if let Some(a) = as_of.filter(|a| *a > today) {
            errors.push(FieldError::new(
                "as_of",
                format!("the valuation date {a} is in the future; choose {today} or earlier"),
                format!("评估日 {a} 晚于今天，请选择 {today} 或更早的日期"),
            ));
        }
        let basis = match self.basis.as_deref().map(str::trim) {
            None | Some("") => Some(Basis::UnderwritingYear),
            Some(b) => Basis::parse(b),
        };
        if basis.is_none() {
            errors.push(FieldError::new(
                "basis",
                "choose underwriting_year or accident_year",
                "请选择年度口径（承保年度或事故年度）",
            ));
        }
        match (as_of, basis) {
            (Some(a), Some(b)) if errors.is_empty() => Ok((a, b)),
            _ => Err(ServiceError::Validation(errors)),
        }
    }
}

/// The five parts of a segment key (险种线、装备领域、承保方式、补贴项目、地区).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SegmentParts {
    pub line: String,
    pub field: String,
    pub cover_basis: String,
    /// Empty when the policies have no subsidy programme.
    pub programme: String,
    pub region: String,
}

impl SegmentParts {
    /// `line|field|cover_basis|programme|region`, programme `-` when none.
    fn from_key(key: &str) -> Option<SegmentParts> {
        let parts: Vec<&str> = key.split('|').collect();
        let [line, field, cover_basis, programme, region] = parts.as_slice() else {
            return None;
        };
        Some(SegmentParts {
            line: line.to_string(),
            field: field.to_string(),
            cover_basis: cover_basis.to_string(),
            programme: if *programme == "-" {
                String::new()
            } else {
                programme.to_string()
            },
            region: region.to_string(),
        })
    }
}

/// One origin year of a group. Amounts are CNY strings with two decimals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OriginFigures {
    pub year: i32,
    pub policies: u64,
    #[schema(value_type = String)]
    pub written_premium: Money,
    #[schema(value_type = String)]
    pub earned_premium: Money,
    pub claims: u64,
    #[schema(value_type = String)]
    pub paid: Money,
    #[schema(value_type = String)]
    pub case_reserve: Money,
    #[schema(value_type = String)]
    pub incurred: Money,
    /// Chain-ladder ultimate, IBNR and Mack standard error; absent when not fitted.
    #[schema(value_type = Option<String>)]
    pub ultimate: Option<Money>,
    #[schema(value_type = Option<String>)]
    pub ibnr: Option<Money>,
    #[schema(value_type = Option<String>)]
    pub mack_se: Option<Money>,
    /// Ultimate / earned premium; absent without earned premium.
    #[serde(with = "decimal::option")]
    #[schema(value_type = Option<String>)]
    pub loss_ratio: Option<f64>,
}

impl From<&OriginRow> for OriginFigures {
    fn from(o: &OriginRow) -> Self {
        OriginFigures {
            year: o.year,
            policies: o.policies,
            written_premium: o.written,
            earned_premium: o.earned,
            claims: o.claims,
            paid: o.paid,
            case_reserve: o.case_reserve,
            incurred: o.incurred,
            ultimate: o.ultimate,
            ibnr: o.ibnr,
            mack_se: o.mack_se,
            loss_ratio: o.loss_ratio,
        }
    }
}

/// A group's figures over all origin years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TotalFigures {
    pub policies: u64,
    #[schema(value_type = String)]
    pub written_premium: Money,
    #[schema(value_type = String)]
    pub earned_premium: Money,
    pub claims: u64,
    #[schema(value_type = String)]
    pub paid: Money,
    #[schema(value_type = String)]
    pub case_reserve: Money,
    #[schema(value_type = String)]
    pub incurred: Money,
    #[schema(value_type = Option<String>)]
    pub ultimate: Option<Money>,
    #[schema(value_type = Option<String>)]
    pub ibnr: Option<Money>,
    #[schema(value_type = Option<String>)]
    pub mack_se: Option<Money>,
    /// Ultimate / earned premium over all origins.
    #[serde(with = "decimal::option")]
    #[schema(value_type = Option<String>)]
    pub loss_ratio: Option<f64>,
}

/// The rate indication of a group and its plain-language conclusion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IndicationFigures {
    #[serde(with = "decimal")]
    #[schema(value_type = String)]
    pub loss_ratio: f64,
    #[serde(with = "decimal")]
    #[schema(value_type = String)]
    pub expense_ratio: f64,
    #[serde(with = "decimal")]
    #[schema(value_type = String)]
    pub combined_ratio: f64,
    /// `below`, `within` or `above` the target combined-ratio band.
    pub band_position: String,
    #[serde(with = "decimal")]
    #[schema(value_type = String)]
    pub permissible_loss_ratio: f64,
    #[serde(with = "decimal")]
    #[schema(value_type = String)]
    pub indicated_change: f64,
    #[serde(with = "decimal")]
    #[schema(value_type = String)]
    pub credibility: f64,
    #[serde(with = "decimal")]
    #[schema(value_type = String)]
    pub weighted_change: f64,
    /// `keep`, `raise` or `lower`.
    pub decision: String,
    pub conclusion_en: String,
    pub conclusion_zh: String,
}

fn snake(v: impl Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl From<&Indication> for IndicationFigures {
    fn from(i: &Indication) -> Self {
        IndicationFigures {
            loss_ratio: i.loss_ratio,
            expense_ratio: i.expense_ratio,
            combined_ratio: i.combined_ratio,
            band_position: snake(i.band_position),
            permissible_loss_ratio: i.permissible_loss_ratio,
            indicated_change: i.indicated_change,
            credibility: i.credibility,
            weighted_change: i.weighted_change,
            decision: snake(i.decision),
            conclusion_en: i.conclusion_en.clone(),
            conclusion_zh: i.conclusion_zh.clone(),
        }
    }
}

/// The development triangles of a group: cumulative amounts, origin × development year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TriangleFigures {
    /// `total`, `line` or `segment`.
    pub level: String,
    pub key: String,
    /// The origin year of each row.
    pub origin_years: Vec<i32>,
    #[schema(value_type = Vec<Vec<String>>)]
    pub paid: Vec<Vec<Money>>,
    #[schema(value_type = Vec<Vec<String>>)]
    pub incurred: Vec<Vec<Money>>,
    /// Incurred age-to-age factors (development 1→2, 2→3, …).
    #[serde(with = "decimal::list")]
    #[schema(value_type = Vec<String>)]
    pub link_ratios: Vec<f64>,
    /// Incurred factors to ultimate from each development year.
    #[serde(with = "decimal::list")]
    #[schema(value_type = Vec<String>)]
    pub cumulative_factors: Vec<f64>,
}

/// One group of the report without its triangles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupFigures {
    /// `total`, `line` or `segment`.
    pub level: String,
    /// `all`, the line, or `line|field|cover_basis|programme|region`.
    pub key: String,
    /// The key's parts, for segments.
    pub segment: Option<SegmentParts>,
    pub origins: Vec<OriginFigures>,
    pub totals: TotalFigures,
    pub indication: Option<IndicationFigures>,
    /// Why something could not be computed (too few years, no premium…).
    pub notes: Vec<String>,
}

/// What a stored report says, as kept beside its documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredFigures {
    pub groups: Vec<GroupFigures>,
    pub triangles: Vec<TriangleFigures>,
    pub origin_years: Vec<i32>,
    pub method: String,
    pub tail_factor: f64,
    pub conclusion_en: Option<String>,
    pub conclusion_zh: Option<String>,
}

fn ratio(num: Option<Money>, den: Money) -> Option<f64> {
    let n = num?;
    (den.fen() > 0).then(|| n.fen() as f64 / den.fen() as f64)
}

fn group_figures(g: &GroupReport) -> GroupFigures {
    let t = &g.totals;
    GroupFigures {
        level: g.level.as_str().into(),
        key: g.key.clone(),
        segment: (g.level == Level::Segment)
            .then(|| SegmentParts::from_key(&g.key))
            .flatten(),
        origins: g.origins.iter().map(OriginFigures::from).collect(),
        totals: TotalFigures {
            policies: t.policies,
            written_premium: t.written,
            earned_premium: t.earned,
            claims: t.claims,
            paid: t.paid,
            case_reserve: t.case_reserve,
            incurred: t.incurred,
            ultimate: t.ultimate,
            ibnr: t.ibnr,
            mack_se: t.mack_se,
            loss_ratio: ratio(t.ultimate, t.earned),
        },
        indication: g.indication.as_ref().map(IndicationFigures::from),
        notes: g.notes.clone(),
    }
}

fn triangle_figures(g: &GroupReport, origin_years: &[i32]) -> TriangleFigures {
    TriangleFigures {
        level: g.level.as_str().into(),
        key: g.key.clone(),
        origin_years: origin_years.to_vec(),
        paid: g.paid_triangle.clone(),
        incurred: g.incurred_triangle.clone(),
        link_ratios: g.link_ratios.clone(),
        cumulative_factors: g.cumulative_factors.clone(),
    }
}

impl From<&BacktestReport> for StoredFigures {
    fn from(r: &BacktestReport) -> Self {
        let total = r.total().and_then(|t| t.indication.as_ref());
        StoredFigures {
            groups: r.groups.iter().map(group_figures).collect(),
            triangles: r
                .groups
                .iter()
                .map(|g| triangle_figures(g, &r.origin_years))
                .collect(),
            origin_years: r.origin_years.clone(),
            method: r.method.clone(),
            tail_factor: r.tail_factor,
            conclusion_en: total.map(|i| i.conclusion_en.clone()),
            conclusion_zh: total.map(|i| i.conclusion_zh.clone()),
        }
    }
}

/// A stored report as listed: its headline figures (the whole book).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportItem {
    pub report_id: i64,
    /// The scheduled period (e.g. `2026Q2`); absent for reports run by hand.
    pub period_key: Option<String>,
    pub as_of: NaiveDate,
    pub basis: String,
    /// `generated`, or `queued` for delivery to the regulator.
    pub status: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Number of groups (whole book, lines, segments).
    pub groups: u64,
    #[schema(value_type = Option<String>)]
    pub earned_premium: Option<Money>,
    #[schema(value_type = Option<String>)]
    pub ultimate: Option<Money>,
    #[serde(with = "decimal::option")]
    #[schema(value_type = Option<String>)]
    pub loss_ratio: Option<f64>,
    #[serde(with = "decimal::option")]
    #[schema(value_type = Option<String>)]
    pub combined_ratio: Option<f64>,
    /// `keep`, `raise` or `lower` for the whole book.
    pub decision: Option<String>,
    /// The whole book's conclusion in plain language.
    pub conclusion_en: Option<String>,
    pub conclusion_zh: Option<String>,
}

/// One report: its headline, the figures of every group and the conclusion.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportSummary {
    #[serde(flatten)]
    pub item: ReportItem,
    pub origin_years: Vec<i32>,
    pub method: String,
    #[serde(with = "decimal")]
    #[schema(value_type = String)]
    pub tail_factor: f64,
    pub groups: Vec<GroupFigures>,
    /// Where the documents are.
    pub links: ReportLinks,
}

/// The report's documents and triangles.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportLinks {
    pub xml: String,
    pub html: String,
    pub pdf: String,
    pub triangles: String,
}

impl ReportLinks {
    pub fn of(report_id: i64) -> ReportLinks {
        let base = format!("/api/v1/backtests/{report_id}");
        ReportLinks {
            xml: format!("{base}/report.xml"),
            html: format!("{base}/report.html"),
            pdf: format!("{base}/report.pdf"),
            triangles: format!("{base}/triangles"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(as_of: &str, basis: Option<&str>) -> RunInput {
        RunInput {
            as_of: as_of.into(),
            basis: basis.map(str::to_string),
        }
    }

    #[test]
    fn a_run_needs_a_real_date_and_a_known_basis() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let ok = input("2026-06-30", None).parse(day).unwrap();
        assert_eq!(ok.1, Basis::UnderwritingYear);
        let ok = input(" 2026-06-30 ", Some("accident_year"))
            .parse(day)
            .unwrap();
        assert_eq!(
            ok,
            (
                NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
                Basis::AccidentYear
            )
        );
        let Err(ServiceError::Validation(e)) = input("2026-02-30", Some("calendar")).parse(day)
        else {
            panic!("refused")
        };
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["as_of", "basis"]);
    }

    #[test]
    fn segment_keys_split_into_their_parts() {
        let p =
            SegmentParts::from_key("first_set_equipment|高档数控机床|first_year|-|浙江省").unwrap();
        assert_eq!(p.field, "高档数控机床");
        assert_eq!(p.programme, "");
        assert!(SegmentParts::from_key("all").is_none());
    }
}
