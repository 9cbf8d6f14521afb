//! How long one full-premium collection certificate takes to render in-process, against
//! headless Chromium printing an equivalent HTML page (the approach DESIGN.md rejects).
//!
//! `cargo bench --bench certificate` — targets: median ≤ 6 ms per certificate and at
//! least 100× faster than Chromium. Set `CERT_BENCH_RENDERS` / `CERT_BENCH_CHROMIUM_RUNS`
//! to change the sample sizes; Chromium is skipped (with a message) when not installed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use firstcover::documents::{
    amount_in_words_and_figures, chinese_date, period_text, render_certificate, Branding,
    CertificateContent, DocumentFont, FontSource, SealArtwork, DEFAULT_FONT_PATH,
};

const CHROMIUM: &str = "/usr/bin/chromium";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let renders = env_count("CERT_BENCH_RENDERS", 200);
    let chromium_runs = env_count("CERT_BENCH_CHROMIUM_RUNS", 7);
    let font_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_FONT_PATH);
    let load_start = Instant::now();
    let font = DocumentFont::load(&FontSource {
        path: font_path.clone(),
        face_index: 0,
    })?;
    let load_time = load_start.elapsed();
    let branding = Branding::new(
        "示例财产保险股份有限公司",
        "浙江省分公司",
        &SealArtwork::default(),
        font,
    )?;
    let content = firstcover::documents::sample::certificate();

    // Warm up caches and the allocator before timing.
    let pdf = render_certificate(&content, &branding)?;
    let mut times = Vec::with_capacity(renders);
    for _ in 0..renders {
        let start = Instant::now();
        let bytes = render_certificate(&content, &branding)?;
        times.push(start.elapsed());
        std::hint::black_box(bytes);
    }
    let native = median(&mut times);
    println!("load average (1, 5, 15 min): {}", load_average());
    println!("font load (once): {:.1} ms", ms(load_time));
    println!(
        "native krilla:  median {:.2} ms per certificate over {renders} renders ({} bytes); min {:.2} ms, p90 {:.2} ms",
        ms(native),
        pdf.len(),
        ms(times[0]),
        ms(times[times.len() * 9 / 10]),
    );
    println!(
        "                target ≤ 6 ms: {}",
        if ms(native) <= 6.0 { "met" } else { "MISSED" }
    );

    if !Path::new(CHROMIUM).exists() {
        println!("!!!! {CHROMIUM} not found: Chromium comparison skipped !!!!");
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let html = dir.path().join("certificate.html");
    std::fs::write(&html, html_certificate(&content))?;
    let mut chromium_times = Vec::with_capacity(chromium_runs);
    for i in 0..chromium_runs {
        let out = dir.path().join(format!("certificate-{i}.pdf"));
        let profile = dir.path().join(format!("profile-{i}"));
        let start = Instant::now();
        let status = Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--print-to-pdf={}", out.display()))
            .arg(format!("file://{}", html.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()?;
        let elapsed = start.elapsed();
        if !status.success() || !out.exists() {
            return Err(format!("chromium run {i} failed: {status}").into());
        }
        chromium_times.push(elapsed);
    }
    let chromium = median(&mut chromium_times);
    println!(
        "headless Chromium: median {:.1} ms per certificate over {chromium_runs} runs",
        ms(chromium)
    );
    let ratio = ms(chromium) / ms(native).max(f64::EPSILON);
    println!(
        "ratio: native is {ratio:.0}× faster (target ≥ 100×: {})",
        if ratio >= 100.0 { "met" } else { "MISSED" }
    );
    Ok(())
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// The machine may be shared (a build next door doubles wall times): say how busy it was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Sorts `times` (callers read min and percentiles from it afterwards).
fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The same page as HTML: tables, an SVG seal with text on a path, and a QR-sized SVG
/// block (Chromium's cost is starting up and printing, not drawing a few squares).
fn html_certificate(c: &CertificateContent) -> String {
    let payments: String = c
        .payments
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "<tr><td>{}</td><td>{}</td><td class=r>{}</td><td>{}</td><td>{}</td></tr>",
                i + 1,
                p.date,
                p.amount.grouped(),
                p.method,
                p.reference
            )
        })
        .collect();
    let items: Vec<String> = c
        .insured_items
        .iter()
        .map(|i| format!("{} {}{}", i.name, i.quantity, i.unit))
        .collect();
    format!(
        r##"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 18mm 20mm }}
body {{ font-family: 'WenQuanYi Micro Hei', sans-serif; font-size: 10.5pt }}
h1 {{ text-align: center; font-size: 22pt; margin: 4pt 0 }} .org {{ text-align: center; font-size: 14pt }}
table {{ width: 100%; border-collapse: collapse; margin: 8pt 0 }} td, th {{ border: 0.6pt solid #333; padding: 4pt }}
.r {{ text-align: right }} .sig {{ position: relative; margin-left: 55%; height: 42mm }}
.sig svg {{ position: absolute; left: 25mm; top: -6mm; mix-blend-mode: multiply }}
</style></head><body>
<div class=org>示例财产保险股份有限公司浙江省分公司</div><h1>全额保费收取证明</h1>
<p style="text-align:right">证明编号：{number}</p>
<p>兹证明下列保险合同项下的保险费已由投保人全额缴付，本公司已全额收取。</p>
<table><tr><td>投保人</td><td>{holder}</td></tr><tr><td>统一社会信用代码</td><td>{code}</td></tr>
<tr><td>保险单号</td><td>{policy}</td></tr><tr><td>险种</td><td>{product}</td></tr>
<tr><td>保险标的</td><td>{items}</td></tr><tr><td>保险期间</td><td>{period}</td></tr>
<tr><td>应收保险费</td><td>{amount}</td></tr></table>
<p>缴费明细</p><table><tr><th>序号</th><th>缴费日期</th><th>缴费金额（元）</th><th>缴费方式</th><th>交易流水号</th></tr>{payments}</table>
<p>截至{issued}，上述保险合同项下应收保险费{amount}已全部收讫，投保人无欠缴保险费。特此证明。</p>
<div class=sig><p>保险人：示例财产保险股份有限公司浙江省分公司<br>（盖章）<br>签发日期：{issued}</p>
<svg width="40mm" height="40mm" viewBox="0 0 100 100"><defs><path id="arc" d="M 18 62 A 34 34 0 1 1 82 62"/></defs>
<circle cx="50" cy="50" r="47" fill="none" stroke="#d61e24" stroke-width="3"/>
<polygon points="50,36 53.5,46 64,46 55.5,52 59,62 50,56 41,62 44.5,52 36,46 46.5,46" fill="#d61e24"/>
<text font-size="9" fill="#d61e24"><textPath href="#arc" startOffset="50%" text-anchor="middle">示例财产保险股份有限公司浙江省分公司</textPath></text>
<text x="50" y="80" font-size="7" text-anchor="middle" fill="#d61e24">保险专用章</text></svg></div>
<hr><div style="display:flex;gap:12pt"><svg width="30mm" height="30mm" viewBox="0 0 29 29"><rect x="4" y="4" width="7" height="7"/><rect x="18" y="4" width="7" height="7"/><rect x="4" y="18" width="7" height="7"/></svg>
<div><p style="font-size:12pt">验证码：{vcode}</p><p style="font-size:9pt">扫描左侧二维码，或访问以下网址并输入验证码核验：<br>{url}</p></div></div>
</body></html>"##,
        number = c.certificate_number,
        holder = c.policyholder_name,
        code = c.policyholder_credit_code,
        policy = c.policy_number,
        product = c.product_name,
        items = items.join("；"),
        period = period_text(c.period_start, c.period_end),
        amount = amount_in_words_and_figures(c.total_premium),
        payments = payments,
        issued = chinese_date(c.issue_date),
        vcode = c.verification_code,
        url = c.verification_url,
    )
}
