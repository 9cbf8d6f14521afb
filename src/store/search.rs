//! Substring search (模糊查询) that an index answers: trigram GIN indexes with
//! `ilike` on PostgreSQL, FTS5 trigram tables with `match` on SQLite (migration 0016).
//!
//! A needle is looked for in each searched column on its own table and the matching
//! ids are combined by the caller, so each part is one index lookup; one `or` across
//! joined tables can use no index at all. Chinese names are found by any substring:
//! both indexes work on characters, not words. SQLite's trigram table cannot answer a
//! needle shorter than three characters, so those read the column itself (parties and
//! products are few; a two-character policy-number fragment scans the policies).

use super::seek::{Arg, Sql};

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
