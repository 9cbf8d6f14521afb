//! The quote form (报价单) as posted: raw pairs kept for re-display, parsed into a
//! `QuoteInput`. Units and contracts are one per line so the form needs no script.

use crate::domain::money::Money;
use crate::domain::rating::RiskFactors;
use crate::services::underwriting::{QuoteInput, SalesContract, SectionChoice, UnitLine};
use crate::services::FieldError;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The posted fields, in order, repeated names included (sections, acknowledgements).
#[derive(Debug, Clone, Default)]
pub struct RawForm(pub Vec<(String, String)>);

impl RawForm {
    /// First value of a field, or "".
    pub fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Is `value` among the values sent for `key` (checkboxes, multi-selects)?
    pub fn has(&self, key: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == key && v == value)
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The form filled from a stored quote, for editing; `parse` gives the terms back.
    pub fn from_terms(t: &QuoteInput) -> RawForm {
        let mut v: Vec<(String, String)> = Vec::new();
        let mut put = |k: &str, val: String| v.push((k.to_string(), val));
        put("maker_id", t.maker_id.to_string());
        put("user_id", t.user_id.to_string());
        if let Some(i) = t.intermediary_id {
            put("intermediary_id", i.to_string());
        }
        if t.end_user_proof {
            put("end_user_proof", "on".into());
        }
        put("catalogue_item_id", t.catalogue_item_id.to_string());
        let basis = serde_json::to_value(t.cover_basis).unwrap_or_default();
        put(
            "cover_basis",
            basis.as_str().unwrap_or_default().to_string(),
        );
        let units: Vec<String> = t
            .units
            .iter()
            .map(|u| format!("{}, {}, {}", u.serial, u.quantity, u.unit_value))
            .collect();
        put("units", units.join("\n"));
        let contracts: Vec<String> = t
            .contracts
            .iter()
            .map(|c| format!("{}, {}, {}", c.number, c.signed_on, c.amount))
            .collect();
        put("contracts", contracts.join("\n"));
        if let Some(d) = t.delivery_date {
            put("delivery_date", d.to_string());
        }
        if let (Some(id), Some(ver)) = (&t.clause_set_id, &t.clause_set_version) {
            put("clause_set", format!("{id}@{ver}"));
        }
        for s in &t.sections {
            put("section", s.code.clone());
            if let Some(l) = s.limit {
                put(&format!("limit_{}", s.code), l.to_string());
            }
            if let Some(d) = &s.deductible {
                put(&format!("deductible_{}", s.code), d.clone());
            }
        }
        put("aggregate_limit", t.aggregate_limit.to_string());
        put("period_start", t.period_start.to_string());
        put("period_end", t.period_end.to_string());
        put(
            "technical_maturity",
            t.factors.technical_maturity.to_string(),
        );
        put(
            "scenario_complexity",
            t.factors.scenario_complexity.to_string(),
        );
        put("loss_history", t.factors.loss_history.to_string());
        if let Some(p) = &t.programme_id {
            put("programme_id", p.clone());
        }
        for (flag, on) in [
            ("same_specification", t.same_specification),
            ("same_production_batch", t.same_production_batch),
            ("first_use_by_user", t.first_use_by_user),
        ] {
            if on {
                put(flag, "on".into());
            }
        }
        for a in &t.acknowledged {
            put("ack", a.clone());
        }
        if let Some(r) = &t.backdating_reason {
            put("backdating_reason", r.clone());
        }
        RawForm(v)
    }

    /// A blank form with sensible defaults for a new quote.
    pub fn new_quote(today: NaiveDate) -> RawForm {
        let start = today.succ_opt().unwrap_or(today);
        let end = start
            .checked_add_months(chrono::Months::new(12))
            .and_then(|d| d.pred_opt())
            .unwrap_or(start);
        let pairs = [
            ("cover_basis", "first_set"),
            ("section", "QUALITY"),
            ("section", "LIABILITY"),
            ("technical_maturity", "1.00"),
            ("scenario_complexity", "1.00"),
            ("loss_history", "1.00"),
            ("same_specification", "on"),
            ("same_production_batch", "on"),
            ("first_use_by_user", "on"),
        ];
        let mut v: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        v.push(("period_start".into(), start.to_string()));
        v.push(("period_end".into(), end.to_string()));
        RawForm(v)
    }
}

struct Parser<'a> {
    f: &'a RawForm,
    errors: Vec<FieldError>,
}

impl Parser<'_> {
    fn bad(&mut self, field: &str, en: String, zh: String) {
        self.errors.push(FieldError::new(field, en, zh));
    }

    fn id(&mut self, field: &str, zh: &str) -> i64 {
        match self.f.get(field).trim().parse() {
            Ok(v) => v,
            Err(_) => {
                self.bad(field, format!("choose the {field}"), format!("请选择{zh}"));
                0
            }
        }
    }

    fn date(&mut self, field: &str, zh: &str) -> NaiveDate {
        match NaiveDate::from_str(self.f.get(field).trim()) {
            Ok(d) => d,
            Err(_) => {
                self.bad(
                    field,
                    format!("{field}: enter a date as YYYY-MM-DD"),
                    format!("{zh}：请按 YYYY-MM-DD 填写日期"),
                );
                NaiveDate::MIN
            }
        }
    }

    fn money(&mut self, field: &str, text: &str, zh: &str) -> Money {
        match Money::parse_non_negative(text.trim()) {
            Ok(m) => m,
            Err(e) => {
                self.bad(field, format!("{field}: {e}"), format!("{zh}：{}", e.zh()));
                Money::ZERO
            }
        }
    }

    fn factor(&mut self, field: &str, zh: &str) -> Decimal {
        match Decimal::from_str(self.f.get(field).trim()) {
            Ok(d) => d,
            Err(_) => {
                self.bad(
                    field,
                    format!("{field}: enter a number such as 1.10"),
                    format!("{zh}：请填写数字，如 1.10"),
                );
                Decimal::ONE
            }
        }
    }

    /// `serial, quantity, unit value` per line.
    fn units(&mut self) -> Vec<UnitLine> {
        let mut out = Vec::new();
        for (i, line) in self.f.get("units").lines().enumerate() {
            let parts: Vec<&str> = line.split([',', '，']).map(str::trim).collect();
            if parts.iter().all(|p| p.is_empty()) {
                continue;
            }
            let (serial, qty, value) = match parts.as_slice() {
                [s, v] => (*s, "1", *v),
                [s, q, v] => (*s, *q, *v),
                _ => {
                    self.bad(
                        "units",
                        format!("units line {}: write serial, quantity, unit value", i + 1),
                        format!("第 {} 行：请按“编号, 数量, 单价”填写", i + 1),
                    );
                    continue;
                }
            };
            let quantity = qty.parse().unwrap_or(0);
            let unit_value = self.money("units", value, "单价");
            out.push(UnitLine {
                serial: serial.to_string(),
                quantity,
                unit_value,
            });
        }
        out
    }

    /// `number, signing date, amount` per line.
    fn contracts(&mut self) -> Vec<SalesContract> {
        let mut out = Vec::new();
        for (i, line) in self.f.get("contracts").lines().enumerate() {
            let parts: Vec<&str> = line.split([',', '，']).map(str::trim).collect();
            if parts.iter().all(|p| p.is_empty()) {
                continue;
            }
            let [number, date, amount] = parts.as_slice() else {
                self.bad(
                    "contracts",
                    format!(
                        "contracts line {}: write number, signing date, amount",
                        i + 1
                    ),
                    format!("第 {} 行：请按“合同编号, 签订日期, 金额”填写", i + 1),
                );
                continue;
            };
            let Ok(signed_on) = NaiveDate::from_str(date) else {
                self.bad(
                    "contracts",
                    format!("contracts line {}: date as YYYY-MM-DD", i + 1),
                    format!("第 {} 行：日期格式应为 YYYY-MM-DD", i + 1),
                );
                continue;
            };
            let amount = self.money("contracts", amount, "合同金额");
            out.push(SalesContract {
                number: number.to_string(),
                signed_on,
                amount,
            });
        }
        out
    }

    fn sections(&mut self) -> Vec<SectionChoice> {
        let mut out = Vec::new();
        for code in self.f.all("section") {
            let limit_text = self.f.get(&format!("limit_{code}")).trim().to_string();
            let limit =
                (!limit_text.is_empty()).then(|| self.money("sections", &limit_text, "分项限额"));
            let deductible = self.f.get(&format!("deductible_{code}")).trim().to_string();
            out.push(SectionChoice {
                code,
                limit,
                deductible: (!deductible.is_empty()).then_some(deductible),
            });
        }
        out
    }
}

fn optional_id(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

/// Parse the whole form; every problem is reported at once.
pub fn parse(f: &RawForm) -> Result<QuoteInput, Vec<FieldError>> {
    let mut p = Parser {
        f,
        errors: Vec::new(),
    };
    let maker_id = p.id("maker_id", "制造企业");
    let user_id = p.id("user_id", "用户单位");
    let catalogue_item_id = p.id("catalogue_item_id", "目录产品");
    let cover_basis =
        match serde_json::from_value(serde_json::Value::String(f.get("cover_basis").into())) {
            Ok(b) => b,
            Err(_) => {
                p.bad(
                    "cover_basis",
                    "choose the cover basis".into(),
                    "请选择投保方式".into(),
                );
                crate::domain::cover_basis::CoverBasis::FirstSet
            }
        };
    let units = p.units();
    let contracts = p.contracts();
    let delivery_date = match f.get("delivery_date").trim() {
        "" => None,
        _ => Some(p.date("delivery_date", "交付日期")),
    };
    let (clause_set_id, clause_set_version) = match f.get("clause_set").split_once('@') {
        Some((id, v)) => (Some(id.to_string()), Some(v.to_string())),
        None => (None, None),
    };
    let sections = p.sections();
    let aggregate_limit = p.money("aggregate_limit", f.get("aggregate_limit"), "累计责任限额");
    let period_start = p.date("period_start", "起保日期");
    let period_end = p.date("period_end", "终保日期");
    let factors = RiskFactors {
        technical_maturity: p.factor("technical_maturity", "技术成熟度"),
        scenario_complexity: p.factor("scenario_complexity", "应用场景复杂度"),
        loss_history: p.factor("loss_history", "历史赔付率"),
    };
    let programme = f.get("programme_id").trim();
    let input = QuoteInput {
        maker_id,
        user_id,
        intermediary_id: optional_id(f.get("intermediary_id")),
        end_user_proof: f.has("end_user_proof", "on"),
        catalogue_item_id,
        cover_basis,
        units,
        contracts,
        delivery_date,
        clause_set_id,
        clause_set_version,
        sections,
        aggregate_limit,
        period_start,
        period_end,
        programme_id: (!programme.is_empty()).then(|| programme.to_string()),
        factors,
        same_specification: f.has("same_specification", "on"),
        same_production_batch: f.has("same_production_batch", "on"),
        first_use_by_user: f.has("first_use_by_user", "on"),
        acknowledged: f.all("ack"),
        backdating_reason: Some(f.get("backdating_reason").trim().to_string())
            .filter(|r| !r.is_empty()),
    };
    if p.errors.is_empty() {
        Ok(input)
    } else {
        Err(p.errors)
    }
}

/// Only the units lines (for endorsements).
pub fn parse_units(f: &RawForm) -> Result<Vec<UnitLine>, crate::services::ServiceError> {
    let mut p = Parser {
        f,
        errors: Vec::new(),
    };
    let units = p.units();
    if p.errors.is_empty() {
        Ok(units)
    } else {
        Err(crate::services::ServiceError::Validation(p.errors))
    }
}

/// The code of a warning in a refusal message (`[basis.year_min_50_units] …`).
pub fn warning_code(message: &str) -> Option<&str> {
    let rest = message.strip_prefix('[')?;
    rest.split_once(']').map(|(code, _)| code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> RawForm {
        RawForm(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn units_and_contracts_are_one_per_line() {
        let mut f = RawForm::new_quote(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        f.0.extend(
            form(&[
                ("maker_id", "1"),
                ("user_id", "2"),
                ("catalogue_item_id", "3"),
                ("units", "SN-1, 1, 1000000.00\nSN-2，500000\n\n"),
                ("contracts", "HT-1, 2024-12-01, 1500000"),
                ("aggregate_limit", "1500000"),
                ("ack", "basis.x"),
            ])
            .0,
        );
        let q = parse(&f).unwrap();
        assert_eq!(q.units.len(), 2);
        assert_eq!(q.units[1].quantity, 1);
        assert_eq!(q.insured_value(), Some(Money::from_yuan(1_500_000)));
        assert_eq!(q.contracts[0].amount, Money::from_yuan(1_500_000));
        assert_eq!(q.sections.len(), 2);
        assert_eq!(q.acknowledged, vec!["basis.x".to_string()]);
        assert_eq!(q.period_end, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    }

    #[test]
    fn a_stored_quote_fills_the_form_and_parses_back_unchanged() {
        let f = form(&[
            ("maker_id", "3"),
            ("user_id", "4"),
            ("intermediary_id", "9"),
            ("catalogue_item_id", "5"),
            ("cover_basis", "first_batch"),
            ("units", "B-1, 20, 12500.50\nB-2, 5, 99.99"),
            ("contracts", "HT-1, 2026-01-05, 250010.00"),
            ("delivery_date", "2026-02-01"),
            ("clause_set", "equipment-model@2024.1"),
            ("section", "QUALITY"),
            ("deductible_QUALITY", "Q-FIXED"),
            ("section", "LIABILITY"),
            ("limit_LIABILITY", "100000.00"),
            ("aggregate_limit", "300000.00"),
            ("period_start", "2026-03-01"),
            ("period_end", "2027-02-28"),
            ("technical_maturity", "1.10"),
            ("scenario_complexity", "0.95"),
            ("loss_history", "1.00"),
            ("programme_id", "zhejiang-2025"),
            ("same_specification", "on"),
            ("first_use_by_user", "on"),
            ("ack", "FIRST_BATCH_UNITS"),
        ]);
        let terms = parse(&f).expect("valid form");
        let again = parse(&RawForm::from_terms(&terms)).expect("round trip parses");
        assert_eq!(again, terms);
        assert!(!again.same_production_batch && again.intermediary_id == Some(9));
    }

    #[test]
    fn every_bad_field_is_reported() {
        let errors = parse(&form(&[("units", "only-one-part")])).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "maker_id",
            "user_id",
            "catalogue_item_id",
            "cover_basis",
            "units",
            "aggregate_limit",
            "period_start",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn warning_codes_are_read_back_from_messages() {
        assert_eq!(
            warning_code("[basis.year_min_50_units] 须确认"),
            Some("basis.year_min_50_units")
        );
        assert_eq!(warning_code("no code"), None);
    }
}
