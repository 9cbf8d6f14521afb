//! Writing laid-out pages to PDF with krilla, byte-for-byte reproducibly.
//!
//! krilla derives the PDF file ID and XMP instance ID from the content, and writes a
//! creation date only when given one; passing the document's own issue date (not the
//! clock) makes the same input give the same bytes, so the stored SHA-256 means
//! something.

use chrono::{Datelike, NaiveDate};
use krilla::color::rgb;
use krilla::geom::{Point, Size, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::Document;

use super::canvas::{Canvas, Op, Rgb};
use super::flow::{PAGE_HEIGHT, PAGE_WIDTH};
use super::font::DocumentFont;
use super::DocumentError;

/// What the PDF says about itself.
pub(crate) struct DocInfo {
    pub title: String,
    pub author: String,
    /// A stable identifier: the certificate, policy or claim number.
    pub id: String,
    pub date: NaiveDate,
}

/// A4 pages.
pub(crate) fn write_pdf(
    pages: &[Canvas],
    info: &DocInfo,
    font: &DocumentFont,
) -> Result<Vec<u8>, DocumentError> {
    write_pdf_sized(pages, info, font, PAGE_WIDTH, PAGE_HEIGHT)
}

pub(crate) fn write_pdf_sized(
    pages: &[Canvas],
    info: &DocInfo,
    font: &DocumentFont,
    width: f32,
    height: f32,
) -> Result<Vec<u8>, DocumentError> {
    let mut document = Document::new();
    let date = DateTime::new(u16::try_from(info.date.year()).unwrap_or(2000))
        .month(info.date.month() as u8)
        .day(info.date.day() as u8);
    document.set_metadata(
        Metadata::new()
            .title(info.title.clone())
            .authors(vec![info.author.clone()])
            .creator("firstcover".to_string())
            .language("zh-CN".to_string())
            .document_id(info.id.clone())
            .creation_date(date),
    );
    let settings = PageSettings::from_wh(width, height)
        .ok_or_else(|| DocumentError::Pdf("invalid page size".into()))?;
    for canvas in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        draw_ops(&mut surface, &canvas.ops, font)?;
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| DocumentError::Pdf(format!("{e:?}")))
}

fn draw_ops(
    surface: &mut Surface<'_>,
    ops: &[Op],
    font: &DocumentFont,
) -> Result<(), DocumentError> {
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                size,
                text,
                color,
                transform,
            } => {
                let glyphs = font.glyph_run(text)?;
                if let Some(t) = transform {
                    surface.push_transform(t);
                }
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*color)));
                surface.draw_glyphs(
                    Point::from_xy(*x, *y),
                    &glyphs,
                    font.krilla_font(),
                    text,
                    *size,
                    false,
                );
                if transform.is_some() {
                    surface.pop();
                }
            }
            Op::Fill { path, color } => {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*color)));
                surface.draw_path(path);
            }
            Op::Stroke { path, color, width } => {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb_color(*color).into(),
                    width: *width,
                    ..Stroke::default()
                }));
                surface.draw_path(path);
            }
            Op::Image { image, rect } => {
                if let Some(size) = Size::from_wh(rect.width(), rect.height()) {
                    surface.push_transform(&Transform::from_translate(rect.left(), rect.top()));
                    surface.draw_image(image.clone(), size);
                    surface.pop();
                }
            }
            Op::Layer {
                ops,
                multiply,
                opacity,
            } => {
                if *multiply {
                    surface.push_blend_mode(krilla::blend::BlendMode::Multiply);
                }
                surface.push_opacity(NormalizedF32::new(*opacity).unwrap_or(NormalizedF32::ONE));
                draw_ops(surface, ops, font)?;
                surface.pop();
                if *multiply {
                    surface.pop();
                }
            }
        }
    }
    Ok(())
}

fn rgb_color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: rgb_color(c).into(),
        ..Fill::default()
    }
}
