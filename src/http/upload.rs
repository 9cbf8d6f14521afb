//! An uploaded file: the raw request body, or the first file field of a
//! `multipart/form-data` form (what a browser's upload form sends, no JavaScript).

use actix_multipart::Multipart;
use actix_web::{web, HttpMessage, HttpRequest};
use futures_util::StreamExt;

use crate::services::ServiceError;

fn too_large(limit: usize) -> ServiceError {
    ServiceError::field(
        "pdf",
        format!("the file is larger than {} MB", limit >> 20),
        format!("文件超过 {} MB", limit >> 20),
    )
}

/// Read at most `limit` bytes of the upload.
pub async fn read(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, ServiceError> {
    let multipart = req.content_type().starts_with("multipart/form-data");
    let mut out = Vec::new();
    if !multipart {
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| ServiceError::field("pdf", e.to_string(), "上传失败"))?;
            if out.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            out.extend_from_slice(&chunk);
        }
        return Ok(out);
    }
    let mut form = Multipart::new(req.headers(), payload.into_inner());
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| ServiceError::field("pdf", e.to_string(), "上传内容无法读取"))?;
        let is_file = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .is_some();
        if !is_file {
            while field.next().await.is_some() {}
            continue;
        }
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| ServiceError::field("pdf", e.to_string(), "上传失败"))?;
            if out.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            out.extend_from_slice(&chunk);
        }
        return Ok(out);
    }
    Err(ServiceError::field(
        "pdf",
        "choose a PDF file",
        "请选择 PDF 文件",
    ))
}
