//! The catalogue (推广应用指导目录): a maker's qualified products.

use super::party::text_enum;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How the product counts for cover (001 一: complete machines by units, others by batch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitType {
    /// 整机装备
    CompleteMachine,
    /// 核心系统
    CoreSystem,
    /// 关键零部件
    KeyComponent,
    /// 新材料
    NewMaterial,
}

text_enum!(UnitType, "unknown unit type '{}' (complete_machine, core_system, key_component or new_material)",
    CompleteMachine => "complete_machine", "整机装备", "Complete machine";
    CoreSystem => "core_system", "核心系统", "Core system";
    KeyComponent => "key_component", "关键零部件", "Key component";
    NewMaterial => "new_material", "新材料", "New material");

/// The product's first-of-its-kind tier; Zhejiang subsidises 90/80/70 % by tier (003 二.(一).2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// 国际首台(套)
    International,
    /// 国内首台(套)
    Domestic,
    /// 省内首台(套)
    Provincial,
}

text_enum!(Tier, "unknown tier '{}' (international, domestic or provincial)",
    International => "international", "国际首台(套)", "International first";
    Domestic => "domestic", "国内首台(套)", "Domestic first";
    Provincial => "provincial", "省内首台(套)", "Provincial first");

/// National qualification is valid five years (001 二.(一) 部门复核: 有效期5年).
pub const NATIONAL_VALIDITY_YEARS: i32 = 5;

/// The default end of validity: the day before the same date five years on.
pub fn default_valid_until(valid_from: NaiveDate) -> NaiveDate {
    let target_year = valid_from.year() + NATIONAL_VALIDITY_YEARS;
    // 29 February has no twin in a common year: the period then ends on 28 February.
    let same_day = valid_from
        .with_year(target_year)
        .or_else(|| NaiveDate::from_ymd_opt(target_year, 3, 1))
        .unwrap_or(valid_from);
    same_day.pred_opt().unwrap_or(same_day)
}

/// Is a qualification valid on this date?
pub fn is_valid_on(valid_from: NaiveDate, valid_until: NaiveDate, day: NaiveDate) -> bool {
    valid_from <= day && day <= valid_until
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn national_validity_is_five_years() {
        assert_eq!(default_valid_until(d(2025, 9, 9)), d(2030, 9, 8));
        assert_eq!(default_valid_until(d(2024, 2, 29)), d(2029, 2, 28));
        assert!(is_valid_on(d(2025, 9, 9), d(2030, 9, 8), d(2030, 9, 8)));
        assert!(!is_valid_on(d(2025, 9, 9), d(2030, 9, 8), d(2030, 9, 9)));
    }

    #[test]
    fn enums_parse_from_their_names() {
        assert_eq!(
            "key_component".parse::<UnitType>().unwrap(),
            UnitType::KeyComponent
        );
        assert_eq!("provincial".parse::<Tier>().unwrap(), Tier::Provincial);
        assert!("gold".parse::<Tier>().is_err());
    }
}
