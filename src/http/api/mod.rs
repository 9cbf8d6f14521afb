//! The JSON API under `/api/v1`, described by OpenAPI at `/api/v1/openapi.json`
//! with a browsable UI at `/api/docs/` (bundled, works offline).

pub mod annual_reports;
pub mod audit;
pub mod backtests;
pub mod billing;
pub mod catalogue;
pub mod certificates;
pub mod claim_ops;
pub mod claims;
pub mod contract;
pub mod library;
pub mod outbox;
pub mod parties;
pub mod policies;
pub mod subsidy_facts;
pub mod users;

use actix_web::dev::HttpServiceFactory;
use actix_web::web;
use contract::ProblemResponses;
use serde::Serialize;
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::OpenApiFactory;
use utoipa_swagger_ui::SwaggerUi;

/// A page of a keyset-paged list: follow `next` (or `prev`) as `after` for the
/// neighbouring page. `total` is exact when `total_exact`, otherwise a lower bound
/// (counting stops at 1,000).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SeekPage<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub total_exact: bool,
    pub limit: i64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

impl<T> SeekPage<T> {
    pub fn of(p: crate::paging::Paged<T>, limit: Option<i64>) -> SeekPage<T> {
        SeekPage {
            items: p.rows,
            total: p.total.count,
            total_exact: p.total.exact,
            limit: limit.unwrap_or(50).clamp(1, 500),
            next: p.next,
            prev: p.prev,
        }
    }
}

/// The fixed parts of the API's document. Its `paths` (and the schemas they name) are not
/// listed here: they are collected from the registration in [`register`] (see [`openapi`]).
#[derive(OpenApi)]
#[openapi(
    info(title = "firstcover API", version = "1", description = "首台(套)/首批次保险补偿业务系统接口。Amounts are strings in CNY with two decimals; rates are decimal fractions (0.0185 = 1.85 %). Errors are application/problem+json."),
    components(schemas(crate::http::problem::Problem, crate::services::FieldError,
        crate::services::readers::ClientPolicyDetail, crate::services::readers::ClientClaimDetail)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// Every API handler, each registered once, in routing order (a fixed path such as
/// `/claims/queue` before `/claims/{id}`). Each area's `routes` calls `.service(handler)` on
/// utoipa-actix-web's [`ServiceConfig`] with a handler that carries both its actix route
/// (`#[get("/parties")]`, relative to `/api/v1`) and its `#[utoipa::path]`: that one call
/// routes it and adds its operation to the document, so a route cannot be served without
/// being documented or documented without being served. `.service` accepts only such
/// handlers (and utoipa-actix-web scopes of them); `tests/api/contract.rs` checks the rest
/// (no `.route(…)` or `.map(…)` around it).
fn register(cfg: &mut ServiceConfig) {
    cfg.configure(parties::routes)
        .configure(catalogue::routes)
        .configure(users::routes)
        .configure(audit::routes)
        .configure(library::routes)
        .configure(policies::routes)
        .configure(outbox::routes)
        .configure(certificates::routes)
        .configure(billing::routes)
        .configure(claims::routes)
        .configure(backtests::routes)
        .configure(subsidy_facts::routes)
        .configure(annual_reports::routes);
}

/// The `/api/v1` scope and the OpenAPI document generated from it: [`ApiDoc`] with the
/// paths and schemas the registration collected, then the problem responses added to every
/// operation ([`ProblemResponses`]).
fn api_scope() -> (impl HttpServiceFactory, utoipa::openapi::OpenApi) {
    let scope = utoipa_actix_web::scope("/api/v1")
        .configure(register)
        .default_service(web::to(not_found));
    let mut doc = ApiDoc::openapi();
    doc.paths.merge(scope.paths());
    let mut schemas = Vec::new();
    scope.schemas(&mut schemas);
    doc.components
        .get_or_insert_with(utoipa::openapi::Components::new)
        .schemas
        .extend(schemas);
    ProblemResponses.modify(&mut doc);
    (scope, doc)
}

/// The document served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_scope().1
}

/// The Swagger UI (first, so that its `/api/v1/openapi.json` is not taken by the scope's
/// 404) and the `/api/v1` scope.
pub fn routes(cfg: &mut web::ServiceConfig) {
    let (scope, doc) = api_scope();
    cfg.service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/v1/openapi.json", doc))
        .service(scope);
}

async fn not_found(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    crate::http::problem::edge_problem(
        &req,
        actix_web::http::StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        crate::services::Text::new("没有这个 API 路径", "no such API route"),
        vec![],
    )
}

/// `If-Match: "3"` → 3; absent → None (last write wins).
pub fn if_match(req: &actix_web::HttpRequest) -> Option<i64> {
    req.headers()
        .get(actix_web::http::header::IF_MATCH)?
        .to_str()
        .ok()?
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .ok()
}
