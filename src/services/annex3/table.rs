//! The Zhejiang summary table (浙江省制造业首台(套)装备保险补偿申报汇总表, notice 003,
//! annex 3) as values, CSV and XLSX.
//!
//! Amounts are in 万元 (10,000 CNY) as the annex heads its table. Neither the notice nor
//! DOMAIN.md states a precision, so amounts carry four decimals — exact to the yuan —
//! rounded half away from zero on the fen (`Decimal::round_dp_with_strategy`), never
//! through a float. The XLSX cells hold those same four-decimal values as numbers with
//! the format `0.0000`, so a spreadsheet sums them; the CSV holds the decimal text.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{Format, Workbook};

use crate::domain::money::{Money, Rate};

/// The column headings, exactly as annex 3 prints them (the seed's "投保装备数量(台/套)";
/// DOMAIN.md abbreviates it to 投保装备数量).
pub const COLUMNS: [&str; 22] = [
    "序号",
    "市",
    "县(市、区)",
    "企业名称",
    "承保单位",
    "用户单位",
    "投保装备名称",
    "认定年份",
    "保单编号",
    "起保时间",
    "终保时间",
    "是否续保",
    "首保年度",
    "装备交付时间",
    "累计责任限额",
    "投保装备数量(台/套)",
    "投保装备总价值",
    "保险费率(%)",
    "保费金额",
    "已缴保费金额",
    "申报保费补贴金额",
    "备注",
];

pub const TITLE: &str = "浙江省制造业首台(套)装备保险补偿申报汇总表";

/// Decimal places of the 万元 amounts.
pub const WAN_DECIMALS: u32 = 4;

/// 万元 with four decimals, half away from zero: 12,345.67 CNY → 1.2346.
pub fn wan(m: Money) -> Decimal {
    m.in_wan()
        .round_dp_with_strategy(WAN_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
}

/// One policy's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annex3Row {
    pub city: String,
    pub county: String,
    pub maker: String,
    pub insurer: String,
    pub user: String,
    pub equipment: String,
    pub qualification_year: i32,
    pub policy_number: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub renewal: bool,
    pub first_insured_year: i32,
    pub delivery_date: Option<NaiveDate>,
    pub aggregate_limit: Money,
    pub units: i64,
    pub insured_value: Money,
    pub rate: Rate,
    pub premium: Money,
    pub paid: Money,
    /// From the subsidy estimate; `None` when the policy is not eligible.
    pub subsidy: Option<Money>,
    pub remark: String,
}

/// A cell: text, or a number that stays exact in the CSV.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Wan(Decimal),
    Percent(Decimal),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Wan(d) => format!("{d:.4}"),
            Cell::Percent(d) => d.normalize().to_string(),
        }
    }
}

fn date(d: NaiveDate) -> Cell {
    Cell::Text(d.format("%Y-%m-%d").to_string())
}

impl Annex3Row {
    /// The 22 cells in column order; `n` is the 序号.
    pub fn cells(&self, n: usize) -> Vec<Cell> {
        vec![
            Cell::Int(n as i64),
            Cell::Text(self.city.clone()),
            Cell::Text(self.county.clone()),
            Cell::Text(self.maker.clone()),
            Cell::Text(self.insurer.clone()),
            Cell::Text(self.user.clone()),
            Cell::Text(self.equipment.clone()),
            Cell::Int(i64::from(self.qualification_year)),
            Cell::Text(self.policy_number.clone()),
            date(self.period_start),
            date(self.period_end),
            Cell::Text(if self.renewal { "是" } else { "否" }.into()),
            Cell::Int(i64::from(self.first_insured_year)),
            self.delivery_date
                .map(date)
                .unwrap_or(Cell::Text(String::new())),
            Cell::Wan(wan(self.aggregate_limit)),
            Cell::Int(self.units),
            Cell::Wan(wan(self.insured_value)),
            Cell::Percent(self.rate.as_percent()),
            Cell::Wan(wan(self.premium)),
            Cell::Wan(wan(self.paid)),
            match self.subsidy {
                Some(m) => Cell::Wan(wan(m)),
                None => Cell::Text(String::new()),
            },
            Cell::Text(self.remark.clone()),
        ]
    }
}

/// UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese), CRLF lines,
/// the heading row then one row per policy.
/// Every cell neutralised against formula injection (`documents::cells`).
pub fn to_csv(rows: &[Annex3Row]) -> Result<String, csv::Error> {
    let mut out = csv_header()?;
    for (i, r) in rows.iter().enumerate() {
        out.push_str(&csv_row(i + 1, r)?);
    }
    Ok(out)
}

/// The byte-order mark and the heading row.
pub fn csv_header() -> Result<String, csv::Error> {
    Ok(format!(
        "\u{feff}{}",
        crate::documents::cells::csv_line(COLUMNS)?
    ))
}

/// Row number `n` (序号, from 1) as one CSV line.
pub fn csv_row(n: usize, r: &Annex3Row) -> Result<String, csv::Error> {
    crate::documents::cells::csv_line(r.cells(n).iter().map(Cell::text))
}

/// A workbook laid out like the annex: title, 报送单位 / 单位:(万元), headings, rows.
pub fn to_xlsx(rows: &[Annex3Row]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("附件3")?;
    let bold = Format::new().set_bold();
    let amount = Format::new().set_num_format("0.0000");
    sheet.write_string_with_format(0, 0, TITLE, &bold)?;
    sheet.write_string(1, 0, "报送单位:(加盖公章)")?;
    sheet.write_string(1, (COLUMNS.len() - 1) as u16, "单位:(万元)")?;
    for (c, h) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    if rows.is_empty() {
        // An empty table must say so, not look like a file that failed to fill in.
        sheet.write_string(
            3,
            0,
            "（所选补贴政策及起保期间内没有符合条件的已出单保单 / no issued policy of this maker under the chosen programme starts in the chosen period）",
        )?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 3) as u32;
        for (c, cell) in r.cells(i + 1).into_iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    // Stored as text already; neutralised too, for whoever saves the
                    // sheet as CSV.
                    sheet.write_string(row, col, crate::documents::cells::neutralise(&s))?;
                }
                Cell::Int(n) => {
                    // Whole numbers below 2^53 are exact in a spreadsheet's doubles.
                    sheet.write_number(row, col, n as f64)?;
                }
                Cell::Wan(d) | Cell::Percent(d) => {
                    // The cell is a double; parse the exact decimal text so it is the
                    // nearest double to the rounded value, and show it at four places.
                    let v: f64 = d.to_string().parse().unwrap_or(0.0);
                    if matches!(cell, Cell::Wan(_)) {
                        sheet.write_number_with_format(row, col, v, &amount)?;
                    } else {
                        sheet.write_number(row, col, v)?;
                    }
                }
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wan_rounds_half_away_from_zero_at_the_yuan() {
        assert_eq!(wan(Money::from_fen(1_234_567)).to_string(), "1.2346");
        assert_eq!(wan(Money::from_fen(1_234_549)).to_string(), "1.2345");
        assert_eq!(wan(Money::from_fen(50)).to_string(), "0.0001");
        assert_eq!(wan(Money::from_fen(49)).to_string(), "0.0000");
        assert_eq!(wan(Money::from_yuan(10_000_000)).to_string(), "1000.0000");
    }

    proptest! {
        /// Rounding to the yuan never moves an amount by more than half a yuan.
        #[test]
        fn wan_is_within_half_a_yuan(fen in -10_000_000_000i64..10_000_000_000i64) {
            let back = wan(Money::from_fen(fen)) * Decimal::from(1_000_000);
            let diff = (back - Decimal::from(fen)).abs();
            prop_assert!(diff <= Decimal::from(50));
        }
    }
}
