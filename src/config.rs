//! Configuration: built-in defaults, then `firstcover.toml`, then `FIRSTCOVER_*`
//! environment variables, then command-line flags — each layer overriding the last.

use crate::domain::backtest::indication::{RateTargets, STANDARD_FULL_CREDIBILITY};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {0}: {1}")]
    Read(String, std::io::Error),
    #[error("configuration file {file}: {reason}")]
    Parse { file: String, reason: String },
    #[error("environment variable {0} is not valid: {1}")]
    Env(&'static str, String),
    /// A setting that parses but cannot stand, with where it is written.
    #[error("{file}:{line}: {reason}")]
    At {
        file: String,
        line: usize,
        reason: String,
    },
}

/// The insurer that owns this installation, as printed on documents.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsurerConfig {
    /// 保险公司名称
    pub name: String,
    /// 分支机构名称, printed on the seal.
    pub branch: String,
    /// Short code used in policy and claim numbers.
    pub code: String,
}

impl Default for InsurerConfig {
    fn default() -> Self {
        InsurerConfig {
            name: "示例财产保险股份有限公司".into(),
            branch: "浙江分公司".into(),
            code: "FC".into(),
        }
    }
}

/// Security knobs with safe defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    pub session_hours: i64,
    /// Failed logins allowed within the lock-out window before further tries are refused.
    pub login_max_failures: i64,
    pub login_lockout_minutes: i64,
    /// Set `Secure` on cookies; unset: on exactly when `public_url` is https.
    pub secure_cookies: Option<bool>,
    /// Send `Strict-Transport-Security`; unset: on exactly when `public_url` is https.
    pub hsts: Option<bool>,
    /// Failed sign-ins from one address within `login_address_window_minutes` before that
    /// address gets 429 (loopback included: no address is exempt).
    pub login_address_max_failures: i64,
    pub login_address_window_minutes: i64,
    /// Failed sign-ins from everyone within the address window before every sign-in is
    /// refused for a while (a spray over many names and addresses).
    pub login_global_max_failures: i64,
    /// Peers whose `X-Forwarded-For` is believed (the reverse proxies in front of us);
    /// for anyone else the client address is the peer's.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Largest amount accepted anywhere an amount enters (API, forms, files, the bank).
    pub max_amount: crate::domain::money::Money,
    /// `/metrics`: `false` answers 404; with a token it needs `Authorization: Bearer TOKEN`.
    pub metrics_enabled: bool,
    pub metrics_token: Option<String>,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            session_hours: 12,
            login_max_failures: 5,
            login_lockout_minutes: 15,
            secure_cookies: None,
            hsts: None,
            login_address_max_failures: 20,
            login_address_window_minutes: 10,
            login_global_max_failures: 1000,
            trusted_proxies: Vec::new(),
            max_amount: crate::domain::money::Money::from_fen(
                crate::domain::money::DEFAULT_ENTRY_BOUND_FEN,
            ),
            metrics_enabled: false,
            metrics_token: None,
        }
    }
}

/// Underwriting (`[underwriting]`): the authority ladder (核保权限阶梯) and how long a
/// quote stays open.
///
/// ```toml
/// [underwriting]
/// quote_validity_days = 30
/// [[underwriting.ladder]]          # lowest level first
/// role = "underwriter"
/// limit_authority = "50000000.00"  # CNY, exact
/// rate_deviation_authority = "0"   # fraction beyond the filed band's edge
/// [[underwriting.ladder]]
/// role = "senior_underwriter"
/// limit_authority = "200000000.00"
/// rate_deviation_authority = "0.5"
/// [[underwriting.ladder]]
/// role = "branch_head"
/// limit_authority = "1000000000.00"
/// rate_deviation_authority = "1"
/// past_cover = true                # may accept a period wholly in the past
/// ```
/// Without a ladder the standard one is used; the older keys `authority_limit` and
/// `senior_authority_limit` still set its first two limits.
#[derive(Debug, Clone)]
pub struct UnderwritingConfig {
    pub ladder: crate::domain::authority::Ladder,
    /// Days a quote may be bound after it was (last) priced; after that it has expired.
    pub quote_validity_days: u32,
}

pub const DEFAULT_QUOTE_VALIDITY_DAYS: u32 = 30;

impl Default for UnderwritingConfig {
    fn default() -> Self {
        UnderwritingConfig {
            ladder: crate::domain::authority::Ladder::standard(
                crate::domain::money::Money::from_yuan(50_000_000),
                crate::domain::money::Money::from_yuan(200_000_000),
            ),
            quote_validity_days: DEFAULT_QUOTE_VALIDITY_DAYS,
        }
    }
}

/// `[underwriting]` as written in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnderwritingFile {
    authority_limit: Option<crate::domain::money::Money>,
    senior_authority_limit: Option<crate::domain::money::Money>,
    quote_validity_days: Option<u32>,
    ladder: Option<Vec<LevelFile>>,
}

/// One `[[underwriting.ladder]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelFile {
    role: toml::Spanned<String>,
    limit_authority: crate::domain::money::Money,
    rate_deviation_authority: Decimal,
    #[serde(default)]
    past_cover: bool,
}

/// The 1-based line of a byte offset in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map(|t| t.matches('\n').count() + 1)
        .unwrap_or(1)
}

impl UnderwritingFile {
    /// The settings, with a `file:line` error for a level that cannot stand.
    fn resolve(self, file: &str, text: &str) -> Result<UnderwritingConfig, ConfigError> {
        use crate::domain::authority::{Ladder, Level};
        use crate::domain::role::Role;
        let defaults = UnderwritingConfig::default();
        let at = |offset: usize, reason: String| ConfigError::At {
            file: file.to_string(),
            line: line_of(text, offset),
            reason,
        };
        let ladder = match self.ladder {
            None => Ladder::standard(
                self.authority_limit
                    .unwrap_or(crate::domain::money::Money::from_yuan(50_000_000)),
                self.senior_authority_limit
                    .unwrap_or(crate::domain::money::Money::from_yuan(200_000_000)),
            ),
            Some(levels) => {
                if self.authority_limit.is_some() || self.senior_authority_limit.is_some() {
                    let offset = text.find("authority_limit").unwrap_or(0);
                    return Err(at(
                        offset,
                        "[underwriting] has a ladder: set each level's limit_authority there instead of authority_limit / senior_authority_limit".into(),
                    ));
                }
                let mut spans = Vec::new();
                let mut parsed = Vec::new();
                for l in levels {
                    let span = l.role.span();
                    let role: Role = l.role.get_ref().parse().map_err(
                        |e: crate::domain::role::UnknownRole| at(span.start, e.to_string()),
                    )?;
                    spans.push(span.start);
                    parsed.push(Level {
                        role,
                        limit_authority: l.limit_authority,
                        rate_deviation_authority: l.rate_deviation_authority,
                        past_cover: l.past_cover,
                    });
                }
                let ends_at = text.find("[[underwriting.ladder]]").unwrap_or(0);
                Ladder::new(parsed)
                    .map_err(|(i, e)| at(spans.get(i).copied().unwrap_or(ends_at), e.to_string()))?
            }
        };
        Ok(UnderwritingConfig {
            ladder,
            quote_validity_days: self
                .quote_validity_days
                .unwrap_or(defaults.quote_validity_days),
        })
    }
}

/// Outgoing mail (SMTP). With no host, mail stays queued in the outbox until one is set.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `none` (plain, for a local relay), `starttls` or `tls`.
    pub security: MailSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Sender address, e.g. `理赔中心 <claims@insurer.example>`.
    pub from: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailSecurity {
    None,
    Starttls,
    Tls,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            smtp_host: None,
            smtp_port: 25,
            security: MailSecurity::None,
            username: None,
            password: None,
            from: "firstcover <noreply@firstcover.invalid>".into(),
        }
    }
}

/// How the outbox worker retries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// Attempts before a delivery becomes a dead letter.
    pub max_attempts: i32,
    /// How often the worker looks for due deliveries.
    pub poll_ms: u64,
    /// First retry after this many seconds, doubling each time (capped at one day).
    pub backoff_base_secs: i64,
    /// How long a claimed delivery belongs to one worker before another may retry it.
    pub lease_secs: i64,
    /// Per-attempt timeout for HTTP and SMTP.
    pub timeout_secs: u64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            max_attempts: 8,
            poll_ms: 2_000,
            backoff_base_secs: 30,
            lease_secs: 120,
            timeout_secs: 30,
        }
    }
}

/// How documents look: the CJK font and the branch's seal artwork (`[documents]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DocumentsConfig {
    /// A TrueType/OpenType file (or collection) covering Chinese; the bundled one by default.
    pub font_path: PathBuf,
    pub font_face_index: u32,
    /// `{ kind = "vector" }` (drawn) or `{ kind = "png", path = "…" }` (the branch's own).
    pub seal: crate::documents::SealArtwork,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        DocumentsConfig {
            font_path: beside_sources(crate::documents::DEFAULT_FONT_PATH),
            font_face_index: 0,
            seal: crate::documents::SealArtwork::default(),
        }
    }
}

/// Full-premium collection certificates (`[certificates]`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CertificatesConfig {
    /// Ed25519 signing key: a file holding the 32-byte seed (raw or base64) …
    pub signing_key_file: Option<PathBuf>,
    /// … or the base64 seed itself. With neither, a key is generated on first start and
    /// kept in the database (table `signing_key`).
    pub signing_key_base64: Option<String>,
    /// Public verification lookups allowed per client IP per minute.
    pub verify_per_minute: u32,
}

impl Default for CertificatesConfig {
    fn default() -> Self {
        CertificatesConfig {
            signing_key_file: None,
            signing_key_base64: None,
            verify_per_minute: 30,
        }
    }
}

/// The bank's payment notifications (`POST /api/v1/bank/notifications`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BankConfig {
    /// Shared HMAC-SHA256 secret; while unset every callback is refused.
    pub callback_secret: Option<String>,
    /// How far `X-Timestamp` may be from now, in seconds (replay window).
    pub replay_window_secs: i64,
}

impl Default for BankConfig {
    fn default() -> Self {
        BankConfig {
            callback_secret: None,
            replay_window_secs: 300,
        }
    }
}

/// Claims authority (理赔权限) and upload limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimsConfig {
    /// Highest indemnity (or, for a rejection, amount claimed) a handler may decide
    /// alone; above it a claims manager who is not the handler approves.
    pub authority_limit: crate::domain::money::Money,
    /// Largest uploaded claim document, in bytes.
    pub upload_max_bytes: usize,
    /// Where a claimant turns with an objection, printed on the rejection notice
    /// (拒赔通知书): the department, its telephone and its postal address.
    pub contact_department: String,
    pub contact_phone: String,
    pub contact_address: String,
}

impl Default for ClaimsConfig {
    fn default() -> Self {
        ClaimsConfig {
            authority_limit: crate::domain::money::Money::from_yuan(200_000),
            upload_max_bytes: 10 * 1024 * 1024,
            contact_department: "理赔部".into(),
            contact_phone: "0571-8000 0000".into(),
            contact_address: "浙江省杭州市上城区示例路 1 号".into(),
        }
    }
}

/// `[backtest]`: the company's expense loadings, target combined-ratio band and
/// full-credibility standard, and the delivery schedule. Ratios are exact decimals in the
/// file ("0.15"), turned into the engine's `f64` only when an indication is computed.
/// (Moved here from `services::backtest::config` so that configuration does not depend
/// on the services; that module re-exports it.)
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BacktestConfig {
    /// `V`: commission, taxes and levies as a share of premium.
    pub variable_expense_ratio: Decimal,
    /// `F`: fixed expenses as a share of earned premium.
    pub fixed_expense_ratio: Decimal,
    /// `Q`: profit provision (保本微利: small).
    pub profit_provision: Decimal,
    pub combined_band_low: Decimal,
    pub combined_band_high: Decimal,
    /// Claims for full credibility.
    pub full_credibility_claims: Decimal,
    /// Smaller credibility-weighted changes keep the rate.
    pub materiality: Decimal,
    /// Tail factor after the last development year (1 = none).
    pub tail_factor: Decimal,
    /// Create and queue the quarterly report on this day of the month after each quarter
    /// (1–28); 0 turns the schedule off.
    pub quarterly_day: u32,
    /// Every how many seconds the scheduler looks whether a report is due.
    pub schedule_poll_secs: u64,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        BacktestConfig {
            variable_expense_ratio: dec!(0.15),
            fixed_expense_ratio: dec!(0.05),
            profit_provision: dec!(0.03),
            combined_band_low: dec!(0.95),
            combined_band_high: dec!(1.00),
            full_credibility_claims: Decimal::from(STANDARD_FULL_CREDIBILITY as i64),
            materiality: dec!(0.01),
            tail_factor: Decimal::ONE,
            quarterly_day: 0,
            schedule_poll_secs: 3600,
        }
    }
}

impl BacktestConfig {
    pub fn targets(&self) -> RateTargets {
        let f = |d: Decimal| d.to_f64().unwrap_or(f64::NAN);
        RateTargets {
            variable_expense_ratio: f(self.variable_expense_ratio),
            fixed_expense_ratio: f(self.fixed_expense_ratio),
            profit_provision: f(self.profit_provision),
            combined_band_low: f(self.combined_band_low),
            combined_band_high: f(self.combined_band_high),
            full_credibility_claims: f(self.full_credibility_claims),
            materiality: f(self.materiality),
        }
    }

    pub fn tail(&self) -> Option<f64> {
        (self.tail_factor != Decimal::ONE).then(|| self.tail_factor.to_f64().unwrap_or(f64::NAN))
    }
}

/// The regulator's receiving end (NFRA local office).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RegulatorConfig {
    /// HTTPS endpoint the XML report is POSTed to.
    pub endpoint: String,
    /// Who receives the readable report (PDF and HTML) by mail.
    pub recipients: Vec<String>,
    /// Filing institution code printed in the XML.
    pub institution_code: String,
}

/// Shown instead of a secret in `Debug` output (logs, panics).
const REDACTED: &str = "[redacted]";

fn redacted(secret: &Option<String>) -> Option<&'static str> {
    secret.as_ref().map(|_| REDACTED)
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &redacted(&self.password))
            .field("from", &self.from)
            .finish()
    }
}

impl std::fmt::Debug for CertificatesConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificatesConfig")
            .field("signing_key_file", &self.signing_key_file)
            .field("signing_key_base64", &redacted(&self.signing_key_base64))
            .field("verify_per_minute", &self.verify_per_minute)
            .finish()
    }
}

impl std::fmt::Debug for BankConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BankConfig")
            .field("callback_secret", &redacted(&self.callback_secret))
            .field("replay_window_secs", &self.replay_window_secs)
            .finish()
    }
}

/// A setting from the environment: `NAME`, or the contents of the file named by
/// `NAME_FILE` (for secrets mounted as files; one trailing newline is dropped).
fn from_env(
    env: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<String>, ConfigError> {
    if let Some(v) = env(name) {
        return Ok(Some(v));
    }
    let file_var = format!("{name}_FILE");
    match env(&file_var) {
        Some(path) => std::fs::read_to_string(&path)
            .map(|text| Some(text.strip_suffix('\n').unwrap_or(&text).to_string()))
            .map_err(|e| ConfigError::Env(name, format!("{file_var}={path}: {e}"))),
        None => Ok(None),
    }
}

/// `FIRSTCOVER_SECTION__KEY`, or the name it had before (with a deprecation warning; the old
/// names go in the next release).
fn from_env_renamed(
    env: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    old: &'static str,
) -> Result<Option<String>, ConfigError> {
    if let Some(v) = from_env(env, name)? {
        return Ok(Some(v));
    }
    let v = from_env(env, old)?;
    if v.is_some() {
        tracing::warn!(
            old,
            new = name,
            "deprecated environment variable; use the new name"
        );
    }
    Ok(v)
}

/// The file's shape: every key optional, so a partial file is fine.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    clauses_dir: Option<PathBuf>,
    public_url: Option<String>,
    max_connections: Option<u32>,
    insurer: Option<InsurerConfig>,
    security: Option<SecurityConfig>,
    underwriting: Option<UnderwritingFile>,
    mail: Option<MailConfig>,
    outbox: Option<OutboxConfig>,
    documents: Option<DocumentsConfig>,
    certificates: Option<CertificatesConfig>,
    bank: Option<BankConfig>,
    backtest: Option<BacktestConfig>,
    regulator: Option<RegulatorConfig>,
    claims: Option<ClaimsConfig>,
    billing: Option<BillingConfig>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub clauses_dir: PathBuf,
    /// Base URL printed in QR codes and mails.
    pub public_url: String,
    pub max_connections: u32,
    pub insurer: InsurerConfig,
    pub security: SecurityConfig,
    pub underwriting: UnderwritingConfig,
    pub mail: MailConfig,
    pub outbox: OutboxConfig,
    pub documents: DocumentsConfig,
    pub certificates: CertificatesConfig,
    pub bank: BankConfig,
    /// `[backtest]`: expense loadings, target band, credibility standard, schedule.
    pub backtest: BacktestConfig,
    /// `[regulator]`: where backtest reports are delivered.
    pub regulator: RegulatorConfig,
    pub claims: ClaimsConfig,
    /// `[billing]`: premium reminders (催缴提醒).
    pub billing: BillingConfig,
}

/// Premium reminders: mailed to the maker's contact through the outbox, once per
/// installment and stage. A setting of 0 turns that stage off.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BillingConfig {
    /// Days before an installment's due date the first reminder goes out.
    pub reminder_days_before: u32,
    /// Days after the due date the overdue reminder goes out.
    pub reminder_days_overdue: u32,
    /// How often `serve` looks for reminders to send, in seconds.
    pub reminder_every_secs: u64,
}

impl Default for BillingConfig {
    fn default() -> Self {
        BillingConfig {
            reminder_days_before: 7,
            reminder_days_overdue: 1,
            reminder_every_secs: 3600,
        }
    }
}

impl Config {
    /// Served over HTTPS (by `public_url`): the default for `Secure` cookies and HSTS.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn secure_cookies(&self) -> bool {
        self.security
            .secure_cookies
            .unwrap_or_else(|| self.is_https())
    }

    pub fn hsts(&self) -> bool {
        self.security.hsts.unwrap_or_else(|| self.is_https())
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/firstcover.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: DEFAULT_DATABASE_URL.into(),
            bind: DEFAULT_BIND.into(),
            clauses_dir: default_clauses_dir(),
            public_url: format!("http://{DEFAULT_BIND}"),
            max_connections: 10,
            insurer: InsurerConfig::default(),
            security: SecurityConfig::default(),
            underwriting: UnderwritingConfig::default(),
            mail: MailConfig::default(),
            outbox: OutboxConfig::default(),
            documents: DocumentsConfig::default(),
            certificates: CertificatesConfig::default(),
            bank: BankConfig::default(),
            backtest: Default::default(),
            regulator: Default::default(),
            claims: ClaimsConfig::default(),
            billing: BillingConfig::default(),
        }
    }
}

/// `./clauses` when started from the project, else the copy beside the sources.
fn default_clauses_dir() -> PathBuf {
    beside_sources("clauses")
}

/// `./PATH` when started from the project, else the copy beside the sources.
fn beside_sources(path: &str) -> PathBuf {
    let local = PathBuf::from(path);
    if local.exists() {
        local
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
    }
}

/// Flags given on the command line (the top layer).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub database_url: Option<String>,
    pub bind: Option<String>,
}

impl Config {
    /// Build the layered configuration. A missing default file is fine; a missing
    /// file that was asked for by name is an error.
    pub fn load(flags: &Overrides) -> Result<Config, ConfigError> {
        Self::load_with_env(flags, |k| std::env::var(k).ok())
    }

    pub fn load_with_env(
        flags: &Overrides,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let named = flags
            .config_file
            .clone()
            .or_else(|| env("FIRSTCOVER_CONFIG").map(PathBuf::from));
        let (file, file_name, text) = match &named {
            Some(path) => read_file(path)?,
            None if Path::new("firstcover.toml").is_file() => {
                read_file(Path::new("firstcover.toml"))?
            }
            None => (FileConfig::default(), String::new(), String::new()),
        };
        let mut c = Config::default();
        if let Some(v) = file.database_url {
            c.database_url = v;
        }
        if let Some(v) = file.bind {
            c.bind = v;
        }
        if let Some(v) = file.clauses_dir {
            c.clauses_dir = v;
        }
        if let Some(v) = file.max_connections {
            c.max_connections = v;
        }
        if let Some(v) = file.insurer {
            c.insurer = v;
        }
        if let Some(v) = file.security {
            c.security = v;
        }
        if let Some(v) = file.underwriting {
            c.underwriting = v.resolve(&file_name, &text)?;
        }
        if let Some(v) = file.mail {
            c.mail = v;
        }
        if let Some(v) = file.outbox {
            c.outbox = v;
        }
        if let Some(v) = file.documents {
            c.documents = v;
        }
        if let Some(v) = file.certificates {
            c.certificates = v;
        }
        if let Some(v) = file.bank {
            c.bank = v;
        }
        if let Some(v) = file.backtest {
            c.backtest = v;
        }
        if let Some(v) = file.regulator {
            c.regulator = v;
        }
        if let Some(v) = file.claims {
            c.claims = v;
        }
        if let Some(v) = file.billing {
            c.billing = v;
        }
        let mut public_url = file.public_url;
        if let Some(v) = env("FIRSTCOVER_DATABASE_URL") {
            c.database_url = v;
        }
        if let Some(v) = env("FIRSTCOVER_BIND") {
            c.bind = v;
        }
        if let Some(v) = env("FIRSTCOVER_CLAUSES_DIR") {
            c.clauses_dir = PathBuf::from(v);
        }
        if let Some(v) = env("FIRSTCOVER_PUBLIC_URL") {
            public_url = Some(v);
        }
        if let Some(v) = env("FIRSTCOVER_MAX_CONNECTIONS") {
            c.max_connections = v
                .parse()
                .map_err(|_| ConfigError::Env("FIRSTCOVER_MAX_CONNECTIONS", v.clone()))?;
        }
        // Section keys: FIRSTCOVER_<SECTION>__<KEY>.
        if let Some(v) = from_env(&env, "FIRSTCOVER_BANK__CALLBACK_SECRET")? {
            c.bank.callback_secret = Some(v);
        }
        if let Some(v) = from_env(&env, "FIRSTCOVER_CERTIFICATES__SIGNING_KEY_BASE64")? {
            c.certificates.signing_key_base64 = Some(v);
        }
        if let Some(v) = env("FIRSTCOVER_BANK__REPLAY_WINDOW_SECS") {
            c.bank.replay_window_secs = v
                .parse()
                .map_err(|_| ConfigError::Env("FIRSTCOVER_BANK__REPLAY_WINDOW_SECS", v.clone()))?;
        }
        if let Some(v) =
            from_env_renamed(&env, "FIRSTCOVER_MAIL__SMTP_HOST", "FIRSTCOVER_SMTP_HOST")?
        {
            c.mail.smtp_host = Some(v);
        }
        if let Some(v) =
            from_env_renamed(&env, "FIRSTCOVER_MAIL__SMTP_PORT", "FIRSTCOVER_SMTP_PORT")?
        {
            c.mail.smtp_port = v
                .parse()
                .map_err(|_| ConfigError::Env("FIRSTCOVER_MAIL__SMTP_PORT", v.clone()))?;
        }
        if let Some(v) = from_env(&env, "FIRSTCOVER_MAIL__USERNAME")? {
            c.mail.username = Some(v);
        }
        if let Some(v) = from_env_renamed(
            &env,
            "FIRSTCOVER_MAIL__PASSWORD",
            "FIRSTCOVER_SMTP_PASSWORD",
        )? {
            c.mail.password = Some(v);
        }
        if let Some(v) = env("FIRSTCOVER_UNDERWRITING__QUOTE_VALIDITY_DAYS") {
            c.underwriting.quote_validity_days = v.trim().parse().map_err(|_| {
                ConfigError::Env("FIRSTCOVER_UNDERWRITING__QUOTE_VALIDITY_DAYS", v.clone())
            })?;
        }
        if let Some(v) = &flags.database_url {
            c.database_url = v.clone();
        }
        if let Some(v) = &flags.bind {
            c.bind = v.clone();
        }
        c.public_url = public_url.unwrap_or_else(|| format!("http://{}", c.bind));
        Ok(c)
    }
}

/// The file's settings, its name and its text (for `file:line` errors later).
fn read_file(path: &Path) -> Result<(FileConfig, String, String), ConfigError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read(name.clone(), e))?;
    let file = toml::from_str(&text).map_err(|e| match e.span() {
        Some(span) => ConfigError::At {
            file: name.clone(),
            line: line_of(&text, span.start),
            reason: e.message().to_string(),
        },
        None => ConfigError::Parse {
            file: name.clone(),
            reason: e.to_string(),
        },
    })?;
    Ok((file, name, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn flags_win_over_env_which_wins_over_file() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "database_url = \"sqlite://file.db\"\nbind = \"127.0.0.1:1\"\n[insurer]\nname = \"甲\"\nbranch = \"乙\"\ncode = \"XY\"").unwrap();
        let flags = Overrides {
            config_file: Some(f.path().into()),
            database_url: None,
            bind: Some("127.0.0.1:3".into()),
        };
        let env = |k: &str| match k {
            "FIRSTCOVER_DATABASE_URL" => Some("sqlite://env.db".to_string()),
            "FIRSTCOVER_BIND" => Some("127.0.0.1:2".to_string()),
            _ => None,
        };
        let c = Config::load_with_env(&flags, env).unwrap();
        assert_eq!(c.database_url, "sqlite://env.db");
        assert_eq!(c.bind, "127.0.0.1:3");
        assert_eq!(c.insurer.code, "XY");
        assert_eq!(c.public_url, "http://127.0.0.1:3");
    }

    #[test]
    fn no_configuration_means_embedded_sqlite_on_loopback() {
        let c = Config::load_with_env(&Overrides::default(), |_| None).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.bind, DEFAULT_BIND);
    }

    #[test]
    fn underwriting_authority_comes_from_the_file() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "[underwriting]\nauthority_limit = \"1000000.00\"").unwrap();
        let flags = Overrides {
            config_file: Some(f.path().into()),
            ..Overrides::default()
        };
        let c = Config::load_with_env(&flags, |_| None).unwrap();
        let levels = c.underwriting.ladder.levels();
        assert_eq!(levels[0].limit_authority.fen(), 100_000_000);
        assert_eq!(
            levels[1].limit_authority,
            UnderwritingConfig::default().ladder.levels()[1].limit_authority
        );
        assert_eq!(c.underwriting.quote_validity_days, 30);
    }

    fn ladder_file(body: &str) -> Result<Config, ConfigError> {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        write!(f, "{body}").unwrap();
        let flags = Overrides {
            config_file: Some(f.path().into()),
            ..Overrides::default()
        };
        Config::load_with_env(&flags, |_| None)
    }

    #[test]
    fn the_authority_ladder_comes_from_the_file_with_exact_decimals() {
        let c = ladder_file(
            "[underwriting]\nquote_validity_days = 14\n\
             [[underwriting.ladder]]\nrole = \"underwriter\"\nlimit_authority = \"10000000.00\"\nrate_deviation_authority = \"0\"\n\
             [[underwriting.ladder]]\nrole = \"senior_underwriter\"\nlimit_authority = \"30000000.00\"\nrate_deviation_authority = \"0.25\"\n\
             [[underwriting.ladder]]\nrole = \"branch_head\"\nlimit_authority = \"90000000.00\"\nrate_deviation_authority = \"0.75\"\npast_cover = true\n",
        )
        .unwrap();
        let l = c.underwriting.ladder.levels();
        assert_eq!(l.len(), 3);
        assert_eq!(l[1].limit_authority.fen(), 3_000_000_000);
        assert_eq!(l[1].rate_deviation_authority, dec!(0.25));
        assert!(l[2].past_cover && !l[1].past_cover);
        assert_eq!(c.underwriting.quote_validity_days, 14);
    }

    #[test]
    fn a_ladder_that_cannot_stand_stops_start_up_with_file_and_line() {
        // The senior level (its role on line 7) has less authority than the level below it.
        let e = ladder_file(
            "[underwriting]\n\
             [[underwriting.ladder]]\nrole = \"underwriter\"\nlimit_authority = \"10000000.00\"\nrate_deviation_authority = \"0\"\n\
             [[underwriting.ladder]]\nrole = \"senior_underwriter\"\nlimit_authority = \"1000000.00\"\nrate_deviation_authority = \"0.5\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.ends_with(":7: level senior_underwriter has less authority than the level below it (limit, rate deviation and past cover may only grow up the ladder)"), "{e}");
        let e = ladder_file(
            "[underwriting]\n[[underwriting.ladder]]\nrole = \"chief\"\nlimit_authority = \"1.00\"\nrate_deviation_authority = \"0\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(":3: unknown role 'chief'"), "{e}");
        let e = ladder_file("[underwriting]\nquote_validity_days = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2: "), "{e}");
    }

    #[test]
    fn quote_validity_has_an_environment_override() {
        let env = |k: &str| {
            (k == "FIRSTCOVER_UNDERWRITING__QUOTE_VALIDITY_DAYS").then(|| "45".to_string())
        };
        let c = Config::load_with_env(&Overrides::default(), env).unwrap();
        assert_eq!(c.underwriting.quote_validity_days, 45);
        let bad = |k: &str| {
            (k == "FIRSTCOVER_UNDERWRITING__QUOTE_VALIDITY_DAYS").then(|| "soon".to_string())
        };
        assert!(Config::load_with_env(&Overrides::default(), bad).is_err());
    }

    #[test]
    fn mail_and_outbox_settings_come_from_file_and_env() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "[mail]\nsmtp_host = \"mail.example\"\nsecurity = \"starttls\"\n[outbox]\nmax_attempts = 3").unwrap();
        let flags = Overrides {
            config_file: Some(f.path().into()),
            ..Overrides::default()
        };
        let env = |k: &str| (k == "FIRSTCOVER_SMTP_PORT").then(|| "2525".to_string());
        let c = Config::load_with_env(&flags, env).unwrap();
        assert_eq!(c.mail.smtp_host.as_deref(), Some("mail.example"));
        assert_eq!(c.mail.smtp_port, 2525);
        assert_eq!(c.mail.security, MailSecurity::Starttls);
        assert_eq!(c.outbox.max_attempts, 3);
        assert_eq!(c.outbox.backoff_base_secs, 30);
        let bad = |k: &str| (k == "FIRSTCOVER_SMTP_PORT").then(|| "smtp".to_string());
        assert!(Config::load_with_env(&Overrides::default(), bad).is_err());
    }

    #[test]
    fn bank_secret_comes_from_the_file_or_the_environment() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "[bank]\ncallback_secret = \"from-file\"").unwrap();
        let flags = Overrides {
            config_file: Some(f.path().into()),
            ..Overrides::default()
        };
        let c = Config::load_with_env(&flags, |_| None).unwrap();
        assert_eq!(c.bank.callback_secret.as_deref(), Some("from-file"));
        assert_eq!(c.bank.replay_window_secs, 300);
        let env =
            |k: &str| (k == "FIRSTCOVER_BANK__CALLBACK_SECRET").then(|| "from-env".to_string());
        let c = Config::load_with_env(&flags, env).unwrap();
        assert_eq!(c.bank.callback_secret.as_deref(), Some("from-env"));
        let c = Config::load_with_env(&Overrides::default(), |_| None).unwrap();
        assert_eq!(
            c.bank.callback_secret, None,
            "callbacks are off until a secret is set"
        );
    }

    #[test]
    fn secrets_never_show_in_debug_output_and_can_come_from_files() {
        let mut secret = tempfile::NamedTempFile::new().unwrap();
        writeln!(secret, "bank-secret-from-file").unwrap();
        let path = secret.path().display().to_string();
        let env = |k: &str| match k {
            "FIRSTCOVER_BANK__CALLBACK_SECRET_FILE" => Some(path.clone()),
            "FIRSTCOVER_MAIL__PASSWORD" => Some("smtp-password-1".to_string()),
            "FIRSTCOVER_CERTIFICATES__SIGNING_KEY_BASE64" => Some("c2lnbmluZy1rZXk=".to_string()),
            _ => None,
        };
        let c = Config::load_with_env(&Overrides::default(), env).unwrap();
        assert_eq!(
            c.bank.callback_secret.as_deref(),
            Some("bank-secret-from-file")
        );
        assert_eq!(c.mail.password.as_deref(), Some("smtp-password-1"));
        let shown = format!("{c:?}");
        for secret in [
            "bank-secret-from-file",
            "smtp-password-1",
            "c2lnbmluZy1rZXk=",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("[redacted]"));
        let missing = |k: &str| {
            (k == "FIRSTCOVER_BANK__CALLBACK_SECRET_FILE").then(|| "/no/such/file".to_string())
        };
        assert!(Config::load_with_env(&Overrides::default(), missing).is_err());
    }

    #[test]
    fn mail_settings_take_the_section_names_and_the_old_names_still_work() {
        let new = |k: &str| (k == "FIRSTCOVER_MAIL__SMTP_HOST").then(|| "new.example".to_string());
        let old = |k: &str| (k == "FIRSTCOVER_SMTP_HOST").then(|| "old.example".to_string());
        let both = |k: &str| new(k).or_else(|| old(k));
        let host = |e: &dyn Fn(&str) -> Option<String>| {
            Config::load_with_env(&Overrides::default(), e)
                .unwrap()
                .mail
                .smtp_host
        };
        assert_eq!(host(&new).as_deref(), Some("new.example"));
        assert_eq!(host(&old).as_deref(), Some("old.example"));
        assert_eq!(
            host(&both).as_deref(),
            Some("new.example"),
            "the new name wins"
        );
    }

    #[test]
    fn unknown_keys_in_the_file_are_reported() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "databse_url = \"x\"").unwrap();
        let flags = Overrides {
            config_file: Some(f.path().into()),
            ..Overrides::default()
        };
        let err = Config::load_with_env(&flags, |_| None).unwrap_err();
        assert!(err.to_string().contains("databse_url"), "{err}");
    }
}
