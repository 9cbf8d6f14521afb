#![allow(dead_code)]
//! Test harness: the real app on a random port with a fresh database per test.
//! SQLite: a file in a temp dir. PostgreSQL: a new database, dropped afterwards.

use crate::smtp_sink::SmtpSink;
use firstcover::app::{Application, StartOptions};
use firstcover::config::Config;
use firstcover::domain::role::Role;
use firstcover::services::{users, Actor};
use firstcover::store::Db;
use std::io::Write;
use std::sync::OnceLock;

pub const PASSWORD: &str = "correct-horse-battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests create their databases on.
pub fn pg_admin_url() -> String {
    std::env::var("FIRSTCOVER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn require_postgres() -> bool {
    std::env::var("FIRSTCOVER_REQUIRE_POSTGRES")
        .map(|v| v == "1")
        .unwrap_or(false)
}

/// Printed straight to the terminal (not captured), once per test binary.
fn warn_skipped(reason: &str) {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\n*** PostgreSQL tests SKIPPED: {reason}\n*** (set FIRSTCOVER_TEST_POSTGRES_URL, or FIRSTCOVER_REQUIRE_POSTGRES=1 to make this an error)\n"
        );
    });
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub db: Db,
    /// The service context's owned pieces, for tests that call a use case or a job
    /// pass directly.
    pub services: firstcover::services::Services,
    pub store: Store,
    pub config: Config,
    /// The SMTP server this app mails to (a local sink, unless the test chose a host).
    pub mail: Option<SmtpSink>,
    handle: actix_web::dev::ServerHandle,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

pub fn random_suffix() -> String {
    let mut b = [0u8; 8];
    getrandom::getrandom(&mut b).expect("random bytes");
    hex::encode(b)
}

/// A fresh database URL for this test, or None when PostgreSQL is not reachable.
pub async fn fresh_database(
    store: Store,
) -> Option<(String, Option<tempfile::TempDir>, Option<String>)> {
    match store {
        Store::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/test.db", dir.path().display());
            Some((url, Some(dir), None))
        }
        Store::Postgres => {
            use sqlx::Connection;
            let admin = pg_admin_url();
            let mut conn = match sqlx::PgConnection::connect(&admin).await {
                Ok(c) => c,
                Err(e) if !require_postgres() => {
                    warn_skipped(&format!("cannot connect to {admin}: {e}"));
                    return None;
                }
                Err(e) => panic!("PostgreSQL required but unreachable at {admin}: {e}"),
            };
            let name = format!("fc_test_{}", random_suffix());
            sqlx::query(&format!("create database {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let mut url = url::Url::parse(&admin).expect("admin url");
            url.set_path(&name);
            Some((url.to_string(), None, Some(name)))
        }
    }
}

pub fn drop_pg_database(name: String) {
    // Drop runs outside any runtime we may block on: use a thread with its own.
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        if let Ok(rt) = rt {
            rt.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut c) = sqlx::PgConnection::connect(&pg_admin_url()).await {
                    let _ = sqlx::query(&format!("drop database if exists {name} with (force)"))
                        .execute(&mut c)
                        .await;
                }
            });
        }
    })
    .join();
}

/// The bank callback secret every test app is configured with.
pub const TEST_BANK_SECRET: &str = "test-bank-callback-secret";

pub fn test_config(url: &str) -> Config {
    Config {
        database_url: url.into(),
        bind: "127.0.0.1:0".into(),
        max_connections: 5,
        outbox: firstcover::config::OutboxConfig {
            // Tests retry at once instead of waiting out the back-off.
            backoff_base_secs: 0,
            max_attempts: 5,
            timeout_secs: 5,
            ..Default::default()
        },
        bank: firstcover::config::BankConfig {
            callback_secret: Some(TEST_BANK_SECRET.into()),
            ..Default::default()
        },
        // The suite reads /metrics; its protection is tested in `security`.
        security: firstcover::config::SecurityConfig {
            metrics_enabled: true,
            ..Default::default()
        },
        ..Config::default()
    }
}

/// Start the app; `None` means PostgreSQL is unavailable and the test is skipped.
pub async fn spawn_app(store: Store) -> Option<TestApp> {
    let (url, dir, pg_name) = fresh_database(store).await?;
    let config = test_config(&url);
    Some(start_on(store, config, dir, pg_name).await)
}

/// Start the app at a fixed business date (noon Beijing time on `day`), with the
/// configuration changed by `tweak`; `None` means PostgreSQL is unavailable.
pub async fn spawn_app_on(
    store: Store,
    day: chrono::NaiveDate,
    tweak: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    let (url, dir, pg_name) = fresh_database(store).await?;
    let mut config = test_config(&url);
    tweak(&mut config);
    let clock = firstcover::clock::Clock::fixed_on(day);
    Some(start_with_clock(store, config, dir, pg_name, clock).await)
}

pub async fn start_on(
    store: Store,
    config: Config,
    dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
) -> TestApp {
    start_with_clock(
        store,
        config,
        dir,
        pg_name,
        firstcover::clock::Clock::System,
    )
    .await
}

async fn start_with_clock(
    store: Store,
    mut config: Config,
    dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
    clock: firstcover::clock::Clock,
) -> TestApp {
    config.bind = "127.0.0.1:0".into();
    let mut mail = None;
    if config.mail.smtp_host.is_none() {
        let sink = SmtpSink::start().await;
        config.mail.smtp_host = Some("127.0.0.1".into());
        config.mail.smtp_port = sink.port();
        mail = Some(sink);
    }
    let app = Application::build(
        config.clone(),
        StartOptions {
            workers: Some(2),
            clock,
        },
    )
    .await
    .expect("application starts");
    let port = app.port();
    let db = app.db.clone();
    let services = app.services();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let address = format!("http://127.0.0.1:{port}");
    config.public_url = address.clone();
    TestApp {
        address,
        port,
        db,
        services,
        store,
        config,
        mail,
        handle,
        _dir: dir,
        pg_name,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent at once; nothing here can await its completion.
        drop(self.handle.stop(false));
        if let Some(name) = self.pg_name.take() {
            drop_pg_database(name);
        }
    }
}

impl TestApp {
    /// The service context the running app's use cases take.
    pub fn ctx(&self) -> firstcover::services::Ctx<'_> {
        self.services.ctx()
    }

    /// A new browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        firstcover::tls::client_builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Create a user directly through the service layer.
    pub async fn add_user(&self, username: &str, role: Role, maker_id: Option<i64>) {
        self.add_named_user(username, username, role, maker_id)
            .await;
    }

    /// Create a user whose display name differs from the username.
    pub async fn add_named_user(
        &self,
        username: &str,
        display_name: &str,
        role: Role,
        maker_id: Option<i64>,
    ) {
        users::create(
            &self.ctx(),
            &Actor::system(),
            users::NewUserInput {
                username: username.into(),
                display_name: display_name.into(),
                email: format!("{username}@example.com"),
                password: PASSWORD.into(),
                role,
                maker_id,
            },
        )
        .await
        .expect("user created");
    }

    /// A bearer token for an existing user.
    pub async fn token_for(&self, username: &str) -> String {
        users::create_token(&self.ctx(), &Actor::system(), username, "test")
            .await
            .expect("token")
            .1
    }

    /// A user with a role and a bearer token for it.
    pub async fn api_user(&self, username: &str, role: Role, maker_id: Option<i64>) -> String {
        self.add_user(username, role, maker_id).await;
        self.token_for(username).await
    }

    /// Sign in through the login form; returns the client holding the session.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
    ) -> (reqwest::Client, reqwest::Response) {
        let client = self.client();
        let page = client
            .get(self.url("/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("body");
        let csrf = hidden_field(&page, "csrf").expect("csrf field on login page");
        let resp = client
            .post(self.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("login post");
        (client, resp)
    }

    /// GET with a bearer token, answered as JSON.
    pub async fn get_json(&self, path: &str, token: &str) -> serde_json::Value {
        self.get(path, token).await.json().await.expect("json body")
    }

    /// The served OpenAPI document, fetched as any client would (no sign-in).
    pub async fn openapi(&self) -> serde_json::Value {
        self.client()
            .get(self.url("/api/v1/openapi.json"))
            .send()
            .await
            .expect("GET openapi.json")
            .json()
            .await
            .expect("the OpenAPI document is JSON")
    }

    /// GET with a bearer token.
    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET")
    }

    /// POST a JSON body with a bearer token.
    pub async fn post_json(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client()
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// Run the outbox worker once: send everything due now.
    pub async fn deliver_outbox(&self) -> firstcover::outbox_worker::RunReport {
        firstcover::outbox_worker::run_once(&self.db, &self.config)
            .await
            .expect("outbox pass")
    }

    /// Mail received by this app's SMTP sink, decoded.
    pub fn mails(&self) -> Vec<crate::smtp_sink::ReceivedMail> {
        self.mail.as_ref().map(|m| m.mails()).unwrap_or_default()
    }

    /// Raw SQL against the test database (to tamper with it, as an attacker would).
    pub async fn execute(&self, sql: &str) {
        match &self.db {
            Db::Sqlite(p) => {
                sqlx::query(sql).execute(p).await.expect("sql");
            }
            Db::Postgres(p) => {
                sqlx::query(sql).execute(p).await.expect("sql");
            }
        }
    }
}

/// The value of `<input … name="NAME" value="…">` in a page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// Generate one `#[tokio::test]` per store for each named async test function.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::spawn_app($crate::helpers::Store::Sqlite).await.expect("sqlite app");
                    super::$name(app).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = $crate::helpers::spawn_app($crate::helpers::Store::Postgres).await else { return };
                    super::$name(app).await;
                }
            )+
        }
    };
}

/// A valid credit code built from a 17-character body.
pub fn credit_code(body: &str) -> String {
    let check = firstcover::domain::credit_code::check_character(body).expect("valid body");
    format!("{body}{check}")
}
