//! Typed columns (列类型): `Money` is stored as integer fen (`BIGINT` / `INTEGER`) and
//! `Rate` as its exact decimal text (`"0.0185"`), on both backends. With these a row
//! field is `Money` or `Rate`, so a service never converts fen by hand and a rate column
//! that does not parse fails when the row is read, naming the column, instead of later.
//!
//! Written here rather than derived on the domain types (`#[sqlx(transparent)]`), so the
//! domain stays free of sqlx; generic over the backend because both store `i64` and text
//! the same way.

use crate::domain::billing::bank_codes::{DisposalKind, UploadStatus};
use crate::domain::claims::{BankOutcome, BatchState, ClaimState, Outcome, PaymentStatus};
use crate::domain::clauses::checklist::ClaimType;
use crate::domain::cover_basis::CoverBasis;
use crate::domain::delivery::DeliveryStatus;
use crate::domain::document_status::DocumentStatus;
use crate::domain::money::{Money, Rate};
use crate::domain::role::Role;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

impl<DB: Database> Type<DB> for Money
where
    i64: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <i64 as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <i64 as Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for Money
where
    i64: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Money, BoxDynError> {
        Ok(Money::from_fen(<i64 as Decode<'r, DB>>::decode(value)?))
    }
}

impl<'q, DB: Database> Encode<'q, DB> for Money
where
    i64: Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <i64 as Encode<'q, DB>>::encode(self.fen(), buf)
    }
}

impl<DB: Database> Type<DB> for Rate
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for Rate
where
    String: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Rate, BoxDynError> {
        let text = <String as Decode<'r, DB>>::decode(value)?;
        Ok(Rate::parse(&text)?)
    }
}

impl<'q, DB: Database> Encode<'q, DB> for Rate
where
    String: Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, DB>>::encode(self.to_string(), buf)
    }
}

/// A JSON document stored as text (`TEXT` on both backends, so not sqlx's `Json`, which
/// wants PostgreSQL's `json`/`jsonb`): parsed into `T` when the row is read — a document
/// that does not parse fails the read, naming the column, instead of being taken for
/// empty ("error occurred while decoding column …") — and written back as compact JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonText<T>(pub T);

impl<T, DB: Database> Type<DB> for JsonText<T>
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(ty)
    }
}

impl<'r, T: serde::de::DeserializeOwned, DB: Database> Decode<'r, DB> for JsonText<T>
where
    String: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<JsonText<T>, BoxDynError> {
        let text = <String as Decode<'r, DB>>::decode(value)?;
        Ok(JsonText(serde_json::from_str(&text)?))
    }
}

// The bound sits in the `where` clause: this writes a column; no row becomes serializable.
impl<'q, T, DB: Database> Encode<'q, DB> for JsonText<T>
where
    T: serde::Serialize,
    String: Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, DB>>::encode(serde_json::to_string(&self.0)?, buf)
    }
}

/// A state or kind stored as its snake_case code (`TEXT`, checked by the schema): read into
/// the domain's enum, so a row that holds an unknown code fails when it is read, naming
/// the column, and a service never compares strings.
macro_rules! code_column {
    ($($ty:ty => $parse:expr),+ $(,)?) => {$(
        impl<DB: Database> Type<DB> for $ty
        where
            String: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $ty
        where
            String: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<$ty, BoxDynError> {
                let text = <String as Decode<'r, DB>>::decode(value)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(&text).ok_or_else(|| {
                    format!("unknown {} code {text:?}", stringify!($ty)).into()
                })
            }
        }

        impl<'q, DB: Database> Encode<'q, DB> for $ty
        where
            String: Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, DB>>::encode(self.as_str().to_string(), buf)
            }
        }
    )+};
}

code_column!(
    BankOutcome => BankOutcome::parse,
    DisposalKind => DisposalKind::parse,
    UploadStatus => UploadStatus::parse,
    BatchState => BatchState::parse,
    ClaimState => ClaimState::parse,
    Outcome => Outcome::parse,
    ClaimType => ClaimType::parse,
    CoverBasis => CoverBasis::parse,
    DeliveryStatus => |s| s.parse().ok(),
    DocumentStatus => DocumentStatus::parse,
    PaymentStatus => PaymentStatus::parse,
    Role => |s| s.parse().ok(),
);

#[cfg(test)]
mod tests {
    use crate::domain::money::{Money, Rate};

    #[tokio::test]
    async fn json_text_round_trips_and_refuses_a_broken_document() {
        use super::JsonText;
        let pool = sqlx::SqlitePool::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        sqlx::query("create table t (reasons text not null)")
            .execute(&pool)
            .await
            .expect("create");
        let reasons = JsonText(vec!["第五条 / clause 5".to_string()]);
        sqlx::query("insert into t values (?)")
            .bind(&reasons)
            .execute(&pool)
            .await
            .expect("insert");
        let back: JsonText<Vec<String>> = sqlx::query_scalar("select reasons from t")
            .fetch_one(&pool)
            .await
            .expect("read");
        assert_eq!(back, reasons);
        sqlx::query("update t set reasons = '[\"unclosed'")
            .execute(&pool)
            .await
            .expect("corrupt");
        let broken = sqlx::query_scalar::<_, JsonText<Vec<String>>>("select reasons from t")
            .fetch_one(&pool)
            .await
            .expect_err("a broken document is not read as empty");
        assert!(broken.to_string().contains("decoding column"), "{broken}");
    }

    #[tokio::test]
    async fn money_and_rates_round_trip_through_a_column() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        sqlx::query("create table t (amount integer not null, rate text not null)")
            .execute(&pool)
            .await
            .expect("create");
        let amount = Money::from_fen(4_000_000);
        let rate = Rate::parse("0.0185").expect("rate");
        sqlx::query("insert into t values (?, ?)")
            .bind(amount)
            .bind(rate)
            .execute(&pool)
            .await
            .expect("insert");
        let (fen, text): (i64, String) = sqlx::query_as("select amount, rate from t")
            .fetch_one(&pool)
            .await
            .expect("raw");
        assert_eq!((fen, text.as_str()), (4_000_000, "0.0185"));
        let (a, r): (Money, Rate) = sqlx::query_as("select amount, rate from t")
            .fetch_one(&pool)
            .await
            .expect("typed");
        assert_eq!(a.to_string(), "40000.00");
        assert_eq!(r, rate);
        // A rate column that is not a rate fails on read.
        sqlx::query("update t set rate = 'abc'")
            .execute(&pool)
            .await
            .expect("update");
        let bad = sqlx::query_as::<_, (Money, Rate)>("select amount, rate from t")
            .fetch_one(&pool)
            .await;
        assert!(bad.is_err());
    }
}
