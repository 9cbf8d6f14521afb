//! The readable backtest report (费率回溯报告) as a PDF: summary per group, the
//! conclusions, and the book's incurred development triangle. The figures arrive as
//! text already formatted by the service, so this module only lays them out.

use chrono::NaiveDate;

use super::canvas::Align;
use super::flow::Flow;
use super::frame::{self, SMALL};
use super::pdf::{write_pdf, DocInfo};
use super::table::{widths, Column, Table};
use super::{Branding, DocumentError};

/// What the PDF states; every cell is display text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacktestPdf {
    /// e.g. `2026Q2` or `临时 ad hoc`.
    pub period: String,
    pub as_of: NaiveDate,
    pub basis: String,
    /// Key facts (label, value) printed under the title.
    pub facts: Vec<(String, String)>,
    /// Per group: name, earned, incurred, ultimate, loss ratio, combined ratio, decision.
    pub summary: Vec<[String; 7]>,
    /// Per group with an indication: name and conclusion.
    pub conclusions: Vec<(String, String)>,
    /// Origin years, and cumulative incurred per origin (one string per observed cell).
    pub triangle_origins: Vec<String>,
    pub triangle: Vec<Vec<String>>,
    pub method: String,
}

const DEV_TITLES: [&str; 12] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
];

pub fn render_backtest_report(r: &BacktestPdf, b: &Branding) -> Result<Vec<u8>, DocumentError> {
    let mut flow = Flow::new(b.font.clone(), format!("费率回溯报告 {}（续）", r.period));
    frame::title_block(&mut flow, b, "费率回溯报告", "报告期：", &r.period);
    let kv = widths(flow.width(), &[30.0, 70.0]);
    let columns = [
        Column::new("项目", kv[0], Align::Left),
        Column::new("内容", kv[1], Align::Left),
    ];
    let mut facts = vec![
        vec![
            "评估日 As of".to_string(),
            r.as_of.format("%Y-%m-%d").to_string(),
        ],
        vec!["年度口径 Basis".to_string(), r.basis.clone()],
    ];
    facts.extend(r.facts.iter().map(|(k, v)| vec![k.clone(), v.clone()]));
    Table {
        columns: &columns,
        size: SMALL,
        header: false,
    }
    .draw(&mut flow, &facts);

    frame::heading(
        &mut flow,
        "一、分险种、分业务板块结果 Results by line and segment",
    );
    let w = widths(flow.width(), &[34.0, 13.0, 13.0, 13.0, 9.0, 9.0, 9.0]);
    let columns = [
        Column::new("板块 Group", w[0], Align::Left),
        Column::new("已赚保费 Earned", w[1], Align::Right),
        Column::new("已报告赔款 Incurred", w[2], Align::Right),
        Column::new("最终赔款 Ultimate", w[3], Align::Right),
        Column::new("赔付率 LR", w[4], Align::Right),
        Column::new("综合成本率 CR", w[5], Align::Right),
        Column::new("建议 Action", w[6], Align::Left),
    ];
    let rows: Vec<Vec<String>> = r.summary.iter().map(|s| s.to_vec()).collect();
    Table {
        columns: &columns,
        size: SMALL - 1.0,
        header: true,
    }
    .draw(&mut flow, &rows);

    frame::heading(&mut flow, "二、结论 Conclusions");
    for (group, text) in &r.conclusions {
        frame::paragraph(&mut flow, &format!("{group}：{text}"), false);
        flow.advance(3.0);
    }

    frame::heading(
        &mut flow,
        "三、已报告赔款进展三角形（全部业务） Incurred triangle",
    );
    let n = r
        .triangle
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .min(DEV_TITLES.len());
    if n > 0 {
        let mut weights = vec![12.0];
        weights.extend(std::iter::repeat_n(88.0 / n as f32, n));
        let w = widths(flow.width(), &weights);
        let mut columns = vec![Column::new("事故/承保年度", w[0], Align::Left)];
        for (k, title) in DEV_TITLES.iter().take(n).enumerate() {
            columns.push(Column::new(title, w[k + 1], Align::Right));
        }
        // At most 12 development periods fit across the page; later ones are in the XML.
        let rows: Vec<Vec<String>> = r
            .triangle_origins
            .iter()
            .zip(&r.triangle)
            .map(|(o, row)| {
                let mut cells = vec![o.clone()];
                cells.extend(row.iter().take(n).cloned());
                cells.resize(n + 1, String::new());
                cells
            })
            .collect();
        Table {
            columns: &columns,
            size: SMALL - 1.5,
            header: true,
        }
        .draw(&mut flow, &rows);
    }
    flow.advance(6.0);
    // The method note and the seal go together: measured first, so the signature block
    // never stands alone on a page after the last table.
    let closing = frame::text_height(&flow, &r.method, SMALL, false) + 6.0;
    frame::keep_with_signature(&mut flow, closing);
    frame::note(&mut flow, &r.method);
    flow.advance(6.0);
    frame::signature_block(&mut flow, b, r.as_of);
    let pages = flow.finish();
    let info = DocInfo {
        title: format!("费率回溯报告 {}", r.period),
        author: format!("{}{}", b.insurer_name, b.branch_name),
        id: format!("backtest-{}-{}", r.period, r.as_of),
        date: r.as_of,
    };
    write_pdf(&pages, &info, &b.font)
}
