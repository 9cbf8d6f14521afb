use crate::helpers::{credit_code, TestApp};
use crate::on_both_stores;
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn maker(app: &TestApp, token: &str, name: &str, body: &str) -> i64 {
    let r: Value = app.post_json("/api/v1/parties", token, &json!({"kind": "maker", "name": name, "credit_code": credit_code(body), "province": "浙江省"})).await
        .json()
        .await
        .unwrap();
    r["party_id"].as_i64().unwrap()
}

async fn catalogue_entries_default_to_five_years_and_stay_with_their_maker(app: TestApp) {
    let uw = app.api_user("uw.c1", Role::Underwriter, None).await;
    let a = maker(&app, &uw, "甲", "91330110MA2H3K7P0").await;
    let b = maker(&app, &uw, "乙", "91330206MA2CL4X82").await;
    let item = |maker_id: i64, name: &str| {
        json!({"maker_id": maker_id, "edition": "national-2024", "product_name": name, "field": "高档数控机床",
               "unit_type": "key_component", "tier": "domestic", "qualification_year": 2025, "valid_from": "2025-09-09"})
    };
    let r = app
        .post_json("/api/v1/catalogue", &uw, &item(a, "精密主轴"))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["valid_until"], "2030-09-08");
    assert_eq!(created["maker_name"], "甲");
    let r = app
        .post_json("/api/v1/catalogue", &uw, &item(b, "升降系统"))
        .await;
    let b_item: Value = r.json().await.unwrap();

    let client = app.api_user("client.c1", Role::Client, Some(a)).await;
    let mine: Value = app.get_json("/api/v1/catalogue", &client).await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["product_name"], "精密主轴");
    let other = app
        .get(
            &format!("/api/v1/catalogue/{}", b_item["catalogue_item_id"]),
            &client,
        )
        .await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);

    // Unknown enum values and reversed validity are field errors.
    let mut bad = item(a, "x");
    bad["unit_type"] = json!("gadget");
    let r = app.post_json("/api/v1/catalogue", &uw, &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut bad = item(a, "x");
    bad["valid_until"] = json!("2020-01-01");
    let r = app.post_json("/api/v1/catalogue", &uw, &bad).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "valid_until");
    // A catalogue entry must belong to a maker, not a user.
    let r = app
        .post_json("/api/v1/catalogue", &uw, &item(9999, "x"))
        .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "maker_id");
}

on_both_stores!(catalogue_entries_default_to_five_years_and_stay_with_their_maker);
