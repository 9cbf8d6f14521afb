//! Premium collection (保费收取): payment plans (缴费计划), the schedule after
//! endorsements, allocation of payments to installments, bank statement lines and the
//! bank's callback signature. Pure: values in, values out.

pub mod ageing;
pub mod allocation;
pub mod bank_codes;
pub mod plan;
pub mod schedule;
pub mod signature;
pub mod statement;
pub mod suspense;

use crate::domain::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One installment (分期) of a payment plan: an amount due on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installment {
    pub due_on: NaiveDate,
    pub amount: Money,
}
