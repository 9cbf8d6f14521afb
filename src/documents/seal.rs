//! The insurer's seal (公章), stamped over the signature block.
//!
//! By default a vector seal in the shape Chinese company seals take: a red ring, a
//! five-pointed star in the centre, the insurer's name curved along the top arc and the
//! seal's purpose (保险专用章) written across below the star. A branch that has its own
//! artwork configures a PNG instead; it is multiplied onto the page like ink, so a white
//! background does not hide the signature text beneath.

use std::f32::consts::PI;
use std::path::PathBuf;

use krilla::geom::{PathBuilder, Rect, Transform};

use super::canvas::{Op, Rgb};
use super::font::DocumentFont;
use super::DocumentError;

/// Seal red (印泥红).
pub(crate) const SEAL_RED: Rgb = Rgb(214, 30, 36);
/// 40 mm across, the usual size of a company seal.
pub(crate) const SEAL_RADIUS: f32 = 20.0 * super::flow::MM;

const DEFAULT_PURPOSE: &str = "保险专用章";

/// How a branch's seal is drawn (configuration).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SealArtwork {
    /// Drawn by firstcover; `purpose` is the line below the star (default 保险专用章).
    Vector {
        #[serde(default)]
        purpose: Option<String>,
    },
    /// The branch's own scanned or drawn seal, a PNG (transparent or white background).
    Png { path: PathBuf },
}

impl Default for SealArtwork {
    fn default() -> Self {
        SealArtwork::Vector { purpose: None }
    }
}

/// A seal ready to stamp: the artwork resolved and, for a PNG, read once.
#[derive(Clone)]
pub(crate) enum Seal {
    Vector { name: String, purpose: String },
    Image(krilla::image::Image),
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Seal::Vector { name, purpose } => write!(f, "Seal::Vector({name}, {purpose})"),
            Seal::Image(_) => f.write_str("Seal::Image"),
        }
    }
}

impl Seal {
    /// `name` is what the vector seal carries along its arc: the insurer and branch.
    pub fn load(artwork: &SealArtwork, name: &str) -> Result<Seal, DocumentError> {
        match artwork {
            SealArtwork::Vector { purpose } => Ok(Seal::Vector {
                name: name.to_string(),
                purpose: purpose
                    .clone()
                    .unwrap_or_else(|| DEFAULT_PURPOSE.to_string()),
            }),
            SealArtwork::Png { path } => {
                let data = std::fs::read(path).map_err(|e| DocumentError::SealArtwork {
                    path: path.clone(),
                    why: e.to_string(),
                })?;
                let image = krilla::image::Image::from_png(data.into(), true).map_err(|why| {
                    DocumentError::SealArtwork {
                        path: path.clone(),
                        why,
                    }
                })?;
                Ok(Seal::Image(image))
            }
        }
    }

    /// The seal centred on `(cx, cy)`, as one layer multiplied onto the page.
    pub fn stamp(&self, font: &DocumentFont, cx: f32, cy: f32) -> Op {
        let r = SEAL_RADIUS;
        let ops = match self {
            Seal::Vector { name, purpose } => vector_seal(font, name, purpose, cx, cy, r),
            Seal::Image(image) => image_seal(image, cx, cy, r),
        };
        Op::Layer {
            ops,
            multiply: true,
            opacity: 0.9,
        }
    }
}

fn image_seal(image: &krilla::image::Image, cx: f32, cy: f32, r: f32) -> Vec<Op> {
    let (w, h) = image.size();
    let (w, h) = (w.max(1) as f32, h.max(1) as f32);
    let scale = (2.0 * r) / w.max(h);
    let (dw, dh) = (w * scale, h * scale);
    Rect::from_xywh(cx - dw / 2.0, cy - dh / 2.0, dw, dh)
        .map(|rect| Op::Image {
            image: image.clone(),
            rect,
        })
        .into_iter()
        .collect()
}

fn vector_seal(
    font: &DocumentFont,
    name: &str,
    purpose: &str,
    cx: f32,
    cy: f32,
    r: f32,
) -> Vec<Op> {
    let mut ops = Vec::with_capacity(name.chars().count() + 4);
    let ring = r * 0.06;
    if let Some(path) = circle(cx, cy, r - ring / 2.0) {
        ops.push(Op::Stroke {
            path,
            color: SEAL_RED,
            width: ring,
        });
    }
    if let Some(path) = star(cx, cy, r * 0.27) {
        ops.push(Op::Fill {
            path,
            color: SEAL_RED,
        });
    }
    arc_text(&mut ops, font, name, cx, cy, r);
    let size = r * 0.17;
    let w = font.width(purpose, size);
    ops.push(Op::Text {
        x: cx - w / 2.0,
        y: cy + r * 0.62,
        size,
        text: purpose.to_string(),
        color: SEAL_RED,
        transform: None,
    });
    ops
}

/// Characters along the top arc, upright towards the rim, narrowed when the name is
/// long (as engraved seals do) rather than shrunk.
fn arc_text(ops: &mut Vec<Op>, font: &DocumentFont, text: &str, cx: f32, cy: f32, r: f32) {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    if n == 0 {
        return;
    }
    let size = r * 0.23;
    // Glyph tops just inside the ring.
    let baseline_r = r * 0.88 - size * 0.86;
    let max_span = 250.0_f32.to_radians();
    let natural_step = size * 1.05 / baseline_r;
    let step = if n > 1 {
        (max_span / (n - 1) as f32).min(natural_step)
    } else {
        0.0
    };
    let squeeze = ((step * baseline_r * 0.95) / size).min(1.0);
    let squeeze = if n > 1 { squeeze } else { 1.0 };
    let start = -step * (n - 1) as f32 / 2.0;
    for (i, ch) in chars.iter().enumerate() {
        let phi = start + step * i as f32;
        let (sin, cos) = phi.sin_cos();
        let px = cx + baseline_r * sin;
        let py = cy - baseline_r * cos;
        // Rotate clockwise by phi (y points down) after squeezing x.
        let transform = Transform::from_row(cos * squeeze, sin * squeeze, -sin, cos, px, py);
        let advance = font.char_width(*ch, size);
        ops.push(Op::Text {
            x: -advance / 2.0,
            y: 0.0,
            size,
            text: ch.to_string(),
            color: SEAL_RED,
            transform: Some(transform),
        });
    }
}

fn circle(cx: f32, cy: f32, r: f32) -> Option<krilla::geom::Path> {
    // Four cubic Béziers; k is the usual 4/3·tan(π/8).
    let k = 0.552_284_8 * r;
    let mut pb = PathBuilder::new();
    pb.move_to(cx + r, cy);
    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    pb.close();
    pb.finish()
}

/// A five-pointed star with one point up.
fn star(cx: f32, cy: f32, r: f32) -> Option<krilla::geom::Path> {
    let inner = r * 0.382;
    let mut pb = PathBuilder::new();
    for i in 0..10 {
        let radius = if i % 2 == 0 { r } else { inner };
        let angle = -PI / 2.0 + i as f32 * PI / 5.0;
        let (x, y) = (cx + radius * angle.cos(), cy + radius * angle.sin());
        if i == 0 {
            pb.move_to(x, y);
        } else {
            pb.line_to(x, y);
        }
    }
    pb.close();
    pb.finish()
}
