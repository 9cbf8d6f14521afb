//! What the backtest benchmarks share: settings from the environment, medians, peak memory,
//! and the Python `chainladder` reference in `../shared/bench/` (portfolio generator and
//! timed run).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

pub type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Peak resident memory of this process (VmHWM).
pub fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
}

/// Generate the synthetic portfolio with the reference script unless it is there already.
pub fn ensure_portfolio(script: &Path, dir: &Path) -> BenchResult<()> {
    if dir.join("policies.csv").is_file() && dir.join("claims.csv").is_file() {
        return Ok(());
    }
    println!("[setup] generating the portfolio into {}", dir.display());
    std::fs::create_dir_all(dir)?;
    let status = Command::new("bash")
        .arg(script)
        .arg("gen")
        .arg(dir)
        .status()?;
    if !status.success() {
        return Err(format!("{} gen failed: {status}", script.display()).into());
    }
    Ok(())
}

/// Run the Python reference, echo its output, and return its (loop, vectorized) medians.
pub fn run_reference(
    script: &Path,
    dir: &Path,
    reps: usize,
) -> BenchResult<(Option<f64>, Option<f64>)> {
    let mut child = Command::new("bash")
        .arg(script)
        .arg("run")
        .arg(dir)
        .args(["--reps", &reps.to_string(), "--mode", "both"])
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout from the reference")?;
    let (mut loop_s, mut vec_s) = (None, None);
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        println!("{line}");
        if let Some(v) = parse_median(&line) {
            if line.starts_with("[loop]") {
                loop_s = Some(v);
            } else if line.starts_with("[vectorized]") {
                vec_s = Some(v);
            }
        }
    }
    let status = child.wait()?;
    if !status.success() {
        return Err(format!("reference run failed: {status}").into());
    }
    Ok((loop_s, vec_s))
}

/// `[loop] median total over 3 reps: 4.812s (reps: ...)` → 4.812
fn parse_median(line: &str) -> Option<f64> {
    let rest = line.split_once("median total over")?.1;
    let value = rest.split_once(':')?.1.trim_start();
    value.split_once('s')?.0.parse().ok()
}

/// Move every identity sequence a bulk load wrote ids into past the largest id, as the
/// application's own inserts leave them (PostgreSQL).
#[allow(dead_code)] // used by the store benchmark, not the engine one
pub const RESET_SEQUENCES: &str = "
    select setval(pg_get_serial_sequence('party', 'party_id'), coalesce(max(party_id), 0) + 1, false) from party;
    select setval(pg_get_serial_sequence('app_user', 'user_id'), coalesce(max(user_id), 0) + 1, false) from app_user;
    select setval(pg_get_serial_sequence('catalogue_item', 'catalogue_item_id'), coalesce(max(catalogue_item_id), 0) + 1, false) from catalogue_item;
    select setval(pg_get_serial_sequence('policy', 'policy_id'), coalesce(max(policy_id), 0) + 1, false) from policy;
    select setval(pg_get_serial_sequence('policy_version', 'policy_version_id'), coalesce(max(policy_version_id), 0) + 1, false) from policy_version;";
