//! Suspense (挂账) and receivables (应收保费) over HTTP on both stores: suggestions ranked
//! by invoice number, payer and amount; split, dismiss, refund and their reversal;
//! ageing on a fixed day; reminders queued once per installment and stage.

use crate::bank::count;
use crate::bank_import::import;
use crate::billing::{ledger, post, send};
use crate::helpers::TestApp;
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote, issued};
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Two issued policies of one maker (浙江精工机械有限公司), 14,000.00 premium each.
async fn two_policies(app: &TestApp) -> (i64, String, i64, String, String) {
    let b = book(app, "uw.suspense").await;
    let (a, a_no) = issued(app, &b.uw, &first_year_quote(&b, "2000000.00")).await;
    let mut q = first_year_quote(&b, "2000000.00");
    q["units"][0]["serial"] = json!("B2026-777");
    q["contracts"][0]["number"] = json!("HT-2025-777");
    let (b_id, b_no) = issued(app, &b.uw, &q).await;
    let finance = app.api_user("finance.s", Role::Finance, None).await;
    (a, a_no, b_id, b_no, finance)
}

async fn suspense(app: &TestApp, token: &str) -> Value {
    app.get_json("/api/v1/bank/suspense", token).await
}

fn line_of(s: &Value, txn: &str) -> Value {
    s["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["line"]["bank_txn_id"] == txn)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn suggestions_rank_and_split_dismiss_refund_are_reversible(app: TestApp) {
    let (a, _, b, _, finance) = two_policies(&app).await;
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{b}/invoices"),
        &json!({"number": "33001122", "issued_on": "2026-01-02", "amount": "14000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let csv = "date,amount,payer,reference,transaction_id\n\
        2026-01-05,14000.00,浙江精工机械有限公司,发票33001122款,S-1\n\
        2026-01-06,10000.00,浙江精工机械有限公司,两张保单保费,S-2\n\
        2026-01-07,88.00,某银行,利息,S-3\n\
        2026-01-08,500.00,无关公司,误汇,S-4\n";
    let (s, r) = import(&app, &finance, "s.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(
        (s, r["unmatched"].as_i64()),
        (StatusCode::CREATED, Some(4)),
        "{r}"
    );

    // Ranking: the invoice named in the reference, then the maker's other policy.
    let page = suspense(&app, &finance).await;
    assert_eq!(
        (page["total_lines"].as_i64(), page["total_open"].as_str()),
        (Some(4), Some("24588.00"))
    );
    let first = line_of(&page, "S-1");
    let ranked: Vec<(i64, i64)> = first["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["policy_id"].as_i64().unwrap(),
                s["score"].as_i64().unwrap(),
            )
        })
        .collect();
    // B: invoice 80 + payer 40 + balance 35; A: payer 40 + balance 35.
    assert_eq!(ranked, vec![(b, 155), (a, 75)], "{first}");
    assert_eq!(
        first["suggestions"][0]["evidence"],
        json!(["invoice_number", "payer_is_maker", "amount_is_balance"])
    );
    assert!(line_of(&page, "S-4")["suggestions"]
        .as_array()
        .unwrap()
        .is_empty());

    // Match S-1 by its first suggestion.
    let s1 = first["line"]["bank_line_id"].as_i64().unwrap();
    let (s, _) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/lines/{s1}/match"),
        &json!({"policy_id": b}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(ledger(&app, &finance, b).await["balance"], "0.00");

    // Split S-2 across both policies; the parts must add up to the line.
    let s2 = line_of(&page, "S-2")["line"]["bank_line_id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/bank/lines/{s2}/split");
    let (s, v) = post(&app, &finance, &path, &json!({"parts": [{"policy_id": a, "amount": "6000.00"}, {"policy_id": b, "amount": "3000.00"}]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("10,000.00"), "{v}");
    let (s, v) = post(&app, &finance, &path, &json!({"parts": [{"policy_id": a, "amount": "6000.00"}, {"policy_id": a, "amount": "4000.00"}]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = post(&app, &finance, &path, &json!({"parts": [{"policy_id": a, "amount": "6000.00"}, {"policy_id": b, "amount": "4000.00"}]})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(ledger(&app, &finance, a).await["paid"], "6000.00");
    assert_eq!(ledger(&app, &finance, b).await["paid"], "18000.00");
    assert_eq!(ledger(&app, &finance, b).await["credit"], "4000.00");
    let (s, _) = post(
        &app,
        &finance,
        &path,
        &json!({"parts": [{"policy_id": a, "amount": "1.00"}]}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "a placed line cannot be placed again"
    );

    // Reversing one part of the split puts that part back into suspense.
    let part_b = v[1]["payment_id"].as_i64().unwrap();
    let (s, _) = post(
        &app,
        &finance,
        &format!("/api/v1/payments/{part_b}/reversal"),
        &json!({"reason": "分错保单"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let back = line_of(&suspense(&app, &finance).await, "S-2");
    assert_eq!(
        (
            back["line"]["amount"].as_str(),
            back["line"]["open_amount"].as_str()
        ),
        (Some("10000.00"), Some("4000.00")),
        "{back}"
    );
    let (s, _) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/lines/{s2}/match"),
        &json!({"policy_id": a}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(ledger(&app, &finance, a).await["paid"], "10000.00");

    // Dismiss S-3 (needs a reason), refund S-4, then reverse the dismissal.
    let s3 = line_of(&page, "S-3")["line"]["bank_line_id"]
        .as_i64()
        .unwrap();
    let (s, _) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/lines/{s3}/dismissal"),
        &json!({"reason": " "}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, d) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/lines/{s3}/dismissal"),
        &json!({"reason": "银行结息，非保费"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(
        (d["kind"].as_str(), d["amount"].as_str()),
        (Some("dismissed"), Some("88.00"))
    );
    let (s, _) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/lines/{s3}/dismissal"),
        &json!({"reason": "again"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let s4 = line_of(&page, "S-4")["line"]["bank_line_id"]
        .as_i64()
        .unwrap();
    let (s, rf) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/lines/{s4}/refund"),
        &json!({"refunded_on": "2026-01-10", "reference": "OUT-77", "reason": "误汇，退回付款人"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{rf}");
    assert_eq!(
        (rf["kind"].as_str(), rf["refunded_on"].as_str()),
        (Some("refunded"), Some("2026-01-10"))
    );
    let page = suspense(&app, &finance).await;
    assert_eq!(page["total_lines"], 0, "{page}");
    let disposal = d["disposal_id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/disposals/{disposal}/reversal"),
        &json!({"reason": "实为保费"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/disposals/{disposal}/reversal"),
        &json!({"reason": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let page = suspense(&app, &finance).await;
    assert_eq!(
        (page["total_lines"].as_i64(), page["total_open"].as_str()),
        (Some(1), Some("88.00"))
    );
    // The bank page lists the disposals still in effect, counted and paged: the refund,
    // not the reversed dismissal.
    app.add_user("fin.disposals", Role::Finance, None).await;
    let (web, _) = app.login("fin.disposals", crate::helpers::PASSWORD).await;
    let html = web
        .get(app.url("/billing/bank"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let refund = rf["disposal_id"].as_i64().unwrap();
    assert!(html.contains(r#"id="disposals-total">共 1<"#), "{html}");
    assert!(
        html.contains(&format!("/billing/bank/disposals/{refund}/reverse"))
            && !html.contains(&format!("/billing/bank/disposals/{disposal}/reverse")),
        "{html}"
    );
    // Every step is audited on the bank line.
    let audited = count(&app, "audit_journal").await + count(&app, "audit_log").await;
    assert!(audited >= 12, "{audited}");
    // Only finance works suspense.
    let uw = app.api_user("uw.nosy", Role::Underwriter, None).await;
    let r = app.get("/api/v1/bank/suspense", &uw).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn receivables_are_aged_on_a_fixed_day_and_reminders_go_once(app: TestApp) {
    let (a, a_no, b, b_no, finance) = two_policies(&app).await;
    let plan = json!({"installments": [
        {"due_on": "2026-01-01", "amount": "4000.00"},
        {"due_on": "2026-04-01", "amount": "5000.00"},
        {"due_on": "2026-07-15", "amount": "5000.00"}]});
    let (s, v) = send(
        &app,
        reqwest::Method::PUT,
        &finance,
        &format!("/api/v1/policies/{a}/plan"),
        &plan,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{a}/payments"),
        &json!({"payer": "浙江精工机械有限公司", "amount": "1000.00", "paid_on": "2026-01-05"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    let r = app
        .get_json("/api/v1/receivables?as_of=2026-06-30", &finance)
        .await;
    // A: 3,000 left of the January installment (180 days), April's 5,000 (90 days),
    // July's 5,000 not yet due. B: its single 14,000 due on 2026-01-01.
    let pa = r["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["policy_id"] == a)
        .unwrap()
        .clone();
    assert_eq!(pa["policy_number"], a_no.as_str());
    assert_eq!(
        (
            pa["buckets"]["not_due"].as_str(),
            pa["buckets"]["days_1_30"].as_str(),
            pa["buckets"]["days_31_90"].as_str(),
            pa["buckets"]["over_90"].as_str(),
            pa["total"].as_str()
        ),
        (
            Some("5000.00"),
            Some("0.00"),
            Some("5000.00"),
            Some("3000.00"),
            Some("13000.00")
        )
    );
    let pb = r["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["policy_id"] == b)
        .unwrap()
        .clone();
    assert_eq!(
        (
            pb["policy_number"].as_str(),
            pb["buckets"]["over_90"].as_str()
        ),
        (Some(b_no.as_str()), Some("14000.00"))
    );
    assert_eq!(r["makers"].as_array().unwrap().len(), 1);
    assert_eq!(r["makers"][0]["policies"], 2);
    assert_eq!(r["makers"][0]["total"], "27000.00");
    assert_eq!(
        (
            r["totals"]["not_due"].as_str(),
            r["totals"]["days_31_90"].as_str(),
            r["totals"]["over_90"].as_str(),
            r["total"].as_str()
        ),
        (
            Some("5000.00"),
            Some("5000.00"),
            Some("17000.00"),
            Some("27000.00")
        )
    );
    // One policy a page: the two pages hold the two policies, each once.
    let p1 = app
        .get_json("/api/v1/receivables?as_of=2026-06-30&limit=1", &finance)
        .await;
    assert_eq!(
        (p1["paged"].as_bool(), p1["issued"]["count"].as_i64()),
        (Some(true), Some(2))
    );
    assert_eq!(p1["policies"].as_array().unwrap().len(), 1, "{p1}");
    let p2 = app
        .get_json(
            &format!(
                "/api/v1/receivables?as_of=2026-06-30&limit=1&after={}",
                p1["next"].as_str().unwrap()
            ),
            &finance,
        )
        .await;
    assert!(p2["next"].is_null(), "{p2}");
    let mut seen = vec![
        p1["policies"][0]["policy_id"].as_i64().unwrap(),
        p2["policies"][0]["policy_id"].as_i64().unwrap(),
    ];
    seen.sort();
    let mut both = vec![a, b];
    both.sort();
    assert_eq!(seen, both);
    assert_eq!(p2["total"], "14000.00", "the page's own total: {p2}");
    // The same day seen on 2026-04-15: April's installment is 14 days overdue.
    let r = app
        .get_json("/api/v1/receivables?as_of=2026-04-15", &finance)
        .await;
    assert_eq!(r["totals"]["days_1_30"], "5000.00");

    // Reminders: none without a contact e-mail, then once per installment and stage.
    let mut config = app.config.clone();
    config.billing = firstcover::config::BillingConfig {
        reminder_days_before: 7,
        reminder_days_overdue: 1,
        reminder_every_secs: 3600,
    };
    let ctx = firstcover::services::Ctx {
        config: &config,
        ..app.ctx()
    };
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let r = firstcover::services::billing::send_reminders(&ctx, day("2026-07-10"))
        .await
        .unwrap();
    assert_eq!((r.queued, r.no_contact), (0, 4));
    app.execute("update party set contact_email = 'finance@jinggong.example' where name = '浙江精工机械有限公司'").await;
    let r = firstcover::services::billing::send_reminders(&ctx, day("2026-07-10"))
        .await
        .unwrap();
    // A: January and April overdue, July before due; B: overdue.
    assert_eq!((r.queued, r.already_sent), (4, 0));
    let again = firstcover::services::billing::send_reminders(&ctx, day("2026-07-10"))
        .await
        .unwrap();
    assert_eq!((again.queued, again.already_sent), (0, 4), "never twice");
    let later = firstcover::services::billing::send_reminders(&ctx, day("2026-07-16"))
        .await
        .unwrap();
    assert_eq!(
        (later.queued, later.already_sent),
        (1, 3),
        "July's installment is now overdue"
    );
    assert_eq!(count(&app, "outbox").await, 5);
    assert_eq!(count(&app, "premium_reminder").await, 5);
    app.deliver_outbox().await;
    let mails = app.mails();
    assert_eq!(mails.len(), 5);
    assert!(
        mails
            .iter()
            .any(|m| m.subject.contains("保费已逾期") && m.subject.contains(&b_no)),
        "{:?}",
        mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(mails
        .iter()
        .any(|m| m.subject.contains("保费即将到期") && m.subject.contains(&a_no)));
}

on_both_stores!(
    suggestions_rank_and_split_dismiss_refund_are_reversible,
    receivables_are_aged_on_a_fixed_day_and_reminders_go_once,
);
