use crate::helpers::{credit_code, hidden_field, TestApp, PASSWORD};
use crate::on_both_stores;
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn create_party(app: &TestApp, token: &str, kind: &str, name: &str, code: &str) -> Value {
    let r = app.post_json("/api/v1/parties", token, &json!({"kind": kind, "name": name, "credit_code": code, "province": "浙江省", "city": "杭州市"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn a_client_sees_only_its_own_maker(app: TestApp) {
    let uw = app.api_user("uw.p", Role::Underwriter, None).await;
    let a = create_party(
        &app,
        &uw,
        "maker",
        "甲制造",
        &credit_code("91330110MA2H3K7P0"),
    )
    .await;
    let b = create_party(
        &app,
        &uw,
        "maker",
        "乙制造",
        &credit_code("91330206MA2CL4X82"),
    )
    .await;
    let a_id = a["party_id"].as_i64().unwrap();
    let b_id = b["party_id"].as_i64().unwrap();
    let client = app.api_user("client.a", Role::Client, Some(a_id)).await;

    let r = app.get(&format!("/api/v1/parties/{b_id}"), &client).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["type"], "/problems/not-found");

    let r = app.get(&format!("/api/v1/parties/{a_id}"), &client).await;
    assert_eq!(r.status(), StatusCode::OK);
    let own: Value = r.json().await.unwrap();
    assert_eq!(own["name"], "甲制造");

    let list: Value = app.get_json("/api/v1/parties", &client).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["party_id"], a_id);

    // The page answers the same way.
    app.add_user("client.web", Role::Client, Some(a_id)).await;
    let (web, _) = app.login("client.web", PASSWORD).await;
    assert_eq!(
        web.get(app.url(&format!("/parties/{b_id}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        web.get(app.url(&format!("/parties/{a_id}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

async fn invalid_credit_codes_get_a_field_error(app: TestApp) {
    let uw = app.api_user("uw.q", Role::Underwriter, None).await;
    let cases = [
        ("91350100M000100Y44", "check character"),
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100Y433", "18 characters"),
        ("9135010IM000100Y43", "'I'"),
        ("9135010OM000100Y43", "'O'"),
        ("9135010ZM000100Y43", "'Z'"),
        ("9135010SM000100Y43", "'S'"),
        ("9135010VM000100Y43", "'V'"),
    ];
    for (code, says) in cases {
        let r = app
            .client()
            .post(app.url("/api/v1/parties"))
            .bearer_auth(&uw)
            .json(
                &json!({"kind": "maker", "name": "甲", "credit_code": code, "province": "浙江省"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["type"], "/problems/validation-failed");
        assert_eq!(body["errors"][0]["field"], "credit_code", "{code}");
        let msg = body["errors"][0]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{code}: {msg}");
        assert!(!body["errors"][0]["message_zh"].as_str().unwrap().is_empty());
    }
    // Lower case is accepted and stored upper-cased.
    let p = create_party(&app, &uw, "user", "丙用户", "91350100m000100y43").await;
    assert_eq!(p["credit_code"], "91350100M000100Y43");
    // The same code twice is a field error too.
    let r = app.post_json("/api/v1/parties", &uw, &json!({"kind": "maker", "name": "丁", "credit_code": "91350100M000100Y43", "province": "浙江省"})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "credit_code");
}

async fn malformed_bodies_are_client_errors(app: TestApp) {
    let uw = app.api_user("uw.r", Role::Underwriter, None).await;
    let send = |body: &'static str, ct: &'static str| {
        let c = app.client();
        let url = app.url("/api/v1/parties");
        let uw = uw.clone();
        async move {
            c.post(url)
                .bearer_auth(uw)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let r = send("{\"kind\": ", "application/json").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["type"], "/problems/malformed-body");

    let r = send(r#"{"kind":"maker","name":"x","credit_code":"91350100M000100Y43","province":"p","colour":"red"}"#, "application/json").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("colour"));

    let r = send(
        r#"{"kind":"shop","name":"x","credit_code":"91350100M000100Y43","province":"p"}"#,
        "application/json",
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let r = send(r#"{"kind":"maker"}"#, "text/plain").await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let r = app.get("/api/v1/parties/abc", &uw).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

async fn edits_are_versioned_and_searchable(app: TestApp) {
    let uw = app.api_user("uw.s", Role::Underwriter, None).await;
    let p = create_party(
        &app,
        &uw,
        "maker",
        "杭州中恒精密机床",
        &credit_code("91330110MA2H3K7P0"),
    )
    .await;
    let id = p["party_id"].as_i64().unwrap();
    let edit = json!({"kind": "maker", "name": "杭州中恒精密机床有限公司", "credit_code": p["credit_code"], "province": "浙江省", "state_owned": true});
    let r = app
        .client()
        .put(app.url(&format!("/api/v1/parties/{id}")))
        .bearer_auth(&uw)
        .header("if-match", "\"1\"")
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["etag"], "\"2\"");
    // A stale version is refused rather than silently overwritten.
    let r = app
        .client()
        .put(app.url(&format!("/api/v1/parties/{id}")))
        .bearer_auth(&uw)
        .header("if-match", "\"1\"")
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let found: Value = app.get_json("/api/v1/parties?q=中恒", &uw).await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["state_owned"], true);
    let none: Value = app.get_json("/api/v1/parties?q=不存在", &uw).await;
    assert_eq!(none["total"], 0);
    // A wildcard typed into the search box is a character, not "anything".
    let literal = app.get_json("/api/v1/parties?q=%25", &uw).await;
    assert_eq!(literal["total"], 0);
}

async fn relations_are_recorded_both_ways(app: TestApp) {
    let uw = app.api_user("uw.t", Role::Underwriter, None).await;
    let m = create_party(
        &app,
        &uw,
        "maker",
        "晋材",
        &credit_code("91140100MA0K9T3Q5"),
    )
    .await;
    let t = create_party(
        &app,
        &uw,
        "user",
        "鑫达贸易",
        &credit_code("91140105MA0H2N7L4"),
    )
    .await;
    let (mid, tid) = (
        m["party_id"].as_i64().unwrap(),
        t["party_id"].as_i64().unwrap(),
    );
    let r = app
        .post_json(
            &format!("/api/v1/parties/{mid}/relations"),
            &uw,
            &json!({"other_party_id": tid, "relation": "trader", "note": "经销"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let detail: Value = app.get_json(&format!("/api/v1/parties/{tid}"), &uw).await;
    assert_eq!(detail["relations"][0]["other_party_id"], mid);
    assert_eq!(detail["relations"][0]["relation"], "trader");
    let r = app
        .post_json(
            &format!("/api/v1/parties/{mid}/relations"),
            &uw,
            &json!({"other_party_id": mid, "relation": "related_party"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_party_form_creates_and_reports_bad_codes(app: TestApp) {
    app.add_user("uw.u", Role::Underwriter, None).await;
    let (client, _) = app.login("uw.u", PASSWORD).await;
    let form = client
        .get(app.url("/parties/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_field(&form, "csrf").unwrap();
    let bad = client
        .post(app.url("/parties"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "maker"),
            ("name", "表单企业"),
            ("credit_code", "91350100M000100Y44"),
            ("province", "浙江省"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(html.contains("校验码应为“3”"), "error shown in Chinese");
    assert!(html.contains("表单企业"), "what was typed is kept");
    let ok = client
        .post(app.url("/parties"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "maker"),
            ("name", "表单企业"),
            ("credit_code", "91350100m000100y43"),
            ("province", "浙江省"),
            ("state_owned", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let location = ok.headers()["location"].to_str().unwrap().to_string();
    let detail = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(detail.contains("91350100M000100Y43"));
    assert!(
        detail.contains("新建当事方"),
        "history shows the creation by its label"
    );
}

on_both_stores!(
    a_client_sees_only_its_own_maker,
    invalid_credit_codes_get_a_field_error,
    malformed_bodies_are_client_errors,
    edits_are_versioned_and_searchable,
    relations_are_recorded_both_ways,
    the_party_form_creates_and_reports_bad_codes,
);
