//! Uploaded files are parsed, not only sniffed (上传文件校验): a PDF must load as a PDF
//! (`lopdf`), a PNG or JPEG must decode (`png`, `zune-jpeg`; pure Rust, no system library),
//! and a file that is also another format — a polyglot such as PDF + ZIP, `%PDF-` + HTML or
//! PNG + HTML — is refused, because a browser, an archive tool or a mail filter would read
//! the other format out of the same bytes.

/// Why an upload is refused (the reason in English and Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub en: &'static str,
    pub zh: &'static str,
}

const NOT_PDF: Refusal = Refusal {
    en: "the file starts like a PDF but is not a readable PDF",
    zh: "文件开头像 PDF，但无法作为 PDF 读取",
};
const NOT_IMAGE: Refusal = Refusal {
    en: "the file starts like an image but cannot be decoded as one",
    zh: "文件开头像图片，但无法解码为图片",
};
const POLYGLOT_ZIP: Refusal = Refusal {
    en: "the file is also a ZIP archive (a polyglot file): not accepted",
    zh: "文件同时是 ZIP 压缩包（多格式混合文件），不予接受",
};
const POLYGLOT_HTML: Refusal = Refusal {
    en: "the file also contains a web page or script (a polyglot file): not accepted",
    zh: "文件中夹带网页或脚本（多格式混合文件），不予接受",
};
const TRAILING: Refusal = Refusal {
    en: "the image has data after its end (a polyglot file): not accepted",
    zh: "图片结束标记后还有其他数据（多格式混合文件），不予接受",
};

/// Check the bytes of a file sniffed as `content_type`.
pub fn check(content_type: &str, bytes: &[u8]) -> Result<(), Refusal> {
    // What browsers sniff: markup near the start.
    let head = &bytes[..bytes.len().min(1024)];
    if looks_like_html(head) {
        return Err(POLYGLOT_HTML);
    }
    // Where ZIP readers look for the end of central directory: the last 64 KiB + 22 bytes.
    let tail = &bytes[bytes.len().saturating_sub(65_557)..];
    if contains(tail, b"PK\x05\x06") {
        return Err(POLYGLOT_ZIP);
    }
    let end = match content_type {
        "application/pdf" => pdf_end(bytes)?,
        "image/png" => png_end(bytes)?,
        "image/jpeg" => jpeg_end(bytes)?,
        _ => return Ok(()),
    };
    // Anything after the format's own end is another file riding along.
    let after = &bytes[end.min(bytes.len())..];
    if after.iter().all(u8::is_ascii_whitespace) || after.iter().all(|b| *b == 0) {
        Ok(())
    } else if contains(after, b"PK\x03\x04") {
        Err(POLYGLOT_ZIP)
    } else if looks_like_html(after) {
        Err(POLYGLOT_HTML)
    } else {
        Err(TRAILING)
    }
}

fn looks_like_html(bytes: &[u8]) -> bool {
    const HTML: [&[u8]; 7] = [
        b"<html",
        b"<script",
        b"<!doctype html",
        b"<body",
        b"<iframe",
        b"<svg",
        b"javascript:",
    ];
    let lower: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
    HTML.iter().any(|m| contains(&lower, m))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Loads as a PDF; ends after its last `%%EOF` (incremental updates end with one too).
fn pdf_end(bytes: &[u8]) -> Result<usize, Refusal> {
    lopdf::Document::load_mem(bytes).map_err(|_| NOT_PDF)?;
    bytes
        .windows(5)
        .rposition(|w| w == b"%%EOF")
        .map(|i| i + 5)
        .ok_or(NOT_PDF)
}

/// Decodes its image; ends after the IEND chunk.
fn png_end(bytes: &[u8]) -> Result<usize, Refusal> {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().map_err(|_| NOT_IMAGE)?;
    let size = reader.output_buffer_size().ok_or(NOT_IMAGE)?;
    // A decompression bomb stops here: 800 MiB of pixels at most.
    if size > 800 << 20 {
        return Err(NOT_IMAGE);
    }
    let mut buf = vec![0; size];
    reader.next_frame(&mut buf).map_err(|_| NOT_IMAGE)?;
    bytes
        .windows(8)
        .rposition(|w| &w[4..] == b"IEND")
        // length (4) + type (4) + CRC (4) from the chunk's start.
        .map(|i| i + 12)
        .ok_or(NOT_IMAGE)
}

/// Decodes; ends after the last EOI marker.
fn jpeg_end(bytes: &[u8]) -> Result<usize, Refusal> {
    let cursor = zune_jpeg::zune_core::bytestream::ZCursor::new(bytes);
    let mut decoder = zune_jpeg::JpegDecoder::new(cursor);
    decoder.decode().map_err(|_| NOT_IMAGE)?;
    bytes
        .windows(2)
        .rposition(|w| w == [0xff, 0xd9])
        .map(|i| i + 2)
        .ok_or(NOT_IMAGE)
}

/// Small valid files (built, not shipped as binaries): for the tests of this module and
/// of the HTTP suite.
pub mod samples {
    /// A one-page PDF written by lopdf.
    pub fn pdf() -> Vec<u8> {
        use lopdf::{dictionary, Document, Object, Stream};
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let content = Stream::new(dictionary! {}, b"BT ET".to_vec());
        let content_id = doc.add_object(content);
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => vec![page_id.into()],
                "Count" => 1,
            }),
        );
        let catalog_id = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        let _ = doc.save_to(&mut out);
        out
    }

    /// A 2 × 2 grey PNG.
    pub fn png() -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, 2, 2);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Eight);
            if let Ok(mut w) = enc.write_header() {
                let _ = w.write_image_data(&[0, 64, 128, 255]);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_files_pass() {
        assert_eq!(check("application/pdf", &samples::pdf()), Ok(()));
        assert_eq!(check("image/png", &samples::png()), Ok(()));
    }

    #[test]
    fn a_header_alone_is_not_a_file() {
        assert_eq!(check("application/pdf", b"%PDF-1.7 x"), Err(NOT_PDF));
        assert_eq!(
            check("image/png", b"\x89PNG\r\n\x1a\nnot really"),
            Err(NOT_IMAGE)
        );
        assert_eq!(check("image/jpeg", b"\xff\xd8\xff\xe0x"), Err(NOT_IMAGE));
    }

    #[test]
    fn polyglots_are_refused_with_a_bilingual_reason() {
        let mut pdf_zip = samples::pdf();
        pdf_zip.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00payload.exe");
        assert_eq!(check("application/pdf", &pdf_zip), Err(POLYGLOT_ZIP));
        let mut pdf_html = samples::pdf();
        pdf_html.extend_from_slice(b"<HTML><script>alert(1)</script>");
        assert_eq!(check("application/pdf", &pdf_html), Err(POLYGLOT_HTML));
        let head_html = b"%PDF-1.7\n<html><script>alert(1)</script>\n%%EOF\n";
        assert_eq!(check("application/pdf", head_html), Err(POLYGLOT_HTML));
        let mut png_html = samples::png();
        png_html.extend_from_slice(b"<html><body>x</body></html>");
        assert_eq!(check("image/png", &png_html), Err(POLYGLOT_HTML));
        let mut png_tail = samples::png();
        png_tail.extend_from_slice(b"extra bytes");
        assert_eq!(check("image/png", &png_tail), Err(TRAILING));
        assert!(POLYGLOT_ZIP.zh.contains("多格式"));
    }
}
