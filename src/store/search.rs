//! Substring search (模糊查询) that an index answers: trigram GIN indexes with
//! `ilike` on PostgreSQL, FTS5 trigram tables with `match` on SQLite (migration 0016).
//!
//! A needle is looked for in each searched column on its own table and the matching
//! ids are combined by the caller, so each part is one index lookup; one `or` across
//! joined tables can use no index at all. Chinese names are found by any substring:
//! both indexes work on characters, not words. SQLite's trigram table cannot answer a
//! needle shorter than three characters, so those read the column itself (parties and
//! products are few; a two-character policy-number fragment scans the policies).

use super::seek::{Arg, PageSql, Seek, Sql, COUNT_CAP};

/// What the user typed, ready for both forms of lookup.
#[derive(Debug, Clone)]
pub struct Needle {
    /// `%…%` with `%`, `_` and `\` taken literally (`escape '\'`).
    like: String,
    /// An FTS5 phrase (`"…"`), when the needle is long enough for trigrams.
    phrase: Option<String>,
}

impl Needle {
    /// `None` for a blank query.
    pub fn new(query: Option<&str>) -> Option<Needle> {
        let like = super::contains_pattern(query)?;
        let q = query.unwrap_or_default().trim();
        let phrase = (q.chars().count() >= 3).then(|| format!("\"{}\"", q.replace('"', "\"\"")));
        Some(Needle { like, phrase })
    }

    /// A subquery of the ids (`id`) of `table` whose `column` contains the needle;
    /// `fts` is the column's FTS5 table on SQLite.
    pub fn ids(
        &self,
        w: &mut Sql,
        postgres: bool,
        table: &str,
        id: &str,
        column: &str,
        fts: &str,
    ) -> String {
        match (&self.phrase, postgres) {
            (_, true) => {
                let p = w.arg(Arg::Text(self.like.clone()));
                format!("select {id} from {table} where {column} ilike {p} escape '\\'")
            }
            (Some(phrase), false) => {
                let p = w.arg(Arg::Text(format!("{column} : {phrase}")));
                format!("select rowid from {fts} where {fts} match {p}")
            }
            (None, false) => {
                let p = w.arg(Arg::Text(self.like.clone()));
                format!("select {id} from {table} where {column} like {p} escape '\\'")
            }
        }
    }

    /// Parties whose name or credit code contains the needle.
    pub fn parties(&self, w: &mut Sql, postgres: bool) -> String {
        format!(
            "{} union {}",
            self.ids(w, postgres, "party", "party_id", "name", "party_fts"),
            self.ids(w, postgres, "party", "party_id", "credit_code", "party_fts")
        )
    }
}

/// `column` is one of the ids the subquery gives. PostgreSQL: `= any(array(…))`, so the
/// ids are found first (an init plan) and the rows fetched by key; with `in (…)` the
/// planner may walk the whole primary key in page order probing the set (measured:
/// the backward scan of every policy for a one-row search).
pub fn id_in(postgres: bool, column: &str, subquery: &str) -> String {
    if postgres {
        format!("{column} = any(array({subquery}))")
    } else {
        format!("{column} in ({subquery})")
    }
}

/// One way a search reaches rows of the list, combined with the others by `union`.
#[derive(Debug, Clone)]
pub enum Way {
    /// A subquery of the list's own ids (a column's trigram lookup).
    Ids(String),
    /// The rows whose `column` (as the list's statement names it, e.g. `p.maker_id`) is
    /// one of the subquery's ids: a maker's policies. `column` leads an index that ends
    /// with the list's id, so each parent is one index range read in page order.
    Through {
        column: &'static str,
        parents: String,
    },
}

/// The conditions of a branch: its own first, then the list's filters.
fn conditions(first: String, rest: &[String]) -> String {
    std::iter::once(first)
        .chain(rest.iter().cloned())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// What a branch of the union reads.
struct Branch<'a> {
    postgres: bool,
    /// `from <table> <alias>` of the list.
    from: &'a str,
    /// The list's id column (`p.policy_id`).
    id: &'a str,
    /// The list's filters (and the cursor), on the same alias.
    conds: &'a [String],
    /// The columns read, ending with `… as id`.
    cols: &'a str,
    /// Each parent's (or the branch's) order and limit.
    tail: &'a str,
    /// The limit of a whole branch through parents (PostgreSQL: across the lateral join).
    outer: &'a str,
}

impl Branch<'_> {
    /// `cols` of the rows of `from` that `way` reaches and `conds` keeps, in `tail`. On
    /// PostgreSQL a parent is joined `lateral`, so the limit stops each parent's index
    /// range after a page; SQLite reads the parents' rows and keeps the first of them.
    fn sql(&self, way: &Way) -> String {
        let Branch {
            from,
            id,
            conds,
            cols,
            tail,
            outer,
            ..
        } = *self;
        match (way, self.postgres) {
            (Way::Ids(ids), true) => format!(
                "(select {cols} {from} where {} {tail})",
                conditions(format!("{id} = any(array({ids}))"), conds)
            ),
            (Way::Ids(ids), false) => format!(
                "select * from (select {cols} {from} where {} {tail})",
                conditions(format!("{id} in ({ids})"), conds)
            ),
            (Way::Through { column, parents }, true) => format!(
                "(select l.* from ({parents}) m(parent) cross join lateral \
                 (select {cols} {from} where {} {tail}) l {outer})",
                conditions(format!("{column} = m.parent"), conds)
            ),
            (Way::Through { column, parents }, false) => format!(
                "select * from (select {cols} {from} where {} {tail})",
                conditions(format!("{column} in ({parents})"), conds)
            ),
        }
    }
}

/// A search's page and capped count, the order and the cursor pushed into every way:
/// each branch reads at most a page of its rows after the cursor in the page's order
/// (a maker's policies: one range of `policy_maker_seek_idx` per maker), the page is
/// the first of their union; the count reads at most [`COUNT_CAP`] + 1 rows of each
/// branch (a branch with more is already "more than"), so neither costs more than a
/// page and the cap whatever the needle matches. `filter` holds the ways' arguments and
/// the list's other filters, written on the alias of `from` (`from policy p`).
pub fn page_sql(
    postgres: bool,
    select: &str,
    from: &str,
    filter: &Sql,
    ways: &[Way],
    seek: &Seek,
) -> PageSql {
    let o = seek.order;
    let back = seek.cursor.as_ref().is_some_and(|c| c.before);
    let descending = o.descending != back;
    let dir = if descending { "desc" } else { "asc" };
    let mut w = filter.clone();
    let mut conds = filter.clauses().to_vec();
    if let Some(c) = &seek.cursor {
        let cmp = if descending { "<" } else { ">" };
        let k = w.arg(Arg::from(&c.key));
        let i = w.arg(Arg::Int(c.id));
        conds.push(format!("({}, {}) {cmp} ({k}, {i})", o.column, o.id));
    }
    let lim = w.arg(Arg::Int(seek.limit + 1));
    let order = format!("order by {} {dir}, {} {dir}", o.column, o.id);
    let page = Branch {
        postgres,
        from,
        id: o.id,
        conds: &conds,
        cols: &format!("{} as k, {} as id", o.column, o.id),
        tail: &format!("{order} limit {lim}"),
        outer: "",
    };
    let arms: Vec<String> = ways.iter().map(|way| page.sql(way)).collect();
    let ids = format!(
        "select id from ({}) u order by k {dir}, id {dir} limit {lim}",
        arms.join(" union ")
    );
    let rows = format!(
        "{select} where {} {order} limit {lim}",
        id_in(postgres, o.id, &ids)
    );

    let mut count_args = filter.args.clone();
    count_args.push(Arg::Int(COUNT_CAP + 1));
    let cap = format!("limit ${}", count_args.len());
    let count = Branch {
        postgres,
        from,
        id: o.id,
        conds: filter.clauses(),
        cols: &format!("{} as id", o.id),
        tail: &cap,
        outer: &cap,
    };
    let arms: Vec<String> = ways.iter().map(|way| count.sql(way)).collect();
    let count = format!("select count(*) from ({}) capped", arms.join(" union "));
    PageSql {
        rows,
        rows_args: w.args,
        count,
        count_args,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_needles_read_the_column_and_long_ones_the_trigram_table() {
        let mut w = Sql::default();
        let short = Needle::new(Some("中恒")).unwrap();
        assert_eq!(
            short.ids(&mut w, false, "party", "party_id", "name", "party_fts"),
            "select party_id from party where name like $1 escape '\\'"
        );
        let long = Needle::new(Some(" 恒\"重工 ")).unwrap();
        assert_eq!(
            long.ids(&mut w, false, "party", "party_id", "name", "party_fts"),
            "select rowid from party_fts where party_fts match $2"
        );
        assert!(matches!(&w.args[1], Arg::Text(t) if t == "name : \"恒\"\"重工\""));
        assert_eq!(
            long.ids(&mut w, true, "party", "party_id", "name", "party_fts"),
            "select party_id from party where name ilike $3 escape '\\'"
        );
        assert!(Needle::new(Some("  ")).is_none());
    }
}
