//! The only place with SQL. One enum over the two pools; each store function is
//! written once and expanded for both backends by [`dispatch!`].

pub mod annual_reports;
pub mod arrears;
pub mod audit;
pub mod audit_check;
pub mod audit_list;
pub mod backtest;
pub mod bank;
pub mod billing;
pub mod catalogue;
pub mod certificates;
pub mod claim_batches;
pub mod claim_money;
pub mod claim_reserve_lines;
pub mod claim_work;
pub mod claims;
pub mod counters;
pub mod idempotency;
pub mod issued_documents;
pub mod outbox;
pub mod parties;
pub mod policies;
pub mod receivables;
pub mod search;
pub mod seek;
pub mod sessions;
pub mod subsidy_facts;
pub mod throttle;
pub mod types;
pub mod users;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// Errors from the store. Constraint violations are named so services can explain them.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} is already taken")]
    Duplicate(&'static str),
    #[error("record not found")]
    NotFound,
    #[error("the record was changed by someone else; reload and try again")]
    Conflict,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("bad database URL '{0}': expected sqlite://PATH or postgres://…")]
    BadUrl(String),
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("no database at {0} (数据库不存在): only `firstcover serve` creates one; check --database-url / FIRSTCOVER_DATABASE_URL")]
    Missing(String),
}

impl StoreError {
    /// Map a unique-constraint violation to a named duplicate; keep everything else.
    pub fn on_unique(e: sqlx::Error, what: &'static str) -> StoreError {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(what),
            _ => StoreError::Database(e),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Which database the service talks to.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction on either backend.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Run the same body against whichever backend `$tx` holds; `$c` is the connection.
#[macro_export]
macro_rules! dispatch {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Run the same body against whichever pool `$db` holds, outside any transaction:
/// for a single read on a hot path (one round trip instead of BEGIN, read, ROLLBACK).
#[macro_export]
macro_rules! dispatch_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($p) => $body,
            $crate::store::Db::Postgres($p) => $body,
        }
    };
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connect; a SQLite file (and its directory) is created when missing.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Db> {
        Db::connect_with(url, max_connections, true).await
    }

    /// Connect to a database that must already exist: a missing SQLite file is
    /// `StoreError::Missing` naming the path, never a new empty database (the command
    /// line's commands, where an empty database would report "0 rows, intact").
    pub async fn open_existing(url: &str, max_connections: u32) -> StoreResult<Db> {
        Db::connect_with(url, max_connections, false).await
    }

    async fn connect_with(url: &str, max_connections: u32, create: bool) -> StoreResult<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // No JIT: the statements are short, and a misestimated cost made PostgreSQL
            // spend ~90 ms compiling a 20 ms query (measured at 1M policies, issue 18).
            let opts = PgConnectOptions::from_str(url)
                .map_err(|_| StoreError::BadUrl(url.into()))?
                .options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or(url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            if !create && path != ":memory:" && !Path::new(path).is_file() {
                return Err(StoreError::Missing(path.to_string()));
            }
            if let Some(dir) = Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| StoreError::DataDir(dir.display().to_string(), e))?;
                }
            }
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|_| StoreError::BadUrl(url.into()))?
                .create_if_missing(create)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            Err(StoreError::BadUrl(url.into()))
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATOR.run(p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATOR.run(p).await?,
        }
        Ok(())
    }

    /// Reachable, and every migration this build knows has been applied.
    pub async fn ready(&self) -> StoreResult<bool> {
        let (applied, known): (i64, usize) = match self {
            Db::Sqlite(p) => (
                sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
                    .fetch_one(p)
                    .await?,
                SQLITE_MIGRATOR.iter().count(),
            ),
            Db::Postgres(p) => (
                sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
                    .fetch_one(p)
                    .await?,
                POSTGRES_MIGRATOR.iter().count(),
            ),
        };
        Ok(applied as usize >= known)
    }

    /// A transaction that only reads (SQLite: deferred, so readers do not queue).
    pub async fn read(&self) -> StoreResult<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A transaction that writes. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read-then-write can never fail half way.
    pub async fn write(&self) -> StoreResult<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Tx::Postgres(_))
    }
}

/// A `like … escape '\'` pattern that finds `query` anywhere, with `%` and `_` taken
/// literally; `None` for a blank query.
pub fn contains_pattern(query: Option<&str>) -> Option<String> {
    let q = query?.trim();
    if q.is_empty() {
        return None;
    }
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

/// Current UTC time, truncated to microseconds so both backends store the same value.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::{contains_pattern, POSTGRES_MIGRATOR, SQLITE_MIGRATOR};

    /// Two branches once both took number 0007: sqlx then refuses to start. Each number
    /// once, and the same list on both stores.
    #[test]
    fn each_migration_number_is_used_once_and_by_both_stores() {
        let list = |m: &sqlx::migrate::Migrator| {
            m.iter()
                .map(|x| (x.version, x.description.to_string()))
                .collect::<Vec<_>>()
        };
        let sqlite = list(&SQLITE_MIGRATOR);
        let mut versions: Vec<i64> = sqlite.iter().map(|(v, _)| *v).collect();
        versions.sort_unstable();
        versions.dedup();
        assert_eq!(
            versions.len(),
            sqlite.len(),
            "a repeated number: {sqlite:?}"
        );
        assert_eq!(sqlite, list(&POSTGRES_MIGRATOR));
    }

    #[test]
    fn search_patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern(Some(" 中恒 ")).as_deref(), Some("%中恒%"));
        assert_eq!(
            contains_pattern(Some("50%_a\\b")).as_deref(),
            Some("%50\\%\\_a\\\\b%")
        );
        assert_eq!(contains_pattern(Some("  ")), None);
        assert_eq!(contains_pattern(None), None);
    }
}
