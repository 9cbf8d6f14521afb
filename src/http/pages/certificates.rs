//! Public certificate verification pages (no login) and the client portal: a client's
//! policies with their payment status and downloads, and the annex-3 export form.

use super::{page, see_other, Chrome, PageError, Pager};
use crate::domain::money::Money;
use crate::http::api::certificates::{limit, UPLOAD_LIMIT};
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::certificates::{self as certs, PdfCheck, Verification};
use crate::services::underwriting::{self as uw, ListQuery};
use crate::services::{billing, ServiceError};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/verify", web::get().to(verify_form))
        .route("/verify/{code}", web::get().to(verify_code))
        .route("/verify/{code}", web::post().to(verify_upload))
        .route("/portal", web::get().to(portal))
        .route("/policies/{id}/certificate/issue", web::post().to(issue))
        .route(
            "/policies/{id}/insurance-certificate/issue",
            web::post().to(issue_insurance_certificate),
        )
        .route(
            "/policies/{id}/versions/{seq}/endorsement/issue",
            web::post().to(issue_endorsement),
        );
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    c: Chrome,
    code: String,
    found: Option<Verification>,
    not_found: bool,
    check: Option<PdfCheck>,
}

impl VerifyPage {
    /// A stored reason written `中文 / English`, in the page's language.
    fn reason(&self, r: &str) -> String {
        match r.split_once(" / ") {
            Some((zh, en)) => self.c.lang.pick(zh, en).to_string(),
            None => r.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct CodeQuery {
    code: Option<String>,
}

/// The form; a submitted code goes to `/verify/{code}` (the address the QR code holds).
async fn verify_form(
    req: HttpRequest,
    q: web::Query<CodeQuery>,
) -> Result<HttpResponse, PageError> {
    if let Some(code) = q.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        let safe: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        return Ok(see_other(&format!("/verify/{safe}")));
    }
    page(&VerifyPage {
        c: Chrome::anonymous(&req, String::new()),
        code: String::new(),
        found: None,
        not_found: false,
        check: None,
    })
}

async fn lookup_page(
    req: &HttpRequest,
    st: &AppState,
    code: String,
    check: Option<PdfCheck>,
) -> Result<HttpResponse, PageError> {
    let (found, not_found) = match certs::lookup(&st.ctx(), &code).await {
        Ok(v) => (Some(v), false),
        Err(ServiceError::NotFound(_)) => (None, true),
        Err(e) => return Err(e.into()),
    };
    page(&VerifyPage {
        c: Chrome::anonymous(req, String::new()),
        code,
        found,
        not_found,
        check,
    })
}

async fn verify_code(
    req: HttpRequest,
    st: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    limit(&st, &req)?;
    lookup_page(&req, &st, code.into_inner(), None).await
}

/// The upload form posts the file here (multipart). It changes nothing and needs no
/// sign-in, so it carries no CSRF token; it is rate-limited like the lookup.
async fn verify_upload(
    req: HttpRequest,
    st: web::Data<AppState>,
    code: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    limit(&st, &req)?;
    let code = code.into_inner();
    let bytes = crate::http::upload::read(&req, payload, UPLOAD_LIMIT).await?;
    let check = match certs::check_pdf(&st.ctx(), &code, &bytes).await {
        Ok(c) => Some(c),
        Err(ServiceError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    lookup_page(&req, &st, code, check).await
}

/// One policy in the portal.
struct PortalRow {
    policy_id: i64,
    policy_number: String,
    product_name: String,
    period: String,
    premium: Money,
    paid: Money,
    balance: Money,
    fully_paid: bool,
    /// Not cancelled: the 保险凭证 can be issued.
    live: bool,
    /// Versions with a 批单 (endorsements and cancellations), in order.
    endorsements: Vec<i32>,
}

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalPage {
    c: Chrome,
    rows: Vec<PortalRow>,
    maker_id: Option<i64>,
    programmes: Vec<(String, String, String)>,
    /// The programme the export offers first (the one the maker's policies are on).
    default_programme: Option<String>,
    total: String,
    pager: Pager,
}

#[derive(serde::Deserialize)]
struct PortalQuery {
    after: Option<String>,
}

/// The client's own issued policies, a page at a time, with what is due and paid on
/// each page read in one statement.
async fn portal(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<PortalQuery>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let paged = uw::list(
        &st.ctx(),
        &who.actor,
        ListQuery {
            issued_only: Some(true),
            limit: Some(50),
            after: q.into_inner().after,
            ..ListQuery::default()
        },
    )
    .await?;
    let default_programme = most_common_programme(&paged.rows);
    let ids: Vec<i64> = paged.rows.iter().map(|v| v.policy_id).collect();
    let settled = billing::settlements_for(&st.ctx(), &ids).await?;
    let changes =
        crate::services::certificates::issued::change_versions_of(&st.ctx(), &ids).await?;
    let mut rows = Vec::new();
    for v in &paged.rows {
        let (Some(number), Some(s)) = (v.policy_number.clone(), settled.get(&v.policy_id)) else {
            continue;
        };
        rows.push(PortalRow {
            policy_id: v.policy_id,
            policy_number: number,
            product_name: v.product_name.clone(),
            period: format!("{} – {}", v.period_start, v.period_end),
            premium: s.premium_due,
            paid: s.paid,
            balance: s.balance,
            fully_paid: s.fully_paid,
            live: v.state != "cancelled",
            endorsements: changes
                .iter()
                .filter(|(id, _, _)| *id == v.policy_id)
                .map(|(_, seq, _)| *seq)
                .collect(),
        });
    }
    let total = super::listing::total_text(&paged.total, &c);
    let pager = Pager::keyset("/portal", &paged);
    let programmes = st
        .library
        .programmes()
        .iter()
        .map(|p| (p.id.clone(), p.name.zh.clone(), p.name.en.clone()))
        .collect();
    page(&PortalPage {
        c,
        rows,
        maker_id: who.actor.maker_id,
        programmes,
        default_programme,
        total,
        pager,
    })
}

/// The programme most of the maker's issued policies are written under: what the annex-3
/// export should offer first, instead of the library's first programme.
fn most_common_programme(views: &[crate::services::underwriting::PolicyView]) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for p in views.iter().filter(|p| p.policy_number.is_some()) {
        let Some(g) = p.programme_id.as_deref() else {
            continue;
        };
        match counts.iter_mut().find(|(id, _)| *id == g) {
            Some((_, n)) => *n += 1,
            None => counts.push((g, 1)),
        }
    }
    // Ties go to the first seen (the list is newest first).
    counts
        .iter()
        .fold(None::<(&str, usize)>, |best, &(g, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((g, n)),
        })
        .map(|(g, _)| g.to_string())
}

#[derive(Deserialize)]
struct IssueForm {
    csrf: String,
}

/// Issue (or fetch the already issued) full-premium collection certificate from a page
/// button, then download it. Issuing is a POST: a GET never creates a certificate.
async fn issue(
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    f: web::Form<IssueForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let id = id.into_inner();
    certs::certificate(&st.ctx(), &who.actor, id).await?;
    Ok(see_other(&format!("/api/v1/policies/{id}/certificate.pdf")))
}

/// Issue (or find) the current 保险凭证, then download it: the portal's and the policy
/// page's button (a POST, so following a link never issues anything).
async fn issue_insurance_certificate(
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    f: web::Form<IssueForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let id = id.into_inner();
    certs::issued::insurance_certificate(&st.ctx(), &who.actor, id).await?;
    Ok(see_other(&format!(
        "/api/v1/policies/{id}/insurance-certificate.pdf"
    )))
}

/// Issue (or find) the 批单 of policy version `seq`, then download it.
async fn issue_endorsement(
    st: web::Data<AppState>,
    who: PageActor,
    path: web::Path<(i64, i32)>,
    f: web::Form<IssueForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let (id, seq) = path.into_inner();
    certs::issued::endorsement_document(&st.ctx(), &who.actor, id, seq).await?;
    Ok(see_other(&format!(
        "/api/v1/policies/{id}/versions/{seq}/endorsement.pdf"
    )))
}
