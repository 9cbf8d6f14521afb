//! The policy clock: issued → in force on the first day of the period, → expired
//! after the last; audited as the system; nothing moves early.

use crate::helpers::TestApp;
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote, issued};
use chrono::NaiveDate;
use firstcover::services::underwriting::clock;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn state(app: &TestApp, token: &str, id: i64) -> String {
    let v = app.get_json(&format!("/api/v1/policies/{id}"), token).await;
    v["policy"]["state"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn policies_come_into_force_and_expire_on_their_dates(app: TestApp) {
    let b = book(&app, "uw.clock").await;
    let mut quote = first_year_quote(&b, "2000000.00");
    quote["period_start"] = "2027-01-01".into();
    quote["period_end"] = "2027-12-31".into();
    let (id, number) = issued(&app, &b.uw, &quote).await;
    assert_eq!(state(&app, &b.uw, id).await, "issued");

    let r = clock::advance(&app.ctx(), day("2026-12-31")).await.unwrap();
    assert_eq!(r, clock::ClockReport::default(), "not before the period");
    assert_eq!(state(&app, &b.uw, id).await, "issued");

    let r = clock::advance(&app.ctx(), day("2027-01-01")).await.unwrap();
    assert_eq!(r.took_effect, vec![number.clone()]);
    assert!(r.expired.is_empty());
    assert_eq!(state(&app, &b.uw, id).await, "in_force");

    let r = clock::advance(&app.ctx(), day("2027-12-31")).await.unwrap();
    assert_eq!(
        r,
        clock::ClockReport::default(),
        "the last day is still covered"
    );
    let r = clock::advance(&app.ctx(), day("2028-01-01")).await.unwrap();
    assert_eq!(r.expired, vec![number.clone()]);
    assert_eq!(state(&app, &b.uw, id).await, "expired");

    let history = app.get_json(&format!("/api/v1/policies/{id}"), &b.uw).await;
    let actions: Vec<String> = history["history"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|r| r["action"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        actions.contains(&"policy.take_effect".to_string())
            && actions.contains(&"policy.expire".to_string()),
        "{history}"
    );
}

async fn a_policy_whose_whole_period_has_passed_moves_straight_to_expired(app: TestApp) {
    let b = book(&app, "uw.clock2").await;
    let mut quote = first_year_quote(&b, "2000000.00");
    quote["period_start"] = "2027-02-01".into();
    quote["period_end"] = "2027-03-31".into();
    let (id, number) = issued(&app, &b.uw, &quote).await;
    let r = clock::advance(&app.ctx(), day("2027-06-01")).await.unwrap();
    assert_eq!(r.took_effect, vec![number.clone()]);
    assert_eq!(r.expired, vec![number]);
    assert_eq!(state(&app, &b.uw, id).await, "expired");
    let again = clock::advance(&app.ctx(), day("2027-06-01")).await.unwrap();
    assert_eq!(again, clock::ClockReport::default(), "idempotent");
}

on_both_stores!(
    policies_come_into_force_and_expire_on_their_dates,
    a_policy_whose_whole_period_has_passed_moves_straight_to_expired,
);
