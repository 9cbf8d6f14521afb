//! `/api/v1/policies/{id}/payments|plan|invoices|refunds|ledger`, `/api/v1/payments`:
//! premium collection by finance.

use crate::http::identity::ApiActor;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::billing::{
    self, InvoiceInput, InvoiceView, Ledger, PaymentInput, PaymentView, PlanInput, PlanLine,
    RefundInput, ReversalInput, Settlement,
};
use actix_web::{web, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/policies/{id}/payments", web::post().to(record_payment))
        .route("/policies/{id}/ledger", web::get().to(ledger))
        .route("/policies/{id}/plan", web::put().to(set_plan))
        .route("/policies/{id}/invoices", web::post().to(record_invoice))
        .route("/policies/{id}/refunds", web::post().to(refund))
        .route("/payments/{id}/reversal", web::post().to(reverse_payment));
}

/// Record a payment received (finance). Amounts are CNY strings.
#[utoipa::path(post, path = "/api/v1/policies/{id}/payments", request_body = PaymentInput, tag = "billing",
    responses((status = 201, body = PaymentView), (status = 409, body = crate::http::problem::Problem),
              (status = 422, body = crate::http::problem::Problem)))]
pub async fn record_payment(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<PaymentInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let p = billing::record_payment(&st.db, &who.0, id, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/policies/{id}/ledger")))
        .json(p))
}

/// Reverse a payment (冲正): it stops counting and the balance re-opens.
#[utoipa::path(post, path = "/api/v1/payments/{id}/reversal", request_body = ReversalInput, tag = "billing",
    responses((status = 200, body = PaymentView), (status = 409, body = crate::http::problem::Problem)))]
pub async fn reverse_payment(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ReversalInput>,
) -> Result<HttpResponse, ApiError> {
    let p = billing::reverse_payment(&st.db, &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(p))
}

/// The policy's premium ledger: due, paid, balance, credit, fully paid, installments
/// with allocation, payments, refunds, invoices and billing history.
#[utoipa::path(get, path = "/api/v1/policies/{id}/ledger", tag = "billing",
    responses((status = 200, body = Ledger), (status = 404, body = crate::http::problem::Problem)))]
pub async fn ledger(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(billing::ledger(&st.db, &who.0, id.into_inner()).await?))
}

/// Set the payment plan: installments in due-date order adding up to the premium due;
/// the programme's minimum first installment applies (Shanxi: 30 %).
#[utoipa::path(put, path = "/api/v1/policies/{id}/plan", request_body = PlanInput, tag = "billing",
    responses((status = 200, body = Vec<PlanLine>), (status = 422, body = crate::http::problem::Problem)))]
pub async fn set_plan(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<PlanInput>,
) -> Result<HttpResponse, ApiError> {
    let lines = billing::set_plan(&st.desk(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(lines))
}

/// Record a premium invoice (发票); the number is unique.
#[utoipa::path(post, path = "/api/v1/policies/{id}/invoices", request_body = InvoiceInput, tag = "billing",
    responses((status = 201, body = InvoiceView), (status = 409, body = crate::http::problem::Problem)))]
pub async fn record_invoice(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<InvoiceInput>,
) -> Result<HttpResponse, ApiError> {
    let v = billing::record_invoice(&st.db, &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(v))
}

/// Refund credit held on the policy (never more than the credit).
#[utoipa::path(post, path = "/api/v1/policies/{id}/refunds", request_body = RefundInput, tag = "billing",
    responses((status = 201, body = Settlement), (status = 422, body = crate::http::problem::Problem)))]
pub async fn refund(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<RefundInput>,
) -> Result<HttpResponse, ApiError> {
    let s = billing::refund(&st.db, &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(s))
}
