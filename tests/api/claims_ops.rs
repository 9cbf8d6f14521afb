//! Claim work management, reserves by cost type and claim payments to the bank, on
//! SQLite and PostgreSQL: assignment and "my claims", internal notes hidden from the
//! client, several documents in one upload, the reason needed to decide or approve
//! with proof missing, reserve lines adding up to the case reserve, and payment batch
//! files with the bank's confirmation.

use crate::claims::{claims_book, get, open_claim, post, ClaimsBook};
use crate::helpers::{hidden_field, TestApp, PASSWORD};
use crate::on_both_stores;
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Real samples: uploads are parsed, so fake bytes are refused.
static PDF: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(firstcover::documents::inspect::samples::pdf);
static PNG: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(firstcover::documents::inspect::samples::png);

fn pdf() -> &'static [u8] {
    &PDF
}

fn field_messages(v: &Value) -> String {
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

async fn page(web: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = web.get(app.url(path)).send().await.unwrap();
    let s = r.status();
    (s, r.text().await.unwrap())
}

async fn assignment_self_take_manager_reassign_and_my_claims(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let id = open_claim(&app, &cb, "50000.00").await;
    let other = open_claim(&app, &cb, "20000.00").await;
    let h2 = app.api_user("handler-2", Role::ClaimsHandler, None).await;
    let m = app.api_user("manager", Role::ClaimsManager, None).await;
    let assign = |claim: i64| format!("/api/v1/claims/{claim}/assignment");

    // A handler takes an unassigned claim for themself.
    let (s, v) = post(&app, &cb.handler, &assign(id), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["assigned_to_name"], "handler");
    // Nobody else may take it, and a handler cannot hand claims to others.
    let (s, _) = post(&app, &h2, &assign(id), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let me = app.get_json("/api/v1/me", &h2).await;
    let h2_id = me["user_id"].as_i64().unwrap();
    let (s, _) = post(
        &app,
        &cb.handler,
        &assign(other),
        &json!({"user_id": h2_id}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A client cannot assign, nor can a claim go to someone who does not handle claims.
    let (s, _) = post(&app, &cb.client, &assign(other), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let uw = app.get_json("/api/v1/me", &cb.b.uw).await;
    let (s, v) = post(&app, &m, &assign(other), &json!({"user_id": uw["user_id"]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(field_messages(&v).contains("user_id"), "{v}");

    // The manager reassigns it with a note.
    let (s, v) = post(
        &app,
        &m,
        &assign(id),
        &json!({"user_id": h2_id, "note": "休假交接"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["assigned_to"], h2_id);
    let (s, _) = post(&app, &m, &assign(id), &json!({"user_id": h2_id})).await;
    assert_eq!(s, StatusCode::CONFLICT, "already theirs");

    let (_, mine2) = get(&app, &h2, "/api/v1/claims/mine").await;
    let ids: Vec<i64> = mine2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["claim"]["claim_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![id]);
    let (_, mine1) = get(&app, &cb.handler, "/api/v1/claims/mine").await;
    assert!(mine1["items"].as_array().unwrap().is_empty(), "{mine1}");
    let (s, _) = get(&app, &cb.client, "/api/v1/claims/mine").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // History and audit: both moves, who made them, the note.
    let (_, d) = get(&app, &m, &format!("/api/v1/claims/{id}")).await;
    let a = d["assignments"].as_array().unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!(a[0]["assigned_to_name"], "handler");
    assert_eq!(a[0]["assigned_by_name"], "handler");
    assert_eq!(a[1]["assigned_to_name"], "handler-2");
    assert_eq!(a[1]["assigned_by_name"], "manager");
    assert_eq!(a[1]["note"], "休假交接");
    let actions: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"claim.assign"), "{actions:?}");
    assert!(actions.contains(&"claim.reassign"), "{actions:?}");
    // The client does not learn who handles it.
    let (s, c) = get(&app, &cb.client, &format!("/api/v1/claims/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(c["claim"].get("assigned_to").is_none(), "{c}");
    assert!(c.get("assignments").is_none(), "{c}");

    // "My claims" on the page for the new handler.
    let (web, _) = app.login("handler-2", PASSWORD).await;
    let (s, html) = page(&web, &app, "/claims/mine").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(d["claim"]["claim_number"].as_str().unwrap()),
        "{html}"
    );
    let other_number = get(&app, &m, &format!("/api/v1/claims/{other}")).await.1["claim"]
        ["claim_number"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!html.contains(&other_number), "{html}");
}

async fn internal_notes_are_never_shown_to_the_client(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let id = open_claim(&app, &cb, "50000.00").await;
    let secret = "怀疑用户夸大损失，建议现场查勘";
    let (s, n) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/notes"),
        &json!({"body": secret}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    assert_eq!(n["body"], secret);
    let (s, _) = post(
        &app,
        &cb.client,
        &format!("/api/v1/claims/{id}/notes"),
        &json!({"body": "客户写的"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a client cannot write notes");
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/notes"),
        &json!({"body": "  "}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // Staff read it on the API and the page.
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    assert_eq!(d["notes"][0]["body"], secret);
    assert_eq!(d["notes"].as_array().unwrap().len(), 1);
    let (web, _) = app.login("handler", PASSWORD).await;
    let (_, html) = page(&web, &app, &format!("/claims/{id}")).await;
    assert!(html.contains(secret), "the handler sees the note");

    // The client reads the claim: no note anywhere, not in the timeline either.
    let r = app.get(&format!("/api/v1/claims/{id}"), &cb.client).await;
    assert_eq!(r.status(), StatusCode::OK);
    let raw = r.text().await.unwrap();
    assert!(!raw.contains(secret), "{raw}");
    let v: Value = serde_json::from_str(&raw).unwrap();
    assert!(v.get("notes").is_none(), "{v}");
    let (_, list) = get(&app, &cb.client, "/api/v1/claims").await;
    assert!(!list.to_string().contains(secret));
    let (web, _) = app.login("maker-user", PASSWORD).await;
    let (s, html) = page(&web, &app, &format!("/claims/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains(secret), "{html}");
    assert!(
        !html.contains("id=\"notes\""),
        "no notes section for a client"
    );
}

/// The claim page as the client reads it: its claim, clocks, documents, payments and a
/// history naming the insurer — and none of what the same page shows staff: the case
/// reserve and its cost types, the handler's name, internal notes.
async fn the_claim_page_shows_the_client_its_own_view_only(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    app.add_named_user("wang.xm", "王晓明经办", Role::ClaimsHandler, None)
        .await;
    let wang = app.token_for("wang.xm").await;
    // Reported by the client, registered by the handler with a breakdown, taken, noted.
    let (id, number) = client_reports_a_repair(&app, &cb).await;
    let claim = format!("/api/v1/claims/{id}");
    let (s, v) = post(
        &app,
        &wang,
        &format!("{claim}/register"),
        &json!({"reserve": "87654.32", "lines": [
            {"cost_type": "repair", "amount": "60000.00"},
            {"cost_type": "third_party_property", "amount": "27654.32"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = post(&app, &wang, &format!("{claim}/assignment"), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let secret = "用户口径前后不一，建议复核照片";
    let (s, v) = post(
        &app,
        &wang,
        &format!("{claim}/notes"),
        &json!({"body": secret}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = upload_several(&app, &cb.client, id, &[("申请书.pdf", pdf(), "claim_form")]).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let size = pdf().len();
    // Decided with proof missing (a reason the client is told), paid, and recovered.
    let waiver = "原件已邮寄，先行核定";
    let (s, v) = post(
        &app,
        &wang,
        &format!("{claim}/decision"),
        &json!({"outcome": "accept", "agreed_loss": "40000.00", "missing_proof_reason": waiver}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, p) = post(
        &app,
        &wang,
        &format!("{claim}/payments"),
        &json!({"amount": "10000.00", "payee": "浙江精工机械有限公司", "bank_name": "工商银行杭州分行", "bank_account": "1202020309900012345"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["payment_id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &wang,
        &format!("{claim}/payments/{pid}/paid"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let recovery_note = "向轴承供应商追偿（律师函已发）";
    let (s, v) = post(
        &app,
        &wang,
        &format!("{claim}/recoveries"),
        &json!({"kind": "subrogation", "amount": "5000.00", "note": recovery_note}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // What staff see on the page, so the client's page below can be told apart.
    let (web, _) = app.login("wang.xm", PASSWORD).await;
    let (s, staff) = page(&web, &app, &format!("/claims/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let staff_only = [
        "id=\"reserve\"",
        "87,654.32",
        "id=\"reserve-lines\"",
        "第三者财产损失",
        "王晓明经办",
        "wang.xm",
        secret,
        // Recoveries are the insurer's pursuit of others: not in the policyholder's view.
        "代位追偿",
        recovery_note,
        // The cover check's notes are the handler's (what to look at), not the client's.
        "保费未缴清",
    ];
    for s in staff_only {
        assert!(staff.contains(s), "the staff page shows {s}: {staff}");
    }

    let (web, _) = app.login("maker-user", PASSWORD).await;
    let (s, html) = page(&web, &app, &format!("/claims/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    for shown in [
        format!("<span id=\"claim-number\">{number}</span>"),
        "90,000.00".to_string(),
        "id=\"indemnity\">40,000.00".to_string(),
        "id=\"paid\">10,000.00".to_string(),
        "id=\"upload-form\"".to_string(),
        format!("申请书.pdf</a> · application/pdf · {size} B"),
        // The decision's reason with proof missing, from the insurer (not a named person).
        "保险公司 · 缺：保险单及批单复印件".to_string(),
        waiver.to_string(),
        "1202020309900012345".to_string(),
        "累计责任限额余额（报案时）: 2,000,000.00".to_string(),
    ] {
        assert!(html.contains(&shown), "the client sees {shown}: {html}");
    }
    // The clocks and the history, the insurer's steps under its name.
    assert!(
        html.contains("<td>赔付时限（第二十三条，协议后10日）</td>"),
        "{html}"
    );
    assert!(
        html.contains("<td>索赔时效（第二十六条，2年）</td>"),
        "{html}"
    );
    let timeline = html
        .split("id=\"timeline\"")
        .nth(1)
        .expect("a timeline on the client's page");
    for step in [
        "保险公司 · 立案",
        "保险公司 · 理赔核定",
        "maker-user · 报案",
    ] {
        assert!(timeline.contains(step), "{step}: {timeline}");
    }
    for s in staff_only {
        assert!(!html.contains(s), "the client's page shows {s}: {html}");
    }
}

/// Upload several files in one request, each with its checklist item.
async fn upload_several(
    app: &TestApp,
    token: &str,
    id: i64,
    files: &[(&str, &[u8], &str)],
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (i, (name, bytes, code)) in files.iter().enumerate() {
        form = form.text(format!("code_{}", i + 1), code.to_string()).part(
            format!("file_{}", i + 1),
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/claims/{id}/documents")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn several_documents_in_one_upload_all_or_nothing(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let id = open_claim(&app, &cb, "50000.00").await;
    // One bad file among three: nothing is kept, and the answer names it.
    let (s, v) = upload_several(
        &app,
        &cb.client,
        id,
        &[
            ("索赔申请书.pdf", pdf(), "claim_form"),
            ("setup.pdf", b"MZ\x90\x00", "policy"),
            ("合同.pdf", pdf(), "sales_contract"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let m = field_messages(&v);
    assert!(m.contains("file_2") && m.contains("setup.pdf"), "{m}");
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    assert!(d["documents"].as_array().unwrap().is_empty(), "{d}");
    // Three good files, one with a ';' in its quoted name.
    let (s, v) = upload_several(
        &app,
        &cb.client,
        id,
        &[
            ("索赔申请书.pdf", pdf(), "claim_form"),
            ("a;b.pdf", pdf(), "policy"),
            ("照片.png", &PNG[..], "photos"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["filename"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["索赔申请书.pdf", "a;b.pdf", "照片.png"]);
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    let on_file: Vec<&str> = d["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["on_file"] == true)
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(on_file, vec!["claim_form", "policy", "photos"]);
    let missing: Vec<&str> = d["missing_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        vec![
            "sales_contract",
            "delivery_acceptance",
            "defect_report",
            "repair_invoice"
        ]
    );
    let docs = d["documents"].as_array().unwrap();
    let doc = docs[1]["document_id"].as_i64().unwrap();
    let back = app
        .get(&format!("/api/v1/claims/{id}/documents/{doc}"), &cb.handler)
        .await;
    assert_eq!(back.bytes().await.unwrap().to_vec(), pdf());
    // Repeated `file` / `code` parts pair in order too.
    let form = reqwest::multipart::Form::new()
        .text("code", "sales_contract")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf().to_vec()).file_name("c.pdf"),
        )
        .text("code", "defect_report")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf().to_vec()).file_name("d.pdf"),
        );
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/claims/{id}/documents")))
        .bearer_auth(&cb.handler)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    let codes: Vec<&str> = d["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec![
            "claim_form",
            "policy",
            "photos",
            "sales_contract",
            "defect_report"
        ]
    );
}

async fn deciding_or_approving_with_proof_missing_needs_a_reason(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let id = open_claim(&app, &cb, "300000.00").await;
    let m1 = app.api_user("manager-1", Role::ClaimsManager, None).await;
    let (s, _) = upload_several(&app, &cb.handler, id, &[("f.pdf", pdf(), "claim_form")]).await;
    assert_eq!(s, StatusCode::CREATED);
    // Above authority (300,000 > 200,000) and six required documents missing.
    let decision = json!({"outcome": "accept", "agreed_loss": "300000.00"});
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/decision"),
        &decision,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let m = field_messages(&v);
    assert!(m.contains("missing_proof_reason"), "{m}");
    assert!(
        m.contains("以下必需材料尚未提交：保险单及批单复印件、"),
        "{m}"
    );
    assert!(m.contains("Repair invoices and breakdown"), "{m}");
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    assert_eq!(d["claim"]["state"], "open", "nothing decided");
    let mut decision = decision;
    decision["missing_proof_reason"] = json!("原件由用户单位邮寄，已电话核实");
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/decision"),
        &decision,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "awaiting_approval");
    // The approval shows what is missing and the handler's reason.
    let (_, pending) = get(&app, &m1, "/api/v1/claims/approvals").await;
    let p = &pending[0];
    assert_eq!(p["claim_id"], id);
    assert_eq!(p["missing_proof"].as_array().unwrap().len(), 6);
    assert_eq!(
        p["proof_waivers"][0]["reason"],
        "原件由用户单位邮寄，已电话核实"
    );
    assert_eq!(p["proof_waivers"][0]["stage"], "decision");
    let (web, _) = app.login("manager-1", PASSWORD).await;
    let (_, html) = page(&web, &app, "/claims/approvals").await;
    assert!(html.contains("原件由用户单位邮寄，已电话核实"), "{html}");
    assert!(html.contains("修理费用发票及明细"), "{html}");
    let (_, html) = page(&web, &app, &format!("/claims/{id}")).await;
    assert!(html.contains("id=\"approval-missing\""), "{html}");

    // The manager must give a reason too; sending back needs none.
    let (s, v) = post(
        &app,
        &m1,
        &format!("/api/v1/claims/{id}/approval"),
        &json!({"approve": true}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(field_messages(&v).contains("missing_proof_reason"), "{v}");
    let (s, v) = post(
        &app,
        &m1,
        &format!("/api/v1/claims/{id}/approval"),
        &json!({"approve": true, "missing_proof_reason": "金额明确，先行赔付，材料后补"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "agreed");
    // Both reasons stay on the claim, for everyone who reads it.
    let (_, d) = get(&app, &cb.client, &format!("/api/v1/claims/{id}")).await;
    let w = d["proof_waivers"].as_array().unwrap();
    assert_eq!(w.len(), 2, "{d}");
    assert_eq!(w[0]["stage"], "decision");
    assert_eq!(w[1]["stage"], "approval");
    assert_eq!(w[1]["reason"], "金额明确，先行赔付，材料后补");
    assert_eq!(w[1]["missing"].as_array().unwrap().len(), 6);
    assert_eq!(w[1]["missing"][0]["code"], "policy");
    assert!(
        w[1].get("given_by_name").is_none(),
        "no staff name for the client: {d}"
    );
    let (_, staff_view) = get(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    assert_eq!(staff_view["proof_waivers"][1]["given_by_name"], "manager-1");
    let (web, _) = app.login("handler", PASSWORD).await;
    let (_, html) = page(&web, &app, &format!("/claims/{id}")).await;
    assert!(html.contains("金额明确，先行赔付，材料后补"), "{html}");

    // With every required document on file no reason is asked.
    let id2 = open_claim(&app, &cb, "10000.00").await;
    let all: Vec<(&str, &[u8], &str)> = [
        "claim_form",
        "policy",
        "sales_contract",
        "delivery_acceptance",
        "defect_report",
        "repair_invoice",
        "photos",
    ]
    .into_iter()
    .map(|c| ("x.pdf", pdf(), c))
    .collect();
    let (s, v) = upload_several(&app, &cb.handler, id2, &all).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id2}/decision"),
        &json!({"outcome": "accept", "agreed_loss": "10000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "agreed");
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{id2}")).await;
    assert!(d["proof_waivers"].as_array().unwrap().is_empty());
    assert!(!d["claim"]["proof_complete_on"].is_null());
}

fn lines_of(d: &Value) -> Vec<(String, i64)> {
    d["reserve_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let amount = l["amount"].as_str().unwrap().replace('.', "");
            (
                l["cost_type"].as_str().unwrap().to_string(),
                amount.parse().unwrap(),
            )
        })
        .collect()
}

fn sums_to_reserve(d: &Value) -> i64 {
    let total: i64 = lines_of(d).iter().map(|(_, f)| f).sum();
    let reserve: i64 = d["claim"]["reserve"]
        .as_str()
        .unwrap()
        .replace('.', "")
        .parse()
        .unwrap();
    assert_eq!(
        total,
        reserve,
        "lines {:?} vs reserve {reserve}",
        lines_of(d)
    );
    reserve
}

fn amount_of(d: &Value, t: &str) -> i64 {
    lines_of(d)
        .into_iter()
        .find(|(c, _)| c == t)
        .map(|(_, f)| f)
        .unwrap()
}

/// The client reports a 90,000.00 quality repair of B2026-001; its id and number.
async fn client_reports_a_repair(app: &TestApp, cb: &ClaimsBook) -> (i64, String) {
    let (s, v) = post(
        app,
        &cb.client,
        "/api/v1/claims",
        &crate::claims::report(
            cb.policy,
            "2026-03-10",
            &["B2026-001"],
            "quality_repair",
            "90000.00",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["claim_id"].as_i64().unwrap();
    (id, v["claim_number"].as_str().unwrap().to_string())
}

async fn reserves_by_cost_type_sum_to_the_case_reserve(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    // Reported by the client, registered by the handler with a breakdown.
    let (id, _) = client_reports_a_repair(&app, &cb).await;
    let claim = format!("/api/v1/claims/{id}");
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("{claim}/register"),
        &json!({"reserve": "80000.00", "lines": [
            {"cost_type": "repair", "amount": "60000.00"},
            {"cost_type": "claim_expenses", "amount": "25000.00"}]}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "lines must add up: {v}"
    );
    assert!(
        field_messages(&v)
            .contains("分类准备金合计 85,000.00 元，与未决赔款准备金 80,000.00 元不符"),
        "{v}"
    );
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("{claim}/register"),
        &json!({"reserve": "80000.00", "lines": [
            {"cost_type": "repair", "amount": "60000.00"},
            {"cost_type": "claim_expenses", "amount": "20000.00"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, d) = get(&app, &cb.handler, &claim).await;
    assert_eq!(sums_to_reserve(&d), 8_000_000);
    assert_eq!(amount_of(&d, "repair"), 6_000_000);
    assert_eq!(amount_of(&d, "claim_expenses"), 2_000_000);
    assert_eq!(lines_of(&d).len(), 6, "every cost type is listed");

    // A change by type: third-party property added, expenses cut.
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("{claim}/reserve"),
        &json!({"amount": "100000.00", "reason": "查勘发现第三者财产损失", "lines": [
            {"cost_type": "repair", "amount": "60000.00"},
            {"cost_type": "third_party_property", "amount": "30000.00"},
            {"cost_type": "claim_expenses", "amount": "10000.00"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["reserve"], "100000.00");
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("{claim}/reserve"),
        &json!({"amount": "1.00", "reason": "x", "lines": [
            {"cost_type": "repair", "amount": "1.00"}, {"cost_type": "repair", "amount": "0.00"}]}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a type given twice: {v}"
    );
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("{claim}/reserve"),
        &json!({"amount": "99999999999999.00", "reason": "typo"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "bounded: {v}");
    // A total without a breakdown moves every type in proportion (6:3:1).
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("{claim}/reserve"),
        &json!({"amount": "50000.00", "reason": "和解"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, d) = get(&app, &cb.handler, &claim).await;
    assert_eq!(sums_to_reserve(&d), 5_000_000);
    assert_eq!(amount_of(&d, "repair"), 3_000_000);
    assert_eq!(amount_of(&d, "third_party_property"), 1_500_000);
    assert_eq!(amount_of(&d, "claim_expenses"), 500_000);

    // Decision and payment keep them adding up; the case reserve history is unchanged
    // in shape (one total row per change, what the backtest reads).
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("{claim}/decision"),
        &json!({"outcome": "accept", "agreed_loss": "40000.00", "missing_proof_reason": "纸质材料已收到"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, d) = get(&app, &cb.handler, &claim).await;
    assert_eq!(sums_to_reserve(&d), 4_000_000);
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("{claim}/payments"),
        &json!({"amount": "10000.00", "payee": "浙江精工机械有限公司", "bank_name": "工商银行杭州分行", "bank_account": "1202020309900012345"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, d) = get(&app, &cb.handler, &claim).await;
    assert_eq!(sums_to_reserve(&d), 3_000_000);
    assert_eq!(amount_of(&d, "repair"), 1_800_000);
    assert_eq!(amount_of(&d, "third_party_property"), 900_000);
    assert_eq!(amount_of(&d, "claim_expenses"), 300_000);
    let totals: Vec<i64> = d["reserves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| fen(&r["amount"]))
        .collect();
    assert_eq!(
        totals,
        vec![8_000_000, 10_000_000, 5_000_000, 4_000_000, 3_000_000]
    );
    // Each line's history: repair 60,000 → 30,000 → 24,000 → 18,000.
    let repair: Vec<i64> = d["reserve_line_history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["cost_type"] == "repair")
        .map(|h| fen(&h["amount"]))
        .collect();
    assert_eq!(repair, vec![6_000_000, 3_000_000, 2_400_000, 1_800_000]);
    // Every total row's lines add up to it.
    let mut tx = app.db.read().await.unwrap();
    let history = firstcover::store::claim_reserve_lines::history(&mut tx, id)
        .await
        .unwrap();
    let rows = firstcover::store::claims::reserves(&mut tx, id)
        .await
        .unwrap();
    let mut current = std::collections::BTreeMap::new();
    for r in &rows {
        for h in history.iter().filter(|h| h.reserve_id == r.reserve_id) {
            current.insert(h.cost_type.clone(), h.amount.fen());
        }
        assert_eq!(
            current.values().sum::<i64>(),
            r.amount.fen(),
            "reserve row {}",
            r.reserve_id
        );
    }
    let as_at = firstcover::store::claims::reserves_as_at(
        &mut tx,
        firstcover::clock::Clock::System.today(),
    )
    .await
    .unwrap();
    assert_eq!(as_at, vec![(id, 3_000_000)]);
    drop(tx);
    // The page shows the lines and the total.
    let (web, _) = app.login("handler", PASSWORD).await;
    let (_, html) = page(&web, &app, &format!("/claims/{id}")).await;
    assert!(html.contains("第三者财产损失"), "{html}");
    assert!(html.contains("id=\"reserve-lines\""), "{html}");
    // The page form sets the reserve by its type fields.
    let csrf = hidden_field(&html, "csrf").unwrap();
    let r = web
        .post(app.url(&format!("/claims/{id}/reserve")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("line_repair", "20000.00"),
            ("line_bodily_injury", "5000.00"),
            ("reason", "人伤"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, d) = get(&app, &cb.handler, &claim).await;
    assert_eq!(sums_to_reserve(&d), 2_500_000);
    assert_eq!(amount_of(&d, "bodily_injury"), 500_000);
    assert_eq!(amount_of(&d, "third_party_property"), 0);
}

/// Two agreed claims each with an approved payment; returns (claim ids, payment ids).
async fn approved_payments(app: &TestApp, cb: &ClaimsBook) -> (Vec<i64>, Vec<i64>) {
    let mut claims = Vec::new();
    let mut payments = Vec::new();
    for (amount, payee) in [
        ("30000.00", "浙江精工机械有限公司"),
        ("12000.50", "=HYPERLINK(\"http://x\")"),
    ] {
        let id = open_claim(app, cb, amount).await;
        let (s, v) = post(
            app,
            &cb.handler,
            &format!("/api/v1/claims/{id}/decision"),
            &json!({"outcome": "accept", "agreed_loss": amount, "missing_proof_reason": "纸质材料已收到"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, p) = post(
            app,
            &cb.handler,
            &format!("/api/v1/claims/{id}/payments"),
            &json!({"payee": payee, "bank_name": "工商银行杭州分行", "bank_account": "0012020309900012345"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        claims.push(id);
        payments.push(p["payment_id"].as_i64().unwrap());
    }
    (claims, payments)
}

async fn used_of_aggregate(app: &TestApp, policy: i64) -> i64 {
    let mut tx = app.db.read().await.unwrap();
    firstcover::store::claim_money::usage(&mut tx, policy)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.scope == "aggregate")
        .map(|u| u.used.fen())
        .unwrap()
}

async fn payment_batch_export_and_confirmation(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let finance = app.api_user("finance", Role::Finance, None).await;
    let (claims, pids) = approved_payments(&app, &cb).await;
    let used = used_of_aggregate(&app, cb.policy).await;
    assert_eq!(used, 4_200_050, "limits eroded at approval");
    let (s, _) = post(
        &app,
        &cb.client,
        "/api/v1/claims/payment-batches",
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = post(&app, &finance, "/api/v1/claims/payment-batches", &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let year = firstcover::clock::Clock::System
        .today()
        .format("%Y")
        .to_string();
    let number = format!("FC-PB-{year}-000001");
    assert_eq!(b["batch_number"], number);
    assert_eq!(b["payment_count"], 2);
    assert_eq!(b["total"], "42000.50");
    let bid = b["batch_id"].as_i64().unwrap();
    // A payment is in at most one open batch.
    let (s, v) = post(&app, &finance, "/api/v1/claims/payment-batches", &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = post(
        &app,
        &finance,
        "/api/v1/claims/payment-batches",
        &json!({"payment_ids": [pids[0]]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // The CSV in the documented layout, formulas neutralised.
    let csv = app
        .get(
            &format!("/api/v1/claims/payment-batches/{bid}/file.csv"),
            &finance,
        )
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    let claim_no = |id: i64| {
        let app = &app;
        let token = cb.handler.clone();
        async move {
            get(app, &token, &format!("/api/v1/claims/{id}")).await.1["claim"]["claim_number"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let (c1, c2) = (claim_no(claims[0]).await, claim_no(claims[1]).await);
    let expected = format!(
        "\u{feff}收款人,开户行,账号,金额,赔案号,付款编号,批次号\r\n\
         浙江精工机械有限公司,工商银行杭州分行,0012020309900012345,30000.00,{c1},{},{number}\r\n\
         \"'=HYPERLINK(\"\"http://x\"\")\",工商银行杭州分行,0012020309900012345,12000.50,{c2},{},{number}\r\n",
        pids[0], pids[1]
    );
    assert_eq!(text, expected);
    // The XLSX: same cells, text, on sheet 赔款支付.
    let xlsx = app
        .get(
            &format!("/api/v1/claims/payment-batches/{bid}/file.xlsx"),
            &finance,
        )
        .await
        .bytes()
        .await
        .unwrap();
    {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
        let range = book.worksheet_range("赔款支付").unwrap();
        let cell = |r: u32, c: u32| {
            range
                .get_value((r, c))
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        assert_eq!(cell(0, 0), "收款人");
        assert_eq!(cell(0, 6), "批次号");
        assert_eq!(cell(1, 2), "0012020309900012345");
        assert_eq!(cell(1, 3), "30000.00");
        assert_eq!(cell(2, 0), "'=HYPERLINK(\"http://x\")");
        assert_eq!(cell(2, 5), pids[1].to_string());
    }

    // A confirmation with a bad line records nothing.
    let confirm_file = |body: String| {
        let url = app.url(&format!(
            "/api/v1/claims/payment-batches/{bid}/confirmation-file"
        ));
        let client = app.client();
        let token = finance.clone();
        async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .header("Content-Type", "text/csv")
                .body(body)
                .send()
                .await
                .unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let bad = format!(
        "付款编号,状态,支付日期\r\n{},成功,2026-05-06\r\n999999,成功,2026-05-06\r\n",
        pids[0]
    );
    let (s, v) = confirm_file(bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        field_messages(&v).contains("第 3 行：付款编号 999999 不在本批次内"),
        "{v}"
    );
    let (_, b) = get(
        &app,
        &finance,
        &format!("/api/v1/claims/payment-batches/{bid}"),
    )
    .await;
    assert!(
        b["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "approved"),
        "{b}"
    );

    // The bank paid the first and returned the second.
    let day = firstcover::clock::Clock::System.today().pred_opt().unwrap();
    let good = format!(
        "\u{feff}批次号,付款编号,状态,支付日期,银行流水号,失败原因\r\n\
         {number},{},成功,{day},BK20260506001,\r\n\
         {number},{},失败,,,\"户名不符\"\r\n",
        pids[0], pids[1]
    );
    let (s, b) = confirm_file(good.clone()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "closed", "every payment answered");
    assert_eq!(b["items"][0]["status"], "paid");
    assert_eq!(b["items"][0]["paid_on"], day.to_string());
    assert_eq!(b["items"][0]["bank_reference"], "BK20260506001");
    assert_eq!(b["items"][1]["status"], "approved");
    assert_eq!(b["items"][1]["outcome"], "failed");
    assert_eq!(b["items"][1]["failure_reason"], "户名不符");
    // On the claim: approved → paid, audited; the limit did not move again.
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{}", claims[0])).await;
    assert_eq!(d["payments"][0]["status"], "paid");
    assert_eq!(d["payments"][0]["paid_on"], day.to_string());
    assert!(d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["action"] == "claim.payment_paid"));
    assert_eq!(used_of_aggregate(&app, cb.policy).await, used);
    // Importing it again is harmless: the batch is closed.
    let (s, _) = confirm_file(good).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // The returned payment waits again and goes in the next batch, confirmed by hand.
    let (_, waiting) = get(&app, &finance, "/api/v1/claims/payment-batches/waiting").await;
    assert_eq!(waiting[0]["payment_id"], pids[1]);
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    let (s, b2) = post(
        &app,
        &cb.handler,
        "/api/v1/claims/payment-batches",
        &json!({"note": "重发"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b2}");
    assert_eq!(b2["batch_number"], format!("FC-PB-{year}-000002"));
    let bid2 = b2["batch_id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/claims/payment-batches/{bid2}/confirmation"),
        &json!({"lines": [{"payment_id": pids[1], "outcome": "paid", "paid_on": "2999-01-01"}]}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no payment in the future: {v}"
    );
    let (s, b2) = post(
        &app,
        &finance,
        &format!("/api/v1/claims/payment-batches/{bid2}/confirmation"),
        &json!({"all_paid_on": day}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b2}");
    assert_eq!(b2["state"], "closed");
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{}", claims[1])).await;
    assert_eq!(d["payments"][0]["status"], "paid");
    assert_eq!(d["claim"]["state"], "closed");
    assert_eq!(used_of_aggregate(&app, cb.policy).await, used);
    let (s, _) = post(&app, &finance, "/api/v1/claims/payment-batches", &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "nothing waits");
    // Audited: made, confirmed.
    let mut tx = app.db.read().await.unwrap();
    let trail =
        firstcover::store::audit::for_entity(&mut tx, "claim_payment_batch", &bid.to_string())
            .await
            .unwrap();
    let mut actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
    actions.sort();
    assert_eq!(
        actions,
        vec!["claim.payment_batch", "claim.payment_batch_confirmed"]
    );
}

/// The batch list is paged on the server (no fixed cap): newest first with the total,
/// a cursor to the next page, a state filter, a clear error for an unknown state; the
/// page carries the same filter and page links.
async fn payment_batches_are_listed_a_page_at_a_time_with_a_state_filter(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let (_, pids) = approved_payments(&app, &cb).await;
    let make = |ids: Vec<i64>| {
        let (app, token) = (&app, cb.handler.clone());
        async move {
            let (s, b) = post(
                app,
                &token,
                "/api/v1/claims/payment-batches",
                &json!({ "payment_ids": ids }),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            (
                b["batch_id"].as_i64().unwrap(),
                b["batch_number"].as_str().unwrap().to_string(),
            )
        }
    };
    let (b1, n1) = make(vec![pids[0]]).await;
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/payment-batches/{b1}/cancel"),
        &json!({"reason": "文件未送达"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (b2, n2) = make(vec![pids[0]]).await;
    let (b3, _) = make(vec![pids[1]]).await;

    let (s, p) = get(&app, &cb.handler, "/api/v1/claims/payment-batches?limit=2").await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (p["total"].as_i64(), p["total_exact"].as_bool()),
        (Some(3), Some(true)),
        "{p}"
    );
    let ids: Vec<i64> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["batch_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![b3, b2], "{p}");
    let next = p["next"].as_str().expect("a next page").to_string();
    let (_, p) = get(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/payment-batches?limit=2&after={next}"),
    )
    .await;
    let ids: Vec<i64> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["batch_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![b1], "{p}");
    assert!(p["next"].is_null(), "{p}");

    let (_, p) = get(
        &app,
        &cb.handler,
        "/api/v1/claims/payment-batches?state=cancelled",
    )
    .await;
    assert_eq!(p["total"], 1, "{p}");
    assert_eq!(p["items"][0]["batch_id"], b1, "{p}");
    assert_eq!(p["items"][0]["state"], "cancelled", "{p}");
    let (_, p) = get(
        &app,
        &cb.handler,
        "/api/v1/claims/payment-batches?order=asc&limit=1",
    )
    .await;
    assert_eq!(p["items"][0]["batch_id"], b1, "{p}");
    let (s, v) = get(
        &app,
        &cb.handler,
        "/api/v1/claims/payment-batches?state=lost",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["field"], "state", "{v}");

    let (web, _) = app.login("handler", PASSWORD).await;
    let (_, html) = page(&web, &app, "/claims/payment-batches?state=cancelled").await;
    assert!(html.contains(&n1) && !html.contains(&n2), "{html}");
    assert!(html.contains("已撤销"), "{html}");
    assert!(html.contains(r#"value="cancelled" selected"#), "{html}");
    let (_, html) = page(&web, &app, "/claims/payment-batches").await;
    assert!(html.contains(&n1) && html.contains(&n2), "{html}");
}

async fn a_payment_marked_paid_on_its_claim_answers_its_batch_and_a_batch_can_be_cancelled(
    app: TestApp,
) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let (claims, pids) = approved_payments(&app, &cb).await;
    let (s, b) = post(
        &app,
        &cb.handler,
        "/api/v1/claims/payment-batches",
        &json!({"payment_ids": [pids[0]]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let bid = b["batch_id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{}/payments/{}/paid", claims[0], pids[0]),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, b) = get(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/payment-batches/{bid}"),
    )
    .await;
    assert_eq!(b["state"], "closed");
    assert_eq!(b["items"][0]["outcome"], "paid");
    // A batch the bank never saw is cancelled; its payment waits again.
    let (_, b2) = post(
        &app,
        &cb.handler,
        "/api/v1/claims/payment-batches",
        &json!({}),
    )
    .await;
    let bid2 = b2["batch_id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/payment-batches/{bid2}/cancel"),
        &json!({"reason": "文件未送达"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "cancelled");
    let (_, waiting) = get(&app, &cb.handler, "/api/v1/claims/payment-batches/waiting").await;
    assert_eq!(waiting[0]["payment_id"], pids[1]);
    // The pages: list, detail, confirm all by the form.
    let (web, _) = app.login("handler", PASSWORD).await;
    let (_, html) = page(&web, &app, "/claims/payment-batches").await;
    assert!(html.contains("已撤销"), "{html}");
    let csrf = hidden_field(&html, "csrf").unwrap();
    let r = web
        .post(app.url("/claims/payment-batches"))
        .form(&[("csrf", csrf.as_str()), ("note", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = page(&web, &app, &to).await;
    assert!(html.contains("待银行确认"), "{html}");
    let batch_path = to.split('?').next().unwrap().to_string();
    let today = firstcover::clock::Clock::System.today().to_string();
    let r = web
        .post(app.url(&format!("{batch_path}/confirm")))
        .form(&[("csrf", csrf.as_str()), ("all_paid_on", today.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{}", claims[1])).await;
    assert_eq!(d["payments"][0]["status"], "paid");
}

async fn a_claim_starts_from_the_policy_page_prefilled(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let (web, _) = app.login("handler", PASSWORD).await;
    let (_, html) = page(&web, &app, &format!("/policies/{}", cb.policy)).await;
    let link = format!("/claims/new?policy_id={}", cb.policy);
    assert!(html.contains(&link), "{html}");
    let (s, form) = page(&web, &app, &link).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("id=\"from-policy\""), "{form}");
    assert!(
        form.contains(&format!("name=\"policy_id\" value=\"{}\"", cb.policy)),
        "{form}"
    );
    assert!(
        form.contains("value=\"B2026-001\""),
        "units prefilled: {form}"
    );
    // Only the claim types the policy's sections cover (quality and liability here).
    assert!(form.contains("value=\"quality_repair\""), "{form}");
    assert!(!form.contains("value=\"transport_damage\""), "{form}");
    let csrf = hidden_field(&form, "csrf").unwrap();
    let policy = cb.policy.to_string();
    let r = web
        .post(app.url("/claims"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("policy_id", policy.as_str()),
            ("claim_type", "quality_repair"),
            ("event_date", "2026-04-01"),
            ("place", "宁波"),
            ("description", "主轴断裂"),
            ("units", "B2026-001"),
            ("amount_claimed", "50000.00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Another maker's client cannot open the form on this policy.
    let (s, m) = post(
        &app,
        &cb.b.uw,
        "/api/v1/parties",
        &json!({"kind": "maker", "name": "另一制造企业有限公司",
        "credit_code": crate::helpers::credit_code("91330110MA2H3K7Q0"), "province": "浙江省"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    app.add_user("other-client", Role::Client, m["party_id"].as_i64())
        .await;
    let (other, _) = app.login("other-client", PASSWORD).await;
    let (s, _) = page(&other, &app, &link).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

on_both_stores!(
    assignment_self_take_manager_reassign_and_my_claims,
    internal_notes_are_never_shown_to_the_client,
    the_claim_page_shows_the_client_its_own_view_only,
    several_documents_in_one_upload_all_or_nothing,
    deciding_or_approving_with_proof_missing_needs_a_reason,
    reserves_by_cost_type_sum_to_the_case_reserve,
    payment_batch_export_and_confirmation,
    a_payment_marked_paid_on_its_claim_answers_its_batch_and_a_batch_can_be_cancelled,
    payment_batches_are_listed_a_page_at_a_time_with_a_state_filter,
    a_claim_starts_from_the_policy_page_prefilled,
);

/// A decimal-string CNY amount from the API ("40000.00") in fen.
fn fen(v: &Value) -> i64 {
    let s = v.as_str().expect("amounts are decimal strings");
    let (yuan, cents) = s.split_once('.').unwrap_or((s, "00"));
    yuan.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap()
}
