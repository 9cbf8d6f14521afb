//! Finance pages: a policy's ledger with the forms to record a payment, an invoice,
//! a payment plan, a refund or a reversal; and the bank page to import a statement
//! file and match the lines nobody could place. Plain forms with CSRF tokens.

use super::quote_form::RawForm;
use super::{page, see_other, Chrome, HistoryLine, PageError};
use crate::domain::money::Money;
use crate::http::idempotent;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::billing::{
    self, InvoiceInput, Ledger, PaymentInput, PlanInput, PlanLine, RefundInput, ReversalInput,
    VoidInvoiceInput, METHODS,
};
use crate::services::{FieldError, ServiceError};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/policies/{id}/billing", web::get().to(show))
        .route("/policies/{id}/billing/{action}", web::post().to(act))
        .configure(super::bank::routes)
        .configure(super::receivables::routes);
}

/// 缴费方式 labels for the select boxes.
pub fn method_label(method: &str, c: &Chrome) -> String {
    let (zh, en) = match method {
        "bank_transfer" => ("银行转账", "Bank transfer"),
        "cheque" => ("支票", "Cheque"),
        "cash" => ("现金", "Cash"),
        "draft" => ("汇票", "Bank draft"),
        _ => ("其他", "Other"),
    };
    c.lang.pick(zh, en).to_string()
}

#[derive(Template)]
#[template(path = "billing.html")]
struct BillingPage {
    c: Chrome,
    l: Ledger,
    history: Vec<HistoryLine>,
    errors: Vec<FieldError>,
    methods: Vec<(String, String)>,
    plan_text: String,
    today: String,
    can_collect: bool,
    /// The one-time key of this rendering's money forms (each form adds its own suffix),
    /// so a double submit records once.
    once: String,
}

async fn render(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    id: i64,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    let l = billing::ledger(&st.ctx(), &st.clock, &who.actor, id).await?;
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let plan_text = l
        .installments
        .iter()
        .map(|i| format!("{}, {}", i.due_on, i.amount))
        .collect::<Vec<_>>()
        .join("\n");
    let mut resp = page(&BillingPage {
        once: crate::services::auth::random_token()?,
        history: l.history.iter().map(HistoryLine::from).collect(),
        methods: METHODS
            .iter()
            .map(|m| (m.to_string(), method_label(m, &c)))
            .collect(),
        today: st.clock.today().to_string(),
        can_collect: who.actor.role.collects_premium(),
        plan_text,
        errors,
        c,
        l,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

async fn show(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    render(&req, &st, &who, id.into_inner(), vec![]).await
}

fn date(f: &RawForm, field: &str) -> Result<NaiveDate, ServiceError> {
    f.get(field).trim().parse().map_err(|_| {
        ServiceError::field(
            field,
            "enter a date as YYYY-MM-DD",
            "请按 YYYY-MM-DD 填写日期",
        )
    })
}

fn money(f: &RawForm, field: &str) -> Result<Money, ServiceError> {
    Money::parse(f.get(field)).map_err(|e| ServiceError::field(field, e.to_string(), e.zh()))
}

/// "2026-01-01, 4200.00" per line.
fn plan_lines(text: &str) -> Result<Vec<PlanLine>, ServiceError> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, l)| {
            let bad = || {
                ServiceError::field(
                    "installments",
                    format!("line {}: write 'YYYY-MM-DD, amount'", n + 1),
                    format!("第 {} 行：请按“日期, 金额”填写", n + 1),
                )
            };
            let (d, a) = l.split_once([',', '，']).ok_or_else(bad)?;
            Ok(PlanLine {
                due_on: d.trim().parse().map_err(|_| bad())?,
                amount: Money::parse(a).map_err(|e| match e {
                    crate::domain::money::AmountError::AboveBound(..) => ServiceError::field(
                        "installments",
                        format!("line {}: {e}", n + 1),
                        format!("第 {} 行：{}", n + 1, e.zh()),
                    ),
                    _ => bad(),
                })?,
            })
        })
        .collect()
}

/// The id posted in `field`, if it is one of `ids`: a policy's billing page acts only on
/// that policy's own payments and invoices.
fn listed_id(
    f: &RawForm,
    field: &str,
    mut ids: impl Iterator<Item = i64>,
    what: &'static str,
) -> Result<i64, ServiceError> {
    let id: i64 = f
        .get(field)
        .parse()
        .map_err(|_| ServiceError::NotFound(what))?;
    if ids.any(|x| x == id) {
        Ok(id)
    } else {
        Err(ServiceError::NotFound(what))
    }
}

async fn run(
    st: &AppState,
    who: &PageActor,
    id: i64,
    action: &str,
    f: &RawForm,
) -> Result<(&'static str, Option<String>), ServiceError> {
    let a = &who.actor;
    match action {
        "payment" => {
            let input = PaymentInput {
                payer: f.get("payer").into(),
                amount: money(f, "amount")?,
                paid_on: date(f, "paid_on")?,
                method: f.get("method").into(),
                reference: f.get("reference").into(),
            };
            let amount = input.amount.grouped();
            billing::record_payment(&st.ctx(), a, id, input)
                .await
                .map(|_| ("payment", Some(amount)))
        }
        "invoice" => {
            let input = InvoiceInput {
                number: f.get("number").into(),
                issued_on: date(f, "issued_on")?,
                amount: money(f, "amount")?,
            };
            let number = input.number.clone();
            billing::record_invoice(&st.ctx(), a, id, input)
                .await
                .map(|_| ("invoice", Some(number)))
        }
        "plan" => {
            let input = PlanInput {
                installments: plan_lines(f.get("installments"))?,
            };
            billing::set_plan(&st.ctx(), a, id, input)
                .await
                .map(|_| ("plan", None))
        }
        "refund" => {
            let input = RefundInput {
                amount: money(f, "amount")?,
                refunded_on: date(f, "refunded_on")?,
                method: f.get("method").into(),
                reference: f.get("reference").into(),
                reason: f.get("reason").into(),
            };
            let amount = input.amount.grouped();
            billing::refund(&st.ctx(), a, id, input)
                .await
                .map(|_| ("refund", Some(amount)))
        }
        "void-invoice" => {
            let l = billing::ledger(&st.ctx(), &st.clock, a, id).await?;
            let ids = l.invoices.iter().map(|i| i.invoice_id);
            let invoice_id = listed_id(f, "invoice_id", ids, "invoice")?;
            let input = VoidInvoiceInput {
                reason: f.get("reason").into(),
            };
            billing::void_invoice(&st.ctx(), a, invoice_id, input)
                .await
                .map(|_| ("invoice_void", None))
        }
        "reverse" => {
            let l = billing::ledger(&st.ctx(), &st.clock, a, id).await?;
            let ids = l.payments.iter().map(|p| p.payment_id);
            let payment_id = listed_id(f, "payment_id", ids, "payment")?;
            let input = ReversalInput {
                reason: f.get("reason").into(),
            };
            billing::reverse_payment(&st.ctx(), a, payment_id, input)
                .await
                .map(|_| ("reversal", None))
        }
        _ => Err(ServiceError::NotFound("action")),
    }
}

async fn act(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    path: web::Path<(i64, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (id, action) = path.into_inner();
    let f = RawForm(form.into_inner());
    who.check_csrf(f.get("csrf"))?;
    let key = match idempotent::form_begin(
        &st,
        &who.actor,
        req.path(),
        f.get(idempotent::FORM_FIELD),
        &f.0,
    )
    .await?
    {
        // Submitted twice: the first submission did it; show where it went.
        idempotent::FormRun::Done(location) => return Ok(see_other(&location)),
        idempotent::FormRun::Go(key) => key,
    };
    let outcome = run(&st, &who, id, &action, &f).await;
    let done = match &outcome {
        Ok((event, figure)) => {
            super::done(&format!("/policies/{id}/billing"), event, figure.as_deref())
        }
        Err(_) => format!("/policies/{id}/billing"),
    };
    idempotent::form_end(&st, &who.actor, key.as_deref(), &outcome, &done).await?;
    match outcome {
        Ok(_) => Ok(see_other(&done)),
        Err(ServiceError::Validation(errors)) => render(&req, &st, &who, id, errors).await,
        Err(e @ (ServiceError::Conflict(_) | ServiceError::Duplicate { .. })) => {
            let e = FieldError::worded("state", e.text());
            let mut resp = render(&req, &st, &who, id, vec![e]).await?;
            *resp.status_mut() = actix_web::http::StatusCode::CONFLICT;
            Ok(resp)
        }
        Err(other) => Err(other.into()),
    }
}
