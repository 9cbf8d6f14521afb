//! Top-to-bottom flow over A4 pages: a cursor, page breaks, running heads and footers.

use std::sync::Arc;

use super::canvas::{Align, Canvas, GREY};
use super::font::DocumentFont;

/// One millimetre in PDF points.
pub(crate) const MM: f32 = 72.0 / 25.4;
/// A4 portrait, in points.
pub(crate) const PAGE_WIDTH: f32 = 210.0 * MM;
pub(crate) const PAGE_HEIGHT: f32 = 297.0 * MM;

const MARGIN_X: f32 = 20.0 * MM;
const MARGIN_TOP: f32 = 18.0 * MM;
const MARGIN_BOTTOM: f32 = 20.0 * MM;
const FOOTER_SIZE: f32 = 8.0;

/// Pages laid out so far and where the next block goes.
pub(crate) struct Flow {
    pages: Vec<Canvas>,
    font: Arc<DocumentFont>,
    /// Top of the next block on the current page.
    pub y: f32,
    /// Printed at the top of every page after the first, e.g. `保险单 PL2025… （续）`.
    running_head: String,
}

impl Flow {
    pub fn new(font: Arc<DocumentFont>, running_head: String) -> Flow {
        Flow {
            pages: vec![Canvas::new(font.clone())],
            font,
            y: MARGIN_TOP,
            running_head,
        }
    }

    pub fn left(&self) -> f32 {
        MARGIN_X
    }

    pub fn width(&self) -> f32 {
        PAGE_WIDTH - 2.0 * MARGIN_X
    }

    pub fn bottom(&self) -> f32 {
        PAGE_HEIGHT - MARGIN_BOTTOM
    }

    pub fn font(&self) -> &DocumentFont {
        &self.font
    }

    /// The page being filled.
    pub fn page(&mut self) -> &mut Canvas {
        if self.pages.is_empty() {
            self.pages.push(Canvas::new(self.font.clone()));
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Start a new page unless `height` more points fit on this one; true if it broke.
    pub fn ensure(&mut self, height: f32) -> bool {
        if self.y + height <= self.bottom() {
            return false;
        }
        self.new_page();
        true
    }

    pub fn new_page(&mut self) {
        let mut canvas = Canvas::new(self.font.clone());
        let size = 9.0;
        let baseline = MARGIN_TOP + self.font.ascent(size);
        canvas.coloured_text(MARGIN_X, baseline, size, &self.running_head, GREY);
        canvas.hline(
            MARGIN_X,
            PAGE_WIDTH - MARGIN_X,
            MARGIN_TOP + size * 1.6,
            0.5,
        );
        self.pages.push(canvas);
        self.y = MARGIN_TOP + size * 2.6;
    }

    /// Move the cursor down.
    pub fn advance(&mut self, dy: f32) {
        self.y += dy;
    }

    /// Close the layout: every page gets `第 i 页 共 n 页` at its foot.
    pub fn finish(mut self) -> Vec<Canvas> {
        let n = self.pages.len();
        let baseline = PAGE_HEIGHT - MARGIN_BOTTOM / 2.0;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let text = format!("第 {} 页  共 {} 页", i + 1, n);
            page.aligned_text(
                MARGIN_X,
                PAGE_WIDTH - 2.0 * MARGIN_X,
                baseline,
                FOOTER_SIZE,
                &text,
                Align::Centre,
            );
        }
        self.pages
    }
}
