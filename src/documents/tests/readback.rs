//! Reading a PDF back as a person would, with pure-Rust crates only (dev-dependencies),
//! so these checks run on every machine and never skip: the text (`pdf-extract`, which
//! follows the ToUnicode map krilla writes for the CJK subset), where a word sits on
//! the page, the page as a picture (`hayro`), the QR code on it (`rqrr`) and the fonts
//! it embeds (`lopdf`, through `pdf-extract`).
//!
//! Shared by the library's unit tests and the integration tests (`#[path]` include),
//! so every helper here is used by some but not all of them.
#![allow(dead_code)]

use pdf_extract::{Document, MediaBox, Object, OutputDev, OutputError, Transform};

/// One glyph as placed on a page: its character and its box in points, top-left origin
/// (the convention `pdftotext -bbox` used).
#[derive(Debug, Clone)]
pub struct Glyph {
    pub page: usize,
    pub ch: String,
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

#[derive(Default)]
struct Collect {
    page: usize,
    height: f64,
    glyphs: Vec<Glyph>,
}

impl OutputDev for Collect {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page = page_num as usize;
        self.height = media_box.ury - media_box.lly;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), OutputError> {
        // The text rendering matrix maps text space to the page; the font size is apart.
        let size = (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt() * font_size.abs();
        let (x, baseline) = (trm.m31, self.height - trm.m32);
        self.glyphs.push(Glyph {
            page: self.page,
            ch: ch.to_string(),
            x0: x as f32,
            y0: (baseline - 0.9 * size) as f32,
            x1: (x + width * size) as f32,
            y1: (baseline + 0.2 * size) as f32,
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

fn document(pdf: &[u8]) -> Document {
    match Document::load_mem(pdf) {
        Ok(d) => d,
        Err(e) => panic!("the PDF does not load: {e}"),
    }
}

/// Every glyph of every page, in content-stream order.
pub fn glyphs(pdf: &[u8]) -> Vec<Glyph> {
    let mut out = Collect::default();
    if let Err(e) = pdf_extract::output_doc(&document(pdf), &mut out) {
        panic!("cannot read the PDF's text: {e}");
    }
    out.glyphs
}

/// The text, a line per baseline and pages separated by a form feed (as `pdftotext`
/// printed it). Callers mostly compare with whitespace removed.
pub fn text(pdf: &[u8]) -> String {
    let mut out = String::new();
    let mut last: Option<&Glyph> = None;
    let all = glyphs(pdf);
    for g in &all {
        if let Some(prev) = last {
            if g.page != prev.page {
                out.push('\u{c}');
            } else if (g.y1 - prev.y1).abs() > 2.0 || g.x0 + 1.0 < prev.x0 {
                out.push('\n');
            } else if g.x0 > prev.x1 + 2.0 {
                out.push(' ');
            }
        }
        out.push_str(&g.ch);
        last = Some(g);
    }
    out.push('\u{c}');
    out
}

/// The text with all whitespace removed, the form the content checks compare against.
pub fn flat_text(pdf: &[u8]) -> String {
    text(pdf).split_whitespace().collect()
}

/// The box (points, top-left origin) of the first word (white-space delimited, as
/// `pdftotext -bbox` has it) containing `needle` on `page` (0-based).
///
/// pdf-extract places every glyph of one text-showing operator at the operator's start
/// (it finds no advance widths in krilla's CID fonts), so the PDF gives where each run
/// begins and its size, and `measure(text, size)` — the metrics of the font that laid it
/// out — gives how far into the run the needle starts and how wide it is.
pub fn word_box(
    pdf: &[u8],
    page: usize,
    needle: &str,
    measure: &dyn Fn(&str, f32) -> f32,
) -> (f32, f32, f32, f32) {
    let all: Vec<Glyph> = glyphs(pdf)
        .into_iter()
        .filter(|g| g.page == page + 1)
        .collect();
    let mut start = 0;
    while start < all.len() {
        let head = &all[start];
        let end = start
            + all[start..]
                .iter()
                .take_while(|g| (g.x0 - head.x0).abs() < 0.01 && (g.y1 - head.y1).abs() < 0.01)
                .count();
        let run: String = all[start..end].iter().map(|g| g.ch.as_str()).collect();
        if let Some(at) = run.find(needle) {
            // The whole word around it, as far as the next white space either side.
            let from = run[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
            let to = run[at..]
                .find(char::is_whitespace)
                .map_or(run.len(), |i| at + i);
            let size = (head.y1 - head.y0) / 1.1;
            let x0 = head.x0 + measure(&run[..from], size);
            return (x0, head.y0, x0 + measure(&run[from..to], size), head.y1);
        }
        start = end;
    }
    panic!("no {needle} on page {}", page + 1)
}

/// A page rendered at `dpi`, as RGB on white.
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Raster {
    /// Render page `page` (0-based) with hayro.
    pub fn render(pdf: &[u8], page: usize, dpi: f32) -> Raster {
        use hayro::hayro_interpret::InterpreterSettings;
        use hayro::hayro_syntax::Pdf;
        use hayro::vello_cpu::color::palette::css::WHITE;
        use hayro::{render, PixmapSettings, RenderCache, RenderSettings};
        let doc = match Pdf::new(pdf.to_vec()) {
            Ok(d) => d,
            Err(e) => panic!("hayro cannot load the PDF: {e:?}"),
        };
        let pages = doc.pages();
        let Some(p) = pages.get(page) else {
            panic!("no page {page}")
        };
        let scale = dpi / 72.0;
        let settings = PixmapSettings {
            x_scale: scale,
            y_scale: scale,
            bg_color: WHITE,
        };
        let cache = RenderCache::new();
        let pixmap = render(
            p,
            &cache,
            &InterpreterSettings::default(),
            &RenderSettings::default(),
            &settings,
        );
        // On an opaque white background premultiplied RGBA is plain RGBA.
        let rgb = pixmap
            .data_as_u8_slice()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        Raster {
            width: usize::from(pixmap.width()),
            height: usize::from(pixmap.height()),
            rgb,
        }
    }

    /// The picture as a binary PPM, for a person to look at.
    pub fn ppm(&self) -> Vec<u8> {
        let mut out = format!("P6\n{} {}\n255\n", self.width, self.height).into_bytes();
        out.extend_from_slice(&self.rgb);
        out
    }

    /// How many pixels of the box (x0, y0, x1, y1) pass `test`.
    pub fn count(
        &self,
        (x0, y0, x1, y1): (f32, f32, f32, f32),
        test: impl Fn(u8, u8, u8) -> bool,
    ) -> usize {
        let clamp = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
        let mut n = 0;
        for y in clamp(y0, self.height)..clamp(y1, self.height) {
            for x in clamp(x0, self.width)..clamp(x1, self.width) {
                let i = (y * self.width + x) * 3;
                if test(self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]) {
                    n += 1;
                }
            }
        }
        n
    }

    /// The QR codes found on the picture, decoded.
    pub fn qr_codes(&self) -> Vec<String> {
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(self.width, self.height, |x, y| {
                let i = (y * self.width + x) * 3;
                let sum = u16::from(self.rgb[i])
                    + u16::from(self.rgb[i + 1])
                    + u16::from(self.rgb[i + 2]);
                (sum / 3) as u8
            });
        img.detect_grids()
            .into_iter()
            .filter_map(|g| g.decode().ok().map(|(_, s)| s))
            .collect()
    }
}

/// The QR codes on page `page` (0-based), rendered at 150 dpi and decoded.
pub fn qr_codes(pdf: &[u8], page: usize) -> Vec<String> {
    Raster::render(pdf, page, 150.0).qr_codes()
}

/// A font the PDF uses, as `pdffonts` listed it.
#[derive(Debug)]
pub struct FontInfo {
    pub name: String,
    /// `Type0/CIDFontType2` for a CID TrueType font.
    pub kind: String,
    pub embedded: bool,
    /// A subset carries a six-letter tag: `ABCDEF+Name`.
    pub subset: bool,
    pub to_unicode: bool,
}

/// Every font dictionary in the file.
pub fn fonts(pdf: &[u8]) -> Vec<FontInfo> {
    let doc = document(pdf);
    let name = |d: &pdf_extract::Dictionary, key: &[u8]| -> String {
        d.get(key)
            .ok()
            .and_then(|o| o.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default()
    };
    let deref = |o: &Object| -> Option<pdf_extract::Dictionary> {
        match o {
            Object::Reference(r) => doc.get_dictionary(*r).ok().cloned(),
            Object::Dictionary(d) => Some(d.clone()),
            Object::Array(a) => a.first().and_then(|o| match o {
                Object::Reference(r) => doc.get_dictionary(*r).ok().cloned(),
                Object::Dictionary(d) => Some(d.clone()),
                _ => None,
            }),
            _ => None,
        }
    };
    let mut out = Vec::new();
    for obj in doc.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        if name(d, b"Type") != "Font" || name(d, b"Subtype") == "CIDFontType2" {
            continue;
        }
        let subtype = name(d, b"Subtype");
        let descendant = d.get(b"DescendantFonts").ok().and_then(deref);
        let kind = match &descendant {
            Some(c) => format!("{subtype}/{}", name(c, b"Subtype")),
            None => subtype,
        };
        let described = descendant.as_ref().unwrap_or(d);
        let descriptor = described.get(b"FontDescriptor").ok().and_then(deref);
        let embedded = descriptor.is_some_and(|fd| {
            [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                .iter()
                .any(|k| fd.has(k))
        });
        let base = name(d, b"BaseFont");
        let subset = base.len() > 7
            && base.as_bytes()[6] == b'+'
            && base.bytes().take(6).all(|b| b.is_ascii_uppercase());
        out.push(FontInfo {
            name: base,
            kind,
            embedded,
            subset,
            to_unicode: d.has(b"ToUnicode"),
        });
    }
    out
}
