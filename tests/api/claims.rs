//! Claims over HTTP on SQLite and PostgreSQL: the cover check, the one-time proof
//! request, uploads, clocks, authority and approval, the rejection notice, payment.

use crate::helpers::{fresh_database, start_on, test_config, Store, TestApp};
use crate::on_both_stores;
use crate::underwriting::{book, issued, Book};
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let r = app.post_json(path, token, body).await;
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let r = app.get(path, token).await;
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A first-year policy for 2026: `qty` key components at 20,000 each (serial B2026-001),
/// quality without deductible unless given, liability with a 500,000 section limit.
pub fn claims_quote(b: &Book, qty: u32, limit: &str, quality_deductible: Option<&str>) -> Value {
    let mut quality = json!({"code": "QUALITY"});
    if let Some(d) = quality_deductible {
        quality["deductible"] = json!(d);
    }
    json!({
        "maker_id": b.maker, "user_id": b.user, "catalogue_item_id": b.item,
        "cover_basis": "first_year",
        "units": [{"serial": "B2026-001", "quantity": qty, "unit_value": "20000.00"}],
        "contracts": [{"number": "HT-2025-118", "signed_on": "2025-11-20", "amount": format!("{}.00", 20000 * qty)}],
        "delivery_date": "2025-12-15",
        "sections": [quality, {"code": "LIABILITY", "limit": "500000.00"}],
        "aggregate_limit": limit,
        "period_start": "2026-01-01", "period_end": "2026-12-31",
        // Backdated cover (issue 15 item 6) acknowledged with its reason.
        "acknowledged": ["basis.year_min_50_units", "period.backdated"],
        "backdating_reason": "装备已交付，投保申请晚于起保日"
    })
}

pub struct ClaimsBook {
    pub b: Book,
    pub policy: i64,
    pub handler: String,
    pub client: String,
}

/// An issued policy, a handler and a client user of the maker.
pub async fn claims_book(
    app: &TestApp,
    qty: u32,
    limit: &str,
    deductible: Option<&str>,
) -> ClaimsBook {
    let b = book(app, "underwriter").await;
    let (policy, _) = issued(app, &b.uw, &claims_quote(&b, qty, limit, deductible)).await;
    let handler = app.api_user("handler", Role::ClaimsHandler, None).await;
    let client = app
        .api_user("maker-user", Role::Client, Some(b.maker))
        .await;
    ClaimsBook {
        b,
        policy,
        handler,
        client,
    }
}

pub fn report(policy: i64, event: &str, units: &[&str], claim_type: &str, amount: &str) -> Value {
    json!({"policy_id": policy, "event_date": event, "place": "宁波港三号码头",
           "description": "主轴异常振动，用户要求修理", "claim_type": claim_type,
           "units": units, "amount_claimed": amount})
}

/// Report and register a quality claim as the handler; returns its id.
pub async fn open_claim(app: &TestApp, cb: &ClaimsBook, amount: &str) -> i64 {
    let mut body = report(
        cb.policy,
        "2026-03-10",
        &["B2026-001"],
        "quality_repair",
        amount,
    );
    body["reserve"] = json!(amount);
    body["contact_email"] = json!("claims@maker.example.com");
    let (s, v) = post(app, &cb.handler, "/api/v1/claims", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["state"], "open");
    v["claim_id"].as_i64().unwrap()
}

fn messages(v: &Value) -> String {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| format!("{}|{}|{}", e["field"], e["message"], e["message_zh"]))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

async fn cover_check_refuses_an_event_outside_the_period_and_an_uninsured_unit(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let (s, v) = post(
        &app,
        &cb.client,
        "/api/v1/claims",
        &report(
            cb.policy,
            "2025-12-20",
            &["B2026-001"],
            "quality_repair",
            "80000.00",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let m = messages(&v);
    assert!(m.contains("cover.outside_period"), "{m}");
    assert!(
        m.contains(
            "the event date 2025-12-20 is outside the period of cover 2026-01-01 to 2026-12-31"
        ),
        "{m}"
    );
    assert!(
        m.contains("出险日期 2025-12-20 不在保险期间 2026-01-01 至 2026-12-31 内"),
        "{m}"
    );

    let (s, v) = post(
        &app,
        &cb.client,
        "/api/v1/claims",
        &report(
            cb.policy,
            "2026-03-10",
            &["B2026-001", "X-404"],
            "quality_repair",
            "80000.00",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let m = messages(&v);
    assert!(m.contains("cover.uninsured_units"), "{m}");
    assert!(
        m.contains("these units are not insured by the policy: X-404 (insured: B2026-001)"),
        "{m}"
    );
    assert!(m.contains("以下装备不在保单承保清单内：X-404"), "{m}");

    // Refused reports take no number and leave no claim, but the policy history keeps them.
    let (_, list) = get(&app, &cb.handler, "/api/v1/claims").await;
    assert_eq!(list["total"], 0);
    let (s, v) = post(
        &app,
        &cb.client,
        "/api/v1/claims",
        &report(
            cb.policy,
            "2026-03-10",
            &["B2026-001"],
            "quality_repair",
            "80000.00",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let year = v["reported_on"].as_str().unwrap()[..4].to_string();
    assert_eq!(v["claim_number"], format!("FC-CL-{year}-000001"));
    assert_eq!(v["state"], "notified");
    assert_eq!(v["contact_email"], "maker-user@example.com");
    let id = v["claim_id"].as_i64().unwrap();
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    assert_eq!(d["cover"]["section_code"], "QUALITY");
    assert_eq!(d["cover"]["aggregate_left"], "2000000.00");
    // Nothing paid yet: billing's figures are shown with the outstanding premium.
    assert_eq!(d["cover"]["notes"][0]["code"], "premium_outstanding");
    assert_eq!(d["cover"]["premium_paid"], "0.00");
    let (_, hist) = get(&app, &cb.b.uw, &format!("/api/v1/policies/{}", cb.policy)).await;
    assert_eq!(d["cover"]["premium"], hist["policy"]["premium"]);
    assert_ne!(hist["policy"]["premium"], "0.00");
    let refused = hist["history"]
        .as_array()
        .map(|h| {
            h.iter()
                .filter(|r| r["action"] == "claim.notification_refused")
                .count()
        })
        .unwrap_or(0);
    assert_eq!(refused, 2, "{hist}");

    // Another maker's client cannot even see the policy.
    let (s, m) = post(
        &app,
        &cb.b.uw,
        "/api/v1/parties",
        &json!({"kind": "maker", "name": "另一制造企业有限公司",
        "credit_code": crate::helpers::credit_code("91330110MA2H3K7Q0"), "province": "浙江省"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let other = app
        .api_user("other-client", Role::Client, m["party_id"].as_i64())
        .await;
    let (s, _) = post(
        &app,
        &other,
        "/api/v1/claims",
        &report(
            cb.policy,
            "2026-03-10",
            &["B2026-001"],
            "quality_repair",
            "1.00",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn clocks_run_across_month_ends_and_overdue_claims_lead_the_queue(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let late = open_claim(&app, &cb, "50000.00").await;
    let fresh = open_claim(&app, &cb, "60000.00").await;
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{late}/proof-complete"),
        &json!({"on": "2026-03-31"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{late}")).await;
    let due = |kind: &str| {
        d["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == kind)
            .map(|c| c["due_on"].as_str().unwrap().to_string())
    };
    assert_eq!(due("decision").as_deref(), Some("2026-04-30"));
    assert_eq!(due("determinable_part").as_deref(), Some("2026-05-30"));
    assert_eq!(due("limitation").as_deref(), Some("2028-03-10"));
    assert_eq!(d["urgency"]["overdue"], true);
    // Agreed on a day: payment due ten days later, across the month end.
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{fresh}/decision"),
        &json!({"missing_proof_reason": "纸质材料已收到", "outcome": "accept", "agreed_loss": "60000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let agreed =
        chrono::NaiveDate::parse_from_str(v["agreed_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let (_, q) = get(&app, &cb.handler, "/api/v1/claims/queue").await;
    assert_eq!(q["total"], 2, "{q}");
    let q = q["items"].as_array().unwrap();
    assert_eq!(q[0]["claim"]["claim_id"], late, "overdue first");
    assert_eq!(q[1]["claim"]["claim_id"], fresh);
    assert_eq!(q[1]["urgency"]["kind"], "payment");
    assert_eq!(
        q[1]["urgency"]["due_on"],
        (agreed + chrono::Duration::days(10)).to_string()
    );
    let metrics = app
        .client()
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("firstcover_claims_overdue 1"), "{metrics}");
    // A client does not see the work queue.
    let (s, _) = get(&app, &cb.client, "/api/v1/claims/queue").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn decisions_above_authority_need_another_manager_and_payment_takes_the_deductible(
    app: TestApp,
) {
    let cb = claims_book(&app, 50, "2000000.00", Some("Q-FIXED")).await;
    let id = open_claim(&app, &cb, "300000.00").await;
    let m1 = app.api_user("manager-1", Role::ClaimsManager, None).await;
    let m2 = app.api_user("manager-2", Role::ClaimsManager, None).await;
    // 300,000 − 20,000 deductible = 280,000: above the 200,000 default authority.
    let (s, v) = post(
        &app,
        &m1,
        &format!("/api/v1/claims/{id}/decision"),
        &json!({"missing_proof_reason": "纸质材料已收到", "outcome": "accept", "agreed_loss": "300000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "awaiting_approval");
    let (_, pending) = get(&app, &cb.handler, "/api/v1/claims/approvals").await;
    // Claim amounts are CNY decimal strings (were integer fen before the staff views).
    assert_eq!(pending[0]["indemnity"], "280000.00");
    let (s, _) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/approval"),
        &json!({"missing_proof_reason": "纸质材料已收到", "approve": true}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a handler cannot approve");
    let (s, v) = post(
        &app,
        &m1,
        &format!("/api/v1/claims/{id}/approval"),
        &json!({"missing_proof_reason": "纸质材料已收到", "approve": true}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "not one's own decision: {v}");
    let (s, v) = post(
        &app,
        &m2,
        &format!("/api/v1/claims/{id}/approval"),
        &json!({"missing_proof_reason": "纸质材料已收到", "approve": true, "note": "同意"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "agreed");
    assert_eq!(v["indemnity"], "280000.00");
    assert_eq!(v["reserve"], "280000.00");
    // Pay in two parts; the second closes the claim.
    let bank = json!({"payee": "浙江精工机械有限公司", "bank_name": "工商银行杭州分行", "bank_account": "1202020309900012345"});
    let mut first = bank.clone();
    first["amount"] = json!("80000.00");
    let (s, p) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/payments"),
        &first,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["status"], "approved");
    assert_eq!(p["amount"], "80000.00");
    let (s, p2) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/payments"),
        &bank,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p2}");
    assert_eq!(p2["amount"], "200000.00");
    let pid = p2["payment_id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/payments/{pid}/paid"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "paid");
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    assert_eq!(d["claim"]["state"], "closed");
    assert_eq!(d["claim"]["paid_total"], "280000.00");
    assert_eq!(d["claim"]["reserve"], "0.00");
    let reserves: Vec<&str> = d["reserves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].as_str().unwrap())
        .collect();
    assert_eq!(
        reserves,
        vec!["300000.00", "280000.00", "200000.00", "0.00"]
    );
    assert!(d["clocks"].as_array().unwrap().is_empty());
    // A recovery restores nothing (clause flag false); the limit stays eroded.
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/recoveries"),
        &json!({"kind": "subrogation", "amount": "50000.00", "note": "向轴承供应商追偿"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["recovered_total"], "50000.00");
    let second = open_claim(&app, &cb, "10000.00").await;
    let (_, d2) = get(&app, &cb.handler, &format!("/api/v1/claims/{second}")).await;
    assert_eq!(d2["cover"]["aggregate_left"], "1720000.00");
    // Reopen the closed claim with a reason.
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/reopen"),
        &json!({"reason": "用户发现同一缺陷导致的新损坏", "reserve": "30000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "open");
    assert_eq!(v["paid_total"], "280000.00");
    // The reserve history answers "as at a date" for the backtest's triangles.
    let today = firstcover::clock::Clock::System.today();
    let mut tx = app.db.read().await.unwrap();
    let now = firstcover::store::claims::reserves_as_at(&mut tx, today)
        .await
        .unwrap();
    assert_eq!(now, vec![(id, 3_000_000), (second, 1_000_000)]);
    let before = firstcover::store::claims::reserves_as_at(&mut tx, today.pred_opt().unwrap())
        .await
        .unwrap();
    assert!(before.is_empty(), "{before:?}");
}

async fn uploads_accept_pdf_and_images_by_content_and_refuse_executables(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let id = open_claim(&app, &cb, "50000.00").await;
    let send = |name: &'static str, bytes: Vec<u8>, code: &'static str, token: String| {
        let url = app.url(&format!("/api/v1/claims/{id}/documents"));
        let client = app.client();
        async move {
            let form = reqwest::multipart::Form::new().text("code", code).part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
            let r = client
                .post(url)
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
                .unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let pdf = firstcover::documents::inspect::samples::pdf();
    let (s, v) = send(
        "索赔申请书.pdf",
        pdf.clone(),
        "claim_form",
        cb.client.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["content_type"], "application/pdf");
    assert_eq!(v["filename"], "索赔申请书.pdf");
    let doc = v["document_id"].as_i64().unwrap();
    let back = app
        .get(&format!("/api/v1/claims/{id}/documents/{doc}"), &cb.handler)
        .await;
    assert_eq!(back.bytes().await.unwrap().to_vec(), pdf);
    let (s, v) = send(
        "photo.png",
        firstcover::documents::inspect::samples::png(),
        "photos",
        cb.handler.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = send(
        "invoice.pdf",
        b"MZ\x90\x00\x03\x00\x00\x00".to_vec(),
        "repair_invoice",
        cb.handler.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        messages(&v).contains("executable files are not accepted"),
        "{v}"
    );
    let (s, v) = send(
        "setup.exe",
        pdf.clone(),
        "repair_invoice",
        cb.handler.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(messages(&v).contains("does not match its content"), "{v}");
    let (s, v) = send(
        "notes.txt",
        b"plain text".to_vec(),
        "repair_invoice",
        cb.handler.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = send("x.pdf", pdf.clone(), "no_such_code", cb.handler.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    assert_eq!(d["documents"].as_array().unwrap().len(), 2);
    let on_file: Vec<&str> = d["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["on_file"] == true)
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(on_file, vec!["claim_form", "photos"]);
    assert!(d["claim"]["proof_complete_on"].is_null());
}

/// Typed JSON columns (issue 13): a stored document that does not parse fails the read
/// (500, nothing of the cause told) instead of passing for empty — a claim's units, its
/// cover check, a policy's state, its terms and its findings. Restored, the same reads
/// answer again.
async fn a_broken_stored_document_fails_the_read_instead_of_passing_for_empty(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let id = open_claim(&app, &cb, "50000.00").await;
    let claim = format!("/api/v1/claims/{id}");
    let policy = format!("/api/v1/policies/{}", cb.policy);
    let (s, v) = get(&app, &cb.handler, &claim).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["claim"]["units"], json!(["B2026-001"]), "{v}");
    let broken = [
        (
            format!("update claim set units_json = '[\"B2026-001\"' where claim_id = {id}"),
            &claim,
        ),
        (
            format!("update claim set cover_json = '{{}}' where claim_id = {id}"),
            &claim,
        ),
        (
            format!(
                "update policy set state_json = '{{\"state\":\"lapsed\"}}' where policy_id = {}",
                cb.policy
            ),
            &policy,
        ),
        (
            format!(
                "update policy set terms_json = '{{\"units\": []}}' where policy_id = {}",
                cb.policy
            ),
            &policy,
        ),
        (
            format!(
                "update policy set findings_json = '{{\"lapsed\": 1}}' where policy_id = {}",
                cb.policy
            ),
            &policy,
        ),
    ];
    for (tamper, path) in broken {
        app.execute("create table saved as select * from claim")
            .await;
        app.execute("create table saved_policy as select * from policy")
            .await;
        app.execute(&tamper).await;
        let (s, v) = get(&app, &cb.handler, path).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{tamper}: {v}");
        assert_eq!(v["type"], "/problems/internal", "{v}");
        assert!(
            !v.to_string().contains("lapsed") && !v.to_string().contains("B2026"),
            "{v}"
        );
        app.execute(
            "update claim set units_json = (select units_json from saved where saved.claim_id = claim.claim_id), \
             cover_json = (select cover_json from saved where saved.claim_id = claim.claim_id)",
        )
        .await;
        app.execute(
            "update policy set state_json = (select state_json from saved_policy \
             where saved_policy.policy_id = policy.policy_id), \
             terms_json = (select terms_json from saved_policy \
             where saved_policy.policy_id = policy.policy_id), \
             findings_json = (select findings_json from saved_policy \
             where saved_policy.policy_id = policy.policy_id)",
        )
        .await;
        app.execute("drop table saved").await;
        app.execute("drop table saved_policy").await;
        let (s, v) = get(&app, &cb.handler, path).await;
        assert_eq!(s, StatusCode::OK, "restored: {v}");
    }
}

on_both_stores!(
    a_broken_stored_document_fails_the_read_instead_of_passing_for_empty,
    cover_check_refuses_an_event_outside_the_period_and_an_uninsured_unit,
    clocks_run_across_month_ends_and_overdue_claims_lead_the_queue,
    decisions_above_authority_need_another_manager_and_payment_takes_the_deductible,
    uploads_accept_pdf_and_images_by_content_and_refuse_executables,
    the_registration_page_shows_refusals_and_the_new_claim,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_above_the_configured_size_is_refused() {
    let (url, dir, pg) = fresh_database(Store::Sqlite).await.unwrap();
    let mut config = test_config(&url);
    config.claims.upload_max_bytes = 1000;
    let app = start_on(Store::Sqlite, config, dir, pg).await;
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let id = open_claim(&app, &cb, "50000.00").await;
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(5000, b' ');
    let form = reqwest::multipart::Form::new()
        .text("code", "claim_form")
        .part(
            "file",
            reqwest::multipart::Part::bytes(big).file_name("big.pdf"),
        );
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/claims/{id}/documents")))
        .bearer_auth(&cb.handler)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert!(messages(&v).contains("larger than 1000 bytes"), "{v}");
}

/// The registration form on the page: a client's report outside the period is shown
/// again with the reason; a good one lands on the claim page with its number.
async fn the_registration_page_shows_refusals_and_the_new_claim(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let (web, _) = app.login("maker-user", crate::helpers::PASSWORD).await;
    let form_page = web
        .get(app.url("/claims/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::hidden_field(&form_page, "csrf").expect("csrf");
    let policy = cb.policy.to_string();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("policy_id", policy.as_str()),
        ("claim_type", "quality_repair"),
        ("event_date", "2027-02-01"),
        ("place", "宁波"),
        ("description", "主轴断裂"),
        ("units", "B2026-001"),
        ("amount_claimed", "50000.00"),
    ];
    let r = web
        .post(app.url("/claims"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("出险日期 2027-02-01 不在保险期间 2026-01-01 至 2026-12-31 内"),
        "{body}"
    );
    assert!(
        body.contains("value=\"宁波\""),
        "the form keeps what was typed"
    );
    fields[3] = ("event_date", "2026-06-01");
    let r = web
        .post(app.url("/claims"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let page = web
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("-000001"), "{page}");
    assert!(page.contains("已报案"), "{page}");
    assert!(
        !page.contains("id=\"register\""),
        "a client cannot register"
    );
    // The handler sees it in the work queue page.
    let _ = app
        .add_user("desk-handler", Role::ClaimsHandler, None)
        .await;
    let (desk, _) = app.login("desk-handler", crate::helpers::PASSWORD).await;
    let queue = desk
        .get(app.url("/claims/queue"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains("-000001"), "{queue}");
    let dash = desk
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dash.contains("逾期理赔时限"), "{dash}");
}
