//! Premium collection (保费收取): what is due and paid on each policy, payment plans,
//! payments and their reversal, refunds of credit, invoices, bank statement import
//! and the bank's signed callback. Each public use case is one transaction with its
//! audit row; `settlement` reads inside the caller's transaction.

mod bank_views;
mod callback;
mod invoices;
mod ledger;
mod owed;
mod payments;
mod plan;
mod receivables;
mod statement;
pub mod statement_file;
mod suspense;

pub use bank_views::{
    BankDisposalView, BankLineView, OpenBankLineView, StatementImportView, StatementUploadView,
};
pub use callback::{notify, CallbackError, CallbackOutcome, Notification, NotificationRequest};
pub use invoices::{record_invoice, void_invoice, InvoiceInput, VoidInvoiceInput};
pub use ledger::{ledger, InstallmentView, InvoiceView, Ledger, RefundView};
pub use payments::{
    record_payment, refund, reverse_payment, PaymentInput, PaymentView, RefundInput, ReversalInput,
};
pub use plan::{set_plan, PlanInput, PlanLine};
pub use receivables::{
    fold_arrears, overdue_summary, receivables, receivables_csv, receivables_page,
    receivables_xlsx, send_reminders, MakerReceivable, OverdueSummary, PolicyReceivable,
    Receivables, ReceivablesQuery, ReminderReport,
};
pub use statement::{
    import_row, import_statement, policy_id_by_number, preview_statement, read_file,
    recent_imports, run_import, start_import, upload, ImportReport, Preview, PreviewLine,
    PreviewProblem, CHUNK,
};
pub use suspense::{
    dismiss_line, match_line, recent_disposals, refund_line, reverse_disposal, split_line,
    suspense, suspense_count, unmatched, DismissInput, DisposalReversalInput, MatchInput,
    RefundLineInput, SplitInput, SplitPart, SuspenseLine, SuspensePage,
};

use super::{Actor, ServiceError, ServiceResult};
use crate::domain::money::{Money, Overflow};
use crate::domain::text::Text;
use crate::services::Ctx;
use crate::store::billing::{self as store, BilledPolicy, PaymentRow, PremiumVersion};
use crate::store::Tx;
use chrono::NaiveDate;
use serde::Serialize;

/// What is due and what has been paid on one policy (结算情况).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Settlement {
    /// Total premium due now: the issue premium with every endorsement's additional or
    /// return premium and any cancellation's return premium.
    #[schema(value_type = String)]
    pub premium_due: Money,
    /// Live (not reversed) payments, net of refunds.
    #[schema(value_type = String)]
    pub paid: Money,
    /// max(due − paid, 0)
    #[schema(value_type = String)]
    pub balance: Money,
    /// Over-payment still held (溢缴): max(paid − due, 0), refunds already taken off.
    #[schema(value_type = String)]
    pub credit: Money,
    /// paid ≥ due and due > 0 (保费已全额收取).
    pub fully_paid: bool,
    /// Live payments, oldest first.
    pub payments: Vec<SettledPayment>,
}

/// A live payment as the settlement counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SettledPayment {
    pub id: i64,
    pub paid_on: NaiveDate,
    #[schema(value_type = String)]
    pub amount: Money,
    pub method: String,
    pub reference: String,
    pub payer: String,
}

/// The premium due from the versions: the issue premium, then each later version's
/// adjustment (批改加/退费, 退保退费). A policy never issued owes nothing.
fn premium_due(versions: &[PremiumVersion]) -> Result<Money, Overflow> {
    Money::try_sum(versions.iter().map(|v| {
        if v.kind == "issue" {
            v.premium
        } else {
            v.adjustment
        }
    }))
}

/// Checked throughout: a sum out of range is an error, never a wrapped "fully paid".
fn settle(
    versions: &[PremiumVersion],
    payments: &[PaymentRow],
    refunded: Money,
) -> Result<Settlement, Overflow> {
    let due = premium_due(versions)?;
    let live: Vec<SettledPayment> = payments
        .iter()
        .filter(|p| p.reversed_at.is_none())
        .map(|p| SettledPayment {
            id: p.payment_id,
            paid_on: p.paid_on,
            amount: p.amount,
            method: p.method.clone(),
            reference: p.reference.clone(),
            payer: p.payer.clone(),
        })
        .collect();
    let paid = Money::try_sum(live.iter().map(|p| p.amount))?.try_sub(refunded)?;
    Ok(Settlement {
        premium_due: due,
        paid,
        balance: due.try_sub(paid)?.max(Money::ZERO),
        credit: paid.try_sub(due)?.max(Money::ZERO),
        fully_paid: due > Money::ZERO && paid >= due,
        payments: live,
    })
}

/// What is due and paid on one policy, read in the caller's transaction. It does not
/// check who asks: callers do (`ledger` for people, the certificate for its own rules).
pub async fn settlement(tx: &mut Tx, policy_id: i64) -> ServiceResult<Settlement> {
    let versions = store::premium_versions(tx, policy_id).await?;
    let payments = store::payments(tx, policy_id).await?;
    let refunded = Money::try_sum(
        store::refunds(tx, policy_id)
            .await?
            .iter()
            .map(|r| r.amount),
    )?;
    Ok(settle(&versions, &payments, refunded)?)
}

/// What is due, paid and still owed summed over policies (a maker's book on its page):
/// [`settlement`] of each, in one read transaction. The policy ids come from a list the
/// caller has already read as the actor.
#[tracing::instrument(skip_all)]
pub async fn book_totals(
    ctx: &Ctx<'_>,
    policy_ids: &[i64],
) -> ServiceResult<(Money, Money, Money)> {
    let db = ctx.db;
    let (mut due, mut paid, mut balance) = (Money::ZERO, Money::ZERO, Money::ZERO);
    let mut tx = db.read().await?;
    for id in policy_ids {
        let s = settlement(&mut tx, *id).await?;
        due = due.try_add(s.premium_due)?;
        paid = paid.try_add(s.paid)?;
        balance = balance.try_add(s.balance)?;
    }
    Ok((due, paid, balance))
}

/// [`settlements_of`] in a read transaction of its own (the portal's page of policies,
/// whose ids come from a list the caller has already read as the actor).
#[tracing::instrument(skip_all)]
pub async fn settlements_for(
    ctx: &Ctx<'_>,
    policy_ids: &[i64],
) -> ServiceResult<std::collections::HashMap<i64, Settlement>> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    settlements_of(&mut tx, policy_ids).await
}

/// The settlements of a page of policies, without their payment lists, from one
/// statement (`store::billing::totals_for`) instead of three per policy. The same
/// arithmetic as [`settlement`].
pub async fn settlements_of(
    tx: &mut Tx,
    policy_ids: &[i64],
) -> ServiceResult<std::collections::HashMap<i64, Settlement>> {
    let rows = store::totals_for(tx, policy_ids).await?;
    let mut out = std::collections::HashMap::with_capacity(rows.len());
    for (id, due, paid, refunded) in rows {
        let due = Money::from_fen(due);
        let paid = Money::from_fen(paid).try_sub(Money::from_fen(refunded))?;
        out.insert(
            id,
            Settlement {
                premium_due: due,
                paid,
                balance: due.try_sub(paid)?.max(Money::ZERO),
                credit: paid.try_sub(due)?.max(Money::ZERO),
                fully_paid: due > Money::ZERO && paid >= due,
                payments: Vec::new(),
            },
        );
    }
    Ok(out)
}

/// The first installment of the policy's schedule as planned (首期保费), for the
/// subsidy rules; `None` before issue.
pub async fn first_installment(tx: &mut Tx, policy_id: i64) -> ServiceResult<Option<Money>> {
    let Some(policy) = store::policy(tx, policy_id).await? else {
        return Ok(None);
    };
    Ok(plan::schedule_of(tx, &policy)
        .await?
        .first()
        .map(|s| s.original))
}

/// Only finance records money (收费/财务).
fn require_finance(actor: &Actor, what: &'static str) -> ServiceResult<()> {
    actor.require(actor.role.collects_premium(), what)
}

/// A policy the actor may see; others are "not found", so existence does not leak.
async fn visible_policy(tx: &mut Tx, actor: &Actor, policy_id: i64) -> ServiceResult<BilledPolicy> {
    match store::policy(tx, policy_id).await? {
        Some(p) if actor.can_see_maker(p.maker_id) => Ok(p),
        _ => Err(ServiceError::NotFound("policy")),
    }
}

/// The policy locked for a money movement; it must have been issued.
async fn issued_policy_for_update(tx: &mut Tx, policy_id: i64) -> ServiceResult<BilledPolicy> {
    let p = store::lock_policy(tx, policy_id)
        .await?
        .ok_or(ServiceError::NotFound("policy"))?;
    if p.policy_number.is_none() {
        return Err(ServiceError::Conflict(Text::new(
            format!("保单 {policy_id} 尚未出单，只有已出单的保单可以收取保费"),
            format!(
                "policy {policy_id} has not been issued; premium is collected on issued \
                 policies only"
            ),
        )));
    }
    Ok(p)
}

/// Payment methods (缴费方式) the tables accept.
pub const METHODS: [&str; 5] = ["bank_transfer", "cheque", "cash", "draft", "other"];

fn check_method(method: &str) -> ServiceResult<()> {
    if METHODS.contains(&method) {
        Ok(())
    } else {
        Err(ServiceError::field(
            "method",
            format!("method must be one of {}", METHODS.join(", ")),
            format!("缴费方式须为 {} 之一", METHODS.join("、")),
        ))
    }
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn version(seq: i32, kind: &str, premium: i64, adjustment: i64) -> PremiumVersion {
        PremiumVersion {
            seq,
            kind: kind.into(),
            effective_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            premium: Money::from_fen(premium),
            adjustment: Money::from_fen(adjustment),
        }
    }

    fn payment(id: i64, fen: i64, reversed: bool) -> PaymentRow {
        PaymentRow {
            payment_id: id,
            policy_id: 1,
            paid_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            amount: Money::from_fen(fen),
            method: "bank_transfer".into(),
            reference: String::new(),
            payer: "甲".into(),
            source: "manual".into(),
            bank_txn_id: None,
            bank_line_id: None,
            recorded_by: Some(1),
            recorded_at: Utc::now(),
            reversed_at: reversed.then(Utc::now),
            reversed_by: None,
            reversal_reason: reversed.then(|| "退票".into()),
        }
    }

    #[test]
    fn due_follows_endorsements_and_cancellation_and_reversals_do_not_count() {
        // Full-term premium after the endorsement is 16,800, but only the pro-rata
        // 1,411.51 is charged; the cancellation returns 5,000.00.
        let versions = [
            version(1, "issue", 1_400_000, 0),
            version(2, "endorsement", 1_680_000, 141_151),
            version(3, "cancellation", 1_041_151, -500_000),
        ];
        let s = settle(
            &versions,
            &[payment(1, 1_000_000, false), payment(2, 900_000, true)],
            Money::ZERO,
        )
        .unwrap();
        assert_eq!(s.premium_due, Money::from_fen(1_041_151));
        assert_eq!(s.paid, Money::from_fen(1_000_000));
        assert_eq!(s.balance, Money::from_fen(41_151));
        assert_eq!(s.credit, Money::ZERO);
        assert!(!s.fully_paid);
        assert_eq!(s.payments.len(), 1);
    }

    #[test]
    fn over_payment_is_credit_until_refunded() {
        let versions = [version(1, "issue", 100_000, 0)];
        let paid = [payment(1, 150_000, false)];
        let s = settle(&versions, &paid, Money::ZERO).unwrap();
        assert_eq!(
            (s.credit, s.balance, s.fully_paid),
            (Money::from_fen(50_000), Money::ZERO, true)
        );
        let s = settle(&versions, &paid, Money::from_fen(50_000)).unwrap();
        assert_eq!(
            (s.paid, s.credit, s.fully_paid),
            (Money::from_fen(100_000), Money::ZERO, true)
        );
    }

    #[test]
    fn nothing_due_is_not_fully_paid() {
        assert!(!settle(&[], &[], Money::ZERO).unwrap().fully_paid);
    }

    /// Issue 14: i64::MAX fen + 14,000.02 wrapped to 14,000.00 and read "fully paid".
    /// Stored figures that large (they cannot enter any more) make the settlement an
    /// error, never a wrapped balance.
    #[test]
    fn a_wrapping_sum_of_payments_is_an_error_not_fully_paid() {
        let versions = [version(1, "issue", 1_400_000, 0)];
        let paid = [payment(1, i64::MAX, false), payment(2, 1_400_002, false)];
        assert_eq!(settle(&versions, &paid, Money::ZERO), Err(Overflow));
        let paid = [payment(1, i64::MIN + 1, false)];
        assert_eq!(
            settle(&versions, &paid, Money::from_fen(2)),
            Err(Overflow),
            "paid minus refunds out of range"
        );
    }

    proptest::proptest! {
        /// At any stored amounts (extremes included) the settlement is exact — computed
        /// again in i128 — or refused: due = paid + balance − credit, never wrapped.
        #[test]
        fn settlement_is_exact_or_refused(
            premium in proptest::prelude::any::<i64>(),
            amounts in proptest::collection::vec(proptest::prelude::any::<i64>(), 0..4),
            refunded in proptest::prelude::any::<i64>(),
        ) {
            let versions = [version(1, "issue", premium, 0)];
            let paid: Vec<_> = amounts.iter().enumerate().map(|(i, a)| payment(i as i64, *a, false)).collect();
            let wide_paid: i128 = amounts.iter().map(|a| i128::from(*a)).sum::<i128>() - i128::from(refunded);
            if let Ok(s) = settle(&versions, &paid, Money::from_fen(refunded)) {
                proptest::prop_assert_eq!(i128::from(s.paid.fen()), wide_paid);
                let due = i128::from(premium);
                proptest::prop_assert_eq!(i128::from(s.balance.fen()), (due - wide_paid).max(0));
                proptest::prop_assert_eq!(i128::from(s.credit.fen()), (wide_paid - due).max(0));
                proptest::prop_assert_eq!(s.fully_paid, due > 0 && wide_paid >= due);
            }
        }
    }
}
