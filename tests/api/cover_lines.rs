//! Lines the maker chooses (issue 15 part 4), over HTTP on both stores.

use crate::billing::post;
use crate::helpers::{credit_code, TestApp};
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote};
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::json;

/// 003 二(一)1 "自主协商确定投保险种", 000 三(六), 001 四(二): first-set equipment may be
/// insured for quality only (or liability only), but not for neither.
async fn first_set_maker_chooses_its_lines(app: TestApp) {
    let b = book(&app, "uw.lines").await;
    let mut q = first_year_quote(&b, "2000000.00");
    q["sections"] = json!([{"code": "QUALITY", "deductible": "Q-FIXED"}]);
    let (s, v) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    assert_eq!(s, StatusCode::CREATED, "quality only: {v}");
    assert_eq!(v["clause_set_version"], "2025.2");
    q["sections"] = json!([{"code": "LIABILITY", "limit": "500000.00"}]);
    let (s, v) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    assert_eq!(s, StatusCode::CREATED, "liability only: {v}");
    q["sections"] = json!([{"code": "TRANSPORT"}]);
    let (s, v) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("QUALITY / LIABILITY"), "{v}");
}

/// 004 第四条1 "“综合险”承保质量风险和责任风险": Shanxi's new-materials cover takes both.
async fn shanxi_comprehensive_cover_takes_both_lines(app: TestApp) {
    let uw = app.api_user("uw.sx", Role::Underwriter, None).await;
    let party = |kind: &str, name: &str, body: &str| json!({"kind": kind, "name": name, "credit_code": credit_code(body), "province": "山西省"});
    let (_, m) = post(
        &app,
        &uw,
        "/api/v1/parties",
        &party("maker", "山西新材料有限公司", "91140100MA0K1234X"),
    )
    .await;
    let (_, u) = post(
        &app,
        &uw,
        "/api/v1/parties",
        &party("user", "太原用户有限公司", "91140100MA0K5678Y"),
    )
    .await;
    let (s, item) = post(
        &app,
        &uw,
        "/api/v1/catalogue",
        &json!({"maker_id": m["party_id"], "edition": "shanxi-2024", "product_name": "高性能碳纤维",
                "field": "新材料", "unit_type": "new_material", "tier": "provincial",
                "qualification_year": 2024, "valid_from": "2024-01-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{item}");
    let quote = |sections: serde_json::Value| {
        json!({
            "maker_id": m["party_id"], "user_id": u["party_id"], "catalogue_item_id": item["catalogue_item_id"],
            "cover_basis": "first_batch", "clause_set_id": "first-batch-new-materials",
            "units": [{"serial": "CF-2026-01", "quantity": 10, "unit_value": "200000.00"}],
            "contracts": [{"number": "SX-1", "signed_on": "2025-11-20", "amount": "2000000.00"}],
            "delivery_date": "2025-12-15", "sections": sections, "aggregate_limit": "2000000.00",
            "period_start": "2026-01-01", "period_end": "2026-12-31",
            "programme_id": "shanxi-new-materials",
            "acknowledged": ["period.backdated"], "backdating_reason": "材料已交付，投保申请晚于起保日"
        })
    };
    let (s, v) = post(
        &app,
        &uw,
        "/api/v1/quotes",
        &quote(json!([{"code": "QUALITY"}])),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("LIABILITY"), "{v}");
    let (s, v) = post(
        &app,
        &uw,
        "/api/v1/quotes",
        &quote(json!([{"code": "QUALITY"}, {"code": "LIABILITY", "limit": "1000000.00"}])),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// 000 (九) 骗保: the same serial number cannot be insured on two overlapping policies;
/// the refusal names the other policy. A later, non-overlapping period is fine.
async fn a_serial_is_insured_once_at_a_time(app: TestApp) {
    let b = book(&app, "uw.serial").await;
    let (_, number) =
        crate::underwriting::issued(&app, &b.uw, &first_year_quote(&b, "2000000.00")).await;
    let mut q = first_year_quote(&b, "2000000.00");
    q["period_start"] = json!("2026-06-01");
    q["period_end"] = json!("2027-05-31");
    let (s, v) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let text = v.to_string();
    assert!(text.contains("B2026-001") && text.contains(&number), "{v}");
    q["period_start"] = json!("2027-01-01");
    q["period_end"] = json!("2027-12-31");
    let (s, v) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// The serial check reads `policy_serial` (migration 0025), kept by triggers from each
/// policy's terms: a serial is matched whole (a prefix of an insured serial is another
/// unit), a quote's own serials are there too, and the triggers' rows equal a set-based
/// rebuild from the terms.
async fn serials_are_matched_whole_and_kept_from_the_terms(app: TestApp) {
    let b = book(&app, "uw.serial2").await;
    let (id, _) =
        crate::underwriting::issued(&app, &b.uw, &first_year_quote(&b, "2000000.00")).await;
    let mut q = first_year_quote(&b, "2000000.00");
    q["units"] = json!([
        {"serial": "B2026-00", "quantity": 25, "unit_value": "20000.00"},
        {"serial": "B2026-0011", "quantity": 25, "unit_value": "20000.00"}
    ]);
    let (s, v) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "a prefix or extension of an insured serial: {v}"
    );
    let quote = v["policy_id"].as_i64().expect("policy_id");
    let read = || async {
        let mut tx = app.db.read().await.expect("read");
        let rows: Vec<(i64, i64, String)> = firstcover::dispatch!(&mut tx, c => {
            sqlx::query_as(
                "select policy_id, maker_id, serial from policy_serial order by policy_id, serial",
            )
            .fetch_all(&mut *c)
            .await
            .expect("policy_serial")
        });
        rows
    };
    let kept = read().await;
    assert_eq!(
        kept,
        vec![
            (id, b.maker, "B2026-001".to_string()),
            (quote, b.maker, "B2026-00".to_string()),
            (quote, b.maker, "B2026-0011".to_string()),
        ]
    );
    let mut tx = app.db.write().await.expect("write");
    firstcover::store::policies::rebuild_serials(&mut tx)
        .await
        .expect("rebuild");
    tx.commit().await.expect("commit");
    assert_eq!(read().await, kept, "the triggers' rows equal the rebuild");
}

/// 003 附件1 一.2(1) "前三套装备是指用户首次使用的前3台(套)": counted per user and
/// product across all policies — two units, then two more for the same user, is refused.
async fn first_set_counts_the_users_first_three_units_across_policies(app: TestApp) {
    let b = book(&app, "uw.three").await;
    let (s, item) = post(
        &app,
        &b.uw,
        "/api/v1/catalogue",
        &json!({"maker_id": b.maker, "edition": "national-2024", "product_name": "五轴加工中心",
                "field": "高档数控机床", "unit_type": "complete_machine", "tier": "domestic",
                "qualification_year": 2024, "valid_from": "2024-01-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{item}");
    let quote = |serials: &[&str], start: &str, end: &str| {
        let units: Vec<_> = serials
            .iter()
            .map(|s| json!({"serial": s, "quantity": 1, "unit_value": "1000000.00"}))
            .collect();
        let mut q = first_year_quote(&b, "2000000.00");
        q["catalogue_item_id"] = item["catalogue_item_id"].clone();
        q["cover_basis"] = json!("first_set");
        q["units"] = json!(units);
        q["contracts"] =
            json!([{"number": "HT-M", "signed_on": "2025-11-20", "amount": "2000000.00"}]);
        q["period_start"] = json!(start);
        q["period_end"] = json!(end);
        q
    };
    let (first, number) = crate::underwriting::issued(
        &app,
        &b.uw,
        &quote(&["M-1", "M-2"], "2026-01-01", "2026-12-31"),
    )
    .await;
    let _ = first;
    let (s, v) = post(
        &app,
        &b.uw,
        "/api/v1/quotes",
        &quote(&["M-3", "M-4"], "2027-01-01", "2027-12-31"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v.to_string().contains(&number),
        "the earlier policy is named: {v}"
    );
    // The third unit is still a first set.
    let (s, v) = post(
        &app,
        &b.uw,
        "/api/v1/quotes",
        &quote(&["M-3"], "2027-01-01", "2027-12-31"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// Authority ladder (issue 15 item 6): a senior underwriter cannot decide a referral
/// whose limit is above the senior authority (200,000,000 CNY by default) — it waits
/// for the branch head (403 `/problems/below-authority-level`); within it, the senior
/// decides. More in `ladder.rs`.
async fn a_senior_cannot_decide_above_the_senior_authority(app: TestApp) {
    let b = book(&app, "uw.ladder").await;
    let senior = app
        .api_user("sr.ladder", Role::SeniorUnderwriter, None)
        .await;
    let (s, v) = post(
        &app,
        &b.uw,
        "/api/v1/quotes",
        &first_year_quote(&b, "250000000.00"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["state"], "referred");
    let id = v["policy_id"].as_i64().unwrap_or_default();
    let (s, v) = post(
        &app,
        &senior,
        &format!("/api/v1/policies/{id}/referral"),
        &json!({"approve": true, "reason": "批准"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["type"], "/problems/below-authority-level", "{v}");
    assert!(v.to_string().contains("200,000,000.00"), "{v}");
    let d: serde_json::Value = app.get_json(&format!("/api/v1/policies/{id}"), &b.uw).await;
    assert_eq!(d["policy"]["state"], "referred", "still waiting: {d}");

    let mut q = first_year_quote(&b, "60000000.00");
    q["units"][0]["serial"] = json!("B2026-060");
    let (_, v) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    let id = v["policy_id"].as_i64().unwrap_or_default();
    let (s, v) = post(
        &app,
        &senior,
        &format!("/api/v1/policies/{id}/referral"),
        &json!({"approve": true, "reason": "批准"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

on_both_stores!(
    first_set_maker_chooses_its_lines,
    shanxi_comprehensive_cover_takes_both_lines,
    a_serial_is_insured_once_at_a_time,
    serials_are_matched_whole_and_kept_from_the_terms,
    first_set_counts_the_users_first_three_units_across_policies,
    a_senior_cannot_decide_above_the_senior_authority,
);
