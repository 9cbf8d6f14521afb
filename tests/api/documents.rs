//! The endorsement document (批单) of every endorsement and cancellation and the
//! insurance certificate for the user unit (保险凭证): issued once, read back from the
//! PDF, verifiable on the public page, superseded when the policy changes — over HTTP,
//! on SQLite and PostgreSQL.

use crate::helpers::TestApp;
use crate::on_both_stores;
use crate::readback;
use crate::underwriting::{book, first_year_quote, issued, Book};
use firstcover::domain::money::Money;
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn send(r: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let r = r.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    send(app.client().get(app.url(path)).bearer_auth(token)).await
}

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    send(
        app.client()
            .post(app.url(path))
            .bearer_auth(token)
            .json(body),
    )
    .await
}

async fn bytes(app: &TestApp, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let r = app
        .client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status(), r.bytes().await.unwrap().to_vec())
}

/// Premium 14,000.00 for 2025, 50 units of B2026-001 at 20,000.00; QUALITY (no limit of
/// its own) and LIABILITY (500,000.00).
async fn policy_2025(app: &TestApp, b: &Book) -> (i64, String) {
    let mut q = first_year_quote(b, "2000000.00");
    q["period_start"] = json!("2025-01-01");
    q["period_end"] = json!("2025-12-31");
    q["contracts"] =
        json!([{"number": "HT-2024-9", "signed_on": "2024-11-20", "amount": "1000000.00"}]);
    q["delivery_date"] = json!("2024-12-15");
    issued(app, &b.uw, &q).await
}

async fn endorse(app: &TestApp, b: &Book, id: i64, body: Value) -> String {
    let (s, v) = post(
        app,
        &b.uw,
        &format!("/api/v1/policies/{id}/endorsements"),
        &body,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["adjustment"].as_str().unwrap().to_string()
}

/// Public lookup of a verification code.
async fn verify(app: &TestApp, code: &str) -> Value {
    let (s, v) = send(app.client().get(app.url(&format!("/api/v1/verify/{code}")))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn endorsement_documents_are_issued_once_and_verifiable(app: TestApp) {
    let b = book(&app, "uw.pd").await;
    let (id, number) = policy_2025(&app, &b).await;
    // Version 2: the limit alone. Version 3: 60 units from 2025-07-01, 1,411.51 more.
    endorse(
        &app,
        &b,
        id,
        json!({"effective_on": "2025-06-01", "reason": "提高限额", "aggregate_limit": "2200000.00"}),
    )
    .await;
    let added = endorse(
        &app,
        &b,
        id,
        json!({"effective_on": "2025-07-01", "reason": "追加 10 件",
               "units": [{"serial": "B2026-001", "quantity": 60, "unit_value": "20000.00"}],
               "aggregate_limit": "2400000.00"}),
    )
    .await;
    assert_eq!(added, "1411.51");

    let path = format!("/api/v1/policies/{id}/versions/3/endorsement");
    // A GET never issues (no state change on a safe method): there is no GET route.
    let (s, _) = get(&app, &b.uw, &path).await;
    assert!(s.is_client_error(), "{s}");
    let (s, doc) = post(&app, &b.uw, &path, &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{doc}");
    assert_eq!(doc["kind"], "endorsement");
    assert_eq!(doc["document_number"], format!("{number}-PD02"));
    assert_eq!(doc["amount"], "1411.51");
    assert_eq!(doc["status"], "valid");
    assert_eq!(doc["version_seq"], 3);
    let code = doc["verification_code"].as_str().unwrap().to_string();
    assert!(code.len() >= 26, "≥ 128 bits in base32: {code}");
    let (s, again) = post(&app, &b.uw, &path, &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["verification_code"], doc["verification_code"]);

    // The PDF: the same bytes every time; each change with before and after; the
    // premium effect to the fen with separators and in capital numerals.
    let (s, pdf) = bytes(&app, &b.uw, &format!("{path}.pdf")).await;
    assert_eq!(s, StatusCode::OK);
    let (_, pdf2) = bytes(&app, &b.uw, &format!("{path}.pdf")).await;
    assert_eq!(pdf, pdf2);
    let text = readback::flat_text(&pdf);
    let words = firstcover::domain::numerals::capital_numerals(Money::from_fen(141_151));
    for expected in [
        "批单",
        doc["document_number"].as_str().unwrap(),
        number.as_str(),
        "浙江精工机械有限公司",
        "宁波港用户有限公司",
        "追加10件",
        "自2025年7月1日零时起生效",
        "保险标的B2026-001",
        "50台（套），单位价值¥20,000.00",
        "60台（套），单位价值¥20,000.00",
        "投保数量",
        "保险金额（投保装备总价值）",
        "¥1,000,000.00",
        "¥1,200,000.00",
        "累计责任限额",
        "¥2,200,000.00",
        "¥2,400,000.00",
        "批改前全期保险费¥14,000.00",
        // The full-term premium at the new terms; what is due is the old plus the addition.
        "批改后全期保险费¥16,800.00",
        "批改后应收保险费合计¥15,411.51",
        "加收保险费",
        &format!("人民币{words}（¥1,411.51）"),
        "保险专用章",
        code.as_str(),
    ] {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }
    let qr = readback::qr_codes(&pdf, 0);
    assert_eq!(
        qr,
        vec![doc["verification_url"].as_str().unwrap().to_string()]
    );
    assert!(qr[0].ends_with(&format!("/verify/{code}")), "{qr:?}");

    // Anyone verifies it: what it states, the signature, the file.
    let v = verify(&app, &code).await;
    assert_eq!(v["kind"], "endorsement");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["certificate_number"], doc["document_number"]);
    assert_eq!(v["policy_number"], number.as_str());
    assert_eq!(v["policyholder"], "浙江精工机械有限公司");
    assert_eq!(v["amount"], "1411.51");
    assert_eq!(v["signature_valid"], true);
    let check = |body: Vec<u8>| {
        app.client()
            .post(app.url(&format!("/api/v1/verify/{code}/pdf")))
            .header("Content-Type", "application/pdf")
            .body(body)
    };
    let (_, v) = send(check(pdf.clone())).await;
    assert_eq!(v["genuine"], true, "{v}");
    let mut altered = pdf.clone();
    let mid = altered.len() / 2;
    altered[mid] ^= 0x01;
    let (_, v) = send(check(altered)).await;
    assert_eq!(v["genuine"], false, "{v}");
    let html = app
        .client()
        .get(app.url(&format!("/verify/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("批单") && html.contains("加收保险费（元）"),
        "{html}"
    );
    assert!(html.contains("1,411.51"), "{html}");

    // Version 2's document: the limit only, no premium. Not issued yet: the GET says so.
    let v2 = format!("/api/v1/policies/{id}/versions/2/endorsement");
    let (s, _) = bytes(&app, &b.uw, &format!("{v2}.pdf")).await;
    assert_eq!(s, StatusCode::CONFLICT, "a GET issues nothing");
    let (s, _) = post(&app, &b.uw, &v2, &json!({})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, pdf) = bytes(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/versions/2/endorsement.pdf"),
    )
    .await;
    let text = readback::flat_text(&pdf);
    assert!(text.contains(&format!("{number}-PD01")), "{text}");
    assert!(
        text.contains("保险费不变") && text.contains("本次批改不涉及保险费变动"),
        "{text}"
    );
    assert!(
        !text.contains("保险标的B2026-001"),
        "the units did not change: {text}"
    );

    // The issue itself has no 批单; the maker's client downloads its own; another's
    // client finds nothing.
    let (s, _) = get(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/versions/1/endorsement"),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/versions/9/endorsement"),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let client = app.api_user("client.pd", Role::Client, Some(b.maker)).await;
    let (s, mine) = bytes(&app, &client, &format!("{path}.pdf")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mine, pdf2, "the client gets the file as issued");
    let (s, v) = send(
        app.client()
            .post(app.url("/api/v1/parties"))
            .bearer_auth(&b.uw)
            .json(
                &json!({"kind": "maker", "name": "温州别家制造有限公司", "province": "浙江省",
                "credit_code": crate::helpers::credit_code("91330300MA2BBBBB2")}),
            ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let stranger = app
        .api_user("client.pd.other", Role::Client, v["party_id"].as_i64())
        .await;
    let (s, _) = bytes(&app, &stranger, &format!("{path}.pdf")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A cancellation has its 批单 too: the end of cover and the return premium.
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/cancel"),
        &json!({"last_day_covered": "2025-09-30", "by": "insurer", "reason": "投保人未履行如实告知义务"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let refund = Money::parse(v["return_premium"].as_str().unwrap()).unwrap();
    assert!(refund.fen() > 0, "{v}");
    let (s, doc) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/versions/4/endorsement"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{doc}");
    assert_eq!(doc["amount"], format!("-{refund}"));
    let (_, pdf) = bytes(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/versions/4/endorsement.pdf"),
    )
    .await;
    let text = readback::flat_text(&pdf);
    for expected in [
        "退保（解除保险合同）",
        "兹因本公司依照保险合同约定解除合同",
        "保险责任终止时间",
        "2025年12月31日二十四时",
        "2025年9月30日二十四时",
        "已解除（保险人解除）",
        "退还保险费",
        &format!("（¥{}）", refund.grouped()),
        "投保人未履行如实告知义务",
    ] {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }
    let v = verify(&app, doc["verification_code"].as_str().unwrap()).await;
    assert_eq!(v["amount"], format!("-{refund}"));

    let (_, list) = get(&app, &b.uw, &format!("/api/v1/policies/{id}/documents")).await;
    assert_eq!(list.as_array().unwrap().len(), 3, "{list}");
    let auditor = app.api_user("audit.pd", Role::Auditor, None).await;
    let (_, audit) = get(&app, &auditor, "/api/v1/audit?limit=200").await;
    assert!(audit.to_string().contains("document.issue"), "{audit}");
}

async fn the_insurance_certificate_is_for_the_user_unit_and_follows_the_policy(app: TestApp) {
    let b = book(&app, "uw.pz").await;
    let (id, number) = policy_2025(&app, &b).await;
    let client = app.api_user("client.pz", Role::Client, Some(b.maker)).await;
    let path = format!("/api/v1/policies/{id}/insurance-certificate");

    // The maker downloads it (no payment needed: the cover is what it proves).
    let (s, doc) = post(&app, &client, &path, &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{doc}");
    assert_eq!(doc["kind"], "insurance_certificate");
    assert_eq!(doc["party_name"], "宁波港用户有限公司");
    assert_eq!(doc["amount"], "2000000.00");
    assert_eq!(doc["version_seq"], 1);
    let code = doc["verification_code"].as_str().unwrap().to_string();
    let (s, pdf) = bytes(&app, &client, &format!("{path}.pdf")).await;
    assert_eq!(s, StatusCode::OK);
    let text = readback::flat_text(&pdf);
    for expected in [
        "保险凭证",
        doc["document_number"].as_str().unwrap(),
        number.as_str(),
        "被保险人（受益人，使用单位）",
        "宁波港用户有限公司",
        "浙江精工机械有限公司",
        "精密主轴",
        "B2026-001",
        "50台（套）",
        "20,000.00",
        "人民币壹佰万元整（¥1,000,000.00）",
        "自2025年1月1日零时起至2025年12月31日二十四时止",
        "人民币贰佰万元整（¥2,000,000.00）",
        "质量风险",
        "未单独约定",
        "500,000.00",
        "工信部联重装〔2024〕89号",
        "三(五)",
        "对于已投保质量保障类保险的首台(套)、首批次，一般不再收取质量保证金",
        "工信厅联合重装〔2025〕46号",
        "四(四)",
        "获得保险补偿政策支持的装备制造企业，在开展采购活动时，对于已投保质量保障类保险的装备，不应收取质量保证金",
        "保险专用章",
        code.as_str(),
    ] {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }
    assert_eq!(
        readback::qr_codes(&pdf, 0),
        vec![doc["verification_url"].as_str().unwrap().to_string()]
    );
    let v = verify(&app, &code).await;
    assert_eq!(v["kind"], "insurance_certificate");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["beneficiary"], "宁波港用户有限公司");
    assert_eq!(v["policyholder"], "浙江精工机械有限公司");
    assert_eq!(v["amount"], "2000000.00");
    assert_eq!(v["signature_valid"], true);
    let (s, again) = post(&app, &b.uw, &path, &json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["verification_code"], doc["verification_code"]);
    let html = app
        .client()
        .get(app.url(&format!("/verify/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("保险凭证") && html.contains("宁波港用户有限公司"),
        "{html}"
    );
    assert!(html.contains("2,000,000.00"), "{html}");

    // An endorsement changes what it states: the old one reads as revoked at once, and
    // the next request issues a new one on the new terms.
    endorse(
        &app,
        &b,
        id,
        json!({"effective_on": "2025-06-01", "reason": "提高限额", "aggregate_limit": "2200000.00"}),
    )
    .await;
    let v = verify(&app, &code).await;
    assert_eq!(v["status"], "revoked", "{v}");
    assert!(
        v["revoked_reason"]
            .as_str()
            .unwrap()
            .contains(&format!("{number}-PD01")),
        "{v}"
    );
    let (_, list) = get(&app, &client, &format!("/api/v1/policies/{id}/documents")).await;
    assert_eq!(
        list[0]["status"], "revoked",
        "the list agrees before reissue: {list}"
    );
    // The stale one is not downloaded as if current, and a GET issues nothing.
    let (s, _) = bytes(&app, &client, &format!("{path}.pdf")).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, fresh) = post(&app, &client, &path, &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{fresh}");
    assert_ne!(fresh["verification_code"], doc["verification_code"]);
    assert_ne!(fresh["document_number"], doc["document_number"]);
    assert_eq!(fresh["amount"], "2200000.00");
    assert_eq!(fresh["version_seq"], 2);
    let (_, pdf) = bytes(&app, &client, &format!("{path}.pdf")).await;
    assert!(readback::flat_text(&pdf).contains("人民币贰佰贰拾万元整（¥2,200,000.00）"));
    let (_, list) = get(&app, &client, &format!("/api/v1/policies/{id}/documents")).await;
    let states: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "insurance_certificate")
        .map(|d| (d["status"].as_str().unwrap(), d["amount"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("valid", "2200000.00"), ("revoked", "2000000.00")]);

    // Cancelled: no certificate any more, and the last one reads as revoked.
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/cancel"),
        &json!({"last_day_covered": "2025-09-30", "by": "policyholder", "reason": "设备退货"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let fresh_code = fresh["verification_code"].as_str().unwrap();
    let v = verify(&app, fresh_code).await;
    assert_eq!(v["status"], "revoked", "{v}");
    let (s, v) = post(&app, &client, &path, &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, _) = bytes(&app, &client, &format!("{path}.pdf")).await;
    assert_eq!(s, StatusCode::CONFLICT, "no certificate once cancelled");
    let (_, list) = get(&app, &client, &format!("/api/v1/policies/{id}/documents")).await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"] == "insurance_certificate")
            .all(|d| d["status"] == "revoked"),
        "{list}"
    );
    let auditor = app.api_user("audit.pz", Role::Auditor, None).await;
    let (_, audit) = get(&app, &auditor, "/api/v1/audit?limit=200").await;
    assert!(audit.to_string().contains("document.revoke"), "{audit}");
}

/// The portal offers the maker the 保险凭证 and each 批单; the policy page offers staff
/// the 批单 of each version.
async fn the_portal_and_the_policy_page_link_the_documents(app: TestApp) {
    let b = book(&app, "uw.pd.page").await;
    let (id, _) = policy_2025(&app, &b).await;
    endorse(
        &app,
        &b,
        id,
        json!({"effective_on": "2025-06-01", "reason": "提高限额", "aggregate_limit": "2200000.00"}),
    )
    .await;
    app.add_user("client.pd.page", Role::Client, Some(b.maker))
        .await;
    let (c, _) = app.login("client.pd.page", crate::helpers::PASSWORD).await;
    let html = c
        .get(app.url("/portal"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Buttons that POST (following a link must never issue a document).
    assert!(
        html.contains(&format!(
            "action=\"/policies/{id}/insurance-certificate/issue\""
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "action=\"/policies/{id}/versions/2/endorsement/issue\""
        )),
        "{html}"
    );
    assert!(
        html.contains("保险凭证（交使用单位）") && html.contains("批单 1"),
        "{html}"
    );
    let pdf_url = format!("/api/v1/policies/{id}/versions/2/endorsement.pdf");
    let r = c.get(app.url(&pdf_url)).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "a GET before the 批单 is issued issues nothing"
    );
    let csrf = crate::helpers::hidden_field(&html, "csrf").expect("csrf on the portal");
    let r = c
        .post(app.url(&format!("/policies/{id}/versions/2/endorsement/issue")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the portal's button issues it"
    );
    assert_eq!(r.headers()["location"], pdf_url.as_str());
    let r = c.get(app.url(&pdf_url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "once issued, the GET reads it");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
    let r = c
        .post(app.url(&format!("/policies/{id}/insurance-certificate/issue")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let pdf_url = format!("/api/v1/policies/{id}/insurance-certificate.pdf");
    assert_eq!(r.headers()["location"], pdf_url.as_str());
    let r = c.get(app.url(&pdf_url)).send().await.unwrap();
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));

    app.add_user("uw.pd.page.web", Role::Underwriter, None)
        .await;
    let (u, _) = app.login("uw.pd.page.web", crate::helpers::PASSWORD).await;
    let html = u
        .get(app.url(&format!("/policies/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let versions = &html[html.find("id=\"versions\"").expect("versions table")..];
    let versions = &versions[..versions.find("</tbody>").unwrap()];
    assert_eq!(
        versions.matches("endorsement/issue").count(),
        1,
        "{versions}"
    );
    assert!(versions.contains(&format!("/policies/{id}/versions/2/endorsement/issue")));
    assert!(html.contains("id=\"insurance-certificate\""), "{html}");
}

on_both_stores!(
    endorsement_documents_are_issued_once_and_verifiable,
    the_insurance_certificate_is_for_the_user_unit_and_follows_the_policy,
    the_portal_and_the_policy_page_link_the_documents,
);
