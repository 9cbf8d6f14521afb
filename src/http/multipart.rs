//! A small `multipart/form-data` reader (RFC 7578) for claim document uploads: the
//! body is read with a size cap first, then split on the boundary. Enough for
//! browsers and HTTP clients sending a few fields and one file.

use actix_web::web;
use futures_util::StreamExt;

/// One part of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultipartError {
    #[error("the request is not multipart/form-data (no boundary)")]
    NotMultipart,
    #[error("the upload is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the multipart body is malformed: {0}")]
    Malformed(&'static str),
    #[error("the upload was interrupted")]
    Interrupted,
}

/// The boundary from a `Content-Type: multipart/form-data; boundary=…` header.
pub fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

/// Read the whole body, refusing more than `max` bytes.
pub async fn read_body(mut payload: web::Payload, max: usize) -> Result<Vec<u8>, MultipartError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| MultipartError::Interrupted)?;
        if body.len() + chunk.len() > max {
            return Err(MultipartError::TooLarge(max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// `name="x"; filename="y"` → the value of `key`.
fn param(disposition: &str, key: &str) -> Option<String> {
    disposition.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim().trim_matches('"').to_string())
    })
}

pub fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, MultipartError> {
    let delim = format!("--{boundary}").into_bytes();
    let mut at =
        find(body, &delim, 0).ok_or(MultipartError::Malformed("no first boundary"))? + delim.len();
    let mut parts = Vec::new();
    loop {
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[at..].starts_with(b"\r\n") {
            return Err(MultipartError::Malformed(
                "boundary not followed by a line break",
            ));
        }
        at += 2;
        let head_end =
            find(body, b"\r\n\r\n", at).ok_or(MultipartError::Malformed("part without headers"))?;
        let head = std::str::from_utf8(&body[at..head_end])
            .map_err(|_| MultipartError::Malformed("headers are not UTF-8"))?;
        let disposition = head
            .split("\r\n")
            .find_map(|line| {
                let (k, v) = line.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("content-disposition")
                    .then(|| v.trim().to_string())
            })
            .ok_or(MultipartError::Malformed(
                "part without Content-Disposition",
            ))?;
        let name =
            param(&disposition, "name").ok_or(MultipartError::Malformed("part without a name"))?;
        let filename = param(&disposition, "filename");
        let data_start = head_end + 4;
        let mut end_marker = b"\r\n".to_vec();
        end_marker.extend_from_slice(&delim);
        let data_end = find(body, &end_marker, data_start)
            .ok_or(MultipartError::Malformed("unterminated part"))?;
        parts.push(Part {
            name,
            filename,
            data: body[data_start..data_end].to_vec(),
        });
        at = data_end + end_marker.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_a_binary_file() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\nclaim_form\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\xe7\xb4\xa2\xe8\xb5\x94.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n\x00\xff--X\r\n--XyZ--\r\n";
        let parts = parse(body, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "code");
        assert_eq!(parts[0].data, b"claim_form");
        assert_eq!(parts[1].filename.as_deref(), Some("索赔.pdf"));
        assert_eq!(parts[1].data, b"%PDF-1.7\r\n\x00\xff--X");
    }

    #[test]
    fn boundary_comes_from_the_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc\"").as_deref(),
            Some("abc")
        );
        assert_eq!(boundary("application/json"), None);
    }

    #[test]
    fn a_truncated_body_is_malformed() {
        let body = b"--B\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nabc";
        assert!(parse(body, "B").is_err());
        assert!(parse(b"nothing", "B").is_err());
    }
}
