//! What a user feels as the book grows (issue 18): p50/p99 of the daily endpoints on a
//! large book against the same endpoints on a 1,000-policy book, in the same run, with
//! the large/small ratio per endpoint.
//!
//! `cargo bench --bench scale` (PostgreSQL at `BENCH_PG_URL`, default
//! postgres://postgres@127.0.0.1:5432). Size: `SCALE_POLICIES` (default 100,000; the
//! issue's target is 1,000,000), `SCALE_CLAIMS` (default a fifth of the policies),
//! `SCALE_REQUESTS` per endpoint (default 40). The books are loaded in bulk the way the
//! backtest bench loads its book (set-based SQL through the schema's triggers, sequences
//! moved past the ids), then served by the real application over HTTP.

// Shared with the backtest benches; this one uses a few of its helpers.
#[allow(dead_code)]
mod common;

use common::{env_usize, peak_rss, BenchResult, RESET_SEQUENCES};
use firstcover::app::{Application, StartOptions};
use firstcover::config::Config;
use firstcover::domain::role::Role;
use firstcover::services::{users, Actor};
use firstcover::store::Db;
use std::time::Instant;

const PASSWORD: &str = "scale-bench-password";

fn main() -> BenchResult<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> BenchResult<()> {
    let admin = std::env::var("BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let large = env_usize("SCALE_POLICIES", 100_000);
    let claims = env_usize("SCALE_CLAIMS", large / 5);
    let requests = env_usize("SCALE_REQUESTS", 40);
    println!("[setup] load average {}", load_average());
    let small_url = load(&admin, "firstcover_scale_small", 1_000, 200).await?;
    let large_url = load(&admin, "firstcover_scale_large", large, claims).await?;
    let small = measure(&small_url, requests).await?;
    let big = measure(&large_url, requests).await?;
    println!(
        "\n{:<34} {:>10} {:>10} {:>10} {:>10} {:>7}",
        "endpoint", "small p50", "small p99", "large p50", "large p99", "ratio"
    );
    for ((name, s50, s99), (_, l50, l99)) in small.iter().zip(big.iter()) {
        println!(
            "{name:<34} {s50:>8.2}ms {s99:>8.2}ms {l50:>8.2}ms {l99:>8.2}ms {:>6.2}x",
            l50 / s50
        );
    }
    println!(
        "\n[result] {large} policies, {claims} claims vs 1,000 / 200; {requests} requests per \
         endpoint, one connection; load average {}; peak RSS of this process (server and \
         client together) {}",
        load_average(),
        peak_rss().unwrap_or_else(|| "unknown".into())
    );
    Ok(())
}

/// Create (or reuse, when it already holds `policies`) a book of that size.
async fn load(admin: &str, name: &str, policies: usize, claims: usize) -> BenchResult<String> {
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    let url = format!("{base}/{name}");
    let admin_db = Db::connect(admin, 1).await?;
    let Db::Postgres(ap) = &admin_db else {
        return Err("BENCH_PG_URL must be PostgreSQL".into());
    };
    if let Ok(db) = Db::connect(&url, 1).await {
        if db.migrate().await.is_ok() {
            if let Db::Postgres(p) = &db {
                let n: i64 = sqlx::query_scalar("select count(*) from policy")
                    .fetch_one(p)
                    .await
                    .unwrap_or(0);
                if n == policies as i64 {
                    println!("[setup] {name} already holds {n} policies");
                    return Ok(url);
                }
            }
        }
        db.close().await;
    }
    sqlx::raw_sql(&format!("drop database if exists {name} with (force)"))
        .execute(ap)
        .await?;
    sqlx::raw_sql(&format!("create database {name}"))
        .execute(ap)
        .await?;
    let t = Instant::now();
    let db = Db::connect(&url, 2).await?;
    db.migrate().await?;
    let Db::Postgres(p) = &db else {
        return Err("PostgreSQL only".into());
    };
    let makers = (policies / 100).max(10);
    sqlx::raw_sql(&format!(
        "insert into app_user (user_id, username, display_name, password_hash, role, created_at, updated_at)
            values (1, 'bench', 'bench', '-', 'underwriter', now(), now());
         insert into party (party_id, kind, name, credit_code, province, created_at, updated_at)
            select s, case when s <= {makers} then 'maker' else 'user' end,
                   case when s <= {makers} then '浙江精工制造' || s || '有限公司' else '用户单位' || s end,
                   '9133' || lpad(s::text, 14, '0'), '浙江省', now(), now()
            from generate_series(1, {parties}) s;
         insert into catalogue_item (catalogue_item_id, maker_id, edition, product_name, field, unit_type, tier,
            qualification_year, valid_from, valid_until, created_at, updated_at)
            select s, s, 'national-2024', '精密主轴' || s, '高档数控机床', 'key_component',
                'domestic', 2024, date '2024-01-01', date '2030-12-31', now(), now()
            from generate_series(1, {makers}) s;
         insert into policy (policy_id, policy_number, state, state_json, maker_id, user_id, catalogue_item_id,
            cover_basis, clause_set_id, clause_set_version, programme_id, period_start, period_end, units,
            insured_value, aggregate_limit, rate, premium, needs_referral, terms_json, findings_json,
            first_insured_year, quoted_by, issued_at, created_at, updated_at)
            select s, 'FC-' || (2020 + s % 6) || '-' || lpad(s::text, 7, '0'),
                case when s % 7 = 0 then 'expired' else 'in_force' end, '{{}}',
                1 + s % {makers}, {makers} + 1 + s % {makers}, 1 + s % {makers}, 'first_year',
                'first-set-equipment', '2025.1', 'zhejiang-2025',
                make_date(2020 + s % 6, 1, 1), make_date(2020 + s % 6, 12, 31), 50,
                100000000, 200000000, '0.014', 1400000, false,
                json_build_object('maker_id', 1 + s % {makers}, 'user_id', {makers} + 1 + s % {makers},
                    'catalogue_item_id', 1 + s % {makers}, 'cover_basis', 'first_year',
                    'units', json_build_array(json_build_object('serial', 'B' || s, 'quantity', 50,
                        'unit_value', '20000.00')),
                    'delivery_date', make_date(2019 + s % 6, 12, 15),
                    'sections', json_build_array(json_build_object('code', 'QUALITY', 'deductible', 'Q-FIXED')),
                    'aggregate_limit', '2000000.00',
                    'period_start', make_date(2020 + s % 6, 1, 1),
                    'period_end', make_date(2020 + s % 6, 12, 31))::text,
                '[]', 2020 + s % 6, 1, now(), now(), now()
            from generate_series(1, {policies}) s;
         insert into policy_version (policy_id, seq, kind, effective_on, terms_json, clause_text_json, premium,
            adjustment, created_by, created_at)
            select policy_id, 1, 'issue', period_start, '{{}}', '{{}}', premium, premium, 1, now() from policy;
         insert into claim (claim_number, policy_id, maker_id, claim_type, state, event_date, reported_on,
            place, description, units_json, amount_claimed, cover_json, reported_by, proof_complete_on,
            created_at, updated_at)
            select 'CL-' || lpad(s::text, 8, '0'), p.policy_id, p.maker_id, 'quality_repair',
                case when s % 2 = 0 then 'closed' else 'open' end,
                p.period_start + 100, p.period_start + 110, '杭州', '主轴异响', '[\"B1\"]', 5000000, '{{}}', 1,
                case when s % 4 = 1 then p.period_start + 120 end, now(), now()
            from generate_series(1, {claims}) s join policy p on p.policy_id = 1 + (s * 5) % {policies};
         update claim set next_due_on = proof_complete_on + 30 where proof_complete_on is not null and state <> 'closed';
         insert into claim_reserve (claim_id, amount, set_at, set_on, reason)
            select claim_id, 4000000, now(), reported_on, 'bench' from claim;
         {RESET_SEQUENCES}
         select setval(pg_get_serial_sequence('claim', 'claim_id'), coalesce(max(claim_id), 0) + 1, false) from claim;
         analyze;",
        parties = 2 * makers,
    ))
    .execute(p)
    .await?;
    println!(
        "[setup] loaded {name}: {policies} policies, {claims} claims in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    db.close().await;
    Ok(url)
}

/// Sign in through the login form; the client keeps the session cookie.
async fn session(base: &str, username: &str) -> BenchResult<reqwest::Client> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .ok_or("no csrf field on the login page")?
        .to_string();
    client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await?;
    Ok(client)
}

/// (endpoint, p50 ms, p99 ms) for each daily endpoint on one book.
async fn measure(url: &str, requests: usize) -> BenchResult<Vec<(String, f64, f64)>> {
    let mut config = Config {
        database_url: url.into(),
        bind: "127.0.0.1:0".into(),
        ..Config::default()
    };
    config.bind = "127.0.0.1:0".into();
    let app = Application::build(
        config,
        StartOptions {
            workers: Some(2),
            ..Default::default()
        },
    )
    .await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let db = app.db.clone();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let stamp = Instant::now().elapsed().as_nanos();
    let mut who = Vec::new();
    for (role, name, maker) in [
        (Role::Admin, "admin", None),
        (Role::Underwriter, "uw", None),
        (Role::ClaimsHandler, "claims", None),
        (Role::Finance, "finance", None),
        (Role::Auditor, "auditor", None),
        (Role::Client, "client", Some(1)),
    ] {
        let username = format!("scale.{name}.{stamp}");
        let _ = users::create(
            &db,
            &Actor::system(),
            users::NewUserInput {
                username: username.clone(),
                display_name: username.clone(),
                email: format!("{name}@example.com"),
                password: PASSWORD.into(),
                role,
                maker_id: maker,
            },
        )
        .await;
        who.push((name, session(&base, &username).await?));
    }
    let (_, token) =
        users::create_token(&db, &Actor::system(), &format!("scale.uw.{stamp}"), "scale").await?;
    // The claims queue is a claims handler's.
    let (_, claims_token) = users::create_token(
        &db,
        &Actor::system(),
        &format!("scale.claims.{stamp}"),
        "scale",
    )
    .await?;
    let get = |name: &str| who.iter().find(|(n, _)| *n == name).map(|(_, c)| c.clone());
    let api = reqwest::Client::new();
    let endpoints: Vec<(&str, reqwest::Client, String, bool)> = vec![
        (
            "GET /api/v1/policies?limit=50",
            api.clone(),
            "/api/v1/policies?limit=50".into(),
            true,
        ),
        (
            "policy search (number fragment)",
            api.clone(),
            "/api/v1/policies?q=0000777".into(),
            true,
        ),
        (
            "policy search (maker name)",
            api.clone(),
            "/api/v1/policies?q=%E7%B2%BE%E5%B7%A5%E5%88%B6%E9%80%A077".into(),
            true,
        ),
        (
            "GET /api/v1/claims?limit=50",
            api.clone(),
            "/api/v1/claims?limit=50".into(),
            true,
        ),
        (
            "GET /api/v1/claims/queue",
            api.clone(),
            "/api/v1/claims/queue".into(),
            true,
        ),
        (
            "/policies page",
            get("uw").ok_or("uw")?,
            "/policies".into(),
            false,
        ),
        (
            "/claims page",
            get("claims").ok_or("claims")?,
            "/claims".into(),
            false,
        ),
        (
            "/claims/queue page",
            get("claims").ok_or("claims")?,
            "/claims/queue".into(),
            false,
        ),
        (
            "/audit page (actor filter)",
            get("auditor").ok_or("auditor")?,
            "/audit?actor=system".into(),
            false,
        ),
        (
            "admin dashboard",
            get("admin").ok_or("admin")?,
            "/".into(),
            false,
        ),
        (
            "claims dashboard",
            get("claims").ok_or("claims")?,
            "/".into(),
            false,
        ),
        (
            "underwriter dashboard",
            get("uw").ok_or("uw")?,
            "/".into(),
            false,
        ),
        (
            "finance dashboard",
            get("finance").ok_or("finance")?,
            "/".into(),
            false,
        ),
        (
            "client /portal",
            get("client").ok_or("client")?,
            "/portal".into(),
            false,
        ),
        ("/metrics", api.clone(), "/metrics".into(), false),
    ];
    let mut out = Vec::new();
    for (name, client, path, bearer) in endpoints {
        let mut times = Vec::with_capacity(requests);
        for i in 0..requests + 3 {
            let mut req = client.get(format!("{base}{path}"));
            if bearer {
                let t = if path.starts_with("/api/v1/claims") {
                    &claims_token
                } else {
                    &token
                };
                req = req.bearer_auth(t);
            }
            let t = Instant::now();
            let r = req.send().await?;
            let status = r.status();
            let _ = r.bytes().await?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if !status.is_success() {
                return Err(format!("{name}: {status}").into());
            }
            // The first few warm the statement cache.
            if i >= 3 {
                times.push(ms);
            }
        }
        times.sort_by(f64::total_cmp);
        let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
        out.push((name.to_string(), p(0.5), p(0.99)));
    }
    drop(handle.stop(true));
    Ok(out)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
