//! Lists that scale (issue 18, issue 16 item 3): keyset pages that stay stable while
//! rows are added, honest totals, search by substring (Chinese names, policy number
//! fragments, credit codes), the claim form's policy search, the audit filters, CSV
//! export and the verified checkpoint — on SQLite and PostgreSQL.

use crate::helpers::{credit_code, TestApp, PASSWORD};
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote, issued};
use firstcover::domain::role::Role;
use serde_json::{json, Value};
use std::collections::BTreeSet;

async fn quote(app: &TestApp, token: &str, q: &Value) -> i64 {
    let r = app.post_json("/api/v1/quotes", token, q).await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    v["policy_id"].as_i64().unwrap()
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["policy_id"].as_i64().unwrap())
        .collect()
}

fn cursor(page: &Value, key: &str) -> String {
    page[key].as_str().expect("a cursor").to_string()
}

/// Seven quotes read three at a time while more are added between the reads:
/// every original row appears exactly once, in order; going back gives the first page.
async fn paging_is_stable_while_rows_are_added(app: TestApp) {
    let b = book(&app, "uw.pages").await;
    let q = first_year_quote(&b, "2000000.00");
    let mut original = Vec::new();
    for _ in 0..7 {
        original.push(quote(&app, &b.uw, &q).await);
    }
    let first = app.get_json("/api/v1/policies?limit=3", &b.uw).await;
    assert_eq!(first["total"], 7, "{first}");
    assert_eq!(first["total_exact"], true);
    assert!(
        first["prev"].is_null(),
        "the first page has nothing before it"
    );
    let mut seen = ids(&first);
    let mut after = cursor(&first, "next");
    let mut second = Value::Null;
    let mut added = 0;
    loop {
        // Rows arrive between page reads.
        quote(&app, &b.uw, &q).await;
        added += 1;
        let page = app
            .get_json(&format!("/api/v1/policies?limit=3&after={after}"), &b.uw)
            .await;
        if second.is_null() {
            second = page.clone();
        }
        seen.extend(ids(&page));
        match page["next"].as_str() {
            Some(n) => after = n.to_string(),
            None => break,
        }
    }
    let mut expected = original.clone();
    expected.reverse();
    assert_eq!(seen, expected, "none skipped, none repeated, newest first");
    let back = app
        .get_json(
            &format!("/api/v1/policies?limit=3&after={}", cursor(&second, "prev")),
            &b.uw,
        )
        .await;
    assert_eq!(
        ids(&back),
        ids(&first),
        "previous page of the second is the first"
    );

    // Ascending by period start (all equal): the id breaks the tie, still stable.
    let asc = app
        .get_json(
            "/api/v1/policies?limit=4&sort=period_start&order=asc",
            &b.uw,
        )
        .await;
    let asc_ids = ids(&asc);
    assert_eq!(asc_ids, original[..4].to_vec());
    quote(&app, &b.uw, &q).await;
    let rest = app
        .get_json(
            &format!(
                "/api/v1/policies?limit=100&sort=period_start&order=asc&after={}",
                cursor(&asc, "next")
            ),
            &b.uw,
        )
        .await;
    let all: Vec<i64> = asc_ids.into_iter().chain(ids(&rest)).collect();
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "no row twice: {all:?}");
    assert_eq!(added, 2, "pages 2 and 3");
    assert_eq!(
        all.len(),
        7 + added + 1,
        "every row once, the one added last included"
    );
    let r = app.get("/api/v1/policies?sort=colour", &b.uw).await;
    assert_eq!(r.status(), 422, "an unknown order is refused, not ignored");
}

/// Search by a substring of a Chinese maker name (two characters and more), a policy
/// number fragment and a credit code, on the API, the policy page and the claim
/// form's policy picker; another maker's policy is not found.
async fn search_finds_names_number_fragments_and_credit_codes(app: TestApp) {
    let b = book(&app, "uw.search").await;
    let (_, number) = issued(&app, &b.uw, &first_year_quote(&b, "2000000.00")).await;
    // A second maker with its own policy, which no search below may find.
    let r = app
        .post_json(
            "/api/v1/parties",
            &b.uw,
            &json!({"kind": "maker", "name": "山西太重装备有限公司",
                    "credit_code": credit_code("91140100MA0K9T3Q5"), "province": "山西省"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let other: Value = r.json().await.unwrap();
    let r = app
        .post_json(
            "/api/v1/catalogue",
            &b.uw,
            &json!({"maker_id": other["party_id"], "edition": "national-2024", "product_name": "矿用挖掘机",
                    "field": "矿山机械", "unit_type": "key_component", "tier": "domestic",
                    "qualification_year": 2024, "valid_from": "2024-01-01"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let item: Value = r.json().await.unwrap();
    let mut q2 = first_year_quote(&b, "2000000.00");
    q2["maker_id"] = other["party_id"].clone();
    q2["catalogue_item_id"] = item["catalogue_item_id"].clone();
    q2["programme_id"] = Value::Null;
    let other_id = quote(&app, &b.uw, &q2).await;

    let fragment = &number[number.len() - 5..];
    let code = credit_code("91330110MA2H3K7P0");
    for needle in [
        "精工",
        "精工机械",
        "江精工机械有限",
        fragment,
        &code,
        &code[4..12],
        "精密主",
    ] {
        let url = format!(
            "/api/v1/policies?q={}",
            url::form_urlencoded::byte_serialize(needle.as_bytes()).collect::<String>()
        );
        let page = app.get_json(&url, &b.uw).await;
        let found: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["policy_number"].as_str())
            .collect();
        assert_eq!(found, vec![number.as_str()], "searching {needle}: {page}");
        assert!(!ids(&page).contains(&other_id), "{needle}");
    }
    // Lower case finds the upper-case credit code; the other maker by its own name.
    let lower = code.to_lowercase();
    let page = app
        .get_json(&format!("/api/v1/policies?q={lower}"), &b.uw)
        .await;
    assert_eq!(page["total"], 1, "{page}");
    let page = app
        .get_json(
            &format!(
                "/api/v1/policies?q={}",
                url::form_urlencoded::byte_serialize("太重".as_bytes()).collect::<String>()
            ),
            &b.uw,
        )
        .await;
    assert_eq!(ids(&page), vec![other_id]);

    // The policy page and the claim form's picker search the same way.
    app.add_user("uw.pages.web", Role::Underwriter, None).await;
    let (web, _) = app.login("uw.pages.web", PASSWORD).await;
    let html = web
        .get(app.url(&format!("/policies?q={fragment}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&number), "{html}");
    assert!(html.contains("共 1"), "the honest total");
    app.add_user("claims.web", Role::ClaimsHandler, None).await;
    let (web, _) = app.login("claims.web", PASSWORD).await;
    let html = web
        .get(app.url("/claims/new?policy_q=%E7%B2%BE%E5%B7%A5"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&number), "{html}");
    assert!(!html.contains("太重"), "only matching policies are offered");
}

fn found(page: &Value, key: &str) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[key].as_i64().unwrap())
        .collect()
}

/// A search's pages (each way to the rows reads only a page after the cursor) are as
/// stable as the plain list's: a needle reaching the same policies through two ways
/// (精 is in the maker's name and the product's) counts each once, pages read while
/// more quotes arrive show every original once, newest first, going back gives the
/// first page, and another order pages the same way. Claims and the catalogue are
/// found through their ways too.
async fn search_pages_are_stable_while_rows_are_added(app: TestApp) {
    let b = book(&app, "uw.search.pages").await;
    let q = first_year_quote(&b, "2000000.00");
    let mut original = Vec::new();
    for _ in 0..7 {
        original.push(quote(&app, &b.uw, &q).await);
    }
    let needle = url::form_urlencoded::byte_serialize("精".as_bytes()).collect::<String>();
    let first = app
        .get_json(&format!("/api/v1/policies?q={needle}&limit=3"), &b.uw)
        .await;
    assert_eq!(
        first["total"], 7,
        "each policy once, whichever way: {first}"
    );
    assert_eq!(first["total_exact"], true);
    assert!(first["prev"].is_null());
    let mut seen = ids(&first);
    let mut after = cursor(&first, "next");
    let mut second = Value::Null;
    loop {
        quote(&app, &b.uw, &q).await;
        let page = app
            .get_json(
                &format!("/api/v1/policies?q={needle}&limit=3&after={after}"),
                &b.uw,
            )
            .await;
        if second.is_null() {
            second = page.clone();
        }
        seen.extend(ids(&page));
        match page["next"].as_str() {
            Some(n) => after = n.to_string(),
            None => break,
        }
    }
    let mut expected = original.clone();
    expected.reverse();
    assert_eq!(seen, expected, "none skipped, none repeated, newest first");
    let back = app
        .get_json(
            &format!(
                "/api/v1/policies?q={needle}&limit=3&after={}",
                cursor(&second, "prev")
            ),
            &b.uw,
        )
        .await;
    assert_eq!(ids(&back), ids(&first), "back to the first page");

    // By period start ascending (all equal: the id decides), across an insert.
    let asc = app
        .get_json(
            &format!("/api/v1/policies?q={needle}&limit=4&sort=period_start&order=asc"),
            &b.uw,
        )
        .await;
    assert_eq!(ids(&asc), original[..4].to_vec());
    let total = asc["total"].as_i64().unwrap();
    quote(&app, &b.uw, &q).await;
    let rest = app
        .get_json(
            &format!(
                "/api/v1/policies?q={needle}&limit=100&sort=period_start&order=asc&after={}",
                cursor(&asc, "next")
            ),
            &b.uw,
        )
        .await;
    let all: Vec<i64> = ids(&asc).into_iter().chain(ids(&rest)).collect();
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "no row twice: {all:?}");
    assert_eq!(
        all.len() as i64,
        total + 1,
        "every row once, the newest included"
    );

    // The catalogue by product, maker and field; another maker's item is not found.
    for needle in ["精密主", "精工机械", "数控机床"] {
        let url = format!(
            "/api/v1/catalogue?q={}",
            url::form_urlencoded::byte_serialize(needle.as_bytes()).collect::<String>()
        );
        let page = app.get_json(&url, &b.uw).await;
        assert_eq!(
            found(&page, "catalogue_item_id"),
            vec![b.item],
            "{needle}: {page}"
        );
    }

    // Claims by their policy's number, their maker's name and their own number.
    let (policy, policy_number) = issued(
        &app,
        &b.uw,
        &crate::claims::claims_quote(&b, 50, "2000000.00", None),
    )
    .await;
    let cb = crate::claims::ClaimsBook {
        b,
        policy,
        handler: app
            .api_user("handler.search", Role::ClaimsHandler, None)
            .await,
        client: String::new(),
    };
    let claim = crate::claims::open_claim(&app, &cb, "30000.00").await;
    let handler = &cb.handler;
    let claim_number = app
        .get_json(&format!("/api/v1/claims/{claim}"), handler)
        .await["claim"]["claim_number"]
        .as_str()
        .unwrap()
        .to_string();
    // "CL-…" is in no policy number, so this finds the claim by its own number.
    assert!(claim_number.starts_with("FC-CL-"), "{claim_number}");
    for needle in [
        policy_number[policy_number.len() - 5..].to_string(),
        "精工机械".to_string(),
        claim_number[3..].to_string(),
        claim_number.to_lowercase(),
    ] {
        let url = format!(
            "/api/v1/claims?q={}",
            url::form_urlencoded::byte_serialize(needle.as_bytes()).collect::<String>()
        );
        let page = app.get_json(&url, handler).await;
        assert_eq!(found(&page, "claim_id"), vec![claim], "{needle}: {page}");
        assert_eq!(page["total"], 1, "{needle}: {page}");
    }
}

/// The audit page filters by actor, record, action and date; the CSV export has every
/// matching row; the page shows the verified checkpoint, which moves when the sealer
/// verifies what is newer and reports a row altered after it.
async fn audit_filters_export_and_checkpoint(app: TestApp) {
    let admin = app.api_user("admin.lists", Role::Admin, None).await;
    let other = app.api_user("admin.other", Role::Admin, None).await;
    let mut party_ids = Vec::new();
    for (token, name, body) in [
        (&admin, "甲方", "91330110MA2H3K7P0"),
        (&other, "乙方", "91330206MA2CL4X82"),
        (&admin, "=HYPERLINK(\"x\")", "91140100MA0K9T3Q5"),
    ] {
        let r = app
            .post_json(
                "/api/v1/parties",
                token,
                &json!({"kind": "maker", "name": name, "credit_code": credit_code(body), "province": "浙江省"}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        party_ids.push(v["party_id"].as_i64().unwrap());
    }
    firstcover::services::audit::seal(&app.ctx()).await.unwrap();
    let cp = firstcover::services::audit::check(&app.ctx())
        .await
        .unwrap();
    assert_eq!(cp.broken_at, None);
    let sealed = cp.seq;
    assert!(sealed >= 7, "users, tokens and parties: {cp:?}");

    app.add_user("auditor.web", Role::Auditor, None).await;
    let (web, _) = app.login("auditor.web", PASSWORD).await;
    web.get(app.url("/lang/en")).send().await.unwrap();
    let fetch = |path: String| {
        let web = web.clone();
        let url = app.url(&path);
        async move { web.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let html = fetch("/audit".into()).await;
    assert!(
        html.contains(&format!("verified up to row {sealed}")),
        "{html}"
    );

    let html = fetch("/audit?actor=admin.other&action=party.create".into()).await;
    assert!(html.contains("Total 1"), "{html}");
    assert!(html.contains("乙方") && !html.contains("甲方"), "{html}");
    let html = fetch(format!(
        "/audit?entity_type=party&entity_id={}",
        party_ids[0]
    ))
    .await;
    assert!(html.contains("Total 1") && html.contains("甲方"), "{html}");
    let html = fetch("/audit?action=party.".into()).await;
    assert!(
        html.contains("Total 3"),
        "a prefix takes every party action: {html}"
    );
    let html = fetch("/audit?from=2000-01-01&to=2000-12-31".into()).await;
    assert!(html.contains("Total 0"), "{html}");
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let html = fetch(format!(
        "/audit?action=party.create&from={today}&to={today}"
    ))
    .await;
    assert!(html.contains("Total 3"), "{html}");

    let r = web
        .get(app.url("/audit.csv?action=party.create"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert!(lines[0].starts_with('\u{feff}'), "BOM for spreadsheets");
    assert_eq!(lines.len(), 4, "header + three rows: {csv}");
    assert!(
        lines
            .iter()
            .skip(1)
            .all(|l| l.contains(",party.create,party,")),
        "{csv}"
    );
    let r = app
        .get("/audit.csv", &app.token_for("admin.lists").await)
        .await;
    assert!(
        r.status().is_client_error() || r.status().is_redirection(),
        "pages need a session"
    );

    // A row altered after the checkpoint is found by the next check, and shown.
    match app.store {
        crate::helpers::Store::Sqlite => app.execute("drop trigger audit_log_no_update").await,
        crate::helpers::Store::Postgres => {
            app.execute("alter table audit_log disable trigger audit_log_no_change")
                .await
        }
    }
    let r = app
        .post_json(
            "/api/v1/parties",
            &admin,
            &json!({"kind": "user", "name": "丙方", "credit_code": credit_code("91440300MA5F8R2L1"), "province": "广东省"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    firstcover::services::audit::seal(&app.ctx()).await.unwrap();
    app.execute(&format!(
        "update audit_log set actor_name = 'nobody' where seq = {}",
        sealed + 1
    ))
    .await;
    let cp = firstcover::services::audit::check(&app.ctx())
        .await
        .unwrap();
    assert_eq!(cp.broken_at, Some(sealed + 1), "{cp:?}");
    assert_eq!(
        cp.seq, sealed,
        "the checkpoint stays where the chain was intact"
    );
    let html = fetch("/audit".into()).await;
    assert!(html.contains(&format!("#{}", sealed + 1)), "{html}");
}

/// Annex 3 in one pass: with several policies of one maker and year, each row's
/// subsidy is what the policy's own estimate says (the running total of what the
/// earlier policies claim), in policy order, every policy present.
async fn annex3_in_one_pass_matches_each_policys_estimate(app: TestApp) {
    let b = book(&app, "uw.annex.pass").await;
    let mut q = first_year_quote(&b, "2000000.00");
    q["period_start"] = json!("2025-01-01");
    q["period_end"] = json!("2025-12-31");
    q["contracts"] =
        json!([{"number": "HT-2024-9", "signed_on": "2024-11-20", "amount": "1000000.00"}]);
    q["delivery_date"] = json!("2024-12-15");
    let mut policies = Vec::new();
    for n in 0..3 {
        // A serial is insured once per period (subsidy's cover history check).
        q["units"][0]["serial"] = json!(format!("B2026-P{n}"));
        policies.push(issued(&app, &b.uw, &q).await);
    }
    let r = app
        .get(
            &format!(
                "/api/v1/exports/annex3.csv?maker_id={}&programme_id=zhejiang-2025&from=2025-01-01&to=2025-12-31",
                b.maker
            ),
            &b.uw,
        )
        .await;
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").skip(1).collect();
    assert_eq!(lines.len(), 3, "{csv}");
    for (i, (id, number)) in policies.iter().enumerate() {
        let cells: Vec<&str> = lines[i].split(',').collect();
        assert_eq!(cells[0], (i + 1).to_string());
        assert_eq!(cells[8], number, "policy order");
        let est = app
            .get_json(&format!("/api/v1/policies/{id}/subsidy"), &b.uw)
            .await;
        let amount: rust_decimal::Decimal = est["estimate"]["amount"]
            .as_str()
            .unwrap_or("0")
            .parse()
            .unwrap();
        let wan = (amount / rust_decimal::Decimal::from(10_000)).round_dp(4);
        assert_eq!(cells[20], format!("{wan:.4}"), "row {i}: {est}");
    }
}

on_both_stores!(
    annex3_in_one_pass_matches_each_policys_estimate,
    paging_is_stable_while_rows_are_added,
    search_finds_names_number_fragments_and_credit_codes,
    search_pages_are_stable_while_rows_are_added,
    audit_filters_export_and_checkpoint,
);
