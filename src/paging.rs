//! Neutral paging and sorting types (分页与排序), shared by `store` (which turns them
//! into SQL), `services` (which build them from a request) and `http` (which links
//! pages and sortable headers). No SQL and no HTTP here: a page request, a page, an
//! honest total, an opaque cursor, and each list's sort choices.
//!
//! Keyset (seek) paging: a page is "the next `limit` rows after (sort value, id)", so
//! rows inserted between two reads are neither skipped nor repeated (see `store::seek`
//! for the statements).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;

/// Totals are exact up to this many rows; beyond, "more than".
pub const COUNT_CAP: i64 = 1000;

/// A sort value of the row a cursor points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Int(i64),
    Text(String),
    Date(NaiveDate),
}

/// How a sort column's value is typed (what a cursor's text decodes to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Int,
    Text,
    Date,
}

/// Where a page starts: after (the next page) or before (the previous page) a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub before: bool,
    pub key: Key,
    pub id: i64,
}

impl Cursor {
    /// Opaque text for links and the API: direction, kind, value and id.
    pub fn encode(&self) -> String {
        let (kind, value) = match &self.key {
            Key::Int(v) => ('i', v.to_string()),
            Key::Text(s) => ('t', s.clone()),
            Key::Date(d) => ('d', d.to_string()),
        };
        let dir = if self.before { 'b' } else { 'a' };
        URL_SAFE_NO_PAD.encode(format!("{dir}{kind}{}|{value}", self.id))
    }

    /// `None` for anything that is not a cursor of the expected kind (a stale or
    /// hand-made link then shows the first page instead of failing).
    pub fn decode(text: &str, kind: KeyKind) -> Option<Cursor> {
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(text.trim()).ok()?).ok()?;
        let mut chars = raw.chars();
        let before = match chars.next()? {
            'a' => false,
            'b' => true,
            _ => return None,
        };
        let k = chars.next()?;
        let (id, value) = chars.as_str().split_once('|')?;
        let id = id.parse().ok()?;
        let key = match (k, kind) {
            ('i', KeyKind::Int) => Key::Int(value.parse().ok()?),
            ('t', KeyKind::Text) => Key::Text(value.to_string()),
            ('d', KeyKind::Date) => Key::Date(value.parse().ok()?),
            _ => return None,
        };
        Some(Cursor { before, key, id })
    }
}

/// A list's order: one sort column (an indexed expression that is never null) and the
/// row's id as tie-breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub column: &'static str,
    pub kind: KeyKind,
    pub id: &'static str,
    pub descending: bool,
}

impl Order {
    /// Ordered by the row's own id alone (creation order): the id is both the sort
    /// column and the tie-breaker.
    pub fn by_id(id: &'static str, descending: bool) -> Order {
        Order {
            column: id,
            kind: KeyKind::Int,
            id,
            descending,
        }
    }
}

/// A page request.
#[derive(Debug, Clone)]
pub struct Seek {
    pub order: Order,
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

/// How many rows the filter matches: exact up to [`COUNT_CAP`], else at least that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Total {
    pub count: i64,
    /// false: there are more than `count` rows.
    pub exact: bool,
}

impl Total {
    pub fn from_capped(counted: i64) -> Total {
        if counted > COUNT_CAP {
            Total {
                count: COUNT_CAP,
                exact: false,
            }
        } else {
            Total {
                count: counted,
                exact: true,
            }
        }
    }
}

/// One page of rows with the cursors to its neighbours.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub rows: Vec<T>,
    pub total: Total,
    pub next: Option<String>,
    pub prev: Option<String>,
}

impl<T> Paged<T> {
    pub fn map<U>(self, f: impl FnMut(&T) -> U) -> Paged<U> {
        Paged {
            rows: self.rows.iter().map(f).collect(),
            total: self.total,
            next: self.next,
            prev: self.prev,
        }
    }

    /// The same page (total and cursors) holding `rows` instead: for rows made by
    /// something `into_map` cannot call (a query per row, a step that may fail).
    pub fn with_rows<U>(self, rows: Vec<U>) -> Paged<U> {
        Paged {
            rows,
            total: self.total,
            next: self.next,
            prev: self.prev,
        }
    }

    /// The same page with each row turned into something else (a row into its view).
    pub fn into_map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            rows: self.rows.into_iter().map(f).collect(),
            total: self.total,
            next: self.next,
            prev: self.prev,
        }
    }
}

// Each list's sort choices, as the request names them. The SQL column each one
// reads is the store's business (`order()` is implemented beside the list's query).

/// The claim list's orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClaimSort {
    #[default]
    Created,
    ReportedOn,
    EventDate,
    AmountClaimed,
}

impl ClaimSort {
    pub fn parse(s: &str) -> Option<ClaimSort> {
        Some(match s {
            "created" => ClaimSort::Created,
            "reported_on" => ClaimSort::ReportedOn,
            "event_date" => ClaimSort::EventDate,
            "amount_claimed" => ClaimSort::AmountClaimed,
            _ => return None,
        })
    }
}

/// The policy list's orders (each backed by an index on the column and the id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PolicySort {
    /// Newest first by default.
    #[default]
    Created,
    PeriodStart,
    PeriodEnd,
    Premium,
}

impl PolicySort {
    pub fn parse(s: &str) -> Option<PolicySort> {
        Some(match s {
            "created" => PolicySort::Created,
            "period_start" => PolicySort::PeriodStart,
            "period_end" => PolicySort::PeriodEnd,
            "premium" => PolicySort::Premium,
            _ => return None,
        })
    }
}

/// The catalogue list's orders (each backed by an index on the column and the id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CatalogueSort {
    /// Newest first by default.
    #[default]
    Created,
    Product,
    ValidUntil,
}

impl CatalogueSort {
    pub fn parse(s: &str) -> Option<CatalogueSort> {
        match s {
            "created" => Some(CatalogueSort::Created),
            "product" => Some(CatalogueSort::Product),
            "valid_until" => Some(CatalogueSort::ValidUntil),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CatalogueSort::Created => "created",
            CatalogueSort::Product => "product",
            CatalogueSort::ValidUntil => "valid_until",
        }
    }
}

/// The party list's orders (each backed by an index on the column and the id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PartySort {
    /// Newest first by default.
    #[default]
    Created,
    Name,
}

impl PartySort {
    pub fn parse(s: &str) -> Option<PartySort> {
        match s {
            "created" => Some(PartySort::Created),
            "name" => Some(PartySort::Name),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PartySort::Created => "created",
            PartySort::Name => "name",
        }
    }
}
