//! `/api/v1/policies/{id}/payments|plan|invoices|refunds|ledger`, `/api/v1/payments`,
//! `/api/v1/invoices/{id}/void`,
//! `/api/v1/bank/...`: premium collection by finance, bank statements and the bank's
//! signed payment notifications.

use super::SeekPage;
use crate::http::idempotent;
use crate::http::identity::ApiActor;
use crate::http::problem::problem_response;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::services::billing::{
    self, CallbackError, CallbackOutcome, DismissInput, DisposalReversalInput, ImportReport,
    InvoiceInput, InvoiceView, Ledger, MatchInput, Notification, NotificationRequest, PaymentInput,
    PaymentView, PlanInput, PlanLine, Preview, Receivables, RefundInput, RefundLineInput,
    ReversalInput, Settlement, SplitInput, SuspensePage, VoidInvoiceInput,
};
use crate::services::billing::{BankDisposalView, BankLineView, StatementImportView};
use crate::services::SeekQuery;
use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa_actix_web::{scope, service_config::ServiceConfig};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(record_payment)
        .service(ledger)
        .service(set_plan)
        .service(record_invoice)
        .service(void_invoice)
        .service(refund)
        .service(reverse_payment)
        .service(bank_notification)
        .service(
            // Statement files are bigger than the default body limit: the three statement
            // routes share a scope that carries the larger limit (and the API's 404).
            scope("/bank/statements")
                .app_data(web::PayloadConfig::new(8 << 20))
                .service(import_statement)
                .service(imports)
                .service(preview_statement)
                .default_service(web::to(super::not_found)),
        )
        .service(unmatched)
        .service(suspense)
        .service(match_line)
        .service(split_line)
        .service(dismiss_line)
        .service(refund_line)
        .service(reverse_disposal)
        .service(receivables);
}

/// Record a payment received (finance). Amounts are CNY strings.
#[utoipa::path(tag = "billing",
    responses((status = 201, body = PaymentView), (status = 409, body = crate::http::problem::Problem),
              (status = 422, body = crate::http::problem::Problem)))]
#[post("/policies/{id}/payments")]
pub async fn record_payment(
    st: web::Data<AppState>,
    req: HttpRequest,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<PaymentInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let location = Some(format!("/api/v1/policies/{id}/ledger"));
    let ctx = st.ctx();
    idempotent::api(
        &st,
        &who.0,
        &req,
        &body,
        StatusCode::CREATED,
        location,
        || billing::record_payment(&ctx, &who.0, id, body.clone()),
    )
    .await
}

/// Reverse a payment (冲正): it stops counting and the balance re-opens.
#[utoipa::path(tag = "billing",
    responses((status = 200, body = PaymentView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/payments/{id}/reversal")]
pub async fn reverse_payment(
    st: web::Data<AppState>,
    req: HttpRequest,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<ReversalInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let ctx = st.ctx();
    idempotent::api(&st, &who.0, &req, &body, StatusCode::OK, None, || {
        billing::reverse_payment(&ctx, &who.0, id, body.clone())
    })
    .await
}

/// The policy's premium ledger: due, paid, balance, credit, fully paid, installments
/// with allocation, payments, refunds, invoices and billing history.
#[utoipa::path(tag = "billing",
    responses((status = 200, body = Ledger), (status = 404, body = crate::http::problem::Problem)))]
#[get("/policies/{id}/ledger")]
pub async fn ledger(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(billing::ledger(&st.ctx(), &st.clock, &who.0, id.into_inner()).await?))
}

/// Set the payment plan: installments in due-date order adding up to the premium due;
/// the programme's minimum first installment applies (Shanxi: 30 %).
#[utoipa::path(tag = "billing",
    responses((status = 200, body = Vec<PlanLine>), (status = 422, body = crate::http::problem::Problem)))]
#[put("/policies/{id}/plan")]
pub async fn set_plan(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<PlanInput>,
) -> Result<HttpResponse, ApiError> {
    let lines = billing::set_plan(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(lines))
}

/// Record a premium invoice (发票); the number is unique.
#[utoipa::path(tag = "billing",
    responses((status = 201, body = InvoiceView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/policies/{id}/invoices")]
pub async fn record_invoice(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<InvoiceInput>,
) -> Result<HttpResponse, ApiError> {
    let v = billing::record_invoice(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(v))
}

/// Void (作废) an invoice recorded in error, with the reason; it keeps its number.
#[utoipa::path(tag = "billing",
    responses((status = 200, body = InvoiceView), (status = 404, body = crate::http::problem::Problem),
    (status = 409, body = crate::http::problem::Problem), (status = 422, body = crate::http::problem::Problem)))]
#[post("/invoices/{id}/void")]
pub async fn void_invoice(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<VoidInvoiceInput>,
) -> Result<HttpResponse, ApiError> {
    let v = billing::void_invoice(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Refund credit held on the policy (never more than the credit).
#[utoipa::path(tag = "billing",
    responses((status = 201, body = Settlement), (status = 422, body = crate::http::problem::Problem)))]
#[post("/policies/{id}/refunds")]
pub async fn refund(
    st: web::Data<AppState>,
    req: HttpRequest,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<RefundInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let ctx = st.ctx();
    idempotent::api(&st, &who.0, &req, &body, StatusCode::CREATED, None, || {
        billing::refund(&ctx, &who.0, id, body.clone())
    })
    .await
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The bank's payment notification. Headers: `X-Timestamp` (unix seconds, within 300 s),
/// `X-Signature` = hex HMAC-SHA256(secret, timestamp + "." + body), `Idempotency-Key`.
/// 201 a payment was recorded; 202 kept for manual matching (no policy number in the
/// reference); 200 a repeat (nothing written, the original result); 401 signature or
/// time wrong, or callbacks not configured — nothing written.
#[utoipa::path(request_body = Notification, tag = "billing",
    security(()),
    params(("X-Timestamp" = String, Header, description = "unix seconds"),
           ("X-Signature" = String, Header, description = "hex HMAC-SHA256(secret, timestamp + \".\" + body)"),
           ("Idempotency-Key" = String, Header, description = "the same for every delivery of one notification")),
    responses((status = 201, body = CallbackOutcome), (status = 202, body = CallbackOutcome),
              (status = 200, body = CallbackOutcome), (status = 401, body = crate::http::problem::Problem),
              (status = 409, body = crate::http::problem::Problem)))]
#[post("/bank/notifications")]
pub async fn bank_notification(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request = NotificationRequest {
        timestamp: header(&req, "X-Timestamp"),
        signature: header(&req, "X-Signature"),
        idempotency_key: header(&req, "Idempotency-Key"),
        body: &body,
        now_unix: chrono::Utc::now().timestamp(),
    };
    match billing::notify(&st.ctx(), &st.config, request).await {
        Ok(o) => {
            let status = match o.status {
                "recorded" => StatusCode::CREATED,
                "unmatched" => StatusCode::ACCEPTED,
                _ => StatusCode::OK,
            };
            Ok(HttpResponse::build(status).json(o))
        }
        Err(CallbackError::Signature(e)) => {
            tracing::warn!(error = %e, "bank notification refused");
            let mut resp = problem_response(
                StatusCode::UNAUTHORIZED,
                "bad-signature",
                "The notification is not signed by the bank",
                e.to_string(),
                vec![],
            );
            resp.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static("HMAC-SHA256"),
            );
            Ok(resp)
        }
        Err(CallbackError::Service(e)) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatementQuery {
    /// The file's name, for the import list.
    pub filename: Option<String>,
    /// A bank layout id from `clauses/banks/` (icbc, ccb, cmb, boc, generic); absent or
    /// `auto`: detected from the header row.
    pub layout: Option<String>,
}

/// Import a bank statement: the file as the body — CSV in UTF-8 (with or without BOM) or
/// GBK/GB18030, or XLSX — in any layout of `clauses/banks/` (the usual Chinese column
/// names, or `date,amount,payer,reference,transaction_id`). Lines whose reference names
/// one issued policy become payments; lines already known count as duplicates; the rest
/// go to suspense. A file with a bad line is refused whole (422, every line listed) and
/// records nothing.
#[utoipa::path(params(StatementQuery), tag = "billing",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportReport), (status = 422, body = crate::http::problem::Problem)))]
// Relative to the `/bank/statements` scope in `routes`.
#[post("")]
pub async fn import_statement(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<StatementQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let r = billing::import_statement(
        &st.ctx(),
        &who.0,
        &st.config.insurer.code,
        st.library.bank_layouts(),
        &q.filename.unwrap_or_default(),
        &body,
        q.layout.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Created().json(r))
}

/// Read a statement and say what it would record (layout, lines, total, every bad line
/// in both languages) without recording anything.
#[utoipa::path(params(StatementQuery), tag = "billing",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Preview), (status = 422, body = crate::http::problem::Problem)))]
// Relative to the `/bank/statements` scope in `routes`.
#[post("/preview")]
pub async fn preview_statement(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<StatementQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let p = billing::preview_statement(
        &st.ctx(),
        &who.0,
        st.library.bank_layouts(),
        &q.filename.unwrap_or_default(),
        &body,
        q.layout.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Statement imports with their counts, newest first, a page at a time.
#[utoipa::path(params(SeekQuery), tag = "billing",
    responses((status = 200, body = SeekPage<StatementImportView>)))]
// Relative to the `/bank/statements` scope in `routes`.
#[get("")]
pub async fn imports(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<SeekQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = billing::recent_imports(&st.ctx(), &who.0, &q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, q.limit)))
}

/// Bank lines not yet placed (suspense), oldest first, a page at a time.
#[utoipa::path(params(SeekQuery), tag = "billing",
    responses((status = 200, body = SeekPage<BankLineView>)))]
#[get("/bank/lines/unmatched")]
pub async fn unmatched(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<SeekQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = billing::unmatched(&st.ctx(), &who.0, &q).await?;
    Ok(HttpResponse::Ok().json(SeekPage::of(page, q.limit)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// 1-based page of 50 lines.
    pub page: Option<i64>,
}

/// Suspense (挂账) one page at a time, each line with ranked suggested policies.
#[utoipa::path(params(PageQuery), tag = "billing",
    responses((status = 200, body = SuspensePage)))]
#[get("/bank/suspense")]
pub async fn suspense(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = q.into_inner().page.unwrap_or(1);
    let p = billing::suspense(&st.ctx(), &who.0, &st.config.insurer.code, page).await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Match a line to a policy: its open amount becomes that policy's payment.
#[utoipa::path(tag = "billing",
    responses((status = 201, body = PaymentView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/bank/lines/{id}/match")]
pub async fn match_line(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<MatchInput>,
) -> Result<HttpResponse, ApiError> {
    let p = billing::match_line(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(p))
}

/// Split a line across several policies; the parts must add up to its open amount.
#[utoipa::path(tag = "billing",
    responses((status = 201, body = Vec<PaymentView>), (status = 409, body = crate::http::problem::Problem),
              (status = 422, body = crate::http::problem::Problem)))]
#[post("/bank/lines/{id}/split")]
pub async fn split_line(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<SplitInput>,
) -> Result<HttpResponse, ApiError> {
    let p = billing::split_line(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(p))
}

/// Dismiss a line as not premium, with the reason.
#[utoipa::path(tag = "billing",
    responses((status = 201, body = BankDisposalView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/bank/lines/{id}/dismissal")]
pub async fn dismiss_line(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<DismissInput>,
) -> Result<HttpResponse, ApiError> {
    let d = billing::dismiss_line(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(d))
}

/// Record that a line's money was sent back to the payer.
#[utoipa::path(tag = "billing",
    responses((status = 201, body = BankDisposalView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/bank/lines/{id}/refund")]
pub async fn refund_line(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<RefundLineInput>,
) -> Result<HttpResponse, ApiError> {
    let d = billing::refund_line(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(d))
}

/// Reverse a dismissal or refund: the line is back in suspense.
#[utoipa::path(tag = "billing",
    responses((status = 200, body = BankDisposalView), (status = 409, body = crate::http::problem::Problem)))]
#[post("/bank/disposals/{id}/reversal")]
pub async fn reverse_disposal(
    st: web::Data<AppState>,
    who: ApiActor,
    id: web::Path<i64>,
    body: web::Json<DisposalReversalInput>,
) -> Result<HttpResponse, ApiError> {
    let d =
        billing::reverse_disposal(&st.ctx(), &who.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(d))
}

/// Who owes what (应收保费) on a day, one page of issued policies at a time (follow
/// `next` as `after`): per policy and maker, aged not yet due, 1–30, 31–90 and over 90
/// days overdue, with the page's totals. Amounts are CNY strings.
#[utoipa::path(params(billing::ReceivablesQuery), tag = "billing",
    responses((status = 200, body = Receivables)))]
#[get("/receivables")]
pub async fn receivables(
    st: web::Data<AppState>,
    who: ApiActor,
    q: web::Query<billing::ReceivablesQuery>,
) -> Result<HttpResponse, ApiError> {
    let r = billing::receivables_page(&st.ctx(), &who.0, st.clock.today(), &q).await?;
    Ok(HttpResponse::Ok().json(r))
}
