//! Refusals in the reader's language over HTTP (issue 13, item 3): an API client reads a
//! problem in the language its `Accept-Language` asks for (both when it asks for neither),
//! with the same problem type; a Chinese page says 403 and 404 in Chinese.

use crate::helpers::{TestApp, PASSWORD};
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote};
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

async fn post_in(
    app: &TestApp,
    token: &str,
    path: &str,
    lang: Option<&str>,
) -> (StatusCode, Value) {
    let mut r = app
        .client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(&json!({"approve": true, "reason": "同意承保"}));
    if let Some(lang) = lang {
        r = r.header("Accept-Language", lang);
    }
    let r = r.send().await.expect("request");
    let status = r.status();
    (status, r.json().await.unwrap_or_default())
}

async fn a_problem_speaks_the_language_its_client_asks_for(app: TestApp) {
    let b = book(&app, "uw.words").await;
    let senior = app
        .api_user("sr.words", Role::SeniorUnderwriter, None)
        .await;
    let r = app
        .post_json("/api/v1/quotes", &b.uw, &first_year_quote(&b, "2000000.00"))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap_or_default();
    let path = format!("/api/v1/policies/{}/referral", v["policy_id"]);

    let (s, zh) = post_in(&app, &senior, &path, Some("zh-CN,zh;q=0.9,en;q=0.8")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{zh}");
    assert_eq!(zh["detail"], "该保单没有待处理的转核", "{zh}");
    assert!(cjk(zh["title"].as_str().unwrap_or_default()), "{zh}");
    let (_, en) = post_in(&app, &senior, &path, Some("en-GB")).await;
    assert_eq!(en["detail"], "no open referral", "{en}");
    assert!(!cjk(en["title"].as_str().unwrap_or_default()), "{en}");
    let (_, both) = post_in(&app, &senior, &path, None).await;
    assert_eq!(both["detail"], "该保单没有待处理的转核 / no open referral");
    assert_eq!(zh["type"], "/problems/conflict");
    assert_eq!(en["type"], zh["type"]);
    assert_eq!(both["type"], zh["type"]);
}

async fn a_chinese_page_says_forbidden_and_not_found_in_chinese(app: TestApp) {
    app.add_user("fin.words", Role::Finance, None).await;
    let (client, _) = app.login("fin.words", PASSWORD).await;
    for (path, status) in [
        ("/backtest", StatusCode::FORBIDDEN),
        ("/no/such/page", StatusCode::NOT_FOUND),
        ("/policies/999999", StatusCode::NOT_FOUND),
    ] {
        let r = client.get(app.url(path)).send().await.expect("page");
        assert_eq!(r.status(), status, "{path}");
        let body = r.text().await.unwrap_or_default();
        let message = body
            .split("<p>")
            .nth(1)
            .and_then(|m| m.split("</p>").next())
            .unwrap_or_default();
        assert!(cjk(message), "{path}: {message}");
        assert!(!message.contains("not"), "{path}: {message}");
    }
}

on_both_stores!(
    a_problem_speaks_the_language_its_client_asks_for,
    a_chinese_page_says_forbidden_and_not_found_in_chinese
);
