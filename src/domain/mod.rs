//! Pure business rules: values and functions, no IO, no async, no SQL.

pub mod catalogue;
pub mod credit_code;
pub mod money;
pub mod party;
pub mod role;
