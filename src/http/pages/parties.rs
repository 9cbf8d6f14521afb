//! Party pages: list and search, create, view, edit, relations.

use super::listing::{self, Sorter};
use super::{form_errors, page, see_other, Chrome, HistoryLine, PageError, Pager};
use crate::domain::party::{PartyInput, PartyKind, Relation};
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::{audit, parties, FieldError, ServiceError};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/parties", web::get().to(list))
        .route("/parties", web::post().to(create))
        .route("/parties/new", web::get().to(new_form))
        .route("/parties/{id}", web::get().to(detail))
        .route("/parties/{id}", web::post().to(update))
        .route("/parties/{id}/edit", web::get().to(edit_form))
        .route("/parties/{id}/relations", web::post().to(relate));
}

pub struct PartyLine {
    pub party_id: i64,
    pub name: String,
    pub kind_label: String,
    pub credit_code: String,
    pub region: String,
    pub state_owned: bool,
}

#[derive(Template)]
#[template(path = "parties.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<PartyLine>,
    total: String,
    q: String,
    kind: String,
    kinds: &'static [PartyKind],
    can_edit: bool,
    sorter: Sorter,
    pager: Pager,
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    after: Option<String>,
}

fn kind_label(kind: &str, c: &Chrome) -> String {
    kind.parse::<PartyKind>()
        .map(|k| c.lang.pick(k.zh(), k.en()).to_string())
        .unwrap_or_else(|_| kind.to_string())
}

async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let q = q.into_inner();
    let paged = parties::list(
        &st.ctx(),
        &who.actor,
        parties::PartyListQuery {
            q: q.q.clone(),
            kind: q.kind.clone(),
            sort: q.sort.clone(),
            order: q.order.clone(),
            limit: Some(50),
            after: q.after.clone(),
        },
    )
    .await?;
    let query = q.q.unwrap_or_default();
    let kind = q.kind.unwrap_or_default();
    let sort = crate::paging::PartySort::parse(q.sort.as_deref().unwrap_or("")).unwrap_or_default();
    let sorter = Sorter {
        base: listing::href("/parties", &[("q", &query), ("kind", &kind)]),
        sort: sort.as_str().into(),
        descending: crate::services::descending(
            q.order.as_deref(),
            sort == crate::paging::PartySort::Created,
        ),
    };
    let total = listing::total_text(&paged.total, &c);
    let pager = Pager::keyset(&sorter.current(), &paged);
    let rows = paged
        .rows
        .into_iter()
        .map(|p| PartyLine {
            kind_label: kind_label(&p.kind, &c),
            region: [p.province, p.city, p.county].join(" ").trim().to_string(),
            party_id: p.party_id,
            name: p.name,
            credit_code: p.credit_code,
            state_owned: p.state_owned,
        })
        .collect();
    page(&ListPage {
        can_edit: who.actor.role.manages_parties(),
        pager,
        sorter,
        c,
        rows,
        total,
        q: query,
        kind,
        kinds: PartyKind::all(),
    })
}

/// The form as posted; strings so a bad entry can be shown back as typed.
#[derive(Deserialize, Default, Clone)]
pub struct PartyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    pub kind: String,
    pub name: String,
    pub credit_code: String,
    pub province: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub county: String,
    #[serde(default)]
    pub contact_email: String,
    pub state_owned: Option<String>,
}

impl PartyForm {
    fn to_input(&self) -> Result<PartyInput, ServiceError> {
        let kind = self
            .kind
            .parse::<PartyKind>()
            .map_err(|e| ServiceError::field("kind", e, "请选择当事方类型"))?;
        Ok(PartyInput {
            kind,
            name: self.name.clone(),
            credit_code: self.credit_code.clone(),
            province: self.province.clone(),
            city: self.city.clone(),
            county: self.county.clone(),
            state_owned: self.state_owned.is_some(),
            contact_email: self.contact_email.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "party_form.html")]
struct FormPage {
    c: Chrome,
    heading: String,
    action: String,
    version: i64,
    form: PartyForm,
    kinds: &'static [PartyKind],
    errors: Vec<FieldError>,
}

fn form_page(
    c: Chrome,
    id: Option<i64>,
    version: i64,
    form: PartyForm,
    errors: Vec<FieldError>,
) -> FormPage {
    let (heading, action) = match id {
        Some(id) => (c.lang.t("party.edit").to_string(), format!("/parties/{id}")),
        None => (c.lang.t("party.new").to_string(), "/parties".to_string()),
    };
    FormPage {
        c,
        heading,
        action,
        version,
        form,
        kinds: PartyKind::all(),
        errors,
    }
}

fn render_invalid(p: FormPage) -> Result<HttpResponse, PageError> {
    let mut resp = page(&p)?;
    *resp.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

async fn new_form(req: HttpRequest, who: PageActor) -> Result<HttpResponse, PageError> {
    who.actor
        .require(who.actor.role.manages_parties(), "create parties")?;
    let form = PartyForm {
        kind: "maker".into(),
        ..PartyForm::default()
    };
    page(&form_page(
        Chrome::for_actor(&req, &who),
        None,
        0,
        form,
        vec![],
    ))
}

async fn create(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    f: web::Form<PartyForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let form = f.into_inner();
    let result = match form.to_input() {
        Ok(input) => parties::create(&st.ctx(), &who.actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(row) => Ok(see_other(&format!("/parties/{}?saved=1", row.party_id))),
        Err(e) => render_invalid(form_page(
            Chrome::for_actor(&req, &who),
            None,
            0,
            form,
            form_errors(e)?,
        )),
    }
}

async fn edit_form(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    who.actor
        .require(who.actor.role.manages_parties(), "edit parties")?;
    let id = id.into_inner();
    let (p, _) = parties::get(&st.ctx(), &who.actor, id).await?;
    let form = PartyForm {
        csrf: String::new(),
        version: p.version,
        kind: p.kind,
        name: p.name,
        credit_code: p.credit_code,
        province: p.province,
        city: p.city,
        county: p.county,
        contact_email: p.contact_email,
        state_owned: p.state_owned.then(|| "on".to_string()),
    };
    page(&form_page(
        Chrome::for_actor(&req, &who),
        Some(id),
        p.version,
        form,
        vec![],
    ))
}

async fn update(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    f: web::Form<PartyForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let id = id.into_inner();
    let form = f.into_inner();
    let result = match form.to_input() {
        Ok(input) => parties::update(&st.ctx(), &who.actor, id, form.version, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/parties/{id}?saved=1"))),
        Err(e) => render_invalid(form_page(
            Chrome::for_actor(&req, &who),
            Some(id),
            form.version,
            form.clone(),
            form_errors(e)?,
        )),
    }
}

pub struct RelationLine {
    pub other_party_id: i64,
    pub other_name: String,
    pub label: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "party_detail.html")]
struct DetailPage {
    c: Chrome,
    p: crate::services::parties::PartyView,
    kind_label: String,
    relations: Vec<RelationLine>,
    others: Vec<(i64, String)>,
    relation_kinds: &'static [Relation],
    can_edit: bool,
    /// An underwriter on a maker's page may start a quote for it.
    can_quote: bool,
    can_see_relations: bool,
    history: Vec<HistoryLine>,
    /// A maker's book: its policies, products, claims and premium balance.
    book: Option<MakerBook>,
}

/// What a maker has with the insurer (投保企业概况), for its page.
pub struct MakerBook {
    pub policies: Vec<crate::services::underwriting::PolicyView>,
    pub policies_total: i64,
    pub products: Vec<crate::services::catalogue::CatalogueView>,
    pub claims: Vec<crate::services::claims::ClaimView>,
    pub premium_due: crate::domain::money::Money,
    pub paid: crate::domain::money::Money,
    pub balance: crate::domain::money::Money,
}

/// The maker's newest 50 policies with their claims and settlement, and its products.
async fn maker_book(st: &AppState, who: &PageActor, maker_id: i64) -> Result<MakerBook, PageError> {
    use crate::services::underwriting as uw;
    let ctx = st.ctx();
    let found = uw::list(
        &ctx,
        &who.actor,
        uw::ListQuery {
            maker_id: Some(maker_id),
            limit: Some(50),
            ..uw::ListQuery::default()
        },
    )
    .await?;
    let (policies, policies_total) = (found.rows, found.total.count);
    let products = crate::services::catalogue::list(
        &st.ctx(),
        &who.actor,
        crate::services::catalogue::CatalogueListQuery::first(Some(maker_id), 100),
    )
    .await?
    .rows;
    let mut claims = Vec::new();
    let issued: Vec<i64> = policies
        .iter()
        .filter(|p| p.policy_number.is_some())
        .map(|p| p.policy_id)
        .collect();
    let (due, paid, balance) = crate::services::billing::book_totals(&st.ctx(), &issued).await?;
    if who.actor.role.is_staff() || who.actor.role.reports_claims() {
        for p in policies.iter().filter(|p| p.policy_number.is_some()) {
            let found = crate::services::claims::list(
                &ctx,
                &who.actor,
                crate::services::claims::ListQuery {
                    policy_id: Some(p.policy_id),
                    limit: Some(50),
                    ..Default::default()
                },
            )
            .await?;
            claims.extend(found.rows);
        }
    }
    Ok(MakerBook {
        policies,
        policies_total,
        products,
        claims,
        premium_due: due,
        paid,
        balance,
    })
}

async fn detail(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let id = id.into_inner();
    let (p, relations) = parties::get(&st.ctx(), &who.actor, id).await?;
    let can_edit = who.actor.role.manages_parties();
    let can_quote = who.actor.role.underwrites() && p.kind == "maker";
    let others = if can_edit {
        super::pickers::parties(&st, &who.actor, None, &[])
            .await?
            .into_iter()
            .filter(|(o, _)| *o != id)
            .collect()
    } else {
        Vec::new()
    };
    let history = if who.actor.role.is_staff() {
        audit::history(&st.ctx(), "party", &id.to_string())
            .await?
            .iter()
            .map(HistoryLine::from)
            .collect()
    } else {
        Vec::new()
    };
    let relations = relations
        .into_iter()
        .map(|r| RelationLine {
            label: r
                .relation
                .parse::<Relation>()
                .map(|x| c.lang.pick(x.zh(), x.en()).to_string())
                .unwrap_or(r.relation),
            other_party_id: r.other_party_id,
            other_name: r.other_name,
            note: r.note,
        })
        .collect();
    let book = if p.kind == "maker" && who.actor.can_see_maker(p.party_id) {
        Some(maker_book(&st, &who, p.party_id).await?)
    } else {
        None
    };
    page(&DetailPage {
        book,
        kind_label: kind_label(&p.kind, &c),
        can_see_relations: who.actor.role.is_staff(),
        c,
        p,
        relations,
        others,
        relation_kinds: Relation::all(),
        can_edit,
        can_quote,
        history,
    })
}

#[derive(Deserialize)]
struct RelationForm {
    csrf: String,
    other_party_id: i64,
    relation: String,
    #[serde(default)]
    note: String,
}

async fn relate(
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    f: web::Form<RelationForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(&f.csrf)?;
    let id = id.into_inner();
    let relation = f
        .relation
        .parse::<Relation>()
        .map_err(|e| ServiceError::field("relation", e, "关系类型不正确"))?;
    parties::add_relation(
        &st.ctx(),
        &who.actor,
        id,
        f.other_party_id,
        relation,
        &f.note,
    )
    .await?;
    Ok(see_other(&format!("/parties/{id}?saved=1")))
}
