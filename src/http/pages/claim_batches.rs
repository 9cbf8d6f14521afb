//! Claim payments to the bank on pages: the approved payments waiting, the batches, one
//! batch with its file (CSV / XLSX) and the bank's confirmation (a file imported, or
//! every payment confirmed paid on a day).

use super::listing;
use super::quote_form::RawForm;
use super::{page, see_other, shanghai_time, Chrome, PageError, Pager};
use crate::http::api::claim_ops::confirmation_bytes;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::claims::{
    self, BatchConfirmation, BatchInput, BatchItemView, BatchListQuery, BatchView,
};
use crate::services::{FieldError, ServiceError, ServiceResult};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/claims/payment-batches", web::get().to(list))
        .route("/claims/payment-batches", web::post().to(create))
        .route("/claims/payment-batches/{bid}", web::get().to(detail))
        .route(
            "/claims/payment-batches/{bid}/confirmation-file",
            web::post().to(import),
        )
        .route(
            "/claims/payment-batches/{bid}/{action}",
            web::post().to(act),
        );
}

fn state_label(state: &str, c: &Chrome) -> String {
    let (zh, en) = match state {
        "open" => ("已送银行，待确认", "Sent, awaiting the bank"),
        "closed" => ("已完成", "Closed"),
        "cancelled" => ("已撤销", "Cancelled"),
        other => (other, other),
    };
    c.lang.pick(zh, en).to_string()
}

fn item_status(i: &BatchItemView, c: &Chrome) -> String {
    match i.outcome.as_deref() {
        Some("paid") => format!(
            "{} {}",
            c.lang.pick("已支付", "Paid"),
            i.paid_on.map(|d| d.to_string()).unwrap_or_default()
        ),
        Some("failed") => format!(
            "{}{}",
            c.lang.pick("支付失败", "Failed"),
            if i.failure_reason.is_empty() {
                String::new()
            } else {
                format!("：{}", i.failure_reason)
            }
        ),
        _ => c.lang.pick("待银行确认", "Awaiting the bank").to_string(),
    }
}

#[derive(Template)]
#[template(path = "claim_batches.html")]
struct ListPage {
    c: Chrome,
    errors: Vec<FieldError>,
    waiting: Vec<BatchItemView>,
    /// (batch, state label, created at)
    batches: Vec<(BatchView, String, String)>,
    /// The state filter's choices (code, label, selected), the total and the page links.
    states: Vec<(&'static str, String, bool)>,
    total: String,
    pager: Pager,
}

/// The list's filter and page, as the page's links carry them.
#[derive(Debug, Default, serde::Deserialize)]
struct ListFilter {
    state: Option<String>,
    after: Option<String>,
}

async fn render_list(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    errors: Vec<FieldError>,
    f: ListFilter,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    let waiting = claims::waiting_payments(&st.ctx(), &who.actor).await?;
    let state = f.state.unwrap_or_default();
    let q = BatchListQuery {
        state: Some(state.clone()),
        after: f.after,
        ..BatchListQuery::default()
    };
    let paged = claims::list_batches(&st.ctx(), &who.actor, &q).await?;
    let total = listing::total_text(&paged.total, &c);
    let pager = Pager::keyset(
        &listing::href("/claims/payment-batches", &[("state", &state)]),
        &paged,
    );
    let states = ["open", "closed", "cancelled"]
        .into_iter()
        .map(|s| (s, state_label(s, &c), s == state))
        .collect();
    let batches = paged
        .rows
        .into_iter()
        .map(|b| {
            let s = state_label(&b.state, &c);
            let at = shanghai_time(b.created_at);
            (b, s, at)
        })
        .collect();
    page(&ListPage {
        c,
        errors,
        waiting,
        batches,
        states,
        total,
        pager,
    })
}

async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    f: web::Query<ListFilter>,
) -> Result<HttpResponse, PageError> {
    render_list(&req, &st, &who, Vec::new(), f.into_inner()).await
}

async fn create(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let f = RawForm(form.into_inner());
    who.check_csrf(f.get("csrf"))?;
    let ids: Vec<i64> =
        f.0.iter()
            .filter(|(k, _)| k == "payment_id")
            .filter_map(|(_, v)| v.parse().ok())
            .collect();
    let input = BatchInput {
        payment_ids: (!ids.is_empty()).then_some(ids),
        note: f.get("note").into(),
    };
    match claims::create_batch(&st.ctx(), &who.actor, input).await {
        Ok(b) => Ok(see_other(&format!(
            "/claims/payment-batches/{}?saved=1",
            b.batch_id
        ))),
        Err(e) => match shown(e) {
            Ok(errors) => {
                unprocessable(render_list(&req, &st, &who, errors, ListFilter::default()).await?)
            }
            Err(e) => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "claim_batch.html")]
struct DetailPage {
    c: Chrome,
    errors: Vec<FieldError>,
    b: BatchView,
    state: String,
    /// (item, status label, waiting for the bank)
    items: Vec<(BatchItemView, String, bool)>,
    today: String,
}

async fn render_detail(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    bid: i64,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    let b = claims::get_batch(&st.ctx(), &who.actor, bid).await?;
    let items = b
        .items
        .iter()
        .map(|i| (i.clone(), item_status(i, &c), i.outcome.is_none()))
        .collect();
    page(&DetailPage {
        state: state_label(&b.state, &c),
        today: st.clock.today().to_string(),
        items,
        errors,
        b,
        c,
    })
}

async fn detail(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    bid: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    render_detail(&req, &st, &who, bid.into_inner(), Vec::new()).await
}

/// Validation errors and conflicts are shown on the page; the rest is an error page.
fn shown(e: ServiceError) -> Result<Vec<FieldError>, ServiceError> {
    match e {
        ServiceError::Validation(errors) => Ok(errors),
        ServiceError::Conflict(text) => Ok(vec![FieldError::worded("state", text)]),
        other => Err(other),
    }
}

fn unprocessable(mut resp: HttpResponse) -> Result<HttpResponse, PageError> {
    *resp.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

async fn finish(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    bid: i64,
    result: ServiceResult<BatchView>,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(_) => Ok(see_other(&format!("/claims/payment-batches/{bid}?saved=1"))),
        Err(e) => match shown(e) {
            Ok(errors) => unprocessable(render_detail(req, st, who, bid, errors).await?),
            Err(e) => Err(e.into()),
        },
    }
}

async fn import(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    bid: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let bid = bid.into_inner();
    let result = match confirmation_bytes(&req, payload).await {
        Ok((bytes, form)) => {
            who.check_csrf(form.get("csrf"))?;
            claims::import_confirmation(&st.ctx(), &who.actor, bid, &bytes).await
        }
        Err(e) => Err(e),
    };
    finish(&req, &st, &who, bid, result).await
}

async fn act(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    path: web::Path<(i64, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (bid, action) = path.into_inner();
    let f = RawForm(form.into_inner());
    who.check_csrf(f.get("csrf"))?;
    let result = match action.as_str() {
        "confirm" => match f.get("all_paid_on").trim().parse() {
            Ok(day) => {
                claims::confirm_batch(
                    &st.ctx(),
                    &who.actor,
                    bid,
                    BatchConfirmation {
                        lines: Vec::new(),
                        all_paid_on: Some(day),
                    },
                )
                .await
            }
            Err(_) => Err(ServiceError::field(
                "all_paid_on",
                "not a date (YYYY-MM-DD)",
                "日期格式应为 YYYY-MM-DD",
            )),
        },
        "cancel" => claims::cancel_batch(&st.ctx(), &who.actor, bid, f.get("reason")).await,
        _ => Err(ServiceError::NotFound("action")),
    };
    finish(&req, &st, &who, bid, result).await
}
