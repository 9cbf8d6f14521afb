//! The backtest summaries (migration 0010) against a full recomputation, on both stores:
//! after every kind of write — issue, endorsement (with a longer period), cancellation, a
//! claim handled through the claims API, imported history inserted out of order and
//! deleted — the ledgers add up to every piece and movement, and the data step's cells
//! from the summaries equal those computed from every piece and movement, on valuation
//! dates that cut pieces mid-period, on their first and last days, and at year ends.

use crate::backtest::{post, seed};
use crate::backtest_cli::firstcover;
use crate::claims::report;
use crate::helpers::TestApp;
use crate::on_both_stores;
use chrono::NaiveDate;
use firstcover::domain::role::Role;
use firstcover::store::backtest::{losses, premium, summary, Basis};
use reqwest::StatusCode;
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn drift(app: &TestApp) -> summary::Drift {
    let mut tx = app.db.read().await.unwrap();
    summary::differences(&mut tx).await.unwrap()
}

/// Month ends 2024–2027 and the days around every date the seed and this test use.
fn valuation_dates() -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = (2024..=2027)
        .flat_map(|y| (1..=12).map(move |m| (y, m)))
        .filter_map(|(y, m)| {
            let first_next = if m == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(y, m + 1, 1)
            };
            first_next.and_then(|f| f.pred_opt())
        })
        .collect();
    for s in [
        "2024-01-09",
        "2024-01-10",
        "2024-01-11",
        "2024-12-01",
        "2025-01-01",
        "2025-06-29",
        "2025-06-30",
        "2025-07-01",
        "2025-07-02",
        "2026-01-01",
        "2026-03-10",
        "2026-06-30",
        "2026-07-01",
        "2027-03-30",
        "2027-03-31",
        "2027-04-01",
    ] {
        days.push(d(s));
    }
    days
}

/// The summaries' cells equal the full computation's on every valuation date, both bases
/// for the losses, and return how many non-empty premium cells they compared.
async fn cells_agree(app: &TestApp) -> usize {
    let mut compared = 0;
    let mut tx = app.db.read().await.unwrap();
    for day in valuation_dates() {
        let fast = premium::cells(&mut tx, day, Basis::UnderwritingYear)
            .await
            .unwrap();
        let full = premium::cells_from_pieces(&mut tx, day).await.unwrap();
        assert_eq!(fast, full, "premium as of {day}");
        compared += fast.len();
        for basis in [Basis::UnderwritingYear, Basis::AccidentYear] {
            let fast = losses::cells(&mut tx, day, basis).await.unwrap();
            let full = losses::cells_from_movements(&mut tx, day, basis)
                .await
                .unwrap();
            assert_eq!(fast, full, "losses as of {day}, {basis:?}");
        }
    }
    compared
}

/// Paid losses net of recoveries in the triangles as of today.
async fn paid_to_date(app: &TestApp) -> i64 {
    let mut tx = app.db.read().await.unwrap();
    losses::cells(
        &mut tx,
        firstcover::clock::Clock::System.today(),
        Basis::UnderwritingYear,
    )
    .await
    .unwrap()
    .iter()
    .map(|c| c.paid)
    .sum()
}

async fn summaries_equal_the_full_recomputation_after_every_write(app: TestApp) {
    assert!(drift(&app).await.is_none(), "empty database");
    let (_, _, pc) = seed(&app).await;
    // Issue, cancellation, endorsement, imported claims (several rows per statement).
    assert!(drift(&app).await.is_none());
    assert!(cells_agree(&app).await > 0);

    // An endorsement that moves the end of the period: all of C's pieces now earn to
    // 2027-03-31, so the summary moves them to the new end date.
    let uw = app.api_user("uw.extend", Role::Underwriter, None).await;
    let (s, v) = post(
        &app,
        &uw,
        &format!("/api/v1/policies/{pc}/endorsements"),
        &json!({"effective_on": "2026-03-01", "period_end": "2027-03-31", "reason": "延长保险期间"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(drift(&app).await.is_none(), "after extending the period");
    cells_agree(&app).await;

    // A claim handled through the claims API on C: reported with a reserve, reserve
    // changed, agreed, part paid, a recovery.
    let handler = app.api_user("handler.sum", Role::ClaimsHandler, None).await;
    let manager = app.api_user("manager.sum", Role::ClaimsManager, None).await;
    let mut body = report(
        pc,
        "2026-03-10",
        &["B2026-001"],
        "quality_repair",
        "20000.00",
    );
    body["reserve"] = json!("20000.00");
    body["contact_email"] = json!("claims@maker.example.com");
    let (s, v) = post(&app, &handler, "/api/v1/claims", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["claim_id"].as_i64().unwrap();
    for (path, token, body) in [
        (
            "reserve",
            &handler,
            json!({"amount": "25000.00", "reason": "检测报告"}),
        ),
        (
            "decision",
            &manager,
            json!({"missing_proof_reason": "纸质材料已收到", "outcome": "accept", "agreed_loss": "24000.00"}),
        ),
    ] {
        let (s, v) = post(&app, token, &format!("/api/v1/claims/{id}/{path}"), &body).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
        assert!(drift(&app).await.is_none(), "after {path}");
    }
    let paid_before = paid_to_date(&app).await;
    let (s, p) = post(
        &app,
        &handler,
        &format!("/api/v1/claims/{id}/payments"),
        &json!({"payee": "浙江精工机械有限公司", "bank_name": "工商银行杭州分行",
                "bank_account": "1202020309900012345", "amount": "4000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert!(
        drift(&app).await.is_none(),
        "an approved payment is not a movement yet"
    );
    let pid = p["payment_id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &handler,
        &format!("/api/v1/claims/{id}/payments/{pid}/paid"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(drift(&app).await.is_none(), "after the payment");
    let (s, v) = post(
        &app,
        &handler,
        &format!("/api/v1/claims/{id}/recoveries"),
        &json!({"kind": "subrogation", "amount": "1000.00", "note": "向供应商追偿"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(drift(&app).await.is_none(), "after the recovery");
    cells_agree(&app).await;
    // Agreed 24,000 less the 20,000 fixed deductible: 4,000 paid, 1,000 recovered; the
    // net 3,000 reaches the triangles today.
    assert_eq!(paid_to_date(&app).await - paid_before, 300_000);

    // Imported history corrected out of order: A1's reserve of 2,000 set on 2024-12-01,
    // between its rows of 2024-05-20 (3,000) and 2025-03-01 (1,000), then removed again.
    app.execute(
        "insert into backtest_reserve_import (claim_ref, amount, set_at) values \
         ('A1', 200000, '2024-12-01')",
    )
    .await;
    assert!(
        drift(&app).await.is_none(),
        "after an insert between two rows"
    );
    let incurred_2024 = |cells: &[losses::LossCell]| -> i64 {
        cells
            .iter()
            .filter(|c| c.origin == 2024 && c.calendar_year == 2024)
            .map(|c| c.paid + c.reserve_change)
            .sum()
    };
    {
        let mut tx = app.db.read().await.unwrap();
        let cells = losses::cells(&mut tx, d("2026-06-30"), Basis::UnderwritingYear)
            .await
            .unwrap();
        assert_eq!(
            incurred_2024(&cells),
            200_000,
            "A1 stands at 2,000 at the 2024 year end"
        );
    }
    cells_agree(&app).await;
    app.execute(
        "delete from backtest_reserve_import where claim_ref = 'A1' and set_at = '2024-12-01'",
    )
    .await;
    assert!(drift(&app).await.is_none(), "after deleting it");
    {
        let mut tx = app.db.read().await.unwrap();
        let cells = losses::cells(&mut tx, d("2026-06-30"), Basis::UnderwritingYear)
            .await
            .unwrap();
        assert_eq!(incurred_2024(&cells), 300_000, "back to 3,000");
    }
    // A withdrawn imported claim stops counting; the status can change, the keys not.
    app.execute("update backtest_claim_import set status = 'withdrawn' where claim_ref = 'B1'")
        .await;
    assert!(drift(&app).await.is_none(), "after withdrawing B1");
    cells_agree(&app).await;

    // Compaction folds the deltas and changes no figure.
    let before = {
        let mut tx = app.db.read().await.unwrap();
        (
            premium::cells(&mut tx, d("2026-03-31"), Basis::UnderwritingYear)
                .await
                .unwrap(),
            losses::cells(&mut tx, d("2026-06-30"), Basis::AccidentYear)
                .await
                .unwrap(),
        )
    };
    let c = firstcover::services::backtest::summary::compact(&app.ctx())
        .await
        .unwrap();
    assert!(c.premium_after < c.premium_before, "{c:?}");
    assert!(c.loss_after < c.loss_before, "{c:?}");
    assert!(drift(&app).await.is_none(), "after compaction");
    let after = {
        let mut tx = app.db.read().await.unwrap();
        (
            premium::cells(&mut tx, d("2026-03-31"), Basis::UnderwritingYear)
                .await
                .unwrap(),
            losses::cells(&mut tx, d("2026-06-30"), Basis::AccidentYear)
                .await
                .unwrap(),
        )
    };
    assert_eq!(before, after);
    cells_agree(&app).await;
    let again = firstcover::services::backtest::summary::compact(&app.ctx())
        .await
        .unwrap();
    assert_eq!(
        again.premium_before, again.premium_after,
        "nothing left to fold"
    );
}

/// What places a claim in the triangles cannot be changed behind the summaries' back.
async fn reported_claims_keep_their_place(app: TestApp) {
    let (a, _, _) = seed(&app).await;
    for sql in [
        "update backtest_claim_import set accident_date = '2024-05-11' where claim_ref = 'A1'"
            .to_string(),
        format!("update backtest_claim_import set policy_id = {a} where claim_ref = 'B1'"),
        "update backtest_reserve_import set amount = 1 where claim_ref = 'A1'".to_string(),
    ] {
        let err = match &app.db {
            firstcover::store::Db::Sqlite(p) => sqlx::query(&sql).execute(p).await.map(|_| ()),
            firstcover::store::Db::Postgres(p) => sqlx::query(&sql).execute(p).await.map(|_| ()),
        }
        .expect_err(&sql);
        assert!(
            err.to_string().contains("rate backtest history"),
            "{sql}: {err}"
        );
    }
    assert!(drift(&app).await.is_none());
}

/// `backtest summary verify` finds a tampered ledger, `rebuild` repairs it (audited),
/// `compact` folds it.
async fn summary_commands_verify_rebuild_and_compact(app: TestApp) {
    seed(&app).await;
    let run = firstcover(&app, &["backtest", "summary", "verify"]);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("equal the full recomputation"));
    app.execute(
        "insert into backtest_premium_summary (catalogue_item_id, maker_id, cover_basis, \
         programme_id, origin, booked, starts, ends, amount, policies, pieces) \
         select catalogue_item_id, maker_id, cover_basis, programme_id, origin, booked, starts, \
         ends, 100, 0, 0 from backtest_premium_summary where origin = 2024",
    )
    .await;
    let run = firstcover(&app, &["backtest", "summary", "verify"]);
    assert!(!run.ok);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("1 premium keys, 0 loss keys"),
        "{}",
        run.stderr
    );
    let run = firstcover(&app, &["backtest", "summary", "rebuild"]);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("1 premium keys and 0 loss keys differed"),
        "{}",
        run.stdout
    );
    assert!(drift(&app).await.is_none());
    let audit = {
        let mut tx = app.db.read().await.unwrap();
        firstcover::store::audit::for_entity(&mut tx, "backtest_summary", "all")
            .await
            .unwrap()
    };
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "backtest.summary_rebuild");
    let run = firstcover(&app, &["backtest", "summary", "compact"]);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("premium summary"), "{}", run.stdout);
    // Rebuilt ledgers hold one row per key already (A, B, B's cancellation, C, C's
    // endorsement: five premium keys).
    assert!(
        run.stdout.contains("premium summary 5 → 5 rows"),
        "{}",
        run.stdout
    );
}

/// `serve`'s backtest schedule thread folds the summaries on its first poll.
async fn the_schedule_thread_compacts_the_summaries(app: TestApp) {
    seed(&app).await;
    let rows = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            let mut tx = db.read().await.unwrap();
            let n: i64 = firstcover::dispatch!(&mut tx, c => {
                sqlx::query_scalar("select count(*) from backtest_premium_summary")
                    .fetch_one(c)
                    .await
                    .unwrap()
            });
            n
        }
    };
    // Three issues, a cancellation and an endorsement: five delta rows, five keys — add a
    // canceling pair so there is something to fold.
    app.execute(
        "insert into backtest_premium_summary (catalogue_item_id, maker_id, cover_basis, \
         programme_id, origin, booked, starts, ends, amount, policies, pieces) \
         select catalogue_item_id, maker_id, cover_basis, programme_id, origin, booked, starts, \
         ends, s * amount, s * policies, s * pieces from backtest_premium_summary, \
         (select 1 as s union all select -1) signs where origin = 2024",
    )
    .await;
    assert_eq!(rows(&app).await, 7);
    // The background jobs as `serve` starts them (summary folding among them).
    let jobs = firstcover::runtime::Jobs::start(firstcover::runtime::JobContext {
        services: app.services.clone(),
        health: Default::default(),
    });
    for _ in 0..100 {
        if rows(&app).await == 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(rows(&app).await, 5, "folded by the schedule's first poll");
    assert!(drift(&app).await.is_none());
    jobs.shutdown(std::time::Duration::from_secs(10)).await;
}

on_both_stores!(
    the_schedule_thread_compacts_the_summaries,
    summaries_equal_the_full_recomputation_after_every_write,
    reported_claims_keep_their_place,
    summary_commands_verify_rebuild_and_compact,
);
