//! Clause library and subsidy programme pages: what the policies are written on.

use super::{page, Chrome, PageError};
use crate::domain::clauses::{ClauseSet, RateFiling};
use crate::domain::programme::{Programme, SourceRef};
use crate::http::i18n::Lang;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::services::ServiceError;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/clauses", web::get().to(index))
        .route("/clauses/{id}/{version}", web::get().to(clause_set))
        .route("/programmes/{id}", web::get().to(programme));
}

#[derive(Template)]
#[template(path = "clauses.html")]
struct IndexPage<'a> {
    c: Chrome,
    sets: &'a [ClauseSet],
    programmes: &'a [Programme],
}

async fn index(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
) -> Result<HttpResponse, PageError> {
    page(&IndexPage {
        c: Chrome::for_actor(&req, &who),
        sets: st.library.clause_sets(),
        programmes: st.library.programmes(),
    })
}

#[derive(Template)]
#[template(path = "clause_set.html")]
struct SetPage<'a> {
    c: Chrome,
    set: &'a ClauseSet,
    filing: Option<&'a RateFiling>,
}

async fn clause_set(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, version) = path.into_inner();
    let set = st
        .library
        .clause_set(&id, &version)
        .ok_or(ServiceError::NotFound("clause set"))?;
    page(&SetPage {
        c: Chrome::for_actor(&req, &who),
        filing: st.library.rate_filing(&id, &version),
        set,
    })
}

/// One rule of a programme, as shown: what, its value, and where it comes from.
pub struct RuleRow<'a> {
    pub rule: String,
    pub value: String,
    pub source: &'a SourceRef,
}

fn json_text<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn rules<'a>(p: &'a Programme, zh: bool) -> Vec<RuleRow<'a>> {
    let label = |z: &str, e: &str| if zh { z.to_string() } else { e.to_string() };
    let lang = if zh { Lang::Zh } else { Lang::En };
    // A programme's codes (`value_multiples`, `hard`…) by their labels.
    let json_text =
        |v: &dyn erased::Json| crate::http::labels::label(lang, None, "prog", &v.text());
    let mut rows = Vec::new();
    let share = &p.share;
    let mut value = match (&share.ratio, &share.tier_ratios) {
        (_, Some(t)) => format!(
            "{}: {} / {} / {}",
            label("国际/国内/省内", "international/domestic/provincial"),
            t.international,
            t.domestic,
            t.provincial
        ),
        (Some(r), None) => r.to_string(),
        (None, None) => "—".into(),
    };
    value.push_str(&format!(
        " · {} {}",
        label("基数", "basis"),
        json_text(&share.basis)
    ));
    if !share.yearly_decrement.is_zero() {
        value.push_str(&format!(
            " · −{} {}",
            share.yearly_decrement,
            label("/ 年", "/ year")
        ));
    }
    rows.push(RuleRow {
        rule: label("补贴比例", "Share of premium"),
        value,
        source: &share.source,
    });
    if let Some(cap) = &p.rate_cap {
        rows.push(RuleRow {
            rule: label("费率上限", "Rate cap"),
            value: format!("{}%", cap.rate.as_percent()),
            source: &cap.source,
        });
    }
    for cap in &p.amount_caps {
        let amount = cap
            .amount
            .map(|m| format!("¥{}", m.grouped()))
            .unwrap_or_else(|| "—".into());
        rows.push(RuleRow {
            rule: label("补贴金额上限", "Amount cap"),
            value: format!("{amount} ({})", json_text(&cap.scope)),
            source: &cap.source,
        });
    }
    if let Some(y) = &p.years {
        rows.push(RuleRow {
            rule: label("最多支持年数", "Maximum years"),
            value: y.max_years.to_string(),
            source: &y.source,
        });
    }
    rows.push(RuleRow {
        rule: label("续保", "Renewals"),
        value: format!(
            "{} ({})",
            json_text(&p.renewal.policy),
            json_text(&p.renewal.severity)
        ),
        source: &p.renewal.source,
    });
    if let Some(w) = &p.policy_start_window {
        rows.push(RuleRow {
            rule: label("起保时间窗口", "Policy start window"),
            value: format!("{} … {}", w.from, w.to),
            source: &w.source,
        });
    }
    if let Some(l) = &p.limit_rule {
        let m = |x: &Option<rust_decimal::Decimal>| {
            x.map(|d| format!("{d}×")).unwrap_or_else(|| "—".into())
        };
        rows.push(RuleRow {
            rule: label("责任限额", "Liability limit"),
            value: format!(
                "{} · {} {} · {} {} · {} {}",
                json_text(&l.kind),
                label("首台(套)", "first set"),
                m(&l.first_set),
                label("首批次", "first batch"),
                m(&l.first_batch),
                label("首年度", "first year"),
                m(&l.first_year)
            ),
            source: &l.source,
        });
    }
    for c in &p.conditions {
        let mut value = json_text(&c.severity);
        if let Some(s) = c.share {
            value.push_str(&format!(" · ≥ {}%", s * rust_decimal::Decimal::ONE_HUNDRED));
        }
        if let Some(a) = c.amount {
            value.push_str(&format!(" · ≥ ¥{}", a.grouped()));
        }
        if let Some(p) = &c.province {
            value.push_str(&format!(" · {p}"));
        }
        rows.push(RuleRow {
            rule: json_text(&c.kind),
            value,
            source: &c.source,
        });
    }
    rows
}

#[derive(Template)]
#[template(path = "programme.html")]
struct ProgrammePage<'a> {
    c: Chrome,
    p: &'a Programme,
    rows: Vec<RuleRow<'a>>,
}

async fn programme(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let p = st
        .library
        .programme(&id)
        .ok_or(ServiceError::NotFound("programme"))?;
    let c = Chrome::for_actor(&req, &who);
    let zh = c.lang.code() == "zh";
    page(&ProgrammePage {
        rows: rules(p, zh),
        c,
        p,
    })
}

/// Serialisable values whose JSON text names a code (enums of the programme schema).
mod erased {
    pub trait Json {
        fn text(&self) -> String;
    }

    impl<T: serde::Serialize> Json for T {
        fn text(&self) -> String {
            super::json_text(self)
        }
    }
}
