//! Dates in data files: a TOML date (`2025-01-01`) or the same as a string.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum DateInput {
    Toml(toml::value::Datetime),
    Text(String),
}

fn to_date(input: DateInput) -> Result<NaiveDate, String> {
    let text = match input {
        DateInput::Toml(dt) => match (dt.date, dt.time) {
            (Some(d), None) => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
            _ => return Err(format!("'{dt}' is not a plain date (write YYYY-MM-DD)")),
        },
        DateInput::Text(t) => t,
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date (write YYYY-MM-DD)"))
}

/// `#[serde(deserialize_with = "date::required")]`
pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    to_date(DateInput::deserialize(d)?).map_err(serde::de::Error::custom)
}

/// `#[serde(default, deserialize_with = "date::optional")]`
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<DateInput>::deserialize(d)? {
        Some(input) => to_date(input).map(Some).map_err(serde::de::Error::custom),
        None => Ok(None),
    }
}
