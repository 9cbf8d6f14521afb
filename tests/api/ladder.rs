//! The authority ladder, backdated cover, declining, withdrawing and expiring quotes
//! (issue 15 item 6, issue 16 item 5) — over HTTP on SQLite and PostgreSQL, at a fixed
//! business date (the app's `Clock`), so "today" and "in the past" never drift.
//!
//! Where the rules come from: DOMAIN.md "People and what they do here" (an underwriter
//! "refers what exceeds authority to a senior underwriter"; the levels above are the
//! configured ladder, `[[underwriting.ladder]]`); 003 三(五) (filed rates are kept, so a
//! rate outside the band goes to a second person); 000 (九) (弄虚作假: cover for a period
//! already past is where a known loss gets insured).

use crate::billing::post;
use crate::helpers::{hidden_field, spawn_app_on, Store, TestApp, PASSWORD};
use crate::underwriting::{book, first_year_quote, Book};
use chrono::NaiveDate;
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The business date every test here runs on.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap_or_default()
}

async fn app_on(store: Store) -> Option<TestApp> {
    spawn_app_on(store, today(), |_| {}).await
}

/// A quote starting after today (no backdating) with this limit.
fn future_quote(b: &Book, limit: &str) -> Value {
    let mut q = first_year_quote(b, limit);
    q["period_start"] = json!("2026-07-01");
    q["period_end"] = json!("2027-06-30");
    q["acknowledged"] = json!([]);
    q.as_object_mut().map(|o| o.remove("backdating_reason"));
    q
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    app.get_json(path, token).await
}

async fn quote(app: &TestApp, token: &str, q: &Value) -> (i64, Value) {
    let (s, v) = post(app, token, "/api/v1/quotes", q).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    (v["policy_id"].as_i64().unwrap_or_default(), v)
}

fn decide(approve: bool) -> Value {
    json!({"approve": approve, "reason": if approve { "同意承保" } else { "不予承保" }})
}

/// DOMAIN.md (refer what exceeds authority) and the ladder: a limit above the
/// underwriter's 50,000,000 waits for a senior underwriter (200,000,000); above that,
/// for the branch head; a rate 47 % above the filed band's 3 % ceiling (003 三(五))
/// for a senior underwriter, 62.75 % above it for the branch head (seniors go to 50 %).
async fn a_referral_goes_to_the_lowest_level_whose_authority_covers_it(app: TestApp) {
    let b = book(&app, "uw.route").await;
    let level_of = |v: &Value| v["referrals"][0]["level"].as_str().map(str::to_string);
    let cases: [(&str, &str, Value, &str); 4] = [
        ("60000000.00", "R-1", json!(null), "senior_underwriter"),
        ("250000000.00", "R-2", json!(null), "branch_head"),
        (
            "2000000.00",
            "R-3",
            json!({"technical_maturity": "1.5", "scenario_complexity": "1.4", "loss_history": "1.5"}),
            "senior_underwriter",
        ),
        (
            "2000000.00",
            "R-4",
            json!({"technical_maturity": "1.5", "scenario_complexity": "1.4", "loss_history": "1.5"}),
            "branch_head",
        ),
    ];
    for (limit, serial, factors, expected) in cases {
        let mut q = future_quote(&b, limit);
        q["units"][0]["serial"] = json!(serial);
        if !factors.is_null() {
            q["factors"] = factors;
        }
        if serial == "R-4" {
            // QUALITY + LIABILITY + INSTALL = 1.55 %, × 3.15 = 4.8825 %.
            q["sections"] = json!([{"code": "QUALITY", "deductible": "Q-FIXED"},
                {"code": "LIABILITY", "limit": "500000.00"}, {"code": "INSTALL"}]);
        }
        let (id, v) = quote(&app, &b.uw, &q).await;
        assert_eq!(v["state"], "referred", "{serial}: {v}");
        let d = get(&app, &b.uw, &format!("/api/v1/policies/{id}")).await;
        assert_eq!(level_of(&d).as_deref(), Some(expected), "{serial}: {d}");
    }
    let queue = get(&app, &b.uw, "/api/v1/referrals").await;
    let levels: Vec<&str> = queue["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["level"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        levels,
        [
            "senior_underwriter",
            "branch_head",
            "senior_underwriter",
            "branch_head"
        ]
    );
    // Within the underwriter's own authority and the band: no referral at all.
    let mut q = future_quote(&b, "50000000.00");
    q["units"][0]["serial"] = json!("R-5");
    let (_, v) = quote(&app, &b.uw, &q).await;
    assert_eq!(v["state"], "quoted");
    // Above every level (1,000,000,000 at the top): refused, with its own problem type.
    let mut q = future_quote(&b, "1500000000.00");
    q["units"][0]["serial"] = json!("R-6");
    let (s, v) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["type"], "/problems/beyond-authority-ladder");
    assert!(
        v["detail"]
            .as_str()
            .unwrap_or("")
            .contains("1,000,000,000.00"),
        "{v}"
    );
}

/// Nobody below the level a referral waits for decides it: the senior underwriter
/// gets 403 `/problems/below-authority-level` for a branch-head referral, the page says
/// who may decide (in both languages), and the branch head decides.
async fn nobody_below_the_level_decides_a_referral(app: TestApp) {
    let b = book(&app, "uw.below").await;
    let senior = app
        .api_user("sr.below", Role::SeniorUnderwriter, None)
        .await;
    let head = app.api_user("bh.below", Role::BranchHead, None).await;
    let (id, _) = quote(&app, &b.uw, &future_quote(&b, "250000000.00")).await;
    let path = format!("/api/v1/policies/{id}/referral");
    let (s, v) = post(&app, &senior, &path, &decide(true)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["type"], "/problems/below-authority-level");
    let detail = v["detail"].as_str().unwrap_or("");
    assert!(
        detail.contains("分公司负责人") && detail.contains("Branch head"),
        "{v}"
    );
    assert!(
        detail.contains("200,000,000.00"),
        "the senior's own authority: {v}"
    );
    let (s, v) = post(&app, &b.uw, &path, &decide(true)).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "an underwriter decides nothing: {v}"
    );
    let d = get(&app, &b.uw, &format!("/api/v1/policies/{id}")).await;
    assert_eq!(d["policy"]["state"], "referred", "still waiting: {d}");

    // The page shows which level it waits for, and offers the senior no decision.
    app.add_user("sr.page", Role::SeniorUnderwriter, None).await;
    let (client, _) = app.login("sr.page", PASSWORD).await;
    for (lang, word) in [("zh", "分公司负责人"), ("en", "Branch head")] {
        let r = client
            .get(app.url(&format!("/lang/{lang}")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(r.status().is_success() || r.status().is_redirection());
        let html = client
            .get(app.url(&format!("/policies/{id}")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .text()
            .await
            .unwrap_or_default();
        let waits = html.split("id=\"waits-for\"").nth(1).unwrap_or("");
        assert!(waits.contains(word), "{lang}: {html}");
        assert!(
            !html.contains("id=\"decide-referral\""),
            "{lang}: no decision form"
        );
        let queue = client
            .get(app.url("/referrals"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .text()
            .await
            .unwrap_or_default();
        assert!(queue.contains(word), "{lang}: the queue names the level");
    }

    let (s, v) = post(&app, &head, &path, &decide(true)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "quoted");
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/bind"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A senior-level referral is decided by the senior (and would be by the head too).
    let mut q = future_quote(&b, "60000000.00");
    q["units"][0]["serial"] = json!("S-2");
    let (id, _) = quote(&app, &b.uw, &q).await;
    let (s, v) = post(
        &app,
        &senior,
        &format!("/api/v1/policies/{id}/referral"),
        &decide(true),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// 000 (九): a start before today is backdating — a warning to acknowledge
/// (`period.backdated`) and a reason to give; both are kept in the audit row.
async fn backdated_cover_needs_an_acknowledged_reason(app: TestApp) {
    let b = book(&app, "uw.back").await;
    let mut q = future_quote(&b, "2000000.00");
    q["period_start"] = json!("2026-06-01");
    q["period_end"] = json!("2027-05-31");
    let (s, v) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let text = v.to_string();
    assert!(
        text.contains("period.backdated") && text.contains("14 天"),
        "{v}"
    );
    q["acknowledged"] = json!(["period.backdated"]);
    let (s, v) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["field"], "backdating_reason", "{v}");
    q["backdating_reason"] = json!("装备已于 2026-05-28 交付，投保申请晚到");
    let (id, v) = quote(&app, &b.uw, &q).await;
    assert_eq!(
        v["state"], "quoted",
        "backdated but not wholly past: no referral"
    );
    let d = get(&app, &b.uw, &format!("/api/v1/policies/{id}")).await;
    let entry = d["history"]
        .as_array()
        .and_then(|h| h.iter().find(|e| e["action"] == "policy.quote"))
        .cloned()
        .unwrap_or_default();
    let after: Value =
        serde_json::from_str(entry["after_json"].as_str().unwrap_or("{}")).unwrap_or_default();
    assert_eq!(after["backdating"]["days"], 14, "{after}");
    assert_eq!(
        after["backdating"]["reason"],
        "装备已于 2026-05-28 交付，投保申请晚到"
    );
    assert_eq!(
        d["policy"]["terms"]["backdating_reason"],
        "装备已于 2026-05-28 交付，投保申请晚到"
    );
}

/// 000 (九) and the ladder: a period wholly in the past is not bound until the level
/// with past-cover authority (the branch head) approves it; the senior cannot.
async fn a_period_wholly_in_the_past_is_refused_until_the_ladder_approves(app: TestApp) {
    let b = book(&app, "uw.past").await;
    let senior = app.api_user("sr.past", Role::SeniorUnderwriter, None).await;
    let head = app.api_user("bh.past", Role::BranchHead, None).await;
    let mut q = future_quote(&b, "2000000.00");
    q["period_start"] = json!("2025-01-01");
    q["period_end"] = json!("2025-12-31");
    q["contracts"] =
        json!([{"number": "HT-2024-9", "signed_on": "2024-11-20", "amount": "1000000.00"}]);
    q["delivery_date"] = json!("2024-12-15");
    q["acknowledged"] = json!(["period.backdated"]);
    q["backdating_reason"] = json!("补录 2025 年已交付装备的保险");
    let (id, v) = quote(&app, &b.uw, &q).await;
    assert_eq!(v["state"], "referred", "{v}");
    let d = get(&app, &b.uw, &format!("/api/v1/policies/{id}")).await;
    assert_eq!(d["referrals"][0]["level"], "branch_head");
    let reasons = d["referrals"][0]["reasons"]
        .as_array()
        .expect("a list of findings");
    assert!(
        reasons.iter().any(|f| f["code"] == "period.wholly_past"),
        "{reasons:?}"
    );
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/bind"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "refused until approved: {v}");
    let path = format!("/api/v1/policies/{id}/referral");
    let (s, v) = post(&app, &senior, &path, &decide(true)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["type"], "/problems/below-authority-level");
    let (s, v) = post(&app, &head, &path, &decide(true)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/issue"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "issued once the ladder approved: {v}");
    assert!(v["policy_number"].is_string());
}

/// Issue 16 item 5: the underwriter declines a quote with a reason; it shows as
/// declined, is audited, and can be neither bound nor declined again.
async fn an_underwriter_declines_a_quote_with_a_reason(app: TestApp) {
    let b = book(&app, "uw.decline").await;
    let (id, _) = quote(&app, &b.uw, &future_quote(&b, "2000000.00")).await;
    let path = format!("/api/v1/policies/{id}/decline");
    let (s, v) = post(&app, &b.uw, &path, &json!({"reason": " "})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["field"], "reason");
    let (s, v) = post(&app, &b.uw, &path, &json!({"reason": "用户单位经营异常"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "declined");
    assert_eq!(v["state"], "cancelled");
    let d = get(&app, &b.uw, &format!("/api/v1/policies/{id}")).await;
    let entry = d["history"]
        .as_array()
        .and_then(|h| h.iter().find(|e| e["action"] == "policy.quote_declined"))
        .cloned()
        .unwrap_or_default();
    assert!(
        entry["after_json"]
            .as_str()
            .unwrap_or("")
            .contains("用户单位经营异常"),
        "{d}"
    );
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/bind"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["type"], "/problems/quote-closed");
    let (s, v) = post(&app, &b.uw, &path, &json!({"reason": "再次"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["type"], "/problems/quote-closed");
    // Only underwriters close quotes.
    let finance = app.api_user("fin.decline", Role::Finance, None).await;
    let (id2, _) = {
        let mut q = future_quote(&b, "2000000.00");
        q["units"][0]["serial"] = json!("D-2");
        quote(&app, &b.uw, &q).await
    };
    let (s, _) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id2}/decline"),
        &json!({"reason": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// Issue 16 item 5: a quote withdrawn for the maker shows as withdrawn with the maker's
/// reason, and can be neither issued nor changed.
async fn a_quote_is_withdrawn_for_the_maker(app: TestApp) {
    let b = book(&app, "uw.withdraw").await;
    let q = future_quote(&b, "2000000.00");
    let (id, _) = quote(&app, &b.uw, &q).await;
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/withdraw"),
        &json!({"reason": "制造企业改投其他保险公司"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "withdrawn");
    let list = get(&app, &b.uw, "/api/v1/policies?state=cancelled").await;
    assert_eq!(list["items"][0]["status"], "withdrawn", "{list}");
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/issue"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["type"], "/problems/quote-closed");
    let r = app
        .client()
        .put(app.url(&format!("/api/v1/policies/{id}")))
        .bearer_auth(&b.uw)
        .json(&q)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let v: Value = r.json().await.unwrap_or_default();
    assert_eq!(v["type"], "/problems/quote-closed");
    // A referred quote is declined by its deciding level, not withdrawn around it.
    let mut q = future_quote(&b, "60000000.00");
    q["units"][0]["serial"] = json!("W-2");
    let (id, _) = quote(&app, &b.uw, &q).await;
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/withdraw"),
        &json!({"reason": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
}

/// Issue 15 item 6 / issue 16 item 5: a quote is valid for the configured days (30 by
/// default) from the day it was priced; on the 31st it has expired (shown as such, read
/// from the Clock) and cannot be bound; pricing it again gives it a fresh validity.
async fn a_quote_expires_after_its_validity_and_cannot_be_bound(app: TestApp) {
    let b = book(&app, "uw.expiry").await;
    let (id, v) = quote(&app, &b.uw, &future_quote(&b, "2000000.00")).await;
    assert_eq!(v["quote_valid_until"], "2026-07-15", "{v}");
    // Priced 30 days ago: still valid today; 31 days ago: expired.
    app.execute(&format!(
        "update policy set quoted_on = '2026-05-16' where policy_id = {id}"
    ))
    .await;
    let d = get(&app, &b.uw, &format!("/api/v1/policies/{id}")).await;
    assert_eq!(d["policy"]["status"], "quoted", "{d}");
    app.execute(&format!(
        "update policy set quoted_on = '2026-05-15' where policy_id = {id}"
    ))
    .await;
    let d = get(&app, &b.uw, &format!("/api/v1/policies/{id}")).await;
    assert_eq!(d["policy"]["status"], "quote_expired", "{d}");
    assert_eq!(
        d["policy"]["state"], "quoted",
        "nothing flipped the stored state"
    );
    assert_eq!(d["policy"]["quote_valid_until"], "2026-06-14");
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/bind"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["type"], "/problems/quote-expired");
    assert!(
        v["detail"].as_str().unwrap_or("").contains("2026-06-14"),
        "{v}"
    );
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/issue"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["type"], "/problems/quote-expired");
    // Re-priced today: valid again, and binds.
    let r = app
        .client()
        .put(app.url(&format!("/api/v1/policies/{id}")))
        .bearer_auth(&b.uw)
        .json(&future_quote(&b, "2000000.00"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap_or_default();
    assert_eq!(v["status"], "quoted");
    assert_eq!(v["quote_valid_until"], "2026-07-15");
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/bind"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// The validity is configuration: with `quote_validity_days = 10` a quote priced 11
/// days ago has expired.
async fn the_quote_validity_is_configured(store: Store) {
    let Some(app) = spawn_app_on(store, today(), |c| c.underwriting.quote_validity_days = 10).await
    else {
        assert!(store == Store::Postgres, "sqlite app");
        return;
    };
    let b = book(&app, "uw.validity").await;
    let (id, v) = quote(&app, &b.uw, &future_quote(&b, "2000000.00")).await;
    assert_eq!(v["quote_valid_until"], "2026-06-25");
    app.execute(&format!(
        "update policy set quoted_on = '2026-06-04' where policy_id = {id}"
    ))
    .await;
    let d = get(&app, &b.uw, &format!("/api/v1/policies/{id}")).await;
    assert_eq!(d["policy"]["status"], "quote_expired", "{d}");
}

/// The decline and withdraw buttons on the quote page, their confirmation step, and the
/// state label afterwards, in Chinese and English.
async fn decline_and_withdraw_on_the_page_show_the_state_by_label(app: TestApp) {
    let b = book(&app, "uw.closepage").await;
    let (declined, _) = quote(&app, &b.uw, &future_quote(&b, "2000000.00")).await;
    let mut q = future_quote(&b, "2000000.00");
    q["units"][0]["serial"] = json!("P-2");
    let (withdrawn, _) = quote(&app, &b.uw, &q).await;
    app.add_user("uw.closeform", Role::Underwriter, None).await;
    let (client, _) = app.login("uw.closeform", PASSWORD).await;
    let text = |path: String| {
        let client = client.clone();
        let url = app.url(&path);
        async move {
            client
                .get(url)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .text()
                .await
                .unwrap_or_default()
        }
    };
    let html = text(format!("/policies/{declined}")).await;
    assert!(html.contains("id=\"decline\"") && html.contains("id=\"withdraw\""));
    assert!(html.contains("已报价") && html.contains("报价有效期至 2026-07-15"));
    let csrf = hidden_field(&html, "csrf").unwrap_or_default();
    for (id, action, reason) in [
        (declined, "decline", "资料不实"),
        (withdrawn, "withdraw", "投保人暂缓采购"),
    ] {
        let url = app.url(&format!("/policies/{id}/{action}"));
        let r = client
            .post(&url)
            .form(&[("csrf", csrf.as_str()), ("reason", reason)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status(), StatusCode::OK, "the confirmation step first");
        let confirm = r.text().await.unwrap_or_default();
        assert!(confirm.contains("id=\"confirm-step\"") && confirm.contains(reason));
        let d = get(&app, &b.uw, &format!("/api/v1/policies/{id}")).await;
        assert_eq!(
            d["policy"]["status"], "quoted",
            "nothing closed before confirming"
        );
        let r = client
            .post(&url)
            .form(&[
                ("csrf", csrf.as_str()),
                ("reason", reason),
                ("confirmed", "yes"),
            ])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    for (lang, declined_word, withdrawn_word) in [
        ("zh", "已拒保", "投保人已撤回"),
        ("en", "Declined", "Withdrawn"),
    ] {
        let _ = text(format!("/lang/{lang}")).await;
        let html = text(format!("/policies/{declined}")).await;
        let tag = html.split("id=\"policy-state\">").nth(1).unwrap_or("");
        assert!(tag.starts_with(declined_word), "{lang}: {tag:.40}");
        assert!(html.contains("资料不实"), "the reason is shown");
        assert!(
            !html.contains("id=\"decline\""),
            "no more buttons once closed"
        );
        let html = text(format!("/policies/{withdrawn}")).await;
        let tag = html.split("id=\"policy-state\">").nth(1).unwrap_or("");
        assert!(tag.starts_with(withdrawn_word), "{lang}: {tag:.40}");
        let list = text("/policies".to_string()).await;
        assert!(
            list.contains(declined_word) && list.contains(withdrawn_word),
            "{lang}: the list shows the labels"
        );
    }
}

macro_rules! at_fixed_date {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = super::app_on($crate::helpers::Store::Sqlite).await.expect("sqlite app");
                    super::$name(app).await;
                }
            )+
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_quote_validity_is_configured() {
                super::the_quote_validity_is_configured($crate::helpers::Store::Sqlite).await;
            }
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = super::app_on($crate::helpers::Store::Postgres).await else { return };
                    super::$name(app).await;
                }
            )+
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_quote_validity_is_configured() {
                super::the_quote_validity_is_configured($crate::helpers::Store::Postgres).await;
            }
        }
    };
}

/// The policy page as its reader may see it (issue 13): a quote referred above the
/// underwriter's authority and approved by a senior underwriter, then issued. Staff read
/// the finding, the referral with its reason and who referred it, and the history; the
/// maker's client reads its policy number, premium, units, contracts and sections — and
/// none of those, nor the case reserves of its claims.
async fn the_policy_page_shows_the_client_no_finding_referral_or_history(app: TestApp) {
    let b = book(&app, "uw.view").await;
    let senior = app.api_user("sr.view", Role::SeniorUnderwriter, None).await;
    let mut q = future_quote(&b, "60000000.00");
    q["units"][0]["serial"] = json!("PV-2026-77");
    let (id, v) = quote(&app, &b.uw, &q).await;
    assert_eq!(v["state"], "referred", "{v}");
    let reason = "经复核用户产能，同意超权限承保";
    let (s, v) = post(
        &app,
        &senior,
        &format!("/api/v1/policies/{id}/referral"),
        &json!({"approve": true, "reason": reason}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for action in ["bind", "issue"] {
        let (s, v) = post(
            &app,
            &b.uw,
            &format!("/api/v1/policies/{id}/{action}"),
            &json!({}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{action}: {v}");
    }
    let d = get(&app, &b.uw, &format!("/api/v1/policies/{id}")).await;
    let number = d["policy"]["policy_number"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!number.is_empty(), "issued: {d}");
    let premium = d["policy"]["premium"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let grouped = firstcover::domain::money::Money::parse_non_negative(&premium)
        .map(|m| m.grouped())
        .unwrap_or_else(|e| panic!("premium {premium}: {e}"));
    let finding = d["policy"]["findings"][0]["zh"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!finding.is_empty(), "the referral's finding: {d}");
    app.add_user("maker.view", Role::Client, Some(b.maker))
        .await;

    let fetch = |user: &'static str| {
        let app = &app;
        async move {
            let (web, _) = app.login(user, PASSWORD).await;
            let r = web
                .get(app.url(&format!("/policies/{id}")))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(r.status(), StatusCode::OK, "{user}");
            r.text().await.unwrap_or_default()
        }
    };
    let staff = fetch("uw.view").await;
    let client = fetch("maker.view").await;

    let both = [
        format!("<span class=\"mono\" id=\"policy-number\">{number}</span>"),
        format!("<dd id=\"premium\">{grouped}</dd>"),
        "<td class=\"mono\">PV-2026-77</td><td class=\"num\">50</td><td class=\"num\">20,000.00</td>".to_string(),
        "<td class=\"mono\">HT-2025-118</td>".to_string(),
        "60,000,000.00".to_string(),
        "id=\"versions\"".to_string(),
        "id=\"limits-left\"".to_string(),
    ];
    // What only staff read: the finding, the referral (heading, reason, who referred it,
    // the level), the history, the case reserves of the policy's claims.
    let staff_only = [
        "核保提示与转核原因".to_string(),
        finding.clone(),
        "转核记录".to_string(),
        reason.to_string(),
        "<td>uw.view</td>".to_string(),
        "高级核保员".to_string(),
        "变更记录".to_string(),
        "未决赔款准备金".to_string(),
        "id=\"endorse-form\"".to_string(),
    ];
    for s in both.iter().chain(staff_only.iter()) {
        assert!(
            staff.contains(s.as_str()),
            "the staff page shows {s}: {staff}"
        );
    }
    for s in &both {
        assert!(
            client.contains(s.as_str()),
            "the client's page shows {s}: {client}"
        );
    }
    for s in &staff_only {
        assert!(
            !client.contains(s.as_str()),
            "the client's page leaks {s}: {client}"
        );
    }
    for name in ["sr.view", "uw.view"] {
        assert!(!client.contains(name), "no staff name ({name}): {client}");
    }
}

at_fixed_date!(
    a_referral_goes_to_the_lowest_level_whose_authority_covers_it,
    nobody_below_the_level_decides_a_referral,
    backdated_cover_needs_an_acknowledged_reason,
    a_period_wholly_in_the_past_is_refused_until_the_ladder_approves,
    an_underwriter_declines_a_quote_with_a_reason,
    a_quote_is_withdrawn_for_the_maker,
    a_quote_expires_after_its_validity_and_cannot_be_bound,
    decline_and_withdraw_on_the_page_show_the_state_by_label,
    the_policy_page_shows_the_client_no_finding_referral_or_history,
);
