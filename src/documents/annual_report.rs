//! The annual underwriting and claims report to a provincial regulator (Shanxi 004
//! 第十八条 承保理赔情况) as a PDF: the key facts, then one line per maker and product
//! with a subtotal per maker and the year's total. The figures arrive as display text
//! from `services::annual_report`; this module only lays them out.

use chrono::NaiveDate;

use super::canvas::Align;
use super::flow::Flow;
use super::frame::{self, SMALL};
use super::pdf::{write_pdf, DocInfo};
use super::table::{widths, Column, Table};
use super::{Branding, DocumentError};

/// What the PDF states; every cell is display text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualReportPdf {
    /// 首批次新材料保险承保理赔情况年度报告
    pub title: String,
    /// e.g. `2025`.
    pub year: String,
    pub as_of: NaiveDate,
    /// Key facts (label, value) printed under the title.
    pub facts: Vec<(String, String)>,
    /// Per line: maker, product, policies, written, collected, reported, paid, open
    /// claims, outstanding (subtotal and total lines included, in order).
    pub rows: Vec<[String; 9]>,
    /// What each figure means (printed under the table).
    pub notes: Vec<String>,
}

pub fn render_annual_report(r: &AnnualReportPdf, b: &Branding) -> Result<Vec<u8>, DocumentError> {
    let mut flow = Flow::new(b.font.clone(), format!("{} {}（续）", r.title, r.year));
    frame::title_block(&mut flow, b, &r.title, "报告年度：", &r.year);
    let kv = widths(flow.width(), &[30.0, 70.0]);
    let columns = [
        Column::new("项目", kv[0], Align::Left),
        Column::new("内容", kv[1], Align::Left),
    ];
    let facts: Vec<Vec<String>> = r
        .facts
        .iter()
        .map(|(k, v)| vec![k.clone(), v.clone()])
        .collect();
    Table {
        columns: &columns,
        size: SMALL,
        header: false,
    }
    .draw(&mut flow, &facts);

    frame::heading(
        &mut flow,
        "一、分生产企业、分产品承保理赔情况 By maker and product",
    );
    let w = widths(
        flow.width(),
        &[17.0, 17.0, 6.0, 11.0, 11.0, 6.0, 11.0, 6.0, 11.0],
    );
    let columns = [
        Column::new("生产企业 Maker", w[0], Align::Left),
        Column::new("产品 Product", w[1], Align::Left),
        Column::new("承保件数", w[2], Align::Right),
        Column::new("签单保费(元)", w[3], Align::Right),
        Column::new("实收保费(元)", w[4], Align::Right),
        Column::new("报案件数", w[5], Align::Right),
        Column::new("已决赔款(元)", w[6], Align::Right),
        Column::new("未决件数", w[7], Align::Right),
        Column::new("未决赔款(元)", w[8], Align::Right),
    ];
    let rows: Vec<Vec<String>> = r.rows.iter().map(|s| s.to_vec()).collect();
    Table {
        columns: &columns,
        size: SMALL - 1.5,
        header: true,
    }
    .draw(&mut flow, &rows);
    flow.advance(6.0);
    frame::heading(&mut flow, "二、口径说明 Definitions");
    for n in &r.notes {
        frame::note(&mut flow, n);
        flow.advance(2.0);
    }
    flow.advance(6.0);
    frame::signature_block(&mut flow, b, r.as_of);
    let pages = flow.finish();
    let info = DocInfo {
        title: format!("{} {}", r.title, r.year),
        author: format!("{}{}", b.insurer_name, b.branch_name),
        id: format!("annual-report-{}-{}", r.year, r.as_of),
        date: r.as_of,
    };
    write_pdf(&pages, &info, &b.font)
}
