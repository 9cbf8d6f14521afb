//! What a policy still owes, installment by installment (应收): the schedule with live
//! payments allocated oldest due first. One reading for suggestions, receivables and
//! reminders, so they agree with the ledger.

use super::plan::{schedule_from, schedule_of};
use super::settlement;
use crate::domain::billing::allocation::allocate;
use crate::domain::billing::schedule::Scheduled;
use crate::domain::billing::Installment;
use crate::domain::money::Money;
use crate::services::ServiceResult;
use crate::store::billing::BilledPolicy;
use crate::store::Tx;
use chrono::NaiveDate;
use std::collections::HashMap;

/// One installment with what is still unpaid on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenInstallment {
    /// 1-based, as the ledger numbers them.
    pub seq: i32,
    pub due_on: NaiveDate,
    pub amount: Money,
    pub outstanding: Money,
}

/// A policy's installments that are not fully paid.
pub struct Owed {
    pub open: Vec<OpenInstallment>,
}

pub async fn owed(tx: &mut Tx, policy: &BilledPolicy) -> ServiceResult<Owed> {
    let s = settlement(tx, policy.policy_id).await?;
    let scheduled = schedule_of(tx, policy).await?;
    let open = open_installments(&scheduled, s.paid);
    Ok(Owed { open })
}

/// The installments of a schedule not fully paid by `paid` (allocated oldest due first).
pub fn open_installments(scheduled: &[Scheduled], paid: Money) -> Vec<OpenInstallment> {
    let plain: Vec<Installment> = scheduled.iter().map(|x| x.installment).collect();
    let a = allocate(&plain, paid);
    plain
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
        .collect()
}

/// What each policy of a page still owes, read in four statements for the whole page
/// (versions, plans, payment and refund totals) instead of five per policy; the same
/// arithmetic as [`owed`].
pub async fn owed_page(
    tx: &mut Tx,
    policies: &[BilledPolicy],
) -> ServiceResult<HashMap<i64, Vec<OpenInstallment>>> {
    use crate::store::{billing as bstore, receivables as rstore};
    let ids: Vec<i64> = policies.iter().map(|p| p.policy_id).collect();
    let mut versions: HashMap<i64, Vec<bstore::PremiumVersion>> = HashMap::new();
    for (id, v) in rstore::versions_of(tx, &ids).await? {
        versions.entry(id).or_default().push(v);
    }
    let mut plans: HashMap<i64, (Vec<Installment>, i32)> = HashMap::new();
    for (id, based_on, i) in rstore::plans_of(tx, &ids).await? {
        plans
            .entry(id)
            .or_insert_with(|| (Vec::new(), based_on))
            .0
            .push(Installment {
                due_on: i.due_on,
                amount: i.amount,
            });
    }
    let mut paid: HashMap<i64, Money> = HashMap::new();
    for (id, _, payments, refunded) in bstore::totals_for(tx, &ids).await? {
        let net = Money::from_fen(payments)
            .checked_sub(Money::from_fen(refunded))
            .ok_or_else(|| super::internal("paid total out of range"))?;
        paid.insert(id, net);
    }
    let mut out = HashMap::new();
    for p in policies {
        let v = versions.remove(&p.policy_id).unwrap_or_default();
        let scheduled = schedule_from(p, &v, plans.remove(&p.policy_id));
        let got = paid.get(&p.policy_id).copied().unwrap_or(Money::ZERO);
        out.insert(p.policy_id, open_installments(&scheduled, got));
    }
    Ok(out)
}
