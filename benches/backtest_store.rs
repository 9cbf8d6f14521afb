//! End-to-end backtest benchmark on PostgreSQL: the synthetic portfolio of
//! `shared/bench/gen_portfolio.py` (1,000,000 policy-years, 200,000 claim records) is
//! loaded into firstcover's own tables (untimed: COPY into staging tables, then
//! set-based inserts into `policy`, `policy_version` and the loss tables), then the
//! backtest is timed as the actuary runs it — SQL aggregation (data step), chain ladder +
//! Mack + indication per group, and the report (XML validated against the XSD, HTML,
//! PDF). Peak RSS is read in a fresh process that only measures. The Python
//! `chainladder` reference then fits the same triangles in the same run.
//!
//! The SQL path is checked against the engine's CSV path: every segment's incurred
//! triangle from the database must equal the one `aggregate_portfolio` builds from the
//! files, to the fen.
//!
//! The data step reads the backtest summaries (migration 0010). The load's inserts fire
//! the same triggers as the application's writes, so the summaries are built the way the
//! application builds them; the load then compacts them as the service's schedule does
//! and checks them against a full recomputation (both untimed, printed). A measuring run
//! also times the data step computed from every piece and movement, for comparison.
//!
//! `cargo bench --bench backtest_store` (or `--profile dev` for a quick look). Environment:
//! `BENCH_PG_URL` (admin URL, default `postgres://postgres@127.0.0.1:5432/test`),
//! `BENCH_PORTFOLIO_DIR`, `BENCH_REPS` (default 3), `BENCH_REFERENCE_REPS` (default 3),
//! `BENCH_SKIP_REFERENCE=1`, `BENCH_RELOAD=1` (drop and load the database again).

#[path = "common/mod.rs"]
mod common;

use chrono::NaiveDate;
use common::{ensure_portfolio, env_usize, median, peak_rss, run_reference, BenchResult};
use firstcover::config::Config;
#[path = "portfolio/mod.rs"]
mod portfolio;
use firstcover::services::backtest::{self, report::Level};
use firstcover::services::Services;
use firstcover::store::backtest::Basis;
use firstcover::store::Db;
use portfolio::aggregate_portfolio;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const DB_NAME: &str = "firstcover_backtest_bench";

fn main() -> BenchResult<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(run())
}

async fn run() -> BenchResult<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("scripts/bench-reference.sh");
    let dir = std::env::var_os("BENCH_PORTFOLIO_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench-data/portfolio"));
    let admin = std::env::var("BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let url = match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{DB_NAME}"),
        None => return Err("BENCH_PG_URL has no database part".into()),
    };
    let config = Config {
        database_url: url.clone(),
        ..Config::default()
    };

    if std::env::var("BENCH_PHASE").as_deref() == Ok("measure") {
        return measure(&config).await;
    }
    ensure_portfolio(&script, &dir)?;
    load(&admin, &url, &dir).await?;
    // A fresh process for the timed part, so its peak RSS is the backtest's alone.
    let status = Command::new(std::env::current_exe()?)
        .env("BENCH_PHASE", "measure")
        .env("BENCH_PORTFOLIO_DIR", &dir)
        .status()?;
    if !status.success() {
        return Err(format!("measuring process failed: {status}").into());
    }
    if std::env::var_os("BENCH_SKIP_REFERENCE").is_none() {
        let reps = env_usize("BENCH_REFERENCE_REPS", 3);
        let (loop_s, vec_s) = run_reference(&script, &dir, reps)?;
        println!(
            "[reference] loop={loop_s:?}s vectorized={vec_s:?}s (see [ratio] lines above/below)"
        );
        if let Ok(text) = std::fs::read_to_string(dir.join("e2e_seconds.txt")) {
            if let Ok(ours) = text.trim().parse::<f64>() {
                if let Some(v) = vec_s {
                    println!(
                        "[ratio] end-to-end {ours:.3}s vs vectorized reference {v:.3}s = {:.2}x",
                        v / ours
                    );
                }
                if let Some(l) = loop_s {
                    println!(
                        "[ratio] end-to-end {ours:.3}s vs per-segment reference {l:.3}s = {:.2}x",
                        l / ours
                    );
                }
            }
        }
    }
    Ok(())
}

async fn measure(config: &Config) -> BenchResult<()> {
    let db = Db::connect(&config.database_url, 4).await?;
    let shared = Services::open(db.clone(), config.clone(), Default::default()).await?;
    let ctx = shared.ctx();
    let as_of = NaiveDate::from_ymd_opt(2024, 12, 31).ok_or("date")?;
    println!("[load] before the timed reps: {}", load_average());
    let reps = env_usize("BENCH_REPS", 3).max(1);
    let mut totals = Vec::new();
    let mut last = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let cells = backtest::data_step(&ctx, as_of, Basis::UnderwritingYear).await?;
        let t1 = Instant::now();
        let report = backtest::build_report(config, &cells, as_of, Basis::UnderwritingYear, None)
            .expect("figures in range");
        let t2 = Instant::now();
        let rendered = backtest::render(config, report)?;
        let t3 = Instant::now();
        println!(
            "[e2e] sql={:.3}s fit+indicate={:.3}s report(xml+xsd+html+pdf)={:.3}s total={:.3}s \
             ({} premium cells, {} loss cells; xml {} KB, pdf {} KB)",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            (t3 - t2).as_secs_f64(),
            (t3 - t0).as_secs_f64(),
            cells.premium.len(),
            cells.losses.len(),
            rendered.xml.len() / 1024,
            rendered.pdf.len() / 1024
        );
        totals.push((t3 - t0).as_secs_f64());
        last = Some(rendered);
    }
    // Outside the timed reps: the same cells from every piece and movement (the data step
    // without the summaries), timed once for comparison; they must be equal.
    let t = Instant::now();
    let mut tx = db.read().await?;
    let premium = firstcover::store::backtest::premium::cells_from_pieces(&mut tx, as_of).await?;
    let losses = firstcover::store::backtest::losses::cells_from_movements(
        &mut tx,
        as_of,
        Basis::UnderwritingYear,
    )
    .await?;
    tx.commit().await?;
    let full_secs = t.elapsed().as_secs_f64();
    let summary_cells = backtest::data_step(&ctx, as_of, Basis::UnderwritingYear).await?;
    if premium != summary_cells.premium || losses != summary_cells.losses {
        return Err("the summaries' cells differ from those of every piece and movement".into());
    }
    println!(
        "[check] the same cells from every piece and movement (no summary): sql={full_secs:.3}s, equal"
    );
    let rss = peak_rss().unwrap_or_else(|| "unknown".into());
    let med = median(&totals);
    println!("[load] after the timed reps: {}", load_average());
    println!("[e2e] median total over {reps} reps: {med:.3}s; peak RSS (VmHWM) {rss}");
    let dir = std::env::var_os("BENCH_PORTFOLIO_DIR")
        .map(PathBuf::from)
        .ok_or("BENCH_PORTFOLIO_DIR")?;
    std::fs::write(dir.join("e2e_seconds.txt"), format!("{med}"))?;
    let rendered = last.ok_or("no run")?;
    check_against_csv(&dir, &rendered.report)?;
    Ok(())
}

/// Every segment's incurred triangle from SQL equals the engine's from the CSV files.
fn check_against_csv(dir: &Path, r: &backtest::report::BacktestReport) -> BenchResult<()> {
    let policies = std::fs::read(dir.join("policies.csv"))?;
    let claims = std::fs::read(dir.join("claims.csv"))?;
    let csv = aggregate_portfolio(&policies, &claims)?;
    let ours: Vec<_> = r
        .groups
        .iter()
        .filter(|g| g.level == Level::Segment)
        .collect();
    if ours.len() != csv.segments.len() {
        return Err(format!(
            "{} segments from SQL, {} from CSV",
            ours.len(),
            csv.segments.len()
        )
        .into());
    }
    let mut cells = 0usize;
    for (g, s) in ours.iter().zip(&csv.segments) {
        for (i, row) in g.incurred_triangle.iter().enumerate() {
            for (k, v) in row.iter().enumerate() {
                let expect = s.incurred.get(i, k).ok_or("shape")?;
                if (v.fen() as f64 / 100.0 - expect).abs() > 0.005 {
                    return Err(
                        format!("{} origin {i} dev {k}: SQL {v}, CSV {expect}", g.key).into(),
                    );
                }
                cells += 1;
            }
        }
        for (i, ep) in g.origins.iter().map(|o| o.earned).enumerate() {
            if ep != s.earned_premium[i] {
                return Err(format!(
                    "{} origin {i}: earned {ep} vs {}",
                    g.key, s.earned_premium[i]
                )
                .into());
            }
        }
    }
    println!(
        "[check] {cells} incurred cells and all earned premium of {} segments equal the CSV path",
        ours.len()
    );
    Ok(())
}

async fn exec(db: &Db, sql: &str) -> BenchResult<()> {
    let Db::Postgres(p) = db else {
        return Err("PostgreSQL only".into());
    };
    sqlx::raw_sql(sql).execute(p).await?;
    Ok(())
}

/// Create and fill the benchmark database unless it is already loaded.
async fn load(admin: &str, url: &str, dir: &Path) -> BenchResult<()> {
    let admin_db = Db::connect(admin, 1).await?;
    let Db::Postgres(ap) = &admin_db else {
        return Err("BENCH_PG_URL must be PostgreSQL".into());
    };
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(DB_NAME)
            .fetch_one(ap)
            .await?;
    let reload = std::env::var_os("BENCH_RELOAD").is_some();
    if exists && !reload {
        let db = Db::connect(url, 1).await?;
        // A database loaded under an older schema (or an edited migration) is loaded again.
        if let Err(e) = db.migrate().await {
            println!("[setup] {DB_NAME} does not match the migrations ({e}); loading it again");
        } else if let Db::Postgres(p) = &db {
            let n: i64 = sqlx::query_scalar("select count(*) from policy")
                .fetch_one(p)
                .await
                .unwrap_or(0);
            if n > 0 {
                println!("[setup] {DB_NAME} already holds {n} policies");
                return Ok(());
            }
        }
    }
    sqlx::raw_sql(&format!("drop database if exists {DB_NAME}"))
        .execute(ap)
        .await?;
    sqlx::raw_sql(&format!("create database {DB_NAME}"))
        .execute(ap)
        .await?;
    let t = Instant::now();
    let db = Db::connect(url, 2).await?;
    db.migrate().await?;
    let Db::Postgres(p) = &db else {
        return Err("PostgreSQL only".into());
    };
    exec(&db, "create unlogged table bench_policy (policy_id bigint, segment int, origin_year int, wp numeric, ep numeric);
               create unlogged table bench_claim (claim_id bigint, policy_id bigint, segment int, ay int, dev int, paid numeric, case_reserve numeric);").await?;
    for (table, file) in [
        ("bench_policy", "policies.csv"),
        ("bench_claim", "claims.csv"),
    ] {
        let bytes = std::fs::read(dir.join(file))?;
        let mut conn = p.acquire().await?;
        let mut copy = conn
            .copy_in_raw(&format!(
                "copy {table} from stdin with (format csv, header true)"
            ))
            .await?;
        copy.send(bytes).await?;
        copy.finish().await?;
    }
    exec(&db, "
        insert into party (party_id, kind, name, credit_code, province, created_at, updated_at) values
            (1, 'maker', '基准制造企业', 'BENCH-MAKER', '浙江省', now(), now()),
            (2, 'user', '基准用户单位', 'BENCH-USER', '浙江省', now(), now());
        insert into app_user (user_id, username, display_name, password_hash, role, created_at, updated_at)
            values (1, 'bench', 'bench', '-', 'underwriter', now(), now());
        insert into catalogue_item (catalogue_item_id, maker_id, edition, product_name, field, unit_type, tier,
            qualification_year, valid_from, valid_until, created_at, updated_at)
            select s + 1, 1, 'bench', 'product-' || s, 'field-' || lpad(s::text, 2, '0'), 'key_component',
                'domestic', 2005, date '2005-01-01', date '2030-12-31', now(), now()
            from generate_series(0, 49) s;
        insert into policy (policy_id, policy_number, state, state_json, maker_id, user_id, catalogue_item_id,
            cover_basis, clause_set_id, clause_set_version, period_start, period_end, units, insured_value,
            aggregate_limit, rate, premium, needs_referral, terms_json, findings_json, first_insured_year,
            quoted_by, issued_at, created_at, updated_at)
            select policy_id + 1, 'B' || policy_id, 'expired', '{\"state\":\"expired\"}', 1, 2, segment + 1, 'first_year',
                'first-set-equipment', '2025.1',
                make_date(origin_year, 1, 1), make_date(origin_year, 12, 31), 1, (ep * 100)::bigint * 50,
                (ep * 100)::bigint * 100 + 1, '2%', (ep * 100)::bigint, false,
                -- The quote's terms as the application stores them (annex 3 and the
                -- policy page read them), not an empty object.
                json_build_object('maker_id', 1, 'user_id', 2, 'catalogue_item_id', segment + 1,
                    'cover_basis', 'first_year',
                    'clause_set_id', 'first-set-equipment', 'clause_set_version', '2025.1',
                    'units', json_build_array(json_build_object('serial', 'B' || policy_id,
                        'quantity', 1, 'unit_value', round((ep * 100)::bigint * 50 / 100.0, 2)::text)),
                    'delivery_date', make_date(origin_year - 1, 12, 15),
                    'sections', json_build_array(json_build_object('code', 'QUALITY', 'deductible', 'Q-FIXED')),
                    'aggregate_limit', round(((ep * 100)::bigint * 100 + 1) / 100.0, 2)::text,
                    'period_start', make_date(origin_year, 1, 1),
                    'period_end', make_date(origin_year, 12, 31))::text,
                '[]', origin_year, 1,
                now(), now(), now()
            from bench_policy;
        insert into policy_version (policy_id, seq, kind, effective_on, terms_json, clause_text_json, premium,
            adjustment, created_by, created_at)
            select policy_id + 1, 1, 'issue', make_date(origin_year, 1, 1), '{}', '{}', (ep * 100)::bigint,
                (ep * 100)::bigint, 1, now()
            from bench_policy;
        insert into backtest_claim_import (claim_ref, policy_id, accident_date, reported_date, status)
            select claim_id::text, policy_id + 1, make_date(ay, 6, 30), make_date(ay, 6, 30), 'open' from bench_claim;
        -- The case reserve of a valuation row stands at the end of its development year and
        -- is released the day after, so each year end holds that year's rows only.
        insert into backtest_reserve_import (claim_ref, amount, set_at)
            select claim_id::text, (case_reserve * 100)::bigint, make_date(ay + dev - 1, 6, 30) from bench_claim
            union all
            select claim_id::text, 0, make_date(ay + dev, 1, 1) from bench_claim;
        insert into backtest_payment_import (claim_ref, amount, paid_at)
            select claim_id::text, (paid * 100)::bigint, make_date(ay + dev - 1, 6, 30) from bench_claim;
        drop table bench_policy;
        drop table bench_claim;
        analyze;").await?;
    // Leave the identity sequences past the ids loaded, as the application's own inserts
    // would: otherwise the first party, user, product or policy created afterwards is
    // refused as "already taken".
    exec(&db, common::RESET_SEQUENCES).await?;
    println!(
        "[setup] loaded {DB_NAME} in {:.1}s (untimed; the summaries filled by the same \
         triggers the application's writes fire)",
        t.elapsed().as_secs_f64()
    );
    // What the service's schedule does on every poll: fold the delta rows.
    let config = Config {
        database_url: url.into(),
        ..Config::default()
    };
    let shared = Services::open(db.clone(), config, Default::default()).await?;
    let t = Instant::now();
    let c = backtest::summary::compact(&shared.ctx()).await?;
    println!(
        "[setup] summaries compacted in {:.1}s (untimed, as the service does it in the \
         background): premium {} → {} rows, losses {} → {} rows",
        t.elapsed().as_secs_f64(),
        c.premium_before,
        c.premium_after,
        c.loss_before,
        c.loss_after
    );
    let t = Instant::now();
    let drift = backtest::summary::verify(&shared.ctx()).await?;
    if !drift.is_none() {
        return Err(format!("summaries differ from the full recomputation: {drift:?}").into());
    }
    println!(
        "[check] summaries equal the full recomputation from 1,000,000 pieces and every \
         movement ({:.1}s, untimed)",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The 1, 5 and 15 minute load averages, as the machine was while measuring.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
