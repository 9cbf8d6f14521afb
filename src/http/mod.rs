//! HTTP: parses requests, calls a service, renders JSON or a page. No business rules here.

pub mod api;
pub mod i18n;
pub mod identity;
pub mod labels;
pub mod metrics;
pub mod multipart;
pub mod pages;
pub mod problem;
pub mod ratelimit;
pub mod upload;

use crate::config::Config;
use crate::store::Db;
use actix_web::{web, HttpResponse};
use std::sync::Arc;

/// Shared by every request.
pub struct AppState {
    pub db: Db,
    pub config: Config,
    pub metrics: metrics::Metrics,
    pub library: Arc<crate::library::Library>,
    /// Font, seal and signing key for certificates and schedules.
    pub kit: Arc<crate::services::certificates::DocumentKit>,
    /// Public certificate lookups per client IP.
    pub verify_limiter: ratelimit::RateLimiter,
}

impl AppState {
    /// What the certificate use cases need from the shared state.
    pub fn cert_desk(&self) -> crate::services::certificates::CertDesk<'_> {
        crate::services::certificates::CertDesk {
            db: &self.db,
            library: &self.library,
            config: &self.config,
            kit: &self.kit,
        }
    }

    /// What the underwriting use cases need from the shared state.
    pub fn desk(&self) -> crate::services::underwriting::Desk<'_> {
        crate::services::underwriting::Desk {
            db: &self.db,
            library: &self.library,
            config: &self.config,
        }
    }
}

/// All routes: probes, the JSON API, the pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(1 << 20)
            .error_handler(problem::json_error),
    )
    .app_data(web::QueryConfig::default().error_handler(problem::query_error))
    .app_data(web::PathConfig::default().error_handler(problem::path_error))
    .app_data(web::FormConfig::default().limit(1 << 20))
    .route("/healthz", web::get().to(healthz))
    .route("/readyz", web::get().to(readyz))
    .route("/metrics", web::get().to(metrics_text))
    .configure(api::routes)
    .configure(pages::routes)
    .default_service(web::to(pages::not_found));
}

/// The process is up.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The database answers and every migration is applied.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ready().await {
        Ok(true) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Ok(false) => HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("migrations pending"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unreachable")
        }
    }
}

async fn metrics_text(state: web::Data<AppState>) -> HttpResponse {
    let ready = i64::from(matches!(state.db.ready().await, Ok(true)));
    let overdue = crate::services::claims::overdue_count(&state.db)
        .await
        .unwrap_or(-1);
    let body = state.metrics.render(&[
        ("firstcover_ready", "1 when the database is ready.", ready),
        (
            "firstcover_claims_overdue",
            "Open claims with an overdue statutory clock (Insurance Law arts. 23, 25); -1 if unknown.",
            overdue,
        ),
    ]);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}
