//! Use cases. Each public function is one transaction: it checks who is asking,
//! changes state, and writes the audit row in that same transaction.

pub mod actor;
pub mod annex3;
pub mod annual_report;
pub mod audit;
pub mod auth;
pub mod backtest;
pub mod billing;
pub mod catalogue;
pub mod certificates;
pub mod claims;
pub mod client_view;
pub mod ctx;
pub mod demo;
pub mod idempotency;
pub mod outbox;
pub mod parties;
pub mod people;
pub mod readers;
pub mod revocation;
pub mod subsidy_facts;
pub mod subsidy_grants;
pub mod underwriting;
pub mod users;
pub(crate) mod wording;

pub use crate::domain::text::Text;
use crate::paging::{Cursor, Order, Seek};
use crate::store::StoreError;

/// The database handle the application state carries to every use case (`http` and
/// the CLI hold it; only `store` opens it).
pub use crate::store::Db;
pub use actor::Actor;
pub use ctx::{Ctx, Services};

/// A field that failed validation (字段错误), in both languages. API clients read it as
/// `{ field, message, message_zh }` (English, Chinese), the shape they have always read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(into = "FieldErrorBody")]
pub struct FieldError {
    pub field: String,
    pub text: Text,
}

impl FieldError {
    pub fn new(field: &str, en: impl Into<String>, zh: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            text: Text::new(zh, en),
        }
    }

    /// A field error worded by a bilingual text made elsewhere (a domain error's).
    pub fn worded(field: &str, text: Text) -> FieldError {
        FieldError {
            field: field.into(),
            text,
        }
    }
}

/// The wire shape of a `FieldError`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct FieldErrorBody {
    field: String,
    /// English.
    message: String,
    /// 中文.
    message_zh: String,
}

impl From<FieldError> for FieldErrorBody {
    fn from(e: FieldError) -> Self {
        FieldErrorBody {
            field: e.field,
            message: e.text.en,
            message_zh: e.text.zh,
        }
    }
}

impl utoipa::PartialSchema for FieldError {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <FieldErrorBody as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for FieldError {}

/// Everything a use case can refuse with. Mapped once to HTTP in `http::problem`.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("the input is not valid")]
    Validation(Vec<FieldError>),
    /// Also used for records the caller may not see, so their existence does not leak.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("you are not allowed to {0}")]
    Forbidden(&'static str),
    #[error("sign in first")]
    Unauthenticated,
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {retry_after_secs} seconds")]
    Throttled { retry_after_secs: i64 },
    /// Too many requests from one client (e.g. public certificate lookups).
    #[error("too many requests; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: i64 },
    /// The record's state does not allow it (409), said in both languages.
    #[error("{0}")]
    Conflict(Text),
    /// A unique value is taken: `field` names it for forms, `what` says it in words.
    #[error("{}已存在 / {} is already taken", .what.zh, .what.en)]
    Duplicate { field: &'static str, what: Text },
    /// A business rule refused the request; `kind` gives the stable problem type.
    #[error("{text}")]
    Refused { kind: Refusal, text: Text },
    #[error(transparent)]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
    /// An internal failure that keeps its cause, so the log shows the whole chain
    /// (`runtime::error_chain`) while the user sees only "internal error".
    #[error("internal error: could not {what}")]
    InternalFrom {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Refusals with a problem type of their own (`/problems/{slug}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The referral waits for a higher level of the authority ladder (403).
    BelowAuthorityLevel,
    /// No level of the authority ladder may accept this (422).
    BeyondAuthorityLadder,
    /// The quote's validity has ended; re-price it first (409).
    QuoteExpired,
    /// The quote was declined or withdrawn (409).
    QuoteClosed,
}

impl Refusal {
    /// (slug, title, HTTP status)
    pub fn problem(self) -> (&'static str, &'static str, u16) {
        match self {
            Refusal::BelowAuthorityLevel => (
                "below-authority-level",
                "Above your level of the authority ladder",
                403,
            ),
            Refusal::BeyondAuthorityLadder => (
                "beyond-authority-ladder",
                "Above every level of the authority ladder",
                422,
            ),
            Refusal::QuoteExpired => ("quote-expired", "The quote has expired", 409),
            Refusal::QuoteClosed => ("quote-closed", "The quote was declined or withdrawn", 409),
        }
    }
}

impl ServiceError {
    /// An internal failure of the step `what` ("write the report XML"), caused by `source`.
    pub fn internal_from(
        what: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> ServiceError {
        ServiceError::InternalFrom {
            what,
            source: Box::new(source),
        }
    }

    pub fn refused(kind: Refusal, zh: impl Into<String>, en: impl Into<String>) -> ServiceError {
        ServiceError::Refused {
            kind,
            text: Text::new(zh, en),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(what) => ServiceError::duplicate(what),
            StoreError::NotFound => ServiceError::NotFound("record"),
            StoreError::Conflict => ServiceError::Conflict(wording::changed_by_someone_else()),
            other => ServiceError::Store(other),
        }
    }
}

/// Checked money arithmetic that left the range (only reachable past the entry bound).
impl From<crate::domain::money::Overflow> for ServiceError {
    fn from(_: crate::domain::money::Overflow) -> Self {
        ServiceError::field(
            "amount",
            "the amounts are out of the range that can be computed",
            "金额超出可计算范围",
        )
    }
}

impl ServiceError {
    pub fn field(field: &str, en: impl Into<String>, zh: impl Into<String>) -> ServiceError {
        ServiceError::Validation(vec![FieldError::new(field, en, zh)])
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Page size bounds for list endpoints.
pub fn clamp_page(limit: Option<i64>, offset: Option<i64>) -> (i64, i64) {
    (
        limit.unwrap_or(50).clamp(1, 500),
        offset.unwrap_or(0).max(0),
    )
}

/// A page request in a list query: size, cursor and order (`sort`, `order=asc|desc`).
pub fn seek(limit: Option<i64>, after: Option<&str>, order: Order) -> Seek {
    Seek {
        limit: limit.unwrap_or(50).clamp(1, 500),
        cursor: after.and_then(|a| Cursor::decode(a, order.kind)),
        order,
    }
}

/// The page request of a list with no filters of its own (statement imports, open bank
/// lines, backtest reports, users): order and cursor.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SeekQuery {
    /// asc or desc (each list says its default order).
    pub order: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The cursor of the page to read (`next` or `prev` of the page before).
    pub after: Option<String>,
}

impl SeekQuery {
    /// The page asked for, in the list's `order` (descending unless `order=asc` when
    /// `default_descending`, and the other way round).
    pub fn seek(&self, order: fn(bool) -> Order, default_descending: bool) -> Seek {
        let descending = descending(self.order.as_deref(), default_descending);
        seek(self.limit, self.after.as_deref(), order(descending))
    }
}

/// `order=asc` reads ascending; anything else (and nothing) the list's default.
pub fn descending(order: Option<&str>, default_descending: bool) -> bool {
    match order {
        Some("asc") => false,
        Some("desc") => true,
        _ => default_descending,
    }
}

#[cfg(test)]
mod internal_tests {
    use super::ServiceError;

    #[test]
    fn an_internal_error_keeps_its_cause_chain_for_the_log() {
        let cause = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let cause_text = cause.to_string();
        let e = ServiceError::internal_from("read the stored terms", cause);
        assert_eq!(
            e.to_string(),
            "internal error: could not read the stored terms"
        );
        let chain = crate::runtime::error_chain(&e);
        assert_eq!(
            chain,
            format!("internal error: could not read the stored terms: {cause_text}")
        );
        assert!(std::error::Error::source(&e).is_some());
    }
}
