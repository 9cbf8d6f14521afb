//! The underwriting pages over plain HTTP forms (no script): warnings are shown as
//! checkboxes to acknowledge, and the policy goes from quote to issued.

use crate::helpers::{hidden_field, TestApp, PASSWORD};
use crate::on_both_stores;
use crate::underwriting::book;
use firstcover::domain::role::Role;
use reqwest::StatusCode;

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

async fn quote_form_asks_for_acknowledgement_then_issues(app: TestApp) {
    let b = book(&app, "uw.api").await;
    app.add_user("uw.form", Role::Underwriter, None).await;
    let (client, _) = app.login("uw.form", PASSWORD).await;
    let form = page(&client, &app, "/policies/new").await;
    let csrf = hidden_field(&form, "csrf").unwrap();
    let mut fields: Vec<(String, String)> = [
        ("csrf", csrf.as_str()),
        ("cover_basis", "first_year"),
        ("units", "B-1, 40, 25000.00"),
        ("contracts", "HT-1, 2025-11-01, 1000000.00"),
        ("section", "QUALITY"),
        ("section", "LIABILITY"),
        ("aggregate_limit", "2000000.00"),
        ("period_start", "2026-01-01"),
        ("period_end", "2026-12-31"),
        ("technical_maturity", "1.0"),
        ("scenario_complexity", "1.0"),
        ("loss_history", "1.0"),
        ("same_specification", "on"),
        ("same_production_batch", "on"),
        ("first_use_by_user", "on"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in [
        ("maker_id", b.maker),
        ("user_id", b.user),
        ("catalogue_item_id", b.item),
    ] {
        fields.push((k.into(), v.to_string()));
    }
    let r = client
        .post(app.url("/policies"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("name=\"ack\" value=\"basis.year_min_50_units\""),
        "the warning is offered for acknowledgement"
    );
    assert!(
        html.contains("B-1, 40, 25000.00"),
        "the form keeps what was typed"
    );

    fields.push(("ack".into(), "basis.year_min_50_units".into()));
    let r = client
        .post(app.url("/policies"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let detail = page(&client, &app, &to).await;
    assert!(detail.contains("14,000.00"), "premium shown");
    let id = to
        .trim_start_matches("/policies/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    for action in ["bind", "issue"] {
        let r = client
            .post(app.url(&format!("/policies/{id}/{action}")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{action}");
    }
    // Issuing twice is refused on the page, with the reason.
    let r = client
        .post(app.url(&format!("/policies/{id}/issue")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let detail = page(&client, &app, &format!("/policies/{id}")).await;
    assert!(detail.contains("-000001"), "policy number shown");
    let list = page(&client, &app, "/policies?q=000001").await;
    assert!(list.contains("-000001"));
    let est = page(&client, &app, &format!("/policies/{id}/subsidy")).await;
    assert!(est.contains("id=\"verdict\""));
    page(&client, &app, "/referrals").await;

    // Without the CSRF token nothing happens.
    let r = client
        .post(app.url(&format!("/policies/{id}/cancel")))
        .form(&[
            ("csrf", "wrong"),
            ("last_day_covered", "2026-06-30"),
            ("by", "insurer"),
            ("reason", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), StatusCode::SEE_OTHER);
}

on_both_stores!(quote_form_asks_for_acknowledgement_then_issues);
