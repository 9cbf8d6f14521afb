//! The finance dashboard's overdue-premium tile: one statement over the whole book that
//! agrees with the receivables' overdue buckets, on SQLite and PostgreSQL.

use crate::helpers::{TestApp, PASSWORD};
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote, issued};
use firstcover::domain::money::Money;
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn send(
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
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Overdue by the receivables: policies with something past due, and the sum.
async fn by_receivables(app: &TestApp, finance: &str, as_of: &str) -> (i64, Money) {
    let r = app
        .get_json(&format!("/api/v1/receivables?as_of={as_of}"), finance)
        .await;
    let mut count = 0;
    let mut sum = Money::ZERO;
    for p in r["policies"].as_array().unwrap() {
        let mut overdue = Money::ZERO;
        for bucket in ["days_1_30", "days_31_90", "over_90"] {
            let m = Money::parse(p["buckets"][bucket].as_str().unwrap()).unwrap();
            overdue = overdue.checked_add(m).unwrap();
        }
        if overdue.fen() > 0 {
            count += 1;
            sum = sum.checked_add(overdue).unwrap();
        }
    }
    (count, sum)
}

/// The tile's figure from the arrears ledger, checked against the direct computation over
/// the book before it is returned.
async fn by_the_tile_query(app: &TestApp, as_of: &str) -> (i64, Money) {
    let as_of = as_of.parse().unwrap();
    let mut tx = app.db.read().await.unwrap();
    let (n, amount) = firstcover::store::arrears::overdue(&mut tx, as_of)
        .await
        .unwrap();
    let (direct_n, direct_fen) = firstcover::store::receivables::overdue_recomputed(&mut tx, as_of)
        .await
        .unwrap();
    assert_eq!(
        (n, amount),
        (direct_n, Money::from_fen(direct_fen)),
        "ledger against the book as of {as_of}"
    );
    (n, amount)
}

/// Every policy's uncovered steps: (policy, due date, fen, opens).
async fn arrears_steps(app: &TestApp) -> Vec<(i64, String, i64, i64)> {
    let sql = "select policy_id, cast(due_on as text), amount, cast(opens as bigint) \
        from premium_arrears order by policy_id, due_on";
    match &app.db {
        firstcover::store::Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        firstcover::store::Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    }
}

async fn the_overdue_tile_agrees_with_the_receivables(app: TestApp) {
    let b = book(&app, "uw.tile").await;
    let finance = app.api_user("fin.tile", Role::Finance, None).await;
    // A: three installments, 1,000 paid, then 1,411.51 more from an endorsement.
    let (a, _) = issued(&app, &b.uw, &first_year_quote(&b, "2000000.00")).await;
    let plan = json!({"installments": [
        {"due_on": "2026-01-01", "amount": "4000.00"},
        {"due_on": "2026-04-01", "amount": "5000.00"},
        {"due_on": "2026-07-15", "amount": "5000.00"}]});
    let (s, v) = send(
        &app,
        reqwest::Method::PUT,
        &finance,
        &format!("/api/v1/policies/{a}/plan"),
        &plan,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = send(
        &app,
        reqwest::Method::POST,
        &finance,
        &format!("/api/v1/policies/{a}/payments"),
        &json!({"payer": "浙江精工机械有限公司", "amount": "1000.00", "paid_on": "2026-01-05"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = send(
        &app,
        reqwest::Method::POST,
        &b.uw,
        &format!("/api/v1/policies/{a}/endorsements"),
        &json!({"effective_on": "2026-07-01", "reason": "追加",
                "units": [{"serial": "B2026-001", "quantity": 60, "unit_value": "20000.00"}],
                "aggregate_limit": "2400000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // B: one payment due at the start, paid in full. C: due at the start, unpaid.
    for (serial, contract, pay) in [
        ("B2026-777", "HT-777", true),
        ("B2026-888", "HT-888", false),
    ] {
        let mut q = first_year_quote(&b, "2000000.00");
        q["units"][0]["serial"] = json!(serial);
        q["contracts"][0]["number"] = json!(contract);
        let (id, _) = issued(&app, &b.uw, &q).await;
        if pay {
            let (s, v) = send(
                &app,
                reqwest::Method::POST,
                &finance,
                &format!("/api/v1/policies/{id}/payments"),
                &json!({"payer": "浙江精工机械有限公司", "amount": "14000.00", "paid_on": "2026-01-02"}),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
    }
    // D: paid in full, then the payment bounced and was reversed: owing again.
    // E: paid 15,000 (1,000 too much), the 1,000 refunded: paid exactly.
    for (serial, contract, paid, refund) in [
        ("B2026-555", "HT-555", "14000.00", None),
        ("B2026-666", "HT-666", "15000.00", Some("1000.00")),
    ] {
        let mut q = first_year_quote(&b, "2000000.00");
        q["units"][0]["serial"] = json!(serial);
        q["contracts"][0]["number"] = json!(contract);
        let (id, _) = issued(&app, &b.uw, &q).await;
        let (s, v) = send(
            &app,
            reqwest::Method::POST,
            &finance,
            &format!("/api/v1/policies/{id}/payments"),
            &json!({"payer": "浙江精工机械有限公司", "amount": paid, "paid_on": "2026-01-02"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (s, v) =
            match refund {
                None => {
                    let l = crate::billing::ledger(&app, &finance, id).await;
                    let payment = l["payments"][0]["payment_id"].as_i64().unwrap();
                    send(
                        &app,
                        reqwest::Method::POST,
                        &finance,
                        &format!("/api/v1/payments/{payment}/reversal"),
                        &json!({"reason": "付款人退票"}),
                    )
                    .await
                }
                Some(amount) => send(
                    &app,
                    reqwest::Method::POST,
                    &finance,
                    &format!("/api/v1/policies/{id}/refunds"),
                    &json!({"amount": amount, "refunded_on": "2026-01-10", "reason": "多付退回"}),
                )
                .await,
            };
        assert!(s.is_success(), "{v}");
    }
    // Before the period nothing is overdue; on the day the cover starts neither (due
    // that day is not yet overdue); then the figures move with the installments.
    for as_of in [
        "2025-12-31",
        "2026-01-01",
        "2026-01-02",
        "2026-04-02",
        "2026-07-02",
        "2026-07-16",
        "2027-06-30",
    ] {
        let tile = by_the_tile_query(&app, as_of).await;
        let receivables = by_receivables(&app, &finance, as_of).await;
        assert_eq!(tile, receivables, "as of {as_of}");
    }
    // Hand-computed: on 2026-04-02, A owes 3,000 of January's and April's 5,000; C and D
    // 14,000 each.
    assert_eq!(
        by_the_tile_query(&app, "2026-04-02").await,
        (3, Money::from_yuan(36_000))
    );
    // Folding the ledger's delta rows changes no figure.
    let mut tx = app.db.write().await.unwrap();
    let folded = firstcover::store::arrears::compact(&mut tx).await.unwrap();
    assert!(folded.after < folded.before, "{folded:?}");
    assert_eq!(firstcover::store::arrears::drift(&mut tx).await.unwrap(), 0);
    tx.commit().await.unwrap();
    assert_eq!(
        by_the_tile_query(&app, "2026-04-02").await,
        (3, Money::from_yuan(36_000))
    );
    // A ledger that lost rows shows as drift, and the rebuild restores it from the book.
    // The set-based rebuild gives every policy the very steps the triggers made.
    let by_triggers = arrears_steps(&app).await;
    assert!(by_triggers.len() >= 4, "{by_triggers:?}");
    app.execute("delete from premium_arrears_summary").await;
    let mut tx = app.db.write().await.unwrap();
    assert!(firstcover::store::arrears::drift(&mut tx).await.unwrap() > 0);
    firstcover::store::arrears::rebuild(&mut tx).await.unwrap();
    assert_eq!(firstcover::store::arrears::drift(&mut tx).await.unwrap(), 0);
    tx.commit().await.unwrap();
    assert_eq!(arrears_steps(&app).await, by_triggers);
    assert_eq!(
        by_the_tile_query(&app, "2026-04-02").await,
        (3, Money::from_yuan(36_000))
    );
    assert_eq!(
        by_the_tile_query(&app, "2026-01-01").await,
        (0, Money::ZERO)
    );

    // The tile on finance's dashboard (today is after all of it): count, sum, link.
    let (today_n, today_sum) = by_receivables(&app, &finance, "2027-06-30").await;
    app.add_user("fin.tile.web", Role::Finance, None).await;
    let (c, _) = app.login("fin.tile.web", PASSWORD).await;
    let html = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = html.find("保费逾期保单").expect("the overdue tile");
    let start = html[..at].rfind("<a class=\"tile\"").unwrap();
    let tile = &html[start..start + html[start..].find("</a>").unwrap()];
    assert!(tile.contains("href=\"/billing/receivables\""), "{tile}");
    assert!(tile.contains(&format!(">{today_n}<")), "{tile}");
    assert!(
        tile.contains(&format!("逾期保费合计 {} 元", today_sum.grouped())),
        "{tile}"
    );
}

on_both_stores!(the_overdue_tile_agrees_with_the_receivables);
