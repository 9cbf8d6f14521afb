//! What a user feels as the book grows (issue 18): p50/p99 of the daily endpoints on a
//! large book against the same endpoints on a 1,000-policy book, in the same run, with
//! the large/small ratio per endpoint.
//!
//! `cargo bench --bench scale` (PostgreSQL at `BENCH_PG_URL`, default
//! postgres://postgres@127.0.0.1:5432; `SCALE_STORE=sqlite` for SQLite files under
//! `SCALE_SQLITE_DIR`, default /tmp/firstcover-scale). Size: `SCALE_POLICIES` (default
//! 100,000; the issue's target is 1,000,000 on PostgreSQL and 100,000 on SQLite),
//! `SCALE_CLAIMS` (default a fifth of the policies), `SCALE_REQUESTS` per endpoint
//! (default 40). The books are loaded in bulk the way the backtest bench loads its
//! book (set-based SQL through the schema's triggers, sequences moved past the ids):
//! policies with their issue versions, claims with reserves, a payment on every third
//! policy, two audit rows per policy and one per claim (chained as far as the loader
//! goes, the checkpoint set at the end so the sealer starts from there), bank lines in
//! suspense and outbox rows; then each book is served by the real application over HTTP.

// Shared with the backtest benches; this one uses a few of its helpers.
#[allow(dead_code)]
mod common;

use common::{env_usize, BenchResult, RESET_SEQUENCES};
use firstcover::app::{Application, StartOptions};
use firstcover::config::Config;
use firstcover::domain::role::Role;
use firstcover::services::{users, Actor, Services};
use firstcover::store::Db;
use std::time::Instant;

const PASSWORD: &str = "scale-bench-password";

fn main() -> BenchResult<()> {
    // As `firstcover serve` does (the server runs in this process).
    firstcover::memory::tune_allocator();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> BenchResult<()> {
    let admin = std::env::var("BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let sqlite = std::env::var("SCALE_STORE").is_ok_and(|s| s == "sqlite");
    let dir = std::env::var("SCALE_SQLITE_DIR").unwrap_or_else(|_| "/tmp/firstcover-scale".into());
    let large = env_usize("SCALE_POLICIES", 100_000);
    let claims = env_usize("SCALE_CLAIMS", large / 5);
    let requests = env_usize("SCALE_REQUESTS", 40);
    let only: Option<String> = std::env::var("SCALE_ONLY").ok();
    println!(
        "[setup] {} store; load average {}",
        if sqlite { "SQLite" } else { "PostgreSQL" },
        load_average()
    );
    let book = |name: &str| {
        if sqlite {
            format!("sqlite://{dir}/{name}.db")
        } else {
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            format!("{base}/{name}")
        }
    };
    let small_url = book("firstcover_scale_small");
    let large_url = book(&format!("firstcover_scale_{large}"));
    load(&admin, &small_url, 1_000, 200).await?;
    load(&admin, &large_url, large, claims).await?;
    println!("[memory] before serving: {}", rss());
    let small = measure(&small_url, requests, only.as_deref()).await?;
    let big = measure(&large_url, requests, only.as_deref()).await?;
    println!(
        "\n{:<38} {:>10} {:>10} {:>10} {:>10} {:>7} {:>7}",
        "endpoint", "small p50", "small p99", "large p50", "large p99", "p50 ×", "p99 ×"
    );
    for ((name, s50, s99), (_, l50, l99)) in small.iter().zip(big.iter()) {
        println!(
            "{name:<38} {s50:>8.2}ms {s99:>8.2}ms {l50:>8.2}ms {l99:>8.2}ms {:>6.2}x {:>6.2}x",
            l50 / s50,
            l99 / s99
        );
    }
    println!(
        "\n[result] {} {large} policies, {claims} claims vs 1,000 / 200; {requests} requests per \
         endpoint, one connection; load average {}; {} (server and client in this process)",
        if sqlite { "SQLite" } else { "PostgreSQL" },
        load_average(),
        rss()
    );
    Ok(())
}

/// How many rows of `table` the book holds (0 when it cannot tell).
async fn rows(db: &Db, table: &str) -> i64 {
    let sql = format!("select count(*) from {table}");
    match db {
        Db::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap_or(0),
        Db::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap_or(0),
    }
}

/// Create (or reuse, when it already holds `policies`) a book of that size at `url`.
async fn load(admin: &str, url: &str, policies: usize, claims: usize) -> BenchResult<()> {
    let name = url.rsplit('/').next().unwrap_or(url).to_string();
    if let Ok(db) = Db::connect(url, 1).await {
        // The loader's last step records the size; a load that stopped half-way has none.
        if db.migrate().await.is_ok()
            && rows(&db, "bench_loaded").await == 1
            && rows(&db, "policy").await == policies as i64
        {
            println!("[setup] {name} already holds {policies} policies");
            db.close().await;
            return Ok(());
        }
        db.close().await;
    }
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        let path = url.trim_start_matches("sqlite://");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    } else {
        let admin_db = Db::connect(admin, 1).await?;
        let Db::Postgres(ap) = &admin_db else {
            return Err("BENCH_PG_URL must be PostgreSQL".into());
        };
        sqlx::raw_sql(&format!("drop database if exists {name} with (force)"))
            .execute(ap)
            .await?;
        sqlx::raw_sql(&format!("create database {name}"))
            .execute(ap)
            .await?;
        admin_db.close().await;
    }
    let t = Instant::now();
    let db = Db::connect(url, 2).await?;
    db.migrate().await?;
    let makers = (policies / 100).max(10);
    let sizes = Sizes {
        policies,
        claims,
        makers,
        parties: 2 * makers,
        lines: (policies / 100).max(50),
    };
    match &db {
        Db::Postgres(p) => {
            for (step, sql) in pg_load(&sizes) {
                let s = Instant::now();
                sqlx::raw_sql(&sql).execute(p).await?;
                println!("[setup]   {step}: {:.1}s", s.elapsed().as_secs_f64());
            }
        }
        Db::Sqlite(p) => {
            for (step, sql) in sqlite_load(&sizes) {
                let s = Instant::now();
                sqlx::raw_sql(&sql).execute(p).await?;
                println!("[setup]   {step}: {:.1}s", s.elapsed().as_secs_f64());
            }
        }
    }
    // PostgreSQL loaded with the arrears and serial triggers off (an arrears refresh per
    // row is ~1 ms: a quarter of an hour at 1M); the ledger and the serials are built
    // set-based and the triggers go back on. SQLite's triggers fired row by row (they
    // cannot be switched off); either way the ledger ends folded, as the summary-folding
    // job leaves it.
    let s = Instant::now();
    let mut tx = db.write().await?;
    if sqlite {
        firstcover::store::arrears::compact(&mut tx).await?;
    } else {
        firstcover::store::arrears::rebuild(&mut tx).await?;
        firstcover::store::policies::rebuild_serials(&mut tx).await?;
    }
    tx.commit().await?;
    if let Db::Postgres(p) = &db {
        sqlx::raw_sql(BULK_TRIGGERS_ON).execute(p).await?;
    }
    println!(
        "[setup]   arrears ledger, serials: {:.1}s",
        s.elapsed().as_secs_f64()
    );
    println!(
        "[setup] loaded {name}: {policies} policies, {claims} claims, {} audit rows in {:.1}s (load average {})",
        rows(&db, "audit_log").await,
        t.elapsed().as_secs_f64(),
        load_average()
    );
    db.close().await;
    Ok(())
}

struct Sizes {
    policies: usize,
    claims: usize,
    makers: usize,
    parties: usize,
    lines: usize,
}

/// The cover check every loaded claim carries (a `CoverCheck` document: the claim column is
/// typed, so it must parse), as an SQL literal.
const COVER_CHECK: &str = r#"'{"in_period":true,"section_code":"QUALITY","units_insured":true,"uninsured_units":[],"section_left":null,"aggregate_left":"2000000.00","premium":"14000.00","premium_paid":null,"limitation_ends_on":"2030-12-31","refusals":[],"notes":[]}'"#;

/// The row triggers a bulk load switches off: premium arrears (migration 0024) and the
/// policies' serials (0025); both are rebuilt set-based after the load.
const BULK_TRIGGERS_OFF: &str =
    "alter table policy_version disable trigger premium_arrears_policy_version; \
    alter table payment disable trigger premium_arrears_payment; \
    alter table policy disable trigger policy_serial_insert;";
const BULK_TRIGGERS_ON: &str =
    "alter table policy_version enable trigger premium_arrears_policy_version; \
    alter table payment enable trigger premium_arrears_payment; \
    alter table policy enable trigger policy_serial_insert;";

/// The PostgreSQL load, step by step.
fn pg_load(z: &Sizes) -> Vec<(&'static str, String)> {
    let Sizes {
        policies,
        claims,
        makers,
        parties,
        lines,
    } = *z;
    vec![
        ("bulk triggers off", BULK_TRIGGERS_OFF.into()),
        ("parties, catalogue", format!(
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
            from generate_series(1, {makers}) s;")),
        ("policies", format!(
        "insert into policy (policy_id, policy_number, state, state_json, maker_id, user_id, catalogue_item_id,
            cover_basis, clause_set_id, clause_set_version, programme_id, period_start, period_end, units,
            insured_value, aggregate_limit, rate, premium, needs_referral, terms_json, findings_json,
            first_insured_year, quoted_by, issued_at, created_at, updated_at)
            select s, 'FC-' || (2020 + s % 6) || '-' || lpad(s::text, 7, '0'),
                case when s % 7 = 0 then 'expired' else 'in_force' end,
                case when s % 7 = 0 then '{{\"state\":\"expired\"}}' else '{{\"state\":\"in_force\"}}' end,
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
            from generate_series(1, {policies}) s;")),
        ("policy versions", "insert into policy_version (policy_id, seq, kind, effective_on, terms_json, clause_text_json, premium,
            adjustment, created_by, created_at)
            select policy_id, 1, 'issue', period_start, '{}', '{}', premium, premium, 1, now() from policy;".into()),
        ("payments", "insert into payment (policy_id, paid_on, amount, method, reference, payer, source, recorded_by, recorded_at)
            select policy_id, period_start + 5, premium, 'bank_transfer', policy_number, '浙江精工', 'manual', 1, now()
            from policy where policy_id % 3 = 0;".into()),
        ("claims, reserves", format!(
        "insert into claim (claim_number, policy_id, maker_id, claim_type, state, event_date, reported_on,
            place, description, units_json, amount_claimed, cover_json, reported_by, proof_complete_on,
            created_at, updated_at)
            select 'CL-' || lpad(s::text, 8, '0'), p.policy_id, p.maker_id, 'quality_repair',
                case when s % 2 = 0 then 'closed' else 'open' end,
                p.period_start + 100, p.period_start + 110, '杭州', '主轴异响', '[\"B1\"]', 5000000,
                {COVER_CHECK}, 1,
                case when s % 4 = 1 then p.period_start + 120 end, now(), now()
            from generate_series(1, {claims}) s join policy p on p.policy_id = 1 + (s * 5) % {policies};
         update claim set next_due_on = proof_complete_on + 30 where proof_complete_on is not null and state <> 'closed';
         insert into claim_reserve (claim_id, amount, set_at, set_on, reason)
            select claim_id, 4000000, now(), reported_on, 'bench' from claim;")),
        ("audit rows", format!(
        "insert into audit_log (seq, occurred_at, actor_id, actor_name, action, entity_type, entity_id,
            before_json, after_json, prev_hash, hash)
            select s, now() - make_interval(secs => ({policies} * 2 + {claims} - s)),
                case when s % 10 = 0 then null else 1 end,
                case when s % 10 = 0 then 'system' else 'uw.bench' end,
                case when s <= 2 * {policies} then (case when s % 2 = 0 then 'policy.issue' else 'policy.quote' end)
                     else 'claim.notify' end,
                case when s <= 2 * {policies} then 'policy' else 'claim' end,
                case when s <= 2 * {policies} then ((s + 1) / 2)::text else (s - 2 * {policies})::text end,
                null, '{{\"bench\":true}}', md5((s - 1)::text), md5(s::text)
            from generate_series(1, 2 * {policies} + {claims}) s;
         update audit_head set seq = (select max(seq) from audit_log), last_hash = (select hash from audit_log order by seq desc limit 1);
         insert into audit_checkpoint (id, seq, hash, verified_at)
            select 1, seq, last_hash, now() from audit_head;")),
        ("bank lines, outbox", format!(
        "insert into bank_line (source, bank_txn_id, value_date, amount, payer, reference, created_at)
            select 'statement', 'BANK-' || s, date '2025-06-01' + (s % 90), 100000 + s, '未知付款人' || s, '货款' || s, now()
            from generate_series(1, {lines}) s;
         insert into outbox (kind, dedupe_key, payload_json, status, attempts, next_attempt_at, created_at)
            select 'mail', 'bench-' || s, '{{}}', case when s % 50 = 0 then 'dead' else 'delivered' end, 1, now(), now()
            from generate_series(1, {policies} / 10) s;")),
        ("sequences, analyze", format!(
        "{RESET_SEQUENCES}
         select setval(pg_get_serial_sequence('claim', 'claim_id'), coalesce(max(claim_id), 0) + 1, false) from claim;")),
        ("vacuum analyze", "vacuum analyze".into()),
        ("done", format!("create table bench_loaded (policies bigint); insert into bench_loaded values ({policies});")),
    ]
}

/// The SQLite load: the same book with recursive counters for generate_series.
fn sqlite_load(z: &Sizes) -> Vec<(&'static str, String)> {
    let Sizes {
        policies,
        claims,
        makers,
        parties,
        lines,
    } = *z;
    let series = |n: usize| {
        format!("with recursive g(s) as (select 1 union all select s + 1 from g where s < {n})")
    };
    let now = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";
    vec![
        ("parties, catalogue", format!(
        "insert into app_user (user_id, username, display_name, password_hash, role, created_at, updated_at)
            values (1, 'bench', 'bench', '-', 'underwriter', {now}, {now});
         insert into party (party_id, kind, name, credit_code, province, created_at, updated_at)
            {} select s, case when s <= {makers} then 'maker' else 'user' end,
                   case when s <= {makers} then '浙江精工制造' || s || '有限公司' else '用户单位' || s end,
                   '9133' || printf('%014d', s), '浙江省', {now}, {now}
            from g;
         insert into catalogue_item (catalogue_item_id, maker_id, edition, product_name, field, unit_type, tier,
            qualification_year, valid_from, valid_until, created_at, updated_at)
            {} select s, s, 'national-2024', '精密主轴' || s, '高档数控机床', 'key_component',
                'domestic', 2024, '2024-01-01', '2030-12-31', {now}, {now}
            from g;", series(parties), series(makers))),
        ("policies", format!(
        "insert into policy (policy_id, policy_number, state, state_json, maker_id, user_id, catalogue_item_id,
            cover_basis, clause_set_id, clause_set_version, programme_id, period_start, period_end, units,
            insured_value, aggregate_limit, rate, premium, needs_referral, terms_json, findings_json,
            first_insured_year, quoted_by, issued_at, created_at, updated_at)
            {} select s, 'FC-' || (2020 + s % 6) || '-' || printf('%07d', s),
                case when s % 7 = 0 then 'expired' else 'in_force' end,
                case when s % 7 = 0 then '{{\"state\":\"expired\"}}' else '{{\"state\":\"in_force\"}}' end,
                1 + s % {makers}, {makers} + 1 + s % {makers}, 1 + s % {makers}, 'first_year',
                'first-set-equipment', '2025.1', 'zhejiang-2025',
                (2020 + s % 6) || '-01-01', (2020 + s % 6) || '-12-31', 50,
                100000000, 200000000, '0.014', 1400000, 0,
                json_object('maker_id', 1 + s % {makers}, 'user_id', {makers} + 1 + s % {makers},
                    'catalogue_item_id', 1 + s % {makers}, 'cover_basis', 'first_year',
                    'units', json_array(json_object('serial', 'B' || s, 'quantity', 50,
                        'unit_value', '20000.00')),
                    'delivery_date', (2019 + s % 6) || '-12-15',
                    'sections', json_array(json_object('code', 'QUALITY', 'deductible', 'Q-FIXED')),
                    'aggregate_limit', '2000000.00',
                    'period_start', (2020 + s % 6) || '-01-01',
                    'period_end', (2020 + s % 6) || '-12-31'),
                '[]', 2020 + s % 6, 1, {now}, {now}, {now}
            from g;", series(policies))),
        ("policy versions", format!("insert into policy_version (policy_id, seq, kind, effective_on, terms_json, clause_text_json, premium,
            adjustment, created_by, created_at)
            select policy_id, 1, 'issue', period_start, '{{}}', '{{}}', premium, premium, 1, {now} from policy;")),
        ("payments", format!("insert into payment (policy_id, paid_on, amount, method, reference, payer, source, recorded_by, recorded_at)
            select policy_id, date(period_start, '+5 days'), premium, 'bank_transfer', policy_number, '浙江精工', 'manual', 1, {now}
            from policy where policy_id % 3 = 0;")),
        ("claims, reserves", format!(
        "insert into claim (claim_number, policy_id, maker_id, claim_type, state, event_date, reported_on,
            place, description, units_json, amount_claimed, cover_json, reported_by, proof_complete_on,
            created_at, updated_at)
            {} select 'CL-' || printf('%08d', s), p.policy_id, p.maker_id, 'quality_repair',
                case when s % 2 = 0 then 'closed' else 'open' end,
                date(p.period_start, '+100 days'), date(p.period_start, '+110 days'), '杭州', '主轴异响', '[\"B1\"]', 5000000,
                {COVER_CHECK}, 1,
                case when s % 4 = 1 then date(p.period_start, '+120 days') end, {now}, {now}
            from g join policy p on p.policy_id = 1 + (s * 5) % {policies};
         update claim set next_due_on = date(proof_complete_on, '+30 days') where proof_complete_on is not null and state <> 'closed';
         insert into claim_reserve (claim_id, amount, set_at, set_on, reason)
            select claim_id, 4000000, {now}, reported_on, 'bench' from claim;", series(claims))),
        ("audit rows", format!(
        "insert into audit_log (seq, occurred_at, actor_id, actor_name, action, entity_type, entity_id,
            before_json, after_json, prev_hash, hash)
            {} select s, strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || ({policies} * 2 + {claims} - s) || ' seconds'),
                case when s % 10 = 0 then null else 1 end,
                case when s % 10 = 0 then 'system' else 'uw.bench' end,
                case when s <= 2 * {policies} then (case when s % 2 = 0 then 'policy.issue' else 'policy.quote' end)
                     else 'claim.notify' end,
                case when s <= 2 * {policies} then 'policy' else 'claim' end,
                case when s <= 2 * {policies} then cast((s + 1) / 2 as text) else cast(s - 2 * {policies} as text) end,
                null, '{{\"bench\":true}}', printf('%064x', s - 1), printf('%064x', s)
            from g;
         update audit_head set seq = (select max(seq) from audit_log), last_hash = (select hash from audit_log order by seq desc limit 1);
         insert into audit_checkpoint (id, seq, hash, verified_at)
            select 1, seq, last_hash, {now} from audit_head;", series(2 * policies + claims))),
        ("bank lines, outbox", format!(
        "insert into bank_line (source, bank_txn_id, value_date, amount, payer, reference, created_at)
            {} select 'statement', 'BANK-' || s, date('2025-06-01', '+' || (s % 90) || ' days'), 100000 + s, '未知付款人' || s, '货款' || s, {now}
            from g;
         insert into outbox (kind, dedupe_key, payload_json, status, attempts, next_attempt_at, created_at)
            {} select 'mail', 'bench-' || s, '{{}}', case when s % 50 = 0 then 'dead' else 'delivered' end, 1, {now}, {now}
            from g;", series(lines), series((policies / 10).max(1)))),
        ("analyze", "analyze;".into()),
        ("done", format!("create table bench_loaded (policies bigint); insert into bench_loaded values ({policies});")),
    ]
}

/// Resident memory now and at its peak: of the external server when
/// `SCALE_SERVER_PID` names it, else of this process.
fn rss() -> String {
    let pid = std::env::var("SCALE_SERVER_PID").unwrap_or_else(|_| "self".into());
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.trim_start_matches(name).trim().to_string())
            .unwrap_or_else(|| "unknown".into())
    };
    format!("VmRSS {}, VmHWM {}", field("VmRSS:"), field("VmHWM:"))
}

/// Sign in through the login form; the client keeps the session cookie.
async fn session(base: &str, username: &str) -> BenchResult<reqwest::Client> {
    let client = firstcover::tls::client_builder()
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

/// (endpoint, p50 ms, p99 ms) for each daily endpoint on one book (`only`: the
/// endpoints whose name contains it).
async fn measure(
    url: &str,
    requests: usize,
    only: Option<&str>,
) -> BenchResult<Vec<(String, f64, f64)>> {
    // `SCALE_EXTERNAL`: a `firstcover serve` already running on the large book (its
    // memory is then read from /proc/`SCALE_SERVER_PID`/status); otherwise the
    // application is built in this process.
    let external = std::env::var("SCALE_EXTERNAL")
        .ok()
        .filter(|_| !url.contains("firstcover_scale_small"));
    let (base, shared, handle) = match &external {
        Some(base) => {
            let config = Config {
                database_url: url.into(),
                ..Config::default()
            };
            let db = Db::connect(url, 2).await?;
            let shared = Services::open(db, config, Default::default()).await?;
            (base.clone(), shared, None)
        }
        None => {
            let mut config = Config {
                database_url: url.into(),
                bind: "127.0.0.1:0".into(),
                ..Config::default()
            };
            // `/metrics` is off unless configured (issue 14); the bench scrapes it.
            config.security.metrics_enabled = true;
            let app = Application::build(
                config,
                StartOptions {
                    workers: Some(2),
                    ..Default::default()
                },
            )
            .await?;
            let base = format!("http://127.0.0.1:{}", app.port());
            let shared = app.services();
            let handle = app.handle();
            tokio::spawn(app.run_until_stopped());
            (base, shared, Some(handle))
        }
    };
    println!("[memory] {url} served, before any request: {}", rss());
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or_default();
    let mut who = Vec::new();
    let mut tokens = Vec::new();
    for (role, name, maker) in [
        (Role::Admin, "admin", None),
        (Role::Underwriter, "uw", None),
        (Role::ClaimsHandler, "claims", None),
        (Role::Finance, "finance", None),
        (Role::Auditor, "auditor", None),
        (Role::Client, "client", Some(1)),
    ] {
        let username = format!("scale.{name}.{stamp}");
        users::create(
            &shared.ctx(),
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
        .await?;
        who.push((name, session(&base, &username).await?));
        let (_, token) =
            users::create_token(&shared.ctx(), &Actor::system(), &username, "scale").await?;
        tokens.push((name, token));
    }
    let page =
        |name: &str| Auth::Session(who.iter().find(|(n, _)| *n == name).map(|(_, c)| c.clone()));
    let api = |name: &str| {
        Auth::Bearer(
            tokens
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.clone()),
        )
    };
    let endpoints: Vec<(&str, Auth, &str)> = vec![
        (
            "GET /api/v1/policies?limit=50",
            api("uw"),
            "/api/v1/policies?limit=50",
        ),
        (
            "policy search (number fragment)",
            api("uw"),
            "/api/v1/policies?q=0000777",
        ),
        (
            "policy search (maker name)",
            api("uw"),
            "/api/v1/policies?q=%E7%B2%BE%E5%B7%A5%E5%88%B6%E9%80%A077",
        ),
        (
            "policy search (credit code)",
            api("uw"),
            "/api/v1/policies?q=00000000000077",
        ),
        ("/policies page", page("uw"), "/policies"),
        (
            "/policies?state=in_force&sort=premium",
            page("uw"),
            "/policies?state=in_force&sort=premium",
        ),
        (
            "GET /api/v1/claims?limit=50",
            api("claims"),
            "/api/v1/claims?limit=50",
        ),
        (
            "GET /api/v1/claims/queue",
            api("claims"),
            "/api/v1/claims/queue",
        ),
        ("/claims page", page("claims"), "/claims"),
        ("/claims/queue page", page("claims"), "/claims/queue"),
        (
            "GET /api/v1/parties?q=精工制造7",
            api("uw"),
            "/api/v1/parties?q=%E7%B2%BE%E5%B7%A5%E5%88%B6%E9%80%A07",
        ),
        (
            "/parties?kind=maker&sort=name",
            page("uw"),
            "/parties?kind=maker&sort=name",
        ),
        (
            "GET /api/v1/catalogue?limit=50",
            api("uw"),
            "/api/v1/catalogue?limit=50",
        ),
        ("/catalogue page", page("uw"), "/catalogue"),
        ("GET /api/v1/referrals", api("uw"), "/api/v1/referrals"),
        (
            "GET /api/v1/outbox?status=dead",
            api("admin"),
            "/api/v1/outbox?status=dead",
        ),
        ("/outbox page", page("admin"), "/outbox"),
        (
            "/audit page (actor filter)",
            page("auditor"),
            "/audit?actor=system",
        ),
        (
            "GET /api/v1/receivables",
            api("finance"),
            "/api/v1/receivables?as_of=2026-06-30",
        ),
        (
            "/billing/receivables page",
            page("finance"),
            "/billing/receivables?as_of=2026-06-30",
        ),
        (
            "GET /api/v1/bank/suspense",
            api("finance"),
            "/api/v1/bank/suspense",
        ),
        ("/billing/bank page", page("finance"), "/billing/bank"),
        ("admin dashboard", page("admin"), "/"),
        ("underwriter dashboard", page("uw"), "/"),
        ("claims dashboard", page("claims"), "/"),
        ("finance dashboard", page("finance"), "/"),
        ("auditor dashboard", page("auditor"), "/"),
        ("client dashboard", page("client"), "/"),
        ("client /portal", page("client"), "/portal"),
        ("/metrics", Auth::None, "/metrics"),
    ];
    let plain = firstcover::tls::client_builder().build()?;
    let mut out = Vec::new();
    for (name, auth, path) in endpoints {
        if only.is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let mut times = Vec::with_capacity(requests);
        for i in 0..requests + 3 {
            let req = match &auth {
                Auth::Session(Some(c)) => c.get(format!("{base}{path}")),
                Auth::Bearer(Some(t)) => plain.get(format!("{base}{path}")).bearer_auth(t),
                Auth::None => plain.get(format!("{base}{path}")),
                _ => return Err(format!("{name}: no credentials").into()),
            };
            let t = Instant::now();
            let r = req.send().await?;
            let status = r.status();
            let body = r.bytes().await?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if !status.is_success() {
                return Err(format!(
                    "{name}: {status} {}",
                    String::from_utf8_lossy(&body[..body.len().min(400)])
                )
                .into());
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
    println!("[memory] {url} after the endpoints: {}", rss());
    match handle {
        Some(h) => h.stop(true).await,
        None => shared.db.close().await,
    }
    Ok(out)
}

enum Auth {
    Session(Option<reqwest::Client>),
    Bearer(Option<String>),
    None,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
