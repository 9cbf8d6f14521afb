//! A page as a list of drawing operations, laid out before any PDF is written.
//!
//! krilla's page and surface borrow the document mutably, so a layout that decides
//! page breaks as it goes cannot hold them. Laying out into plain values first also
//! lets tests check geometry (the seal lies over the signature block) without a PDF.
//! Coordinates are PDF points, origin at the top left, y growing down (krilla's).

use std::sync::Arc;

use krilla::geom::{Path, PathBuilder, Rect, Transform};

use super::font::DocumentFont;
use super::wrap::wrap_lines;

/// A colour as 8-bit RGB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

pub(crate) const BLACK: Rgb = Rgb(0, 0, 0);
pub(crate) const GREY: Rgb = Rgb(90, 90, 90);
pub(crate) const RULE: Rgb = Rgb(60, 60, 60);

/// Horizontal alignment inside a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Centre,
    Right,
}

/// One drawing operation.
pub(crate) enum Op {
    /// A single line of text; `(x, y)` is the start of the baseline, in the space
    /// given by `transform` (the page when `None`).
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        color: Rgb,
        transform: Option<Transform>,
    },
    Fill {
        path: Path,
        color: Rgb,
    },
    Stroke {
        path: Path,
        color: Rgb,
        width: f32,
    },
    Image {
        image: krilla::image::Image,
        rect: Rect,
    },
    /// Operations composited together: the seal is multiplied onto the page like ink,
    /// so the signature text under it stays readable.
    Layer {
        ops: Vec<Op>,
        multiply: bool,
        opacity: f32,
    },
}

/// The operations of one page, plus the font to measure with.
pub(crate) struct Canvas {
    pub ops: Vec<Op>,
    font: Arc<DocumentFont>,
}

impl Canvas {
    pub fn new(font: Arc<DocumentFont>) -> Canvas {
        Canvas {
            ops: Vec::with_capacity(128),
            font,
        }
    }

    pub fn font(&self) -> &DocumentFont {
        &self.font
    }

    pub fn text(&mut self, x: f32, baseline: f32, size: f32, text: &str) {
        self.coloured_text(x, baseline, size, text, BLACK);
    }

    pub fn coloured_text(&mut self, x: f32, baseline: f32, size: f32, text: &str, color: Rgb) {
        if text.is_empty() {
            return;
        }
        self.ops.push(Op::Text {
            x,
            y: baseline,
            size,
            text: text.to_string(),
            color,
            transform: None,
        });
    }

    /// One line aligned inside `[x, x + width]`.
    pub fn aligned_text(
        &mut self,
        x: f32,
        width: f32,
        baseline: f32,
        size: f32,
        text: &str,
        align: Align,
    ) {
        let w = self.font.width(text, size);
        let start = match align {
            Align::Left => x,
            Align::Centre => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        };
        self.text(start, baseline, size, text);
    }

    /// Wrapped text whose first line's top is at `top`; returns the y below the last line.
    pub fn paragraph(&mut self, x: f32, top: f32, width: f32, size: f32, text: &str) -> f32 {
        let lines = wrap_lines(&self.font, text, size, width);
        let leading = line_height(size);
        let mut y = top;
        for line in &lines {
            self.text(x, y + self.font.ascent(size), size, line);
            y += leading;
        }
        y
    }

    pub fn hline(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        if let Some(path) = line_path(x1, y, x2, y) {
            self.ops.push(Op::Stroke {
                path,
                color: RULE,
                width,
            });
        }
    }

    pub fn vline(&mut self, x: f32, y1: f32, y2: f32, width: f32) {
        if let Some(path) = line_path(x, y1, x, y2) {
            self.ops.push(Op::Stroke {
                path,
                color: RULE,
                width,
            });
        }
    }
}

/// Line pitch for body text: 1.5 × the font size reads well for Chinese.
pub(crate) fn line_height(size: f32) -> f32 {
    size * 1.5
}

fn line_path(x1: f32, y1: f32, x2: f32, y2: f32) -> Option<Path> {
    let mut pb = PathBuilder::new();
    pb.move_to(x1, y1);
    pb.line_to(x2, y2);
    pb.finish()
}
