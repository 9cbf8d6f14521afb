//! Quote → bind → issue throughput over HTTP on PostgreSQL, against pgbench's
//! built-in TPC-B-like run on the same server, in the same run, at the same client
//! count.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target cargo bench --bench underwriting
//! BENCH_CLIENTS=8 BENCH_SECONDS=20 BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench underwriting
//! ```
//!
//! One transaction = two HTTP requests: POST /quotes (checked, rated, stored, audited)
//! and POST /policies/{id}/issue (bound and issued with its policy number, fixed
//! version and audit row), each its own database transaction; latency is measured
//! over both.
//! The result is printed and appended to docs/BENCHMARKS.md.

use firstcover::app::{Application, StartOptions};
use firstcover::config::Config;
use firstcover::domain::role::Role;
use firstcover::services::audit::ChainReport;
use firstcover::services::{audit, users, Actor};
use serde_json::{json, Value};
use std::io::Write;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_string())
}

fn suffix() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )
}

async fn admin(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(sql).execute(&mut c).await.expect(sql);
}

fn db_url(admin_url: &str, name: &str) -> String {
    let mut u = url::Url::parse(admin_url).expect("BENCH_PG is a URL");
    u.set_path(name);
    u.to_string()
}

/// A valid unified social credit code from a 17-character body.
fn code(body: &str) -> String {
    let check = firstcover::domain::credit_code::check_character(body).expect("body");
    format!("{body}{check}")
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
    body: &Value,
) -> Result<Value, String> {
    let r = http
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = r.status();
    let v: Value = r.json().await.map_err(|e| e.to_string())?;
    if status.is_success() {
        Ok(v)
    } else {
        Err(format!("{path}: {status} {v}"))
    }
}

struct Run {
    transactions: u64,
    errors: u64,
    seconds: f64,
    latencies_ms: Vec<f64>,
}

async fn run_app(admin_url: &str, clients: usize, seconds: u64) -> Run {
    let name = format!("fc_bench_{}", suffix());
    admin(admin_url, &format!("create database {name}")).await;
    let config = Config {
        database_url: db_url(admin_url, &name),
        bind: "127.0.0.1:0".into(),
        max_connections: (clients as u32 + 4).max(10),
        ..Config::default()
    };
    // BENCH_WORKERS: HTTP worker threads (default: one per core, as `serve` does).
    let workers = std::env::var("BENCH_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok());
    let opts = StartOptions {
        workers,
        ..StartOptions::default()
    };
    let app = Application::build(config, opts).await.expect("app starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let db = app.db.clone();
    let shared = app.services();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    // The audit sealer runs as it does under `serve`, so its work is part of the measurement.
    let sealer = audit::spawn_sealer(shared.clone(), Duration::from_millis(500));

    users::create(
        &shared.ctx(),
        &Actor::system(),
        users::NewUserInput {
            username: "bench.uw".into(),
            display_name: "bench".into(),
            email: String::new(),
            password: "bench-password-123".into(),
            role: Role::Underwriter,
            maker_id: None,
        },
    )
    .await
    .expect("user");
    let token = users::create_token(&shared.ctx(), &Actor::system(), "bench.uw", "bench")
        .await
        .expect("token")
        .1;
    let http = firstcover::tls::client_builder()
        .pool_max_idle_per_host(clients * 2)
        .build()
        .expect("client");
    let maker = post(&http, &base, &token, "/api/v1/parties",
        &json!({"kind": "maker", "name": "基准制造", "credit_code": code("91330110MA2H3K7P0"), "province": "浙江省"}))
        .await.expect("maker")["party_id"].clone();
    let user = post(&http, &base, &token, "/api/v1/parties",
        &json!({"kind": "user", "name": "基准用户", "credit_code": code("91330206MA2CL4X82"), "province": "浙江省"}))
        .await.expect("user")["party_id"].clone();
    let item = post(&http, &base, &token, "/api/v1/catalogue",
        &json!({"maker_id": maker, "edition": "national-2024", "product_name": "基准主轴", "field": "数控机床",
                "unit_type": "key_component", "tier": "domestic", "qualification_year": 2024, "valid_from": "2024-01-01"}))
        .await.expect("catalogue")["catalogue_item_id"].clone();
    let quote = Arc::new(json!({
        "maker_id": maker, "user_id": user, "catalogue_item_id": item, "cover_basis": "first_year",
        "units": [{"serial": "BENCH", "quantity": 50, "unit_value": "20000.00"}],
        "contracts": [{"number": "HT-B", "signed_on": "2025-11-20", "amount": "1000000.00"}],
        "sections": [{"code": "QUALITY"}, {"code": "LIABILITY"}],
        "aggregate_limit": "2000000.00", "period_start": "2026-01-01", "period_end": "2026-12-31",
        "acknowledged": ["period.backdated"], "backdating_reason": "投保申请晚于起保日"
    }));

    let errors = Arc::new(AtomicU64::new(0));
    // Every quote insures its own unit: a serial is insured once at a time (000 (九)).
    let serials = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, base, token, quote, errors, serials) = (
            http.clone(),
            base.clone(),
            token.clone(),
            quote.clone(),
            errors.clone(),
            serials.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = async {
                    let mut body = (*quote).clone();
                    body["units"][0]["serial"] =
                        json!(format!("BENCH-{}", serials.fetch_add(1, Ordering::Relaxed)));
                    let q = post(&http, &base, &token, "/api/v1/quotes", &body).await?;
                    let id = q["policy_id"].as_i64().ok_or("no id")?;
                    post(
                        &http,
                        &base,
                        &token,
                        &format!("/api/v1/policies/{id}/issue"),
                        &json!({}),
                    )
                    .await?;
                    Ok::<(), String>(())
                }
                .await;
                match r {
                    Ok(()) => lat.push(t.elapsed().as_secs_f64() * 1000.0),
                    Err(e) => {
                        if errors.fetch_add(1, Ordering::Relaxed) < 3 {
                            eprintln!("error: {e}");
                        }
                    }
                }
            }
            lat
        }));
    }
    let mut latencies_ms = Vec::new();
    for t in tasks {
        latencies_ms.extend(t.await.expect("client task"));
    }
    let elapsed = start.elapsed().as_secs_f64();
    sealer.abort();
    // Every audited change of the run is in the chain, once: 2 per transaction + 5 of setup.
    let audited = 2 * latencies_ms.len() as i64 + 5;
    match audit::verify(&shared.ctx())
        .await
        .expect("verify the audit chain")
    {
        ChainReport::Intact { rows, waiting, .. } => {
            println!("audit chain intact: {rows} rows sealed, {waiting} waiting");
            if errors.load(Ordering::Relaxed) == 0 {
                assert_eq!(rows + waiting, audited, "audit rows");
            }
        }
        broken => panic!("audit chain broken after the run: {broken:?}"),
    }
    handle.stop(true).await;
    db.close().await;
    admin(
        admin_url,
        &format!("drop database if exists {name} with (force)"),
    )
    .await;
    Run {
        transactions: latencies_ms.len() as u64,
        errors: errors.load(Ordering::Relaxed),
        seconds: elapsed,
        latencies_ms,
    }
}

/// pgbench's TPC-B-like run on a scratch database; returns transactions per second.
async fn run_pgbench(admin_url: &str, clients: usize, seconds: u64) -> f64 {
    let name = format!("fc_pgbench_{}", suffix());
    admin(admin_url, &format!("create database {name}")).await;
    let u = url::Url::parse(admin_url).expect("url");
    let host = u.host_str().unwrap_or("127.0.0.1").to_string();
    let port = u.port().unwrap_or(5432).to_string();
    let user = if u.username().is_empty() {
        "postgres".to_string()
    } else {
        u.username().to_string()
    };
    let base = ["-h", &host, "-p", &port, "-U", &user];
    let init = Command::new("pgbench")
        .args(base)
        .args(["-i", "-q", &name])
        .output()
        .expect("pgbench -i");
    assert!(
        init.status.success(),
        "pgbench -i: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    let threads = clients.min(2).to_string();
    let out = Command::new("pgbench")
        .args(base)
        .args([
            "-c",
            &clients.to_string(),
            "-j",
            &threads,
            "-T",
            &seconds.to_string(),
            &name,
        ])
        .output()
        .expect("pgbench");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    admin(
        admin_url,
        &format!("drop database if exists {name} with (force)"),
    )
    .await;
    text.lines()
        .find(|l| l.starts_with("tps ="))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no tps in pgbench output:\n{text}"))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

#[tokio::main]
async fn main() {
    let admin_url = env_or("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres");
    let clients: usize = env_or("BENCH_CLIENTS", "8").parse().expect("BENCH_CLIENTS");
    let seconds: u64 = env_or("BENCH_SECONDS", "20")
        .parse()
        .expect("BENCH_SECONDS");
    println!("quote → issue over HTTP: {clients} clients, {seconds} s …");
    let mut run = run_app(&admin_url, clients, seconds).await;
    run.latencies_ms.sort_by(|a, b| a.total_cmp(b));
    let tps = run.transactions as f64 / run.seconds;
    let p50 = percentile(&run.latencies_ms, 0.50);
    let p99 = percentile(&run.latencies_ms, 0.99);
    println!("pgbench TPC-B-like: {clients} clients, {seconds} s …");
    let pg_tps = run_pgbench(&admin_url, clients, seconds).await;
    let ratio = tps / pg_tps;
    let verdict = if ratio >= 0.3 && run.errors == 0 {
        "meets"
    } else {
        "misses"
    };
    let report = format!(
        "\n## Underwriting quote → issue vs pgbench ({date})\n\n\
         Command: `BENCH_CLIENTS={clients} BENCH_SECONDS={seconds} cargo bench --bench underwriting` \
         (release build; app and PostgreSQL on the same {cores}-core machine; one transaction = POST /quotes, then POST /policies/{{id}}/issue (bind + issue): two HTTP requests and two database transactions, each with its audit entry; the audit sealer runs every 500 ms as under `serve`, and the chain is verified after the run).\n\n\
         | measure | value |\n|---|---|\n\
         | clients | {clients} |\n\
         | quote → issue transactions | {n} in {secs:.1} s |\n\
         | throughput | {tps:.1} tx/s ({rps:.1} HTTP requests/s) |\n\
         | latency p50 / p99 | {p50:.1} ms / {p99:.1} ms |\n\
         | errors | {errors} |\n\
         | pgbench TPC-B-like (`pgbench -i` scale 1, `pgbench -c {clients} -j {threads} -T {seconds}`) | {pg_tps:.1} tps |\n\
         | ratio | {ratio:.2} × pgbench ({verdict} the ≥ 0.3 × target) |\n",
        date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        n = run.transactions,
        secs = run.seconds,
        rps = tps * 2.0,
        errors = run.errors,
        threads = clients.min(2),
    );
    println!("{report}");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/BENCHMARKS.md");
    let fresh = !std::path::Path::new(path).exists();
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        if fresh {
            let _ = write!(f, "# Benchmarks\n\nMeasured figures, newest last. Each section names the command that produced it.\n");
        }
        let _ = f.write_all(report.as_bytes());
    }
}
