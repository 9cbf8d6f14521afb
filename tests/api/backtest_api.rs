//! The backtest JSON API (`/api/v1/backtests`) over HTTP on both stores, on the portfolio
//! of `backtest::seed`: every figure asserted is the hand-computed one of
//! `seeded_portfolio_gives_the_hand_computed_triangles`.

use crate::backtest::{post, seed};
use crate::helpers::TestApp;
use crate::on_both_stores;
use firstcover::domain::role::Role;
use firstcover::services::backtest::xml;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let r = app.get(path, token).await;
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn group<'a>(summary: &'a Value, key: &str) -> &'a Value {
    summary["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == key)
        .unwrap_or_else(|| panic!("group {key} in {summary}"))
}

fn origin(g: &Value, year: i64) -> &Value {
    g["origins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["year"] == year)
        .unwrap()
}

/// A statistic of the report, given as a decimal string, within 1e-9 of `expect`.
fn close(v: &Value, expect: f64) -> bool {
    v.as_str()
        .and_then(|t| t.parse::<f64>().ok())
        .is_some_and(|x| (x - expect).abs() < 1e-9)
}

/// The PDF's text with whitespace removed (see `readback`).
pub fn pdftotext(pdf: &[u8]) -> String {
    crate::readback::flat_text(pdf)
}

/// An actuary runs the seeded portfolio over the API: the summary, the list, the
/// triangles and the three documents carry the hand-computed figures of
/// `seeded_portfolio_gives_the_hand_computed_triangles`.
async fn backtests_api_runs_lists_and_serves_the_report(app: TestApp) {
    seed(&app).await;
    let act = app.api_user("act.api", Role::Actuary, None).await;
    let r = app
        .post_json("/api/v1/backtests", &act, &json!({"as_of": "2026-06-30"}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let run: Value = r.json().await.unwrap();
    let id = run["report_id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/backtests/{id}"));
    assert_eq!(run["as_of"], "2026-06-30");
    assert_eq!(run["basis"], "underwriting_year");
    assert_eq!(run["origin_years"], json!([2024, 2025, 2026]));
    // Whole book: earned 36,330.96, ultimate 6,930, loss ratio 6,930 / 36,330.96.
    assert_eq!(run["earned_premium"], "36330.96");
    assert_eq!(run["ultimate"], "6930.00");
    assert!(close(&run["loss_ratio"], 6930.0 / 36330.96), "{run}");
    assert_eq!(run["decision"], "lower");
    assert_eq!(
        run["groups"].as_array().unwrap().len(),
        4,
        "book, line, 2 segments"
    );

    let total = group(&run, "all");
    assert_eq!(total["level"], "total");
    assert_eq!(total["totals"]["earned_premium"], "36330.96");
    assert_eq!(total["totals"]["paid"], "4130.00");
    assert_eq!(total["totals"]["case_reserve"], "2500.00");
    assert_eq!(total["totals"]["ibnr"], "300.00");
    assert_eq!(total["totals"]["claims"], 3);
    assert!(close(&total["totals"]["loss_ratio"], 6930.0 / 36330.96));
    assert_eq!(origin(total, 2024)["earned_premium"], "14000.00");
    assert!(close(&origin(total, 2024)["loss_ratio"], 3630.0 / 14000.0));
    assert_eq!(origin(total, 2025)["written_premium"], "22330.96");
    assert_eq!(origin(total, 2025)["ultimate"], "3300.00");
    assert!(close(&origin(total, 2025)["loss_ratio"], 3300.0 / 22330.96));
    assert_eq!(origin(total, 2026)["loss_ratio"], Value::Null);
    let ind = &total["indication"];
    assert_eq!(ind["decision"], "lower");
    assert!(close(
        &ind["indicated_change"],
        (6930.0 / 36330.96 + 0.05) / 0.82 - 1.0
    ));
    assert!(close(&ind["credibility"], (3.0f64 / 1082.0).sqrt()));
    assert_eq!(ind["band_position"], "below");
    assert_eq!(run["conclusion_en"], ind["conclusion_en"]);
    // Z × indicated = 0.052656 × −0.706406 = −3.7 %.
    assert!(
        run["conclusion_en"]
            .as_str()
            .unwrap()
            .starts_with("Lower the rate by 3.7%"),
        "{}",
        run["conclusion_en"]
    );
    assert!(
        run["conclusion_zh"].as_str().unwrap().contains("下调"),
        "{}",
        run["conclusion_zh"]
    );
    let seg = group(
        &run,
        "first_set_equipment|高档数控机床|first_year|zhejiang-2025|浙江省",
    );
    assert_eq!(seg["segment"]["programme"], "zhejiang-2025");
    assert_eq!(seg["segment"]["field"], "高档数控机床");
    // B (kept 6,942.47) and C (14,000 + 1,388.49).
    assert_eq!(seg["totals"]["earned_premium"], "22330.96");
    let no_programme = group(&run, "first_set_equipment|高档数控机床|first_year|-|浙江省");
    assert_eq!(no_programme["segment"]["programme"], "");
    assert_eq!(no_programme["totals"]["earned_premium"], "14000.00");

    // The same report read back, and in the list.
    let (s, again) = get(&app, &act, &location).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again, run);
    let (s, list) = get(&app, &act, "/api/v1/backtests").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["total"], 1, "{list}");
    let list = &list["items"];
    assert_eq!(list[0]["report_id"], id);
    assert_eq!(list[0]["earned_premium"], "36330.96");
    assert_eq!(list[0]["decision"], "lower");
    assert_eq!(list[0]["groups"], 4);

    // Triangles of the whole book: cumulative paid and incurred, and the factors.
    let (s, tri) = get(&app, &act, &format!("{location}/triangles?key=all")).await;
    assert_eq!(s, StatusCode::OK, "{tri}");
    assert_eq!(tri.as_array().unwrap().len(), 1);
    assert_eq!(
        tri[0]["paid"],
        json!([["0.00", "3300.00", "3630.00"], ["0.00", "500.00"], ["0.00"]])
    );
    assert_eq!(
        tri[0]["incurred"],
        json!([
            ["3000.00", "3300.00", "3630.00"],
            ["2000.00", "3000.00"],
            ["0.00"]
        ])
    );
    assert!(close(&tri[0]["link_ratios"][0], 1.26));
    assert!(close(&tri[0]["link_ratios"][1], 1.1));
    let (_, segs) = get(&app, &act, &format!("{location}/triangles?level=segment")).await;
    assert_eq!(segs.as_array().unwrap().len(), 2);
    assert!(segs
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["level"] == "segment"));

    // The documents: XML valid against the XSD with the same figures, HTML, PDF.
    let r = app.get(&format!("{location}/report.xml"), &act).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xml"));
    let xml_doc = r.text().await.unwrap();
    xml::validate(&xml_doc).unwrap();
    assert!(xml_doc.contains("<AsOf>2026-06-30</AsOf>"));
    assert!(xml_doc.contains(r#"<Cell origin="2025" development="2" cumulative="3000.00"/>"#));
    assert!(
        xml_doc.contains(r#"earnedPremium="36330.96""#),
        "whole-book totals"
    );
    let html = app
        .get(&format!("{location}/report.html"), &act)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<svg"));
    let r = app.get(&format!("{location}/report.pdf"), &act).await;
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdftotext(&pdf);
    assert!(
        text.contains("36,330.96"),
        "amounts with thousands separators: {text}"
    );
    assert!(text.contains("19.1%"), "{text}");

    // Accident-year basis, as the page offers: premium earned per calendar year.
    let r = app
        .post_json(
            "/api/v1/backtests",
            &act,
            &json!({"as_of": "2026-06-30", "basis": "accident_year"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let ay: Value = r.json().await.unwrap();
    assert_eq!(ay["basis"], "accident_year");
    let total = group(&ay, "all");
    assert_eq!(origin(total, 2026)["earned_premium"], "8330.96");
    assert_eq!(origin(total, 2025)["written_premium"], "20942.47");
    let (_, list) = get(&app, &act, "/api/v1/backtests?limit=1").await;
    assert_eq!(list["total"], 2, "{list}");
    let older = list["next"].as_str().expect("a next page").to_string();
    let list = &list["items"];
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["report_id"], ay["report_id"]);
    let (_, rest) = get(
        &app,
        &act,
        &format!("/api/v1/backtests?limit=1&after={older}"),
    )
    .await;
    assert_eq!(rest["items"][0]["report_id"], id, "{rest}");

    // Run over the API is audited like the page's, with the actuary as actor.
    let audit = {
        let mut tx = app.db.read().await.unwrap();
        firstcover::store::audit::for_entity(&mut tx, "backtest_report", &id.to_string())
            .await
            .unwrap()
    };
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "backtest.generate");
    assert_eq!(audit[0].actor_name, "act.api");

    let spec = app.get_json("/api/v1/openapi.json", &act).await;
    for path in [
        "/api/v1/backtests",
        "/api/v1/backtests/{id}",
        "/api/v1/backtests/{id}/triangles",
        "/api/v1/backtests/{id}/report.{format}",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} in the OpenAPI");
    }
    assert!(spec["components"]["schemas"]["ReportSummary"].is_object());
}

/// Only actuaries (and administrators) may; a bad date or basis is 422 with the field
/// named; an unknown report is 404; a report kept before its figures were stored is 409
/// for its figures but still serves its documents.
async fn backtests_api_refuses_others_and_bad_input(app: TestApp) {
    seed(&app).await;
    let act = app.api_user("act.strict", Role::Actuary, None).await;
    let uw = app.api_user("uw.curious", Role::Underwriter, None).await;
    let (s, run) = {
        let r = app
            .post_json("/api/v1/backtests", &act, &json!({"as_of": "2026-06-30"}))
            .await;
        (r.status(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(s, StatusCode::CREATED);
    let id = run["report_id"].as_i64().unwrap();

    let r = app
        .post_json("/api/v1/backtests", &uw, &json!({"as_of": "2026-06-30"}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    for path in [
        "/api/v1/backtests".to_string(),
        format!("/api/v1/backtests/{id}"),
        format!("/api/v1/backtests/{id}/triangles"),
        format!("/api/v1/backtests/{id}/report.xml"),
        format!("/api/v1/backtests/{id}/report.pdf"),
    ] {
        let (s, body) = get(&app, &uw, &path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_eq!(body["type"], "/problems/forbidden");
    }
    // An underwriter with a bad date is still refused for who they are.
    let r = app
        .post_json("/api/v1/backtests", &uw, &json!({"as_of": "soon"}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    for (body, field) in [
        (json!({"as_of": "2026-02-30"}), "as_of"),
        (json!({"as_of": "30/06/2026"}), "as_of"),
        (json!({"as_of": ""}), "as_of"),
        (
            json!({"as_of": "2026-06-30", "basis": "calendar_year"}),
            "basis",
        ),
    ] {
        let (s, p) = post(&app, &act, "/api/v1/backtests", &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {p}");
        assert_eq!(p["type"], "/problems/validation-failed");
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let (s, p) = post(
        &app,
        &act,
        "/api/v1/backtests",
        &json!({"date": "2026-06-30"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    // Nothing was stored by the refused runs.
    let (_, list) = get(&app, &act, "/api/v1/backtests").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["total"], 1);

    let (s, _) = get(&app, &act, "/api/v1/backtests/999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get(&app, &act, "/api/v1/backtests/999999/report.xml").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get(&app, &act, &format!("/api/v1/backtests/{id}/report.docx")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, p) = get(
        &app,
        &act,
        &format!("/api/v1/backtests/{id}/triangles?level=origin"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "level");

    // A report from before migration 0010 has documents but no stored figures.
    app.execute(&format!(
        "update backtest_report set figures_json = null where report_id = {id}"
    ))
    .await;
    let (s, p) = get(&app, &act, &format!("/api/v1/backtests/{id}")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    let xml_doc = app
        .get(&format!("/api/v1/backtests/{id}/report.xml"), &act)
        .await
        .text()
        .await
        .unwrap();
    xml::validate(&xml_doc).unwrap();
    let (s, list) = get(&app, &act, "/api/v1/backtests").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["items"][0]["loss_ratio"], run["loss_ratio"]);
}

on_both_stores!(
    backtests_api_runs_lists_and_serves_the_report,
    backtests_api_refuses_others_and_bad_input,
);
