//! A record's history as people read it (变更明细): each audit entry's before and after
//! pictures compared field by field — field label, old → new — instead of JSON.

use super::Chrome;
use crate::domain::money::Money;
use serde_json::{Map, Value};

/// One field that changed; the values stay JSON until the page shows them in its language.
pub struct FieldChange {
    pub field: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// Fields that are bookkeeping, not something the reader decides on.
const HIDDEN: &[&str] = &["version", "updated_at", "created_at", "hash", "prev_hash"];

/// The fields that differ between `before` and `after`, by field name.
pub fn diff(before: Option<&str>, after: Option<&str>) -> Vec<FieldChange> {
    let parse = |s: Option<&str>| s.and_then(|t| serde_json::from_str::<Value>(t).ok());
    let (b, a) = (parse(before), parse(after));
    let obj = |v: &Option<Value>| match v {
        Some(Value::Object(m)) => m.clone(),
        Some(other) if !other.is_null() => {
            let mut m = Map::new();
            m.insert("value".into(), other.clone());
            m
        }
        _ => Map::new(),
    };
    let (bm, am) = (obj(&b), obj(&a));
    let mut out = Vec::new();
    for (k, v) in am.iter() {
        if HIDDEN.contains(&k.as_str()) || bm.get(k) == Some(v) {
            continue;
        }
        out.push(FieldChange {
            field: k.clone(),
            old: bm.get(k).cloned(),
            new: Some(v.clone()),
        });
    }
    for (k, v) in bm.iter() {
        if !am.contains_key(k) && !HIDDEN.contains(&k.as_str()) {
            out.push(FieldChange {
                field: k.clone(),
                old: Some(v.clone()),
                new: None,
            });
        }
    }
    out
}

/// The label group whose codes a field holds, when it holds codes.
fn code_group(field: &str) -> Option<&'static str> {
    Some(match field {
        "state" | "status" => "state",
        "cover_basis" => "cover_basis",
        "claim_type" => "claim_type",
        "outcome" => "outcome",
        "method" => "method",
        "programme_id" | "programme" => "programme",
        "unit_type" => "unit_type",
        "tier" => "tier",
        "relation" => "relation",
        "role" | "level" | "referral_level" => "role",
        "section" | "section_code" => "section",
        "deductible" => "deductible",
        "basis" => "backtest_basis",
        "decision" => "referral",
        "by" => "cancelled_by",
        "locale" => "locale",
        "source" => "method",
        _ => return None,
    })
}

impl Chrome {
    /// A field's value in the page's language: codes as labels, amounts grouped, rates as
    /// percentages, times in Beijing time, lists and nested pictures spelled out.
    pub fn show(&self, field: &str, v: &Option<Value>) -> String {
        match v {
            None | Some(Value::Null) => "—".into(),
            Some(v) => self.value(field, v),
        }
    }

    fn value(&self, field: &str, v: &Value) -> String {
        match v {
            Value::Null => "—".into(),
            Value::Bool(true) => self.lang.pick("是", "Yes").into(),
            Value::Bool(false) => self.lang.pick("否", "No").into(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => self.text(field, s),
            Value::Array(items) if items.is_empty() => "—".into(),
            Value::Array(items) => items
                .iter()
                .map(|i| self.value(field, i))
                .collect::<Vec<_>>()
                .join("；"),
            Value::Object(m) => self.object(m),
        }
    }

    fn object(&self, m: &Map<String, Value>) -> String {
        // A finding or a warning carries its own words in both languages.
        if let (Some(Value::String(zh)), Some(Value::String(en))) = (m.get("zh"), m.get("en")) {
            return self.lang.pick(zh, en).to_string();
        }
        m.iter()
            .filter(|(k, _)| !HIDDEN.contains(&k.as_str()))
            .map(|(k, v)| format!("{}：{}", self.label("field", k), self.value(k, v)))
            .collect::<Vec<_>>()
            .join("，")
    }

    fn text(&self, field: &str, s: &str) -> String {
        if let Some(group) = code_group(field) {
            return self.label(group, s);
        }
        if field == "rate" || field.ends_with("_rate") {
            return self.pct(s);
        }
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            return super::shanghai_time(t.with_timezone(&chrono::Utc));
        }
        if looks_like_amount(s) {
            if let Ok(m) = Money::parse(s) {
                return m.grouped();
            }
        }
        s.to_string()
    }
}

/// `14000.00`, `-7057.53`: two decimals, digits only — an amount in yuan.
fn looks_like_amount(s: &str) -> bool {
    let t = s.strip_prefix('-').unwrap_or(s);
    match t.split_once('.') {
        Some((int, dec)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && dec.len() == 2
                && dec.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::i18n::Lang;

    fn chrome(lang: Lang) -> Chrome {
        Chrome {
            lang,
            user: None,
            csrf: String::new(),
            flash: None,
            lib: None,
        }
    }

    #[test]
    fn only_changed_fields_are_listed_with_old_and_new() {
        let d = diff(
            Some(r#"{"state":"bound","premium":"14000.00","units":50}"#),
            Some(r#"{"state":"issued","premium":"14000.00","units":50,"policy_number":"P-1"}"#),
        );
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["policy_number", "state"]);
        let c = chrome(Lang::Zh);
        assert_eq!(c.show("state", &d[1].old), "已承保");
        assert_eq!(c.show("state", &d[1].new), "已出单");
        assert_eq!(c.show("policy_number", &d[0].old), "—");
    }

    #[test]
    fn values_read_as_words_numbers_and_beijing_time() {
        let c = chrome(Lang::Zh);
        let v = |s: &str| Some(serde_json::from_str::<Value>(s).unwrap());
        assert_eq!(c.show("premium", &v(r#""1234567.80""#)), "1,234,567.80");
        assert_eq!(c.show("rate", &v(r#""0.01848""#)), "1.848 %");
        assert_eq!(c.show("method", &v(r#""bank_transfer""#)), "银行转账");
        assert_eq!(c.show("end_user_proof", &v("true")), "是");
        assert_eq!(c.show("end_user_proof", &v("false")), "否");
        assert_eq!(
            c.show("at", &v(r#""2026-01-01T00:30:00Z""#)),
            "2026-01-01 08:30:00"
        );
        assert_eq!(
            c.show(
                "findings",
                &v(r#"[{"code":"x.y","zh":"中文","en":"English"}]"#)
            ),
            "中文"
        );
    }
}
