//! Journeys of issue 16: an endorsement that raises a warning is acknowledged on the
//! endorse form itself (no dead end, nothing retyped), and the client portal and policy
//! page fit a 390-px phone without horizontal scrolling, in Chinese and English.

use crate::driver::{self, text_of};
use crate::helpers::{spawn_app, Store, TestApp, PASSWORD};
use crate::seed;
use fantoccini::{Client, Locator};
use firstcover::domain::role::Role;
use serde_json::json;
use std::time::Duration;

/// An issued first-year policy of 50 key components (no warning); (maker, policy id).
async fn issued_policy(app: &TestApp) -> (i64, i64) {
    let uw = app.api_user("uw.seed", Role::Underwriter, None).await;
    let (maker, user, item) = seed::book(
        app,
        &uw,
        ("浙江精工机械有限公司", "宁波港用户有限公司"),
        json!({"edition": "national-2024", "product_name": "精密主轴", "field": "高档数控机床",
               "unit_type": "key_component", "tier": "domestic", "qualification_year": 2024,
               "valid_from": "2024-01-01"}),
    )
    .await;
    let issued = seed::issued(app, &uw, json!({
        "maker_id": maker, "user_id": user, "catalogue_item_id": item,
        "cover_basis": "first_year",
        "units": [{"serial": "B2026-001", "quantity": 50, "unit_value": "20000.00"}],
        "contracts": [{"number": "HT-2025-118", "signed_on": "2025-11-20", "amount": "1000000.00"}],
        "delivery_date": "2025-12-15",
        "sections": [{"code": "QUALITY", "deductible": "Q-FIXED"}, {"code": "LIABILITY", "limit": "500000.00"}],
        "aggregate_limit": "2000000.00", "period_start": "2026-01-01", "period_end": "2026-12-31",
        "acknowledged": ["period.backdated"], "backdating_reason": "投保申请晚于起保日",
        "programme_id": "zhejiang-2025"})).await;
    (maker, issued["policy_id"].as_i64().unwrap())
}

async fn sign_in(c: &Client, app: &TestApp, user: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    let login = c.form(Locator::Css("form[action='/login']")).await.unwrap();
    login.set_by_name("username", user).await.unwrap();
    login.set_by_name("password", PASSWORD).await.unwrap();
    login.submit().await.unwrap();
    c.wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .unwrap();
}

/// Wait until the address contains `part` (the post answered with its redirect).
async fn wait_for_url(c: &Client, part: &str) {
    for _ in 0..200 {
        if c.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never reached {part}: {}", c.current_url().await.unwrap());
}

async fn value_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn underwriter_acknowledges_an_endorsement_warning_on_the_endorse_form() {
    let Some(browser) = driver::launch().await else {
        return;
    };
    let app = spawn_app(Store::Sqlite).await.expect("app");
    let (_, id) = issued_policy(&app).await;
    app.add_user("uw.endorse", Role::Underwriter, None).await;
    let c = &browser.client;
    sign_in(c, &app, "uw.endorse").await;

    c.goto(&app.url(&format!("/policies/{id}"))).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#endorse-form summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let form = c
        .form(Locator::Css("form[action$='/endorse']"))
        .await
        .unwrap();
    form.set_by_name("effective_on", "2026-07-01")
        .await
        .unwrap();
    // 40 units: first-year cover "as a rule" needs 50 — a warning this policy never had.
    form.set_by_name("units", "B2026-001, 40, 20000.00")
        .await
        .unwrap();
    form.set_by_name("reason", "用户退回十台").await.unwrap();
    c.find(Locator::Css("form[action$='/endorse'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // Refused, the endorse form comes back open with the warning to tick and the typed
    // values in place.
    let ack = c
        .wait()
        .for_element(Locator::Css(
            "#endorse-form[open] input[name=ack][value='basis.year_min_50_units']",
        ))
        .await
        .unwrap();
    assert_eq!(
        value_of(c, "#endorse-form textarea[name=units]").await,
        "B2026-001, 40, 20000.00"
    );
    assert_eq!(
        value_of(c, "#endorse-form input[name=reason]").await,
        "用户退回十台"
    );
    let errors = text_of(c, "div.error").await;
    assert!(errors.contains("须确认的提示"), "{errors}");
    assert!(
        !errors.contains("basis.year_min_50_units"),
        "the rule is named in words: {errors}"
    );
    ack.click().await.unwrap();
    c.find(Locator::Css("form[action$='/endorse'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(c, "done=endorsed").await;
    let flash = text_of(c, "p.flash").await;
    assert!(flash.starts_with("批改已生效，加/退费 -"), "{flash}");

    // The acknowledgement now stands for the policy: a later endorsement (a higher limit)
    // goes through without asking again.
    c.find(Locator::Css("#endorse-form summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let form = c
        .form(Locator::Css("form[action$='/endorse']"))
        .await
        .unwrap();
    form.set_by_name("effective_on", "2026-08-01")
        .await
        .unwrap();
    form.set_by_name("aggregate_limit", "2500000.00")
        .await
        .unwrap();
    form.set_by_name("reason", "提高限额").await.unwrap();
    c.find(Locator::Css("form[action$='/endorse'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..200 {
        if text_of(c, "dl.facts").await.contains("2,500,000.00") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let facts = text_of(c, "dl.facts").await;
    assert!(facts.contains("2,500,000.00"), "{facts}");
    // The history lists the change field by field, with no JSON.
    let history = text_of(c, "section.card:last-of-type").await;
    assert!(history.contains("累计责任限额"), "{history}");
    assert!(!history.contains("{\""), "{history}");
    browser.close().await;
}

/// The page's scroll width at a 390-px viewport.
async fn scroll_width(c: &Client) -> i64 {
    c.execute("return document.scrollingElement.scrollWidth", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_portal_fits_a_390px_phone() {
    let Some(browser) = driver::launch().await else {
        return;
    };
    let app = spawn_app(Store::Sqlite).await.expect("app");
    let (maker, id) = issued_policy(&app).await;
    app.add_user("client.phone", Role::Client, Some(maker))
        .await;
    let c = &browser.client;
    c.set_window_size(390, 844).await.unwrap();
    let inner = c
        .execute("return window.innerWidth", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    assert_eq!(inner, 390, "the viewport is a phone's");
    sign_in(c, &app, "client.phone").await;
    for lang in ["zh", "en"] {
        c.goto(&app.url(&format!("/lang/{lang}"))).await.unwrap();
        for path in ["/portal".to_string(), format!("/policies/{id}"), "/".into()] {
            c.goto(&app.url(&path)).await.unwrap();
            c.wait().for_element(Locator::Css("main")).await.unwrap();
            let w = scroll_width(c).await;
            assert!(w <= 390, "{lang} {path}: {w} px wide");
        }
        // The export form stays inside its card.
        c.goto(&app.url("/portal")).await.unwrap();
        let inside = c
            .execute(
                "const f = document.getElementById('annex3-export').getBoundingClientRect();
                 const card = document.getElementById('annex3-export').closest('.card').getBoundingClientRect();
                 return f.left >= card.left && f.right <= card.right;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(inside, serde_json::Value::Bool(true), "{lang}: export form");
        // The export offers the programme the maker's policy is written under.
        let chosen = value_of(c, "#annex3-export select[name=programme_id]").await;
        assert_eq!(chosen, "zhejiang-2025", "{lang}");
    }
    browser.close().await;
}
