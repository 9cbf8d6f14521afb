//! The actuary's journey in the browser: sign in, open 费率回溯 from the menu, build the
//! report as of a date, read its loss ratio and conclusion in the list, open the readable
//! report, and download the PDF — on a small book whose figures are worked out by hand.

use crate::driver::{self, text_of};
use crate::helpers::{spawn_app, Store, TestApp, PASSWORD};
use crate::seed;
use fantoccini::Locator;
use firstcover::domain::role::Role;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Three first-year policies of 14,000.00 premium (1,000,000 × 1.4 %), one per year
/// 2023–2025, and their losses (amounts in fen in the import tables):
/// - K1 (2023 policy): reserve 6,000 (2023-06-10); 5,000 paid, reserve 0 (2024-03-01);
/// - K2 (2024 policy): reserve 3,000 (2024-04-02); 1,000 paid, reserve 2,500 (2025-02-01);
/// - K3 (2025 policy): reserve 2,000 (2025-08-05).
///
/// As of 2025-12-31, incurred by underwriting year: 2023 [6,000, 5,000, 5,000],
/// 2024 [3,000, 3,500], 2025 [2,000]. Link ratios 8,500 / 9,000 and 1; ultimates
/// 5,000 + 3,500 + 2,000 × 8,500 / 9,000 (1,888.89) = 10,388.89 on 42,000 earned:
/// loss ratio 24.7 %, combined 44.7 %; indicated (0.24735 + 0.05) / 0.82 − 1 = −63.7 %
/// at credibility sqrt(3 / 1082) = 0.0527: lower by 3.4 %.
async fn seed(app: &TestApp) {
    let uw = app.api_user("uw.book", Role::Underwriter, None).await;
    let (maker, user, item) = seed::book(
        app,
        &uw,
        ("浙江精工机械有限公司", "宁波港用户有限公司"),
        json!({"edition": "national-2022", "product_name": "精密主轴", "field": "高档数控机床",
               "unit_type": "key_component", "tier": "domestic", "qualification_year": 2022,
               "valid_from": "2022-01-01"}),
    )
    .await;
    let mut policies = Vec::new();
    for year in [2023, 2024, 2025] {
        let issued = seed::issued(app, &uw, json!({
            "maker_id": maker, "user_id": user, "catalogue_item_id": item,
            "cover_basis": "first_year",
            "units": [{"serial": format!("B{year}-001"), "quantity": 50, "unit_value": "20000.00"}],
            "contracts": [{"number": format!("HT-{year}-1"), "signed_on": format!("{}-11-20", year - 1), "amount": "1000000.00"}],
            "delivery_date": format!("{}-12-15", year - 1),
            "sections": [{"code": "QUALITY", "deductible": "Q-FIXED"}, {"code": "LIABILITY", "limit": "500000.00"}],
            "aggregate_limit": "2000000.00",
            "period_start": format!("{year}-01-01"), "period_end": format!("{year}-12-31"),
            "programme_id": null})).await;
        assert_eq!(issued["premium"], "14000.00", "{issued}");
        policies.push(issued["policy_id"].as_i64().unwrap());
    }
    let [p23, p24, p25] = policies[..] else {
        panic!("three policies")
    };
    for sql in [
        format!(
            "insert into backtest_claim_import (claim_ref, policy_id, accident_date, reported_date, status) values \
             ('K1', {p23}, '2023-06-01', '2023-06-10', 'closed'), \
             ('K2', {p24}, '2024-04-01', '2024-04-02', 'open'), \
             ('K3', {p25}, '2025-08-01', '2025-08-05', 'open')"
        ),
        "insert into backtest_reserve_import (claim_ref, amount, set_at) values \
         ('K1', 600000, '2023-06-10'), ('K1', 0, '2024-03-01'), \
         ('K2', 300000, '2024-04-02'), ('K2', 250000, '2025-02-01'), ('K3', 200000, '2025-08-05')"
            .to_string(),
        "insert into backtest_payment_import (claim_ref, amount, paid_at) values \
         ('K1', 500000, '2024-03-01'), ('K2', 100000, '2025-02-01')"
            .to_string(),
    ] {
        app.execute(&sql).await;
    }
}

/// The finished download in `dir` (Chromium writes `*.crdownload` until it is done).
async fn downloaded(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    for _ in 0..100 {
        if path.is_file() {
            return path;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seen: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    panic!("{name} not downloaded; the folder holds {seen:?}");
}

fn pdftotext(pdf: &Path) -> String {
    crate::readback::flat_text(&std::fs::read(pdf).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actuary_runs_a_backtest_reads_it_and_downloads_the_pdf() {
    let downloads = tempfile::tempdir().unwrap();
    let Some(browser) = driver::launch_downloading_to(downloads.path()).await else {
        return;
    };
    let app = spawn_app(Store::Sqlite).await.expect("app");
    seed(&app).await;
    app.add_user("act.browser", Role::Actuary, None).await;
    let c = &browser.client;

    c.goto(&app.url("/login")).await.unwrap();
    let login = c.form(Locator::Css("form[action='/login']")).await.unwrap();
    login.set_by_name("username", "act.browser").await.unwrap();
    login.set_by_name("password", PASSWORD).await.unwrap();
    login.submit().await.unwrap();
    c.wait()
        .for_element(Locator::LinkText("费率回溯"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/backtest");
    assert!(text_of(c, "main").await.contains("尚无报告"));

    let form = c
        .form(Locator::Css("form[action='/backtest']"))
        .await
        .unwrap();
    form.set_by_name("as_of", "2025-12-31").await.unwrap();
    form.set_by_name("basis", "underwriting_year")
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/backtest'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..300 {
        if c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("done=backtest")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains("done=backtest"));

    // The new report's row: as-of date, loss ratio, combined ratio, decision, conclusion.
    let row = c
        .wait()
        .for_element(Locator::Css("tr[id^='report-']"))
        .await
        .unwrap();
    let id = row
        .attr("id")
        .await
        .unwrap()
        .and_then(|v| v.strip_prefix("report-").map(str::to_string))
        .unwrap();
    let line = row.text().await.unwrap();
    for expect in ["2025-12-31", "24.7%", "44.7%", "建议下调费率"] {
        assert!(line.contains(expect), "{expect} in the row: {line}");
    }
    let conclusion = text_of(c, &format!("#report-{id} .conclusion")).await;
    assert!(
        conclusion.contains("下调") && conclusion.contains("3.4%"),
        "{conclusion}"
    );

    // The readable report: every group's loss ratio and the conclusion, with its charts.
    c.find(Locator::Css(&format!(
        "#report-{id} a[href$='report.html']"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let report = text_of(c, "body").await;
    for expect in ["10,388.89", "24.7%", "35.7%", "Lower the rate by 3.4%"] {
        assert!(report.contains(expect), "{expect} in the report: {report}");
    }
    assert!(!c.find_all(Locator::Css("svg")).await.unwrap().is_empty());

    // Back to the list; the PDF link downloads the stamped report.
    c.back().await.unwrap();
    c.wait()
        .for_element(Locator::Css(&format!("#report-{id} a[href$='report.pdf']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let pdf = downloaded(downloads.path(), &format!("backtest-{id}.pdf")).await;
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdftotext(&pdf);
    assert!(
        text.contains("10,388.89") && text.contains("24.7%"),
        "{text}"
    );
    browser.close().await;
}
