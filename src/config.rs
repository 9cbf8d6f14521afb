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
    Env(String, String),
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
#[serde(deny_unknown_fields, default)]
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
    pub metrics_token: Option<Secret>,
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `none` (plain, for a local relay), `starttls` or `tls`.
    pub security: MailSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
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
    pub signing_key_base64: Option<Secret>,
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
    pub callback_secret: Option<Secret>,
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

/// A secret setting (password, shared key, token): readable where it is used, shown as
/// `[redacted]` in `Debug` output (logs, panics, `config` dumps).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Names the settings had before every one was `FIRSTCOVER_SECTION__KEY` (read with a
/// deprecation warning; they go in the next release).
const RENAMED: &[(&str, &str)] = &[
    ("SMTP_HOST", "MAIL__SMTP_HOST"),
    ("SMTP_PORT", "MAIL__SMTP_PORT"),
    ("SMTP_PASSWORD", "MAIL__PASSWORD"),
];

/// Variables of ours that are not settings (the file's name is read before the layers).
const NOT_SETTINGS: &[&str] = &["CONFIG"];

/// The environment layer, one naming scheme for every setting: `FIRSTCOVER_KEY` for a
/// top-level key, `FIRSTCOVER_SECTION__KEY` for a key in `[section]` (`__` between levels),
/// and either with `_FILE` appended to read the value from that file (secrets mounted as
/// files; one trailing newline dropped). A value is taken as a string, or else as a TOML
/// value (`2525`, `true`, `["10.0.0.1"]`) or a comma-separated list where the setting needs
/// one — whichever the setting accepts. Variables are laid over the file's table and the
/// whole is read again, so an override is checked exactly like the same key in the file.
///
/// Hand-written over `toml` rather than a layering crate: the file is read with `toml`'s own
/// deserializer for its `file:line` errors and spans (the authority ladder), which the layering
/// crates (`config`, `figment`) do not carry, and they would bring a second `toml`.
struct EnvLayer {
    table: toml::Table,
    changed: bool,
}

impl EnvLayer {
    /// The file's table with every `FIRSTCOVER_*` setting laid over it.
    fn apply(table: toml::Table, vars: &[(String, String)]) -> Result<EnvLayer, ConfigError> {
        let mut layer = EnvLayer {
            table,
            changed: false,
        };
        let set: std::collections::BTreeMap<String, &str> = vars
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("FIRSTCOVER_")?.to_string(), v.as_str())))
            .collect();
        // Old names first, so that the new name, applied later, wins.
        let mut order: Vec<(&String, &str)> = set.iter().map(|(k, v)| (k, *v)).collect();
        order.sort_by_key(|(k, _)| !RENAMED.iter().any(|(old, _)| k.starts_with(old)));
        for (name, value) in order {
            if NOT_SETTINGS.contains(&name.as_str()) {
                continue;
            }
            let mut key = name.clone();
            for (old, new) in RENAMED {
                if let Some(rest) = name.strip_prefix(old) {
                    if rest.is_empty() || rest == "_FILE" {
                        tracing::warn!(
                            old = %format!("FIRSTCOVER_{name}"),
                            new = %format!("FIRSTCOVER_{new}{rest}"),
                            "deprecated environment variable; use the new name"
                        );
                        key = format!("{new}{rest}");
                    }
                }
            }
            layer.one(&format!("FIRSTCOVER_{name}"), &key, value, &set)?;
        }
        Ok(layer)
    }

    /// Lays one variable over the table, in the first reading its setting accepts.
    fn one(
        &mut self,
        var: &str,
        key: &str,
        value: &str,
        set: &std::collections::BTreeMap<String, &str>,
    ) -> Result<(), ConfigError> {
        let path = key_path(key);
        let first_error = match self.set_first(&path, value) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        // `…_FILE`: the value is in that file, unless the plain variable is also set (then
        // it wins). A key that is itself a setting (`signing_key_file`) was taken above.
        if let Some(plain) = key.strip_suffix("_FILE") {
            let plain_path = key_path(plain);
            if self.is_setting(&plain_path) {
                if set.contains_key(plain) {
                    return Ok(());
                }
                let text = std::fs::read_to_string(value)
                    .map_err(|e| ConfigError::Env(var.to_string(), format!("{value}: {e}")))?;
                let text = text.strip_suffix('\n').unwrap_or(&text);
                return self
                    .set_first(&plain_path, text)
                    .map_err(|e| ConfigError::Env(var.to_string(), e));
            }
        }
        if path.len() == 1 && !self.is_setting(&path) {
            // A top-level name that is no setting: a variable for something else
            // (`FIRSTCOVER_LOG`, the test switches), not a typo we can tell apart.
            return Ok(());
        }
        Err(ConfigError::Env(var.to_string(), first_error))
    }

    /// Sets `path` to the first reading of `value` the configuration accepts; else why
    /// not: the reason given to the reading of the right type (a bad address in a list)
    /// rather than "invalid type" for the others.
    fn set_first(&mut self, path: &[String], value: &str) -> Result<(), String> {
        let mut errors = Vec::new();
        for reading in readings(value) {
            match self.with(path, reading) {
                Ok(table) => {
                    self.table = table;
                    self.changed = true;
                    return Ok(());
                }
                Err(e) => errors.push(e),
            }
        }
        let telling = errors.iter().position(|e| !e.starts_with("invalid type"));
        Err(errors.swap_remove(telling.unwrap_or(0)))
    }

    /// Whether `path` names a key the configuration has.
    fn is_setting(&self, path: &[String]) -> bool {
        match self.with(path, toml::Value::String(String::new())) {
            Ok(_) => true,
            Err(e) => !e.contains("unknown field") && !e.contains("is not a section"),
        }
    }

    /// The table with `path` set to `value`, if the whole configuration still reads.
    fn with(&self, path: &[String], value: toml::Value) -> Result<toml::Table, String> {
        let mut table = self.table.clone();
        let mut at = &mut table;
        let Some((last, sections)) = path.split_last() else {
            return Err("empty name".into());
        };
        for s in sections {
            at = at
                .entry(s.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .ok_or_else(|| format!("{s} is not a section"))?;
        }
        at.insert(last.clone(), value);
        let text = toml::to_string(&table).map_err(|e| e.to_string())?;
        toml::from_str::<FileConfig>(&text).map_err(|e| e.message().to_string())?;
        Ok(table)
    }
}

/// `MAIL__SMTP_HOST` → `["mail", "smtp_host"]`.
fn key_path(key: &str) -> Vec<String> {
    key.to_lowercase().split("__").map(str::to_string).collect()
}

/// The ways an environment value may be meant: a string, a TOML value, a list.
fn readings(value: &str) -> Vec<toml::Value> {
    let mut out = vec![toml::Value::String(value.to_string())];
    if let Ok(mut t) = toml::from_str::<toml::Table>(&format!("v = {value}")) {
        if let Some(v) = t.remove("v") {
            out.push(v);
        }
    }
    out.push(toml::Value::Array(
        value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| toml::Value::String(s.to_string()))
            .collect(),
    ));
    out
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
        let vars: Vec<(String, String)> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| k.starts_with("FIRSTCOVER_"))
            .collect();
        Self::load_with_env(flags, &vars)
    }

    /// As [`Config::load`], with the environment given (`FIRSTCOVER_*` pairs).
    pub fn load_with_env(
        flags: &Overrides,
        vars: &[(String, String)],
    ) -> Result<Config, ConfigError> {
        let named = flags.config_file.clone().or_else(|| {
            vars.iter()
                .find(|(k, _)| k == "FIRSTCOVER_CONFIG")
                .map(|(_, v)| PathBuf::from(v))
        });
        let (file_name, text) = match &named {
            Some(path) => read_file(path)?,
            None if Path::new("firstcover.toml").is_file() => {
                read_file(Path::new("firstcover.toml"))?
            }
            None => (String::new(), String::new()),
        };
        // The file alone first, so that its mistakes are told with its own lines.
        let table: toml::Table = parse(&file_name, &text)?;
        parse::<FileConfig>(&file_name, &text)?;
        let layer = EnvLayer::apply(table, vars)?;
        let (file_name, text) = if layer.changed {
            let merged = toml::to_string(&layer.table).map_err(|e| ConfigError::Parse {
                file: "environment".into(),
                reason: e.to_string(),
            })?;
            (format!("{file_name} + FIRSTCOVER_* environment"), merged)
        } else {
            (file_name, text)
        };
        let file: FileConfig = parse(&file_name, &text)?;
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
        if let Some(v) = &flags.database_url {
            c.database_url = v.clone();
        }
        if let Some(v) = &flags.bind {
            c.bind = v.clone();
        }
        c.public_url = file
            .public_url
            .unwrap_or_else(|| format!("http://{}", c.bind));
        Ok(c)
    }
}

/// The file's name and text; none (empty) when there is no file.
fn read_file(path: &Path) -> Result<(String, String), ConfigError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read(name.clone(), e))?;
    Ok((name, text))
}

/// `text` read as `T`, a mistake told as `file:line`.
fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|e| match e.span() {
        Some(span) => ConfigError::At {
            file: name.to_string(),
            line: line_of(text, span.start),
            reason: e.message().to_string(),
        },
        None => ConfigError::Parse {
            file: name.to_string(),
            reason: e.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn flags_win_over_env_which_wins_over_file() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "database_url = \"sqlite://file.db\"\nbind = \"127.0.0.1:1\"\n[insurer]\nname = \"甲\"\nbranch = \"乙\"\ncode = \"XY\"").unwrap();
        let flags = Overrides {
            config_file: Some(f.path().into()),
            database_url: None,
            bind: Some("127.0.0.1:3".into()),
        };
        let env = vars(&[
            ("FIRSTCOVER_DATABASE_URL", "sqlite://env.db"),
            ("FIRSTCOVER_BIND", "127.0.0.1:2"),
        ]);
        let c = Config::load_with_env(&flags, &env).unwrap();
        assert_eq!(c.database_url, "sqlite://env.db");
        assert_eq!(c.bind, "127.0.0.1:3");
        assert_eq!(c.insurer.code, "XY");
        assert_eq!(c.public_url, "http://127.0.0.1:3");
    }

    #[test]
    fn no_configuration_means_embedded_sqlite_on_loopback() {
        let c = Config::load_with_env(&Overrides::default(), &[]).unwrap();
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
        let c = Config::load_with_env(&flags, &[]).unwrap();
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
        Config::load_with_env(&flags, &[])
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
        let env = vars(&[("FIRSTCOVER_UNDERWRITING__QUOTE_VALIDITY_DAYS", "45")]);
        let c = Config::load_with_env(&Overrides::default(), &env).unwrap();
        assert_eq!(c.underwriting.quote_validity_days, 45);
        let bad = vars(&[("FIRSTCOVER_UNDERWRITING__QUOTE_VALIDITY_DAYS", "soon")]);
        let e = Config::load_with_env(&Overrides::default(), &bad).unwrap_err();
        assert!(
            e.to_string()
                .contains("FIRSTCOVER_UNDERWRITING__QUOTE_VALIDITY_DAYS"),
            "{e}"
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
        let env = vars(&[("FIRSTCOVER_SMTP_PORT", "2525")]);
        let c = Config::load_with_env(&flags, &env).unwrap();
        assert_eq!(c.mail.smtp_host.as_deref(), Some("mail.example"));
        assert_eq!(c.mail.smtp_port, 2525);
        assert_eq!(c.mail.security, MailSecurity::Starttls);
        assert_eq!(c.outbox.max_attempts, 3);
        assert_eq!(c.outbox.backoff_base_secs, 30);
        let bad = vars(&[("FIRSTCOVER_SMTP_PORT", "smtp")]);
        assert!(Config::load_with_env(&Overrides::default(), &bad).is_err());
    }

    #[test]
    fn bank_secret_comes_from_the_file_or_the_environment() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "[bank]\ncallback_secret = \"from-file\"").unwrap();
        let flags = Overrides {
            config_file: Some(f.path().into()),
            ..Overrides::default()
        };
        let c = Config::load_with_env(&flags, &[]).unwrap();
        assert_eq!(c.bank.callback_secret, Some("from-file".into()));
        assert_eq!(c.bank.replay_window_secs, 300);
        let env = vars(&[("FIRSTCOVER_BANK__CALLBACK_SECRET", "from-env")]);
        let c = Config::load_with_env(&flags, &env).unwrap();
        assert_eq!(c.bank.callback_secret, Some("from-env".into()));
        let c = Config::load_with_env(&Overrides::default(), &[]).unwrap();
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
        let env = vars(&[
            ("FIRSTCOVER_BANK__CALLBACK_SECRET_FILE", &path),
            ("FIRSTCOVER_MAIL__PASSWORD", "smtp-password-1"),
            (
                "FIRSTCOVER_CERTIFICATES__SIGNING_KEY_BASE64",
                "c2lnbmluZy1rZXk=",
            ),
            ("FIRSTCOVER_SECURITY__METRICS_TOKEN", "metrics-token-1"),
        ]);
        let c = Config::load_with_env(&Overrides::default(), &env).unwrap();
        assert_eq!(c.bank.callback_secret, Some("bank-secret-from-file".into()));
        assert_eq!(c.mail.password, Some("smtp-password-1".into()));
        let shown = format!("{c:?}");
        for secret in [
            "bank-secret-from-file",
            "smtp-password-1",
            "c2lnbmluZy1rZXk=",
            "metrics-token-1",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("[redacted]"));
        let missing = vars(&[("FIRSTCOVER_BANK__CALLBACK_SECRET_FILE", "/no/such/file")]);
        assert!(Config::load_with_env(&Overrides::default(), &missing).is_err());
    }

    #[test]
    fn mail_settings_take_the_section_names_and_the_old_names_still_work() {
        let new = ("FIRSTCOVER_MAIL__SMTP_HOST", "new.example");
        let old = ("FIRSTCOVER_SMTP_HOST", "old.example");
        let host = |e: &[(&str, &str)]| {
            Config::load_with_env(&Overrides::default(), &vars(e))
                .unwrap()
                .mail
                .smtp_host
        };
        assert_eq!(host(&[new]).as_deref(), Some("new.example"));
        assert_eq!(host(&[old]).as_deref(), Some("old.example"));
        assert_eq!(
            host(&[new, old]).as_deref(),
            Some("new.example"),
            "the new name wins"
        );
        assert_eq!(
            host(&[old, new]).as_deref(),
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
        let err = Config::load_with_env(&flags, &[]).unwrap_err();
        assert!(err.to_string().contains("databse_url"), "{err}");
    }

    #[test]
    fn every_setting_takes_section_double_underscore_key_from_the_environment() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            f,
            "[outbox]\nmax_attempts = 5\npoll_ms = 100\n[mail]\nfrom = \"a <a@x.example>\""
        )
        .unwrap();
        let flags = Overrides {
            config_file: Some(f.path().into()),
            ..Overrides::default()
        };
        let mut url_file = tempfile::NamedTempFile::new().unwrap();
        writeln!(url_file, "postgres://app:pw@db.example/firstcover").unwrap();
        let url_path = url_file.path().display().to_string();
        let env = vars(&[
            ("FIRSTCOVER_OUTBOX__MAX_ATTEMPTS", "3"),
            ("FIRSTCOVER_SECURITY__TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2"),
            ("FIRSTCOVER_SECURITY__HSTS", "true"),
            ("FIRSTCOVER_SECURITY__MAX_AMOUNT", "5000000000.00"),
            ("FIRSTCOVER_BACKTEST__VARIABLE_EXPENSE_RATIO", "0.17"),
            ("FIRSTCOVER_CLAIMS__AUTHORITY_LIMIT", "300000.00"),
            ("FIRSTCOVER_INSURER__CODE", "01"),
            ("FIRSTCOVER_MAIL__PASSWORD", "123456"),
            (
                "FIRSTCOVER_REGULATOR__RECIPIENTS",
                "[\"a@nfra.example\", \"b@nfra.example\"]",
            ),
            (
                "FIRSTCOVER_CERTIFICATES__SIGNING_KEY_FILE",
                "/run/secrets/seal-key",
            ),
            ("FIRSTCOVER_DATABASE_URL_FILE", &url_path),
            ("FIRSTCOVER_BILLING__REMINDER_DAYS_BEFORE", "10"),
            // Ours, but not settings: left alone.
            ("FIRSTCOVER_LOG", "debug"),
            ("FIRSTCOVER_REQUIRE_BROWSER", "1"),
            ("FIRSTCOVER_ADMIN_PASSWORD_FILE", "/no/such/file"),
        ]);
        let c = Config::load_with_env(&flags, &env).unwrap();
        assert_eq!(
            c.outbox.max_attempts, 3,
            "the environment wins over the file"
        );
        assert_eq!(c.outbox.poll_ms, 100, "the file's other keys stay");
        assert_eq!(c.mail.from, "a <a@x.example>");
        assert_eq!(
            c.security.trusted_proxies,
            vec![
                "10.0.0.1".parse::<std::net::IpAddr>().unwrap(),
                "10.0.0.2".parse().unwrap()
            ]
        );
        assert_eq!(c.security.hsts, Some(true));
        assert_eq!(c.security.max_amount.fen(), 500_000_000_000);
        assert_eq!(c.backtest.variable_expense_ratio, dec!(0.17));
        assert_eq!(c.claims.authority_limit.fen(), 30_000_000);
        assert_eq!(
            c.insurer.code, "01",
            "a string that looks like a number stays a string"
        );
        assert_eq!(c.insurer.name, InsurerConfig::default().name);
        assert_eq!(c.mail.password, Some("123456".into()));
        assert_eq!(c.regulator.recipients, ["a@nfra.example", "b@nfra.example"]);
        assert_eq!(
            c.certificates.signing_key_file,
            Some(PathBuf::from("/run/secrets/seal-key")),
            "a key that ends in _file is that setting, not a file to read"
        );
        assert_eq!(c.database_url, "postgres://app:pw@db.example/firstcover");
        assert_eq!(c.billing.reminder_days_before, 10);
    }

    #[test]
    fn a_mistyped_or_invalid_environment_setting_stops_start_up_naming_the_variable() {
        for (var, value, says) in [
            ("FIRSTCOVER_MAIL__SMTP_HSOT", "mail.example", "smtp_hsot"),
            ("FIRSTCOVER_MALE__SMTP_HOST", "mail.example", "male"),
            (
                "FIRSTCOVER_OUTBOX__MAX_ATTEMPTS",
                "many",
                "FIRSTCOVER_OUTBOX__MAX_ATTEMPTS",
            ),
            (
                "FIRSTCOVER_SECURITY__TRUSTED_PROXIES",
                "proxy.local",
                "FIRSTCOVER_SECURITY__TRUSTED_PROXIES",
            ),
            (
                "FIRSTCOVER_MAX_CONNECTIONS",
                "-1",
                "FIRSTCOVER_MAX_CONNECTIONS",
            ),
            (
                "FIRSTCOVER_MAIL__PASSWORD_FILE",
                "/no/such/file",
                "/no/such/file",
            ),
        ] {
            let e = Config::load_with_env(&Overrides::default(), &vars(&[(var, value)]))
                .expect_err(var)
                .to_string();
            assert!(e.contains(var) && e.contains(says), "{var}: {e}");
        }
        // The file's own mistakes are still told with its line, whatever the environment says.
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "[outbox]\n\nmax_attempts = \"x\"").unwrap();
        let flags = Overrides {
            config_file: Some(f.path().into()),
            ..Overrides::default()
        };
        let e = Config::load_with_env(&flags, &vars(&[("FIRSTCOVER_BIND", "127.0.0.1:9")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains(":3: "), "{e}");
    }
}
