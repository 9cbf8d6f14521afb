use crate::helpers::{hidden_field, TestApp, PASSWORD};
use crate::on_both_stores;
use firstcover::domain::role::Role;
use reqwest::StatusCode;

async fn login_and_logout(app: TestApp) {
    app.add_user("uw.a", Role::Underwriter, None).await;
    let anon = app.client();
    let r = anon.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=%2F");

    let (client, r) = app.login("uw.a", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set_cookie: Vec<_> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let session = set_cookie
        .iter()
        .find(|c| c.starts_with("fc_session="))
        .expect("session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");

    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    assert!(html.contains("uw.a"), "dashboard names the user");
    let csrf = hidden_field(&html, "csrf").unwrap();

    // Logging out needs the CSRF token too.
    let r = client
        .post(app.url("/logout"))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        client.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::OK
    );

    let r = client
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        client.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
}

async fn wrong_password_and_forged_login_form_are_refused(app: TestApp) {
    app.add_user("uw.b", Role::Underwriter, None).await;
    let (client, r) = app.login("uw.b", "not-the-password").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("用户名或密码错误"));
    assert_eq!(
        client.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );

    // A login form posted without the matching CSRF cookie (cross-site) is refused.
    let r = app
        .client()
        .post(app.url("/login"))
        .form(&[("csrf", "x"), ("username", "uw.b"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!r
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("fc_session=")));
}

async fn failed_logins_are_throttled(app: TestApp) {
    app.add_user("uw.c", Role::Underwriter, None).await;
    for _ in 0..5 {
        let (_, r) = app.login("uw.c", "wrong-password-1").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while the lock-out lasts.
    let (_, r) = app.login("uw.c", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
}

async fn form_posts_without_csrf_change_nothing(app: TestApp) {
    app.add_user("uw.d", Role::Underwriter, None).await;
    let (client, _) = app.login("uw.d", PASSWORD).await;
    let r = client
        .post(app.url("/parties"))
        .form(&[
            ("csrf", "forged"),
            ("kind", "maker"),
            ("name", "X"),
            ("credit_code", "91350100M000100Y43"),
            ("province", "浙江省"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let token = app.token_for("uw.d").await;
    let list: serde_json::Value = app.get_json("/api/v1/parties", &token).await;
    assert_eq!(list["total"], 0);

    // The JSON API from a browser session needs the CSRF header for writes.
    let r = client
        .post(app.url("/api/v1/parties"))
        .json(&serde_json::json!({"kind": "maker", "name": "X", "credit_code": "91350100M000100Y43", "province": "浙江省"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn api_needs_a_valid_unrevoked_token(app: TestApp) {
    let r = app
        .client()
        .get(app.url("/api/v1/parties"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["type"], "/problems/unauthenticated");

    let r = app
        .client()
        .get(app.url("/api/v1/parties"))
        .bearer_auth("fc_nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    app.add_user("fin.a", Role::Finance, None).await;
    let (id, token) = firstcover::services::users::create_token(
        &app.ctx(),
        &firstcover::services::Actor::system(),
        "fin.a",
        "t",
    )
    .await
    .unwrap();
    assert_eq!(app.get("/api/v1/me", &token).await.status(), StatusCode::OK);
    firstcover::services::users::revoke_token(
        &app.ctx(),
        &firstcover::services::Actor::system(),
        id,
    )
    .await
    .unwrap();
    assert_eq!(
        app.get("/api/v1/me", &token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn roles_decide_who_may_change_what(app: TestApp) {
    let finance = app.api_user("fin.b", Role::Finance, None).await;
    let uw = app.api_user("uw.e", Role::Underwriter, None).await;
    let party = serde_json::json!({"kind": "maker", "name": "甲公司", "credit_code": "91350100M000100Y43", "province": "浙江省"});
    let r = app.post_json("/api/v1/parties", &finance, &party).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["type"], "/problems/forbidden");
    let r = app.post_json("/api/v1/parties", &uw, &party).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // Finance may read, not administer users.
    assert_eq!(
        app.get("/api/v1/parties", &finance).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/users", &finance).await.status(),
        StatusCode::FORBIDDEN
    );
    // The audit log is for admins and auditors.
    assert_eq!(
        app.get("/api/v1/audit", &uw).await.status(),
        StatusCode::FORBIDDEN
    );
    let auditor = app.api_user("audit.a", Role::Auditor, None).await;
    assert_eq!(
        app.get("/api/v1/audit", &auditor).await.status(),
        StatusCode::OK
    );
}

on_both_stores!(
    login_and_logout,
    wrong_password_and_forged_login_form_are_refused,
    failed_logins_are_throttled,
    form_posts_without_csrf_change_nothing,
    api_needs_a_valid_unrevoked_token,
    roles_decide_who_may_change_what,
);
