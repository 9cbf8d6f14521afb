//! The audit page's list (审计日志查询): filtered by actor, record, action and time,
//! newest first, a page at a time by `seq` (keyset), with entries still waiting in the
//! journal shown above the first page. Also read in chunks for the CSV export.

use super::audit::AuditRow;
use super::seek::{self, Arg, Key, Order, Paged, Seek, Sql};
use super::{StoreResult, Tx};
use crate::dispatch;
use chrono::{DateTime, Utc};

/// Filters of the audit list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The actor's name as recorded (exact).
    pub actor: Option<String>,
    /// The record: its type (policy, claim, party, …) and optionally its id.
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// The action (exact, e.g. `policy.issue`), or every action under a prefix that
    /// ends with a dot (`claim.`).
    pub action: Option<String>,
    /// From this instant (inclusive) to that one (exclusive).
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Newest first by chain position.
pub fn order() -> Order {
    Order::by_id("seq", true)
}

/// The next text after every text that starts with `prefix` (its last character
/// incremented), so a prefix is a range an index answers on both stores.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    let last = chars.pop()?;
    let next = char::from_u32(last as u32 + 1)?;
    chars.push(next);
    Some(chars.into_iter().collect())
}

fn audit_where(f: &AuditFilter) -> Sql {
    let mut w = Sql::default();
    if let Some(v) = &f.actor {
        w.with("actor_name = {}", Arg::Text(v.clone()));
    }
    if let Some(v) = &f.entity_type {
        w.with("entity_type = {}", Arg::Text(v.clone()));
    }
    if let Some(v) = &f.entity_id {
        w.with("entity_id = {}", Arg::Text(v.clone()));
    }
    if let Some(v) = &f.action {
        match (v.ends_with('.'), prefix_end(v)) {
            (true, Some(end)) => {
                w.with("action >= {}", Arg::Text(v.clone()));
                w.with("action < {}", Arg::Text(end));
            }
            _ => {
                w.with("action = {}", Arg::Text(v.clone()));
            }
        }
    }
    if let Some(v) = f.from {
        w.with("occurred_at >= {}", Arg::Time(v));
    }
    if let Some(v) = f.until {
        w.with("occurred_at < {}", Arg::Time(v));
    }
    w
}

const SEALED: &str = "select seq, occurred_at, actor_id, actor_name, action, entity_type, \
    entity_id, before_json, after_json, prev_hash, hash from audit_log";

const JOURNAL: &str = "select cast(null as bigint) as seq, occurred_at, actor_id, actor_name, \
    action, entity_type, entity_id, before_json, after_json, cast(null as text) as prev_hash, \
    cast(null as text) as hash from audit_journal";

/// One page of sealed rows matching the filter.
pub async fn page(tx: &mut Tx, f: &AuditFilter, seek: &Seek) -> StoreResult<Paged<AuditRow>> {
    let sql = seek::page_sql(SEALED, "from audit_log", &audit_where(f), seek);
    seek::read(tx, &sql, seek, |r: &AuditRow| {
        let s = r.seq.unwrap_or_default();
        (Key::Int(s), s)
    })
    .await
}

/// Entries committed but not yet sealed that match the filter, newest first (the
/// journal holds about a second's worth; at most `limit`).
pub async fn waiting(tx: &mut Tx, f: &AuditFilter, limit: i64) -> StoreResult<Vec<AuditRow>> {
    let mut w = audit_where(f);
    let lim = w.arg(Arg::Int(limit));
    let sql = format!("{JOURNAL} {} order by id desc limit {lim}", w.filter());
    Ok(dispatch!(tx, c => {
        crate::bind_args!(sqlx::query_as::<_, AuditRow>(&sql), w.args)
            .fetch_all(&mut *c)
            .await?
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_prefix_is_a_range_and_an_action_is_exact() {
        assert_eq!(prefix_end("claim.").as_deref(), Some("claim/"));
        let w = audit_where(&AuditFilter {
            action: Some("claim.".into()),
            actor: Some("张三".into()),
            ..AuditFilter::default()
        });
        assert_eq!(
            w.filter(),
            "where actor_name = $1 and action >= $2 and action < $3"
        );
        let w = audit_where(&AuditFilter {
            action: Some("policy.issue".into()),
            ..AuditFilter::default()
        });
        assert_eq!(w.filter(), "where action = $1");
    }
}
