//! Configuration: built-in defaults, then `firstcover.toml`, then `FIRSTCOVER_*`
//! environment variables, then command-line flags — each layer overriding the last.

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
    /// Set `Secure` on cookies (turn on behind HTTPS).
    pub secure_cookies: bool,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            session_hours: 12,
            login_max_failures: 5,
            login_lockout_minutes: 15,
            secure_cookies: false,
        }
    }
}

/// Underwriting authority (核保权限): a quote whose aggregate limit is above the
/// quoting underwriter's authority goes to a senior underwriter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UnderwritingConfig {
    /// Highest aggregate limit an underwriter may accept alone (CNY, e.g. "50000000.00").
    pub authority_limit: crate::domain::money::Money,
    /// Highest aggregate limit a senior underwriter may accept alone.
    pub senior_authority_limit: crate::domain::money::Money,
}

impl Default for UnderwritingConfig {
    fn default() -> Self {
        UnderwritingConfig {
            authority_limit: crate::domain::money::Money::from_yuan(50_000_000),
            senior_authority_limit: crate::domain::money::Money::from_yuan(200_000_000),
        }
    }
}

/// Outgoing mail (SMTP). With no host, mail stays queued in the outbox until one is set.
#[derive(Debug, Clone, Deserialize)]
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
#[derive(Debug, Clone, Deserialize)]
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
#[derive(Debug, Clone, Deserialize)]
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
}

impl Default for ClaimsConfig {
    fn default() -> Self {
        ClaimsConfig {
            authority_limit: crate::domain::money::Money::from_yuan(200_000),
            upload_max_bytes: 10 * 1024 * 1024,
        }
    }
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
    underwriting: Option<UnderwritingConfig>,
    mail: Option<MailConfig>,
    outbox: Option<OutboxConfig>,
    documents: Option<DocumentsConfig>,
    certificates: Option<CertificatesConfig>,
    bank: Option<BankConfig>,
    backtest: Option<crate::services::backtest::config::BacktestConfig>,
    regulator: Option<crate::services::backtest::config::RegulatorConfig>,
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
    pub backtest: crate::services::backtest::config::BacktestConfig,
    /// `[regulator]`: where backtest reports are delivered.
    pub regulator: crate::services::backtest::config::RegulatorConfig,
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
        let file = match &named {
            Some(path) => read_file(path)?,
            None if Path::new("firstcover.toml").is_file() => {
                read_file(Path::new("firstcover.toml"))?
            }
            None => FileConfig::default(),
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
            c.underwriting = v;
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
        if let Some(v) = env("FIRSTCOVER_BANK__CALLBACK_SECRET") {
            c.bank.callback_secret = Some(v);
        }
        if let Some(v) = env("FIRSTCOVER_BANK__REPLAY_WINDOW_SECS") {
            c.bank.replay_window_secs = v
                .parse()
                .map_err(|_| ConfigError::Env("FIRSTCOVER_BANK__REPLAY_WINDOW_SECS", v.clone()))?;
        }
        if let Some(v) = env("FIRSTCOVER_SMTP_HOST") {
            c.mail.smtp_host = Some(v);
        }
        if let Some(v) = env("FIRSTCOVER_SMTP_PORT") {
            c.mail.smtp_port = v
                .parse()
                .map_err(|_| ConfigError::Env("FIRSTCOVER_SMTP_PORT", v.clone()))?;
        }
        if let Some(v) = env("FIRSTCOVER_SMTP_PASSWORD") {
            c.mail.password = Some(v);
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

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::Read(path.display().to_string(), e))?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        file: path.display().to_string(),
        reason: e.to_string(),
    })
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
        assert_eq!(c.underwriting.authority_limit.fen(), 100_000_000);
        assert_eq!(
            c.underwriting.senior_authority_limit,
            UnderwritingConfig::default().senior_authority_limit
        );
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
