//! HTTP: parses requests, calls a service, renders JSON or a page. No business rules here.

pub mod api;
pub mod client_addr;
pub mod i18n;
pub mod idempotent;
pub mod identity;
pub mod labels;
pub mod metrics;
pub mod multipart;
pub mod pages;
pub mod problem;
pub mod ratelimit;
pub mod security_headers;
pub mod upload;

use actix_web::{web, HttpResponse};

/// Shared by every request.
pub struct AppState {
    /// Database, clause library, configuration, document kit and clock: the owned pieces of
    /// the service context, reached as `st.db`, `st.config`, `st.clock`… (`Deref`).
    pub services: crate::services::Services,
    pub metrics: metrics::Metrics,
    /// Public certificate lookups per client IP.
    pub verify_limiter: ratelimit::RateLimiter,
    /// Health of the background jobs (empty when none run, e.g. in API tests).
    pub jobs: crate::runtime::Health,
}

impl std::ops::Deref for AppState {
    type Target = crate::services::Services;

    fn deref(&self) -> &crate::services::Services {
        &self.services
    }
}

impl AppState {
    /// The owned pieces of the context, for work that outlives the request (a streamed
    /// export, an import job).
    pub fn services(&self) -> crate::services::Services {
        self.services.clone()
    }

    /// The service context every use case takes (服务上下文).
    pub fn ctx(&self) -> crate::services::Ctx<'_> {
        self.services.ctx()
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

fn pages_not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain")
        .body("not found")
}

/// The process is up.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The database answers and every migration is applied.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ready().await {
        Ok(true) => jobs_readiness(&state.jobs),
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

/// Ready, with one line per background job; 503 while a job is restarting after a crash.
fn jobs_readiness(jobs: &crate::runtime::Health) -> HttpResponse {
    let mut body = String::from("ready");
    for (job, h) in jobs.snapshot() {
        body.push_str(&format!(
            "\njob {job}: {} (restarts {}, failed passes {})",
            h.state, h.restarts, h.failed_passes
        ));
    }
    if jobs.all_running() {
        HttpResponse::Ok().content_type("text/plain").body(body)
    } else {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body(body.replacen("ready", "degraded", 1))
    }
}

/// Per-job gauges and counters in the Prometheus text format.
fn jobs_metrics(jobs: &crate::runtime::Health) -> String {
    let all = jobs.snapshot();
    if all.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "# HELP firstcover_job_up 1 while the background job is running.\n# TYPE firstcover_job_up gauge\n",
    );
    for (job, h) in &all {
        out.push_str(&format!(
            "firstcover_job_up{{job=\"{job}\"}} {}\n",
            i32::from(h.state == "running")
        ));
    }
    out.push_str("# HELP firstcover_job_restarts_total Times the job panicked or ended and was restarted.\n# TYPE firstcover_job_restarts_total counter\n");
    for (job, h) in &all {
        out.push_str(&format!(
            "firstcover_job_restarts_total{{job=\"{job}\"}} {}\n",
            h.restarts
        ));
    }
    out.push_str("# HELP firstcover_job_failed_passes_total Passes of the job that ended in an error.\n# TYPE firstcover_job_failed_passes_total counter\n");
    for (job, h) in &all {
        out.push_str(&format!(
            "firstcover_job_failed_passes_total{{job=\"{job}\"}} {}\n",
            h.failed_passes
        ));
    }
    out
}

async fn metrics_text(req: actix_web::HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    // Off unless configured; with a token, only for whoever holds it.
    let sec = &state.config.security;
    match &sec.metrics_token {
        Some(token) => {
            let sent = req
                .headers()
                .get(actix_web::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if !crate::services::auth::same_secret(sent, token.expose()) {
                return HttpResponse::Unauthorized()
                    .insert_header(("WWW-Authenticate", "Bearer"))
                    .content_type("text/plain")
                    .body("metrics need the configured bearer token");
            }
        }
        None if !sec.metrics_enabled => return pages_not_found(),
        None => {}
    }
    let ready = i64::from(matches!(state.db.ready().await, Ok(true)));
    // Counted up to 1,001 (a range of the queue index): 1001 means more than 1,000.
    let overdue = crate::services::claims::overdue_count(&state.ctx())
        .await
        .map(|t| if t.exact { t.count } else { t.count + 1 })
        .unwrap_or(-1);
    let body = state.metrics.render(&[
        ("firstcover_ready", "1 when the database is ready.", ready),
        (
            "firstcover_claims_overdue",
            "Open claims with an overdue statutory clock (Insurance Law arts. 23, 25), counted up to 1001 (more than 1000); -1 if unknown.",
            overdue,
        ),
    ]);
    let body = body + &jobs_metrics(&state.jobs);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}
