//! Ruled tables that wrap their cells and repeat the header after a page break.

use krilla::geom::{PathBuilder, Rect};

use super::canvas::{line_height, Align, Op, Rgb};
use super::flow::Flow;
use super::wrap::wrap_lines;

const HEADER_FILL: Rgb = Rgb(236, 236, 236);
const RULE_WIDTH: f32 = 0.6;

/// A column: its heading, width in points and how its cells align.
pub(crate) struct Column {
    pub title: &'static str,
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn new(title: &'static str, width: f32, align: Align) -> Column {
        Column {
            title,
            width,
            align,
        }
    }
}

/// Columns plus text size; the widths should add up to the flow's width.
pub(crate) struct Table<'a> {
    pub columns: &'a [Column],
    pub size: f32,
    /// Draw the heading row (a key/value grid has none).
    pub header: bool,
}

impl Table<'_> {
    fn padding(&self) -> f32 {
        self.size * 0.45
    }

    /// Lay out the rows at the flow's cursor, breaking pages between rows.
    pub fn draw(&self, flow: &mut Flow, rows: &[Vec<String>]) {
        let heading = self.header.then(|| {
            let titles: Vec<String> = self.columns.iter().map(|c| c.title.to_string()).collect();
            self.cell_lines(flow, &titles)
        });
        let rows: Vec<Vec<Vec<String>>> = rows.iter().map(|r| self.cell_lines(flow, r)).collect();
        if let Some(heading) = &heading {
            // Keep the heading with at least the first row.
            let first = rows.first().map_or(0.0, |r| self.row_height(r));
            flow.ensure(self.row_height(heading) + first);
            self.draw_row(flow, heading, true);
        }
        for row in rows {
            if flow.ensure(self.row_height(&row)) {
                if let Some(heading) = &heading {
                    self.draw_row(flow, heading, true);
                }
            }
            self.draw_row(flow, &row, false);
        }
    }

    fn cell_lines(&self, flow: &Flow, row: &[String]) -> Vec<Vec<String>> {
        self.columns
            .iter()
            .zip(row.iter())
            .map(|(c, text)| {
                let inner = (c.width - 2.0 * self.padding()).max(self.size);
                wrap_lines(flow.font(), text, self.size, inner)
            })
            .collect()
    }

    fn row_height(&self, cells: &[Vec<String>]) -> f32 {
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        lines as f32 * line_height(self.size) + 2.0 * self.padding()
            - (line_height(self.size) - self.size)
    }

    fn draw_row(&self, flow: &mut Flow, cells: &[Vec<String>], heading: bool) {
        let h = self.row_height(cells);
        let top = flow.y;
        let left = flow.left();
        let width: f32 = self.columns.iter().map(|c| c.width).sum();
        let pad = self.padding();
        let size = self.size;
        let page = flow.page();
        if heading {
            if let Some(path) = Rect::from_xywh(left, top, width, h).and_then(|r| {
                let mut pb = PathBuilder::new();
                pb.push_rect(r);
                pb.finish()
            }) {
                page.ops.push(Op::Fill {
                    path,
                    color: HEADER_FILL,
                });
            }
        }
        let mut x = left;
        for (col, lines) in self.columns.iter().zip(cells.iter()) {
            let align = if heading { Align::Centre } else { col.align };
            // Centre the block of lines vertically in the row.
            let block = lines.len() as f32 * line_height(size) - (line_height(size) - size);
            // CJK glyphs sit about 0.88 em above the baseline.
            let mut baseline = top + (h - block) / 2.0 + size * 0.88;
            for line in lines {
                page.aligned_text(x + pad, col.width - 2.0 * pad, baseline, size, line, align);
                baseline += line_height(size);
            }
            page.vline(x, top, top + h, RULE_WIDTH);
            x += col.width;
        }
        page.vline(left + width, top, top + h, RULE_WIDTH);
        page.hline(left, left + width, top, RULE_WIDTH);
        page.hline(left, left + width, top + h, RULE_WIDTH);
        flow.advance(h);
    }
}

/// Split `total` into widths proportional to `weights`.
pub(crate) fn widths(total: f32, weights: &[f32]) -> Vec<f32> {
    let sum: f32 = weights.iter().sum();
    weights
        .iter()
        .map(|w| total * w / sum.max(f32::EPSILON))
        .collect()
}
