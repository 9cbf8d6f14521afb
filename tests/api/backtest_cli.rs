//! `firstcover backtest run --as-of DATE` as an actuary's script runs it: the real binary
//! against the test database of a running app, on both stores. The files it writes, the
//! report row it stores and the figures in both are checked against the hand-computed
//! portfolio of `backtest::seed`; bad arguments fail loudly and store nothing.

use crate::backtest::seed;
use crate::backtest_api::pdftotext;
use crate::helpers::TestApp;
use crate::on_both_stores;
use firstcover::domain::role::Role;
use firstcover::services::backtest::xml;
use firstcover::store::backtest::reports;
use std::process::Command;

pub struct Run {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn firstcover(app: &TestApp, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_firstcover"))
        .arg("--database-url")
        .arg(&app.config.database_url)
        .args(args)
        .env_remove("FIRSTCOVER_DATABASE_URL")
        .output()
        .expect("run firstcover");
    Run {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

async fn stored(app: &TestApp) -> Vec<reports::ReportRow> {
    let mut tx = app.db.read().await.unwrap();
    let newest = firstcover::services::seek(Some(50), None, reports::order(true));
    reports::list(&mut tx, &newest).await.unwrap().rows
}

async fn backtest_run_writes_and_stores_the_report(app: TestApp) {
    seed(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("2026H1");
    let run = firstcover(
        &app,
        &[
            "backtest",
            "run",
            "--as-of",
            "2026-06-30",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    // Origins 2024–2026; earned 14,000 + 22,330.96; incurred 3,630 + 3,000; ultimate
    // 3,630 + 3,300; credibility-weighted −3.7 %.
    assert!(
        run.stdout.contains(
            "origins [2024, 2025, 2026]: earned 36330.96, incurred 6630.00, ultimate 6930.00"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Lower the rate by 3.7%"),
        "{}",
        run.stdout
    );

    // One row, stored with its audit row, as the system.
    let rows = stored(&app).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert!(
        run.stdout
            .contains(&format!("backtest report {} stored", row.report_id)),
        "{}",
        run.stdout
    );
    assert_eq!(row.as_of.to_string(), "2026-06-30");
    assert_eq!(row.basis, "underwriting_year");
    assert_eq!(row.status, "generated");
    assert_eq!(row.period_key, None);
    let summary: serde_json::Value = serde_json::from_str(&row.summary_json).unwrap();
    assert_eq!(summary["earned_premium"], "36330.96");
    assert_eq!(summary["ultimate"], "6930.00");
    assert!((summary["loss_ratio"].as_f64().unwrap() - 6930.0 / 36330.96).abs() < 1e-9);
    assert_eq!(summary["decision"], "lower");
    let audit = {
        let mut tx = app.db.read().await.unwrap();
        firstcover::store::audit::for_entity(&mut tx, "backtest_report", &row.report_id.to_string())
            .await
            .unwrap()
    };
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "backtest.generate");
    assert_eq!(audit[0].actor_name, "system");

    // The three files; the XML is the stored one, byte for byte, and passes the XSD.
    let xml_file = std::fs::read_to_string(out.join("report.xml")).unwrap();
    xml::validate(&xml_file).unwrap();
    let xml_row = {
        let mut tx = app.db.read().await.unwrap();
        reports::document(&mut tx, row.report_id, reports::Document::Xml)
            .await
            .unwrap()
    };
    assert_eq!(xml_file.as_bytes(), xml_row.as_slice());
    assert!(
        xml_file.contains(
            r#"<Origin year="2024" policies="1" writtenPremium="14000.00" earnedPremium="14000.00""#
        ),
        "{xml_file}"
    );
    assert!(xml_file.contains(r#"<Cell origin="2024" development="3" cumulative="3630.00"/>"#));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<svg") && html.contains("36,330.96"),
        "amounts with thousands separators"
    );
    let pdf = std::fs::read(out.join("report.pdf")).unwrap();
    let text = pdftotext(&pdf);
    assert!(
        text.contains("36,330.96") && text.contains("19.1%"),
        "{text}"
    );

    // The report the CLI stored is the API's too.
    let act = app.api_user("act.cli", Role::Actuary, None).await;
    let api = app
        .get_json(&format!("/api/v1/backtests/{}", row.report_id), &act)
        .await;
    assert_eq!(api["earned_premium"], "36330.96");

    // Accident year without storing: files only, premium earned by calendar year.
    let out = dir.path().join("ay");
    let run = firstcover(
        &app,
        &[
            "backtest",
            "run",
            "--as-of",
            "2026-06-30",
            "--basis",
            "accident-year",
            "--no-store",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("stored"), "{}", run.stdout);
    assert_eq!(stored(&app).await.len(), 1, "--no-store stores nothing");
    let ay = std::fs::read_to_string(out.join("report.xml")).unwrap();
    xml::validate(&ay).unwrap();
    assert!(ay.contains("<Basis>accident_year</Basis>"));
    assert!(
        ay.contains(
            r#"<Origin year="2026" policies="0" writtenPremium="1388.49" earnedPremium="8330.96""#
        ),
        "{ay}"
    );
}

async fn backtest_run_refuses_bad_arguments(app: TestApp) {
    seed(&app).await;
    for (args, expect) in [
        (
            vec!["backtest", "run", "--as-of", "2026-02-30"],
            "invalid value '2026-02-30' for '--as-of <AS_OF>'",
        ),
        (
            vec!["backtest", "run", "--as-of", "30/06/2026"],
            "invalid value '30/06/2026' for '--as-of <AS_OF>'",
        ),
        (
            vec!["backtest", "run"],
            "the following required arguments were not provided",
        ),
        (
            vec![
                "backtest",
                "run",
                "--as-of",
                "2026-06-30",
                "--basis",
                "calendar",
            ],
            "invalid value 'calendar' for '--basis <BASIS>'",
        ),
    ] {
        let run = firstcover(&app, &args);
        assert!(!run.ok, "{args:?}: {}", run.stdout);
        assert_eq!(run.code, Some(2), "usage errors exit 2: {args:?}");
        assert!(run.stderr.contains(expect), "{args:?}: {}", run.stderr);
    }
    // An --out that cannot be created fails before anything is stored.
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let out = blocker.path().join("reports");
    let run = firstcover(
        &app,
        &[
            "backtest",
            "run",
            "--as-of",
            "2026-06-30",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!run.ok);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("cannot create"), "{}", run.stderr);
    assert!(
        stored(&app).await.is_empty(),
        "nothing stored by refused runs"
    );
}

on_both_stores!(
    backtest_run_writes_and_stores_the_report,
    backtest_run_refuses_bad_arguments,
);
