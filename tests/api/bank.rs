//! The bank's side of billing over HTTP: signed notifications (one payment however
//! many times and however concurrently delivered; nothing written unless signed and
//! fresh), statement import (nothing twice, unmatched lines matched by hand).

use crate::billing::{issued_policy, ledger, post};
use crate::helpers::{fresh_database, start_on, test_config, Store, TestApp, TEST_BANK_SECRET};
use crate::on_both_stores;
use firstcover::domain::billing::signature::sign;
use firstcover::store::Db;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("select count(*) from {table}");
    match &app.db {
        Db::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
    }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Deliver a notification body with the given timestamp, secret and key.
pub async fn deliver(
    app: &TestApp,
    client: &reqwest::Client,
    body: &str,
    ts: i64,
    secret: &str,
    key: &str,
) -> (StatusCode, Value) {
    let ts = ts.to_string();
    let r = client
        .post(app.url("/api/v1/bank/notifications"))
        .header("Content-Type", "application/json")
        .header("X-Timestamp", &ts)
        .header("X-Signature", sign(secret.as_bytes(), &ts, body.as_bytes()))
        .header("Idempotency-Key", key)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub fn notification(txn: &str, amount: &str, reference: &str) -> String {
    json!({"transaction_id": txn, "amount": amount, "paid_on": "2026-01-05",
           "payer": "浙江精工机械有限公司", "reference": reference})
    .to_string()
}

async fn a_hundred_concurrent_deliveries_record_one_payment(app: TestApp) {
    let (_, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    let body = notification("CCB-20260105-0001", "14000.00", &format!("保费 {number}"));
    let client = firstcover::tls::client_builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let ts = now();
    let deliveries =
        (0..100).map(|_| deliver(&app, &client, &body, ts, TEST_BANK_SECRET, "notif-0001"));
    let answers = futures_util::future::join_all(deliveries).await;
    let created = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let repeats = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(
        (created, repeats),
        (1, 99),
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    let payment_ids: std::collections::BTreeSet<i64> = answers
        .iter()
        .map(|(_, v)| v["payment"]["payment_id"].as_i64().unwrap())
        .collect();
    assert_eq!(payment_ids.len(), 1, "every answer names the one payment");
    assert!(answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .all(|(_, v)| v["status"] == "repeat"));
    assert_eq!(count(&app, "payment").await, 1);
    assert_eq!(count(&app, "bank_line").await, 1);
    let l = ledger(&app, &finance, id).await;
    assert_eq!(l["paid"], "14000.00");
    assert_eq!(l["fully_paid"], true);
    assert_eq!(l["payments"][0]["source"], "callback");

    // The same credit under a new key (the bank retried from scratch) is still one payment.
    let (s, v) = deliver(
        &app,
        &client,
        &body,
        now(),
        TEST_BANK_SECRET,
        "notif-0001-retry",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(count(&app, "payment").await, 1);
    // A key reused for other content is refused.
    let other = notification("CCB-20260105-0002", "1.00", &number);
    let (s, _) = deliver(&app, &client, &other, now(), TEST_BANK_SECRET, "notif-0001").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(count(&app, "payment").await, 1);
}

async fn unsigned_forged_or_stale_notifications_write_nothing(app: TestApp) {
    let (_, _, number, _) = issued_policy(&app, "zhejiang-2025").await;
    let client = app.client();
    let body = notification("CCB-X-1", "14000.00", &number);
    let (s, v) = deliver(&app, &client, &body, now(), "not-the-secret", "k1").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["type"], "/problems/bad-signature");
    let (s, v) = deliver(&app, &client, &body, now() - 301, TEST_BANK_SECRET, "k2").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("window"), "{v}");
    let (s, _) = deliver(&app, &client, &body, now() + 400, TEST_BANK_SECRET, "k3").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Signed over one body, sent with another.
    let ts = now().to_string();
    let r = client
        .post(app.url("/api/v1/bank/notifications"))
        .header("X-Timestamp", &ts)
        .header(
            "X-Signature",
            sign(TEST_BANK_SECRET.as_bytes(), &ts, body.as_bytes()),
        )
        .header("Idempotency-Key", "k4")
        .body(notification("CCB-X-1", "99999.00", &number))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = client
        .post(app.url("/api/v1/bank/notifications"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    for table in ["payment", "bank_line", "bank_notification"] {
        assert_eq!(count(&app, table).await, 0, "{table}");
    }
    // A fresh, signed delivery goes through.
    let (s, v) = deliver(&app, &client, &body, now() - 299, TEST_BANK_SECRET, "k5").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["payment"]["amount"], "14000.00");
}

async fn a_notification_without_a_policy_number_waits_for_finance(app: TestApp) {
    let (_, id, _, finance) = issued_policy(&app, "zhejiang-2025").await;
    let client = app.client();
    let body = notification("CCB-U-1", "3000.00", "货款");
    let (s, v) = deliver(&app, &client, &body, now(), TEST_BANK_SECRET, "u1").await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["status"], "unmatched");
    assert_eq!(count(&app, "payment").await, 0);
    let lines = app.get_json("/api/v1/bank/lines/unmatched", &finance).await;
    assert_eq!(lines["total"], 1, "{lines}");
    let lines = &lines["items"];
    assert_eq!(lines.as_array().unwrap().len(), 1);
    let line = lines[0]["bank_line_id"].as_i64().unwrap();
    let (s, p) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/lines/{line}/match"),
        &json!({"policy_id": id}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["amount"], "3000.00");
    assert_eq!(ledger(&app, &finance, id).await["balance"], "11000.00");
    // A repeat delivery now answers with the payment finance made from it.
    let (s, v) = deliver(&app, &client, &body, now(), TEST_BANK_SECRET, "u1").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["payment"]["payment_id"], p["payment_id"]);
}

async fn callbacks_are_refused_while_no_secret_is_configured() {
    let (url, dir, pg) = fresh_database(Store::Sqlite).await.unwrap();
    let mut config = test_config(&url);
    config.bank.callback_secret = None;
    let app = start_on(Store::Sqlite, config, dir, pg).await;
    let body = notification("CCB-N-1", "1.00", "x");
    let (s, v) = deliver(&app, &app.client(), &body, now(), TEST_BANK_SECRET, "n1").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert!(
        v["detail"].as_str().unwrap().contains("not configured"),
        "{v}"
    );
    assert_eq!(count(&app, "bank_notification").await, 0);
}

#[tokio::test]
async fn callbacks_need_a_configured_secret() {
    callbacks_are_refused_while_no_secret_is_configured().await;
}

async fn import(app: &TestApp, token: &str, name: &str, csv: &str) -> (StatusCode, Value) {
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/bank/statements?filename={name}")))
        .bearer_auth(token)
        .header("Content-Type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn statements_import_once_and_unmatched_lines_are_matched_by_hand(app: TestApp) {
    let (_, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    let jan = format!(
        "date,amount,payer,reference,transaction_id\n\
         2026-01-05,4200.00,浙江精工机械有限公司,首期保费{number},T-0001\n\
         2026-01-06,\"1,234.56\",某公司,货款,T-0002\n"
    );
    let (s, r) = import(&app, &finance, "jan.csv", &jan).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(
        (
            r["lines"].as_i64(),
            r["imported"].as_i64(),
            r["duplicates"].as_i64(),
            r["unmatched"].as_i64()
        ),
        (Some(2), Some(1), Some(0), Some(1))
    );
    assert_eq!(r["unmatched_lines"][0]["amount"], "1234.56");
    assert_eq!(ledger(&app, &finance, id).await["paid"], "4200.00");

    // The same file again: nothing new.
    let (s, r) = import(&app, &finance, "jan.csv", &jan).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(
        (
            r["imported"].as_i64(),
            r["duplicates"].as_i64(),
            r["unmatched"].as_i64()
        ),
        (Some(0), Some(2), Some(0))
    );
    assert_eq!(count(&app, "payment").await, 1);
    // An overlapping file: only its new line counts.
    let overlap = format!(
        "date,amount,payer,reference,transaction_id\n\
         2026-01-05,4200.00,浙江精工机械有限公司,首期保费{number},T-0001\n\
         2026-02-01,5000.00,浙江精工机械有限公司,{},T-0003\n",
        number.to_lowercase()
    );
    let (_, r) = import(&app, &finance, "jan-feb.csv", &overlap).await;
    assert_eq!(
        (r["imported"].as_i64(), r["duplicates"].as_i64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(count(&app, "payment").await, 2);
    assert_eq!(ledger(&app, &finance, id).await["paid"], "9200.00");

    // The unmatched line is listed, matched by hand once.
    let lines = app.get_json("/api/v1/bank/lines/unmatched", &finance).await;
    let lines = &lines["items"];
    assert_eq!(lines.as_array().unwrap().len(), 1, "{lines}");
    assert_eq!(lines[0]["bank_txn_id"], "T-0002");
    let line = lines[0]["bank_line_id"].as_i64().unwrap();
    let (s, p) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/lines/{line}/match"),
        &json!({"policy_id": id}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["source"], "statement");
    let (s, _) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/lines/{line}/match"),
        &json!({"policy_id": id}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        app.get_json("/api/v1/bank/lines/unmatched", &finance).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(ledger(&app, &finance, id).await["paid"], "10434.56");

    // Imports are a paged list (no cap): newest first, the total, a cursor onwards.
    let imports = app.get_json("/api/v1/bank/statements", &finance).await;
    assert_eq!(imports["items"].as_array().unwrap().len(), 3, "{imports}");
    assert_eq!(imports["total"], 3, "{imports}");
    let ids = |p: &Value| -> Vec<i64> {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["import_id"].as_i64().unwrap())
            .collect()
    };
    let all = ids(&imports);
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first: {all:?}");
    let first = app
        .get_json("/api/v1/bank/statements?limit=2", &finance)
        .await;
    assert_eq!(ids(&first), all[..2].to_vec(), "{first}");
    let next = first["next"].as_str().expect("a next page").to_string();
    let rest = app
        .get_json(
            &format!("/api/v1/bank/statements?limit=2&after={next}"),
            &finance,
        )
        .await;
    assert_eq!(ids(&rest), all[2..].to_vec(), "{rest}");
    assert!(rest["next"].is_null(), "{rest}");

    // A file with bad lines is refused whole, each line named.
    let bad = "date,amount,payer,reference,transaction_id\n2026-03-01,10.00,a,b,T-0009\n2026-02-30,1.00,a,b,T-0010\n2026-03-02,x,a,b,T-0011\n";
    let (s, v) = import(&app, &finance, "bad.csv", bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["file:3", "file:4"]);
    assert_eq!(count(&app, "bank_line").await, 3);
}

/// The open lines are a paged list (no cap): oldest value date first, the total, a
/// cursor onwards, `order=desc` newest first.
async fn unmatched_lines_are_listed_a_page_at_a_time(app: TestApp) {
    let (_, _, _, finance) = issued_policy(&app, "zhejiang-2025").await;
    let csv = "date,amount,payer,reference,transaction_id\n\
               2026-03-03,300.00,某公司甲,货款,U-0003\n\
               2026-03-01,100.00,某公司乙,货款,U-0001\n\
               2026-03-02,200.00,某公司丙,货款,U-0002\n";
    let (s, r) = import(&app, &finance, "stray.csv", csv).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["unmatched"], 3, "{r}");
    let txns = |p: &Value| -> Vec<String> {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["bank_txn_id"].as_str().unwrap().to_string())
            .collect()
    };
    let first = app
        .get_json("/api/v1/bank/lines/unmatched?limit=2", &finance)
        .await;
    assert_eq!(
        (first["total"].as_i64(), first["total_exact"].as_bool()),
        (Some(3), Some(true))
    );
    assert_eq!(txns(&first), ["U-0001", "U-0002"], "{first}");
    let next = first["next"].as_str().expect("a next page").to_string();
    let rest = app
        .get_json(
            &format!("/api/v1/bank/lines/unmatched?limit=2&after={next}"),
            &finance,
        )
        .await;
    assert_eq!(txns(&rest), ["U-0003"], "{rest}");
    assert!(rest["next"].is_null(), "{rest}");
    let newest = app
        .get_json("/api/v1/bank/lines/unmatched?order=desc&limit=1", &finance)
        .await;
    assert_eq!(txns(&newest), ["U-0003"], "{newest}");
}

on_both_stores!(
    unmatched_lines_are_listed_a_page_at_a_time,
    a_hundred_concurrent_deliveries_record_one_payment,
    unsigned_forged_or_stale_notifications_write_nothing,
    a_notification_without_a_policy_number_waits_for_finance,
    statements_import_once_and_unmatched_lines_are_matched_by_hand,
);
