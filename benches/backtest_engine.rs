//! Backtest engine benchmark: the Rust engine against chainladder-python on the same
//! synthetic portfolio, in the same run.
//!
//! Times read + aggregate + fit (chain ladder and Mack on paid and incurred triangles of
//! every segment, loss ratios) — the "engine alone" path, no store — as the median of
//! several repetitions, prints the process's peak RSS, then runs
//! `shared/bench/chainladder_timing.py` (through `scripts/bench-reference.sh`, which keeps
//! a venv with chainladder, pandas and numpy) and prints the ratios.
//!
//! `cargo bench --bench backtest_engine`. Environment:
//! - `BENCH_PORTFOLIO_DIR`: where policies.csv / claims.csv live or are generated
//!   (default `target/bench-data/portfolio`);
//! - `BENCH_REPS` (default 7) and `BENCH_REFERENCE_REPS` (default 3);
//! - `BENCH_SKIP_REFERENCE=1` to time only the Rust engine;
//! - `BENCH_REFERENCE_SCRIPT`, plus the script's own `BENCH_VENV` / `BENCH_SHARED`.

#[path = "common/mod.rs"]
mod common;

use common::{ensure_portfolio, env_usize, median, peak_rss, run_reference, BenchResult};
#[path = "portfolio/mod.rs"]
mod portfolio;
use firstcover::domain::backtest::{FitOptions, SigmaRule};
use portfolio::{aggregate_portfolio, PortfolioFit};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> BenchResult<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = std::env::var_os("BENCH_REFERENCE_SCRIPT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("scripts/bench-reference.sh"));
    let dir = std::env::var_os("BENCH_PORTFOLIO_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench-data/portfolio"));
    ensure_portfolio(&script, &dir)?;

    let reps = env_usize("BENCH_REPS", 7);
    let ours_before = time_engine(&dir, reps)?;
    println!(
        "[rust] peak RSS (VmHWM): {}",
        peak_rss().unwrap_or_else(|| "unknown".into())
    );

    if std::env::var_os("BENCH_SKIP_REFERENCE").is_some() {
        return Ok(());
    }
    let (loop_s, vec_s) = run_reference(&script, &dir, env_usize("BENCH_REFERENCE_REPS", 3))?;
    // Time the engine again after the reference: on a shared machine the load can change
    // while Python runs, so the ratio uses the slower of the two Rust medians.
    let ours_after = time_engine(&dir, reps)?;
    let ours = ours_before.max(ours_after);
    println!("[ratio] rust {ours:.4}s (slower of {ours_before:.4}s before and {ours_after:.4}s after the reference)");
    if let Some(v) = vec_s {
        println!(
            "[ratio] vectorized {v:.3}s / rust = {:.1}x faster",
            v / ours
        );
    }
    if let Some(l) = loop_s {
        println!("[ratio] loop {l:.3}s / rust = {:.1}x faster", l / ours);
    }
    Ok(())
}

/// Read + aggregate + fit `reps` times; print the phase medians and check figures; return
/// the median total in seconds.
fn time_engine(dir: &Path, reps: usize) -> BenchResult<f64> {
    // Same σ extrapolation as chainladder-python, so both sides compute the same figures.
    let options = FitOptions {
        tail: None,
        sigma_rule: SigmaRule::LogLinear,
    };
    let mut phases: Vec<[f64; 3]> = Vec::with_capacity(reps);
    let mut fit = None;
    let cpu0 = cpu_seconds();
    for _ in 0..reps {
        let t0 = Instant::now();
        let policies = std::fs::read(dir.join("policies.csv"))?;
        let claims = std::fs::read(dir.join("claims.csv"))?;
        let t1 = Instant::now();
        let triangles = aggregate_portfolio(&policies, &claims)?;
        let t2 = Instant::now();
        let f = triangles.fit(options)?;
        let t3 = Instant::now();
        phases.push([
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            (t3 - t2).as_secs_f64(),
        ]);
        fit = Some(f);
    }
    let cpu = match (cpu0, cpu_seconds()) {
        (Some(a), Some(b)) => format!("{:.4}s", (b - a) / reps as f64),
        _ => "unknown".into(),
    };
    let fit = fit.ok_or("BENCH_REPS must be at least 1")?;
    let totals: Vec<f64> = phases.iter().map(|p| p.iter().sum()).collect();
    let phase = |i: usize| median(&phases.iter().map(|p| p[i]).collect::<Vec<_>>());
    let total = median(&totals);
    println!(
        "[rust] median over {reps} reps: read={:.4}s aggregate={:.4}s fit={:.4}s total={total:.4}s \
         cpu/rep={cpu} (reps: {})",
        phase(0),
        phase(1),
        phase(2),
        totals
            .iter()
            .map(|t| format!("{t:.4}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    print_check(&fit);
    Ok(total)
}

/// The same check figures the reference prints, for a side-by-side look.
fn print_check(fit: &PortfolioFit) {
    let mut ult = 0.0;
    let mut ibnr = 0.0;
    let mut lr_sum = 0.0;
    let mut lr_n = 0usize;
    for s in &fit.segments {
        ult += s.paid.chain_ladder.totals.ultimate;
        ibnr += s.paid.chain_ladder.totals.ibnr;
        for lr in s.paid_loss_ratio.iter().flatten() {
            lr_sum += lr;
            lr_n += 1;
        }
    }
    let seg0_se = fit
        .segments
        .first()
        .map_or(f64::NAN, |s| s.paid.mack.total.se);
    println!(
        "[rust] check: n_triangles={} total_paid_ult={ult:.2} total_paid_ibnr={ibnr:.2} \
         seg0_paid_total_mack_se={seg0_se:.4} mean_ult_lr={:.6}",
        fit.segments.len() * 2,
        lr_sum / lr_n.max(1) as f64
    );
}

/// User + system CPU time of this process so far, from /proc/self/stat (clock ticks of
/// 1/100 s, Linux's USER_HZ). On a shared machine wall time moves with other people's
/// load; CPU time much less so.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}
