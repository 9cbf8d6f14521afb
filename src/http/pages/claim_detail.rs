//! The claim page: facts, cover check, clocks, proof checklist and documents, reserve
//! history, decision, approvals, payments, recoveries and the timeline — with the
//! forms for each next step the signed-in user may take.

use super::claims::{state_label, type_label};
use super::quote_form::RawForm;
use super::{page, see_other, shanghai_time, Chrome, PageError};
use crate::domain::claims::Outcome;
use crate::domain::money::Money;
use crate::http::api::claims::{file_response, read_upload};
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::claims::{
    self, ApprovalInput, ClaimDetail, DecisionInput, PaymentInput, ProofRequestInput,
    RecoveryInput, RegisterInput, ReopenInput, ReserveInput,
};
use crate::services::{FieldError, ServiceError, ServiceResult};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/claims/{id}", web::get().to(detail))
        .route("/claims/{id}/upload", web::post().to(upload))
        .route("/claims/{id}/documents/{doc}", web::get().to(download))
        .route("/claims/{id}/{action}", web::post().to(act));
}

/// Lines ready to show.
pub struct Row3(pub String, pub String, pub String);

#[derive(Template)]
#[template(path = "claim_detail.html")]
struct DetailPage {
    c: Chrome,
    d: ClaimDetail,
    errors: Vec<FieldError>,
    state: String,
    kind: String,
    handler: bool,
    manager: bool,
    proof_requested: bool,
    /// (kind label, started, due, status)
    clocks: Vec<(String, String, String, String, bool)>,
    reserves: Vec<Row3>,
    timeline: Vec<Row3>,
    payments: Vec<(i64, String, String, String, bool)>,
    /// (kind, amount, note, restores the limit)
    recoveries: Vec<(String, String, String, bool)>,
}

async fn render(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    id: i64,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    let d = claims::get(&st.desk(), &who.actor, id).await?;
    let today = st.clock.today();
    let clocks = d
        .clocks
        .iter()
        .map(|k| {
            let left = k.days_left(today);
            let status = if k.is_overdue(today) {
                format!("{} {}", c.lang.pick("已逾期天数", "days overdue"), -left)
            } else {
                format!("{} {}", c.lang.pick("剩余天数", "days left"), left)
            };
            (
                c.lang.pick(k.kind.zh(), k.kind.en()).to_string(),
                k.started_on.to_string(),
                k.due_on.to_string(),
                status,
                k.is_overdue(today) && k.kind.binds_insurer(),
            )
        })
        .collect();
    let reserves = d
        .reserves
        .iter()
        .map(|r| {
            Row3(
                shanghai_time(r.set_at),
                r.amount.grouped(),
                r.reason.clone(),
            )
        })
        .collect();
    let timeline = d
        .timeline
        .iter()
        .map(|t| Row3(shanghai_time(t.at), t.who.clone(), t.action.clone()))
        .collect();
    let payments = d
        .payments
        .iter()
        .map(|p| {
            (
                p.payment_id,
                p.amount.grouped(),
                format!("{} · {} · {}", p.payee, p.bank_name, p.bank_account),
                p.paid_on.map(|d| d.to_string()).unwrap_or_default(),
                p.status == "approved",
            )
        })
        .collect();
    let recoveries = d
        .recoveries
        .iter()
        .map(|r| {
            let kind = match r.kind.as_str() {
                "subrogation" => c.lang.pick("代位追偿", "Subrogation"),
                _ => c.lang.pick("骗赔追回", "Repayment after fraud"),
            };
            (
                kind.to_string(),
                r.amount.grouped(),
                r.note.clone(),
                r.restores_limit,
            )
        })
        .collect();
    let page_data = DetailPage {
        recoveries,
        state: state_label(&d.claim.state, &c),
        kind: type_label(&d.claim.claim_type, &c),
        handler: who.actor.role.handles_claims(),
        manager: who.actor.role.approves_claims(),
        proof_requested: d.proof_requested_at.is_some(),
        clocks,
        reserves,
        timeline,
        payments,
        errors,
        d,
        c,
    };
    page(&page_data)
}

async fn detail(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    render(&req, &st, &who, id.into_inner(), Vec::new()).await
}

async fn download(
    st: web::Data<AppState>,
    who: PageActor,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, PageError> {
    let (id, doc) = path.into_inner();
    let (name, ct, bytes) = claims::document(&st.desk(), &who.actor, id, doc).await?;
    Ok(file_response(&name, &ct, bytes))
}

/// Validation and state conflicts re-render the claim with the message; the rest is an
/// error page.
async fn outcome(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    id: i64,
    result: ServiceResult<()>,
) -> Result<HttpResponse, PageError> {
    let errors = match result {
        Ok(()) => return Ok(see_other(&format!("/claims/{id}?saved=1"))),
        Err(ServiceError::Validation(errors)) => errors,
        Err(ServiceError::Conflict(msg)) => vec![FieldError::new("state", msg.clone(), msg)],
        Err(other) => return Err(other.into()),
    };
    let mut resp = render(req, st, who, id, errors).await?;
    *resp.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

async fn upload(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let result = match read_upload(&req, payload, st.config.claims.upload_max_bytes).await {
        Ok((up, parts)) => {
            let csrf = parts
                .iter()
                .find(|p| p.name == "csrf")
                .map(|p| String::from_utf8_lossy(&p.data).to_string())
                .unwrap_or_default();
            who.check_csrf(&csrf)?;
            claims::upload_document(&st.desk(), &who.actor, id, up)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    outcome(&req, &st, &who, id, result).await
}

fn money(f: &RawForm, key: &str) -> ServiceResult<Option<Money>> {
    let t = f.get(key).trim();
    if t.is_empty() {
        return Ok(None);
    }
    Money::parse(t).map(Some).map_err(|_| {
        ServiceError::field(
            key,
            "not an amount (e.g. 12345.67)",
            "金额格式不正确（如 12345.67）",
        )
    })
}

fn required_money(f: &RawForm, key: &str) -> ServiceResult<Money> {
    money(f, key)?.ok_or_else(|| ServiceError::field(key, "give an amount", "请填写金额"))
}

fn date(f: &RawForm, key: &str) -> ServiceResult<Option<chrono::NaiveDate>> {
    let t = f.get(key).trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse()
        .map(Some)
        .map_err(|_| ServiceError::field(key, "not a date (YYYY-MM-DD)", "日期格式应为 YYYY-MM-DD"))
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

async fn run(
    st: &AppState,
    who: &PageActor,
    id: i64,
    action: &str,
    f: &RawForm,
) -> ServiceResult<()> {
    let desk = st.desk();
    let a = &who.actor;
    match action {
        "register" => claims::register(
            &desk,
            a,
            id,
            RegisterInput {
                reserve: required_money(f, "reserve")?,
            },
        )
        .await
        .map(|_| ()),
        "reserve" => claims::set_reserve(
            &desk,
            a,
            id,
            ReserveInput {
                amount: required_money(f, "amount")?,
                reason: f.get("reason").into(),
            },
        )
        .await
        .map(|_| ()),
        "proof-request" => {
            let also =
                f.0.iter()
                    .filter(|(k, _)| k == "also")
                    .map(|(_, v)| v.clone())
                    .collect();
            claims::request_missing_proof(
                &desk,
                a,
                id,
                ProofRequestInput {
                    also,
                    note: f.get("note").into(),
                    contact_email: Some(f.get("contact_email").to_string())
                        .filter(|e| !e.trim().is_empty()),
                },
            )
            .await
            .map(|_| ())
        }
        "proof-complete" => claims::mark_proof_complete(&desk, a, id, date(f, "on")?)
            .await
            .map(|_| ()),
        "decision" => {
            let outcome = Outcome::parse(f.get("outcome")).ok_or_else(|| {
                ServiceError::field("outcome", "choose the decision", "请选择核定结论")
            })?;
            claims::decide(
                &desk,
                a,
                id,
                DecisionInput {
                    outcome,
                    agreed_loss: money(f, "agreed_loss")?,
                    reasons: lines(f.get("reasons")),
                },
            )
            .await
            .map(|_| ())
        }
        "approval" => claims::approve(
            &desk,
            a,
            id,
            ApprovalInput {
                approve: f.get("approve") == "true",
                note: f.get("note").into(),
            },
        )
        .await
        .map(|_| ()),
        "payment" => claims::pay(
            &desk,
            a,
            id,
            PaymentInput {
                amount: money(f, "amount")?,
                payee: f.get("payee").into(),
                bank_name: f.get("bank_name").into(),
                bank_account: f.get("bank_account").into(),
            },
        )
        .await
        .map(|_| ()),
        "paid" => {
            let pid = f
                .get("payment_id")
                .parse()
                .map_err(|_| ServiceError::NotFound("payment"))?;
            claims::mark_paid(&desk, a, id, pid, date(f, "on")?)
                .await
                .map(|_| ())
        }
        "recovery" => claims::record_recovery(
            &desk,
            a,
            id,
            RecoveryInput {
                kind: f.get("kind").into(),
                amount: required_money(f, "amount")?,
                note: f.get("note").into(),
                received_on: date(f, "received_on")?,
            },
        )
        .await
        .map(|_| ()),
        "reopen" => claims::reopen(
            &desk,
            a,
            id,
            ReopenInput {
                reason: f.get("reason").into(),
                reserve: required_money(f, "reserve")?,
            },
        )
        .await
        .map(|_| ()),
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
    let result = run(&st, &who, id, &action, &f).await;
    outcome(&req, &st, &who, id, result).await
}
