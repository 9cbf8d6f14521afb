//! The dashboard: what this role needs to see first.

use super::listing::total_in;
use super::{page, Chrome, PageError};
use crate::domain::role::Role;
use crate::http::i18n::Lang;
use crate::http::identity::PageActor;
use crate::http::AppState;
use crate::paging::Total;
use crate::services::{audit, catalogue, parties};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(show));
}

pub struct Tile {
    pub label: String,
    /// A count as shown: exact, or "more than 1,000" past the counting cap.
    pub value: String,
    pub href: String,
    /// A line under the count, e.g. the amount the count adds up to.
    pub detail: Option<String>,
}

pub struct Task {
    pub label: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    c: Chrome,
    display_name: String,
    role_label: String,
    tiles: Vec<Tile>,
    tasks: Vec<Task>,
    audit_ok: Option<bool>,
}

fn tasks_for(role: Role, lang: Lang) -> Vec<Task> {
    let t = |zh: &str, en: &str, href: &str| Task {
        label: lang.pick(zh, en).to_string(),
        href: href.into(),
    };
    match role {
        Role::Admin => vec![
            t("管理当事方", "Manage parties", "/parties"),
            t("查看审计日志", "Review the audit log", "/audit"),
            t("接口文档", "API documentation", "/api/docs/"),
        ],
        Role::Underwriter | Role::SeniorUnderwriter => vec![
            t(
                "登记投保企业与用户单位",
                "Register makers and users",
                "/parties/new",
            ),
            t("维护目录产品", "Maintain catalogue products", "/catalogue"),
            t("查阅条款与费率", "Read clauses and rates", "/clauses"),
        ],
        Role::Finance => vec![
            t(
                "已出单保单与缴费情况",
                "Issued policies and their premium",
                "/policies?state=issued",
            ),
            t(
                "导入银行流水、匹配待入账款项",
                "Import bank statements, match unmatched lines",
                "/billing/bank",
            ),
            t("查阅当事方", "Look up parties", "/parties"),
        ],
        Role::ClaimsHandler | Role::ClaimsManager => vec![
            t(
                "理赔工作台（按时限排序）",
                "Claims work queue (by deadline)",
                "/claims/queue",
            ),
            t("登记报案", "Register a claim", "/claims/new"),
            t(
                "待审批核定",
                "Decisions awaiting approval",
                "/claims/approvals",
            ),
            t("查阅条款", "Read the clauses", "/clauses"),
        ],
        Role::Actuary => vec![
            t(
                "费率回溯与监管报送",
                "Rate backtest and regulator reports",
                "/backtest",
            ),
            t("查阅费率与补贴政策", "Rates and programmes", "/clauses"),
        ],
        Role::Auditor => vec![t("查看审计日志", "Review the audit log", "/audit")],
        Role::BranchHead => vec![
            t("待上级核保", "Referrals waiting", "/referrals"),
            t("查阅条款与费率", "Read clauses and rates", "/clauses"),
        ],
        Role::Client => vec![
            t("报案", "Report a claim", "/claims/new"),
            t("我的理赔", "My claims", "/claims"),
            t("我的目录产品", "My qualified products", "/catalogue"),
            t("补贴政策", "Subsidy programmes", "/clauses"),
        ],
    }
}

async fn show(
    req: HttpRequest,
    st: web::Data<AppState>,
    who: PageActor,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::for_actor(&req, &who);
    let lang = c.lang;
    let actor = &who.actor;
    let mut tiles = Vec::new();
    if actor.role.is_staff() {
        for (kind, key) in [("maker", "dash.makers"), ("user", "dash.users")] {
            let total = parties::list(
                &st.ctx(),
                actor,
                parties::PartyListQuery {
                    kind: Some(kind.into()),
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?
            .total;
            tiles.push(Tile {
                label: lang.t(key).into(),
                value: total_in(&total, lang),
                href: format!("/parties?kind={kind}"),
                detail: None,
            });
        }
    }
    let products = catalogue::list(
        &st.ctx(),
        actor,
        catalogue::CatalogueListQuery {
            limit: Some(1),
            ..Default::default()
        },
    )
    .await?
    .total;
    tiles.push(Tile {
        label: lang.t("dash.catalogue").into(),
        value: total_in(&products, lang),
        href: "/catalogue".into(),
        detail: None,
    });
    if actor.role.handles_claims() {
        tiles.push(Tile {
            label: lang.t("dash.claims_overdue").into(),
            value: total_in(
                &crate::services::claims::overdue_count(&st.ctx()).await?,
                lang,
            ),
            href: "/claims/queue".into(),
            detail: None,
        });
    }
    if actor.role.collects_premium() {
        tiles.push(Tile {
            label: lang.t("dash.unmatched").into(),
            value: crate::services::billing::suspense_count(&st.ctx(), actor)
                .await?
                .to_string(),
            href: "/billing/bank".into(),
            detail: None,
        });
        let overdue =
            crate::services::billing::overdue_summary(&st.ctx(), actor, st.clock.today()).await?;
        tiles.push(Tile {
            label: lang
                .pick("保费逾期保单", "Policies with premium overdue")
                .into(),
            value: overdue.policies.to_string(),
            href: "/billing/receivables".into(),
            detail: Some(format!(
                "{} {} {}",
                lang.pick("逾期保费合计", "Overdue in all"),
                overdue.amount.grouped(),
                lang.pick("元", "CNY")
            )),
        });
    }
    tiles.extend(queue_tiles(&st, actor, lang).await?);
    // The sealer's verified checkpoint, not a walk of the whole chain per page load.
    let audit_ok = if actor.role.reads_audit() {
        let (cp, _) = audit::status(&st.ctx()).await?;
        Some(cp.is_none_or(|cp| cp.broken_at.is_none()))
    } else {
        None
    };
    let page_data = Dashboard {
        display_name: actor.display_name.clone(),
        role_label: lang.pick(actor.role.zh(), actor.role.en()).into(),
        tiles,
        tasks: tasks_for(actor.role, lang),
        audit_ok,
        c,
    };
    page(&page_data)
}

/// Each role's queues (待办数量): what is waiting for this person, with a link to it.
async fn queue_tiles(
    st: &AppState,
    actor: &crate::services::Actor,
    lang: Lang,
) -> Result<Vec<Tile>, PageError> {
    use crate::services::underwriting::{self as uw, ListQuery};
    let ctx = st.ctx();
    let mut tiles = Vec::new();
    let count = |n: usize| Total {
        count: i64::try_from(n).unwrap_or(i64::MAX),
        exact: true,
    };
    let tile = |zh: &str, en: &str, value: Total, href: &str| Tile {
        label: lang.pick(zh, en).to_string(),
        value: total_in(&value, lang),
        href: href.to_string(),
        detail: None,
    };
    if actor.role.decides_referrals() && !actor.role.underwrites() {
        let waiting = uw::referral_queue(&ctx, actor, &uw::ReferralQuery::default())
            .await?
            .total;
        tiles.push(tile(
            "待上级核保",
            "Referrals waiting",
            waiting,
            "/referrals",
        ));
    }
    if actor.role.underwrites() {
        let waiting = uw::referral_queue(
            &ctx,
            actor,
            &uw::ReferralQuery {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await?
        .total;
        tiles.push(tile(
            "待上级核保",
            "Referrals waiting",
            waiting,
            "/referrals",
        ));
        for (state, zh, en) in [
            ("quoted", "待承保报价", "Quotes to bind"),
            ("bound", "已承保待出单", "Bound, to issue"),
        ] {
            let n = uw::list(
                &ctx,
                actor,
                ListQuery {
                    state: Some(state.into()),
                    limit: Some(1),
                    ..ListQuery::default()
                },
            )
            .await?
            .total;
            tiles.push(tile(zh, en, n, &format!("/policies?state={state}")));
        }
    }
    if actor.role.handles_claims() {
        let open = crate::services::claims::queue(
            &ctx,
            actor,
            crate::services::claims::QueueQuery {
                limit: Some(1),
                after: None,
            },
        )
        .await?
        .total;
        tiles.push(tile("待处理赔案", "Open claims", open, "/claims/queue"));
    }
    if actor.role.approves_claims() {
        let waiting = crate::services::claims::approvals(&ctx, actor).await?.len();
        tiles.push(tile(
            "待审批核定",
            "Decisions to approve",
            count(waiting),
            "/claims/approvals",
        ));
    }
    if actor.role.is_client() {
        let n = uw::list(
            &ctx,
            actor,
            ListQuery {
                limit: Some(1),
                ..ListQuery::default()
            },
        )
        .await?
        .total;
        tiles.push(tile("我的保单", "My policies", n, "/portal"));
        let claims = crate::services::claims::list(
            &ctx,
            actor,
            crate::services::claims::ListQuery {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await?
        .rows;
        let open = claims.iter().filter(|c| c.state != "closed").count();
        tiles.push(tile("未结赔案", "Open claims", count(open), "/claims"));
    }
    Ok(tiles)
}
