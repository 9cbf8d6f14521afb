//! The records a browser journey starts from, made over the JSON API.

use crate::helpers::{credit_code, TestApp};
use serde_json::Value;

/// POST a JSON body with a bearer token; the request must succeed.
pub async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app.post_json(path, token, &body).await;
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

/// A maker and a user (Zhejiang, fixed credit codes) and one catalogue product of the
/// maker, described by `product` (everything but `maker_id`); returns their ids as
/// (maker, user, catalogue item).
pub async fn book(
    app: &TestApp,
    token: &str,
    (maker, user): (&str, &str),
    mut product: Value,
) -> (i64, i64, i64) {
    let mut ids = Vec::new();
    for (kind, name, body) in [
        ("maker", maker, "91330110MA2H3K7P0"),
        ("user", user, "91330206MA2CL4X82"),
    ] {
        let v = post(app, token, "/api/v1/parties",
            serde_json::json!({"kind": kind, "name": name, "credit_code": credit_code(body), "province": "浙江省"})).await;
        ids.push(v["party_id"].as_i64().unwrap());
    }
    product["maker_id"] = ids[0].into();
    let item = post(app, token, "/api/v1/catalogue", product).await;
    (ids[0], ids[1], item["catalogue_item_id"].as_i64().unwrap())
}

/// Quote, bind and issue; the issued policy as the API returns it.
pub async fn issued(app: &TestApp, token: &str, quote: Value) -> Value {
    let q = post(app, token, "/api/v1/quotes", quote).await;
    let id = q["policy_id"].as_i64().unwrap();
    let empty = serde_json::json!({});
    post(
        app,
        token,
        &format!("/api/v1/policies/{id}/bind"),
        empty.clone(),
    )
    .await;
    post(app, token, &format!("/api/v1/policies/{id}/issue"), empty).await
}
