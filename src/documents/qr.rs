//! The verification QR code, drawn as vector squares so it stays sharp when printed.

use krilla::geom::{PathBuilder, Rect};
use qrcode::{Color, EcLevel, QrCode};

use super::canvas::{Op, BLACK};
use super::DocumentError;

/// Modules of white border the QR specification asks for.
const QUIET_ZONE: usize = 4;

/// A QR code for `data` filling the square at `(x, y)` with side `size`, quiet zone
/// included. Level M survives a fold or a smudge on a printed certificate.
pub(crate) fn qr_code(data: &str, x: f32, y: f32, size: f32) -> Result<Op, DocumentError> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| DocumentError::QrCode(e.to_string()))?;
    let n = code.width();
    let colors = code.to_colors();
    let module = size / (n + 2 * QUIET_ZONE) as f32;
    let origin_x = x + QUIET_ZONE as f32 * module;
    let origin_y = y + QUIET_ZONE as f32 * module;
    let mut pb = PathBuilder::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors.get(row * n + col) != Some(&Color::Dark) {
                col += 1;
                continue;
            }
            let start = col;
            while colors.get(row * n + col) == Some(&Color::Dark) && col < n {
                col += 1;
            }
            // A hair of overlap between rows keeps anti-aliased renderers from drawing
            // white seams that confuse scanners.
            let rect = Rect::from_xywh(
                origin_x + start as f32 * module,
                origin_y + row as f32 * module,
                (col - start) as f32 * module,
                module + 0.05,
            );
            if let Some(rect) = rect {
                pb.push_rect(rect);
            }
        }
    }
    let path = pb
        .finish()
        .ok_or_else(|| DocumentError::QrCode("empty QR code".into()))?;
    Ok(Op::Fill { path, color: BLACK })
}
