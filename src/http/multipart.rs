//! Reading `multipart/form-data` (RFC 7578) with `actix-multipart`: text fields and
//! files, streamed with caps on each file, on the whole body and on the number of
//! files, so an upload can never take more memory than the caps allow. The part
//! headers are parsed by actix (quoted names such as `filename="a;b.pdf"` and RFC 5987
//! `filename*=UTF-8''…` included).

use actix_multipart::Multipart;
use actix_web::{web, HttpMessage, HttpRequest};
use futures_util::StreamExt;

/// A file part as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePart {
    /// The form field it came in.
    pub name: String,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A whole form: its text fields in order, and its files in order.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub fields: Vec<(String, String)>,
    pub files: Vec<FilePart>,
}

impl Form {
    /// The first value of a text field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every value of a text field, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// How much a form may carry.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_file: usize,
    pub total: usize,
    pub max_files: usize,
}

/// A text field is a few lines at most (a note, a code, a token).
const MAX_FIELD: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultipartError {
    #[error("the request is not multipart/form-data")]
    NotMultipart,
    #[error("{0}: the file is larger than {1} bytes")]
    FileTooLarge(String, usize),
    #[error("the upload is larger than {0} bytes")]
    TooLarge(usize),
    #[error("at most {0} files at once")]
    TooManyFiles(usize),
    #[error("the form field '{0}' is too long")]
    FieldTooLong(String),
    #[error("the multipart body is malformed: {0}")]
    Malformed(String),
}

impl MultipartError {
    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            MultipartError::NotMultipart => "请求不是文件上传表单（multipart/form-data）".into(),
            MultipartError::FileTooLarge(name, max) => {
                format!("{name}：文件超过 {max} 字节的上限")
            }
            MultipartError::TooLarge(max) => format!("上传内容超过 {max} 字节的上限"),
            MultipartError::TooManyFiles(n) => format!("每次最多上传 {n} 个文件"),
            MultipartError::FieldTooLong(name) => format!("表单字段“{name}”过长"),
            MultipartError::Malformed(e) => format!("上传内容无法读取：{e}"),
        }
    }
}

/// Read the form. A file input left empty (no name, no bytes) is skipped.
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    limits: Limits,
) -> Result<Form, MultipartError> {
    if !req
        .content_type()
        .eq_ignore_ascii_case("multipart/form-data")
    {
        return Err(MultipartError::NotMultipart);
    }
    let mut parts = Multipart::new(req.headers(), payload.into_inner());
    let mut form = Form::default();
    let mut total = 0usize;
    while let Some(field) = parts.next().await {
        let mut field = field.map_err(|e| MultipartError::Malformed(e.to_string()))?;
        let (name, filename) = match field.content_disposition() {
            Some(d) => (
                d.get_name().unwrap_or_default().to_string(),
                d.get_filename().map(str::to_string),
            ),
            None => (String::new(), None),
        };
        let cap = match &filename {
            Some(_) => limits.per_file,
            None => MAX_FIELD,
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| MultipartError::Malformed(e.to_string()))?;
            total += chunk.len();
            if total > limits.total {
                return Err(MultipartError::TooLarge(limits.total));
            }
            if bytes.len() + chunk.len() > cap {
                return Err(match &filename {
                    Some(f) => MultipartError::FileTooLarge(f.clone(), limits.per_file),
                    None => MultipartError::FieldTooLong(name),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        match filename {
            Some(f) if f.is_empty() && bytes.is_empty() => {}
            Some(filename) => {
                if form.files.len() == limits.max_files {
                    return Err(MultipartError::TooManyFiles(limits.max_files));
                }
                form.files.push(FilePart {
                    name,
                    filename,
                    bytes,
                });
            }
            None => form
                .fields
                .push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    Ok(form)
}
