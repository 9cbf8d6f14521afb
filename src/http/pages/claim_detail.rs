//! The claim page: facts, cover check, clocks, proof checklist and documents, reserve
//! history, decision, approvals, payments, recoveries and the timeline — with the
//! forms for each next step the signed-in user may take.
//!
//! The page renders the reader's view (`services::readers::claim`): staff get the claim
//! file (`claim_detail.html`), a policyholder its own `ClientClaimDetail`
//! (`claim_detail_client.html`) — the staff view never reaches a client's template.

use super::claims::{state_label, type_label};
use super::quote_form::RawForm;
use super::{page, see_other, shanghai_time, Chrome, PageError};
use crate::domain::claims::Clock;
use crate::domain::claims::CostType;
use crate::domain::claims::Outcome;
use crate::domain::money::Money;
use crate::http::api::claims::{file_response, read_uploads};
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::claims::{
    self, ApprovalInput, AssignInput, ClaimDetail, DecisionInput, NoteInput, PaymentInput,
    ProofItem, ProofRequestInput, RecoveryInput, RegisterInput, ReopenInput, ReserveInput,
    ReserveLineInput, WaivedItem,
};
use crate::services::readers::{self, ClientClaimDetail, ForReader};
use crate::services::{FieldError, ServiceError, ServiceResult};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/claims/{id}", web::get().to(detail))
        .route("/claims/{id}/upload", web::post().to(upload))
        .route("/claims/{id}/documents/{doc}", web::get().to(download))
        .route("/claims/{id}/{action}", web::post().to(act));
}

/// Lines ready to show.
pub struct Row3(pub String, pub String, pub String);

/// What both pages show alike, each built from its reader's view.
struct Shared {
    state: String,
    kind: String,
    /// (kind label, started, due, status, overdue and binding the insurer)
    clocks: Vec<(String, String, String, String, bool)>,
    /// The missing-proof notice as it stands (queued or sent), once requested.
    proof_notice: Option<String>,
    /// (stage, missing items, reason, who, when)
    waivers: Vec<(String, String, String, String, String)>,
    /// (id, amount, payee · bank · account, paid on, still to pay, may be marked paid here)
    payments: Vec<(i64, String, String, String, bool, bool)>,
    /// (when, who, what)
    timeline: Vec<Row3>,
    /// Rows of the upload form: (row number, checklist code preselected).
    upload_rows: Vec<(usize, String)>,
}

/// The claim file as staff read it.
#[derive(Template)]
#[template(path = "claim_detail.html")]
struct StaffPage {
    c: Chrome,
    d: ClaimDetail,
    p: Shared,
    errors: Vec<FieldError>,
    handler: bool,
    manager: bool,
    proof_requested: bool,
    reserves: Vec<Row3>,
    /// (kind, amount, note, restores the limit)
    recoveries: Vec<(String, String, String, bool)>,
    /// 经办人, or "".
    assignee: String,
    /// A claims manager may assign anyone; a handler may take an unassigned claim.
    can_assign: bool,
    can_take: bool,
    /// (user id, name, the current handler)
    handlers: Vec<(i64, String, bool)>,
    /// Internal notes: (when, who, text).
    notes: Vec<Row3>,
    /// Assignment history: (when, to, by · note).
    assignments: Vec<Row3>,
    /// Required proof with nothing on file, in the page's language.
    missing: Vec<String>,
    /// (cost type code, label, amount grouped, amount for the form)
    reserve_lines: Vec<(String, String, String, String)>,
    /// (when, cost type, amount, reason)
    line_history: Vec<(String, String, String, String)>,
}

/// The claim as its policyholder reads it: made from its `ClientClaimDetail` only.
#[derive(Template)]
#[template(path = "claim_detail_client.html")]
struct ClientPage {
    c: Chrome,
    d: ClientClaimDetail,
    p: Shared,
    errors: Vec<FieldError>,
}

async fn render(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    id: i64,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    match readers::claim(&st.ctx(), &who.actor, id).await? {
        ForReader::Staff(d) => staff_page(st, who, c, d, errors).await,
        ForReader::Client(d) => client_page(st, c, d, errors).await,
    }
}

fn clock_rows(
    c: &Chrome,
    clocks: &[Clock],
    today: NaiveDate,
) -> Vec<(String, String, String, String, bool)> {
    clocks
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
        .collect()
}

fn waiver_row(
    c: &Chrome,
    stage: &str,
    missing: &[WaivedItem],
    reason: &str,
    who: String,
    at: DateTime<Utc>,
) -> (String, String, String, String, String) {
    let stage = match stage {
        "approval" => c.lang.pick("审批", "Approval"),
        _ => c.lang.pick("核定", "Decision"),
    };
    let items: Vec<&str> = missing
        .iter()
        .map(|m| c.lang.pick(m.zh.as_str(), m.en.as_str()))
        .collect();
    (
        stage.to_string(),
        items.join("、"),
        reason.to_string(),
        who,
        shanghai_time(at),
    )
}

/// A payment row; `may_mark` when the reader may mark an approved payment paid.
fn payment_row(
    id: i64,
    amount: Money,
    to: String,
    paid_on: Option<NaiveDate>,
    status: &str,
    may_mark: bool,
) -> (i64, String, String, String, bool, bool) {
    let open = status == "approved";
    (
        id,
        amount.grouped(),
        to,
        paid_on.map(|d| d.to_string()).unwrap_or_default(),
        open,
        open && may_mark,
    )
}

/// One row per checklist item (at least three), the missing items first chosen.
fn upload_rows(checklist: &[ProofItem]) -> Vec<(usize, String)> {
    let mut preselect: Vec<String> = checklist
        .iter()
        .filter(|i| i.missing())
        .map(|i| i.code.clone())
        .collect();
    preselect.extend(
        checklist
            .iter()
            .filter(|i| !preselect.contains(&i.code))
            .map(|i| i.code.clone())
            .collect::<Vec<_>>(),
    );
    (1..=checklist.len().max(3))
        .map(|i| (i, preselect.get(i - 1).cloned().unwrap_or_default()))
        .collect()
}

async fn notice(
    st: &AppState,
    c: &Chrome,
    claim_id: i64,
    at: Option<DateTime<Utc>>,
) -> Result<Option<String>, PageError> {
    Ok(match at {
        Some(at) => Some(proof_notice(st, c, claim_id, at).await?),
        None => None,
    })
}

/// The policyholder's page: its claim, cover facts, clocks, proof and documents (with
/// the upload form), payments, waivers and history — the insurer in place of staff.
async fn client_page(
    st: &AppState,
    c: Chrome,
    d: ClientClaimDetail,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let insurer = c.lang.pick("保险公司", "the insurer").to_string();
    let p = Shared {
        state: state_label(&d.claim.state, &c),
        kind: type_label(&d.claim.claim_type, &c),
        clocks: clock_rows(&c, &d.clocks, st.clock.today()),
        proof_notice: notice(st, &c, d.claim.claim_id, d.proof_requested_at).await?,
        waivers: d
            .proof_waivers
            .iter()
            .map(|w| {
                waiver_row(
                    &c,
                    &w.stage,
                    &w.missing,
                    &w.reason,
                    insurer.clone(),
                    w.given_at,
                )
            })
            .collect(),
        payments: d
            .payments
            .iter()
            .map(|p| {
                let to = format!("{} · {} · {}", p.payee, p.bank_name, p.bank_account);
                payment_row(p.payment_id, p.amount, to, p.paid_on, &p.status, false)
            })
            .collect(),
        timeline: d
            .timeline
            .iter()
            .map(|t| {
                Row3(
                    shanghai_time(t.at),
                    c.lang.text(&t.by).to_string(),
                    c.label("audit_action", &t.action),
                )
            })
            .collect(),
        upload_rows: upload_rows(&d.checklist),
    };
    page(&ClientPage { c, d, p, errors })
}

async fn staff_page(
    st: &AppState,
    who: &PageActor,
    c: Chrome,
    d: ClaimDetail,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let handler = who.actor.role.handles_claims();
    let open = d.claim.state != "closed";
    let p = Shared {
        state: state_label(&d.claim.state, &c),
        kind: type_label(&d.claim.claim_type, &c),
        clocks: clock_rows(&c, &d.clocks, st.clock.today()),
        proof_notice: notice(st, &c, d.claim.claim_id, d.proof_requested_at).await?,
        waivers: d
            .proof_waivers
            .iter()
            .map(|w| {
                let who = w.given_by_name.clone();
                waiver_row(&c, &w.stage, &w.missing, &w.reason, who, w.given_at)
            })
            .collect(),
        payments: d
            .payments
            .iter()
            .map(|p| {
                let to = format!("{} · {} · {}", p.payee, p.bank_name, p.bank_account);
                payment_row(p.payment_id, p.amount, to, p.paid_on, &p.status, handler)
            })
            .collect(),
        timeline: d
            .timeline
            .iter()
            .map(|t| {
                Row3(
                    shanghai_time(t.at),
                    t.who.clone(),
                    c.label("audit_action", &t.action),
                )
            })
            .collect(),
        upload_rows: upload_rows(&d.checklist),
    };
    let reserves = d
        .reserves
        .iter()
        .map(|r| {
            Row3(
                shanghai_time(r.set_at),
                r.amount.grouped(),
                c.lang.text(&r.reason).to_string(),
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
    let handlers = match who.actor.role.approves_claims() && open {
        true => claims::handlers(&st.ctx(), &who.actor)
            .await?
            .into_iter()
            .map(|h| {
                (
                    h.user_id,
                    h.display_name,
                    d.claim.assigned_to == Some(h.user_id),
                )
            })
            .collect(),
        false => Vec::new(),
    };
    let notes = d
        .notes
        .iter()
        .flatten()
        .map(|n| {
            Row3(
                shanghai_time(n.written_at),
                n.written_by_name.clone(),
                n.body.clone(),
            )
        })
        .collect();
    let assignments = d
        .assignments
        .iter()
        .flatten()
        .map(|a| {
            let by = match a.note.is_empty() {
                true => a.assigned_by_name.clone(),
                false => format!("{} · {}", a.assigned_by_name, a.note),
            };
            Row3(shanghai_time(a.assigned_at), a.assigned_to_name.clone(), by)
        })
        .collect();
    let missing = d
        .missing_proof
        .iter()
        .map(|m| c.lang.pick(m.zh.as_str(), m.en.as_str()).to_string())
        .collect();
    let reserve_lines = d
        .reserve_lines
        .iter()
        .map(|l| {
            (
                l.cost_type.as_str().to_string(),
                c.lang.pick(l.zh, l.en).to_string(),
                l.amount.grouped(),
                l.amount.to_string(),
            )
        })
        .collect();
    let line_history = d
        .reserve_line_history
        .iter()
        .map(|h| {
            let label = CostType::parse(&h.cost_type)
                .map(|t| c.lang.pick(t.zh(), t.en()).to_string())
                .unwrap_or_default();
            (
                shanghai_time(h.set_at),
                label,
                h.amount.grouped(),
                c.lang.text(&h.reason).to_string(),
            )
        })
        .collect();
    let page_data = StaffPage {
        assignee: d.claim.assigned_to_name.clone().unwrap_or_default(),
        can_assign: who.actor.role.approves_claims() && open,
        can_take: handler && open && d.claim.assigned_to.is_none(),
        handlers,
        notes,
        assignments,
        missing,
        reserve_lines,
        line_history,
        recoveries,
        handler,
        manager: who.actor.role.approves_claims(),
        proof_requested: d.proof_requested_at.is_some(),
        reserves,
        errors,
        p,
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
    let (name, ct, bytes) = claims::document(&st.ctx(), &who.actor, id, doc).await?;
    Ok(file_response(&name, &ct, bytes))
}

/// Validation and state conflicts re-render the claim with the message; the rest is an
/// error page.
async fn outcome(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    id: i64,
    event: &str,
    result: ServiceResult<()>,
) -> Result<HttpResponse, PageError> {
    let errors = match result {
        Ok(()) => {
            return Ok(see_other(&super::done(
                &format!("/claims/{id}"),
                event,
                None,
            )))
        }
        Err(ServiceError::Validation(errors)) => errors,
        Err(ServiceError::Conflict(text)) => vec![FieldError::worded("state", text)],
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
    let result = match read_uploads(&req, payload, st.config.claims.upload_max_bytes).await {
        Ok((ups, form)) => {
            who.check_csrf(form.get("csrf"))?;
            claims::upload_documents(&st.ctx(), &who.actor, id, ups)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    outcome(&req, &st, &who, id, "claim_document", result).await
}

/// The reserve by cost type from the form's `line_<type>` fields (blank = zero); none
/// when every field is blank.
fn reserve_lines(f: &RawForm) -> ServiceResult<Vec<ReserveLineInput>> {
    let mut out = Vec::new();
    for t in CostType::ALL {
        if let Some(amount) = money(f, &format!("line_{}", t.as_str()))? {
            out.push(ReserveLineInput {
                cost_type: t,
                amount,
            });
        }
    }
    Ok(out)
}

fn money(f: &RawForm, key: &str) -> ServiceResult<Option<Money>> {
    let t = f.get(key).trim();
    if t.is_empty() {
        return Ok(None);
    }
    Money::parse(t)
        .map(Some)
        .map_err(|e| ServiceError::field(key, e.to_string(), e.zh()))
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
    let ctx = st.ctx();
    let a = &who.actor;
    match action {
        "register" => claims::register(
            &ctx,
            a,
            id,
            RegisterInput {
                reserve: required_money(f, "reserve")?,
                lines: Vec::new(),
            },
        )
        .await
        .map(|_| ()),
        "reserve" => {
            let lines = reserve_lines(f)?;
            // The total is what the lines add up to; a single amount still works.
            let amount = match money(f, "amount")? {
                Some(a) => a,
                None if !lines.is_empty() => Money::from_fen(
                    lines
                        .iter()
                        .map(|l| l.amount.fen())
                        .fold(0i64, i64::saturating_add),
                ),
                None => required_money(f, "amount")?,
            };
            claims::set_reserve(
                &ctx,
                a,
                id,
                ReserveInput {
                    amount,
                    reason: f.get("reason").into(),
                    lines,
                },
            )
            .await
            .map(|_| ())
        }
        "assign" => claims::assign(
            &ctx,
            a,
            id,
            AssignInput {
                user_id: f.get("user_id").parse().ok(),
                note: f.get("note").into(),
            },
        )
        .await
        .map(|_| ()),
        "note" => claims::add_note(
            &ctx,
            a,
            id,
            NoteInput {
                body: f.get("body").into(),
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
                &ctx,
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
        "proof-complete" => claims::mark_proof_complete(&ctx, a, id, date(f, "on")?)
            .await
            .map(|_| ()),
        "decision" => {
            let outcome = Outcome::parse(f.get("outcome")).ok_or_else(|| {
                ServiceError::field("outcome", "choose the decision", "请选择核定结论")
            })?;
            claims::decide(
                &ctx,
                a,
                id,
                DecisionInput {
                    outcome,
                    agreed_loss: money(f, "agreed_loss")?,
                    reasons: lines(f.get("reasons")),
                    missing_proof_reason: f.get("missing_proof_reason").into(),
                },
            )
            .await
            .map(|_| ())
        }
        "approval" => claims::approve(
            &ctx,
            a,
            id,
            ApprovalInput {
                approve: f.get("approve") == "true",
                note: f.get("note").into(),
                missing_proof_reason: f.get("missing_proof_reason").into(),
            },
        )
        .await
        .map(|_| ()),
        "payment" => claims::pay(
            &ctx,
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
            claims::mark_paid(&ctx, a, id, pid, date(f, "on")?)
                .await
                .map(|_| ())
        }
        "recovery" => claims::record_recovery(
            &ctx,
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
            &ctx,
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
    // The notice names what was done ("通知已排队，尚未发出" for the proof request).
    let event = match action.as_str() {
        "register" => "claim_registered_now",
        "reserve" => "claim_reserve",
        "proof-request" => "proof_requested",
        "proof-complete" => "claim_proof_complete",
        "decision" => "claim_decided",
        "approval" => "claim_approval",
        "payment" => "claim_payment",
        "paid" => "claim_paid",
        "recovery" => "claim_recovery",
        "reopen" => "claim_reopened",
        _ => "claim_saved",
    };
    outcome(&req, &st, &who, id, event, result).await
}

/// What became of the one-time missing-proof notice (art. 22): requested on the Beijing
/// day, and sent only once the outbox has delivered it.
async fn proof_notice(
    st: &AppState,
    c: &Chrome,
    claim_id: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<String, PageError> {
    let day = |t: chrono::DateTime<chrono::Utc>| shanghai_time(t)[..10].to_string();
    let key = format!("claim:{claim_id}:proof-request");
    let row = crate::services::outbox::by_key(&st.ctx(), &key).await?;
    let requested = day(at);
    Ok(match row {
        Some(r) if r.status == "delivered" => {
            let sent = r.delivered_at.map(day).unwrap_or_else(|| requested.clone());
            c.lang.pick(
                &format!("补充材料通知已于 {requested} 一次性提出，{sent} 已发出"),
                &format!("Missing proof was requested once on {requested} and sent on {sent}"),
            )
            .to_string()
        }
        Some(r) if r.status == "dead" => c
            .lang
            .pick(
                &format!("补充材料通知已于 {requested} 一次性提出，但发送失败（死信），请在发件箱处理"),
                &format!("Missing proof was requested once on {requested}, but the mail failed (dead letter): see the outbox"),
            )
            .to_string(),
        Some(_) => c
            .lang
            .pick(
                &format!("补充材料通知已于 {requested} 一次性提出；通知已排队，尚未发出"),
                &format!("Missing proof was requested once on {requested}; the notice is queued, not sent yet"),
            )
            .to_string(),
        None => c
            .lang
            .pick(
                &format!("补充材料已于 {requested} 一次性提出（无联系邮箱，未发邮件）"),
                &format!("Missing proof was requested once on {requested} (no contact e-mail, no mail sent)"),
            )
            .to_string(),
    })
}
