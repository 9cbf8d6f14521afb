//! An underwriter quotes, binds and issues a first-set policy in the browser and
//! finds it in the policy list.

use crate::driver;
use crate::helpers::{spawn_app, Store, TestApp, PASSWORD};
use crate::seed;
use fantoccini::Locator;
use firstcover::domain::role::Role;
use serde_json::json;

/// A maker, a user and a complete machine in the catalogue, made over the API.
async fn seed(app: &TestApp) {
    let token = app.api_user("uw.seed", Role::Underwriter, None).await;
    seed::book(
        app,
        &token,
        ("杭州重型装备有限公司", "宁波港集团有限公司"),
        json!({"edition": "national-2024", "product_name": "大型盾构机", "field": "工程机械",
               "unit_type": "complete_machine", "tier": "domestic", "qualification_year": 2024,
               "valid_from": "2024-01-01"}),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn underwriter_quotes_issues_and_finds_the_policy() {
    let Some(browser) = driver::launch().await else {
        return;
    };
    let app = spawn_app(Store::Sqlite).await.expect("app");
    seed(&app).await;
    app.add_user("uw.desk", Role::Underwriter, None).await;
    let c = &browser.client;

    c.goto(&app.url("/login")).await.unwrap();
    let login = c.form(Locator::Css("form[action='/login']")).await.unwrap();
    login.set_by_name("username", "uw.desk").await.unwrap();
    login.set_by_name("password", PASSWORD).await.unwrap();
    login.submit().await.unwrap();

    c.wait()
        .for_element(Locator::LinkText("保单"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::LinkText("新建报价"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("form.form"))
        .await
        .unwrap();
    let form = c.form(Locator::Css("form.form")).await.unwrap();
    for (select, text) in [
        ("maker_id", "杭州重型装备有限公司"),
        ("user_id", "宁波港集团有限公司"),
    ] {
        c.find(Locator::XPath(&format!(
            "//select[@name='{select}']/option[text()='{text}']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    }
    c.find(Locator::XPath(
        "//select[@name='catalogue_item_id']/option[contains(text(), '大型盾构机')]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    form.set_by_name("units", "DG-2025-001, 1, 8000000.00")
        .await
        .unwrap();
    form.set_by_name("contracts", "HT-88, 2025-06-01, 8000000.00")
        .await
        .unwrap();
    form.set_by_name("aggregate_limit", "8000000.00")
        .await
        .unwrap();
    form.submit().await.unwrap();

    let state = c
        .wait()
        .for_element(Locator::Id("policy-state"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(state, "已报价");
    // 8,000,000 × (1.00 % + 0.40 %) = 112,000.00
    let premium = c
        .find(Locator::Id("premium"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(premium, "112,000.00");
    for step in ["bind", "issue"] {
        c.wait()
            .for_element(Locator::Id(step))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The confirmation step shows the premium before anything is committed.
        let premium = c
            .wait()
            .for_element(Locator::Id("confirm-premium"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(premium.contains("112,000.00"), "{step}: {premium}");
        c.find(Locator::Id("confirm"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    let number = c
        .wait()
        .for_element(Locator::Id("policy-number"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        number.starts_with("FC-") && number.ends_with("-000001"),
        "{number}"
    );

    c.wait()
        .for_element(Locator::LinkText("保单"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The list page is loaded once the new policy's link is there.
    c.wait()
        .for_element(Locator::LinkText(&number))
        .await
        .unwrap();
    let list = c
        .find(Locator::Css("table"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&number), "{list}");
    assert!(list.contains("大型盾构机"), "{list}");
    browser.close().await;
}
