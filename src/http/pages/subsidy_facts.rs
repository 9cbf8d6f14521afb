//! The subsidy facts page of a policy (补贴审核事实): what is recorded about its maker,
//! its qualification, its units and its year — with who recorded it, when and from
//! which document — and one small form per fact to record a new one.

use super::quote_form::RawForm;
use super::{page, see_other, Chrome, PageError};
use crate::domain::subsidy::facts::{FactKind, FactValue, Subject, ALL_FACT_KINDS};
use crate::http::i18n::Lang;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::readers::{self, ForReader};
use crate::services::subsidy_facts::{self as facts, FactView, RecordFact};
use crate::services::{FieldError, ServiceError};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::{json, Map, Value};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/subsidy-facts/policy/{id}", web::get().to(show))
        .route("/subsidy-facts/policy/{id}", web::post().to(record));
}

/// One form: the fact, its label and the inputs it takes.
pub struct FactForm {
    pub code: &'static str,
    pub label: String,
    pub recorder: String,
    pub per_unit: bool,
    /// (name, label, input type) — type `yesno`, `date`, `text` or `holder`.
    pub fields: Vec<(&'static str, String, &'static str)>,
}

/// What the page needs of its policy, from the reader's own view of it.
pub struct FactsPolicy {
    pub policy_id: i64,
    pub policy_number: Option<String>,
    pub maker_id: i64,
    pub catalogue_item_id: i64,
}

/// The policy as its reader may see it (`readers::policy`), with its insured serials.
async fn policy_of(
    st: &AppState,
    who: &PageActor,
    id: i64,
) -> Result<(FactsPolicy, Vec<String>), PageError> {
    Ok(match readers::policy(&st.ctx(), &who.actor, id).await? {
        ForReader::Staff(d) => {
            let p = d.policy;
            let serials = p.terms.units.iter().map(|u| u.serial.clone()).collect();
            let head = FactsPolicy {
                policy_id: p.policy_id,
                policy_number: p.policy_number,
                maker_id: p.maker_id,
                catalogue_item_id: p.catalogue_item_id,
            };
            (head, serials)
        }
        ForReader::Client(d) => {
            let serials = d
                .terms
                .map(|t| t.units.into_iter().map(|u| u.serial).collect())
                .unwrap_or_default();
            let p = d.policy;
            let head = FactsPolicy {
                policy_id: p.policy_id,
                policy_number: p.policy_number,
                maker_id: p.maker_id,
                catalogue_item_id: p.catalogue_item_id,
            };
            (head, serials)
        }
    })
}

#[derive(Template)]
#[template(path = "subsidy_facts.html")]
struct FactsPage {
    c: Chrome,
    p: FactsPolicy,
    rows: Vec<FactView>,
    forms: Vec<FactForm>,
    serials: Vec<String>,
    errors: Vec<FieldError>,
    /// Staff see the forms; a client sees its facts only.
    staff: bool,
    /// The programme schemes a grant is recorded under: (scheme key, label).
    schemes: Vec<(String, String)>,
}

/// A role code as a label; `system` is the system itself.
pub fn role_label(code: &str, lang: Lang) -> String {
    match code.parse::<crate::domain::role::Role>() {
        Ok(r) => lang.pick(r.zh(), r.en()).to_string(),
        Err(_) => lang.pick("系统", "System").to_string(),
    }
}

impl FactsPage {
    fn role(&self, code: &str) -> String {
        role_label(code, self.c.lang)
    }

    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        super::shanghai_time(*t)
    }

    fn subject(&self, r: &FactView) -> String {
        let c = &self.c;
        match (&r.serial, r.party_id, r.catalogue_item_id) {
            (Some(s), _, _) => format!("{} {s}", c.lang.pick("装备", "Unit")),
            (None, Some(_), _) => c.lang.pick("生产企业", "Maker").to_string(),
            (None, None, Some(_)) => c.lang.pick("资格", "Qualification").to_string(),
            _ => c.lang.pick("保单年度", "Policy year").to_string(),
        }
    }
}

fn fields(kind: FactKind, lang: Lang) -> Vec<(&'static str, String, &'static str)> {
    let l = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    match kind {
        FactKind::CreditStatus => vec![
            (
                "dishonest",
                l("是否失信主体", "Listed as dishonest"),
                "yesno",
            ),
            ("checked_on", l("查询日期", "Checked on"), "date"),
        ],
        FactKind::FraudBan => vec![
            ("checked_on", l("核实日期", "Checked on"), "date"),
            (
                "banned_from",
                l("禁止申报起（无则留空）", "Ban from (blank: none)"),
                "date",
            ),
            ("banned_until", l("禁止申报止", "Ban until"), "date"),
        ],
        FactKind::NationalQuota => vec![("amount", l("额度（元）", "Quota (CNY)"), "text")],
        FactKind::Manufactured | FactKind::Delivered => vec![("on", l("日期", "Date"), "date")],
        FactKind::EndUserReceipt => {
            vec![("received_on", l("接收日期", "Received on"), "date")]
        }
        FactKind::NationalSubsidyReceived | FactKind::ApplicationAwardReceived => {
            vec![("received", l("是否已获得", "Received"), "yesno")]
        }
        FactKind::Ownership => vec![
            ("holder_role", l("所有权人类型", "Holder"), "holder"),
            (
                "holder_party_id",
                l("所有权人（当事方编号）", "Holder (party no.)"),
                "text",
            ),
        ],
        FactKind::SubsidyGranted => vec![
            ("scheme", l("补贴政策", "Scheme"), "scheme"),
            ("round", l("申报年度", "Round"), "text"),
            (
                "ratio",
                l("补贴比例（小数，如 0.80）", "Ratio (fraction, e.g. 0.80)"),
                "text",
            ),
            ("amount", l("补贴金额（元）", "Amount (CNY)"), "text"),
            ("notice_date", l("下达文件日期", "Notice date"), "date"),
        ],
    }
}

fn forms(c: &Chrome) -> Vec<FactForm> {
    ALL_FACT_KINDS
        .iter()
        .map(|k| FactForm {
            code: k.as_str(),
            label: c.lang.pick(k.zh(), k.en()).to_string(),
            recorder: c
                .lang
                .pick(k.recorder().zh(), k.recorder().en())
                .to_string(),
            per_unit: k.subject() == Subject::Unit,
            fields: fields(*k, c.lang),
        })
        .collect()
}

async fn render(
    req: &HttpRequest,
    st: &AppState,
    who: &PageActor,
    id: i64,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(req, who);
    let (p, serials) = policy_of(st, who, id).await?;
    let maker = facts::list(&st.ctx(), &who.actor, Some(p.maker_id), None, None).await?;
    let item = facts::list(&st.ctx(), &who.actor, None, Some(p.catalogue_item_id), None).await?;
    let own = facts::list(&st.ctx(), &who.actor, None, None, Some(id)).await?;
    let mut rows: Vec<FactView> = maker.into_iter().chain(item).chain(own).collect();
    facts::name_schemes(&st.library, &mut rows);
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    // One option per scheme, named by its programmes (a scheme spans rounds).
    let mut schemes: Vec<(String, String)> = Vec::new();
    for g in st.library.programmes() {
        let name = c.lang.pick(&g.name.zh, &g.name.en).to_string();
        match schemes.iter_mut().find(|(k, _)| k == g.scheme()) {
            Some((_, label)) => {
                label.push_str(" / ");
                label.push_str(&name);
            }
            None => schemes.push((g.scheme().to_string(), name)),
        }
    }
    let mut resp = page(&FactsPage {
        schemes,
        staff: who.actor.role.is_staff(),
        forms: forms(&c),
        c,
        p,
        rows,
        serials,
        errors,
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
    render(&req, &st, &who, id.into_inner(), Vec::new()).await
}

/// The form as a fact value: `yesno` to booleans, numbers to numbers, blanks left out.
fn value_of(kind: FactKind, f: &RawForm) -> Result<FactValue, FieldError> {
    let mut m = Map::new();
    m.insert("fact".into(), json!(kind.as_str()));
    for (name, _, ty) in fields(kind, Lang::En) {
        let raw = f.get(name).trim();
        if raw.is_empty() {
            continue;
        }
        let v = match (ty, name) {
            ("yesno", _) => json!(raw == "yes"),
            (_, "round") | (_, "holder_party_id") => match raw.parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => {
                    return Err(FieldError::new(
                        &format!("value.{name}"),
                        "a whole number is expected",
                        "请填写整数",
                    ))
                }
            },
            _ => Value::String(raw.to_string()),
        };
        m.insert(name.to_string(), v);
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| {
        FieldError::new(
            "value",
            format!("the fact is incomplete or malformed: {e}"),
            format!("事实信息不完整或格式有误：{e}"),
        )
    })
}

async fn record(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let f = RawForm(form.into_inner());
    who.check_csrf(f.get("csrf"))?;
    let Some(kind) = FactKind::parse(f.get("fact")) else {
        return Err(ServiceError::NotFound("fact").into());
    };
    let value = match value_of(kind, &f) {
        Ok(v) => v,
        Err(e) => return render(&req, &st, &who, id, vec![e]).await,
    };
    let (p, _) = policy_of(&st, &who, id).await?;
    let mut input = RecordFact {
        party_id: None,
        catalogue_item_id: None,
        policy_id: None,
        serial: None,
        source_document: f.get("source_document").to_string(),
        value,
    };
    match kind.subject() {
        Subject::Maker => input.party_id = Some(p.maker_id),
        Subject::Qualification => input.catalogue_item_id = Some(p.catalogue_item_id),
        Subject::Unit => {
            input.policy_id = Some(id);
            input.serial = Some(f.get("serial").to_string());
        }
        Subject::PolicyYear => input.policy_id = Some(id),
    }
    match facts::record(&st.ctx(), &who.actor, input).await {
        Ok(_) => Ok(see_other(&format!("/subsidy-facts/policy/{id}?saved=1"))),
        Err(ServiceError::Validation(errors)) => render(&req, &st, &who, id, errors).await,
        Err(other) => Err(other.into()),
    }
}
