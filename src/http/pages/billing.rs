//! Finance pages: a policy's ledger with the forms to record a payment, an invoice,
//! a payment plan, a refund or a reversal; and the bank page to import a statement
//! file and match the lines nobody could place. Plain forms with CSRF tokens.

use super::quote_form::RawForm;
use super::{page, see_other, Chrome, HistoryLine, PageError};
use crate::domain::money::Money;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::billing::{
    self, ImportReport, InvoiceInput, Ledger, MatchInput, PaymentInput, PlanInput, PlanLine,
    RefundInput, ReversalInput, VoidInvoiceInput, METHODS,
};
use crate::services::{FieldError, ServiceError};
use crate::store::billing::{BankLineRow, ImportRow};
use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use futures_util::StreamExt;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/policies/{id}/billing", web::get().to(show))
        .route("/policies/{id}/billing/{action}", web::post().to(act))
        .route("/billing/bank", web::get().to(bank))
        .route("/billing/bank/import", web::post().to(import))
        .route("/billing/bank/lines/{id}/match", web::post().to(match_line));
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
}

async fn render(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    id: i64,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    let l = billing::ledger(&st.db, &st.clock, &who.actor, id).await?;
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
    Money::parse(f.get(field))
        .map_err(|e| ServiceError::field(field, e.to_string(), "金额格式不正确"))
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
                amount: Money::parse(a).map_err(|_| bad())?,
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
            billing::record_payment(&st.db, a, id, input)
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
            billing::record_invoice(&st.db, a, id, input)
                .await
                .map(|_| ("invoice", Some(number)))
        }
        "plan" => {
            let input = PlanInput {
                installments: plan_lines(f.get("installments"))?,
            };
            billing::set_plan(&st.desk(), a, id, input)
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
            billing::refund(&st.db, a, id, input)
                .await
                .map(|_| ("refund", Some(amount)))
        }
        "void-invoice" => {
            let l = billing::ledger(&st.db, &st.clock, a, id).await?;
            let ids = l.invoices.iter().map(|i| i.invoice_id);
            let invoice_id = listed_id(f, "invoice_id", ids, "invoice")?;
            let input = VoidInvoiceInput {
                reason: f.get("reason").into(),
            };
            billing::void_invoice(&st.db, a, invoice_id, input)
                .await
                .map(|_| ("invoice_void", None))
        }
        "reverse" => {
            let l = billing::ledger(&st.db, &st.clock, a, id).await?;
            let ids = l.payments.iter().map(|p| p.payment_id);
            let payment_id = listed_id(f, "payment_id", ids, "payment")?;
            let input = ReversalInput {
                reason: f.get("reason").into(),
            };
            billing::reverse_payment(&st.db, a, payment_id, input)
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
    match run(&st, &who, id, &action, &f).await {
        Ok((event, figure)) => Ok(see_other(&super::done(
            &format!("/policies/{id}/billing"),
            event,
            figure.as_deref(),
        ))),
        Err(ServiceError::Validation(errors)) => render(&req, &st, &who, id, errors).await,
        Err(ServiceError::Conflict(msg) | ServiceError::Duplicate(msg)) => {
            let e = FieldError::new("state", msg.clone(), msg);
            let mut resp = render(&req, &st, &who, id, vec![e]).await?;
            *resp.status_mut() = actix_web::http::StatusCode::CONFLICT;
            Ok(resp)
        }
        Err(other) => Err(other.into()),
    }
}

pub struct LineView {
    pub id: i64,
    pub source: String,
    pub txn: String,
    pub value_date: NaiveDate,
    pub amount: String,
    pub payer: String,
    pub reference: String,
}

impl From<&BankLineRow> for LineView {
    fn from(l: &BankLineRow) -> Self {
        LineView {
            id: l.bank_line_id,
            source: l.source.clone(),
            txn: l.bank_txn_id.clone(),
            value_date: l.value_date,
            amount: Money::from_fen(l.amount).grouped(),
            payer: l.payer.clone(),
            reference: l.reference.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "bank.html")]
struct BankPage {
    c: Chrome,
    lines: Vec<LineView>,
    imports: Vec<ImportRow>,
    report: Option<ImportReport>,
    errors: Vec<FieldError>,
}

async fn render_bank(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    report: Option<ImportReport>,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let lines = billing::unmatched(&st.db, &who.actor).await?;
    let imports = billing::recent_imports(&st.db, &who.actor).await?;
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = page(&BankPage {
        c: Chrome::for_actor(req, who),
        lines: lines.iter().map(LineView::from).collect(),
        imports,
        report,
        errors,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

async fn bank(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
) -> Result<HttpResponse, PageError> {
    render_bank(&req, &st, &who, None, vec![]).await
}

/// The upload form's fields: the CSRF token and one file.
struct Upload {
    csrf: String,
    filename: String,
    bytes: Vec<u8>,
}

const UPLOAD_LIMIT: usize = 8 << 20;

async fn read_upload(req: &HttpRequest, payload: web::Payload) -> Result<Upload, ServiceError> {
    let broken = |e: String| ServiceError::field("file", e, "上传内容无法读取");
    let mut form = Multipart::new(req.headers(), payload.into_inner());
    let mut up = Upload {
        csrf: String::new(),
        filename: String::new(),
        bytes: Vec::new(),
    };
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| broken(e.to_string()))?;
        let name = field.name().unwrap_or_default().to_string();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| broken(e.to_string()))?;
            if bytes.len() + chunk.len() > UPLOAD_LIMIT {
                return Err(ServiceError::field(
                    "file",
                    "the file is larger than 8 MB",
                    "文件超过 8 MB",
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        match (name.as_str(), filename) {
            ("csrf", _) => up.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            ("file", Some(f)) => {
                up.filename = f;
                up.bytes = bytes;
            }
            _ => {}
        }
    }
    Ok(up)
}

async fn import(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let up = match read_upload(&req, payload).await {
        Ok(up) => up,
        Err(ServiceError::Validation(e)) => return render_bank(&req, &st, &who, None, e).await,
        Err(other) => return Err(other.into()),
    };
    who.check_csrf(&up.csrf)?;
    let r = billing::import_statement(
        &st.db,
        &who.actor,
        &st.config.insurer.code,
        &up.filename,
        &up.bytes,
    )
    .await;
    match r {
        Ok(report) => render_bank(&req, &st, &who, Some(report), vec![]).await,
        Err(ServiceError::Validation(e)) => render_bank(&req, &st, &who, None, e).await,
        Err(other) => Err(other.into()),
    }
}

async fn match_line(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let f = RawForm(form.into_inner());
    who.check_csrf(f.get("csrf"))?;
    let number = f.get("policy_number").trim().to_uppercase();
    let found = billing::policy_id_by_number(&st.db, &who.actor, &number).await;
    let result = match found {
        Ok(policy_id) => billing::match_line(
            &st.db,
            &who.actor,
            id.into_inner(),
            MatchInput { policy_id },
        )
        .await
        .map(drop),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other("/billing/bank?saved=1")),
        Err(ServiceError::Validation(e)) => render_bank(&req, &st, &who, None, e).await,
        Err(ServiceError::Conflict(msg)) => {
            let e = FieldError::new("policy_number", msg.clone(), msg);
            render_bank(&req, &st, &who, None, vec![e]).await
        }
        Err(other) => Err(other.into()),
    }
}
