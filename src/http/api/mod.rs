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

use actix_web::web;
use contract::ProblemResponses;
use serde::Serialize;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

/// A short list read whole or newest first up to `limit` (a scheme's yearly reports),
/// with its total.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

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

#[derive(OpenApi)]
#[openapi(
    info(title = "firstcover API", version = "1", description = "首台(套)/首批次保险补偿业务系统接口。Amounts are strings in CNY with two decimals; rates are decimal fractions (0.0185 = 1.85 %). Errors are application/problem+json."),
    paths(
        parties::list, parties::create, parties::get, parties::update, parties::relate,
        catalogue::list, catalogue::create, catalogue::get, catalogue::update,
        users::me, users::list, users::create,
        audit::latest, audit::verify,
        library::clause_sets, library::programmes,
        policies::quote, policies::list, policies::get, policies::requote, policies::referrals,
        policies::decide, policies::bind, policies::proof, policies::issue, policies::endorse,
        policies::cancel, policies::renew, policies::subsidy, policies::decline,
        policies::withdraw,
        outbox::list, outbox::requeue,
        certificates::certificate, certificates::current, certificates::certificate_pdf, certificates::history,
        certificates::schedule, certificates::subsidy_pack, certificates::public_key,
        certificates::annex3_csv, certificates::annex3_xlsx, certificates::verify,
        certificates::verify_pdf, certificates::endorsement, certificates::endorsement_pdf,
        certificates::insurance_certificate, certificates::insurance_certificate_pdf,
        certificates::documents,
        billing::record_payment, billing::reverse_payment, billing::ledger, billing::set_plan,
        billing::record_invoice, billing::void_invoice, billing::refund, billing::bank_notification,
        billing::import_statement, billing::imports, billing::unmatched, billing::match_line,
        billing::preview_statement, billing::suspense, billing::split_line, billing::dismiss_line,
        billing::refund_line, billing::reverse_disposal, billing::receivables,
        claims::notify, claims::list, claims::queue, claims::approvals, claims::get,
        claims::register, claims::reserve, claims::proof_request, claims::proof_complete,
        claims::upload, claims::download, claims::decide, claims::approve, claims::pay,
        claims::paid, claims::recover, claims::reopen,
        backtests::list, backtests::run, backtests::get, backtests::triangles,
        backtests::document,
        claim_ops::mine, claim_ops::handlers, claim_ops::assign, claim_ops::note,
        claim_ops::waiting, claim_ops::batches, claim_ops::create_batch, claim_ops::batch,
        claim_ops::batch_file, claim_ops::confirm, claim_ops::confirm_file, claim_ops::cancel,
        subsidy_facts::list, subsidy_facts::record, subsidy_facts::import_grants,
        annual_reports::get, annual_reports::document, annual_reports::queue, annual_reports::queued,
        users::deactivate, users::reactivate, users::unlock, users::reset_password,
        users::change_password,
    ),
    components(schemas(crate::http::problem::Problem, crate::services::FieldError,
        crate::services::client_view::ClientPolicyDetail, crate::services::client_view::ClientClaimDetail)),
    modifiers(&BearerAuth, &ProblemResponses),
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

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/v1/openapi.json", ApiDoc::openapi()))
        .service(
            web::scope("/api/v1")
                .configure(parties::routes)
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
                .configure(annual_reports::routes)
                .default_service(web::to(not_found)),
        );
}

async fn not_found() -> actix_web::HttpResponse {
    crate::http::problem::problem_response(
        actix_web::http::StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        "no such API route".into(),
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
