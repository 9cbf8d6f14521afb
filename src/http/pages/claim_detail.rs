//! The claim page: facts, cover check, clocks, proof checklist and documents, reserve
//! history, decision, approvals, payments, recoveries and the timeline — with the
//! forms for each next step the signed-in user may take.

use super::claims::{state_label, type_label};
use super::quote_form::RawForm;
use super::{page, see_other, shanghai_time, Chrome, PageError};
use crate::domain::claims::CostType;
use crate::domain::claims::Outcome;
use crate::domain::money::Money;
use crate::http::api::claims::{file_response, read_uploads};
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::claims::{
    self, ApprovalInput, AssignInput, ClaimDetail, DecisionInput, NoteInput, PaymentInput,
    ProofRequestInput, RecoveryInput, RegisterInput, ReopenInput, ReserveInput, ReserveLineInput,
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
    /// The missing-proof notice as it stands (queued or sent), once requested.
    proof_notice: Option<String>,
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
    /// Insurer staff (sees notes and who handles the claim).
    staff: bool,
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
    /// (stage, missing items, reason, who, when)
    waivers: Vec<(String, String, String, String, String)>,
    /// (cost type code, label, amount grouped, amount for the form)
    reserve_lines: Vec<(String, String, String, String)>,
    /// (when, cost type, amount, reason)
    line_history: Vec<(String, String, String, String)>,
    /// Rows of the upload form: (row number, checklist code preselected).
    upload_rows: Vec<(usize, String)>,
}

async fn render(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    id: i64,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    let d = claims::get(&st.ctx(), &who.actor, id).await?;
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
    let staff = who.actor.role.is_staff();
    let (reserves, timeline) = if staff {
        (
            d.reserves
                .iter()
                .map(|r| {
                    Row3(
                        shanghai_time(r.set_at),
                        r.amount.grouped(),
                        c.lang.text(&r.reason).to_string(),
                    )
                })
                .collect(),
            d.timeline
                .iter()
                .map(|t| {
                    Row3(
                        shanghai_time(t.at),
                        t.who.clone(),
                        c.label("audit_action", &t.action),
                    )
                })
                .collect(),
        )
    } else {
        // The policyholder's explicit view: no reserves, the insurer instead of names.
        let view = crate::services::client_view::ClientClaimDetail::of(&d, &who.actor.username);
        let timeline = view
            .timeline
            .into_iter()
            .map(|t| {
                Row3(
                    shanghai_time(t.at),
                    c.lang.text(&t.by).to_string(),
                    c.label("audit_action", &t.action),
                )
            })
            .collect();
        (Vec::new(), timeline)
    };
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
    let proof_notice = match d.proof_requested_at {
        Some(at) => Some(proof_notice(st, &c, d.claim.claim_id, at).await?),
        None => None,
    };
    let staff = who.actor.role.is_staff();
    let handler = who.actor.role.handles_claims();
    let open = d.claim.state != "closed";
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
    let waivers = d
        .proof_waivers
        .iter()
        .map(|w| {
            let stage = match w.stage.as_str() {
                "approval" => c.lang.pick("审批", "Approval"),
                _ => c.lang.pick("核定", "Decision"),
            };
            let items: Vec<&str> = w
                .missing
                .iter()
                .map(|m| c.lang.pick(m.zh.as_str(), m.en.as_str()))
                .collect();
            (
                stage.to_string(),
                items.join("、"),
                w.reason.clone(),
                w.given_by_name.clone(),
                shanghai_time(w.given_at),
            )
        })
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
            let label = crate::domain::claims::CostType::parse(&h.cost_type)
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

    // Reserves by cost type are the insurer's estimate: not part of the client's view.
    let (reserve_lines, line_history) = match staff {
        true => (reserve_lines, line_history),
        false => (Vec::new(), Vec::new()),
    }; // One row per checklist item (at least three), the missing items first chosen.
    let mut preselect: Vec<String> = d.missing_proof.iter().map(|i| i.code.clone()).collect();
    preselect.extend(
        d.checklist
            .iter()
            .filter(|i| !preselect.contains(&i.code))
            .map(|i| i.code.clone())
            .collect::<Vec<_>>(),
    );
    let upload_rows = (1..=d.checklist.len().max(3))
        .map(|i| (i, preselect.get(i - 1).cloned().unwrap_or_default()))
        .collect();
    let page_data = DetailPage {
        proof_notice,
        staff,
        assignee: d.claim.assigned_to_name.clone().unwrap_or_default(),
        can_assign: who.actor.role.approves_claims() && open,
        can_take: handler && open && d.claim.assigned_to.is_none(),
        handlers,
        notes,
        assignments,
        missing,
        waivers,
        reserve_lines,
        line_history,
        upload_rows,
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
