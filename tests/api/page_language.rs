//! Every main page, as each role, in both languages: no JSON on the page, no stored code
//! (`approved`, `bank_transfer`, `zhejiang-2025`, `rating.above_authority`, a seed's file
//! name) instead of its label, and no English words on a Chinese page.
//!
//! Data-driven: `visits` lists the paths per role; add a page by adding its path there.

use crate::claims::{claims_book, open_claim};
use crate::helpers::{TestApp, PASSWORD};
use crate::on_both_stores;
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::json;

/// The records the pages show, made over the API.
struct Seeded {
    maker: i64,
    policy: i64,
    claim: i64,
    /// Quotes declined and withdrawn (issue 16 item 5), and one waiting for the branch head.
    declined: i64,
    withdrawn: i64,
    for_head: i64,
}

async fn seed(app: &TestApp) -> Seeded {
    let cb = claims_book(app, 50, "2000000.00", None).await;
    let claim = open_claim(app, &cb, "30000.00").await;
    let finance = app.api_user("fin.lang", Role::Finance, None).await;
    let r = app
        .post_json(
            &format!("/api/v1/policies/{}/payments", cb.policy),
            &finance,
            &json!({"payer": "浙江精工机械有限公司", "amount": "4000.00", "paid_on": "2026-01-05",
                    "method": "bank_transfer", "reference": "REF-1"}),
        )
        .await;
    assert!(r.status().is_success(), "payment: {}", r.status());
    // An endorsement above the underwriter's authority waits, as requested, on the page.
    let r = app
        .post_json(
            &format!("/api/v1/policies/{}/endorsements", cb.policy),
            &cb.b.uw,
            &json!({"effective_on": "2026-07-01", "aggregate_limit": "60000000.00",
                    "reason": "用户扩大使用范围"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED, "endorsement referred");
    let mut closed = Vec::new();
    for (serial, action, limit) in [
        ("L-1", Some("decline"), "2000000.00"),
        ("L-2", Some("withdraw"), "2000000.00"),
        ("L-3", None, "250000000.00"),
    ] {
        let mut q = crate::underwriting::first_year_quote(&cb.b, limit);
        q["units"][0]["serial"] = json!(serial);
        let r = app.post_json("/api/v1/quotes", &cb.b.uw, &q).await;
        assert_eq!(r.status(), StatusCode::CREATED, "quote {serial}");
        let v: serde_json::Value = r.json().await.unwrap_or_default();
        let id = v["policy_id"].as_i64().unwrap_or_default();
        if let Some(action) = action {
            let r = app
                .post_json(
                    &format!("/api/v1/policies/{id}/{action}"),
                    &cb.b.uw,
                    &json!({"reason": "投保人另行安排"}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::OK, "{action}");
        }
        closed.push(id);
    }
    Seeded {
        maker: cb.b.maker,
        policy: cb.policy,
        claim,
        declined: closed[0],
        withdrawn: closed[1],
        for_head: closed[2],
    }
}

/// One role's visit: (user name, role, is the maker's client, (path, expected status)).
type Visit = (&'static str, Role, bool, Vec<(String, u16)>);

fn visits(s: &Seeded) -> Vec<Visit> {
    let ok = |paths: &[String]| paths.iter().map(|p| (p.clone(), 200)).collect::<Vec<_>>();
    let p = s.policy;
    vec![
        (
            "uw.lang",
            Role::Underwriter,
            false,
            ok(&[
                "/".into(),
                "/parties".into(),
                format!("/parties/{}", s.maker),
                "/catalogue".into(),
                "/clauses".into(),
                "/programmes/zhejiang-2025".into(),
                "/policies".into(),
                "/policies/new".into(),
                format!("/policies/{p}"),
                format!("/policies/{p}/subsidy"),
                format!("/subsidy-facts/policy/{p}"),
                "/referrals".into(),
                format!("/policies/{}", s.declined),
                format!("/policies/{}", s.withdrawn),
                format!("/policies/{}", s.for_head),
            ])
            .into_iter()
            .chain([
                ("/backtest".to_string(), 403),
                ("/no/such/page".to_string(), 404),
            ])
            .collect(),
        ),
        (
            "senior.lang",
            Role::SeniorUnderwriter,
            false,
            ok(&["/".into(), "/referrals".into(), format!("/policies/{p}")]),
        ),
        (
            "head.lang",
            Role::BranchHead,
            false,
            ok(&[
                "/".into(),
                "/referrals".into(),
                format!("/policies/{}", s.for_head),
                format!("/policies/{p}"),
            ]),
        ),
        (
            "fin.page",
            Role::Finance,
            false,
            ok(&[
                "/".into(),
                format!("/policies/{p}/billing"),
                "/billing/bank".into(),
                "/subsidy-grants/import".into(),
                "/billing/receivables".into(),
                format!("/subsidy-facts/policy/{p}"),
                format!("/policies/{p}"),
            ]),
        ),
        (
            "claims.page",
            Role::ClaimsManager,
            false,
            ok(&[
                "/".into(),
                "/claims".into(),
                "/claims/queue".into(),
                "/claims/new".into(),
                "/claims/approvals".into(),
                "/claims/mine".into(),
                "/claims/payment-batches".into(),
                format!("/claims/{}", s.claim),
            ]),
        ),
        (
            "act.lang",
            Role::Actuary,
            false,
            ok(&[
                "/".into(),
                "/backtest".into(),
                "/reports/annual/shanxi-new-materials?year=2026".into(),
            ]),
        ),
        (
            "admin.lang",
            Role::Admin,
            false,
            ok(&[
                "/".into(),
                "/users".into(),
                "/audit".into(),
                "/outbox".into(),
            ]),
        ),
        (
            "auditor.lang",
            Role::Auditor,
            false,
            ok(&["/".into(), "/audit".into()]),
        ),
        (
            "client.lang",
            Role::Client,
            true,
            ok(&[
                "/".into(),
                "/portal".into(),
                "/policies".into(),
                format!("/policies/{p}"),
                // "My claims": the client's own claims.
                "/claims".into(),
                format!("/claims/{}", s.claim),
                format!("/subsidy-facts/policy/{p}"),
                format!("/parties/{}", s.maker),
            ]),
        ),
    ]
}

/// Words a Chinese page may show in Latin letters: file formats, the language switch,
/// units and abbreviations every reader knows.
const PROPER: &[&str] = &[
    "PDF", "CSV", "GBK", "XLSX", "XML", "HTML", "API", "QR", "CNY", "English", "JPG", "PNG", "SHA",
    "XSD", "Mack", "UTF",
];

/// Codes as stored that must never be shown as they are, whatever the language.
const RAW_CODES: &[&str] = &[
    "bank_transfer",
    "underwriting_year",
    "accident_year",
    "complete_machine",
    "key_component",
    "zhejiang-2025",
    "national-2025",
    "shanxi-new-materials",
    "rating.above_authority",
    "basis.year_min_50_units",
    "Q-LARGER",
    "Q-FIXED",
    ".txt",
    "DOMAIN.md",
    "quality_repair",
    "in_force",
    "awaiting_approval",
];

/// The text a reader sees: text nodes and placeholders, scripts and styles left out,
/// entities decoded.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        let tag_end = rest[lt..]
            .find('>')
            .map(|i| lt + i + 1)
            .unwrap_or(rest.len());
        let tag = &rest[lt..tag_end];
        if let Some(i) = tag.find("placeholder=\"") {
            let v = &tag[i + 13..];
            out.push_str(&v[..v.find('"').unwrap_or(0)]);
            out.push(' ');
        }
        let lower = tag.to_ascii_lowercase();
        rest = &rest[tag_end..];
        // Scripts and styles are not shown; `<code>` holds what a file or a machine must
        // contain verbatim (CSV column names), not words of the page.
        for skip in ["script", "style", "code"] {
            if lower.starts_with(&format!("<{skip}")) {
                let close = format!("</{skip}>");
                rest = rest
                    .find(&close)
                    .map(|i| &rest[i + close.len()..])
                    .unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2F;", "/")
}

/// Every problem on one page.
fn problems(text: &str, zh: bool, allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for j in ["{\"", "\":", "[{", "\"}"] {
        if text.contains(j) {
            found.push(format!("JSON ({j})"));
        }
    }
    for code in RAW_CODES {
        if text.contains(code) {
            found.push(format!("stored code {code}"));
        }
    }
    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || "_.-@/:".contains(c))) {
        let token = token.trim_matches(|c: char| ".-:/".contains(c));
        if token.is_empty() || token.contains('@') || token.contains("//") {
            continue;
        }
        if token.contains('_') && token.chars().any(|c| c.is_ascii_lowercase()) {
            found.push(format!("snake_case code {token}"));
            continue;
        }
        if !zh || token.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        for word in token.split(|c: char| !c.is_ascii_alphabetic()) {
            if word.len() >= 3 && !PROPER.contains(&word) && !allowed.contains(&word) {
                found.push(format!("English word {word}"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

async fn every_main_page_speaks_the_readers_language(app: TestApp) {
    let s = seed(&app).await;
    let mut failures = Vec::new();
    let visits = visits(&s);
    // The test's user names are data (shown as who did what), not words of the page.
    let names: Vec<&str> = visits
        .iter()
        .flat_map(|v| v.0.split(|c: char| !c.is_ascii_alphabetic()))
        .chain(["underwriter", "handler", "maker", "user", "test"])
        .collect();
    for (user, role, client, paths) in visits.clone() {
        app.add_user(user, role, client.then_some(s.maker)).await;
        for lang in ["zh", "en"] {
            let (c, _) = app.login(user, PASSWORD).await;
            let r = c
                .get(app.url(&format!("/lang/{lang}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            for (path, status) in &paths {
                let r = c.get(app.url(path)).send().await.unwrap();
                if r.status().as_u16() != *status {
                    failures.push(format!("{user} {lang} {path}: status {}", r.status()));
                    continue;
                }
                let html = r.text().await.unwrap();
                let text = visible_text(&html);
                for p in problems(&text, lang == "zh", &names) {
                    failures.push(format!("{user} {lang} {path}: {p}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The referred endorsement is shown field by field (label, value), not as JSON.
    let (c, _) = app.login("senior.lang", PASSWORD).await;
    let html = c
        .get(app.url(&format!("/policies/{}", s.policy)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pending = &html[html
        .find("id=\"pending-endorsement\"")
        .expect("pending endorsement")..];
    let pending = &pending[..pending.find("</div>").unwrap()];
    assert!(
        pending.contains("累计责任限额</span> 60,000,000.00"),
        "{pending}"
    );
    assert!(
        pending.contains("批改原因") || pending.contains("原因</span> 用户扩大使用范围"),
        "{pending}"
    );
}

#[test]
fn the_checks_catch_what_they_look_for() {
    let t = visible_text("<p>已记录 <b>20,000.00</b> 元</p><script>var x = {\"a\":1}</script>");
    assert!(problems(&t, true, &[]).is_empty(), "{t}");
    assert!(!problems("方式 bank_transfer", true, &[]).is_empty());
    assert!(!problems("{\"state\":\"issued\"}", false, &[]).is_empty());
    assert!(!problems("状态 approved", true, &[]).is_empty());
    assert!(problems("保单 FC-2026-000001 PDF", true, &[]).is_empty());
    assert!(problems("Status approved", false, &[]).is_empty());
}

on_both_stores!(every_main_page_speaks_the_readers_language);
