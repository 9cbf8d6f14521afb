//! The auditor's and the administrator's days (issue 16 items 3 and 8): the auditor filters
//! the audit log by actor and exports what the filter shows as CSV; the administrator
//! resets a user's password (one-time, changed at the next sign-in) and deactivates them.

use crate::driver;
use crate::helpers::{credit_code, spawn_app, Store, PASSWORD};
use fantoccini::{Client, Locator};
use firstcover::domain::role::Role;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

async fn sign_in(c: &Client, url: &str, user: &str, password: &str) {
    c.goto(&format!("{url}/login")).await.unwrap();
    let login = c.form(Locator::Css("form[action='/login']")).await.unwrap();
    login.set_by_name("username", user).await.unwrap();
    login.set_by_name("password", password).await.unwrap();
    login.submit().await.unwrap();
}

async fn signed_in(c: &Client) {
    c.wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .unwrap();
}

async fn downloaded(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    for _ in 0..100 {
        if path.is_file()
            && std::fs::metadata(&path)
                .map(|m| m.len() > 0)
                .unwrap_or(false)
        {
            return path;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{name} not downloaded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auditor_filters_the_log_by_actor_and_exports_it() {
    let downloads = tempfile::tempdir().unwrap();
    let Some(browser) = driver::launch_downloading_to(downloads.path()).await else {
        return;
    };
    let app = spawn_app(Store::Sqlite).await.expect("app");
    // Two staff members leave entries: parties created through the API.
    let a = app.api_user("uw.audit.a", Role::Underwriter, None).await;
    let b = app.api_user("uw.audit.b", Role::Underwriter, None).await;
    for (token, name, code) in [
        (&a, "审计甲公司", credit_code("91330100MA2AUD001")),
        (&a, "审计乙公司", credit_code("91330100MA2AUD002")),
        (&b, "审计丙公司", credit_code("91330100MA2AUD003")),
    ] {
        let r = app
            .client()
            .post(app.url("/api/v1/parties"))
            .bearer_auth(token)
            .json(
                &json!({"kind": "maker", "name": name, "credit_code": code, "province": "浙江省"}),
            )
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }
    app.add_user("auditor.day", Role::Auditor, None).await;
    let c = &browser.client;
    sign_in(c, &app.url(""), "auditor.day", PASSWORD).await;
    signed_in(c).await;
    c.goto(&app.url("/audit")).await.unwrap();
    let filter = c.form(Locator::Css("form[action='/audit']")).await.unwrap();
    filter.set_by_name("actor", "uw.audit.a").await.unwrap();
    filter.submit().await.unwrap();
    c.wait().for_element(Locator::Css("table")).await.unwrap();
    let body = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("审计甲公司") && body.contains("审计乙公司"),
        "{body}"
    );
    assert!(
        !body.contains("审计丙公司"),
        "another actor's entry: {body}"
    );
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("actor=uw.audit.a"),
        "the filter is in the address, so the page can be shared"
    );
    // The export carries the same filter.
    let export = c.find(Locator::Id("audit-export")).await.unwrap();
    let href = export.attr("href").await.unwrap().unwrap_or_default();
    assert!(href.contains("actor=uw.audit.a"), "{href}");
    export.click().await.unwrap();
    let csv = std::fs::read_to_string(downloaded(downloads.path(), "audit.csv").await).unwrap();
    assert!(
        csv.contains("审计甲公司") && csv.contains("审计乙公司"),
        "{href}:\n{csv}"
    );
    assert!(!csv.contains("审计丙公司"), "{csv}");
    assert!(
        csv.lines().skip(1).all(|l| l.contains("uw.audit.a")),
        "every exported row is the filtered actor's:\n{csv}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_resets_a_password_and_deactivates_the_user() {
    let Some(browser) = driver::launch().await else {
        return;
    };
    let app = spawn_app(Store::Sqlite).await.expect("app");
    app.add_user("admin.day", Role::Admin, None).await;
    app.add_user("fin.leaving", Role::Finance, None).await;
    let row = "//tr[.//td[contains(., 'fin.leaving')]]";
    let c = &browser.client;
    sign_in(c, &app.url(""), "admin.day", PASSWORD).await;
    signed_in(c).await;
    c.goto(&app.url("/users")).await.unwrap();
    c.find(Locator::XPath(&format!(
        "{row}//form[contains(@action, '/reset-password')]//button"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let one_time = c
        .wait()
        .for_element(Locator::Id("one-time-password"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(one_time.len() >= 12, "a real one-time password: {one_time}");
    // The old password no longer works; the one-time one leads to the password page.
    let (other, _) = app.login("fin.leaving", PASSWORD).await;
    let r = other.get(app.url("/")).send().await.unwrap();
    assert_ne!(
        r.status(),
        reqwest::StatusCode::OK,
        "the old password is gone"
    );
    let (fresh, resp) = app.login("fin.leaving", &one_time).await;
    let to = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    assert!(to.contains("password"), "sent to change it first: {to}");
    let r = fresh.get(app.url("/policies")).send().await.unwrap();
    assert!(
        r.status().is_redirection(),
        "nothing else opens under a one-time password: {}",
        r.status()
    );
    // Deactivated: the user's session ends at once.
    c.goto(&app.url("/users")).await.unwrap();
    c.find(Locator::XPath(&format!(
        "{row}//form[contains(@action, '/deactivate')]//button"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.wait()
        .for_element(Locator::XPath(&format!(
            "{row}//form[contains(@action, '/reactivate')]"
        )))
        .await
        .unwrap();
    let r = fresh
        .get(app.url("/account/password"))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_redirection() || r.status().is_client_error(),
        "the deactivated user's session is over: {}",
        r.status()
    );
    browser.close().await;
}
