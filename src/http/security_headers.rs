//! Response headers every answer gets (安全响应头): a strict Content-Security-Policy (the
//! pages have no inline script or style; the stylesheet is a file), HSTS when served over
//! HTTPS, and `Cache-Control: no-store` on every answer to a request that carried
//! credentials (a session cookie or a bearer token), JSON and downloads included, so no
//! shared or browser cache keeps a policyholder's data.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// Scripts, styles, images, forms and frames from this site only; no plugins; nobody may
/// frame us. `data:` images for the inline SVG/QR pictures.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

fn carries_credentials(req: &actix_web::HttpRequest) -> bool {
    req.headers().contains_key(header::AUTHORIZATION)
        || req.cookie(crate::http::identity::SESSION_COOKIE).is_some()
}

pub async fn apply(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let hsts = req
        .app_data::<actix_web::web::Data<super::AppState>>()
        .map(|st| st.config.hsts())
        .unwrap_or(false);
    let mut res = next.call(req).await?;
    let authenticated = carries_credentials(res.request());
    let headers = res.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    // Public assets (the stylesheet) say `public` themselves and stay cacheable.
    let public = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"));
    if authenticated && !public {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
