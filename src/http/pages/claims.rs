//! Claims pages: the list, the registration form (also for client users), the work
//! queue by urgency and the approvals waiting for a claims manager.

use super::listing::{self, Sorter};
use super::quote_form::RawForm;
use super::{page, see_other, Chrome, PageError, Pager};
use crate::domain::clauses::ClaimType;
use crate::domain::money::Money;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::paging::ClaimSort;
use crate::services::claims::{
    self, ClaimView, ListQuery, NotificationInput, QueueItem, QueueQuery, ReportDefaults,
};
use crate::services::readers::{self, ForReader};
use crate::services::underwriting::{self as uw, ListQuery as PolicyQuery};
use crate::services::{FieldError, ServiceError};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/claims", web::get().to(list))
        .route("/claims", web::post().to(create))
        .route("/claims/new", web::get().to(new_form))
        .route("/claims/queue", web::get().to(queue))
        .route("/claims/mine", web::get().to(mine))
        .route("/claims/approvals", web::get().to(approvals))
        .configure(super::claim_batches::routes)
        .configure(super::claim_detail::routes);
}

pub fn state_label(state: &str, c: &Chrome) -> String {
    let (zh, en) = match state {
        "notified" => ("已报案", "Notified"),
        "open" => ("处理中", "Open"),
        "awaiting_approval" => ("待审批", "Awaiting approval"),
        "agreed" => ("已核定待支付", "Agreed, to pay"),
        "closed" => ("已结案", "Closed"),
        other => (other, other),
    };
    c.lang.pick(zh, en).to_string()
}

pub fn type_label(claim_type: &str, c: &Chrome) -> String {
    let (zh, en) = match claim_type {
        "quality_repair" => ("质量风险 — 修理", "Quality — repair"),
        "quality_replacement" => ("质量风险 — 更换", "Quality — replacement"),
        "quality_return" => ("质量风险 — 退货", "Quality — return"),
        "liability_property_damage" => ("责任风险 — 财产损失", "Liability — property damage"),
        "liability_bodily_injury" => ("责任风险 — 人身伤亡", "Liability — bodily injury"),
        "transport_damage" => ("国内运输 — 货损", "Transport — damage in transit"),
        other => (other, other),
    };
    c.lang.pick(zh, en).to_string()
}

/// One list line, labels resolved for the page.
pub struct Line {
    pub v: ClaimView,
    pub state: String,
    pub kind: String,
    pub due: String,
    pub overdue: bool,
}

fn line(v: ClaimView, c: &Chrome, item: Option<&QueueItem>) -> Line {
    let (due, overdue) = match item.and_then(|i| i.urgency) {
        Some(u) => (
            format!(
                "{} {} ({})",
                c.lang.pick(u.kind.zh(), u.kind.en()),
                u.due_on,
                if u.overdue {
                    format!("{} {}", c.lang.pick("逾期", "overdue by"), -u.days_left)
                } else {
                    format!("{} {}", c.lang.pick("剩余天数", "days left"), u.days_left)
                }
            ),
            u.overdue,
        ),
        None => (String::new(), false),
    };
    Line {
        state: state_label(&v.state, c),
        kind: type_label(&v.claim_type, c),
        v,
        due,
        overdue,
    }
}

#[derive(Template)]
#[template(path = "claims.html")]
struct ListPage {
    c: Chrome,
    title: String,
    rows: Vec<Line>,
    queue: bool,
    can_report: bool,
    can_handle: bool,
    total: String,
    pager: Pager,
    /// Sortable headers and the filter form (the list, not the queue).
    sorter: Option<Sorter>,
    f: RawForm,
    states: Vec<(&'static str, String)>,
    types: Vec<(&'static str, String)>,
}

const CLAIM_STATES: [&str; 5] = ["notified", "open", "awaiting_approval", "agreed", "closed"];

#[derive(Deserialize)]
struct ListForm {
    q: Option<String>,
    state: Option<String>,
    claim_type: Option<String>,
    maker_id: Option<String>,
    policy_id: Option<String>,
    reported_from: Option<String>,
    reported_to: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    after: Option<String>,
}

fn date_of(s: &Option<String>) -> Option<chrono::NaiveDate> {
    s.as_deref().and_then(|d| d.trim().parse().ok())
}

/// Every claim the actor may see, a page at a time, searched by claim or policy
/// number, maker name or credit code, filtered by state, kind and report date.
async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<ListForm>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let q = q.into_inner();
    let sort = q
        .sort
        .clone()
        .filter(|s| ClaimSort::parse(s).is_some())
        .unwrap_or_else(|| "created".into());
    let descending = crate::services::descending(q.order.as_deref(), true);
    let paged = claims::list(
        &st.ctx(),
        &who.actor,
        ListQuery {
            q: q.q.clone(),
            state: q.state.clone(),
            claim_type: q.claim_type.clone(),
            maker_id: q.maker_id.as_deref().and_then(|v| v.parse().ok()),
            policy_id: q.policy_id.as_deref().and_then(|v| v.parse().ok()),
            reported_from: date_of(&q.reported_from),
            reported_to: date_of(&q.reported_to),
            sort: Some(sort.clone()),
            order: Some(if descending { "desc" } else { "asc" }.into()),
            assigned_to: None,
            limit: Some(50),
            after: q.after.clone(),
        },
    )
    .await?;
    let f = RawForm(
        [
            ("q", &q.q),
            ("state", &q.state),
            ("claim_type", &q.claim_type),
            ("maker_id", &q.maker_id),
            ("policy_id", &q.policy_id),
            ("reported_from", &q.reported_from),
            ("reported_to", &q.reported_to),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_deref().unwrap_or_default().to_string()))
        .collect(),
    );
    let params: Vec<(&str, &str)> = f.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sorter = Sorter {
        base: listing::href("/claims", &params),
        sort,
        descending,
    };
    let total = listing::total_text(&paged.total, &c);
    let pager = Pager::keyset(&sorter.current(), &paged);
    let rows = paged.rows.into_iter().map(|v| line(v, &c, None)).collect();
    page(&ListPage {
        title: c.lang.pick("理赔案件", "Claims").into(),
        can_report: who.actor.role.reports_claims(),
        can_handle: who.actor.role.handles_claims(),
        queue: false,
        states: CLAIM_STATES
            .iter()
            .map(|s| (*s, state_label(s, &c)))
            .collect(),
        types: ClaimType::ALL
            .iter()
            .map(|t| (t.as_str(), type_label(t.as_str(), &c)))
            .collect(),
        sorter: Some(sorter),
        total,
        pager,
        rows,
        f,
        c,
    })
}

#[derive(Deserialize)]
struct QueueForm {
    after: Option<String>,
}

/// Open claims by deadline, a page at a time (the stored, indexed next deadline).
async fn queue(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<QueueForm>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let paged = claims::queue(
        &st.ctx(),
        &who.actor,
        QueueQuery {
            limit: Some(50),
            after: q.into_inner().after,
        },
    )
    .await?;
    let total = listing::total_text(&paged.total, &c);
    let pager = Pager::keyset("/claims/queue", &paged);
    let rows = paged
        .rows
        .iter()
        .map(|i| line(i.claim.clone(), &c, Some(i)))
        .collect();
    page(&ListPage {
        title: c
            .lang
            .pick(
                "理赔工作台（按时限紧急程度）",
                "Claims work queue (by urgency)",
            )
            .into(),
        can_report: who.actor.role.reports_claims(),
        can_handle: who.actor.role.handles_claims(),
        queue: true,
        sorter: None,
        states: Vec::new(),
        types: Vec::new(),
        f: RawForm(Vec::new()),
        total,
        pager,
        rows,
        c,
    })
}

/// "My claims": the open claims assigned to the signed-in handler, by deadline, a page
/// at a time.
async fn mine(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<QueueForm>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let paged = claims::my_queue(
        &st.ctx(),
        &who.actor,
        QueueQuery {
            limit: Some(50),
            after: q.into_inner().after,
        },
    )
    .await?;
    let total = listing::total_text(&paged.total, &c);
    let pager = Pager::keyset("/claims/mine", &paged);
    let rows = paged
        .rows
        .iter()
        .map(|i| line(i.claim.clone(), &c, Some(i)))
        .collect();
    page(&ListPage {
        title: c.lang.pick("我的赔案", "My claims").into(),
        can_report: who.actor.role.reports_claims(),
        can_handle: who.actor.role.handles_claims(),
        queue: true,
        sorter: None,
        states: Vec::new(),
        types: Vec::new(),
        f: RawForm(Vec::new()),
        total,
        pager,
        rows,
        c,
    })
}

/// One decision waiting for approval, ready to show.
pub struct ApprovalLine {
    pub a: claims::ApprovalView,
    pub outcome: String,
    pub amount: String,
    pub reasons: String,
    /// The checklist items missing now, in the page's language.
    pub missing: String,
    /// The handler's reason for deciding without them.
    pub waiver: String,
}

pub fn outcome_label(outcome: &str, c: &Chrome) -> String {
    let (zh, en) = match outcome {
        "accept" => ("赔付", "Accept"),
        "accept_in_part" => ("部分赔付", "Accept in part"),
        "reject" => ("拒赔", "Reject"),
        other => (other, other),
    };
    c.lang.pick(zh, en).to_string()
}

#[derive(Template)]
#[template(path = "claim_approvals.html")]
struct ApprovalsPage {
    c: Chrome,
    rows: Vec<ApprovalLine>,
}

async fn approvals(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let rows = claims::approvals(&st.ctx(), &who.actor)
        .await?
        .into_iter()
        .map(|p| {
            let a = p.approval;
            let amount = a.indemnity.map(|m| m.grouped()).unwrap_or_default();
            let reasons = a.reasons.clone();
            let missing: Vec<&str> = p
                .missing_proof
                .iter()
                .map(|m| c.lang.pick(m.zh.as_str(), m.en.as_str()))
                .collect();
            let waiver: Vec<&str> = p.proof_waivers.iter().map(|w| w.reason.as_str()).collect();
            ApprovalLine {
                outcome: outcome_label(&a.outcome, &c),
                amount,
                reasons: reasons.join("；"),
                missing: missing.join("、"),
                waiver: waiver.join("；"),
                a,
            }
        })
        .collect();
    page(&ApprovalsPage { c, rows })
}

#[derive(Template)]
#[template(path = "claim_form.html")]
struct FormPage {
    c: Chrome,
    f: RawForm,
    errors: Vec<FieldError>,
    policies: Vec<(i64, String)>,
    /// More policies match than the picker shows.
    more: bool,
    types: Vec<(&'static str, String)>,
    can_reserve: bool,
    /// Started from a policy's page: the policy it is about.
    from_policy: Option<ReportDefaults>,
}

/// How many matching policies the claim form's picker offers.
const PICKER_SIZE: i64 = 20;

async fn form_page(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    f: RawForm,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    form_page_from(req, st, who, f, errors, None).await
}

async fn form_page_from(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    f: RawForm,
    errors: Vec<FieldError>,
    from_policy: Option<ReportDefaults>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    // A picker that searches (number, maker, product, credit code) and shows the first
    // matches, not a dropdown of the first 500 policies.
    let found = uw::list(
        &st.ctx(),
        &who.actor,
        PolicyQuery {
            q: Some(f.get("policy_q").to_string()),
            issued_only: Some(true),
            limit: Some(PICKER_SIZE),
            ..PolicyQuery::default()
        },
    )
    .await?;
    let views = &found.rows;
    let option = |id: i64, number: Option<&str>, maker: &str, product: &str| {
        number.map(|n| (id, format!("{n} · {maker} · {product}")))
    };
    let mut policies: Vec<(i64, String)> = views
        .iter()
        .filter_map(|p| {
            option(
                p.policy_id,
                p.policy_number.as_deref(),
                &p.maker_name,
                &p.product_name,
            )
        })
        .collect();
    // The policy already chosen (a link from the policy page, a refused submission)
    // stays offered whatever the search shows.
    if let Ok(chosen) = f.get("policy_id").parse::<i64>() {
        if !views.iter().any(|v| v.policy_id == chosen) {
            let chosen = match readers::policy(&st.ctx(), &who.actor, chosen).await {
                Ok(ForReader::Staff(d)) => option(
                    d.policy.policy_id,
                    d.policy.policy_number.as_deref(),
                    &d.policy.maker_name,
                    &d.policy.product_name,
                ),
                Ok(ForReader::Client(d)) => option(
                    d.policy.policy_id,
                    d.policy.policy_number.as_deref(),
                    &d.policy.maker_name,
                    &d.policy.product_name,
                ),
                Err(_) => None,
            };
            if let Some(o) = chosen {
                policies.insert(0, o);
            }
        }
    }
    let more = found.next.is_some();
    // From a policy, only the claim types its sections cover are offered.
    let types = ClaimType::ALL
        .iter()
        .filter(|t| {
            from_policy
                .as_ref()
                .is_none_or(|d| d.claim_types.contains(t))
        })
        .map(|t| (t.as_str(), type_label(t.as_str(), &c)))
        .collect();
    let mut resp = page(&FormPage {
        from_policy,
        more,
        can_reserve: who.actor.role.handles_claims(),
        c,
        f,
        errors,
        policies,
        types,
    })?;
    if resp.status().is_success() && req.method() == actix_web::http::Method::POST {
        *resp.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn new_form(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
) -> Result<HttpResponse, PageError> {
    who.actor
        .require(who.actor.role.reports_claims(), "report claims")?;
    let mut f = RawForm(
        url::form_urlencoded::parse(req.query_string().as_bytes())
            .filter(|(k, _)| k == "policy_id" || k == "policy_q")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    );
    let policy_id =
        f.0.iter()
            .find(|(k, _)| k == "policy_id")
            .and_then(|(_, v)| v.parse::<i64>().ok());
    // Started from a policy's page: the form opens on that policy with its units and
    // the claimant's address filled in.
    let defaults = match policy_id {
        Some(id) => Some(claims::report_defaults(&st.ctx(), &who.actor, id).await?),
        None => None,
    };
    if let Some(d) = &defaults {
        f.0.push(("units".into(), d.units.join(", ")));
        f.0.push(("contact_email".into(), d.contact_email.clone()));
    }
    form_page_from(&req, &st, &who, f, Vec::new(), defaults).await
}

fn money_field(
    f: &RawForm,
    key: &str,
    zh: &str,
    en: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Money> {
    let text = f.get(key).trim();
    if text.is_empty() {
        return None;
    }
    match Money::parse(text) {
        Ok(m) => Some(m),
        Err(e) => {
            errors.push(FieldError::new(
                key,
                format!("{en}: {e}"),
                format!("{zh}：{}", e.zh()),
            ));
            None
        }
    }
}

fn parse_notification(f: &RawForm) -> Result<NotificationInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let policy_id = f.get("policy_id").parse::<i64>().ok();
    if policy_id.is_none() {
        errors.push(FieldError::new(
            "policy_id",
            "choose the policy",
            "请选择保单",
        ));
    }
    let event_date = f.get("event_date").trim().parse().ok();
    if event_date.is_none() {
        errors.push(FieldError::new(
            "event_date",
            "give the event date",
            "请填写出险日期",
        ));
    }
    let known_date = f.get("known_date").trim().parse().ok();
    let claim_type = ClaimType::parse(f.get("claim_type"));
    if claim_type.is_none() {
        errors.push(FieldError::new(
            "claim_type",
            "choose the kind of claim",
            "请选择索赔类型",
        ));
    }
    let amount = money_field(
        f,
        "amount_claimed",
        "索赔金额",
        "Amount claimed",
        &mut errors,
    );
    if amount.is_none() && f.get("amount_claimed").trim().is_empty() {
        errors.push(FieldError::new(
            "amount_claimed",
            "give the amount claimed",
            "请填写索赔金额",
        ));
    }
    let reserve = money_field(f, "reserve", "准备金", "Reserve", &mut errors);
    let units = f
        .get("units")
        .split([',', '，', '\n', ' ', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    match (policy_id, event_date, claim_type, amount) {
        (Some(policy_id), Some(event_date), Some(claim_type), Some(amount_claimed))
            if errors.is_empty() =>
        {
            Ok(NotificationInput {
                policy_id,
                event_date,
                known_date,
                place: f.get("place").into(),
                description: f.get("description").into(),
                claim_type,
                units,
                amount_claimed,
                contact_email: Some(f.get("contact_email").to_string())
                    .filter(|e| !e.trim().is_empty()),
                reserve,
            })
        }
        _ => Err(errors),
    }
}

async fn create(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let f = RawForm(form.into_inner());
    who.check_csrf(f.get("csrf"))?;
    let input = match parse_notification(&f) {
        Ok(i) => i,
        Err(errors) => return form_page(&req, &st, &who, f, errors).await,
    };
    match claims::notify(&st.ctx(), &who.actor, input).await {
        Ok(v) => Ok(see_other(&format!("/claims/{}?saved=1", v.claim_id))),
        Err(ServiceError::Validation(errors)) => form_page(&req, &st, &who, f, errors).await,
        Err(e) => Err(e.into()),
    }
}
