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

use reqwest::Method;

/// (method, path, body, status, problem type, words in the Chinese detail, in the English).
type EdgeCase = (
    Method,
    &'static str,
    Option<&'static str>,
    StatusCode,
    &'static str,
    &'static str,
    &'static str,
);

/// What the edge refuses before a service runs (an unknown route, a body that is not
/// JSON, a body of the wrong shape, a query that does not parse, a record refused as not
/// found or not allowed) reads in the language asked for, with the same problem type.
async fn edge_refusals_speak_the_language_asked_for(app: TestApp) {
    let uw = app.api_user("uw.edge", Role::Underwriter, None).await;
    let send = |method: reqwest::Method,
                path: &'static str,
                body: Option<&'static str>,
                lang: &'static str| {
        let mut r = app
            .client()
            .request(method, app.url(path))
            .bearer_auth(&uw)
            .header("Accept-Language", lang);
        if let Some(b) = body {
            r = r.header("Content-Type", "application/json").body(b);
        }
        async move {
            let r = r.send().await.expect("request");
            let status = r.status();
            let ct = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            assert_eq!(ct, "application/problem+json", "{path}");
            (status, r.json::<Value>().await.unwrap_or_default())
        }
    };
    let cases: [EdgeCase; 6] = [
        (
            Method::GET,
            "/api/v1/no-such-thing",
            None,
            StatusCode::NOT_FOUND,
            "/problems/not-found",
            "没有这个 API 路径",
            "no such API route",
        ),
        (
            Method::POST,
            "/api/v1/parties",
            Some("{not json"),
            StatusCode::BAD_REQUEST,
            "/problems/malformed-body",
            "不是有效的 JSON",
            "line 1 column 2",
        ),
        (
            Method::POST,
            "/api/v1/parties",
            Some("{}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/problems/invalid-body",
            "请求内容字段有误",
            "missing field",
        ),
        (
            Method::GET,
            "/api/v1/policies?limit=many",
            None,
            StatusCode::BAD_REQUEST,
            "/problems/invalid-query",
            "查询参数有误",
            "invalid digit",
        ),
        (
            Method::GET,
            "/api/v1/policies/999999",
            None,
            StatusCode::NOT_FOUND,
            "/problems/not-found",
            "未找到保单",
            "policy not found",
        ),
        (
            Method::GET,
            "/api/v1/audit",
            None,
            StatusCode::FORBIDDEN,
            "/problems/forbidden",
            "无权查看审计日志",
            "read the audit log",
        ),
    ];
    for (method, path, body, status, kind, zh_part, en_part) in cases {
        let (s, zh) = send(method.clone(), path, body, "zh-CN,zh;q=0.9").await;
        assert_eq!(s, status, "{path}: {zh}");
        assert_eq!(zh["type"], kind, "{path}: {zh}");
        let detail = zh["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(zh_part), "{path}: {zh}");
        assert!(
            cjk(zh["title"].as_str().unwrap_or_default()),
            "{path}: {zh}"
        );
        let (s, en) = send(method, path, body, "en-US").await;
        assert_eq!(s, status, "{path}: {en}");
        assert_eq!(en["type"], kind, "{path}: {en}");
        let detail = en["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(en_part) && !cjk(detail), "{path}: {en}");
        assert!(
            !cjk(en["title"].as_str().unwrap_or_default()),
            "{path}: {en}"
        );
    }
}

on_both_stores!(
    edge_refusals_speak_the_language_asked_for,
    a_problem_speaks_the_language_its_client_asks_for,
    a_chinese_page_says_forbidden_and_not_found_in_chinese
);
