//! Pure business rules: values and functions, no IO, no async, no SQL.

pub mod authority;
pub mod backtest;
pub mod billing;
pub mod catalogue;
pub mod claims;
pub mod clauses;
pub mod cover_basis;
pub mod credit_code;
pub mod delivery;
pub mod document_status;
pub mod lifecycle_text;
pub mod limits;
pub mod money;
pub mod numerals;
pub mod party;
pub mod policy_state;
pub mod programme;
pub mod prorata;
pub mod rating;
pub mod role;
pub mod subsidy;
pub mod terms;
pub mod text;
