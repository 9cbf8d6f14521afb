//! Importing a 50,000-line bank statement (GBK CSV in the ICBC layout, quoted grouped
//! amounts) into SQLite through the real services — preview (decode, detect the layout,
//! read every line, look up known transaction ids, keep the upload) and the chunked
//! import job — against a reference measured in the same run: Python's `csv` and
//! `sqlite3` reading the same file and inserting the same lines into one table with a
//! unique transaction id, in one transaction.
//!
//! `cargo bench --profile dev --bench statement_import` (BENCH_LINES to change the size).
//! The lines carry no policy number, so each becomes a suspense line (the benchmark
//! measures reading and recording, not payment allocation).

use firstcover::domain::role::Role;
use firstcover::library;
use firstcover::services::{billing, Actor};
use firstcover::store::Db;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn statement(lines: usize) -> Vec<u8> {
    let mut text = String::from(
        "账号：1202021409900012345\n凭证号,本方账号,对方账号,交易时间,借/贷,借方发生额,贷方发生额,对方行号,摘要,用途,对方单位名称,余额,个性化信息\n",
    );
    for i in 0..lines {
        let fen = 10_000 + (i * 7919) % 9_000_000;
        text.push_str(&format!(
            "ICBC{i:010},1202021409900012345,62220200{i:08},2026-01-{:02} 10:{:02}:00,贷,,\"{},{:03}.{:02}\",102,货款,第{i}笔,\"某某科技有限公司, 第{}分公司\",,\n",
            1 + i % 28,
            i % 60,
            fen / 100_000 + 1,
            (fen / 100) % 1000,
            fen % 100,
            i % 50,
        ));
    }
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    bytes.into_owned()
}

const PYTHON: &str = r#"
import csv, io, sqlite3, sys, time, datetime
path, db = sys.argv[1], sys.argv[2]
t = time.perf_counter()
con = sqlite3.connect(db)
con.execute("pragma journal_mode=wal")
con.execute("create table bank_line (id integer primary key, txn text not null unique, value_date text not null, amount integer not null, payer text not null, reference text not null)")
with open(path, encoding="gb18030", newline="") as f:
    rows = list(csv.reader(f))
head = next(i for i, r in enumerate(rows) if "交易时间" in r)
h = rows[head]
d, a, p, s, u, x = (h.index(n) for n in ("交易时间", "贷方发生额", "对方单位名称", "摘要", "用途", "凭证号"))
n = 0
with con:
    for r in rows[head + 1:]:
        day = datetime.date.fromisoformat(r[d].split()[0]).isoformat()
        fen = round(float(r[a].replace(",", "")) * 100)
        con.execute("insert or ignore into bank_line (txn, value_date, amount, payer, reference) values (?, ?, ?, ?, ?)",
                    (r[x], day, fen, r[p], (r[s] + " " + r[u]).strip()))
        n += 1
print(f"[python] {n} lines in {time.perf_counter() - t:.3f} s")
"#;

fn main() -> BenchResult<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(run())
}

async fn run() -> BenchResult<()> {
    let lines: usize = std::env::var("BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before: {}", load.trim());
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("statement.csv");
    let bytes = statement(lines);
    std::fs::File::create(&file)?.write_all(&bytes)?;
    println!("{lines} lines, {} bytes (GBK, ICBC layout)", bytes.len());

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = library::load(&root.join("clauses"))?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let db = Db::connect(&url, 4).await?;
    db.migrate().await?;
    let config = firstcover::config::Config {
        database_url: url.clone(),
        ..Default::default()
    };
    let shared = firstcover::services::Services::open(db, config, Default::default()).await?;
    let ctx = shared.ctx();
    let admin = Actor::system();
    let user = firstcover::services::users::create(
        &ctx,
        &admin,
        firstcover::services::users::NewUserInput {
            username: "finance.bench".into(),
            display_name: "Bench".into(),
            email: String::new(),
            password: "bench-password-123".into(),
            role: Role::Finance,
            maker_id: None,
        },
    )
    .await?;
    let actor = Actor {
        user_id: user.user_id,
        username: user.username.clone(),
        display_name: "Bench".into(),
        role: Role::Finance,
        maker_id: None,
        locale: "zh".into(),
    };

    let t = Instant::now();
    let p =
        billing::preview_statement(&ctx, &actor, lib.bank_layouts(), "s.csv", &bytes, None).await?;
    let preview_s = t.elapsed().as_secs_f64();
    let upload = p
        .upload_id
        .ok_or("the benchmark file did not read cleanly")?;
    println!(
        "[rust] preview: {} lines, layout {}, {} known, total {} CNY in {preview_s:.3} s",
        p.lines, p.layout_id, p.known, p.total
    );
    let t = Instant::now();
    billing::start_import(&ctx, &actor, upload).await?;
    let r = billing::run_import(&ctx, &actor, "FC", lib.bank_layouts(), upload).await?;
    let import_s = t.elapsed().as_secs_f64();
    println!(
        "[rust] import: {} recorded, {} to suspense, {} duplicates in {import_s:.3} s ({} chunks)",
        r.imported,
        r.unmatched,
        r.duplicates,
        lines.div_ceil(billing::CHUNK)
    );
    println!(
        "[rust] total {:.3} s, peak RSS {}",
        preview_s + import_s,
        peak_rss()
    );
    let t = Instant::now();
    let again = billing::import_statement(
        &ctx,
        &actor,
        "FC",
        lib.bank_layouts(),
        "s.csv",
        &bytes,
        None,
    )
    .await?;
    println!(
        "[rust] re-import of the same file: {} duplicates, {} recorded in {:.3} s",
        again.duplicates,
        again.imported,
        t.elapsed().as_secs_f64()
    );

    let py = dir.path().join("reference.py");
    std::fs::write(&py, PYTHON)?;
    let out = Command::new("/usr/bin/time")
        .args(["-f", "[python] peak RSS %M kB"])
        .arg("python3")
        .arg(&py)
        .arg(&file)
        .arg(dir.path().join("reference.db"))
        .output()?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    print!("{}", String::from_utf8_lossy(&out.stderr));
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average after: {}", load.trim());
    Ok(())
}
