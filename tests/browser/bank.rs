//! A finance clerk imports a GBK bank statement in the browser: preview, import (the
//! job's page refreshes itself until done), then in suspense matches one line by its
//! suggestion and dismisses another as not premium.

use crate::driver::{self, text_of};
use crate::helpers::{spawn_app, Store, TestApp, PASSWORD};
use crate::seed;
use fantoccini::Locator;
use firstcover::domain::role::Role;
use serde_json::json;

async fn issued_policy(app: &TestApp) -> (i64, String) {
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
    (
        issued["policy_id"].as_i64().unwrap(),
        issued["policy_number"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finance_imports_a_gbk_statement_matches_by_suggestion_and_dismisses() {
    let Some(browser) = driver::launch().await else {
        return;
    };
    let app = spawn_app(Store::Sqlite).await.expect("app");
    let (id, _) = issued_policy(&app).await;
    app.add_user("finance.desk", Role::Finance, None).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("工行流水.csv");
    let text = "账号：1202021409900012345\n\
        凭证号,本方账号,对方账号,交易时间,借/贷,借方发生额,贷方发生额,对方行号,摘要,用途,对方单位名称,余额,个性化信息\n\
        ICBC-1,1202021409900012345,6222,2026-01-05 10:00:00,贷,,\"14,000.00\",102,保费,首期,浙江精工机械有限公司,,\n\
        ICBC-2,1202021409900012345,6222,2026-01-06 10:00:00,贷,,88.00,102,结息,,中国工商银行,,\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    std::fs::write(&file, &gbk).unwrap();
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
    c.goto(&app.url("/billing/bank")).await.unwrap();
    c.wait()
        .for_element(Locator::Id("statement-file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Id("preview"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(text_of(c, "#preview-lines").await, "2");
    assert_eq!(text_of(c, "#preview-total").await, "14,088.00");
    let summary = text_of(c, "#preview-summary").await;
    assert!(
        summary.contains("GBK") && summary.contains("中国工商银行"),
        "{summary}"
    );
    c.find(Locator::Id("commit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The job page refreshes itself until the import is done.
    let mut status = String::new();
    for _ in 0..100 {
        status = text_of(c, "#status").await;
        if status == "导入完成" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(status, "导入完成");
    assert_eq!(text_of(c, "#unmatched").await, "2");
    c.find(Locator::Id("to-suspense"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // Match the premium line by its suggestion (payer is the maker, amount the balance).
    let suggestion = c
        .wait()
        .for_element(Locator::Css("#unmatched-lines form.suggestion button"))
        .await
        .unwrap();
    let why = text_of(c, "#unmatched-lines form.suggestion").await;
    assert!(
        why.contains("付款人即投保人") && why.contains("金额等于未缴余额"),
        "{why}"
    );
    suggestion.click().await.unwrap();
    c.wait()
        .for_element(Locator::Id("suspense-total"))
        .await
        .unwrap();
    assert!(text_of(c, "#suspense-total").await.contains("88.00"));

    // Dismiss the interest line as not premium, with the reason.
    c.find(Locator::Css(
        "#unmatched-lines details:nth-of-type(3) summary",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.find(Locator::Css(
        "#unmatched-lines details[open] input[name='reason']",
    ))
    .await
    .unwrap()
    .send_keys("银行结息，非保费")
    .await
    .unwrap();
    c.find(Locator::Css(
        "#unmatched-lines details[open] button.dismiss",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let empty = text_of(c, "#unmatched-lines tbody").await;
    assert!(empty.contains("没有挂账流水"), "{empty}");
    assert!(text_of(c, "#disposals").await.contains("银行结息，非保费"));

    c.goto(&app.url(&format!("/policies/{id}"))).await.unwrap();
    assert_eq!(text_of(c, "#balance").await, "0.00");
    browser.close().await;
}
