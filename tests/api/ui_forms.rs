//! Forms that are refused keep what was typed and offer what is missing: the endorse
//! and renew forms with an acknowledged warning, and the backtest's valuation date.

use crate::helpers::{hidden_field, TestApp, PASSWORD};
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote, issued};
use reqwest::StatusCode;
use serde_json::json;

/// The policy page's CSRF token, for a signed-in client.
async fn csrf_of(client: &reqwest::Client, app: &TestApp, id: i64) -> String {
    let html = client
        .get(app.url(&format!("/policies/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    hidden_field(&html, "csrf").expect("csrf on the policy page")
}

async fn post_form(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.text().await.unwrap())
}

/// 40 first-year units are a warning (原则上 ≥ 50) acknowledged on the quote: endorsing
/// the policy does not ask again, and renewing offers the acknowledgement on the form.
async fn endorsing_a_policy_whose_quote_acknowledged_a_warning_is_not_a_dead_end(app: TestApp) {
    let b = book(&app, "uw.ack").await;
    let mut q = first_year_quote(&b, "2000000.00");
    q["units"] = json!([{"serial": "B-40", "quantity": 40, "unit_value": "25000.00"}]);
    q["acknowledged"] = json!(["basis.year_min_50_units", "period.backdated"]);
    let (id, _) = issued(&app, &b.uw, &q).await;
    let (client, _) = app.login("uw.ack", PASSWORD).await;
    let csrf = csrf_of(&client, &app, id).await;

    let (s, html) = post_form(
        &client,
        &app,
        &format!("/policies/{id}/endorse"),
        &[
            ("csrf", &csrf),
            ("effective_on", "2026-07-01"),
            ("aggregate_limit", "2500000.00"),
            ("reason", "提高限额"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "endorsed at once: {html}");
    let v = app.get_json(&format!("/api/v1/policies/{id}"), &b.uw).await;
    assert_eq!(v["policy"]["aggregate_limit"], "2500000.00");

    // A renewal is a new quote: the warning is asked again, offered as a checkbox, and
    // the dates typed stay in the reopened form.
    let (s, html) = post_form(
        &client,
        &app,
        &format!("/policies/{id}/renew"),
        &[
            ("csrf", &csrf),
            ("period_start", "2027-01-01"),
            ("period_end", "2027-12-31"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("<details id=\"renew-form\" open>"),
        "the renewal form is open"
    );
    assert!(
        html.contains("name=\"ack\" value=\"basis.year_min_50_units\""),
        "the warning is offered on the renewal form"
    );
    assert!(html.contains("value=\"2027-01-01\"") && html.contains("value=\"2027-12-31\""));
    let (s, _) = post_form(
        &client,
        &app,
        &format!("/policies/{id}/renew"),
        &[
            ("csrf", &csrf),
            ("period_start", "2027-01-01"),
            ("period_end", "2027-12-31"),
            ("ack", "basis.year_min_50_units"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "renewal quoted once acknowledged");
}

/// An endorsement that raises a warning the quote never had offers it on the endorse
/// form, with everything typed still there; ticking it applies the endorsement.
async fn an_endorsement_raising_a_new_warning_offers_it_and_keeps_what_was_typed(app: TestApp) {
    let b = book(&app, "uw.newwarn").await;
    let (id, _) = issued(&app, &b.uw, &first_year_quote(&b, "2000000.00")).await;
    let (client, _) = app.login("uw.newwarn", PASSWORD).await;
    let csrf = csrf_of(&client, &app, id).await;
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("effective_on", "2026-07-01"),
        ("units", "B2026-001, 40, 20000.00"),
        ("reason", "退回十台"),
    ];
    let (s, html) = post_form(&client, &app, &format!("/policies/{id}/endorse"), &fields).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("<details id=\"endorse-form\" open>"));
    assert!(html.contains("name=\"ack\" value=\"basis.year_min_50_units\""));
    assert!(html.contains("B2026-001, 40, 20000.00"), "units kept");
    assert!(html.contains("value=\"退回十台\""), "reason kept");
    assert!(html.contains("value=\"2026-07-01\""), "date kept");

    fields.push(("ack", "basis.year_min_50_units"));
    let (s, html) = post_form(&client, &app, &format!("/policies/{id}/endorse"), &fields).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let v = app.get_json(&format!("/api/v1/policies/{id}"), &b.uw).await;
    assert_eq!(v["policy"]["units"], 40);
}

/// A valuation date before any premium, or after today, is a field error on the page and
/// in the API — never the internal-error page.
async fn a_backtest_date_outside_the_data_is_a_field_error(app: TestApp) {
    crate::backtest::seed(&app).await;
    let act = app
        .api_user("act.dates", firstcover::domain::role::Role::Actuary, None)
        .await;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(40))
        .date_naive()
        .to_string();
    for (as_of, en) in [
        (
            "2020-01-01",
            "no policy premium is booked on or before 2020-01-01",
        ),
        (tomorrow.as_str(), "is in the future"),
    ] {
        let (s, p) =
            crate::backtest::post(&app, &act, "/api/v1/backtests", &json!({ "as_of": as_of }))
                .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{as_of}: {p}");
        assert_eq!(p["errors"][0]["field"], "as_of", "{p}");
        assert!(
            p["errors"][0]["message"].as_str().unwrap().contains(en),
            "{p}"
        );
    }
    let (client, _) = app.login("act.dates", PASSWORD).await;
    let html = client
        .get(app.url("/backtest"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_field(&html, "csrf").unwrap();
    for (as_of, zh) in [
        ("2020-01-01", "之前没有任何保单保费数据"),
        (tomorrow.as_str(), "晚于今天"),
    ] {
        let (s, html) = post_form(
            &client,
            &app,
            "/backtest",
            &[
                ("csrf", &csrf),
                ("as_of", as_of),
                ("basis", "underwriting_year"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{as_of}");
        assert!(html.contains(zh), "{as_of}: {html}");
        assert!(html.contains(&format!("value=\"{as_of}\"")), "date kept");
    }
}

/// The claim page says the missing-proof notice is queued until the outbox delivers it,
/// dated by the Beijing day; then that it was sent.
async fn the_proof_notice_says_queued_until_the_mail_is_delivered(app: TestApp) {
    let cb = crate::claims::claims_book(&app, 50, "2000000.00", None).await;
    let id = crate::claims::open_claim(&app, &cb, "80000.00").await;
    let (s, v) = crate::claims::post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/proof-request"),
        &json!({"note": "请于30日内提交"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    app.add_user(
        "handler.page",
        firstcover::domain::role::Role::ClaimsHandler,
        None,
    )
    .await;
    let (client, _) = app.login("handler.page", PASSWORD).await;
    let beijing_day = (chrono::Utc::now() + chrono::Duration::hours(8))
        .date_naive()
        .to_string();
    let url = app.url(&format!("/claims/{id}"));
    let html = client.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains(&format!(
            "补充材料通知已于 {beijing_day} 一次性提出；通知已排队，尚未发出"
        )),
        "{html}"
    );
    app.deliver_outbox().await;
    let html = client.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains(&format!("{beijing_day} 已发出")),
        "sent once delivered"
    );
}

/// The maker's page shows its policies, products and claims; the policy page its claims and
/// what is left of each limit; the dashboard the queues; error pages the reader's language.
async fn views_show_the_book_the_queues_and_errors_in_the_readers_language(app: TestApp) {
    let cb = crate::claims::claims_book(&app, 50, "2000000.00", None).await;
    let claim = crate::claims::open_claim(&app, &cb, "30000.00").await;
    let (_, d) = crate::claims::get(&app, &cb.handler, &format!("/api/v1/claims/{claim}")).await;
    let claim_number = d["claim"]["claim_number"].as_str().unwrap().to_string();
    let (_, p) = crate::claims::get(
        &app,
        &cb.handler,
        &format!("/api/v1/policies/{}", cb.policy),
    )
    .await;
    let policy_number = p["policy"]["policy_number"].as_str().unwrap().to_string();
    app.add_user(
        "mgr.views",
        firstcover::domain::role::Role::ClaimsManager,
        None,
    )
    .await;
    let (client, _) = app.login("mgr.views", PASSWORD).await;
    let get = |path: String| {
        let client = client.clone();
        let url = app.url(&path);
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (s, maker) = get(format!("/parties/{}", cb.b.maker)).await;
    assert_eq!(s, StatusCode::OK);
    for expect in [
        policy_number.as_str(),
        "精密主轴",
        claim_number.as_str(),
        "id=\"maker-balance\">14,000.00<",
    ] {
        assert!(maker.contains(expect), "maker page shows {expect}");
    }
    let (_, policy) = get(format!("/policies/{}", cb.policy)).await;
    let limits = &policy[policy.find("id=\"limits-left\"").expect("limits table")..];
    let limits = &limits[..limits.find("</table>").unwrap()];
    assert!(
        limits.contains("<td class=\"num\">500,000.00</td>"),
        "section limit: {limits}"
    );
    assert!(limits.contains("累计责任限额"), "{limits}");
    assert!(
        limits.contains("<td class=\"num\">2,000,000.00</td>"),
        "{limits}"
    );
    assert!(
        policy.contains(&claim_number),
        "the claim is listed on the policy"
    );
    let (_, dash) = get("/".into()).await;
    assert!(
        dash.contains("待处理赔案"),
        "the handler's queue is counted"
    );

    let r = client.get(app.url("/lang/en")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, denied) = get("/backtest".into()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(denied.contains("You are not allowed to"), "{denied}");
    assert!(!denied.contains("您的角色"), "{denied}");
    let (s, missing) = get("/no/such/page".into()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(missing.contains("No such page"), "{missing}");
    let (s, gone) = get("/policies/999999".into()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(gone.contains("not found"), "{gone}");
    assert!(!gone.contains("未找到"), "{gone}");
}

on_both_stores!(
    views_show_the_book_the_queues_and_errors_in_the_readers_language,
    the_proof_notice_says_queued_until_the_mail_is_delivered,
    endorsing_a_policy_whose_quote_acknowledged_a_warning_is_not_a_dead_end,
    an_endorsement_raising_a_new_warning_offers_it_and_keeps_what_was_typed,
    a_backtest_date_outside_the_data_is_a_field_error,
);
