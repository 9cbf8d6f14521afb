//! The document font: loaded once, measured without shaping, embedded as a subset.
//!
//! Chinese documents need no complex shaping (no ligatures, no contextual forms), so a
//! character maps to one glyph and its advance is read from the font's `hmtx` table.
//! That gives exact widths for wrapping and centring — krilla's own `draw_text` neither
//! measures nor wraps — and avoids running a shaper on every line.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use super::DocumentError;

/// The font shipped with firstcover: WenQuanYi Micro Hei (文泉驿微米黑), Apache-2.0.
pub const DEFAULT_FONT_PATH: &str = "assets/fonts/wqy-microhei.ttc";

/// Where the document font comes from (configuration: an insurer may point this at
/// Noto Sans CJK or its house font).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FontSource {
    pub path: PathBuf,
    /// Face index inside a collection (`.ttc`); 0 for a plain `.ttf`/`.otf`.
    #[serde(default)]
    pub face_index: u32,
}

impl Default for FontSource {
    fn default() -> Self {
        // Relative to the working directory when started from the project, else the copy
        // beside the sources, so `serve` works from any directory.
        let local = PathBuf::from(DEFAULT_FONT_PATH);
        let path = if local.is_file() {
            local
        } else {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_FONT_PATH)
        };
        FontSource {
            path,
            face_index: 0,
        }
    }
}

/// A glyph and its advance in em.
#[derive(Debug, Clone, Copy)]
struct GlyphInfo {
    id: u32,
    advance: f32,
}

/// A loaded font with a character → glyph table; share it as `Arc<DocumentFont>`.
pub struct DocumentFont {
    font: Font,
    glyphs: HashMap<char, GlyphInfo>,
    notdef_advance: f32,
    ascent: f32,
    descent: f32,
    source: FontSource,
}

impl std::fmt::Debug for DocumentFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentFont")
            .field("source", &self.source)
            .field("characters", &self.glyphs.len())
            .finish()
    }
}

impl DocumentFont {
    /// Read and index the font file. Do this once at start-up: the default font is
    /// 5 MB and indexing its ~28,000 characters takes a few milliseconds.
    pub fn load(source: &FontSource) -> Result<Arc<DocumentFont>, DocumentError> {
        let data = std::fs::read(&source.path).map_err(|e| DocumentError::FontRead {
            path: source.path.clone(),
            source: e,
        })?;
        DocumentFont::from_bytes(data, source.clone()).map(Arc::new)
    }

    /// The bundled default font, relative to the working directory.
    pub fn load_default() -> Result<Arc<DocumentFont>, DocumentError> {
        DocumentFont::load(&FontSource::default())
    }

    fn from_bytes(data: Vec<u8>, source: FontSource) -> Result<DocumentFont, DocumentError> {
        let invalid = |why: &str| DocumentError::FontInvalid {
            path: source.path.clone(),
            why: why.to_string(),
        };
        let data = Arc::new(data);
        let face = FontRef::from_index(data.as_slice(), source.face_index)
            .map_err(|_| invalid("not an OpenType font or no such face"))?;
        let metrics = face.metrics(Size::unscaled(), LocationRef::default());
        let upem = f32::from(metrics.units_per_em.max(1));
        let advances = face.glyph_metrics(Size::unscaled(), LocationRef::default());
        let glyphs: HashMap<char, GlyphInfo> = face
            .charmap()
            .mappings()
            .filter_map(|(cp, gid)| {
                let ch = char::from_u32(cp)?;
                let advance = advances.advance_width(gid).unwrap_or(0.0) / upem;
                Some((
                    ch,
                    GlyphInfo {
                        id: gid.to_u32(),
                        advance,
                    },
                ))
            })
            .collect();
        if !glyphs.contains_key(&'中') {
            return Err(invalid("the font has no CJK characters"));
        }
        let notdef_advance = advances
            .advance_width(skrifa::GlyphId::NOTDEF)
            .unwrap_or(0.5 * upem)
            / upem;
        let font = Font::new(krilla::Data::from(data.clone()), source.face_index)
            .ok_or_else(|| invalid("krilla cannot read the font"))?;
        Ok(DocumentFont {
            font,
            glyphs,
            notdef_advance,
            ascent: metrics.ascent / upem,
            descent: -metrics.descent.abs() / upem,
            source,
        })
    }

    pub fn source(&self) -> &FontSource {
        &self.source
    }

    pub(crate) fn krilla_font(&self) -> Font {
        self.font.clone()
    }

    /// Height above the baseline, in points at `size`.
    pub fn ascent(&self, size: f32) -> f32 {
        self.ascent * size
    }

    /// Depth below the baseline (positive), in points at `size`.
    pub fn descent(&self, size: f32) -> f32 {
        -self.descent * size
    }

    /// Width of one character in points; characters the font lacks measure as `.notdef`.
    pub fn char_width(&self, ch: char, size: f32) -> f32 {
        self.glyphs
            .get(&ch)
            .map_or(self.notdef_advance, |g| g.advance)
            * size
    }

    /// Width of a single line of text in points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_width(c, size)).sum()
    }

    /// The first character the font cannot draw, if any. Documents refuse such text
    /// rather than print an empty box in a name or an amount.
    pub fn missing_char(&self, text: &str) -> Option<char> {
        text.chars().find(|c| !self.glyphs.contains_key(c))
    }

    /// Glyphs for one line, each mapped back to its character for copy and search.
    pub(crate) fn glyph_run(&self, text: &str) -> Result<Vec<KrillaGlyph>, DocumentError> {
        text.char_indices()
            .map(|(i, ch)| {
                let g = self
                    .glyphs
                    .get(&ch)
                    .ok_or_else(|| DocumentError::MissingGlyph {
                        ch,
                        text: text.to_string(),
                    })?;
                Ok(KrillaGlyph::new(
                    GlyphId::new(g.id),
                    g.advance,
                    0.0,
                    0.0,
                    0.0,
                    i..i + ch.len_utf8(),
                    None,
                ))
            })
            .collect()
    }
}
