//! Date arithmetic in SQL text for each backend: PostgreSQL has a `date` type,
//! SQLite stores ISO text and computes with `julianday`.

/// The backend a query is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// Whole days from `b` to `a` (`a − b`).
    pub fn days(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Postgres => format!("({a} - {b})"),
            Dialect::Sqlite => format!("cast(julianday({a}) - julianday({b}) as integer)"),
        }
    }

    /// The day after `a`.
    pub fn next_day(self, a: &str) -> String {
        match self {
            Dialect::Postgres => format!("({a} + 1)"),
            Dialect::Sqlite => format!("date({a}, '+1 day')"),
        }
    }

    /// Calendar year of `a` as an integer.
    pub fn year(self, a: &str) -> String {
        match self {
            Dialect::Postgres => format!("cast(extract(year from {a}) as integer)"),
            Dialect::Sqlite => format!("cast(strftime('%Y', {a}) as integer)"),
        }
    }

    /// A date literal (the value comes from a `NaiveDate`, never from input text).
    pub fn date(self, d: chrono::NaiveDate) -> String {
        match self {
            Dialect::Postgres => format!("date '{}'", d.format("%Y-%m-%d")),
            Dialect::Sqlite => format!("'{}'", d.format("%Y-%m-%d")),
        }
    }

    /// The query parameter `$n` as a date.
    pub fn param_date(self, n: usize) -> String {
        match self {
            Dialect::Postgres => format!("cast(${n} as date)"),
            Dialect::Sqlite => format!("${n}"),
        }
    }

    pub fn of(tx: &crate::store::Tx) -> Dialect {
        if tx.is_postgres() {
            Dialect::Postgres
        } else {
            Dialect::Sqlite
        }
    }
}
