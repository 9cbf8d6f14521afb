//! What a policy still owes, installment by installment (应收): the schedule with live
//! payments allocated oldest due first. One reading for suggestions, receivables and
//! reminders, so they agree with the ledger.

use super::plan::schedule_of;
use super::{settlement, Settlement};
use crate::domain::billing::allocation::allocate;
use crate::domain::billing::Installment;
use crate::domain::money::Money;
use crate::services::ServiceResult;
use crate::store::billing::BilledPolicy;
use crate::store::Tx;
use chrono::NaiveDate;

/// One installment with what is still unpaid on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenInstallment {
    /// 1-based, as the ledger numbers them.
    pub seq: i32,
    pub due_on: NaiveDate,
    pub amount: Money,
    pub outstanding: Money,
}

/// A policy's settlement and its installments that are not fully paid.
pub struct Owed {
    pub settlement: Settlement,
    pub open: Vec<OpenInstallment>,
}

pub async fn owed(tx: &mut Tx, policy: &BilledPolicy) -> ServiceResult<Owed> {
    let s = settlement(tx, policy.policy_id).await?;
    let scheduled = schedule_of(tx, policy).await?;
    let plain: Vec<Installment> = scheduled.iter().map(|x| x.installment).collect();
    let a = allocate(&plain, s.paid);
    let open = plain
        .iter()
        .zip(&a.allocated)
        .enumerate()
        .filter(|(_, (i, got))| **got < i.amount)
        .map(|(n, (i, got))| OpenInstallment {
            seq: i32::try_from(n + 1).unwrap_or(i32::MAX),
            due_on: i.due_on,
            amount: i.amount,
            outstanding: i.amount.remaining(*got),
        })
        .collect();
    Ok(Owed {
        settlement: s,
        open,
    })
}
