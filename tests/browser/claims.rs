//! A client reports a claim in the browser; a claims handler registers it with a
//! reserve, changes the reserve, decides and pays it.

use crate::driver;
use crate::helpers::{spawn_app, Store, TestApp, PASSWORD};
use crate::seed;
use fantoccini::{Client, Locator};
use firstcover::domain::role::Role;
use serde_json::json;

/// An issued first-year policy on 50 key components (serial B2026-001); returns
/// (maker id, policy number).
async fn seed(app: &TestApp) -> (i64, String) {
    let (maker, number, _) = seed_policy(app).await;
    (maker, number)
}

/// The same, also returning the policy id.
async fn seed_policy(app: &TestApp) -> (i64, String, i64) {
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
    let issued = seed::issued(
        app,
        &uw,
        json!({
        "maker_id": maker, "user_id": user, "catalogue_item_id": item,
        "cover_basis": "first_year",
        "units": [{"serial": "B2026-001", "quantity": 50, "unit_value": "20000.00"}],
        "contracts": [{"number": "HT-2025-118", "signed_on": "2025-11-20", "amount": "1000000.00"}],
        "delivery_date": "2025-12-15",
        "sections": [{"code": "QUALITY"}, {"code": "LIABILITY", "limit": "500000.00"}],
        "aggregate_limit": "2000000.00", "period_start": "2026-01-01", "period_end": "2026-12-31",
        "acknowledged": ["period.backdated"], "backdating_reason": "投保申请晚于起保日"}),
    )
    .await;
    (
        maker,
        issued["policy_number"].as_str().unwrap().to_string(),
        issued["policy_id"].as_i64().unwrap(),
    )
}

async fn sign_in(c: &Client, app: &TestApp, user: &str) {
    c.delete_all_cookies().await.unwrap();
    c.goto(&app.url("/login")).await.unwrap();
    let login = c.form(Locator::Css("form[action='/login']")).await.unwrap();
    login.set_by_name("username", user).await.unwrap();
    login.set_by_name("password", PASSWORD).await.unwrap();
    login.submit().await.unwrap();
    c.wait()
        .for_element(Locator::LinkText("理赔"))
        .await
        .unwrap();
}

async fn text(c: &Client, id: &str) -> String {
    c.wait()
        .for_element(Locator::Id(id))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Fill a form found by its action and submit it (works inside closed <details> too).
async fn submit(c: &Client, action_suffix: &str, fields: &[(&str, &str)]) {
    let form = c
        .form(Locator::Css(&format!("form[action$='{action_suffix}']")))
        .await
        .unwrap();
    for (name, value) in fields {
        form.set_by_name(name, value).await.unwrap();
    }
    form.submit_direct().await.unwrap();
}

/// Wait until the state badge reads `want` (the page after a redirect).
async fn wait_state(c: &Client, want: &str) {
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Id("claim-state")).await {
            if e.text().await.unwrap_or_default() == want {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let body = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    panic!("state never became {want}: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_reports_and_handler_registers_reserves_decides_and_pays() {
    let Some(browser) = driver::launch().await else {
        return;
    };
    let app = spawn_app(Store::Sqlite).await.expect("app");
    let (maker, policy_number) = seed(&app).await;
    app.add_user("maker.user", Role::Client, Some(maker)).await;
    app.add_user("claims.handler", Role::ClaimsHandler, None)
        .await;
    let c = &browser.client;

    // The client reports the claim from the client portal.
    sign_in(c, &app, "maker.user").await;
    c.find(Locator::LinkText("理赔"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("new-claim"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("submit-claim"))
        .await
        .unwrap();
    c.find(Locator::XPath(&format!(
        "//select[@name='policy_id']/option[contains(text(), '{policy_number}')]"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    submit(
        c,
        "/claims",
        &[
            ("event_date", "2026-03-10"),
            ("place", "宁波港三号码头"),
            ("description", "主轴异常振动，用户要求修理"),
            ("units", "B2026-001"),
            ("amount_claimed", "80000.00"),
        ],
    )
    .await;
    wait_state(c, "已报案").await;
    let number = text(c, "claim-number").await;
    assert!(
        number.starts_with("FC-CL-") && number.ends_with("-000001"),
        "{number}"
    );
    let url = c.current_url().await.unwrap();
    assert!(
        c.find(Locator::Id("register")).await.is_err(),
        "a client cannot register"
    );

    // The handler registers it with a reserve, changes the reserve, decides and pays.
    sign_in(c, &app, "claims.handler").await;
    c.goto(url.as_str()).await.unwrap();
    submit(c, "/register", &[("reserve", "80000.00")]).await;
    wait_state(c, "处理中").await;
    assert_eq!(text(c, "reserve").await, "80,000.00");
    submit(
        c,
        "/reserve",
        &[
            ("line_repair", "70000.00"),
            ("line_claim_expenses", "5000.00"),
            ("reason", "查勘后调整"),
        ],
    )
    .await;
    c.wait().for_element(Locator::Css("p.flash")).await.unwrap();
    assert_eq!(text(c, "reserve").await, "75,000.00");
    submit(
        c,
        "/decision",
        &[
            ("outcome", "accept"),
            ("agreed_loss", "72000.00"),
            ("missing_proof_reason", "纸质材料已邮寄收到"),
        ],
    )
    .await;
    wait_state(c, "已核定待支付").await;
    assert_eq!(text(c, "indemnity").await, "72,000.00");
    submit(
        c,
        "/payment",
        &[
            ("bank_name", "工商银行杭州分行"),
            ("bank_account", "1202020309900012345"),
        ],
    )
    .await;
    wait_state(c, "已结案").await;
    assert_eq!(text(c, "paid").await, "72,000.00");
    assert_eq!(text(c, "reserve").await, "0.00");
    let timeline = text(c, "timeline").await;
    // Actions by their labels, not their codes.
    for action in [
        "报案",
        "立案",
        "调整未决赔款准备金",
        "理赔核定",
        "批准赔款支付",
    ] {
        assert!(timeline.contains(action), "{timeline}");
    }
    assert!(!timeline.contains("claim."), "{timeline}");
    browser.close().await;
}

/// A handler opens a registered claim, uploads three proof documents in one go (each
/// row with its checklist item), sees what is still missing, and decides with the
/// reason the decision needs while proof is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_uploads_several_documents_at_once_and_decides() {
    let Some(browser) = driver::launch().await else {
        return;
    };
    let app = spawn_app(Store::Sqlite).await.expect("app");
    let (_, _, policy_id) = seed_policy(&app).await;
    app.add_user("claims.handler", Role::ClaimsHandler, None)
        .await;
    let token = app.token_for("claims.handler").await;
    let id = seed::registered_claim(&app, &token, policy_id, "60000.00").await;
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for name in ["索赔申请书.pdf", "保单.pdf", "销售合同.pdf"] {
        let p = dir.path().join(name);
        std::fs::write(&p, firstcover::documents::inspect::samples::pdf()).unwrap();
        paths.push(p);
    }
    let c = &browser.client;
    sign_in(c, &app, "claims.handler").await;
    c.goto(&app.url(&format!("/claims/{id}"))).await.unwrap();
    // The rows come preselected with the missing items in checklist order; the third
    // row is set by hand to show the choice is per file.
    c.wait()
        .for_element(Locator::Id("upload-file-1"))
        .await
        .unwrap();
    c.find(Locator::Css(
        "#upload-code-3 option[value='sales_contract']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    for (i, p) in paths.iter().enumerate() {
        c.find(Locator::Id(&format!("upload-file-{}", i + 1)))
            .await
            .unwrap()
            .send_keys(p.to_str().unwrap())
            .await
            .unwrap();
    }
    c.find(Locator::Id("upload"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css("p.flash")).await.unwrap();
    let docs = text(c, "documents").await;
    for name in ["索赔申请书.pdf", "保单.pdf", "销售合同.pdf"] {
        assert!(docs.contains(name), "{docs}");
    }
    let missing = text(c, "decision-missing").await;
    assert!(missing.contains("交付验收证明"), "{missing}");
    assert!(!missing.contains("索赔申请书"), "{missing}");
    submit(
        c,
        "/decision",
        &[
            ("outcome", "accept"),
            ("agreed_loss", "58000.00"),
            ("missing_proof_reason", "其余材料原件已邮寄，电话核实无误"),
        ],
    )
    .await;
    wait_state(c, "已核定待支付").await;
    assert_eq!(text(c, "indemnity").await, "58,000.00");
    let waivers = text(c, "proof-waivers").await;
    assert!(
        waivers.contains("其余材料原件已邮寄，电话核实无误"),
        "{waivers}"
    );
    assert!(waivers.contains("修理费用发票及明细"), "{waivers}");
    browser.close().await;
}
