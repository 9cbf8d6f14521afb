//! The public verification page (no login, no script) and the client portal page.

use crate::helpers::{fresh_database, start_on, test_config, Store, TestApp, PASSWORD};
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote, issued};
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let r = app
        .client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn verify_page_shows_status_and_compares_an_upload(app: TestApp) {
    let b = book(&app, "uw.vpage").await;
    let finance = app.api_user("fin.vpage", Role::Finance, None).await;
    let (id, number) = issued(&app, &b.uw, &first_year_quote(&b, "2000000.00")).await;
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/payments"),
        &json!({"payer": "浙江精工机械有限公司", "amount": "14000.00", "paid_on": "2026-01-05",
                "method": "bank_transfer", "reference": "P-1"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, cert) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/certificate"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{cert}");
    let code = cert["verification_code"].as_str().unwrap();
    let pdf = app
        .get(&format!("/api/v1/policies/{id}/certificate.pdf"), &b.uw)
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();

    let anon = app.client();
    // The form sends the typed code (spaces and dashes allowed) to /verify/{code}.
    let r = anon
        .get(app.url("/verify"))
        .query(&[("code", format!(" {}-{} ", &code[..8], &code[8..]))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = anon
        .get(app.url(&format!("/verify/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "有效",
        number.as_str(),
        "浙江精工机械有限公司",
        "14,000.00",
        "enctype=\"multipart/form-data\"",
    ] {
        assert!(html.contains(expected), "missing {expected}");
    }
    let upload = |bytes: Vec<u8>| {
        anon.post(app.url(&format!("/verify/{code}")))
            .multipart(reqwest::multipart::Form::new().part(
                "pdf",
                reqwest::multipart::Part::bytes(bytes).file_name("c.pdf"),
            ))
            .send()
    };
    let html = upload(pdf.clone()).await.unwrap().text().await.unwrap();
    assert!(html.contains("逐字节一致"), "genuine");
    let mut altered = pdf;
    let last = altered.len() - 10;
    altered[last] ^= 0x20;
    let html = upload(altered).await.unwrap().text().await.unwrap();
    assert!(html.contains("可能已被修改"), "altered");
    let html = anon
        .get(app.url("/verify/NOSUCHCODE"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("未找到该验证码"));

    // The client's portal lists the policy as fully paid, with its downloads.
    app.add_user("client.portal", Role::Client, Some(b.maker))
        .await;
    let (client, _) = app.login("client.portal", PASSWORD).await;
    let html = client
        .get(app.url("/portal"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        number.as_str(),
        "已全额缴费",
        &format!("/api/v1/policies/{id}/certificate.pdf"),
        &format!("/api/v1/policies/{id}/subsidy-pack.zip"),
        "/api/v1/exports/annex3.xlsx",
        "href=\"/portal\"",
    ] {
        assert!(html.contains(expected), "missing {expected}");
    }
    // The session's browser downloads the certificate through the same link.
    let r = client
        .get(app.url(&format!("/api/v1/policies/{id}/certificate.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
}

async fn generated_signing_key_survives_a_restart(app: TestApp) {
    let key = |app: &TestApp| {
        let url = app.url("/api/v1/certificates/public-key");
        async move {
            firstcover::tls::client_builder()
                .build()
                .unwrap()
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["public_key"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let first = key(&app).await;
    assert_eq!(first.len(), 44, "32 bytes in base64: {first}");
    let again = start_on(app.store, app.config.clone(), None, None).await;
    assert_eq!(key(&again).await, first, "kept in the database");
    // A configured seed wins over the stored key.
    let (url, dir, pg) = fresh_database(Store::Sqlite).await.unwrap();
    let mut config = test_config(&url);
    config.certificates.signing_key_base64 =
        Some("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=".into());
    let configured = start_on(Store::Sqlite, config, dir, pg).await;
    let k = key(&configured).await;
    assert_ne!(k, first);
    assert_eq!(k, "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=");
}

on_both_stores!(
    verify_page_shows_status_and_compares_an_upload,
    generated_signing_key_survives_a_restart,
);
