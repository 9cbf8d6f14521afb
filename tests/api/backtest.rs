//! Rate backtesting over the real app on both stores: a portfolio issued through the API
//! (with a cancellation and an endorsement), losses in the loss tables, and the
//! triangles, earned premium and loss ratios the data step and the report produce —
//! every expected figure worked out by hand below. The XML is checked against the XSD.

use crate::helpers::TestApp;
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote, issued};
use chrono::NaiveDate;
use firstcover::domain::money::Money;
use firstcover::domain::role::Role;
use firstcover::services::backtest::{self, report::Level, xml};
use firstcover::services::Ctx;
use firstcover::store::backtest::Basis;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn yuan(s: &str) -> Money {
    Money::parse(s).unwrap()
}

pub async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let r = app
        .client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Three first-year key-component policies of 14,000.00 premium (1,000,000 × 1.4 %):
/// - A 2024-01-10..2024-12-31, no programme;
/// - B 2025-01-01..2025-12-31, cancelled with 2025-06-30 the last day covered:
///   return 14,000 × 184 / 365 = 7,057.53, kept 6,942.47;
/// - C 2025-07-01..2026-06-30, endorsed to 60 units (16,800 full term) from 2026-01-01:
///   additional (16,800 − 14,000) × 181 / 365 = 1,388.49.
///
/// Losses (fen in the tables):
/// - A1 (accident 2024-05-10): reserve 3,000 (2024-05-20); 2,500 paid and reserve 1,000
///   (2025-03-01); 800 paid, reserve 0 (2025-09-01); reopened, 330 paid (2026-04-01);
///   100 paid after the valuation date (2026-08-01).
/// - B1 (accident 2025-03-01): reserve 2,000 (2025-03-05); 500 paid, reserve 1,500
///   (2026-02-01).
/// - C1 (accident 2026-01-15): reserve 1,000 (2026-02-01). C2 withdrawn (reported
///   2026-03-01). C3 reported after the valuation date (2026-07-05).
pub async fn seed(app: &TestApp) -> (i64, i64, i64) {
    let b = book(app, "uw.backtest").await;
    let mut qa = first_year_quote(&b, "2000000.00");
    qa["period_start"] = json!("2024-01-10");
    qa["period_end"] = json!("2024-12-31");
    qa["contracts"] =
        json!([{"number": "HT-2024-1", "signed_on": "2024-01-02", "amount": "1000000.00"}]);
    qa["delivery_date"] = json!("2024-01-05");
    qa["programme_id"] = Value::Null;
    let (a, _) = issued(app, &b.uw, &qa).await;

    let mut qb = first_year_quote(&b, "2000000.00");
    qb["period_start"] = json!("2025-01-01");
    qb["period_end"] = json!("2025-12-31");
    qb["contracts"] =
        json!([{"number": "HT-2024-9", "signed_on": "2024-11-20", "amount": "1000000.00"}]);
    qb["delivery_date"] = json!("2024-12-15");
    let (pb, _) = issued(app, &b.uw, &qb).await;
    let (s, v) = post(
        app,
        &b.uw,
        &format!("/api/v1/policies/{pb}/cancel"),
        &json!({"last_day_covered": "2025-06-30", "by": "policyholder", "reason": "设备退货"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["return_premium"], "7057.53");

    let mut qc = first_year_quote(&b, "2000000.00");
    qc["period_start"] = json!("2025-07-01");
    qc["period_end"] = json!("2026-06-30");
    qc["contracts"] =
        json!([{"number": "HT-2025-3", "signed_on": "2025-05-20", "amount": "1000000.00"}]);
    qc["delivery_date"] = json!("2025-06-15");
    let (pc, _) = issued(app, &b.uw, &qc).await;
    let (s, v) = post(
        app,
        &b.uw,
        &format!("/api/v1/policies/{pc}/endorsements"),
        &json!({"effective_on": "2026-01-01", "reason": "追加 10 件",
                "units": [{"serial": "B2026-001", "quantity": 60, "unit_value": "20000.00"}],
                "aggregate_limit": "2400000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["adjustment"], "1388.49");

    for sql in [
        format!(
            "insert into backtest_claim_import (claim_ref, policy_id, accident_date, reported_date, status) values \
             ('A1', {a}, '2024-05-10', '2024-05-20', 'open'), \
             ('B1', {pb}, '2025-03-01', '2025-03-05', 'open'), \
             ('C1', {pc}, '2026-01-15', '2026-02-01', 'open'), \
             ('C2', {pc}, '2026-02-20', '2026-03-01', 'withdrawn'), \
             ('C3', {pc}, '2026-06-20', '2026-07-05', 'open')"
        ),
        "insert into backtest_reserve_import (claim_ref, amount, set_at) values \
         ('A1', 300000, '2024-05-20'), ('A1', 100000, '2025-03-01'), ('A1', 0, '2025-09-01'), \
         ('B1', 200000, '2025-03-05'), ('B1', 150000, '2026-02-01'), \
         ('C1', 100000, '2026-02-01'), ('C2', 0, '2026-03-01'), ('C3', 900000, '2026-07-05')"
            .to_string(),
        "insert into backtest_payment_import (claim_ref, amount, paid_at) values \
         ('A1', 250000, '2025-03-01'), ('A1', 80000, '2025-09-01'), ('A1', 33000, '2026-04-01'), \
         ('A1', 10000, '2026-08-01'), ('B1', 50000, '2026-02-01')"
            .to_string(),
    ] {
        app.execute(&sql).await;
    }
    (a, pb, pc)
}

fn row(g: &backtest::report::GroupReport, year: i32) -> &backtest::report::OriginRow {
    g.origins.iter().find(|o| o.year == year).unwrap()
}

fn money_rows(rows: &[Vec<Money>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|m| m.to_string()).collect())
        .collect()
}

async fn seeded_portfolio_gives_the_hand_computed_triangles(app: TestApp) {
    seed(&app).await;
    let r = backtest::produce(&app.ctx(), d("2026-06-30"), Basis::UnderwritingYear, None)
        .await
        .unwrap();
    let rep = &r.report;
    assert_eq!(rep.origin_years, vec![2024, 2025, 2026]);
    let total = rep.total().unwrap();
    assert_eq!(total.key, "all");

    // Earned as of 2026-06-30: A 14,000; B 14,000 − 7,057.53; C 14,000 + 1,388.49.
    assert_eq!(row(total, 2024).earned, yuan("14000.00"));
    assert_eq!(row(total, 2025).earned, yuan("22330.96"));
    assert_eq!(row(total, 2025).written, yuan("22330.96"));
    assert_eq!(row(total, 2026).earned, Money::ZERO);
    assert_eq!(row(total, 2025).policies, 2);

    // Paid: A1 2,500 + 800 in 2025, 330 in 2026 (the 100 of 2026-08 is after the date);
    // B1 500 in 2026. Incurred adds the case reserves at each year end.
    assert_eq!(
        money_rows(&total.paid_triangle),
        vec![
            vec!["0.00", "3300.00", "3630.00"],
            vec!["0.00", "500.00"],
            vec!["0.00"]
        ]
    );
    assert_eq!(
        money_rows(&total.incurred_triangle),
        vec![
            vec!["3000.00", "3300.00", "3630.00"],
            vec!["2000.00", "3000.00"],
            vec!["0.00"]
        ]
    );
    // Claims: A1, B1, C1 (C2 withdrawn, C3 reported after the date).
    assert_eq!(total.totals.claims, 3);
    assert_eq!(row(total, 2025).case_reserve, yuan("2500.00"));

    // Chain ladder on incurred: f1 = (3,300 + 3,000) / (3,000 + 2,000) = 1.26,
    // f2 = 3,630 / 3,300 = 1.1. Ultimates 3,630; 3,000 × 1.1 = 3,300; 0.
    assert!((total.link_ratios[0] - 1.26).abs() < 1e-12);
    assert!((total.link_ratios[1] - 1.1).abs() < 1e-12);
    assert_eq!(row(total, 2025).ultimate, Some(yuan("3300.00")));
    assert_eq!(row(total, 2025).ibnr, Some(yuan("300.00")));
    assert_eq!(total.totals.ultimate, Some(yuan("6930.00")));
    // Loss ratios: 3,630 / 14,000 = 0.259286; 3,300 / 22,330.96 = 0.147777;
    // whole book 6,930 / 36,330.96 = 0.190747.
    assert!((row(total, 2024).loss_ratio.unwrap() - 3630.0 / 14000.0).abs() < 1e-9);
    assert!((row(total, 2025).loss_ratio.unwrap() - 3300.0 / 22330.96).abs() < 1e-9);
    assert_eq!(row(total, 2026).loss_ratio, None);
    let ind = total.indication.as_ref().unwrap();
    assert!((ind.loss_ratio - 6930.0 / 36330.96).abs() < 1e-9);
    // (0.190747 + 0.05) / (1 − 0.15 − 0.03) − 1 = −0.706406; Z = sqrt(3 / 1082).
    let indicated = (6930.0 / 36330.96 + 0.05) / 0.82 - 1.0;
    assert!((ind.indicated_change - indicated).abs() < 1e-9);
    assert!((ind.credibility - (3.0f64 / 1082.0).sqrt()).abs() < 1e-12);
    assert_eq!(
        serde_json::to_value(ind.decision).unwrap(),
        json!("lower"),
        "{}",
        ind.conclusion_en
    );

    // Lines and segments: one line; A has no programme, B and C are zhejiang-2025.
    let line = rep.groups.iter().find(|g| g.level == Level::Line).unwrap();
    assert_eq!(line.key, "first_set_equipment");
    assert_eq!(line.totals.earned, total.totals.earned);
    let segs: Vec<&str> = rep
        .groups
        .iter()
        .filter(|g| g.level == Level::Segment)
        .map(|g| g.key.as_str())
        .collect();
    assert_eq!(
        segs,
        vec![
            "first_set_equipment|高档数控机床|first_year|-|浙江省",
            "first_set_equipment|高档数控机床|first_year|zhejiang-2025|浙江省"
        ]
    );

    // The XML passed the schema and carries the same figures.
    xml::validate(&r.xml).unwrap();
    assert!(r.xml.contains("<AsOf>2026-06-30</AsOf>"));
    assert!(r
        .xml
        .contains(r#"<Cell origin="2025" development="2" cumulative="3000.00"/>"#));
    assert!(r.html.contains("<svg"));
    assert!(r.pdf.starts_with(b"%PDF-"));

    // Earlier valuation: C has earned 274 of 365 days of 14,000 = 10,509.59 and 90 of
    // the endorsement's 181 days of 1,388.49 = 690.41; B is settled at 6,942.47.
    let r = backtest::produce(&app.ctx(), d("2026-03-31"), Basis::UnderwritingYear, None)
        .await
        .unwrap();
    let total = r.report.total().unwrap();
    assert_eq!(row(total, 2025).earned, yuan("18142.47"));
    assert_eq!(row(total, 2024).paid, yuan("3300.00"));
}

async fn accident_year_basis_earns_premium_by_calendar_year(app: TestApp) {
    seed(&app).await;
    let r = backtest::produce(&app.ctx(), d("2026-06-30"), Basis::AccidentYear, None)
        .await
        .unwrap();
    let total = r.report.total().unwrap();
    // 2024: A 14,000. 2025: B 6,942.47 + C 184 / 365 × 14,000 = 7,057.53. 2026: C the
    // remaining 6,942.47 + the endorsement's 1,388.49.
    assert_eq!(row(total, 2024).earned, yuan("14000.00"));
    assert_eq!(row(total, 2025).earned, yuan("14000.00"));
    assert_eq!(row(total, 2026).earned, yuan("8330.96"));
    // Written by calendar year: 2025 = 14,000 (B) − 7,057.53 + 14,000 (C); 2026 the
    // endorsement.
    assert_eq!(row(total, 2025).written, yuan("20942.47"));
    assert_eq!(row(total, 2026).written, yuan("1388.49"));
    assert_eq!(
        money_rows(&total.incurred_triangle),
        vec![
            vec!["3000.00", "3300.00", "3630.00"],
            vec!["2000.00", "2000.00"],
            vec!["1000.00"]
        ]
    );
    xml::validate(&r.xml).unwrap();
}

async fn broken_xml_is_rejected_by_the_schema(app: TestApp) {
    seed(&app).await;
    let r = backtest::produce(&app.ctx(), d("2026-06-30"), Basis::UnderwritingYear, None)
        .await
        .unwrap();
    xml::validate(&r.xml).unwrap();
    // An amount with three decimals, an unknown decision, a missing header element.
    let bad = r
        .xml
        .replacen("cumulative=\"3000.00\"", "cumulative=\"3000.001\"", 1);
    assert!(matches!(
        xml::validate(&bad),
        Err(xml::XmlError::Invalid(_))
    ));
    let bad = r.xml.replace("decision=\"lower\"", "decision=\"maybe\"");
    assert!(matches!(
        xml::validate(&bad),
        Err(xml::XmlError::Invalid(_))
    ));
    let bad = r.xml.replace("<AsOf>2026-06-30</AsOf>", "");
    let err = xml::validate(&bad).unwrap_err().to_string();
    assert!(
        err.contains("/BacktestReport/Header") && err.contains("`AsOf`"),
        "{err}"
    );
    // Text where the schema wants a decimal amount, named by element and attribute.
    let bad = r
        .xml
        .replacen("cumulative=\"3000.00\"", "cumulative=\"three thousand\"", 1);
    let err = xml::validate(&bad).unwrap_err().to_string();
    assert!(
        err.contains("/Cell[")
            && err.contains("@cumulative")
            && err.contains("not a valid decimal"),
        "{err}"
    );
    assert!(matches!(
        xml::validate("<BacktestReport"),
        Err(xml::XmlError::Parse(_))
    ));
}

async fn actuary_page_runs_and_serves_the_report(app: TestApp) {
    seed(&app).await;
    app.add_user("act.page", Role::Actuary, None).await;
    let (client, _) = app.login("act.page", crate::helpers::PASSWORD).await;
    let page = client.get(app.url("/backtest")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let csrf = crate::helpers::hidden_field(&html, "csrf").unwrap();
    let r = client
        .post(app.url("/backtest"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("as_of", "2026-06-30"),
            ("basis", "underwriting_year"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = client
        .get(app.url("/backtest"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("19.1%"), "whole-book loss ratio listed");
    assert!(
        html.contains(r#"id="report-total">共 1<"#),
        "the stored reports are counted: {html}"
    );
    let id = {
        let mut tx = app.db.read().await.unwrap();
        let rows = firstcover::store::backtest::reports::list(
            &mut tx,
            &firstcover::services::seek(
                Some(10),
                None,
                firstcover::store::backtest::reports::order(true),
            ),
        )
        .await
        .unwrap();
        rows.rows[0].report_id
    };
    let xml_doc = client
        .get(app.url(&format!("/backtest/{id}/report.xml")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    xml::validate(&xml_doc).unwrap();
    let pdf = client
        .get(app.url(&format!("/backtest/{id}/report.pdf")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Audited in the same transaction as the report.
    let audit = {
        let mut tx = app.db.read().await.unwrap();
        firstcover::store::audit::for_entity(&mut tx, "backtest_report", &id.to_string())
            .await
            .unwrap()
    };
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "backtest.generate");

    // Underwriters and clients may not.
    app.add_user("uw.nosy", Role::Underwriter, None).await;
    let (uw, _) = app.login("uw.nosy", crate::helpers::PASSWORD).await;
    let r = uw.get(app.url("/backtest")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = uw
        .get(app.url(&format!("/backtest/{id}/report.xml")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

on_both_stores!(
    seeded_portfolio_gives_the_hand_computed_triangles,
    accident_year_basis_earns_premium_by_calendar_year,
    broken_xml_is_rejected_by_the_schema,
    actuary_page_runs_and_serves_the_report,
    claims_from_the_claims_services_feed_the_triangles,
    scheduled_report_is_delivered_once_despite_failures_and_a_restart,
);

/// A claim handled through the claims API (registered with a reserve, decided, paid)
/// reaches the data step through the `backtest_*` views, with the dates the claims
/// services recorded (today).
async fn claims_from_the_claims_services_feed_the_triangles(app: TestApp) {
    use crate::claims::{claims_book, get as cget, open_claim, post as cpost};
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let id = open_claim(&app, &cb, "50000.00").await;
    let today = firstcover::clock::Clock::System.today();
    let cells = backtest::data_step(&app.ctx(), today, Basis::UnderwritingYear)
        .await
        .unwrap();
    // Origin 2026 (the policy year), reported this year: one claim, reserve 50,000.
    let reported: i64 = cells.losses.iter().map(|c| c.reported).sum();
    let reserve: i64 = cells.losses.iter().map(|c| c.reserve_change).sum();
    assert_eq!(reported, 1);
    assert_eq!(reserve, 5_000_000);
    assert!(cells.losses.iter().all(|c| c.origin == 2026));

    let m = app.api_user("manager-bt", Role::ClaimsManager, None).await;
    let (s, v) = cpost(
        &app,
        &m,
        &format!("/api/v1/claims/{id}/decision"),
        &json!({"missing_proof_reason": "纸质材料已收到", "outcome": "accept", "agreed_loss": "50000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let bank = json!({"payee": "浙江精工机械有限公司", "bank_name": "工商银行杭州分行",
                      "bank_account": "1202020309900012345", "amount": "30000.00"});
    let (s, p) = cpost(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/payments"),
        &bank,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["payment_id"].as_i64().unwrap();
    let (s, v) = cpost(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/payments/{pid}/paid"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, claim) = cget(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    let cells = backtest::data_step(&app.ctx(), today, Basis::UnderwritingYear)
        .await
        .unwrap();
    let paid: i64 = cells.losses.iter().map(|c| c.paid).sum();
    let reserve: i64 = cells.losses.iter().map(|c| c.reserve_change).sum();
    assert_eq!(paid, 3_000_000, "the 30,000 marked paid");
    // The case reserve is whatever the claims service holds now.
    let current = Money::parse(claim["claim"]["reserve"].as_str().unwrap()).unwrap();
    assert_eq!(current, yuan("20000.00"), "50,000 agreed less 30,000 paid");
    assert_eq!(reserve, current.fen(), "{claim}");
    // As of yesterday nothing was reported yet.
    let cells = backtest::data_step(
        &app.ctx(),
        today.pred_opt().unwrap(),
        Basis::UnderwritingYear,
    )
    .await
    .unwrap();
    assert!(cells.losses.is_empty());
    // Premium: 50 units × 20,000 × 1.4 % = 14,000 written in 2026.
    let written: i64 = cells.premium.iter().map(|c| c.written).sum();
    assert_eq!(written, 1_400_000);
}

/// A regulator endpoint on 127.0.0.1 that fails the first `fail` requests with 503, then
/// accepts; it keeps every Idempotency-Key it saw and answers a repeated key with the
/// first receipt (dedup), as a real receiving system would.
struct Regulator {
    port: u16,
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

async fn regulator(fail: usize) -> Regulator {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let mut n = 0usize;
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 65536];
            // Read headers, then the body by Content-Length.
            let (head_end, len) = loop {
                let k = sock.read(&mut chunk).await.unwrap_or(0);
                if k == 0 {
                    break (0, 0);
                }
                buf.extend_from_slice(&chunk[..k]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..i]).to_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    break (i + 4, len);
                }
            };
            while buf.len() < head_end + len {
                let k = sock.read(&mut chunk).await.unwrap_or(0);
                if k == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..k]);
            }
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let key = head
                .lines()
                .find_map(|l| {
                    l.split_once(':')
                        .filter(|(k, _)| k.eq_ignore_ascii_case("idempotency-key"))
                        .map(|(_, v)| v.trim().to_string())
                })
                .unwrap_or_default();
            let body_ok = xml::validate(&String::from_utf8_lossy(&buf[head_end..])).is_ok();
            n += 1;
            let (status, text) = if n <= fail {
                ("503 Service Unavailable", "busy".to_string())
            } else if !body_ok {
                ("400 Bad Request", "invalid".to_string())
            } else {
                log.lock().unwrap().push(key.clone());
                ("200 OK", format!("RECEIPT-{key}"))
            };
            let resp = format!(
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
        }
    });
    Regulator { port, seen }
}

/// The schedule creates the quarter's report once; the endpoint fails three times, then
/// accepts: exactly one accepted delivery, its receipt stored, the mail sent. A worker
/// that "restarts" after the POST but before recording it sends the same key again, which
/// the regulator deduplicates: one distinct key.
async fn scheduled_report_is_delivered_once_despite_failures_and_a_restart(app: TestApp) {
    seed(&app).await;
    let reg = regulator(3).await;
    let mut config = app.config.clone();
    config.backtest.quarterly_day = 15;
    config.regulator.endpoint = format!("http://127.0.0.1:{}/reports", reg.port);
    config.regulator.recipients = vec!["nfra.zj@example.gov.cn".into()];
    config.outbox.backoff_base_secs = 0;
    config.outbox.max_attempts = 6;
    let today = d("2026-07-15");
    let id = backtest::schedule::run_due(
        &Ctx {
            config: &config,
            ..app.ctx()
        },
        today,
    )
    .await
    .unwrap()
    .expect("2026Q2 is due");
    // Same day again, or a second scheduler: nothing new is queued.
    assert_eq!(
        backtest::schedule::run_due(
            &Ctx {
                config: &config,
                ..app.ctx()
            },
            today
        )
        .await
        .unwrap(),
        None
    );
    let row = {
        let mut tx = app.db.read().await.unwrap();
        firstcover::store::backtest::reports::get(&mut tx, id)
            .await
            .unwrap()
    };
    assert_eq!(row.period_key.as_deref(), Some("2026Q2"));
    assert_eq!(row.status, "queued");
    for _ in 0..8 {
        firstcover::outbox_worker::run_once(&app.db, &config)
            .await
            .unwrap();
        if !reg.seen.lock().unwrap().is_empty() {
            break;
        }
    }
    let http_id = row.http_outbox_id.unwrap();
    let o = {
        let mut tx = app.db.read().await.unwrap();
        firstcover::store::outbox::get(&mut tx, http_id)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(o.status.as_str(), "delivered");
    assert_eq!(o.attempts, 4, "three failures, then accepted");
    assert_eq!(o.receipt_status, Some(200));
    assert_eq!(
        o.receipt_body.as_deref(),
        Some("RECEIPT-backtest-2026Q2-xml")
    );
    assert_eq!(
        reg.seen.lock().unwrap().len(),
        1,
        "exactly one accepted delivery"
    );

    // The worker dies after the POST, before recording it: the row is pending again.
    app.execute(&format!(
        "update outbox set status = 'pending', delivered_at = null where outbox_id = {http_id}"
    ))
    .await;
    firstcover::outbox_worker::run_once(&app.db, &config)
        .await
        .unwrap();
    let keys = reg.seen.lock().unwrap().clone();
    let distinct: std::collections::BTreeSet<&String> = keys.iter().collect();
    assert_eq!(distinct.len(), 1, "one distinct Idempotency-Key: {keys:?}");

    // The readable report went by mail, with the PDF attached.
    if let Some(sink) = &app.mail {
        let msgs = sink.messages();
        assert_eq!(msgs.len(), 1);
    }
    // The page shows the delivery with its receipt.
    app.add_user("act.deliver", Role::Actuary, None).await;
    let (client, _) = app.login("act.deliver", crate::helpers::PASSWORD).await;
    let html = client
        .get(app.url("/backtest"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("receipt 200"), "{html}");
}
