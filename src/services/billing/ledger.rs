//! The ledger of one policy (保费台账): what is due, paid, outstanding and held, each
//! installment with what has been allocated to it, payments (reversed ones marked),
//! refunds, invoices, and the billing history from the audit log.

use super::payments::PaymentView;
use super::plan::schedule_of;
use super::{settlement, visible_policy};
use crate::domain::billing::allocation::allocate;
use crate::domain::billing::schedule::Origin;
use crate::domain::billing::Installment;
use crate::domain::money::Money;
use crate::services::audit::AuditEntryView;
use crate::services::Ctx;
use crate::services::{Actor, ServiceResult};
use crate::store::audit;
use crate::store::billing as store;
use chrono::NaiveDate;
use serde::Serialize;

/// One installment of the schedule with its allocation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstallmentView {
    pub seq: usize,
    pub due_on: NaiveDate,
    /// Due now (after any return premium).
    #[schema(value_type = String)]
    pub amount: Money,
    /// As planned or added, before return premium reduced it.
    #[schema(value_type = String)]
    pub original: Money,
    pub origin: Origin,
    #[schema(value_type = String)]
    pub allocated: Money,
    #[schema(value_type = String)]
    pub outstanding: Money,
    /// paid, part_paid, open or overdue
    pub status: &'static str,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RefundView {
    pub refund_id: i64,
    pub refunded_on: NaiveDate,
    #[schema(value_type = String)]
    pub amount: Money,
    pub method: String,
    pub reference: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvoiceView {
    pub invoice_id: i64,
    /// 发票号码
    pub number: String,
    pub issued_on: NaiveDate,
    #[schema(value_type = String)]
    pub amount: Money,
    /// 作废: when and why the invoice was voided; a void invoice does not count as invoiced.
    pub voided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub void_reason: Option<String>,
}

impl InvoiceView {
    pub fn of(i: crate::store::billing::InvoiceRow) -> Self {
        InvoiceView {
            invoice_id: i.invoice_id,
            number: i.number,
            issued_on: i.issued_on,
            amount: i.amount,
            voided_at: i.voided_at,
            void_reason: i.void_reason,
        }
    }

    pub fn is_void(&self) -> bool {
        self.voided_at.is_some()
    }
}

/// Everything finance (or the policyholder) needs to see about one policy's premium.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ledger {
    pub policy_id: i64,
    pub policy_number: Option<String>,
    pub maker_name: String,
    pub programme_id: Option<String>,
    #[schema(value_type = String)]
    pub premium_due: Money,
    #[schema(value_type = String)]
    pub paid: Money,
    #[schema(value_type = String)]
    pub balance: Money,
    #[schema(value_type = String)]
    pub credit: Money,
    pub fully_paid: bool,
    pub installments: Vec<InstallmentView>,
    /// Every payment, reversed ones included (marked).
    pub payments: Vec<PaymentView>,
    pub refunds: Vec<RefundView>,
    pub invoices: Vec<InvoiceView>,
    #[schema(value_type = String)]
    pub invoiced: Money,
    /// Billing entries of the policy's audit history, oldest first (staff only: empty
    /// for a client).
    pub history: Vec<AuditEntryView>,
}

fn status(i: &Installment, allocated: Money, today: NaiveDate) -> &'static str {
    if allocated >= i.amount {
        "paid"
    } else if i.due_on < today {
        "overdue"
    } else if allocated > Money::ZERO {
        "part_paid"
    } else {
        "open"
    }
}

/// The ledger of a policy the actor may see (a client: its own maker's only).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn ledger(
    ctx: &Ctx<'_>,
    clock: &crate::clock::Clock,
    actor: &Actor,
    policy_id: i64,
) -> ServiceResult<Ledger> {
    let db = ctx.db;
    let mut tx = db.read().await?;
    let policy = visible_policy(&mut tx, actor, policy_id).await?;
    let s = settlement(&mut tx, policy_id).await?;
    let scheduled = schedule_of(&mut tx, &policy).await?;
    let plain: Vec<Installment> = scheduled.iter().map(|x| x.installment).collect();
    let a = allocate(&plain, s.paid);
    let today = clock.today();
    let installments = scheduled
        .iter()
        .zip(&a.allocated)
        .enumerate()
        .map(|(n, (x, got))| {
            Ok(InstallmentView {
                seq: n + 1,
                due_on: x.installment.due_on,
                amount: x.installment.amount,
                original: x.original,
                origin: x.origin,
                allocated: *got,
                outstanding: x.installment.amount.try_sub(*got)?,
                status: status(&x.installment, *got, today),
            })
        })
        .collect::<Result<Vec<_>, crate::domain::money::Overflow>>()?;
    let payments = store::payments(&mut tx, policy_id)
        .await?
        .iter()
        .map(PaymentView::from)
        .collect();
    let refunds = store::refunds(&mut tx, policy_id)
        .await?
        .into_iter()
        .map(|r| RefundView {
            refund_id: r.refund_id,
            refunded_on: r.refunded_on,
            amount: r.amount,
            method: r.method,
            reference: r.reference,
            reason: r.reason,
        })
        .collect();
    let invoices: Vec<InvoiceView> = store::invoices(&mut tx, policy_id)
        .await?
        .into_iter()
        .map(InvoiceView::of)
        .collect();
    // The audit log answers newest first; a ledger reads oldest first. It names staff
    // and carries what they entered: staff only, a client's ledger has none.
    let history = if actor.role.is_staff() {
        audit::for_entity(&mut tx, "policy", &policy_id.to_string())
            .await?
            .into_iter()
            .rev()
            .filter(|r| r.action.starts_with("billing."))
            .map(AuditEntryView::from)
            .collect()
    } else {
        Vec::new()
    };
    Ok(Ledger {
        policy_id,
        policy_number: policy.policy_number,
        maker_name: policy.maker_name,
        programme_id: policy.programme_id,
        premium_due: s.premium_due,
        paid: s.paid,
        balance: s.balance,
        credit: s.credit,
        fully_paid: s.fully_paid,
        installments,
        payments,
        refunds,
        invoiced: Money::try_sum(invoices.iter().filter(|i| !i.is_void()).map(|i| i.amount))?,
        invoices,
        history,
    })
}
