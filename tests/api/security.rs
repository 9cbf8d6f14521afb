//! Issue 14's findings, each written as the attack that worked before and must fail now,
//! on SQLite and PostgreSQL.

use crate::bank::{count, deliver, notification, now};
use crate::billing::{issued_policy, ledger, payment, post};
use crate::helpers::{fresh_database, start_on, test_config, Store, TestApp, PASSWORD};
use crate::on_both_stores;
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// i64::MAX fen: the amount that wrapped the ledger.
const WRAP: &str = "92233720368547758.07";

fn bilingual_bound_error(v: &Value) -> bool {
    let text = v.to_string();
    text.contains("largest amount accepted") && text.contains("金额超过允许的上限")
}

/// Finding 1: two payments, 92233720368547758.07 + 14000.02, on a 14,000.00 policy left the
/// ledger "fully paid" and a stamped certificate followed.
async fn the_two_payment_wrap_is_refused_and_no_certificate_is_issued(app: TestApp) {
    let (b, id, _, finance) = issued_policy(&app, "zhejiang-2025").await;
    let path = format!("/api/v1/policies/{id}/payments");
    let (s, v) = post(&app, &finance, &path, &payment(WRAP, "WRAP-1")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(bilingual_bound_error(&v), "{v}");
    let (s, v) = post(&app, &finance, &path, &payment("14000.02", "WRAP-2")).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let l = ledger(&app, &finance, id).await;
    assert_eq!(l["paid"], "14000.02");
    assert_eq!(l["credit"], "0.02");
    assert_eq!(count(&app, "payment").await, 1);
    // Over the bound by one fen is refused too; at the bound it is taken.
    let (s, _) = post(
        &app,
        &finance,
        &path,
        &payment("1000000000000.01", "WRAP-3"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The certificate reflects the honest ledger (paid in full by the 14,000.02), and the
    // wrapped figure never appears.
    let (s, cert) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/certificate"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{cert}");
    assert!(!cert.to_string().contains("92233720368547758"), "{cert}");
}

/// Finding 1, through the bank: a signed callback with a huge amount made `paid` negative.
async fn a_signed_bank_callback_with_a_huge_amount_is_refused(app: TestApp) {
    let (_, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    let client = app.client();
    let body = notification("TXN-HUGE", WRAP, &number);
    let (s, v) = deliver(
        &app,
        &client,
        &body,
        now(),
        crate::helpers::TEST_BANK_SECRET,
        "key-huge",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(bilingual_bound_error(&v), "{v}");
    assert_eq!(count(&app, "payment").await, 0);
    assert_eq!(count(&app, "bank_line").await, 0);
    let l = ledger(&app, &finance, id).await;
    assert_eq!(l["paid"], "0.00");
    // A bank statement line of that size is refused with the line named.
    let csv = format!("date,amount,payer,reference,transaction_id\n2026-01-05,{WRAP},某公司,{number},TXN-HUGE-2\n");
    let r = app
        .client()
        .post(app.url("/api/v1/bank/statements?filename=huge.csv"))
        .bearer_auth(&finance)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let text = r.text().await.unwrap();
    // Refused as too large (the statement's own per-line limit, which is lower than the
    // global bound), with the line named — not mistaken for text that is no number.
    assert!(text.contains("超过单笔上限"), "{text}");
    assert!(text.contains("第 2 行"), "{text}");
    assert_eq!(count(&app, "payment").await, 0);
}

/// Finding 1, limits and claims: amounts that made `POST /api/v1/backtests` answer 500 are
/// refused where they enter, so the backtest keeps working.
async fn a_huge_limit_or_claim_is_refused_at_entry_and_the_backtest_works(app: TestApp) {
    let b = crate::underwriting::book(&app, "uw.huge").await;
    let q = crate::underwriting::first_year_quote(&b, WRAP);
    let (s, v) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(bilingual_bound_error(&v), "{v}");
    let mut q = crate::underwriting::first_year_quote(&b, "2000000.00");
    q["units"][0]["unit_value"] = json!(WRAP);
    let (s, _) = post(&app, &b.uw, "/api/v1/quotes", &q).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let q = crate::underwriting::first_year_quote(&b, "2000000.00");
    let (policy, _) = crate::underwriting::issued(&app, &b.uw, &q).await;
    let handler = app
        .api_user("handler.huge", Role::ClaimsHandler, None)
        .await;
    let mut report =
        crate::claims::report(policy, "2026-03-10", &["B2026-001"], "quality_repair", WRAP);
    report["reserve"] = json!(WRAP);
    let (s, v) = post(&app, &handler, "/api/v1/claims", &report).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(count(&app, "claim").await, 0);
    let actuary = app.api_user("act.huge", Role::Actuary, None).await;
    let (s, v) = post(
        &app,
        &actuary,
        "/api/v1/backtests",
        &json!({"as_of": "2026-06-30"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_firstcover"))
        .arg("--database-url")
        .arg(&app.config.database_url)
        .args(["backtest", "summary", "verify"])
        .env_remove("FIRSTCOVER_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Finding 9: run against a database that does not exist, a command created an empty one
/// and reported "audit chain intact: 0 rows", exit 0.
async fn the_cli_refuses_to_create_a_database_and_names_the_one_it_opened(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere").join("firstcover.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_firstcover"))
        .arg("--database-url")
        .arg(format!("sqlite://{}", missing.display()))
        .args(["audit", "verify"])
        .env_remove("FIRSTCOVER_DATABASE_URL")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("数据库不存在"), "{err}");
    assert!(!missing.exists(), "no file was created");
    assert!(!missing.parent().unwrap().exists(), "no directory either");
    // Against the real one it says which it opened.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_firstcover"))
        .arg("--database-url")
        .arg(&app.config.database_url)
        .args(["audit", "verify"])
        .env_remove("FIRSTCOVER_DATABASE_URL")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let shown = match app.store {
        Store::Sqlite => app.config.database_url.clone(),
        Store::Postgres => app
            .config
            .database_url
            .rsplit('/')
            .next()
            .unwrap()
            .to_string(),
    };
    assert!(err.contains("database: ") && err.contains(&shown), "{err}");
}

/// An app whose security settings the test chooses.
async fn spawn_with(
    store: Store,
    configure: impl FnOnce(&mut firstcover::config::Config),
) -> Option<TestApp> {
    let (url, dir, pg) = fresh_database(store).await?;
    let mut config = test_config(&url);
    configure(&mut config);
    Some(start_on(store, config, dir, pg).await)
}

/// POST the login form from a fresh client; the status and any Retry-After.
async fn sign_in(
    app: &TestApp,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (StatusCode, Option<String>) {
    let client = app.client();
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::hidden_field(&page, "csrf").unwrap();
    let mut req = client.post(app.url("/login")).form(&[
        ("csrf", csrf.as_str()),
        ("username", username),
        ("password", password),
        ("next", "/"),
    ]);
    if let Some(f) = forwarded_for {
        req = req.header("X-Forwarded-For", f);
    }
    let r = req.send().await.unwrap();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (r.status(), retry)
}

/// Finding 2: 50 wrong passwords at once for one user gave 50 × 401 and no 429 (limit 5).
async fn fifty_simultaneous_wrong_passwords_check_at_most_the_limit(store: Store) {
    let Some(app) = spawn_with(store, |_| {}).await else {
        return;
    };
    app.add_user("victim", Role::Finance, None).await;
    let app = std::sync::Arc::new(app);
    let attempts = (0..50).map(|_| {
        let app = app.clone();
        tokio::spawn(async move { sign_in(&app, "victim", "wrong-password", None).await })
    });
    let mut checked = 0;
    let mut throttled = 0;
    for a in attempts {
        match a.await.unwrap() {
            (StatusCode::UNAUTHORIZED, _) => checked += 1,
            (StatusCode::TOO_MANY_REQUESTS, retry) => {
                throttled += 1;
                let secs: i64 = retry.expect("Retry-After").parse().unwrap();
                assert!((1..=15 * 60).contains(&secs), "{secs}");
            }
            (other, _) => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        checked, 5,
        "exactly the configured number of passwords checked"
    );
    assert_eq!(throttled, 45);
    // Even the right password waits now; an admin's unlock lets the user in at once.
    assert_eq!(
        sign_in(&app, "victim", PASSWORD, None).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    let admin = app.api_user("admin.unlock", Role::Admin, None).await;
    let users: Value = app.get_json("/api/v1/users", &admin).await;
    let victim = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "victim")
        .unwrap()["user_id"]
        .as_i64()
        .unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/users/{victim}/unlock"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        sign_in(&app, "victim", PASSWORD, None).await.0,
        StatusCode::SEE_OTHER
    );
}

/// Finding 2: anyone could lock anyone's account; now one address trying many names is
/// stopped by its own limit (loopback included), and X-Forwarded-For counts only from a
/// trusted proxy.
async fn one_address_is_limited_and_only_a_trusted_proxy_may_forward(store: Store) {
    let Some(app) = spawn_with(store, |c| {
        c.security.login_address_max_failures = 4;
        c.security.login_max_failures = 100;
    })
    .await
    else {
        return;
    };
    app.add_user("someone", Role::Finance, None).await;
    for n in 0..4 {
        let (s, _) = sign_in(
            &app,
            &format!("name{n}"),
            "x",
            Some(&format!("198.51.100.{n}")),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    // A forged X-Forwarded-For from an untrusted peer changes nothing: same address.
    let (s, retry) = sign_in(&app, "someone", PASSWORD, Some("203.0.113.99")).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let secs: i64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=10 * 60).contains(&secs), "{secs}");

    // Behind a trusted proxy (the loopback peer), each forwarded client has its own count.
    let Some(app) = spawn_with(store, |c| {
        c.security.login_address_max_failures = 2;
        c.security.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await
    else {
        return;
    };
    app.add_user("someone", Role::Finance, None).await;
    for _ in 0..2 {
        let (s, _) = sign_in(&app, "a", "x", Some("198.51.100.1")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        sign_in(&app, "b", "x", Some("198.51.100.1")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        sign_in(&app, "someone", PASSWORD, Some("198.51.100.2"))
            .await
            .0,
        StatusCode::SEE_OTHER,
        "another client behind the proxy is not locked out"
    );
}

/// A global limit stops a spray over many names and addresses.
async fn a_global_limit_stops_a_spray(store: Store) {
    let Some(app) = spawn_with(store, |c| {
        c.security.login_global_max_failures = 3;
        c.security.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await
    else {
        return;
    };
    for n in 0..3 {
        let (s, _) = sign_in(
            &app,
            &format!("n{n}"),
            "x",
            Some(&format!("198.51.100.{n}")),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        sign_in(&app, "n9", "x", Some("198.51.100.9")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

macro_rules! with_store {
    ($($name:ident),+ $(,)?) => {
        mod configured_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name(crate::helpers::Store::Sqlite).await }
            )+
        }
        mod configured_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name(crate::helpers::Store::Postgres).await }
            )+
        }
    };
}

with_store!(
    fifty_simultaneous_wrong_passwords_check_at_most_the_limit,
    one_address_is_limited_and_only_a_trusted_proxy_may_forward,
    a_global_limit_stops_a_spray,
);

/// GET with a bearer token: status, headers and bytes.
async fn fetch(
    app: &TestApp,
    token: &str,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let r = app.get(path, token).await;
    let (s, h) = (r.status(), r.headers().clone());
    (s, h, r.bytes().await.unwrap().to_vec())
}

/// Finding 3: a payer `=cmd|" /C calc"!A0`, a maker `=HYPERLINK(…)` and a product
/// `+SUM(1,2)` went into the pack's ledger CSV and the annex-3 CSV as typed.
async fn spreadsheet_cells_cannot_start_a_formula(app: TestApp) {
    let b = crate::underwriting::book(&app, "uw.csv").await;
    let finance = app.api_user("fin.csv", Role::Finance, None).await;
    let (id, _) = crate::certificates::zhejiang_policy(&app, &b).await;
    app.execute(&format!(
        "update party set name = '=HYPERLINK(\"http://evil.example\",\"x\")' where party_id = {}",
        b.maker
    ))
    .await;
    app.execute(&format!(
        "update catalogue_item set product_name = '+SUM(1,2)' where catalogue_item_id = {}",
        b.item
    ))
    .await;
    let mut p = payment("14000.00", "@SUM(A1)");
    p["payer"] = json!("=cmd|\" /C calc\"!A0");
    p["paid_on"] = json!("2025-01-05");
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/payments"),
        &p,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = post(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/certificate"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _, zip) = fetch(
        &app,
        &b.uw,
        &format!("/api/v1/policies/{id}/subsidy-pack.zip"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.expect("a readable entry name").into_owned())
        .collect();
    let mut texts = Vec::new();
    for n in names.iter().filter(|n| n.ends_with(".csv")) {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(n).unwrap(), &mut out).unwrap();
        texts.push(out);
    }
    let q = format!(
        "maker_id={}&programme_id=zhejiang-2025&from=2024-09-01&to=2025-08-31",
        b.maker
    );
    let (s, _, csv) = fetch(&app, &b.uw, &format!("/api/v1/exports/annex3.csv?{q}")).await;
    assert_eq!(s, StatusCode::OK);
    texts.push(String::from_utf8(csv).unwrap());
    assert_eq!(texts.len(), 3);
    for text in &texts {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(
                    !(cell.starts_with(['=', '+', '@', '\t', '\r'])
                        || (cell.starts_with('-') && cell.parse::<f64>().is_err())),
                    "formula cell {cell:?} in {text}"
                );
            }
        }
    }
    let all = texts.concat();
    assert!(all.contains("'=cmd|"), "{all}");
    assert!(all.contains("'@SUM(A1)"), "{all}");
    assert!(all.contains("'=HYPERLINK("), "{all}");
    assert!(all.contains("'+SUM(1,2)"), "{all}");
    // The workbook too: text cells, neutralised.
    let (s, _, xlsx) = fetch(&app, &b.uw, &format!("/api/v1/exports/annex3.xlsx?{q}")).await;
    assert_eq!(s, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let range = book.worksheet_range("附件3").unwrap();
    let cells: Vec<String> = range.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        cells
            .iter()
            .any(|c| c == "'=HYPERLINK(\"http://evil.example\",\"x\")"),
        "{cells:?}"
    );
    assert!(cells.iter().any(|c| c == "'+SUM(1,2)"), "{cells:?}");
    assert!(
        !cells.iter().any(|c| c.starts_with(['=', '+', '@'])),
        "{cells:?}"
    );
}

/// Finding 4: the same payment posted twice recorded two payments; the header was ignored.
async fn a_repeated_money_request_records_once(app: TestApp) {
    let (_, id, _, finance) = issued_policy(&app, "zhejiang-2025").await;
    let path = format!("/api/v1/policies/{id}/payments");
    let send = |key: &'static str, body: Value| {
        let app = &app;
        let finance = finance.clone();
        let path = path.clone();
        async move {
            let r = app
                .client()
                .post(app.url(&path))
                .bearer_auth(&finance)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s1, first) = send("pay-key-1", payment("4000.00", "IDEM-1")).await;
    assert_eq!(s1, StatusCode::CREATED, "{first}");
    let (s2, again) = send("pay-key-1", payment("4000.00", "IDEM-1")).await;
    assert_eq!(s2, StatusCode::CREATED);
    assert_eq!(again, first, "the stored answer, byte for byte");
    let (s3, v) = send("pay-key-1", payment("5000.00", "IDEM-1")).await;
    assert_eq!(s3, StatusCode::CONFLICT, "{v}");
    assert_eq!(count(&app, "payment").await, 1);
    assert_eq!(ledger(&app, &finance, id).await["paid"], "4000.00");
    // A failed first request keeps no claim on the key: a corrected retry works.
    let (s, _) = send("pay-key-2", payment("-1.00", "IDEM-2")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = send("pay-key-2", payment("1.00", "IDEM-2")).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(count(&app, "payment").await, 2);
    // Refunds and reversals go through the same table.
    let pid = first["payment_id"].as_i64().unwrap();
    for _ in 0..2 {
        let r = app
            .client()
            .post(app.url(&format!("/api/v1/payments/{pid}/reversal")))
            .bearer_auth(&finance)
            .header("Idempotency-Key", "rev-1")
            .json(&json!({"reason": "退票"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    assert_eq!(count(&app, "idempotency_key").await, 3);
    assert_eq!(ledger(&app, &finance, id).await["paid"], "1.00");

    // The finance form submitted twice (a double click) records once.
    app.add_user("fin.form", Role::Finance, None).await;
    let (client, _) = app.login("fin.form", PASSWORD).await;
    let page = client
        .get(app.url(&format!("/policies/{id}/billing")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::hidden_field(&page, "csrf").unwrap();
    let once = crate::helpers::hidden_field(&page, "idempotency_key").unwrap();
    assert!(once.ends_with("-payment"), "{once}");
    for _ in 0..2 {
        let r = client
            .post(app.url(&format!("/policies/{id}/billing/payment")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("idempotency_key", once.as_str()),
                ("payer", "浙江精工机械有限公司"),
                ("amount", "100.00"),
                ("paid_on", "2026-01-06"),
                ("method", "bank_transfer"),
                ("reference", "FORM-1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(ledger(&app, &finance, id).await["paid"], "101.00");
}

/// Finding 5: `GET …/certificate` issued a certificate.
async fn a_get_never_issues_a_certificate(app: TestApp) {
    let (b, id, _, finance) = issued_policy(&app, "zhejiang-2025").await;
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/policies/{id}/payments"),
        &payment("14000.00", "GET-1"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let path = format!("/api/v1/policies/{id}/certificate");
    for p in [
        path.clone(),
        format!("{path}.pdf"),
        format!("/api/v1/policies/{id}/subsidy-pack.zip"),
    ] {
        let (s, _, body) = fetch(&app, &b.uw, &p).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("尚未出具") && text.contains("not been issued yet"),
            "{text}"
        );
    }
    assert_eq!(
        count(&app, "certificate").await,
        0,
        "nothing was issued by a GET"
    );
    let (s, v) = post(&app, &b.uw, &path, &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _, _) = fetch(&app, &b.uw, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(count(&app, "certificate").await, 1);
}

/// Finding 6: `/lang/en` with `Referer: http://host//evil.example/x` redirected off-site.
async fn redirects_stay_on_this_site(app: TestApp) {
    let c = app.client();
    for (referer, expected) in [
        ("http://host//evil.example/x", "/"),
        ("http://host/\\evil.example", "/"),
        ("http://host/policies?x=1", "/policies?x=1"),
    ] {
        let r = c
            .get(app.url("/lang/en"))
            .header("Referer", referer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], expected, "{referer}");
    }
    app.add_user("redirected", Role::Finance, None).await;
    let page = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::hidden_field(&page, "csrf").unwrap();
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "redirected"),
            ("password", PASSWORD),
            ("next", "//evil.example/x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
}

/// Finding 7: no CSP, no Cache-Control on authenticated answers, /metrics open to anyone.
async fn authenticated_answers_are_not_cached_and_pages_have_a_strict_csp(app: TestApp) {
    let (b, id, _, finance) = issued_policy(&app, "zhejiang-2025").await;
    for path in [
        format!("/api/v1/policies/{id}/ledger"),
        format!("/api/v1/policies/{id}/schedule.pdf"),
        "/api/v1/me".to_string(),
    ] {
        let (s, h, _) = fetch(&app, &finance, &path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
    }
    let _ = b;
    let (client, _) = {
        app.add_user("csp.user", Role::Finance, None).await;
        app.login("csp.user", PASSWORD).await
    };
    let r = client
        .get(app.url(&format!("/policies/{id}")))
        .send()
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("<style") && !html.contains(" style=\""),
        "inline script or style on the page"
    );
    // Not signed in: no HSTS over plain http by default.
    let r = app.client().get(app.url("/login")).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
}

/// Finding 7: /metrics is off by default, or needs its bearer token; https turns on HSTS
/// and Secure cookies.
async fn metrics_need_a_token_and_https_brings_hsts_and_secure_cookies(store: Store) {
    let Some(app) = spawn_with(store, |c| {
        c.security.metrics_enabled = false;
    })
    .await
    else {
        return;
    };
    let r = app.client().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let Some(app) = spawn_with(store, |c| {
        c.security.metrics_token = Some("metrics-secret-123".into());
        c.public_url = "https://cover.example-insurer.cn".into();
    })
    .await
    else {
        return;
    };
    let r = app.client().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .client()
        .get(app.url("/metrics"))
        .bearer_auth("metrics-secret-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("firstcover_ready 1"));
    let r = app.client().get(app.url("/login")).send().await.unwrap();
    assert!(r.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
}

/// Issue 16 item 8: deactivate/reactivate (sessions and tokens end at once), reset with a
/// one-time password that must be changed, change one's own password.
async fn admins_manage_people_and_everyone_changes_their_password(app: TestApp) {
    let admin = app.api_user("people.admin", Role::Admin, None).await;
    app.add_user("clerk", Role::Finance, None).await;
    let token = app.token_for("clerk").await;
    let (session, _) = app.login("clerk", PASSWORD).await;
    let users: Value = app.get_json("/api/v1/users", &admin).await;
    let clerk = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "clerk")
        .unwrap()["user_id"]
        .as_i64()
        .unwrap();
    // The list is paged (no whole-table read): one at a time, oldest first, to the end.
    let total = users["total"].as_i64().unwrap();
    assert!(total >= 2, "{users}");
    let (mut seen, mut path) = (Vec::new(), "/api/v1/users?limit=1".to_string());
    loop {
        let p: Value = app.get_json(&path, &admin).await;
        assert_eq!(p["items"].as_array().unwrap().len(), 1, "{p}");
        seen.push(p["items"][0]["user_id"].as_i64().unwrap());
        match p["next"].as_str() {
            Some(next) => path = format!("/api/v1/users?limit=1&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, total);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    assert!(seen.contains(&clerk));
    let r = app
        .post_json(
            &format!("/api/v1/users/{clerk}/deactivate"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", &token).await.status(),
        StatusCode::UNAUTHORIZED,
        "token ended"
    );
    let r = session.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "session ended");
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    assert_eq!(
        sign_in(&app, "clerk", PASSWORD, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post_json(
            &format!("/api/v1/users/{clerk}/reactivate"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", &token).await.status(),
        StatusCode::UNAUTHORIZED,
        "the old token stays revoked"
    );

    // Reset: a one-time password; signing in with it leads to the password page only.
    let r = app
        .post_json(
            &format!("/api/v1/users/{clerk}/password-reset"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let one_time = r.json::<Value>().await.unwrap()["one_time_password"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        sign_in(&app, "clerk", PASSWORD, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (c, r) = app.login("clerk", &one_time).await;
    assert_eq!(r.headers()["location"], "/account/password");
    let r = c.get(app.url("/policies")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/account/password");
    let page = c
        .get(app.url("/account/password"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::hidden_field(&page, "csrf").unwrap();
    let r = c
        .post(app.url("/account/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", "wrong-one"),
            ("new_password", "a-new-password-42"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("当前密码不正确"));
    let r = c
        .post(app.url("/account/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", one_time.as_str()),
            ("new_password", "a-new-password-42"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c.get(app.url("/policies")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "free to work after the change");
    assert_eq!(
        sign_in(&app, "clerk", "a-new-password-42", None).await.0,
        StatusCode::SEE_OTHER
    );

    // Every step is audited.
    let audit: Value = app.get_json("/api/v1/audit?limit=50", &admin).await;
    let text = audit.to_string();
    for action in [
        "user.deactivate",
        "user.reactivate",
        "user.reset_password",
        "user.change_password",
    ] {
        assert!(text.contains(action), "{action} missing from {text}");
    }
    // Only admins manage people.
    let r = app
        .post_json(
            &format!("/api/v1/users/{clerk}/deactivate"),
            &app.token_for("clerk").await,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// Finding 10: polyglot uploads (PDF + ZIP, `%PDF-` + HTML, PNG + HTML) were stored.
async fn polyglot_uploads_are_refused(app: TestApp) {
    use firstcover::documents::inspect::samples;
    let cb = crate::claims::claims_book(&app, 50, "2000000.00", None).await;
    let id = crate::claims::open_claim(&app, &cb, "50000.00").await;
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let app = &app;
        let token = cb.handler.clone();
        async move {
            let form = reqwest::multipart::Form::new()
                .text("code", "claim_form")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes).file_name(name),
                );
            let r = app
                .client()
                .post(app.url(&format!("/api/v1/claims/{id}/documents")))
                .bearer_auth(&token)
                .multipart(form)
                .send()
                .await
                .unwrap();
            let s = r.status();
            (s, r.text().await.unwrap())
        }
    };
    let mut pdf_zip = samples::pdf();
    pdf_zip.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x08\x00payload.html");
    let mut pdf_html = b"%PDF-1.7\n<html><script>alert(document.cookie)</script></html>".to_vec();
    pdf_html.extend_from_slice(b"\n%%EOF\n");
    let mut png_html = samples::png();
    png_html.extend_from_slice(b"<html><body onload=alert(1)></body></html>");
    for (name, bytes, reason) in [
        ("a.pdf", pdf_zip, "ZIP"),
        ("b.pdf", pdf_html, "网页或脚本"),
        ("c.png", png_html, "网页或脚本"),
    ] {
        let (s, text) = upload(name, bytes).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {text}");
        assert!(
            text.contains(reason) && text.contains("polyglot"),
            "{name}: {text}"
        );
    }
    assert_eq!(count(&app, "claim_document").await, 0);
    let (s, text) = upload("ok.pdf", samples::pdf()).await;
    assert_eq!(s, StatusCode::CREATED, "{text}");
}

/// Finding 8: a client saw case reserves and their history, staff names in timelines,
/// underwriting findings with rule codes and authority limits, referral reasons.
async fn a_client_gets_the_policyholder_view(app: TestApp) {
    let cb = crate::claims::claims_book(&app, 50, "2000000.00", None).await;
    let id = crate::claims::open_claim(&app, &cb, "50000.00").await;
    // Staff: everything.
    let staff = app
        .get_json(&format!("/api/v1/claims/{id}"), &cb.handler)
        .await;
    assert!(
        staff["reserves"].as_array().is_some_and(|r| !r.is_empty()),
        "{staff}"
    );
    assert_eq!(staff["claim"]["reserve"], "50000.00");
    assert!(
        staff.to_string().contains("\"handler\""),
        "staff see who did what: {staff}"
    );
    // The client: its own explicit view.
    let client = app
        .get_json(&format!("/api/v1/claims/{id}"), &cb.client)
        .await;
    assert_eq!(client["claim"]["claim_id"], id, "{client}");
    assert_eq!(client["claim"]["amount_claimed"], "50000.00");
    assert!(client.get("reserves").is_none(), "{client}");
    assert!(client["claim"].get("reserve").is_none(), "{client}");
    assert!(client.get("approvals").is_none() && client.get("recoveries").is_none());
    let text = client.to_string();
    assert!(!text.contains("\"handler\""), "no staff user name: {text}");
    assert!(text.contains("the insurer"), "{text}");
    let list = app.get_json("/api/v1/claims", &cb.client).await;
    assert_eq!(list["total"], 1);
    assert!(list["items"][0].get("reserve").is_none(), "{list}");
    let list = app.get_json("/api/v1/claims", &cb.handler).await;
    assert_eq!(list["items"][0]["reserve"], "50000.00");

    // Policies: findings, referral state and history are staff-only.
    let policy = cb.policy;
    let staff = app
        .get_json(&format!("/api/v1/policies/{policy}"), &cb.b.uw)
        .await;
    for key in ["findings", "needs_referral"] {
        assert!(staff["policy"].get(key).is_some(), "{key}: {staff}");
    }
    assert!(staff.get("referrals").is_some() && staff.get("history").is_some());
    let client = app
        .get_json(&format!("/api/v1/policies/{policy}"), &cb.client)
        .await;
    assert_eq!(client["policy"]["policy_id"], policy, "{client}");
    for key in ["findings", "needs_referral", "terms"] {
        assert!(client["policy"].get(key).is_none(), "{key}: {client}");
    }
    assert!(client.get("referrals").is_none() && client.get("history").is_none());
    let text = client.to_string();
    assert!(
        !text.contains("basis.") && !text.contains("authority"),
        "no rule codes: {text}"
    );
    let list = app.get_json("/api/v1/policies", &cb.client).await;
    assert!(list["items"][0].get("findings").is_none(), "{list}");

    // The pages too.
    let page = |user: &'static str, path: String| {
        let app = &app;
        async move {
            let (c, _) = app.login(user, PASSWORD).await;
            c.get(app.url(&path))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let staff_claim = page("handler", format!("/claims/{id}")).await;
    assert!(staff_claim.contains("准备金历史") && staff_claim.contains("handler"));
    let client_claim = page("maker-user", format!("/claims/{id}")).await;
    assert!(
        client_claim.contains("50,000.00"),
        "the client's own claim page"
    );
    assert!(!client_claim.contains("准备金历史") && !client_claim.contains("未决赔款准备金"));
    assert!(
        !client_claim.contains("handler"),
        "no staff user name on the page"
    );
    // The policy page: the client's shows no rule codes.
    let client_policy = page("maker-user", format!("/policies/{policy}")).await;
    assert!(client_policy.contains(staff["policy"]["product_name"].as_str().unwrap()));
    assert!(!client_policy.contains("核保提示与转核原因") && !client_policy.contains("basis."));
}

on_both_stores!(
    a_client_gets_the_policyholder_view,
    polyglot_uploads_are_refused,
    the_two_payment_wrap_is_refused_and_no_certificate_is_issued,
    a_signed_bank_callback_with_a_huge_amount_is_refused,
    a_huge_limit_or_claim_is_refused_at_entry_and_the_backtest_works,
    the_cli_refuses_to_create_a_database_and_names_the_one_it_opened,
    spreadsheet_cells_cannot_start_a_formula,
    a_repeated_money_request_records_once,
    a_get_never_issues_a_certificate,
    redirects_stay_on_this_site,
    authenticated_answers_are_not_cached_and_pages_have_a_strict_csp,
    admins_manage_people_and_everyone_changes_their_password,
);

mod more {
    macro_rules! both {
        ($($name:ident),+) => {
            mod sqlite_more { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::super::$name(crate::helpers::Store::Sqlite).await } )+ }
            mod postgres_more { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::super::$name(crate::helpers::Store::Postgres).await } )+ }
        };
    }
    both!(metrics_need_a_token_and_https_brings_hsts_and_secure_cookies);
}
