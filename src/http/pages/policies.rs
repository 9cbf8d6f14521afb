//! Underwriting pages: quote form, policy list and detail with its actions, the
//! referral queue and the subsidy estimate.

use super::listing::{self, Sorter};
use super::pickers::{self, Options};
use super::quote_form::{self, RawForm};
use super::{page, see_other, Chrome, HistoryLine, PageError, Pager};
use crate::domain::lifecycle_text::policy_state_zh;
use crate::domain::money::Money;
use crate::domain::programme::{Finding, Severity};
use crate::domain::subsidy::Assessment;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::paging::PolicySort;
use crate::services::readers::{
    self, ClientPolicyClaims, ClientPolicyDetail, ClientPolicyView, ClientTerms, ClientVersion,
    ForReader,
};
use crate::services::underwriting::{
    self as uw, CancelInput, CancelledBy, EndorsementInput, ListQuery, PolicyView, QuoteInput,
    RenewalInput,
};
use crate::services::underwriting::{PolicyDetail, PolicyVersionView, ReferralView};
use crate::services::{catalogue, FieldError, ServiceError, Text};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/policies", web::get().to(list))
        .route("/policies", web::post().to(create))
        .route("/policies/new", web::get().to(new_form))
        .route("/policies/{id}", web::get().to(detail))
        .route("/policies/{id}/subsidy", web::get().to(subsidy))
        .route("/policies/{id}/edit", web::get().to(edit_form))
        .route("/policies/{id}/edit", web::post().to(update))
        .route("/policies/{id}/{action}", web::post().to(act))
        .route("/referrals", web::get().to(referrals));
}

pub const STATES: [&str; 7] = [
    "quoted",
    "referred",
    "bound",
    "issued",
    "in_force",
    "expired",
    "cancelled",
];

pub fn state_label(state: &str, c: &Chrome) -> String {
    let (zh, en) = match state {
        "quoted" => ("已报价", "Quoted"),
        "referred" => ("待上级核保", "Referred"),
        "bound" => ("已承保", "Bound"),
        "issued" => ("已出单", "Issued"),
        "in_force" => ("有效", "In force"),
        "expired" => ("已满期", "Expired"),
        "cancelled" => ("已注销", "Cancelled"),
        "quote_expired" => ("报价已过期", "Quote expired"),
        "declined" => ("已拒保", "Declined"),
        "withdrawn" => ("投保人已撤回", "Withdrawn"),
        other => (other, other),
    };
    c.lang.pick(zh, en).to_string()
}

fn basis_label(basis: &str, c: &Chrome) -> String {
    let (zh, en) = match basis {
        "first_set" => ("首台(套)", "First set"),
        "first_batch" => ("首批次", "First batch"),
        "first_year" => ("首年度", "First year"),
        other => (other, other),
    };
    c.lang.pick(zh, en).to_string()
}

/// The form's chosen id in `field`, if it is one.
fn chosen(f: &RawForm, field: &str) -> Option<i64> {
    pickers::chosen(f.get(field))
}

async fn party_options(
    st: &AppState,
    who: &PageActor,
    kind: &str,
    chosen: Option<i64>,
) -> Result<Options, PageError> {
    let chosen: Vec<i64> = chosen.into_iter().collect();
    pickers::parties(st, &who.actor, Some(kind), &chosen).await
}

fn programme_options(st: &AppState) -> Vec<(String, String, String)> {
    st.library
        .programmes()
        .iter()
        .map(|p| (p.id.clone(), p.name.zh.clone(), p.name.en.clone()))
        .collect()
}

#[derive(Template)]
#[template(path = "policies.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<PolicyView>,
    labels: Vec<(String, String)>,
    total: String,
    f: RawForm,
    programmes: Vec<(String, String, String)>,
    states: Vec<(&'static str, String)>,
    can_quote: bool,
    pager: Pager,
    sorter: Sorter,
}

#[derive(Deserialize)]
struct ListForm {
    q: Option<String>,
    maker_id: Option<String>,
    user_id: Option<String>,
    state: Option<String>,
    period_from: Option<String>,
    period_to: Option<String>,
    programme_id: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    after: Option<String>,
}

fn date_or_none(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref().and_then(|d| d.trim().parse().ok())
}

/// The policy list: a page at a time (keyset), searched by number, product, maker or
/// user name or credit code; makers and users are found by the search, not picked
/// from a list of every party.
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
        .filter(|s| PolicySort::parse(s).is_some())
        .unwrap_or_else(|| "created".into());
    let descending = crate::services::descending(q.order.as_deref(), true);
    let query = ListQuery {
        q: q.q.clone(),
        maker_id: q.maker_id.as_deref().and_then(|v| v.parse().ok()),
        user_id: q.user_id.as_deref().and_then(|v| v.parse().ok()),
        state: q.state.clone(),
        period_from: date_or_none(&q.period_from),
        period_to: date_or_none(&q.period_to),
        programme_id: q.programme_id.clone(),
        sort: Some(sort.clone()),
        order: Some(if descending { "desc" } else { "asc" }.into()),
        limit: Some(50),
        after: q.after.clone(),
        ..ListQuery::default()
    };
    let paged = uw::list(&st.ctx(), &who.actor, query).await?;
    let f = RawForm(
        [
            ("q", &q.q),
            ("maker_id", &q.maker_id),
            ("user_id", &q.user_id),
            ("state", &q.state),
            ("period_from", &q.period_from),
            ("period_to", &q.period_to),
            ("programme_id", &q.programme_id),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_deref().unwrap_or_default().to_string()))
        .collect(),
    );
    let params: Vec<(&str, &str)> = f.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sorter = Sorter {
        base: listing::href("/policies", &params),
        sort,
        descending,
    };
    page(&ListPage {
        labels: paged
            .rows
            .iter()
            .map(|r| (state_label(&r.status, &c), basis_label(&r.cover_basis, &c)))
            .collect(),
        states: STATES.iter().map(|s| (*s, state_label(s, &c))).collect(),
        can_quote: who.actor.role.underwrites(),
        pager: Pager::keyset(&sorter.current(), &paged),
        programmes: programme_options(&st),
        total: listing::total_text(&paged.total, &c),
        rows: paged.rows,
        c,
        f,
        sorter,
    })
}

/// A clause-set section offered on the form.
pub struct SectionOption {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub deductibles: Vec<String>,
}

#[derive(Template)]
#[template(path = "quote_form.html")]
struct FormPage {
    c: Chrome,
    f: RawForm,
    errors: Vec<FieldError>,
    /// Warnings to acknowledge: (code, message).
    warnings: Vec<(String, String)>,
    makers: Options,
    users: Options,
    intermediaries: Options,
    items: Options,
    clause_sets: Vec<(String, String)>,
    sections: Vec<SectionOption>,
    programmes: Vec<(String, String, String)>,
    /// Editing a stored quote: (policy id, version the form was filled from).
    edit: Option<(i64, i64)>,
}

async fn form_page(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    f: RawForm,
    errors: Vec<FieldError>,
) -> Result<FormPage, PageError> {
    let c = Chrome::for_actor(req, who);
    let mut items = catalogue::list(
        &st.ctx(),
        &who.actor,
        catalogue::CatalogueListQuery::first(None, pickers::OPTIONS),
    )
    .await?
    .rows;
    if let Some(id) = chosen(&f, "catalogue_item_id")
        .filter(|id| !items.iter().any(|i| i.catalogue_item_id == *id))
    {
        match catalogue::get(&st.ctx(), &who.actor, id).await {
            Ok(i) => items.insert(0, i),
            Err(ServiceError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut sections: Vec<SectionOption> = Vec::new();
    for set in st.library.clause_sets() {
        for s in &set.sections {
            match sections.iter_mut().find(|o| o.code == s.code) {
                Some(o) => o.deductibles.extend(
                    s.deductible_options
                        .iter()
                        .map(|d| d.code.clone())
                        .filter(|d| !o.deductibles.contains(d))
                        .collect::<Vec<_>>(),
                ),
                None => sections.push(SectionOption {
                    code: s.code.clone(),
                    zh: s.name.zh.clone(),
                    en: s.name.en.clone(),
                    deductibles: s
                        .deductible_options
                        .iter()
                        .map(|d| d.code.clone())
                        .collect(),
                }),
            }
        }
    }
    let warnings = warnings_of(&errors, &c);
    let makers = party_options(st, who, "maker", chosen(&f, "maker_id")).await?;
    let users = party_options(st, who, "user", chosen(&f, "user_id")).await?;
    let intermediaries =
        party_options(st, who, "intermediary", chosen(&f, "intermediary_id")).await?;
    Ok(FormPage {
        f,
        errors,
        warnings,
        makers,
        users,
        intermediaries,
        items: items
            .into_iter()
            .map(|i| {
                (
                    i.catalogue_item_id,
                    format!(
                        "{} · {} · {}",
                        i.product_name,
                        i.maker_name,
                        c.label("unit_type", &i.unit_type)
                    ),
                )
            })
            .collect(),
        clause_sets: st
            .library
            .clause_sets()
            .iter()
            .map(|s| {
                (
                    format!("{}@{}", s.id, s.version.0),
                    format!("{} {}", c.lang.pick(&s.name.zh, &s.name.en), s.version.0),
                )
            })
            .collect(),
        sections,
        programmes: programme_options(st),
        edit: None,
        c,
    })
}

/// What a new quote's form may arrive with already chosen.
#[derive(Debug, Default, Deserialize)]
struct Prefill {
    maker_id: Option<String>,
    user_id: Option<String>,
    catalogue_item_id: Option<String>,
}

async fn new_form(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<Prefill>,
) -> Result<HttpResponse, PageError> {
    who.actor
        .require(who.actor.role.underwrites(), "quote policies")?;
    let mut f = RawForm::new_quote(st.clock.today());
    // A quote started from a maker's (or a qualification's) page arrives with it chosen.
    // Anything but an id is ignored: the form then simply starts empty.
    for (field, id) in [
        ("maker_id", &q.maker_id),
        ("user_id", &q.user_id),
        ("catalogue_item_id", &q.catalogue_item_id),
    ] {
        if let Some(id) = id.as_deref().and_then(pickers::chosen) {
            f.0.push((field.into(), id.to_string()));
        }
    }
    page(&form_page(&req, &st, &who, f, vec![]).await?)
}

async fn create(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let f = RawForm(form.into_inner());
    who.check_csrf(f.get("csrf"))?;
    let result: Result<(i64, Money), ServiceError> = match quote_form::parse(&f) {
        Ok(input) => uw::create_quote(&st.ctx(), &who.actor, input)
            .await
            .map(|v| (v.policy_id, v.premium)),
        Err(errors) => Err(ServiceError::Validation(errors)),
    };
    match result {
        Ok((id, premium)) => Ok(see_other(&super::done(
            &format!("/policies/{id}"),
            "quoted",
            Some(&premium.grouped()),
        ))),
        Err(ServiceError::Validation(errors)) => {
            let mut resp = page(&form_page(&req, &st, &who, f, errors).await?)?;
            *resp.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(other) => Err(other.into()),
    }
}

/// The quote form filled from a quote that is still only quoted (报价修改).
async fn edit_form(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    who.actor
        .require(who.actor.role.underwrites(), "change quotes")?;
    let id = id.into_inner();
    let p = readers::staff_policy(&st.ctx(), &who.actor, id)
        .await?
        .policy;
    if p.state != "quoted" {
        return Err(ServiceError::Conflict(Text::new(
            format!(
                "只有报价状态可以修改，本保单为“{}”；已出单保单请通过批改办理",
                policy_state_zh(&p.state)
            ),
            format!(
                "only a quote can be edited; this policy is {} (issued policies change by \
                 endorsement)",
                p.state
            ),
        ))
        .into());
    }
    let mut form = form_page(&req, &st, &who, RawForm::from_terms(&p.terms), vec![]).await?;
    form.edit = Some((id, p.version));
    page(&form)
}

async fn update(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let f = RawForm(form.into_inner());
    who.check_csrf(f.get("csrf"))?;
    let version = f.get("version").trim().parse::<i64>().ok();
    let result = match quote_form::parse(&f) {
        Ok(input) => uw::update_quote(&st.ctx(), &who.actor, id, version, input).await,
        Err(errors) => Err(ServiceError::Validation(errors)),
    };
    match result {
        Ok(()) => Ok(see_other(&super::done(
            &format!("/policies/{id}"),
            "requoted",
            None,
        ))),
        Err(e @ (ServiceError::Validation(_) | ServiceError::Conflict(_))) => {
            let errors = super::form_errors(e)?;
            let mut form = form_page(&req, &st, &who, f, errors).await?;
            form.edit = Some((id, version.unwrap_or_default()));
            let mut resp = page(&form)?;
            *resp.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(other) => Err(other.into()),
    }
}

pub struct VersionLine {
    pub seq: i32,
    pub kind: String,
    /// An endorsement or a cancellation: it has a 批单 to download.
    pub has_document: bool,
    pub effective_on: NaiveDate,
    pub premium: String,
    pub adjustment: String,
    pub reason: String,
}

impl VersionLine {
    fn of(v: &PolicyVersionView, c: &Chrome) -> VersionLine {
        VersionLine::line(
            (v.seq, &v.kind, v.effective_on),
            (v.premium, v.adjustment),
            &v.reason,
            c,
        )
    }

    /// The same line from the policyholder's view of the version.
    fn of_client(v: &ClientVersion, c: &Chrome) -> VersionLine {
        VersionLine::line(
            (v.seq, &v.kind, v.effective_on),
            (v.premium, v.adjustment),
            &v.reason,
            c,
        )
    }

    fn line(
        (seq, kind, effective_on): (i32, &str, NaiveDate),
        (premium, adjustment): (Money, Money),
        reason: &str,
        c: &Chrome,
    ) -> VersionLine {
        let (zh, en) = match kind {
            "issue" => ("出单", "Issue"),
            "endorsement" => ("批改", "Endorsement"),
            _ => ("退保", "Cancellation"),
        };
        VersionLine {
            seq,
            kind: c.lang.pick(zh, en).to_string(),
            has_document: kind != "issue",
            effective_on,
            premium: premium.grouped(),
            adjustment: adjustment.grouped(),
            reason: reason.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "policy_detail.html")]
struct DetailPage {
    c: Chrome,
    p: PolicyView,
    state_label: String,
    basis_label: String,
    terms: Option<QuoteInput>,
    findings: Vec<Finding>,
    versions: Vec<VersionLine>,
    referrals: Vec<ReferralView>,
    history: Vec<HistoryLine>,
    errors: Vec<FieldError>,
    programmes: Vec<(String, String, String)>,
    today: String,
    can_underwrite: bool,
    can_decide: bool,
    /// The level of the authority ladder the open referral waits for, as a label.
    waits_for: Option<String>,
    /// Why the quote was declined or withdrawn (from its audit entry).
    closed_reason: Option<String>,
    /// The endorsement waiting for a senior underwriter, field by field as requested.
    pending_endorsement: Option<Vec<super::changes::FieldChange>>,
    is_quoted: bool,
    is_live: bool,
    /// The premium ledger, once issued (保费台账).
    ledger: Option<crate::services::billing::Ledger>,
    /// The action form that was refused, with what was typed, reopened.
    refused: Refused,
    /// Claims on the policy, paid, and what is left of each limit (once issued).
    claims: Option<crate::services::claims::policy_view::PolicyClaims>,
    /// Claims staff (and the maker's client) may start a claim here, prefilled.
    can_report_claim: bool,
}

/// The policy page as its policyholder reads it (`policy_detail_client.html`), built from
/// `ClientPolicyDetail` and `ClientPolicyClaims` alone: no findings, referrals, actions,
/// case reserves or history.
#[derive(Template)]
#[template(path = "policy_detail_client.html")]
struct ClientDetailPage {
    c: Chrome,
    p: ClientPolicyView,
    state_label: String,
    basis_label: String,
    terms: Option<ClientTerms>,
    versions: Vec<VersionLine>,
    errors: Vec<FieldError>,
    programmes: Vec<(String, String, String)>,
    /// The premium ledger, once issued (保费台账).
    ledger: Option<crate::services::billing::Ledger>,
    /// Its claims (without reserves), paid, and what is left of each limit (once issued).
    claims: Option<ClientPolicyClaims>,
    /// The maker's client may start a claim here, prefilled.
    can_report_claim: bool,
}

/// A refused action form: which one, what was typed, and the warnings it may now
/// acknowledge — so the underwriter corrects the form instead of typing it again.
#[derive(Default)]
pub struct Refused {
    pub action: String,
    pub f: RawForm,
    /// Warnings to acknowledge: (code, message in the page's language).
    pub warnings: Vec<(String, String)>,
}

impl Refused {
    fn of(action: &str, f: &RawForm, errors: &[FieldError], c: &Chrome) -> Refused {
        Refused {
            action: action.to_string(),
            f: f.clone(),
            warnings: warnings_of(errors, c),
        }
    }
}

/// The "须确认的提示" among refusal messages, as (code, message) to offer as checkboxes.
fn warnings_of(errors: &[FieldError], c: &Chrome) -> Vec<(String, String)> {
    errors
        .iter()
        .filter(|e| e.field == "acknowledged")
        .filter_map(|e| {
            let msg = c.lang.text(&e.text).to_string();
            quote_form::warning_code(&e.text.en).map(|code| (code.to_string(), msg))
        })
        .collect()
}

impl DetailPage {
    /// Is `action`'s form the one that was refused (so it opens with what was typed)?
    fn open(&self, action: &str) -> bool {
        self.refused.action == action
    }

    /// A field of `action`'s form: what was typed if that form was refused, else `default`.
    fn typed(&self, action: &str, field: &str, default: &str) -> String {
        if self.open(action) {
            self.refused.f.get(field).to_string()
        } else {
            default.to_string()
        }
    }
}

/// The policy page for its reader (`readers::policy`): staff the whole file, a client its
/// own view only.
async fn render_detail(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    id: i64,
    errors: Vec<FieldError>,
    refused: Option<(&str, &RawForm)>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = match readers::policy(&st.ctx(), &who.actor, id).await? {
        ForReader::Staff(d) => {
            let refused = refused
                .map(|(action, f)| Refused::of(action, f, &errors, &c))
                .unwrap_or_default();
            staff_detail(st, who, id, d, c, errors, refused).await?
        }
        ForReader::Client(d) => client_detail(st, who, id, d, c, errors).await?,
    };
    *resp.status_mut() = status;
    Ok(resp)
}

/// The premium ledger of an issued policy (a quote has none).
async fn ledger_of(
    st: &AppState,
    who: &PageActor,
    id: i64,
    numbered: bool,
) -> Result<Option<crate::services::billing::Ledger>, PageError> {
    if !numbered {
        return Ok(None);
    }
    Ok(Some(
        crate::services::billing::ledger(&st.ctx(), &st.clock, &who.actor, id).await?,
    ))
}

/// The claims on an issued policy for this reader (a quote has none).
async fn claims_of(
    st: &AppState,
    who: &PageActor,
    id: i64,
    numbered: bool,
) -> Result<
    Option<ForReader<crate::services::claims::policy_view::PolicyClaims, ClientPolicyClaims>>,
    PageError,
> {
    if !numbered {
        return Ok(None);
    }
    Ok(Some(
        readers::policy_claims(&st.ctx(), &who.actor, id).await?,
    ))
}

/// The page's claims read for another reader than its policy: never, since both are
/// chosen from the same actor.
fn other_reader() -> PageError {
    ServiceError::Internal("the policy and its claims were read for different readers".into())
        .into()
}

/// The staff page, exactly as it was before the reader's views.
async fn staff_detail(
    st: &AppState,
    who: &PageActor,
    id: i64,
    d: PolicyDetail,
    c: Chrome,
    errors: Vec<FieldError>,
    refused: Refused,
) -> Result<HttpResponse, PageError> {
    let p = d.policy;
    let terms: Option<QuoteInput> = Some(p.terms.clone());
    // Underwriting findings (rule codes, authority, referral reasons) are for staff only.
    let findings: Vec<Finding> = p.findings.clone();
    let numbered = p.policy_number.is_some();
    let ledger = ledger_of(st, who, id, numbered).await?;
    let claims = match claims_of(st, who, id, numbered).await? {
        Some(ForReader::Staff(k)) => Some(k),
        Some(ForReader::Client(_)) => return Err(other_reader()),
        None => None,
    };
    let open_level = d
        .referrals
        .iter()
        .find(|r| r.decision.is_none())
        .map(|r| r.level.clone());
    // Who may decide: the open referral's level or above (older referrals without a level
    // are checked by the service when decided).
    let ladder = &st.config.underwriting.ladder;
    let may_decide = match &open_level {
        Some(Some(code)) => code
            .parse()
            .is_ok_and(|level| ladder.may_decide(who.actor.role, level)),
        _ => who.actor.role.decides_referrals(),
    };
    let waits_for = open_level.flatten().map(|code| {
        let (zh, en) = uw::authority::level_label(&code);
        c.lang.pick(&zh, &en).to_string()
    });
    let closed_reason = d
        .history
        .iter()
        .rev()
        .find(|h| {
            matches!(
                h.action.as_str(),
                "policy.quote_declined" | "policy.quote_withdrawn" | "policy.referral_decided"
            )
        })
        .filter(|_| matches!(p.status.as_str(), "declined" | "withdrawn"))
        .and_then(|h| h.after_json.as_deref())
        .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
        .and_then(|v| v.get("reason").and_then(|r| r.as_str()).map(str::to_string));
    page(&DetailPage {
        claims,
        refused,
        ledger,
        waits_for,
        closed_reason,
        state_label: state_label(&p.status, &c),
        basis_label: basis_label(&p.cover_basis, &c),
        versions: d.versions.iter().map(|v| VersionLine::of(v, &c)).collect(),
        history: d.history.iter().map(HistoryLine::from).collect(),
        pending_endorsement: d
            .referrals
            .iter()
            .find(|r| r.decision.is_none())
            .and_then(|r| r.endorsement.as_ref())
            .map(|change| super::changes::diff(None, Some(&change.to_string()))),
        referrals: d.referrals,
        can_underwrite: who.actor.role.underwrites(),
        can_decide: may_decide,
        is_quoted: p.state == "quoted",
        is_live: matches!(p.state.as_str(), "issued" | "in_force"),
        can_report_claim: who.actor.role.reports_claims() && p.policy_number.is_some(),
        programmes: programme_options(st),
        today: st.clock.today().to_string(),
        terms,
        findings,
        errors,
        c,
        p,
    })
}

/// The policyholder's page, from its own view of the policy and its claims only.
async fn client_detail(
    st: &AppState,
    who: &PageActor,
    id: i64,
    d: ClientPolicyDetail,
    c: Chrome,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let p = d.policy;
    let numbered = p.policy_number.is_some();
    let ledger = ledger_of(st, who, id, numbered).await?;
    let claims = match claims_of(st, who, id, numbered).await? {
        Some(ForReader::Client(k)) => Some(k),
        Some(ForReader::Staff(_)) => return Err(other_reader()),
        None => None,
    };
    page(&ClientDetailPage {
        claims,
        ledger,
        state_label: state_label(&p.status, &c),
        basis_label: basis_label(&p.cover_basis, &c),
        versions: d
            .versions
            .iter()
            .map(|v| VersionLine::of_client(v, &c))
            .collect(),
        can_report_claim: who.actor.role.reports_claims() && numbered,
        programmes: programme_options(st),
        terms: d.terms,
        errors,
        c,
        p,
    })
}

async fn detail(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    render_detail(&req, &st, &who, id.into_inner(), vec![], None).await
}

fn field_date(f: &RawForm, field: &str) -> Result<NaiveDate, ServiceError> {
    f.get(field).trim().parse().map_err(|_| {
        ServiceError::field(
            field,
            "enter a date as YYYY-MM-DD",
            "请按 YYYY-MM-DD 填写日期",
        )
    })
}

fn field_money(f: &RawForm, field: &str) -> Result<Option<Money>, ServiceError> {
    match f.get(field).trim() {
        "" => Ok(None),
        t => Money::parse_non_negative(t)
            .map(Some)
            .map_err(|e| ServiceError::field(field, e.to_string(), e.zh())),
    }
}

/// One policy action posted from the detail page.
async fn run_action(
    st: &AppState,
    who: &PageActor,
    id: i64,
    action: &str,
    f: &RawForm,
) -> Result<String, ServiceError> {
    let ctx = st.ctx();
    let path = format!("/policies/{id}");
    let back = |event: &str, figure: Option<&str>| super::done(&path, event, figure);
    match action {
        "bind" => uw::bind(&ctx, &who.actor, id)
            .await
            .map(|_| back("bound", None)),
        "issue" => uw::issue(&ctx, &who.actor, id)
            .await
            .map(|v| back("issued", v.policy_number.as_deref())),
        "proof" => uw::record_end_user_proof(&ctx, &who.actor, id)
            .await
            .map(|_| back("proof", None)),
        "referral" => {
            let approve = f.get("decision") == "approve";
            let event = if approve {
                "referral_approved"
            } else {
                "referral_declined"
            };
            uw::decide_referral(&ctx, &who.actor, id, approve, f.get("reason"))
                .await
                .map(|_| back(event, None))
        }
        "endorse" => {
            let units = match f.get("units").trim() {
                "" => None,
                _ => {
                    let mut probe = RawForm::default();
                    probe.0.push(("units".into(), f.get("units").into()));
                    Some(quote_form::parse_units(&probe)?)
                }
            };
            let period_end = match f.get("period_end").trim() {
                "" => None,
                _ => Some(field_date(f, "period_end")?),
            };
            let input = EndorsementInput {
                effective_on: field_date(f, "effective_on")?,
                units,
                aggregate_limit: field_money(f, "aggregate_limit")?,
                period_end,
                reason: f.get("reason").into(),
                acknowledged: f
                    .0
                    .iter()
                    .filter(|(k, _)| k == "ack")
                    .map(|(_, v)| v.clone())
                    .collect(),
            };
            uw::endorse(&ctx, &who.actor, id, input)
                .await
                .map(|o| match o {
                    uw::EndorsementOutcome::Applied { adjustment } => {
                        back("endorsed", Some(&adjustment.grouped()))
                    }
                    uw::EndorsementOutcome::Referred { .. } => back("endorse_referred", None),
                })
        }
        "cancel" => {
            let by = if f.get("by") == "insurer" {
                CancelledBy::Insurer
            } else {
                CancelledBy::Policyholder
            };
            let input = CancelInput {
                last_day_covered: field_date(f, "last_day_covered")?,
                by,
                reason: f.get("reason").into(),
            };
            uw::cancel(&ctx, &who.actor, id, input)
                .await
                .map(|m| back("cancelled", Some(&m.grouped())))
        }
        "decline" | "withdraw" => {
            let (how, event) = if action == "decline" {
                (uw::Closing::Decline, "quote_declined")
            } else {
                (uw::Closing::Withdraw, "quote_withdrawn")
            };
            uw::close_quote(&ctx, &who.actor, id, how, f.get("reason"))
                .await
                .map(|_| back(event, None))
        }
        "renew" => {
            let input = RenewalInput {
                backdating_reason: Some(f.get("backdating_reason").trim().to_string())
                    .filter(|r| !r.is_empty()),
                period_start: field_date(f, "period_start")?,
                period_end: field_date(f, "period_end")?,
                acknowledged: f
                    .0
                    .iter()
                    .filter(|(k, _)| k == "ack")
                    .map(|(_, v)| v.clone())
                    .collect(),
            };
            uw::renew(&ctx, &who.actor, id, input)
                .await
                .map(|new_id| super::done(&format!("/policies/{new_id}"), "renewal", None))
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
    // Binding and issuing commit the insurer: the first post shows what is being agreed
    // (premium, limit, period, a backdated start) and only the confirmed post acts.
    // Declining and withdrawing close the quote for good: the same confirmation step,
    // carrying the reason typed (an empty reason is refused on the detail page first).
    let closing = matches!(action.as_str(), "decline" | "withdraw");
    if (matches!(action.as_str(), "bind" | "issue")
        || (closing && !f.get("reason").trim().is_empty()))
        && f.get("confirmed") != "yes"
    {
        return confirm(&req, &st, &who, id, &action, f.get("reason")).await;
    }
    match run_action(&st, &who, id, &action, &f).await {
        Ok(to) => Ok(see_other(&to)),
        Err(ServiceError::Validation(errors)) => {
            render_detail(&req, &st, &who, id, errors, Some((&action, &f))).await
        }
        Err(ServiceError::Conflict(text)) => {
            let e = FieldError::worded("state", text);
            let mut resp = render_detail(&req, &st, &who, id, vec![e], Some((&action, &f))).await?;
            *resp.status_mut() = actix_web::http::StatusCode::CONFLICT;
            Ok(resp)
        }
        Err(ServiceError::Refused { kind, text }) => {
            // Expired, closed, above the decider's level: said on the page, in place.
            let e = FieldError::worded("state", text);
            let mut resp = render_detail(&req, &st, &who, id, vec![e], Some((&action, &f))).await?;
            *resp.status_mut() = actix_web::http::StatusCode::from_u16(kind.problem().2)
                .unwrap_or(actix_web::http::StatusCode::CONFLICT);
            Ok(resp)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct QueuePage {
    c: Chrome,
    rows: Vec<ReferralView>,
    /// (aggregate limit, reasons, level it waits for) per row.
    reasons: Vec<(String, String, String)>,
    total: String,
    sorter: Sorter,
    pager: Pager,
}

/// The queue page's query (lenient: links may carry more).
#[derive(Deserialize)]
struct QueueQuery {
    order: Option<String>,
    after: Option<String>,
}

async fn referrals(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let q = q.into_inner();
    let paged = uw::referral_queue(
        &st.ctx(),
        &who.actor,
        &uw::ReferralQuery {
            order: q.order.clone(),
            after: q.after,
            ..Default::default()
        },
    )
    .await?;
    let sorter = Sorter {
        base: "/referrals".into(),
        sort: "created".into(),
        descending: q.order.as_deref() == Some("desc"),
    };
    let total = listing::total_text(&paged.total, &c);
    let pager = Pager::keyset(&sorter.current(), &paged);
    let rows = paged.rows;
    let reasons = rows
        .iter()
        .map(|r| {
            let why = r
                .reasons
                .iter()
                .map(|x| c.lang.text(&x.text).to_string())
                .collect::<Vec<_>>()
                .join("；");
            let level = match &r.level {
                Some(code) => {
                    let (zh, en) = uw::authority::level_label(code);
                    c.lang.pick(&zh, &en).to_string()
                }
                None => c.lang.pick("高级核保员", "Senior underwriter").to_string(),
            };
            (r.aggregate_limit.grouped(), why, level)
        })
        .collect();
    page(&QueuePage {
        c,
        rows,
        reasons,
        total,
        sorter,
        pager,
    })
}

#[derive(Template)]
#[template(path = "subsidy.html")]
struct SubsidyPage {
    c: Chrome,
    policy_id: i64,
    a: Assessment,
    verdict: String,
    programmes: Vec<(String, String, String)>,
}

impl SubsidyPage {
    fn condition(&self, k: &crate::domain::subsidy::ConditionCheck) -> String {
        let (zh, en) = k.kind.label();
        self.c.lang.pick(zh, en).to_string()
    }

    fn outcome(&self, k: &crate::domain::subsidy::ConditionCheck) -> String {
        use crate::domain::subsidy::CheckOutcome;
        let (zh, en) = match k.outcome {
            CheckOutcome::Met => ("符合", "met"),
            CheckOutcome::NotMet => ("不符合", "not met"),
            CheckOutcome::NeedsFact => ("待录入事实", "needs a fact"),
        };
        self.c.lang.pick(zh, en).to_string()
    }

    /// The labels of the facts a condition used.
    fn used(&self, k: &crate::domain::subsidy::ConditionCheck) -> String {
        k.facts
            .iter()
            .filter_map(|code| self.a.facts.iter().find(|f| f.code == *code))
            .map(|f| self.c.lang.pick(&f.label_zh, &f.label_en).to_string())
            .collect::<Vec<_>>()
            .join("、")
    }

    fn fact_value(&self, f: &crate::domain::subsidy::FactUsed) -> String {
        match (&f.value_zh, &f.value_en) {
            (Some(zh), Some(en)) => self.c.lang.pick(zh, en).to_string(),
            _ => self.c.lang.pick("未录入", "not recorded").to_string(),
        }
    }

    fn fact_by(&self, f: &crate::domain::subsidy::FactUsed) -> String {
        match &f.by {
            Some(b) => {
                let role = super::subsidy_facts::role_label(&b.role, self.c.lang);
                let when = b.recorded_at.map(super::shanghai_time).unwrap_or_default();
                let who = match b.recorded_by.as_str() {
                    "system" => self.c.lang.pick("系统", "system").to_string(),
                    other => other.to_string(),
                };
                format!(
                    "{who} · {role} {when} · {}",
                    self.c.lang.text(&b.source_text())
                )
            }
            None => String::new(),
        }
    }
}

#[derive(Deserialize)]
struct SubsidyQuery {
    programme_id: Option<String>,
}

async fn subsidy(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    q: web::Query<SubsidyQuery>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let id = id.into_inner();
    let ctx = st.ctx();
    let own = match readers::policy(&ctx, &who.actor, id).await? {
        ForReader::Staff(d) => d.policy.programme_id,
        ForReader::Client(d) => d.policy.programme_id,
    };
    // Without a choice: the policy's own programme, else the first in the library.
    let programme = q
        .into_inner()
        .programme_id
        .filter(|s| !s.is_empty())
        .or(own)
        .or_else(|| st.library.programmes().first().map(|g| g.id.clone()));
    let a = uw::estimate(&ctx, &who.actor, id, programme).await?;
    let verdict = match a.verdict {
        crate::domain::subsidy::Verdict::Eligible => c.lang.pick("符合条件", "Eligible"),
        crate::domain::subsidy::Verdict::Pending => c.lang.pick("待满足条件", "Pending"),
        crate::domain::subsidy::Verdict::Ineligible => c.lang.pick("不符合条件", "Not eligible"),
    }
    .to_string();
    page(&SubsidyPage {
        programmes: programme_options(&st),
        c,
        policy_id: id,
        a,
        verdict,
    })
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    c: Chrome,
    p: PolicyView,
    terms: Option<QuoteInput>,
    /// `bind`, `issue`, `decline` or `withdraw`.
    action: String,
    /// The reason typed for declining or withdrawing.
    reason: String,
    /// Days the cover starts before today (倒签), when it does.
    backdated_days: Option<i64>,
    today: String,
}

async fn confirm(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    id: i64,
    action: &str,
    reason: &str,
) -> Result<HttpResponse, PageError> {
    who.actor
        .require(who.actor.role.underwrites(), "bind and issue policies")?;
    let c = Chrome::for_actor(req, who);
    let p = readers::staff_policy(&st.ctx(), &who.actor, id)
        .await?
        .policy;
    let today = st.clock.today();
    let backdated_days = (p.period_start < today).then(|| (today - p.period_start).num_days());
    page(&ConfirmPage {
        terms: Some(p.terms.clone()),
        action: action.to_string(),
        reason: reason.trim().to_string(),
        backdated_days,
        today: today.to_string(),
        c,
        p,
    })
}
