//! Start chromedriver on a free port and open a headless Chromium session.

use fantoccini::{Client, ClientBuilder, Locator};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Chromium flags for a sandbox with no network but loopback.
const CHROME_ARGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn require_browser() -> bool {
    std::env::var("FIRSTCOVER_REQUIRE_BROWSER")
        .map(|v| v == "1")
        .unwrap_or(false)
}

fn find(candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9515)
}

/// A browser, or None (loudly) when chromedriver/chromium are not installed.
pub async fn launch() -> Option<Browser> {
    launch_with(None).await
}

/// A browser that saves downloads (PDFs included, instead of opening them) into `dir`.
pub async fn launch_downloading_to(dir: &std::path::Path) -> Option<Browser> {
    launch_with(Some(dir)).await
}

async fn launch_with(downloads: Option<&std::path::Path>) -> Option<Browser> {
    let driver_bin = std::env::var("CHROMEDRIVER")
        .ok()
        .or_else(|| find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]));
    let chrome_bin = std::env::var("CHROME")
        .ok()
        .or_else(|| find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]));
    let (Some(driver_bin), Some(chrome_bin)) = (driver_bin, chrome_bin) else {
        if require_browser() {
            panic!("browser tests required but chromium/chromedriver are not installed (apt-get install -y chromium chromium-driver)");
        }
        let _ = writeln!(std::io::stderr(), "\n*** Browser tests SKIPPED: chromium or chromedriver not installed (apt-get install -y chromium chromium-driver)\n");
        return None;
    };
    let port = free_port();
    // Its own process group, so the Chromium it starts can be stopped with it even when a
    // test panics before closing the session.
    let driver = Command::new(driver_bin)
        .process_group(0)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().expect("profile dir");
    let mut args: Vec<String> = CHROME_ARGS.iter().map(|s| s.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    let mut caps = serde_json::Map::new();
    let mut options = serde_json::json!({"binary": chrome_bin, "args": args});
    if let Some(dir) = downloads {
        options["prefs"] = serde_json::json!({
            "download.default_directory": dir.display().to_string(),
            "download.prompt_for_download": false,
            "plugins.always_open_pdf_externally": true,
        });
    }
    caps.insert("goog:chromeOptions".into(), options);
    let url = format!("http://127.0.0.1:{port}");
    let mut last_err = String::new();
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    driver,
                    _profile: profile,
                })
            }
            Err(e) => {
                last_err = e.to_string();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    panic!("could not start a Chromium session: {last_err}");
}

impl Browser {
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The text of the first element matching `css`, once it is there. A page being replaced
/// (a redirect after a post, a page that refreshes itself) can drop the element between
/// finding and reading it — a stale reference; the read is tried again on the new page.
pub async fn text_of(c: &Client, css: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        match c.wait().for_element(Locator::Css(css)).await {
            Ok(found) => match found.text().await {
                Ok(text) => return text,
                Err(e) => last = e.to_string(),
            },
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no text at {css}: {last}");
}
