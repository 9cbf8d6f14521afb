//! Finance pages over plain HTTP forms: the ledger on the policy page, recording a
//! payment and a plan on the billing page, importing a statement file through the
//! upload form and matching the unmatched line — with CSRF on every form.

use crate::bank::count;
use crate::billing::{issued_policy, ledger};
use crate::helpers::{hidden_field, TestApp, PASSWORD};
use crate::on_both_stores;
use firstcover::domain::role::Role;
use reqwest::StatusCode;

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

async fn finance_records_a_payment_and_a_plan_through_the_pages(app: TestApp) {
    let (_, id, number, token) = issued_policy(&app, "shanxi-new-materials").await;
    app.add_user("finance.page", Role::Finance, None).await;
    let (client, _) = app.login("finance.page", PASSWORD).await;
    let home = page(&client, &app, "/").await;
    assert!(
        home.contains("href=\"/billing/bank\""),
        "finance is pointed at the bank page"
    );

    let detail = page(&client, &app, &format!("/policies/{id}")).await;
    assert!(detail.contains("id=\"ledger\"") && detail.contains("14,000.00"));
    assert!(detail.contains(&format!("/policies/{id}/billing")));

    let html = page(&client, &app, &format!("/policies/{id}/billing")).await;
    let csrf = hidden_field(&html, "csrf").unwrap();
    // Without the token nothing is written.
    let r = client
        .post(app.url(&format!("/policies/{id}/billing/payment")))
        .form(&[
            ("csrf", "wrong"),
            ("payer", "甲"),
            ("amount", "1.00"),
            ("paid_on", "2026-01-05"),
            ("method", "cash"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "payment").await, 0);

    let r = client
        .post(app.url(&format!("/policies/{id}/billing/plan")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("installments", "2026-01-01, 4000.00\n2026-07-01, 10000.00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("首期保费 4,000.00 元低于") && html.contains("4,200.00"),
        "the rule is explained"
    );

    let r = client
        .post(app.url(&format!("/policies/{id}/billing/plan")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("installments", "2026-01-01, 4200.00\n2026-07-01, 9800.00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = client
        .post(app.url(&format!("/policies/{id}/billing/payment")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("payer", "浙江精工机械有限公司"),
            ("amount", "4,200.00"),
            ("paid_on", "2026-01-05"),
            ("method", "bank_transfer"),
            ("reference", number.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        to,
        format!("/policies/{id}/billing?done=payment&n=4%2C200.00")
    );
    let html = page(&client, &app, &to).await;
    assert!(
        html.contains("已记录收款 4,200.00 元"),
        "the notice says what was recorded"
    );
    assert!(
        html.contains("id=\"balance\">9,800.00<"),
        "balance shown after the payment"
    );
    let l = ledger(&app, &token, id).await;
    assert_eq!(
        (l["paid"].as_str(), l["installments"][0]["status"].as_str()),
        (Some("4200.00"), Some("paid"))
    );

    // An invoice recorded, then voided from the page with its reason.
    let post_form = |action: &str, fields: Vec<(&str, String)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields);
        client
            .post(app.url(&format!("/policies/{id}/billing/{action}")))
            .form(&form)
            .send()
    };
    let r = post_form(
        "invoice",
        vec![
            ("number", "14000261-7".into()),
            ("issued_on", "2026-01-06".into()),
            ("amount", "4200.00".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&client, &app, &format!("/policies/{id}/billing")).await;
    let invoice_id = hidden_field(&html, "invoice_id").expect("a void form for the invoice");
    let r = post_form(
        "void-invoice",
        vec![("invoice_id", invoice_id), ("reason", "抬头错误".into())],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&client, &app, &format!("/policies/{id}/billing")).await;
    assert!(
        html.contains("已作废: 抬头错误"),
        "shown as void with the reason"
    );
    assert!(
        hidden_field(&html, "invoice_id").is_none(),
        "no second void form"
    );
    assert_eq!(ledger(&app, &token, id).await["invoiced"], "0.00");
}

/// The import job's page once it says done (it refreshes itself while running).
async fn finished(client: &reqwest::Client, app: &TestApp, progress: &str) -> String {
    for _ in 0..200 {
        let html = page(client, app, progress).await;
        if html.contains("导入完成") {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "the import did not finish: {}",
        page(client, app, progress).await
    )
}

async fn a_statement_is_uploaded_and_its_stray_line_matched_by_hand(app: TestApp) {
    let (_, id, number, token) = issued_policy(&app, "zhejiang-2025").await;
    app.add_user("finance.bank", Role::Finance, None).await;
    let (client, _) = app.login("finance.bank", PASSWORD).await;
    let html = page(&client, &app, "/billing/bank").await;
    let csrf = hidden_field(&html, "csrf").unwrap();
    let csv = format!(
        "date,amount,payer,reference,transaction_id\n2026-01-05,10000.00,浙江精工机械有限公司,{number},P-1\n2026-01-07,4000.00,浙江精工,保费尾款,P-2\n"
    );
    let upload = |csrf: String| {
        reqwest::multipart::Form::new().text("csrf", csrf).part(
            "file",
            reqwest::multipart::Part::bytes(csv.clone().into_bytes())
                .file_name("jan.csv")
                .mime_str("text/csv")
                .unwrap(),
        )
    };
    let r = client
        .post(app.url("/billing/bank/preview"))
        .multipart(upload("nope".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "bank_line").await, 0);

    // The preview shows what would be recorded, and records nothing.
    let r = client
        .post(app.url("/billing/bank/preview"))
        .multipart(upload(csrf.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"preview-lines\">2<")
            && html.contains("id=\"preview-total\">14,000.00<"),
        "{html}"
    );
    assert!(
        html.contains("P-2") && html.contains("保费尾款"),
        "the lines are shown"
    );
    assert_eq!(
        count(&app, "bank_line").await,
        0,
        "a preview records nothing"
    );
    let action = |html: &str| {
        let start = html.find("/billing/bank/uploads/").unwrap();
        let end = start + html[start..].find('"').unwrap();
        html[start..end].to_string()
    };
    let import = action(&html);
    let r = client
        .post(app.url(&import))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let progress = r.headers()["location"].to_str().unwrap().to_string();
    // The job runs in the background; its page refreshes itself until it is done.
    let html = finished(&client, &app, &progress).await;
    assert!(
        html.contains("id=\"imported\">1<")
            && html.contains("id=\"duplicates\">0<")
            && html.contains("id=\"unmatched\">1<"),
        "{html}"
    );
    let html = page(&client, &app, "/billing/bank").await;
    assert!(
        html.contains("P-2") && html.contains("保费尾款"),
        "the stray line is in suspense"
    );
    assert!(
        html.contains(r#"id="imports-total">共 1<"#) && !html.contains("更早的导入"),
        "one import, counted, no older page: {html}"
    );
    // The same file again: a new preview says both lines are known; importing adds nothing.
    let r = client
        .post(app.url("/billing/bank/preview"))
        .multipart(upload(csrf.clone()))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"preview-known\">2<"), "{html}");
    let r = client
        .post(app.url(&action(&html)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let progress = r.headers()["location"].to_str().unwrap().to_string();
    let html = finished(&client, &app, &progress).await;
    assert!(
        html.contains("id=\"imported\">0<") && html.contains("id=\"duplicates\">2<"),
        "{html}"
    );
    assert_eq!(count(&app, "bank_line").await, 2);

    let line = {
        let lines = app.get_json("/api/v1/bank/lines/unmatched", &token).await;
        lines["items"][0]["bank_line_id"].as_i64().unwrap()
    };
    let r = client
        .post(app.url(&format!("/billing/bank/lines/{line}/match")))
        .form(&[("csrf", csrf.as_str()), ("policy_number", "FC-1999-000009")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let home = page(&client, &app, "/").await;
    assert!(
        home.contains("<span class=\"num\">1</span><span>待匹配银行流水</span>"),
        "the dashboard counts the line waiting"
    );
    let r = client
        .post(app.url(&format!("/billing/bank/lines/{line}/match")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("policy_number", number.to_lowercase().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&client, &app, "/billing/bank?saved=1").await;
    assert!(!html.contains("保费尾款"), "nothing left to match");
    let l = ledger(&app, &token, id).await;
    assert_eq!(
        (l["paid"].as_str(), l["fully_paid"].as_bool()),
        (Some("14000.00"), Some(true))
    );
}

on_both_stores!(
    finance_records_a_payment_and_a_plan_through_the_pages,
    a_statement_is_uploaded_and_its_stray_line_matched_by_hand,
);
