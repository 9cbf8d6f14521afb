//! The readable report as one self-contained HTML file (for the actuary page and the
//! mail): tables plus two inline SVG charts — ultimate loss ratio by origin year against
//! the permissible loss ratio, and a heat map of the incurred development triangle.
//! No scripts, no external files.

use super::report::{BacktestReport, GroupReport, Level};
use askama::Template;

#[derive(Template)]
#[template(path = "backtest_report.html")]
struct ReportPage<'a> {
    r: &'a BacktestReport,
    loss_ratio_chart: String,
    heat_maps: Vec<(String, String)>,
}

pub fn render(r: &BacktestReport) -> Result<String, askama::Error> {
    let heat_maps = r
        .groups
        .iter()
        .filter(|g| g.level != Level::Segment)
        .map(|g| (g.key.clone(), heat_map(g, &r.origin_years)))
        .collect();
    let permissible = 1.0
        - r.targets.variable_expense_ratio
        - r.targets.profit_provision
        - r.targets.fixed_expense_ratio;
    ReportPage {
        r,
        loss_ratio_chart: r
            .total()
            .map(|t| loss_ratio_chart(t, permissible))
            .unwrap_or_default(),
        heat_maps,
    }
    .render()
}

/// Text for SVG and HTML: `&`, `<`, `>` and quotes escaped.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Bars of the ultimate loss ratio per origin year; a dashed line at the loss ratio
/// that leaves the target margin after expenses.
pub fn loss_ratio_chart(g: &GroupReport, target: f64) -> String {
    let (w, h, left, bottom, top) = (640.0, 260.0, 48.0, 28.0, 16.0);
    let values: Vec<(i32, Option<f64>)> =
        g.origins.iter().map(|o| (o.year, o.loss_ratio)).collect();
    let max = values
        .iter()
        .filter_map(|v| v.1)
        .fold(target.max(0.0), f64::max)
        .max(0.1)
        * 1.15;
    let plot_h = h - bottom - top;
    let y = |v: f64| top + plot_h * (1.0 - v / max);
    let slot = (w - left - 8.0) / values.len().max(1) as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
         height=\"{h}\" role=\"img\" aria-label=\"Ultimate loss ratio by year\">"
    );
    for tick in 0..=4 {
        let v = max * tick as f64 / 4.0;
        s += &format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{:.0}%</text>",
            w - 8.0,
            left - 4.0,
            y(v) + 3.0,
            v * 100.0,
            y = y(v)
        );
    }
    for (i, (year, v)) in values.iter().enumerate() {
        let x = left + slot * i as f64 + slot * 0.2;
        let bw = slot * 0.6;
        if let Some(v) = v {
            let top_y = y(v.max(0.0));
            let colour = if *v > target { "#c0392b" } else { "#2e86c1" };
            s += &format!(
                "<rect x=\"{x:.1}\" y=\"{top_y:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" \
                 fill=\"{colour}\"><title>{year}: {:.1}%</title></rect>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{:.1}%</text>",
                (h - bottom - top_y).max(0.0),
                v * 100.0,
                x + bw / 2.0,
                top_y - 3.0,
                v * 100.0
            );
        }
        s += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{year}</text>",
            x + bw / 2.0,
            h - bottom + 16.0
        );
    }
    s += &format!(
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\" stroke=\"#333\" \
         stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" \
         text-anchor=\"end\">target {:.1}%</text></svg>",
        w - 8.0,
        w - 10.0,
        y(target) - 4.0,
        target * 100.0,
        ty = y(target)
    );
    s
}

/// The incurred triangle as a grid, each cell shaded by its incremental amount (the
/// development in that period) relative to the largest one.
pub fn heat_map(g: &GroupReport, origins: &[i32]) -> String {
    let n = origins.len();
    let (cell_w, cell_h, left, top) = (78.0, 26.0, 52.0, 22.0);
    let w = left + cell_w * n as f64 + 4.0;
    let h = top + cell_h * n as f64 + 4.0;
    let increments: Vec<Vec<i64>> = g
        .incurred_triangle
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(k, v)| v.fen() - if k == 0 { 0 } else { row[k - 1].fen() })
                .collect()
        })
        .collect();
    let max = increments
        .iter()
        .flatten()
        .map(|v| v.unsigned_abs())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
         height=\"{h}\" role=\"img\" aria-label=\"Incurred development triangle\">"
    );
    for k in 0..n {
        s += &format!(
            "<text x=\"{:.1}\" y=\"14\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            left + cell_w * k as f64 + cell_w / 2.0,
            k + 1
        );
    }
    for (i, (row, inc)) in g.incurred_triangle.iter().zip(&increments).enumerate() {
        let y = top + cell_h * i as f64;
        s += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + cell_h / 2.0 + 4.0,
            origins.get(i).copied().unwrap_or_default()
        );
        for (k, (v, d)) in row.iter().zip(inc).enumerate() {
            let x = left + cell_w * k as f64;
            let t = d.unsigned_abs() as f64 / max;
            // White to orange for increases, white to blue for releases.
            let (r, gr, b) = if *d >= 0 {
                (255.0, 255.0 - 120.0 * t, 255.0 - 200.0 * t)
            } else {
                (255.0 - 160.0 * t, 255.0 - 90.0 * t, 255.0)
            };
            s += &format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell_w}\" height=\"{cell_h}\" \
                 fill=\"rgb({:.0},{:.0},{:.0})\" stroke=\"#fff\"><title>{} / {}: {} \
                 (+{})</title></rect><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" \
                 text-anchor=\"middle\">{}</text>",
                r,
                gr,
                b,
                origins.get(i).copied().unwrap_or_default(),
                k + 1,
                v,
                crate::domain::money::Money::from_fen(*d),
                x + cell_w / 2.0,
                y + cell_h / 2.0 + 4.0,
                wan(v.fen())
            );
        }
    }
    s + "</svg>"
}

/// Amount in 万元 with one decimal, for compact cells.
pub fn wan(fen: i64) -> String {
    format!("{:.1}万", fen as f64 / 1_000_000.0)
}

/// `0.8512` → `85.1%`.
pub fn pct(x: &f64) -> String {
    format!("{:.1}%", x * 100.0)
}
