//! The aggregate limit (累计责任限额) can never be overspent: 50 payments of 30,000 CNY
//! race against a 1,000,000 CNY limit — over two app instances on one PostgreSQL
//! database, and on one SQLite instance. Exactly 33 succeed; the other 17 are refused
//! and say that 10,000.00 is left.

use crate::claims::{claims_book, post, report};
use crate::helpers::{fresh_database, start_on, test_config, Store, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// 50 agreed claims of 30,000 CNY each on one policy with a 1,000,000 CNY aggregate limit.
async fn fifty_agreed_claims(app: &TestApp) -> (String, i64, Vec<i64>) {
    // First-year cover needs a limit of twice the value: 25 units × 20,000 = 500,000.
    let cb = claims_book(app, 25, "1000000.00", None).await;
    let mut ids = Vec::new();
    for _ in 0..50 {
        let mut body = report(
            cb.policy,
            "2026-03-10",
            &["B2026-001"],
            "quality_repair",
            "30000.00",
        );
        body["reserve"] = json!("30000.00");
        let (s, v) = post(app, &cb.handler, "/api/v1/claims", &body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["claim_id"].as_i64().unwrap();
        let (s, v) = post(
            app,
            &cb.handler,
            &format!("/api/v1/claims/{id}/decision"),
            &json!({"missing_proof_reason": "纸质材料已收到", "outcome": "accept", "agreed_loss": "30000.00"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["indemnity"], "30000.00");
        ids.push(id);
    }
    (cb.handler, cb.policy, ids)
}

/// Fire every payment at once, spread over the given instances.
async fn pay_all(apps: &[&TestApp], token: &str, ids: &[i64]) -> Vec<(StatusCode, Value)> {
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let app = apps[i % apps.len()];
        let url = app.url(&format!("/api/v1/claims/{id}/payments"));
        let client = app.client();
        let token = token.to_string();
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .json(
                    &json!({"payee": "浙江精工机械有限公司", "bank_name": "工商银行杭州分行",
                              "bank_account": "1202020309900012345"}),
                )
                .send()
                .await
                .expect("payment request");
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    match &app.db {
        firstcover::store::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        firstcover::store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn check_outcome(app: &TestApp, token: &str, policy: i64, results: &[(StatusCode, Value)]) {
    let ok = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let refused: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CONFLICT)
        .map(|(_, v)| v)
        .collect();
    assert_eq!(ok, 33, "{results:?}");
    assert_eq!(refused.len(), 17, "{results:?}");
    for v in refused {
        let detail = v["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("10,000.00 CNY left"), "{detail}");
        assert!(detail.contains("剩余 10,000.00 元"), "{detail}");
    }
    let paid = scalar(
        app,
        &format!("select cast(coalesce(sum(amount), 0) as bigint) from claim_payment where policy_id = {policy}"),
    )
    .await;
    assert_eq!(paid, 99_000_000, "total paid 990,000.00");
    let used = scalar(
        app,
        &format!("select used from policy_limit_usage where policy_id = {policy} and scope = 'aggregate'"),
    )
    .await;
    assert_eq!(used, 99_000_000);
    let (_, list) = crate::claims::get(
        app,
        token,
        &format!("/api/v1/claims?state=closed&policy_id={policy}"),
    )
    .await;
    assert_eq!(list["total"], 33);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_payments_over_two_postgres_instances_never_overspend_the_aggregate_limit() {
    let Some((url, _, pg_name)) = fresh_database(Store::Postgres).await else {
        return;
    };
    let one = start_on(Store::Postgres, test_config(&url), None, pg_name).await;
    let two = start_on(Store::Postgres, test_config(&url), None, None).await;
    let (token, policy, ids) = fifty_agreed_claims(&one).await;
    let results = pay_all(&[&one, &two], &token, &ids).await;
    check_outcome(&one, &token, policy, &results).await;
    drop(two);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_payments_on_sqlite_never_overspend_the_aggregate_limit() {
    let (url, dir, _) = fresh_database(Store::Sqlite).await.expect("sqlite");
    let app = start_on(Store::Sqlite, test_config(&url), dir, None).await;
    let (token, policy, ids) = fifty_agreed_claims(&app).await;
    let results = pay_all(&[&app], &token, &ids).await;
    check_outcome(&app, &token, policy, &results).await;
}
