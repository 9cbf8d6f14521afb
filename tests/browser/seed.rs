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
pub async fn issued(app: &TestApp, token: &str, mut quote: Value) -> Value {
    // Seeded cover usually starts before today: backdated, acknowledged with a reason,
    // and when wholly past approved by the branch head (issue 15 item 6).
    if quote.get("acknowledged").is_none() {
        quote["acknowledged"] = serde_json::json!(["period.backdated"]);
        quote["backdating_reason"] = serde_json::json!("补录已交付装备的保险");
    }
    let q = post(app, token, "/api/v1/quotes", quote).await;
    let id = q["policy_id"].as_i64().unwrap();
    if q["state"] == "referred" {
        let head = app
            .api_user(
                &format!("bh.seed.{id}"),
                firstcover::domain::role::Role::BranchHead,
                None,
            )
            .await;
        post(
            app,
            &head,
            &format!("/api/v1/policies/{id}/referral"),
            serde_json::json!({"approve": true, "reason": "补录历史保单"}),
        )
        .await;
    }
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

/// A quality-repair claim on a policy (unit B2026-001), reported and registered at once
/// by a claims handler with `reserve` on the repair cost; returns its id.
pub async fn registered_claim(app: &TestApp, handler: &str, policy_id: i64, reserve: &str) -> i64 {
    let claim = post(
        app,
        handler,
        "/api/v1/claims",
        serde_json::json!({"policy_id": policy_id, "event_date": "2026-03-10", "place": "宁波港三号码头",
            "description": "主轴异常振动，用户要求修理", "claim_type": "quality_repair",
            "units": ["B2026-001"], "amount_claimed": reserve, "reserve": reserve,
            "contact_email": "claims@maker.example.com"}),
    )
    .await;
    claim["claim_id"].as_i64().unwrap()
}
