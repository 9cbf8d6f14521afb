//! Subsidy verdicts decided on recorded facts (issue 15), over HTTP on both stores:
//! a fact nobody recorded leaves a condition pending, a recorded fact decides it, and
//! the verdict lists every fact used with who recorded it.

use crate::billing::{pay, post};
use crate::helpers::TestApp;
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote, issued, Book};
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn codes(a: &Value) -> Vec<String> {
    a["findings"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|f| f["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn check(a: &Value, kind: &str) -> String {
    a["checks"]
        .as_array()
        .and_then(|v| v.iter().find(|c| c["kind"] == kind))
        .map(|c| c["outcome"].as_str().unwrap_or("").to_string())
        .unwrap_or_default()
}

async fn subsidy(app: &TestApp, token: &str, id: i64, programme: &str) -> Value {
    app.get_json(
        &format!("/api/v1/policies/{id}/subsidy?programme_id={programme}"),
        token,
    )
    .await
}

/// A Zhejiang-window first-year policy (2025, premium 14,000.00), issued and paid.
async fn paid_zhejiang_policy(app: &TestApp) -> (Book, i64, String) {
    paid_policy(app, "first_year").await
}

/// The same on another cover basis, its whole premium paid.
async fn paid_policy(app: &TestApp, basis: &str) -> (Book, i64, String) {
    let b = book(app, "uw.facts").await;
    let mut q = first_year_quote(&b, "2000000.00");
    q["cover_basis"] = json!(basis);
    q["period_start"] = json!("2025-01-01");
    q["period_end"] = json!("2025-12-31");
    q["contracts"] =
        json!([{"number": "HT-2024-9", "signed_on": "2024-11-20", "amount": "1000000.00"}]);
    q["delivery_date"] = json!("2024-12-15");
    let (id, number) = issued(app, &b.uw, &q).await;
    let finance = app.api_user("finance.facts", Role::Finance, None).await;
    let d = app.get_json(&format!("/api/v1/policies/{id}"), &b.uw).await;
    let premium = d["policy"]["premium"].as_str().unwrap_or("0").to_string();
    pay(app, &finance, id, &premium, &number).await;
    (b, id, finance)
}

async fn record(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    post(app, token, "/api/v1/subsidy-facts", &body).await
}

/// 003 一: "已享受国家保险补偿政策的首台(套)装备 … 不得申报" and "同一首台(套)装备不得同时
/// 享受 … 应用奖励": unrecorded → pending (needs FACT, recorded by ROLE); recorded no →
/// eligible; recorded yes → ineligible. Every fact used is listed with its recorder.
async fn zhejiang_national_and_award_flags_are_decided_on_recorded_facts(app: TestApp) {
    let (b, id, finance) = paid_zhejiang_policy(&app).await;
    let a = subsidy(&app, &b.uw, id, "zhejiang-2025").await;
    assert_eq!(a["verdict"], "pending", "{a}");
    let c = codes(&a);
    assert!(
        c.contains(&"subsidy.needs_fact.national_subsidy_received".into()),
        "{a}"
    );
    assert!(
        c.contains(&"subsidy.needs_fact.application_award_received".into()),
        "{a}"
    );
    let f = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "subsidy.needs_fact.national_subsidy_received")
        .unwrap();
    assert_eq!(f["severity"], "pending");
    assert_eq!(
        f["en"],
        "pending — needs national subsidy received, recorded by underwriter"
    );
    assert_eq!(check(&a, "not_nationally_subsidised"), "needs_fact");
    // Still estimated: 80 % of 14,000.
    assert_eq!(a["estimate"]["amount"], "11200.00", "{a}");

    for (fact, serial_ok) in [
        ("national_subsidy_received", true),
        ("application_award_received", true),
    ] {
        let (s, v) = record(
            &app,
            &b.uw,
            json!({"policy_id": id, "serial": "B2026-001", "source_document": "企业承诺书 2025-10-20",
                   "value": {"fact": fact, "received": false}}),
        )
        .await;
        assert!(serial_ok);
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["recorded_by"], "uw.facts");
        assert_eq!(v["recorded_role"], "underwriter");
    }
    let a = subsidy(&app, &b.uw, id, "zhejiang-2025").await;
    assert_eq!(a["verdict"], "eligible", "{a}");
    assert_eq!(check(&a, "not_nationally_subsidised"), "met");
    let used = a["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "application_award_received")
        .unwrap();
    assert_eq!(used["value_zh"], "否");
    assert_eq!(used["by"]["recorded_by"], "uw.facts");
    assert_eq!(used["by"]["source_document"], "企业承诺书 2025-10-20");
    assert!(used["by"]["recorded_at"].is_string(), "{used}");
    let paid = a["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "premium_paid")
        .unwrap();
    assert_eq!(paid["value_en"], "14,000.00 CNY");

    // The award is later found: ineligible, and the older record is kept as history.
    let (s, v) = record(
        &app,
        &b.uw,
        json!({"policy_id": id, "serial": "B2026-001", "source_document": "省经信厅 应用奖励名单",
               "value": {"fact": "application_award_received", "received": true}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let a = subsidy(&app, &b.uw, id, "zhejiang-2025").await;
    assert_eq!(a["verdict"], "ineligible", "{a}");
    assert!(codes(&a).contains(&"subsidy.with_application_award".into()));
    let rows = app
        .get_json(&format!("/api/v1/subsidy-facts?policy_id={id}"), &b.uw)
        .await;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["superseded"], false);
    assert_eq!(rows[0]["value"]["received"], true);
    assert_eq!(
        rows.iter().filter(|r| r["superseded"] == true).count(),
        1,
        "{rows:?}"
    );
    // Audited.
    let audit = app.get_json("/api/v1/audit?limit=50", &b.uw).await;
    let _ = audit;
    let n: i64 = match &app.db {
        firstcover::store::Db::Sqlite(p) => sqlx::query_scalar(
            "select count(*) from audit_journal where action = 'subsidy_fact.record'",
        )
        .fetch_one(p)
        .await
        .unwrap_or(0),
        firstcover::store::Db::Postgres(p) => sqlx::query_scalar(
            "select count(*) from audit_journal where action = 'subsidy_fact.record'",
        )
        .fetch_one(p)
        .await
        .unwrap_or(0),
    };
    let sealed: i64 = match &app.db {
        firstcover::store::Db::Sqlite(p) => sqlx::query_scalar(
            "select count(*) from audit_log where action = 'subsidy_fact.record'",
        )
        .fetch_one(p)
        .await
        .unwrap_or(0),
        firstcover::store::Db::Postgres(p) => sqlx::query_scalar(
            "select count(*) from audit_log where action = 'subsidy_fact.record'",
        )
        .fetch_one(p)
        .await
        .unwrap_or(0),
    };
    assert_eq!(n + sealed, 3, "one audit entry per recorded fact");

    // Wrong subject, unknown serial, wrong role.
    let (s, v) = record(
        &app,
        &b.uw,
        json!({"policy_id": id, "source_document": "x",
               "value": {"fact": "delivered", "on": "2024-12-15"}}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = record(
        &app,
        &b.uw,
        json!({"policy_id": id, "serial": "NOPE-1", "source_document": "x",
               "value": {"fact": "delivered", "on": "2024-12-15"}}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, _) = record(
        &app,
        &finance,
        json!({"party_id": b.maker, "source_document": "信用中国",
               "value": {"fact": "credit_status", "dishonest": false, "checked_on": "2025-10-01"}}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// 001 三(一) fraud ban (3 years), 001 二(一) quota, 001 二(二) manufacture and delivery:
/// the national verdict waits for each fact and is decided on it; the estimate is
/// capped by what is left of the qualification's quota.
async fn national_fraud_ban_quota_and_delivery_are_decided_on_recorded_facts(app: TestApp) {
    // The national programme takes first-batch, not first-year, cover (001 一).
    let (b, id, _) = paid_policy(&app, "first_batch").await;
    let a = subsidy(&app, &b.uw, id, "national-2025").await;
    assert_eq!(a["verdict"], "pending", "{a}");
    let c = codes(&a);
    for needed in ["fraud_ban", "national_quota", "manufactured"] {
        assert!(
            c.contains(&format!("subsidy.needs_fact.{needed}")),
            "{needed}: {a}"
        );
    }
    let facts = [
        json!({"party_id": b.maker, "source_document": "工信部 通报查询 2025-10-01",
               "value": {"fact": "fraud_ban", "checked_on": "2025-10-01"}}),
        json!({"catalogue_item_id": b.item, "source_document": "资格审定通知",
               "value": {"fact": "national_quota", "amount": "10000.00"}}),
        json!({"policy_id": id, "serial": "B2026-001", "source_document": "出厂检验报告",
               "value": {"fact": "manufactured", "on": "2024-12-01"}}),
        json!({"policy_id": id, "serial": "B2026-001", "source_document": "交付验收单",
               "value": {"fact": "delivered", "on": "2024-12-15"}}),
    ];
    for f in facts {
        let (s, v) = record(&app, &b.uw, f).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let a = subsidy(&app, &b.uw, id, "national-2025").await;
    assert_eq!(a["verdict"], "eligible", "{a}");
    // The premium paid × 80 % is above the 10,000 quota: capped by it.
    let raw = a["estimate"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "raw")
        .and_then(|s| s["value"].as_str())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    assert!(raw > 10000.0, "{a}");
    assert_eq!(a["estimate"]["amount"], "10000.00", "{a}");
    let quota_step = a["estimate"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "quota")
        .unwrap();
    assert_eq!(quota_step["value"], "10000.00");

    // A ban covering the policy start: ineligible.
    let (s, v) = record(
        &app,
        &b.uw,
        json!({"party_id": b.maker, "source_document": "工信部 通报 2024-06",
               "value": {"fact": "fraud_ban", "checked_on": "2025-10-02",
                         "banned_from": "2024-06-01", "banned_until": "2027-05-31"}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let a = subsidy(&app, &b.uw, id, "national-2025").await;
    assert_eq!(a["verdict"], "ineligible", "{a}");
    assert!(codes(&a).contains(&"subsidy.fraud_ban".into()));
}

/// 004 第七条 1 "信用中国" 失信主体: unrecorded → pending; recorded dishonest → ineligible.
async fn shanxi_dishonest_entity_is_decided_on_the_recorded_credit_status(app: TestApp) {
    let (b, id, _) = paid_zhejiang_policy(&app).await;
    let a = subsidy(&app, &b.uw, id, "shanxi-new-materials").await;
    assert_eq!(check(&a, "not_dishonest_entity"), "needs_fact", "{a}");
    let (s, v) = record(
        &app,
        &b.uw,
        json!({"party_id": b.maker, "source_document": "信用中国 查询截图 2025-10-01",
               "value": {"fact": "credit_status", "dishonest": true, "checked_on": "2025-10-01"}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let a = subsidy(&app, &b.uw, id, "shanxi-new-materials").await;
    assert_eq!(check(&a, "not_dishonest_entity"), "not_met", "{a}");
    assert!(codes(&a).contains(&"subsidy.dishonest_entity".into()));
}

/// A recorded fact whose stored value does not parse fails the verdict (500, nothing of
/// the cause told) instead of leaving the condition pending as if never recorded. The
/// table is append-only (a trigger refuses updates), so the broken row is a newer insert.
async fn a_broken_stored_fact_fails_the_verdict_instead_of_passing_for_unrecorded(app: TestApp) {
    let (b, id, _) = paid_zhejiang_policy(&app).await;
    let (s, v) = record(
        &app,
        &b.uw,
        json!({"party_id": b.maker, "source_document": "信用中国 查询截图 2025-10-02",
               "value": {"fact": "credit_status", "dishonest": true, "checked_on": "2025-10-02"}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let a = subsidy(&app, &b.uw, id, "shanxi-new-materials").await;
    assert_eq!(check(&a, "not_dishonest_entity"), "not_met", "{a}");
    app.execute(&format!(
        "insert into subsidy_fact (fact, party_id, value_json, source_document, recorded_by_name, \
         recorded_role, recorded_at) values ('credit_status', {}, \
         '{{\"fact\": \"credit_status\", \"dishonest\": \"dishonest\"}}', 'x', 'x', 'underwriter', \
         '2026-01-01T00:00:00Z')",
        b.maker
    ))
    .await;
    let r = app
        .get(
            &format!("/api/v1/policies/{id}/subsidy?programme_id=shanxi-new-materials"),
            &b.uw,
        )
        .await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let v: Value = r.json().await.unwrap_or_default();
    assert_eq!(v["type"], "/problems/internal", "{v}");
    assert!(!v.to_string().contains("dishonest"), "{v}");
}

/// 003 二(一)2: the falling share is decided from the recorded grant of the previous
/// year (80 % granted → 70 % this year), not from a re-estimate of it.
async fn zhejiang_share_falls_from_the_recorded_grant(app: TestApp) {
    let b = book(&app, "uw.grant").await;
    let mut q = first_year_quote(&b, "2000000.00");
    q["period_start"] = json!("2024-03-01");
    q["period_end"] = json!("2025-02-28");
    q["contracts"] =
        json!([{"number": "HT-2024-1", "signed_on": "2024-01-20", "amount": "1000000.00"}]);
    q["delivery_date"] = json!("2024-02-15");
    let (prior, _) = issued(&app, &b.uw, &q).await;
    let (s, r) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{prior}/renew"),
        &json!({"period_start": "2025-03-01", "period_end": "2026-02-28",
                "acknowledged": ["period.backdated"], "backdating_reason": "补录续保"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let renewal = r["policy_id"].as_i64().unwrap();
    let a = subsidy(&app, &b.uw, renewal, "zhejiang-2025").await;
    assert_eq!(
        a["estimate"]["ratio"], "0.80",
        "no grant recorded: first-year ratio: {a}"
    );
    let finance = app.api_user("finance.grant", Role::Finance, None).await;
    let (s, v) = record(
        &app,
        &finance,
        json!({"policy_id": prior, "source_document": "浙经信 2025 补贴下达文件",
               "value": {"fact": "subsidy_granted", "scheme": "zhejiang", "round": 2024,
                         "ratio": "0.80", "amount": "11200.00", "notice_date": "2025-06-30"}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let a = subsidy(&app, &b.uw, renewal, "zhejiang-2025").await;
    assert_eq!(a["estimate"]["ratio"], "0.70", "{a}");
    assert_eq!(a["continuity"]["subsidised_years"], 1);
}

/// The facts page lists what is recorded (who, role, when in Beijing time, source) and
/// records a new fact from its form; the subsidy page shows every fact used.
async fn facts_page_records_and_shows_who_recorded_what(app: TestApp) {
    let (b, id, _) = paid_zhejiang_policy(&app).await;
    app.add_user("uw.page", Role::Underwriter, None).await;
    let (client, _) = app.login("uw.page", crate::helpers::PASSWORD).await;
    let page = client
        .get(app.url(&format!("/subsidy-facts/policy/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("尚未录入任何事实"), "{page}");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = client
        .post(app.url(&format!("/subsidy-facts/policy/{id}")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("fact", "credit_status"),
            ("dishonest", "no"),
            ("checked_on", "2025-10-01"),
            ("source_document", "信用中国 查询截图"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = client
        .get(app.url(&format!("/subsidy-facts/policy/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("非失信主体（2025-10-01 查询）"), "{page}");
    assert!(page.contains("uw.page · 核保员"), "{page}");
    assert!(page.contains("信用中国 查询截图"), "{page}");
    let est = client
        .get(app.url(&format!(
            "/policies/{id}/subsidy?programme_id=shanxi-new-materials"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(est.contains("非失信主体"), "{est}");
    assert!(est.contains("非“信用中国”失信主体"), "{est}");
    let _ = b;
}

on_both_stores!(
    zhejiang_national_and_award_flags_are_decided_on_recorded_facts,
    national_fraud_ban_quota_and_delivery_are_decided_on_recorded_facts,
    shanxi_dishonest_entity_is_decided_on_the_recorded_credit_status,
    a_broken_stored_fact_fails_the_verdict_instead_of_passing_for_unrecorded,
    zhejiang_share_falls_from_the_recorded_grant,
    facts_page_records_and_shows_who_recorded_what,
);
