//! Keyset (seek) paging (按键翻页) and honest totals for every list.
//!
//! A page is read as "the next `limit` rows after (sort value, id)" with the row-value
//! comparison `(col, id) < ($a, $b)`, so a page costs what its rows cost wherever it
//! is in the list (OFFSET reads and throws away every row before the page), and rows
//! inserted between two page reads can neither be skipped nor repeated: the cursor
//! names the last row shown, not a position. The id breaks ties, so the order is total.
//!
//! The total is counted up to [`COUNT_CAP`] rows; beyond that the answer says "more
//! than" instead of scanning the whole book for an exact number nobody reads.
//!
//! Statements are built with only the filters in use ([`Sql`]): the `($1 is null or …)`
//! pattern leaves PostgreSQL a generic plan that cannot use the filter's index.

use chrono::NaiveDate;

pub use crate::paging::{Cursor, Key, KeyKind, Order, Paged, Seek, Total, COUNT_CAP};

/// A bound value.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
    Date(NaiveDate),
    Time(chrono::DateTime<chrono::Utc>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(v)
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}

impl From<&Key> for Arg {
    fn from(k: &Key) -> Arg {
        match k {
            Key::Int(v) => Arg::Int(*v),
            Key::Text(s) => Arg::Text(s.clone()),
            Key::Date(d) => Arg::Date(*d),
        }
    }
}

/// A `where` clause built from the filters in use, with its numbered arguments.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    clauses: Vec<String>,
    pub args: Vec<Arg>,
}

impl Sql {
    /// The placeholder of a new argument.
    pub fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    /// Add a condition; `{}` in `clause` stands for the argument's placeholder, as
    /// often as it appears.
    pub fn with(&mut self, clause: &str, a: Arg) -> &mut Self {
        let p = self.arg(a);
        self.clauses.push(clause.replace("{}", &p));
        self
    }

    /// Add a condition without an argument.
    pub fn when(&mut self, clause: &str) -> &mut Self {
        self.clauses.push(clause.to_string());
        self
    }

    /// The conditions added so far, each on its own.
    pub fn clauses(&self) -> &[String] {
        &self.clauses
    }

    pub fn filter(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("where {}", self.clauses.join(" and "))
        }
    }
}

/// Bind every argument of `$args` (a `&[Arg]`) to the query `$q`, in order.
#[macro_export]
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args.iter() {
            q = match a {
                $crate::store::seek::Arg::Int(v) => q.bind(*v),
                $crate::store::seek::Arg::Text(s) => q.bind(s.clone()),
                $crate::store::seek::Arg::Date(d) => q.bind(*d),
                $crate::store::seek::Arg::Time(t) => q.bind(*t),
            };
        }
        q
    }};
}

/// The statements of one page.
pub struct PageSql {
    pub rows: String,
    pub rows_args: Vec<Arg>,
    pub count: String,
    pub count_args: Vec<Arg>,
}

/// The statements of one page: rows and capped count. `select` is everything before
/// the `where` (it may join for display columns); `count_from` the smallest `from …`
/// the filter needs. Reads `limit + 1` rows so the caller knows whether a next page
/// exists.
pub fn page_sql(select: &str, count_from: &str, filter: &Sql, seek: &Seek) -> PageSql {
    let mut where_ = filter.clone();
    let o = seek.order;
    // Going back reads the rows before the cursor in reverse and turns them round.
    let back = seek.cursor.as_ref().is_some_and(|c| c.before);
    let descending = o.descending != back;
    if let Some(c) = &seek.cursor {
        let cmp = if descending { "<" } else { ">" };
        let k = where_.arg(Arg::from(&c.key));
        let i = where_.arg(Arg::Int(c.id));
        where_.when(&format!("({}, {}) {cmp} ({k}, {i})", o.column, o.id));
    }
    let dir = if descending { "desc" } else { "asc" };
    let lim = where_.arg(Arg::Int(seek.limit + 1));
    let rows = format!(
        "{select} {} order by {col} {dir}, {id} {dir} limit {lim}",
        where_.filter(),
        col = o.column,
        id = o.id
    );
    let mut count_args = filter.args.clone();
    count_args.push(Arg::Int(COUNT_CAP + 1));
    let count = format!(
        "select count(*) from (select 1 as one {count_from} {} limit ${}) capped",
        filter.filter(),
        count_args.len()
    );
    PageSql {
        rows,
        rows_args: where_.args,
        count,
        count_args,
    }
}

/// Read one page: its rows and its capped total.
pub async fn read<T>(
    tx: &mut super::Tx,
    sql: &PageSql,
    seek: &Seek,
    key: impl Fn(&T) -> (Key, i64),
) -> super::StoreResult<Paged<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    let (rows, counted) = crate::dispatch!(tx, c => {
        let rows: Vec<T> = crate::bind_args!(sqlx::query_as::<_, T>(&sql.rows), sql.rows_args)
            .fetch_all(&mut *c)
            .await?;
        let counted: i64 = crate::bind_args!(sqlx::query_scalar(&sql.count), sql.count_args)
            .fetch_one(&mut *c)
            .await?;
        (rows, counted)
    });
    Ok(finish(rows, seek, Total::from_capped(counted), key))
}

/// Turn the `limit + 1` rows read into a page; `key` gives a row's (sort value, id).
pub fn finish<T>(
    mut rows: Vec<T>,
    seek: &Seek,
    total: Total,
    key: impl Fn(&T) -> (Key, i64),
) -> Paged<T> {
    let back = seek.cursor.as_ref().is_some_and(|c| c.before);
    let more = rows.len() as i64 > seek.limit;
    rows.truncate(seek.limit.max(0) as usize);
    if back {
        rows.reverse();
    }
    let cursor = |row: Option<&T>, before: bool| {
        row.map(|r| {
            let (key, id) = key(r);
            Cursor { before, key, id }.encode()
        })
    };
    // Forward: a previous page exists when we started from a cursor; a next one when
    // more rows were read than shown. Backward: the other way round.
    let (has_prev, has_next) = if back {
        (more, true)
    } else {
        (seek.cursor.is_some(), more)
    };
    Paged {
        next: if has_next {
            cursor(rows.last(), false)
        } else {
            None
        },
        prev: if has_prev {
            cursor(rows.first(), true)
        } else {
            None
        },
        rows,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote_and_refuses_another_kind() {
        for (key, kind) in [
            (Key::Int(-42), KeyKind::Int),
            (Key::Text("中恒|重工".into()), KeyKind::Text),
            (
                Key::Date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
                KeyKind::Date,
            ),
        ] {
            let c = Cursor {
                before: true,
                key,
                id: 77,
            };
            assert_eq!(Cursor::decode(&c.encode(), kind), Some(c.clone()));
            let other = if kind == KeyKind::Int {
                KeyKind::Date
            } else {
                KeyKind::Int
            };
            assert_eq!(Cursor::decode(&c.encode(), other), None);
        }
        assert_eq!(Cursor::decode("not a cursor", KeyKind::Int), None);
    }

    #[test]
    fn totals_beyond_the_cap_say_more_than() {
        assert_eq!(
            Total::from_capped(7),
            Total {
                count: 7,
                exact: true
            }
        );
        assert_eq!(
            Total::from_capped(COUNT_CAP + 1),
            Total {
                count: COUNT_CAP,
                exact: false
            }
        );
    }

    #[test]
    fn a_page_after_a_cursor_compares_rows_and_reads_one_more() {
        let mut f = Sql::default();
        f.with("p.state = {}", Arg::Text("issued".into()));
        let seek = Seek {
            order: Order {
                column: "p.period_start",
                kind: KeyKind::Date,
                id: "p.policy_id",
                descending: true,
            },
            limit: 50,
            cursor: Some(Cursor {
                before: false,
                key: Key::Date(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
                id: 9,
            }),
        };
        let sql = page_sql(
            "select p.policy_id from policy p",
            "from policy p",
            &f,
            &seek,
        );
        assert_eq!(
            sql.rows,
            "select p.policy_id from policy p where p.state = $1 and (p.period_start, p.policy_id) < ($2, $3) \
             order by p.period_start desc, p.policy_id desc limit $4"
        );
        assert_eq!(
            sql.count,
            "select count(*) from (select 1 as one from policy p where p.state = $1 limit $2) capped"
        );
        assert_eq!(sql.rows_args.len(), 4);
        assert_eq!(sql.count_args.len(), 2);
    }

    #[test]
    fn going_back_turns_the_rows_round_and_links_both_ways() {
        let seek = Seek {
            order: Order::by_id("id", true),
            limit: 2,
            cursor: Some(Cursor {
                before: true,
                key: Key::Int(5),
                id: 5,
            }),
        };
        // Read ascending from 5: 6, 7, 8 (one more than the page).
        let page = finish(vec![6i64, 7, 8], &seek, Total::from_capped(9), |r| {
            (Key::Int(*r), *r)
        });
        assert_eq!(page.rows, vec![7, 6]);
        assert!(page.prev.is_some() && page.next.is_some());
        let first = Cursor::decode(page.prev.as_deref().unwrap(), KeyKind::Int).unwrap();
        assert_eq!((first.before, first.id), (true, 7));
    }
}
