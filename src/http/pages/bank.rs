//! Finance's bank pages: upload a statement and see its preview (nothing recorded),
//! import it as a job whose page refreshes itself until done (no JavaScript), and work
//! the suspense list (挂账) a page at a time — match by a suggestion or a policy number,
//! split, dismiss, refund — and reverse a dismissal or refund.

use super::quote_form::RawForm;
use super::{listing, page, see_other, Chrome, PageError, Pager};
use crate::domain::billing::suspense::Suggestion;
use crate::domain::money::Money;
use crate::http::i18n::Lang;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::billing::{
    self, DismissInput, DisposalReversalInput, MatchInput, Preview, RefundLineInput, SplitInput,
    SplitPart, SuspensePage,
};
use crate::services::billing::{BankDisposalView, StatementImportView, StatementUploadView};
use crate::services::SeekQuery;
use crate::services::{FieldError, ServiceError};
use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use futures_util::StreamExt;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/billing/bank", web::get().to(bank))
        .route("/billing/bank/preview", web::post().to(preview))
        .route("/billing/bank/uploads/{id}", web::get().to(upload))
        .route("/billing/bank/uploads/{id}/import", web::post().to(start))
        .route("/billing/bank/lines/{id}/{action}", web::post().to(act))
        .route(
            "/billing/bank/disposals/{id}/reverse",
            web::post().to(reverse),
        );
}

/// A suggestion as the page shows it.
pub struct SuggestionView {
    pub policy_id: i64,
    pub policy_number: String,
    pub maker_name: String,
    pub why: String,
    pub balance: String,
}

fn suggestion_view(s: &Suggestion, lang: Lang) -> SuggestionView {
    let zh = matches!(lang, Lang::Zh);
    SuggestionView {
        policy_id: s.policy_id,
        policy_number: s.policy_number.clone(),
        maker_name: s.maker_name.clone(),
        why: s
            .evidence
            .iter()
            .map(|e| e.label(zh))
            .collect::<Vec<_>>()
            .join(if zh { "；" } else { "; " }),
        balance: s.balance.grouped(),
    }
}

pub struct LineView {
    pub id: i64,
    pub source: String,
    pub txn: String,
    pub value_date: String,
    pub amount: String,
    pub open: String,
    pub partly_placed: bool,
    pub payer: String,
    pub reference: String,
    pub suggestions: Vec<SuggestionView>,
}

fn source_label(source: &str, lang: Lang) -> String {
    match source {
        "callback" => lang.pick("银行到账通知", "bank notification"),
        _ => lang.pick("流水文件", "statement file"),
    }
    .to_string()
}

pub struct DisposalView {
    pub id: i64,
    pub line_id: i64,
    pub kind: String,
    pub amount: String,
    pub reason: String,
    pub refund: String,
}

fn disposal_view(d: &BankDisposalView, lang: Lang) -> DisposalView {
    DisposalView {
        id: d.disposal_id,
        line_id: d.bank_line_id,
        kind: match d.kind.as_str() {
            "refunded" => lang.pick("已退回付款人", "refunded to the payer"),
            _ => lang.pick("非保费，已排除", "dismissed as not premium"),
        }
        .to_string(),
        amount: d.amount.grouped(),
        reason: d.reason.clone(),
        refund: match d.refunded_on {
            Some(on) => format!("{on} {}", d.refund_reference),
            None => String::new(),
        },
    }
}

/// Statement imports, and disposals, shown on the bank page at a time.
const PER_PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "bank.html")]
struct BankPage {
    c: Chrome,
    lines: Vec<LineView>,
    page: i64,
    pages: i64,
    total_lines: i64,
    total_open: String,
    imports: Vec<StatementImportView>,
    /// How many imports there are, and links to older and newer ones.
    imports_total: String,
    imports_pager: Pager,
    disposals: Vec<DisposalView>,
    /// How many disposals are in effect, and links to older and newer ones.
    disposals_total: String,
    disposals_pager: Pager,
    layouts: Vec<(String, String)>,
    errors: Vec<FieldError>,
    today: String,
}

fn lines_of(p: &SuspensePage, lang: Lang) -> Vec<LineView> {
    p.lines
        .iter()
        .map(|l| LineView {
            id: l.line.bank_line_id,
            source: source_label(&l.line.source, lang),
            txn: l.line.bank_txn_id.clone(),
            value_date: l.line.value_date.to_string(),
            amount: l.line.amount.grouped(),
            open: l.line.open_amount.grouped(),
            partly_placed: l.line.open_amount != l.line.amount,
            payer: l.line.payer.clone(),
            reference: l.line.reference.clone(),
            suggestions: l
                .suggestions
                .iter()
                .map(|s| suggestion_view(s, lang))
                .collect(),
        })
        .collect()
}

async fn render_bank(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    page_no: i64,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    let lang = c.lang;
    let p = billing::suspense(&st.ctx(), &who.actor, &st.config.insurer.code, page_no).await?;
    // Imports and disposals page with cursors of their own, beside suspense's `page`.
    let query =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
    let base = format!("/billing/bank?page={page_no}");
    let imports = billing::recent_imports(
        &st.ctx(),
        &who.actor,
        &SeekQuery {
            limit: Some(PER_PAGE),
            after: query.get("imports_after").cloned(),
            ..SeekQuery::default()
        },
    )
    .await?;
    let imports_pager = Pager::keyset_as(&base, "imports_after", &imports);
    let imports_total = listing::total_text(&imports.total, &c);
    let disposals = billing::recent_disposals(
        &st.ctx(),
        &who.actor,
        PER_PAGE,
        query.get("disposals_after").map(String::as_str),
    )
    .await?;
    let disposals_pager = Pager::keyset_as(&base, "disposals_after", &disposals);
    let disposals_total = listing::total_text(&disposals.total, &c);
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = page(&BankPage {
        lines: lines_of(&p, lang),
        page: p.page,
        pages: p.pages,
        total_lines: p.total_lines,
        total_open: p.total_open.grouped(),
        imports: imports.rows,
        imports_total,
        imports_pager,
        disposals: disposals
            .rows
            .iter()
            .map(|d| disposal_view(d, lang))
            .collect(),
        disposals_total,
        disposals_pager,
        layouts: st
            .library
            .bank_layouts()
            .iter()
            .map(|l| (l.id.clone(), lang.pick(&l.name.zh, &l.name.en).to_string()))
            .collect(),
        errors,
        today: st.clock.today().to_string(),
        c,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

async fn bank(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let page_no = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    render_bank(&req, &st, &who, page_no, vec![]).await
}

/// The upload form's fields: the CSRF token, the layout and one file.
struct Upload {
    csrf: String,
    layout: String,
    filename: String,
    bytes: Vec<u8>,
}

const UPLOAD_LIMIT: usize = 8 << 20;

async fn read_upload(req: &HttpRequest, payload: web::Payload) -> Result<Upload, ServiceError> {
    let broken = |e: String| ServiceError::field("file", e, "上传内容无法读取");
    let mut form = Multipart::new(req.headers(), payload.into_inner());
    let mut up = Upload {
        csrf: String::new(),
        layout: String::new(),
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
            ("layout", _) => up.layout = String::from_utf8_lossy(&bytes).into_owned(),
            ("file", Some(f)) => {
                up.filename = f;
                up.bytes = bytes;
            }
            _ => {}
        }
    }
    Ok(up)
}

pub struct SampleView {
    pub line: usize,
    pub value_date: String,
    pub amount: String,
    pub payer: String,
    pub reference: String,
    pub txn: String,
}

pub struct ProblemView {
    pub line: usize,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "bank_preview.html")]
struct PreviewPage {
    c: Chrome,
    p: Preview,
    layout_name: String,
    total: String,
    sample: Vec<SampleView>,
    problems: Vec<ProblemView>,
}

async fn preview(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let up = match read_upload(&req, payload).await {
        Ok(up) => up,
        Err(ServiceError::Validation(e)) => return render_bank(&req, &st, &who, 1, e).await,
        Err(other) => return Err(other.into()),
    };
    who.check_csrf(&up.csrf)?;
    let r = billing::preview_statement(
        &st.ctx(),
        &who.actor,
        st.library.bank_layouts(),
        &up.filename,
        &up.bytes,
        Some(up.layout.as_str()),
    )
    .await;
    let p = match r {
        Ok(p) => p,
        Err(ServiceError::Validation(e)) => return render_bank(&req, &st, &who, 1, e).await,
        Err(other) => return Err(other.into()),
    };
    let c = Chrome::for_actor(&req, &who);
    let lang = c.lang;
    let status = if p.errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = page(&PreviewPage {
        layout_name: lang.pick(&p.layout_name.zh, &p.layout_name.en).to_string(),
        total: p.total.grouped(),
        sample: p
            .sample
            .iter()
            .map(|l| SampleView {
                line: l.line,
                value_date: l.value_date.to_string(),
                amount: l.amount.grouped(),
                payer: l.payer.clone(),
                reference: l.reference.clone(),
                txn: l.transaction_id.clone(),
            })
            .collect(),
        problems: p
            .errors
            .iter()
            .map(|e| ProblemView {
                line: e.line,
                reason: lang.pick(&e.zh, &e.en).to_string(),
            })
            .collect(),
        p,
        c,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// Start the import and run it in the background; the upload page shows its progress.
async fn start(
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let f = RawForm(form.into_inner());
    who.check_csrf(f.get("csrf"))?;
    let id = id.into_inner();
    match billing::start_import(&st.ctx(), &who.actor, id).await {
        Ok(_) => {}
        // Started already (a double click): show its progress.
        Err(ServiceError::Conflict(_)) => {}
        Err(other) => return Err(other.into()),
    }
    let (shared, actor, code) = (
        st.services(),
        who.actor.clone(),
        st.config.insurer.code.clone(),
    );
    actix_web::rt::spawn(async move {
        let ctx = shared.ctx();
        let layouts = shared.library.bank_layouts();
        if let Err(e) = billing::run_import(&ctx, &actor, &code, layouts, id).await {
            tracing::warn!(upload_id = id, error = %e, "statement import failed");
        }
    });
    Ok(see_other(&format!("/billing/bank/uploads/{id}")))
}

#[derive(Template)]
#[template(path = "bank_upload.html")]
struct UploadPage {
    c: Chrome,
    u: StatementUploadView,
    status: String,
    running: bool,
    percent: i64,
    import: Option<StatementImportView>,
}

async fn upload(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let u = billing::upload(&st.ctx(), &who.actor, id.into_inner()).await?;
    let import = match u.import_id {
        Some(i) => Some(billing::import_row(&st.ctx(), &who.actor, i).await?),
        None => None,
    };
    let c = Chrome::for_actor(&req, &who);
    let status = match u.status.as_str() {
        "previewed" => c.lang.pick("已预览，未导入", "previewed, not imported"),
        "running" => c.lang.pick("导入中", "importing"),
        "done" => c.lang.pick("导入完成", "imported"),
        _ => c.lang.pick("导入失败", "failed"),
    }
    .to_string();
    let percent = if u.lines > 0 {
        i64::from(u.done_lines) * 100 / i64::from(u.lines)
    } else {
        100
    };
    let running = u.status == "running";
    let mut resp = page(&UploadPage {
        running,
        status,
        percent,
        import,
        u,
        c,
    })?;
    if running {
        // The page reloads itself while the job runs: progress without JavaScript.
        resp.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("refresh"),
            actix_web::http::header::HeaderValue::from_static("1"),
        );
    }
    Ok(resp)
}

/// A split row as typed: the policy number and its amount (or why it does not read).
type TypedPart = (String, Result<Money, ServiceError>);

/// Split form fields: `policy_number_N` and `amount_N` for N = 1, 2, 3…
fn split_parts(f: &RawForm) -> Vec<TypedPart> {
    let mut out = Vec::new();
    for n in 1..=10 {
        let number = f.get(&format!("policy_number_{n}")).trim().to_uppercase();
        let amount = f.get(&format!("amount_{n}")).trim().to_string();
        if number.is_empty() && amount.is_empty() {
            continue;
        }
        let parsed = crate::domain::money::Money::parse(&amount).map_err(|e| {
            ServiceError::field(
                &format!("amount_{n}"),
                e.to_string(),
                format!("金额“{amount}”无效"),
            )
        });
        out.push((number, parsed));
    }
    out
}

async fn run_action(
    st: &AppState,
    who: &PageActor,
    id: i64,
    action: &str,
    f: &RawForm,
) -> Result<(), ServiceError> {
    let actor = &who.actor;
    match action {
        "match" => {
            let policy_id = match f.get("policy_id").parse::<i64>() {
                Ok(p) => p,
                Err(_) => {
                    let number = f.get("policy_number").trim().to_uppercase();
                    billing::policy_id_by_number(&st.ctx(), actor, &number).await?
                }
            };
            billing::match_line(&st.ctx(), actor, id, MatchInput { policy_id })
                .await
                .map(drop)
        }
        "split" => {
            let mut parts = Vec::new();
            for (number, amount) in split_parts(f) {
                let policy_id = billing::policy_id_by_number(&st.ctx(), actor, &number).await?;
                parts.push(SplitPart {
                    policy_id,
                    amount: amount?,
                });
            }
            billing::split_line(&st.ctx(), actor, id, SplitInput { parts })
                .await
                .map(drop)
        }
        "dismiss" => billing::dismiss_line(
            &st.ctx(),
            actor,
            id,
            DismissInput {
                reason: f.get("reason").to_string(),
            },
        )
        .await
        .map(drop),
        "refund" => {
            let on = chrono::NaiveDate::parse_from_str(f.get("refunded_on").trim(), "%Y-%m-%d")
                .map_err(|_| {
                    ServiceError::field("refunded_on", "give the refund date", "请填写退回日期")
                })?;
            billing::refund_line(
                &st.ctx(),
                actor,
                id,
                RefundLineInput {
                    refunded_on: on,
                    reference: f.get("reference").to_string(),
                    reason: f.get("reason").to_string(),
                },
            )
            .await
            .map(drop)
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
    let f = RawForm(form.into_inner());
    who.check_csrf(f.get("csrf"))?;
    let (id, action) = path.into_inner();
    let page_no = f.get("page").parse().unwrap_or(1);
    finish(
        &req,
        &st,
        &who,
        page_no,
        run_action(&st, &who, id, &action, &f).await,
    )
    .await
}

async fn finish(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    page_no: i64,
    result: Result<(), ServiceError>,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(()) => Ok(see_other(&format!("/billing/bank?page={page_no}&saved=1"))),
        Err(ServiceError::Validation(e)) => render_bank(req, st, who, page_no, e).await,
        Err(ServiceError::Conflict(text)) => {
            let e = FieldError::worded("state", text);
            let mut resp = render_bank(req, st, who, page_no, vec![e]).await?;
            *resp.status_mut() = actix_web::http::StatusCode::CONFLICT;
            Ok(resp)
        }
        Err(other) => Err(other.into()),
    }
}

async fn reverse(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let f = RawForm(form.into_inner());
    who.check_csrf(f.get("csrf"))?;
    let r = billing::reverse_disposal(
        &st.ctx(),
        &who.actor,
        id.into_inner(),
        DisposalReversalInput {
            reason: f.get("reason").to_string(),
        },
    )
    .await
    .map(drop);
    finish(&req, &st, &who, 1, r).await
}
