//! The underwriting pages over plain HTTP forms (no script): warnings are shown as
//! checkboxes to acknowledge, and the policy goes from quote to issued.

use crate::helpers::{hidden_field, TestApp, PASSWORD};
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote};
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
        ("ack", "period.backdated"),
        ("backdating_reason", "装备已交付，投保申请晚于起保日"),
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
        // The first post only shows what is being agreed; nothing changes yet.
        let r = client
            .post(app.url(&format!("/policies/{id}/{action}")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{action} asks first");
        let confirm = r.text().await.unwrap();
        assert!(confirm.contains("id=\"confirm-premium\"><strong>14,000.00</strong>"));
        assert!(confirm.contains("id=\"confirm-limit\">2,000,000.00<"));
        assert!(confirm.contains("2026-01-01 – 2026-12-31"));
        assert!(
            confirm.contains("id=\"backdating-warning\""),
            "a start before today is flagged"
        );
        let r = client
            .post(app.url(&format!("/policies/{id}/{action}")))
            .form(&[("csrf", csrf.as_str()), ("confirmed", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{action}");
    }
    // Issuing twice is refused on the page, with the reason.
    let r = client
        .post(app.url(&format!("/policies/{id}/issue")))
        .form(&[("csrf", csrf.as_str()), ("confirmed", "yes")])
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

/// A quote is changed through its own form until it is issued; a stale form is refused.
async fn a_quote_is_edited_through_the_form_until_issued(app: TestApp) {
    let b = book(&app, "uw.edit").await;
    let quote = first_year_quote(&b, "2000000.00");
    let created = app.post_json("/api/v1/quotes", &b.uw, &quote).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<serde_json::Value>().await.unwrap()["policy_id"]
        .as_i64()
        .unwrap();
    let (client, _) = app.login("uw.edit", PASSWORD).await;
    let form = page(&client, &app, &format!("/policies/{id}/edit")).await;
    assert!(form.contains("B2026-001, 50, 20000.00"), "units prefilled");
    assert!(form.contains("value=\"2000000.00\""), "limit prefilled");
    let csrf = hidden_field(&form, "csrf").unwrap();
    let version = hidden_field(&form, "version").unwrap();
    let post = |limit: &'static str, version: String| {
        let mut fields: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("version".into(), version),
            ("maker_id".into(), b.maker.to_string()),
            ("user_id".into(), b.user.to_string()),
            ("catalogue_item_id".into(), b.item.to_string()),
        ];
        for (k, v) in [
            ("cover_basis", "first_year"),
            ("units", "B2026-001, 50, 20000.00"),
            ("contracts", "HT-2025-118, 2025-11-20, 1000000.00"),
            ("delivery_date", "2025-12-15"),
            ("section", "QUALITY"),
            ("deductible_QUALITY", "Q-FIXED"),
            ("section", "LIABILITY"),
            ("limit_LIABILITY", "500000.00"),
            ("aggregate_limit", limit),
            ("period_start", "2026-01-01"),
            ("period_end", "2026-12-31"),
            ("ack", "period.backdated"),
            ("backdating_reason", "装备已交付，投保申请晚于起保日"),
            ("technical_maturity", "1"),
            ("scenario_complexity", "1"),
            ("loss_history", "1"),
            ("programme_id", "zhejiang-2025"),
            ("same_specification", "on"),
            ("same_production_batch", "on"),
            ("first_use_by_user", "on"),
        ] {
            fields.push((k.into(), v.into()));
        }
        for (k, v) in form_acks(&form) {
            fields.push((k, v));
        }
        client
            .post(app.url(&format!("/policies/{id}/edit")))
            .form(&fields)
            .send()
    };
    let r = post("2500000.00", version.clone()).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let v = app.get_json(&format!("/api/v1/policies/{id}"), &b.uw).await;
    assert_eq!(v["policy"]["aggregate_limit"], "2500000.00");

    // The form was filled from the old version: someone else's change is not overwritten.
    let r = post("3000000.00", version).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("记录已被他人修改"));
    let v = app.get_json(&format!("/api/v1/policies/{id}"), &b.uw).await;
    assert_eq!(v["policy"]["aggregate_limit"], "2500000.00");

    let issued = app
        .post_json(
            &format!("/api/v1/policies/{id}/issue"),
            &b.uw,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(issued.status(), StatusCode::OK);
    let r = client
        .get(app.url(&format!("/policies/{id}/edit")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        r.text().await.unwrap().contains("已出单保单请通过批改办理"),
        "the conflict in the page's language"
    );
}

/// The acknowledgements the edit form carries as hidden fields.
fn form_acks(html: &str) -> Vec<(String, String)> {
    html.match_indices("type=\"hidden\" name=\"ack\" value=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            (
                "ack".to_string(),
                rest[..rest.find('"').unwrap()].to_string(),
            )
        })
        .collect()
}

/// In a book with more makers than the quote form's picker lists (500, by name), the
/// maker chosen is still offered, and selected, when the form comes back with errors:
/// nothing the underwriter chose is lost.
async fn the_chosen_maker_stays_on_the_form_beyond_the_pickers_first_500(app: TestApp) {
    let b = book(&app, "uw.picker").await;
    // 500 makers whose names sort before the book's maker.
    app.execute(
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 500) \
         insert into party (kind, name, credit_code, province, created_at, updated_at) \
         select 'maker', 'A-' || (1000 + i), 'PICKER' || (100000 + i), '浙江省', \
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' from n",
    )
    .await;
    app.add_user("uw.picker.form", Role::Underwriter, None)
        .await;
    let (client, _) = app.login("uw.picker.form", PASSWORD).await;
    let form = page(&client, &app, "/policies/new").await;
    // The maker select alone (the other selects have options with small ids too).
    let makers = |html: &str| -> String {
        let from = html.find("name=\"maker_id\"").expect("the maker select");
        let to = from + html[from..].find("</select>").expect("its end");
        html[from..to].to_string()
    };
    let offered = |html: &str| makers(html).contains(&format!("<option value=\"{}\"", b.maker));
    assert!(
        !offered(&form),
        "the book's maker is past the first 500 by name"
    );
    // Any maker can be quoted from its own page: the link opens the form with it chosen.
    let maker_page = page(&client, &app, &format!("/parties/{}", b.maker)).await;
    let link = format!("/policies/new?maker_id={}", b.maker);
    assert!(maker_page.contains(&link), "{maker_page}");
    let prefilled = page(&client, &app, &link).await;
    assert!(
        makers(&prefilled).contains(&format!("<option value=\"{}\" selected", b.maker)),
        "the maker from its page is chosen"
    );
    let ignored = page(&client, &app, "/policies/new?maker_id=x").await;
    assert!(
        !makers(&ignored).contains(" selected"),
        "a bad id is ignored"
    );
    let csrf = hidden_field(&form, "csrf").unwrap();
    let r = client
        .post(app.url("/policies"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("maker_id", &b.maker.to_string()),
            ("user_id", &b.user.to_string()),
            ("catalogue_item_id", &b.item.to_string()),
            ("cover_basis", "first_year"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        makers(&html).contains(&format!("<option value=\"{}\" selected", b.maker)),
        "the chosen maker is offered and selected"
    );
    assert!(
        makers(&html).contains("A-1001"),
        "the picker still lists the others"
    );

    // The users page names a client's maker past the first 500 too.
    let maker_name = app
        .get_json(&format!("/api/v1/parties/{}", b.maker), &b.uw)
        .await["name"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_default();
    assert!(!maker_name.is_empty());
    app.add_user("client.picker", Role::Client, Some(b.maker))
        .await;
    app.add_user("admin.picker", Role::Admin, None).await;
    let (admin, _) = app.login("admin.picker", PASSWORD).await;
    let users = page(&admin, &app, "/users").await;
    let row = users
        .split("<tr")
        .find(|r| r.contains("client.picker"))
        .expect("the client's row");
    assert!(row.contains(&maker_name), "{row}");
}

on_both_stores!(
    the_chosen_maker_stays_on_the_form_beyond_the_pickers_first_500,
    quote_form_asks_for_acknowledgement_then_issues,
    a_quote_is_edited_through_the_form_until_issued,
);
