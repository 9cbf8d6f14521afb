//! The full-premium collection certificate, its verification and revocation, the
//! stamped schedule, the client portal's downloads and the annex-3 export — over HTTP,
//! on SQLite and PostgreSQL.

use crate::helpers::TestApp;
use crate::on_both_stores;
use crate::readback;
use crate::underwriting::{book, first_year_quote, issued, Book};
use firstcover::domain::money::Money;
use firstcover::domain::numerals::capital_numerals;
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Read;

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

/// A Zhejiang-window policy (premium 14,000.00, subsidy estimate 11,200.00), issued.
pub async fn zhejiang_policy(app: &TestApp, b: &Book) -> (i64, String) {
    let mut q = first_year_quote(b, "2000000.00");
    q["period_start"] = json!("2025-01-01");
    q["period_end"] = json!("2025-12-31");
    q["contracts"] =
        json!([{"number": "HT-2024-9", "signed_on": "2024-11-20", "amount": "1000000.00"}]);
    q["delivery_date"] = json!("2024-12-15");
    issued(app, &b.uw, &q).await
}

/// Record a payment through billing's API; returns the payment id.
async fn pay(app: &TestApp, finance: &str, policy: i64, amount: &str, reference: &str) -> i64 {
    let (s, v) = post(
        app,
        finance,
        &format!("/api/v1/policies/{policy}/payments"),
        &json!({"payer": "浙江精工机械有限公司", "amount": amount, "paid_on": "2025-01-05",
                "method": "bank_transfer", "reference": reference}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["payment_id"]
        .as_i64()
        .or_else(|| v["id"].as_i64())
        .unwrap_or_else(|| panic!("no payment id in {v}"))
}

async fn certificate_only_when_fully_paid_verified_then_revoked(app: TestApp) {
    let b = book(&app, "uw.cert").await;
    let finance = app.api_user("fin.cert", Role::Finance, None).await;
    let (id, number) = zhejiang_policy(&app, &b).await;
    let path = format!("/api/v1/policies/{id}/certificate");

    // Nothing paid: refused, with the balance stated.
    let (s, v) = post(&app, &b.uw, &path, &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["type"], "/problems/conflict");
    assert!(v["detail"].as_str().unwrap().contains("14,000.00"), "{v}");
    pay(&app, &finance, id, "10000.00", "HZB-1").await;
    let (s, v) = get(&app, &b.uw, &path).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("4,000.00"), "{v}");
    let (s, _) = bytes(&app, &b.uw, &format!("{path}.pdf")).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Paid in full: issued once, the same certificate on every later request.
    let last = pay(&app, &finance, id, "4000.00", "HZB-2").await;
    let (s, cert) = post(&app, &b.uw, &path, &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{cert}");
    assert_eq!(cert["status"], "valid");
    assert_eq!(cert["total_premium"], "14000.00");
    assert_eq!(cert["policy_number"], number.as_str());
    let code = cert["verification_code"].as_str().unwrap().to_string();
    assert!(code.len() >= 26, "≥ 128 bits in base32: {code}");
    let (s, again) = get(&app, &b.uw, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["certificate_number"], cert["certificate_number"]);
    assert_eq!(again["verification_code"], cert["verification_code"]);

    // The PDF: byte-identical on every download, readable, QR to the verify page.
    let (s, pdf) = bytes(&app, &b.uw, &format!("{path}.pdf")).await;
    assert_eq!(s, StatusCode::OK);
    let (_, pdf2) = bytes(&app, &b.uw, &format!("{path}.pdf")).await;
    assert_eq!(pdf, pdf2);
    let text = readback::flat_text(&pdf);
    let words = capital_numerals(Money::from_yuan(14_000));
    for expected in [
        number.as_str(),
        "14,000.00",
        words.as_str(),
        "壹万肆仟元整",
        "HZB-1",
        "HZB-2",
        cert["certificate_number"].as_str().unwrap(),
        code.as_str(),
        "浙江精工机械有限公司",
    ] {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }
    let qr = readback::qr_codes(&pdf, 0);
    assert_eq!(
        qr,
        vec![cert["verification_url"].as_str().unwrap().to_string()]
    );
    let qr = &qr[0];
    assert!(qr.ends_with(&format!("/verify/{code}")), "{qr}");

    // Public verification, no token.
    let anon = app.client();
    let (s, v) = send(anon.get(app.url(&format!("/api/v1/verify/{code}")))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["policy_number"], number.as_str());
    assert_eq!(v["policyholder"], "浙江精工机械有限公司");
    assert_eq!(v["amount"], "14000.00");
    assert_eq!(v["certificate_number"], cert["certificate_number"]);
    assert_eq!(v["signature_valid"], true);
    let (_, key) = send(anon.get(app.url("/api/v1/certificates/public-key"))).await;
    assert_eq!(key["public_key"], cert["public_key"]);

    // The original file is genuine; one flipped byte is not.
    let check = |body: Vec<u8>| {
        anon.post(app.url(&format!("/api/v1/verify/{code}/pdf")))
            .header("Content-Type", "application/pdf")
            .body(body)
    };
    let (s, v) = send(check(pdf.clone())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["genuine"], true, "{v}");
    let mut altered = pdf.clone();
    let mid = altered.len() / 2;
    altered[mid] ^= 0x01;
    let (_, v) = send(check(altered)).await;
    assert_eq!(v["genuine"], false, "{v}");
    // The same through a browser's upload form (multipart).
    let form = reqwest::multipart::Form::new().part(
        "pdf",
        reqwest::multipart::Part::bytes(pdf.clone()).file_name("cert.pdf"),
    );
    let (_, v) = send(
        anon.post(app.url(&format!("/api/v1/verify/{code}/pdf")))
            .multipart(form),
    )
    .await;
    assert_eq!(v["genuine"], true, "{v}");

    // A reversed payment revokes it, in billing's transaction.
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/payments/{last}/reversal"),
        &json!({"reason": "银行退票"}),
    )
    .await;
    assert!(s.is_success(), "{v}");
    let (_, v) = send(anon.get(app.url(&format!("/api/v1/verify/{code}")))).await;
    assert_eq!(v["status"], "revoked", "{v}");
    let (s, v) = get(&app, &b.uw, &path).await;
    assert_eq!(s, StatusCode::CONFLICT, "unpaid again: {v}");

    // Paid again: a new certificate with a new number and code.
    pay(&app, &finance, id, "4000.00", "HZB-3").await;
    let (s, fresh) = post(&app, &b.uw, &path, &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{fresh}");
    assert_ne!(fresh["certificate_number"], cert["certificate_number"]);
    assert_ne!(fresh["verification_code"], cert["verification_code"]);
    let (_, history) = get(&app, &b.uw, &format!("/api/v1/policies/{id}/certificates")).await;
    let states: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["valid", "revoked"]);
    let auditor = app.api_user("audit.cert", Role::Auditor, None).await;
    let (s, audit) = get(&app, &auditor, "/api/v1/audit?limit=200").await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    let actions = audit.to_string();
    assert!(actions.contains("certificate.issue") && actions.contains("certificate.revoke"));
}

async fn a_client_sees_only_its_own_makers_documents(app: TestApp) {
    let a = book(&app, "uw.portal").await;
    let finance = app.api_user("fin.portal", Role::Finance, None).await;
    let (mine, number) = zhejiang_policy(&app, &a).await;
    // Maker B with its own policy.
    let (s, v) = post(
        &app,
        &a.uw,
        "/api/v1/parties",
        &json!({"kind": "maker", "name": "杭州另一家制造有限公司", "province": "浙江省",
                "credit_code": crate::helpers::credit_code("91330100MA2AAAAA1")}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let other_maker = v["party_id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &a.uw,
        "/api/v1/catalogue",
        &json!({"maker_id": other_maker, "edition": "national-2024", "product_name": "数控转台",
                "field": "高档数控机床", "unit_type": "key_component", "tier": "domestic",
                "qualification_year": 2024, "valid_from": "2024-01-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let b = Book {
        uw: a.uw.clone(),
        maker: other_maker,
        user: a.user,
        item: v["catalogue_item_id"].as_i64().unwrap(),
    };
    let (theirs, _) = zhejiang_policy(&app, &b).await;
    pay(&app, &finance, mine, "14000.00", "A-1").await;
    pay(&app, &finance, theirs, "14000.00", "B-1").await;

    let client = app.api_user("client.a", Role::Client, Some(a.maker)).await;
    // Issuing is a POST (a GET never issues); the client may issue its own.
    let (s, v) = post(
        &app,
        &client,
        &format!("/api/v1/policies/{mine}/certificate"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    for path in [
        format!("/api/v1/policies/{theirs}"),
        format!("/api/v1/policies/{theirs}/schedule.pdf"),
        format!("/api/v1/policies/{theirs}/certificate"),
        format!("/api/v1/policies/{theirs}/certificate.pdf"),
        format!("/api/v1/policies/{theirs}/subsidy-pack.zip"),
    ] {
        let (s, _) = bytes(&app, &client, &path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, list) = get(&app, &client, "/api/v1/policies").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["policy_id"], mine);

    // Their own: the stamped schedule, and the pack with its four entries.
    let (s, schedule) = bytes(
        &app,
        &client,
        &format!("/api/v1/policies/{mine}/schedule.pdf"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let text = readback::flat_text(&schedule);
    for expected in [
        number.as_str(),
        "保险单",
        "宁波港用户有限公司",
        "壹万肆仟元整",
        "保险专用章",
    ] {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }
    let (s, zip) = bytes(
        &app,
        &client,
        &format!("/api/v1/policies/{mine}/subsidy-pack.zip"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut names: Vec<String> = archive
        .file_names()
        .map(|n| n.expect("a readable entry name").into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    let read = |archive: &mut zip::ZipArchive<_>, prefix: &str| {
        let name = names
            .iter()
            .find(|n| n.starts_with(prefix))
            .unwrap()
            .clone();
        let mut out = Vec::new();
        archive
            .by_name(&name)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    let cert = read(&mut archive, "certificate-");
    assert!(cert.starts_with(b"%PDF-"));
    let (_, cert_direct) = bytes(
        &app,
        &client,
        &format!("/api/v1/policies/{mine}/certificate.pdf"),
    )
    .await;
    assert_eq!(
        cert, cert_direct,
        "the pack holds the certificate as issued"
    );
    assert!(read(&mut archive, "schedule-").starts_with(b"%PDF-"));
    let ledger = String::from_utf8(read(&mut archive, "payment-ledger-")).unwrap();
    assert!(
        ledger.contains(&format!("{number},1,2025-01-05,14000.00,银行转账,A-1")),
        "{ledger}"
    );
    assert!(ledger.contains("未缴余额,,0.00"), "{ledger}");
    let summary = String::from_utf8(read(&mut archive, "programme-summary-")).unwrap();
    assert!(summary.contains(&number), "{summary}");
    assert!(summary.contains("1.4000,1.4000,1.1200"), "{summary}");
}

async fn annex3_export_has_the_columns_and_amounts_in_wan(app: TestApp) {
    let b = book(&app, "uw.annex").await;
    let (id, number) = zhejiang_policy(&app, &b).await;
    let _ = id;
    let q = format!(
        "maker_id={}&programme_id=zhejiang-2025&from=2024-09-01&to=2025-08-31",
        b.maker
    );
    let (s, csv) = bytes(&app, &b.uw, &format!("/api/v1/exports/annex3.csv?{q}")).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&csv));
    let csv = String::from_utf8(csv).unwrap();
    let csv = csv.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "序号,市,县(市、区),企业名称,承保单位,用户单位,投保装备名称,认定年份,保单编号,起保时间,终保时间,是否续保,首保年度,装备交付时间,累计责任限额,投保装备数量(台/套),投保装备总价值,保险费率(%),保费金额,已缴保费金额,申报保费补贴金额,备注"
    );
    assert_eq!(lines.len(), 2, "{csv}");
    let cells: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(cells[0], "1");
    assert_eq!(cells[3], "浙江精工机械有限公司");
    assert_eq!(cells[5], "宁波港用户有限公司");
    assert_eq!(cells[6], "精密主轴");
    assert_eq!(cells[7], "2024");
    assert_eq!(cells[8], number);
    assert_eq!(
        &cells[9..15],
        [
            "2025-01-01",
            "2025-12-31",
            "否",
            "2025",
            "2024-12-15",
            "200.0000"
        ]
    );
    assert_eq!(
        &cells[15..21],
        ["50", "100.0000", "1.4", "1.4000", "0.0000", "1.1200"]
    );
    assert!(cells[21].contains("待满足"), "{}", cells[21]);

    // Outside the period: no rows. Another maker's client: not found.
    let (_, empty) = bytes(
        &app,
        &b.uw,
        &format!("/api/v1/exports/annex3.csv?maker_id={}&programme_id=zhejiang-2025&from=2025-02-01&to=2025-08-31", b.maker),
    )
    .await;
    assert_eq!(String::from_utf8(empty).unwrap().lines().count(), 1);
    let (s, v) = post(
        &app,
        &b.uw,
        "/api/v1/parties",
        &json!({"kind": "maker", "name": "温州别家制造有限公司", "province": "浙江省",
                "credit_code": crate::helpers::credit_code("91330300MA2BBBBB2")}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let stranger = app
        .api_user("client.other", Role::Client, v["party_id"].as_i64())
        .await;
    let (s, _) = bytes(&app, &stranger, &format!("/api/v1/exports/annex3.csv?{q}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The workbook: title, headings on row 3, the same figures as numbers.
    let (s, xlsx) = bytes(&app, &b.uw, &format!("/api/v1/exports/annex3.xlsx?{q}")).await;
    assert_eq!(s, StatusCode::OK);
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let range = book.worksheet_range("附件3").unwrap();
    assert_eq!(
        range.get_value((0, 0)),
        Some(&Data::String(
            "浙江省制造业首台(套)装备保险补偿申报汇总表".into()
        ))
    );
    assert_eq!(
        range.get_value((2, 20)),
        Some(&Data::String("申报保费补贴金额".into()))
    );
    assert_eq!(range.get_value((3, 8)), Some(&Data::String(number.clone())));
    assert_eq!(range.get_value((3, 14)), Some(&Data::Float(200.0)));
    assert_eq!(range.get_value((3, 18)), Some(&Data::Float(1.4)));
    assert_eq!(range.get_value((3, 20)), Some(&Data::Float(1.12)));
}

async fn verification_lookups_are_rate_limited(app: TestApp) {
    let anon = app.client();
    let url = app.url("/api/v1/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    // GCRA (governor): the allowance is the per-minute number at once, refilled evenly
    // (one per 60/n s), so a slow run may see one more answered per refill interval.
    let n = u64::from(app.config.certificates.verify_per_minute);
    let started = std::time::Instant::now();
    let mut answered = 0u64;
    let r = loop {
        let r = anon.get(&url).send().await.unwrap();
        if r.status() != StatusCode::NOT_FOUND {
            break r;
        }
        answered += 1;
        assert!(answered <= 2 * n, "never limited");
    };
    let refilled = started.elapsed().as_secs() * n / 60 + 1;
    assert!(
        (n..=n + refilled).contains(&answered),
        "{answered} answered, limit {n}"
    );
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["type"], "/problems/rate-limited");
    // The page counts against the same limit.
    let r = anon.get(app.url("/verify/AAAA")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// An endorsement that adds premium makes the policy unpaid again: its certificate is
/// revoked in the endorsement's transaction, with the reason; one that returns premium
/// leaves it valid. Paying the addition allows a new certificate for the new premium.
async fn an_endorsement_adding_premium_revokes_the_certificate(app: TestApp) {
    let b = book(&app, "uw.cert.endorse").await;
    let finance = app.api_user("fin.cert.endorse", Role::Finance, None).await;
    let (id, _) = zhejiang_policy(&app, &b).await;
    let path = format!("/api/v1/policies/{id}/certificate");
    pay(&app, &finance, id, "14000.00", "HZB-E1").await;
    let (s, cert) = post(&app, &b.uw, &path, &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{cert}");
    let code = cert["verification_code"].as_str().unwrap().to_string();

    // A higher limit alone moves no premium: the certificate stays valid.
    let endorsements = format!("/api/v1/policies/{id}/endorsements");
    let (s, v) = post(
        &app,
        &b.uw,
        &endorsements,
        &json!({"effective_on": "2025-06-01",
        "reason": "提高限额", "aggregate_limit": "2200000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["adjustment"], "0.00");
    let anon = app.client();
    let (_, v) = send(anon.get(app.url(&format!("/api/v1/verify/{code}")))).await;
    assert_eq!(v["status"], "valid", "{v}");

    // 60 units from 2025-07-01: 1,411.51 more is due, so the certificate is revoked.
    let (s, v) = post(
        &app,
        &b.uw,
        &endorsements,
        &json!({"effective_on": "2025-07-01", "reason": "追加 10 件",
        "units": [{"serial": "B2026-001", "quantity": 60, "unit_value": "20000.00"}],
        "aggregate_limit": "2400000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["adjustment"], "1411.51");
    let (_, v) = send(anon.get(app.url(&format!("/api/v1/verify/{code}")))).await;
    assert_eq!(v["status"], "revoked", "{v}");
    let (_, history) = get(&app, &b.uw, &format!("/api/v1/policies/{id}/certificates")).await;
    assert!(
        history[0]["revoked_reason"]
            .as_str()
            .unwrap()
            .contains("1,411.51"),
        "{history}"
    );
    let (s, v) = post(&app, &b.uw, &path, &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("1,411.51"), "{v}");

    // Paid: a new certificate for 15,411.51.
    pay(&app, &finance, id, "1411.51", "HZB-E2").await;
    let (s, fresh) = post(&app, &b.uw, &path, &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{fresh}");
    assert_eq!(fresh["total_premium"], "15411.51");
    assert_ne!(fresh["verification_code"], cert["verification_code"]);
}

on_both_stores!(
    an_endorsement_adding_premium_revokes_the_certificate,
    certificate_only_when_fully_paid_verified_then_revoked,
    a_client_sees_only_its_own_makers_documents,
    annex3_export_has_the_columns_and_amounts_in_wan,
    verification_lookups_are_rate_limited,
);
