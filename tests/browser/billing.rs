//! Finance opens an issued policy in the browser, follows the link to its ledger,
//! records the payment the form proposes and sees the premium fully paid.

use crate::driver;
use crate::helpers::{spawn_app, Store, TestApp, PASSWORD};
use crate::seed;
use fantoccini::Locator;
use firstcover::domain::role::Role;
use serde_json::json;

/// An issued first-year policy (premium 14,000.00) made over the API; its id.
async fn issued_policy(app: &TestApp) -> i64 {
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
    issued["policy_id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finance_records_the_premium_from_the_policy_page() {
    let Some(browser) = driver::launch().await else {
        return;
    };
    let app = spawn_app(Store::Sqlite).await.expect("app");
    let id = issued_policy(&app).await;
    app.add_user("finance.desk", Role::Finance, None).await;
    let c = &browser.client;

    c.goto(&app.url("/login")).await.unwrap();
    let login = c.form(Locator::Css("form[action='/login']")).await.unwrap();
    login.set_by_name("username", "finance.desk").await.unwrap();
    login.set_by_name("password", PASSWORD).await.unwrap();
    login.submit().await.unwrap();
    c.wait()
        .for_element(Locator::LinkText("银行流水"))
        .await
        .unwrap();

    c.goto(&app.url(&format!("/policies/{id}"))).await.unwrap();
    let balance = c
        .wait()
        .for_element(Locator::Id("balance"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(balance, "14,000.00");
    c.find(Locator::Id("billing-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("record-payment"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The form posts and redirects back to the ledger, saying what was recorded.
    for _ in 0..100 {
        if c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("done=payment")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let status = c
        .wait()
        .for_element(Locator::Id("fully-paid"))
        .await
        .unwrap();
    let status = status.text().await.unwrap();
    assert_eq!(status, "保费已全额收取");
    let balance = c
        .find(Locator::Id("balance"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(balance, "0.00");
    let paid = c
        .find(Locator::Id("paid"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(paid, "14,000.00");
    let flash = c
        .find(Locator::Css("p.flash"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(flash, "已记录收款 14,000.00 元");
    browser.close().await;
}
