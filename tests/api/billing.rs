//! Billing over HTTP: payments, the ledger to the fen, reversal, credit and refund,
//! payment plans (Shanxi 30 % first installment), endorsement and cancellation
//! changing what is due, invoices — on SQLite and PostgreSQL.

use crate::helpers::TestApp;
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote, issued, Book};
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let r = app
        .client()
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    send(app, reqwest::Method::POST, token, path, body).await
}

pub async fn ledger(app: &TestApp, token: &str, id: i64) -> Value {
    let r = app
        .get(&format!("/api/v1/policies/{id}/ledger"), token)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// An issued first-year policy (premium 14,000.00, 2026) under `programme`, and a finance token.
pub async fn issued_policy(app: &TestApp, programme: &str) -> (Book, i64, String, String) {
    let b = book(app, "uw.billing").await;
    let mut q = first_year_quote(&b, "2000000.00");
    q["programme_id"] = json!(programme);
    let (id, number) = issued(app, &b.uw, &q).await;
    let finance = app.api_user("finance.1", Role::Finance, None).await;
    (b, id, number, finance)
}

/// Record a payment as finance; it must be accepted.
pub async fn pay(app: &TestApp, token: &str, id: i64, amount: &str, reference: &str) -> Value {
    let (s, v) = post(
        app,
        token,
        &format!("/api/v1/policies/{id}/payments"),
        &payment(amount, reference),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

pub fn payment(amount: &str, reference: &str) -> Value {
    json!({"payer": "浙江精工机械有限公司", "amount": amount, "paid_on": "2026-01-05",
           "method": "bank_transfer", "reference": reference})
}

fn figures(l: &Value) -> (String, String, String, String, bool) {
    let s = |k: &str| l[k].as_str().unwrap().to_string();
    (
        s("premium_due"),
        s("paid"),
        s("balance"),
        s("credit"),
        l["fully_paid"].as_bool().unwrap(),
    )
}

fn fig(
    due: &str,
    paid: &str,
    balance: &str,
    credit: &str,
    full: bool,
) -> (String, String, String, String, bool) {
    (due.into(), paid.into(), balance.into(), credit.into(), full)
}

async fn payments_count_to_the_fen_and_a_reversal_reopens_the_balance(app: TestApp) {
    let (b, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    let (s, p) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/payments"),
        &payment("4200.01", &number),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["amount"], "4200.01");
    assert_eq!(p["source"], "manual");
    let l = ledger(&app, &finance, id).await;
    assert_eq!(
        figures(&l),
        fig("14000.00", "4200.01", "9799.99", "0.00", false)
    );
    assert_eq!(l["installments"][0]["due_on"], "2026-01-01");
    assert_eq!(l["installments"][0]["allocated"], "4200.01");
    assert_eq!(l["installments"][0]["outstanding"], "9799.99");

    let (s, second) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/payments"),
        &payment("9799.99", "second"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    let l = ledger(&app, &finance, id).await;
    assert_eq!(
        figures(&l),
        fig("14000.00", "14000.00", "0.00", "0.00", true)
    );
    assert_eq!(l["installments"][0]["status"], "paid");

    let pid = second["payment_id"].as_i64().unwrap();
    let (s, r) = post(
        &app,
        &finance,
        &format!("/api/v1/payments/{pid}/reversal"),
        &json!({"reason": "退票"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["reversed"], true);
    let l = ledger(&app, &finance, id).await;
    assert_eq!(
        figures(&l),
        fig("14000.00", "4200.01", "9799.99", "0.00", false)
    );
    let payments = l["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 2);
    assert_eq!(payments.iter().filter(|p| p["reversed"] == true).count(), 1);
    let (s, _) = post(
        &app,
        &finance,
        &format!("/api/v1/payments/{pid}/reversal"),
        &json!({"reason": "again"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let actions: Vec<&str> = l["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "billing.payment",
            "billing.payment",
            "billing.payment_reversal"
        ]
    );

    // Only finance records money; a client sees its own ledger only.
    let (s, _) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/payments"),
        &payment("1.00", "x"),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let own = app
        .api_user("client.own", Role::Client, Some(b.maker))
        .await;
    assert_eq!(ledger(&app, &own, id).await["balance"], "9799.99");
    let (s, other) = post(
        &app,
        &b.uw,
        "/api/v1/parties",
        &json!({"kind": "maker", "name": "别家",
        "credit_code": crate::helpers::credit_code("91330100MA27XK123"), "province": "浙江省"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let stranger = app
        .api_user(
            "client.x",
            Role::Client,
            Some(other["party_id"].as_i64().unwrap()),
        )
        .await;
    assert_eq!(
        app.get(&format!("/api/v1/policies/{id}/ledger"), &stranger)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Bad input is refused without writing.
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/payments"),
        &payment("0.00", "x"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/payments"),
        &payment("1.001", "x"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        ledger(&app, &finance, id).await["payments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

async fn over_payment_is_credit_and_a_refund_pays_it_back(app: TestApp) {
    let (_, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    pay(&app, &finance, id, "15000.00", &number).await;
    let l = ledger(&app, &finance, id).await;
    assert_eq!(
        figures(&l),
        fig("14000.00", "15000.00", "0.00", "1000.00", true)
    );

    let refund = |amount: &str| json!({"amount": amount, "refunded_on": "2026-01-10", "reason": "多缴退回", "reference": "RF-1"});
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/refunds"),
        &refund("1000.01"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1,000.00"),
        "{v}"
    );
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/refunds"),
        &refund("1000.00"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["credit"], "0.00");
    let l = ledger(&app, &finance, id).await;
    assert_eq!(
        figures(&l),
        fig("14000.00", "14000.00", "0.00", "0.00", true)
    );
    assert_eq!(l["refunds"][0]["amount"], "1000.00");
    let (s, _) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/refunds"),
        &refund("0.01"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn shanxi_plan_needs_a_thirty_percent_first_installment(app: TestApp) {
    let (_, id, _, finance) = issued_policy(&app, "shanxi-new-materials").await;
    let plan = |first: &str, second: &str| {
        json!({"installments": [
        {"due_on": "2026-01-01", "amount": first}, {"due_on": "2026-07-01", "amount": second}]})
    };
    let path = format!("/api/v1/policies/{id}/plan");
    let (s, v) = send(
        &app,
        reqwest::Method::PUT,
        &finance,
        &path,
        &plan("4199.99", "9800.01"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let e = &v["errors"][0];
    assert_eq!(e["field"], "installments[0].amount");
    let en = e["message"].as_str().unwrap();
    assert!(
        en.contains("first installment 4,199.99 CNY")
            && en.contains("30 %")
            && en.contains("4,200.00")
            && en.contains("Shanxi"),
        "{en}"
    );
    let zh = e["message_zh"].as_str().unwrap();
    assert!(
        zh.contains("山西省") && zh.contains("第四条") && zh.contains("30%"),
        "{zh}"
    );
    // Amounts that do not add up to the premium are refused too.
    let (s, v) = send(
        &app,
        reqwest::Method::PUT,
        &finance,
        &path,
        &plan("4200.00", "9799.99"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("13,999.99"),
        "{v}"
    );

    let (s, v) = send(
        &app,
        reqwest::Method::PUT,
        &finance,
        &path,
        &plan("4200.00", "9800.00"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    pay(&app, &finance, id, "5000.00", "首期").await;
    let l = ledger(&app, &finance, id).await;
    let inst = l["installments"].as_array().unwrap();
    assert_eq!(inst.len(), 2);
    assert_eq!(
        (inst[0]["amount"].as_str(), inst[0]["allocated"].as_str()),
        (Some("4200.00"), Some("4200.00"))
    );
    assert_eq!(
        (inst[1]["amount"].as_str(), inst[1]["allocated"].as_str()),
        (Some("9800.00"), Some("800.00"))
    );
    assert_eq!(inst[1]["outstanding"], "9000.00");
    assert_eq!(l["balance"], "9000.00");
}

async fn a_programme_without_the_rule_takes_any_first_installment(app: TestApp) {
    let (_, id, _, finance) = issued_policy(&app, "zhejiang-2025").await;
    let (s, v) = send(&app, reqwest::Method::PUT, &finance, &format!("/api/v1/policies/{id}/plan"),
        &json!({"installments": [{"due_on": "2026-01-01", "amount": "1000.00"}, {"due_on": "2026-03-01", "amount": "13000.00"}]})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        ledger(&app, &finance, id).await["installments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

async fn endorsement_and_cancellation_change_what_is_due(app: TestApp) {
    let (b, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    pay(&app, &finance, id, "14000.00", &number).await;
    assert_eq!(ledger(&app, &finance, id).await["fully_paid"], true);

    // Ten more units from 07-01: additional premium 1,411.51 (see the underwriting test).
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/endorsements"),
        &json!({"effective_on": "2026-07-01", "reason": "追加 10 件",
                "units": [{"serial": "B2026-001", "quantity": 60, "unit_value": "20000.00"}],
                "aggregate_limit": "2400000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["adjustment"], "1411.51");
    let l = ledger(&app, &finance, id).await;
    assert_eq!(
        figures(&l),
        fig("15411.51", "14000.00", "1411.51", "0.00", false)
    );
    let inst = l["installments"].as_array().unwrap();
    assert_eq!(inst.len(), 2);
    assert_eq!(inst[1]["origin"], "additional_premium");
    assert_eq!(inst[1]["due_on"], "2026-07-01");
    assert_eq!(inst[1]["amount"], "1411.51");

    pay(&app, &finance, id, "1411.51", "加费").await;
    // Cancelled at the end of September: the return premium becomes credit to refund.
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/cancel"),
        &json!({"last_day_covered": "2026-09-30", "by": "policyholder", "reason": "停产"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let returned =
        firstcover::domain::money::Money::parse(v["return_premium"].as_str().unwrap()).unwrap();
    assert!(returned.fen() > 0);
    let l = ledger(&app, &finance, id).await;
    let due = firstcover::domain::money::Money::from_fen(1_541_151)
        .try_sub(returned)
        .unwrap();
    assert_eq!(l["premium_due"], due.to_string());
    assert_eq!(l["credit"], returned.to_string());
    assert_eq!(l["balance"], "0.00");
    let total: i64 = l["installments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            firstcover::domain::money::Money::parse(i["amount"].as_str().unwrap())
                .unwrap()
                .fen()
        })
        .sum();
    assert_eq!(total, due.fen(), "the schedule follows the premium due");
}

async fn invoices_are_recorded_once_per_number(app: TestApp) {
    let (_, id, _, finance) = issued_policy(&app, "zhejiang-2025").await;
    let inv = json!({"number": "33000261-0001", "issued_on": "2026-01-06", "amount": "14000.00"});
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/invoices"),
        &inv,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/invoices"),
        &inv,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(
        v["detail"].as_str().unwrap().contains("invoice number"),
        "{v}"
    );
    let l = ledger(&app, &finance, id).await;
    assert_eq!(l["invoices"].as_array().unwrap().len(), 1);
    assert_eq!(l["invoices"][0]["number"], "33000261-0001");
    assert_eq!(l["invoiced"], "14000.00");
}

/// An invoice recorded in error is voided with a reason: it keeps its number, shows as
/// void, stops counting as invoiced, and cannot be voided twice.
async fn an_invoice_is_voided_not_deleted(app: TestApp) {
    let (b, id, _, finance) = issued_policy(&app, "zhejiang-2025").await;
    let record = |number: &str, amount: &str| json!({"number": number, "issued_on": "2026-01-06", "amount": amount});
    let invoices = format!("/api/v1/policies/{id}/invoices");
    let (_, wrong) = post(
        &app,
        &finance,
        &invoices,
        &record("33000261-0101", "1400.00"),
    )
    .await;
    let wrong_id = wrong["invoice_id"].as_i64().unwrap();
    let (s, _) = post(
        &app,
        &finance,
        &invoices,
        &record("33000261-0102", "14000.00"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(ledger(&app, &finance, id).await["invoiced"], "15400.00");

    let void = format!("/api/v1/invoices/{wrong_id}/void");
    let (s, v) = post(&app, &finance, &void, &json!({"reason": "  "})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, _) = post(&app, &b.uw, &void, &json!({"reason": "金额错误"})).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "underwriters do not void invoices"
    );
    let (s, v) = post(&app, &finance, &void, &json!({"reason": "金额错误"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["void_reason"], "金额错误");
    assert!(v["voided_at"].is_string(), "{v}");
    let (s, v) = post(&app, &finance, &void, &json!({"reason": "再次"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(
        v["detail"].as_str().unwrap().contains("33000261-0101"),
        "{v}"
    );
    let (s, _) = post(
        &app,
        &finance,
        "/api/v1/invoices/999999/void",
        &json!({"reason": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let l = ledger(&app, &finance, id).await;
    assert_eq!(
        l["invoices"].as_array().unwrap().len(),
        2,
        "kept, not deleted"
    );
    assert_eq!(
        l["invoiced"], "14000.00",
        "the void invoice no longer counts"
    );
    assert!(
        l["history"].to_string().contains("billing.invoice_void"),
        "{l}"
    );
    // Its number stays taken.
    let (s, _) = post(
        &app,
        &finance,
        &invoices,
        &record("33000261-0101", "14000.00"),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

async fn the_subsidy_estimate_sees_full_payment(app: TestApp) {
    let (b, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    let codes = |a: &Value| -> Vec<String> {
        a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let a = app
        .get_json(&format!("/api/v1/policies/{id}/subsidy"), &b.uw)
        .await;
    assert!(
        codes(&a).contains(&"subsidy.full_payment_pending".to_string()),
        "{a}"
    );
    pay(&app, &finance, id, "13999.99", &number).await;
    let a = app
        .get_json(&format!("/api/v1/policies/{id}/subsidy"), &b.uw)
        .await;
    assert!(
        codes(&a).contains(&"subsidy.full_payment_pending".to_string()),
        "one fen short: {a}"
    );
    pay(&app, &finance, id, "0.01", &number).await;
    let a = app
        .get_json(&format!("/api/v1/policies/{id}/subsidy"), &b.uw)
        .await;
    assert!(
        !codes(&a).contains(&"subsidy.full_payment_pending".to_string()),
        "{a}"
    );
}

async fn money_is_taken_on_issued_policies_only_and_the_paths_are_documented(app: TestApp) {
    let (b, _, _, finance) = issued_policy(&app, "zhejiang-2025").await;
    // Another unit: one serial is insured once at a time (000 (九)).
    let mut other = first_year_quote(&b, "2000000.00");
    other["units"][0]["serial"] = json!("B2026-002");
    let (s, quote) = post(&app, &b.uw, "/api/v1/quotes", &other).await;
    assert_eq!(s, StatusCode::CREATED, "{quote}");
    let qid = quote["policy_id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{qid}/payments"),
        &payment("100.00", "x"),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(
        v["detail"].as_str().unwrap().contains("not been issued"),
        "{v}"
    );
    let (s, _) = post(
        &app,
        &finance,
        "/api/v1/policies/999999/payments",
        &payment("100.00", "x"),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let spec = app.get_json("/api/v1/openapi.json", &finance).await;
    for path in [
        "/api/v1/policies/{id}/payments",
        "/api/v1/payments/{id}/reversal",
        "/api/v1/policies/{id}/ledger",
        "/api/v1/policies/{id}/plan",
        "/api/v1/policies/{id}/invoices",
        "/api/v1/policies/{id}/refunds",
        "/api/v1/bank/notifications",
        "/api/v1/bank/statements",
        "/api/v1/bank/lines/unmatched",
        "/api/v1/bank/lines/{id}/match",
    ] {
        assert!(
            spec["paths"].get(path).is_some(),
            "{path} is in the OpenAPI document"
        );
    }
}

on_both_stores!(
    money_is_taken_on_issued_policies_only_and_the_paths_are_documented,
    the_subsidy_estimate_sees_full_payment,
    payments_count_to_the_fen_and_a_reversal_reopens_the_balance,
    over_payment_is_credit_and_a_refund_pays_it_back,
    shanxi_plan_needs_a_thirty_percent_first_installment,
    a_programme_without_the_rule_takes_any_first_installment,
    endorsement_and_cancellation_change_what_is_due,
    invoices_are_recorded_once_per_number,
    an_invoice_is_voided_not_deleted,
);
