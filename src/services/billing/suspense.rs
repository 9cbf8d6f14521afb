//! Suspense (挂账): bank lines whose money is not placed yet. Finance sees them a page
//! at a time with ranked suggestions, and matches a line to one policy, splits it across
//! several, dismisses it as not premium (with the reason) or refunds it to the payer.
//! Each is one transaction with its audit row, taken with the line locked and its open
//! amount re-read, so two clerks cannot place the same money twice; each is reversible
//! by finance (a payment by `reverse_payment`, a disposal by [`reverse_disposal`]), and
//! the reversed money is back in suspense.

use super::bank_views::{views, BankDisposalView, BankLineView, OpenBankLineView};
use super::owed::owed;
use super::payments::PaymentView;
use super::require_finance;
use super::statement::pay_from_line;
use crate::domain::billing::statement::{policy_numbers_in, MAX_LINE_AMOUNT};
use crate::domain::billing::suspense::{self as rules, Candidate, SplitError, Suggestion};
use crate::domain::money::Money;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::bank::{self as bank, NewDisposal};
use crate::store::billing::{self as store, BankLineRow};
use crate::store::{Db, Tx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Lines per suspense page.
pub const PAGE: i64 = 50;

/// A suspense line with its ranked suggestions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuspenseLine {
    pub line: OpenBankLineView,
    pub suggestions: Vec<Suggestion>,
}

/// One page of suspense and the totals of all of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuspensePage {
    pub lines: Vec<SuspenseLine>,
    pub page: i64,
    pub pages: i64,
    /// Lines in suspense, on every page.
    pub total_lines: i64,
    /// What they hold open.
    #[schema(value_type = String)]
    pub total_open: Money,
}

/// Bracket variants of a payer's name, for the maker look-up (the ranking compares
/// loosely, the query exactly).
fn name_variants(payer: &str) -> Vec<String> {
    let p = payer.trim();
    if p.is_empty() {
        return Vec::new();
    }
    let half = p.replace('（', "(").replace('）', ")");
    let full = p.replace('(', "（").replace(')', "）");
    let mut v = vec![p.to_string()];
    for n in [half, full] {
        if !v.contains(&n) {
            v.push(n);
        }
    }
    v
}

/// Suggested policies for a line's open amount, best first (at most five).
pub(super) async fn suggestions(
    tx: &mut Tx,
    code: &str,
    payer: &str,
    reference: &str,
    open: Money,
) -> ServiceResult<Vec<Suggestion>> {
    let mut ids: Vec<i64> = Vec::new();
    let mut by_number = Vec::new();
    for n in policy_numbers_in(reference, code) {
        if let Some(p) = store::policy_by_number(tx, &n).await? {
            by_number.push(p.policy_id);
            ids.push(p.policy_id);
        }
    }
    let invoices = bank::invoices_named_in(tx, reference).await?;
    ids.extend(invoices.iter().map(|(p, _)| *p));
    ids.extend(bank::policies_of_makers_named(tx, &name_variants(payer)).await?);
    ids.extend(bank::policies_owing_amount(tx, open.fen()).await?);
    let mut seen = Vec::new();
    ids.retain(|id| {
        let new = !seen.contains(id);
        seen.push(*id);
        new
    });
    ids.truncate(20);
    let mut candidates = Vec::new();
    for id in ids {
        let Some(p) = store::policy(tx, id).await? else {
            continue;
        };
        let Some(number) = p.policy_number.clone() else {
            continue;
        };
        let o = owed(tx, &p).await?;
        candidates.push(Candidate {
            policy_id: id,
            policy_number: number,
            maker_name: p.maker_name.clone(),
            number_in_reference: by_number.contains(&id),
            invoice_in_reference: invoices
                .iter()
                .find(|(pid, _)| *pid == id)
                .map(|(_, n)| n.clone()),
            payer_is_maker: rules::same_name(payer, &p.maker_name),
            balance: o.settlement.balance,
            open_installments: o.open.iter().map(|i| i.outstanding).collect(),
        });
    }
    Ok(rules::rank(&candidates, open, 5))
}

/// One page (1-based) of suspense with suggestions (finance only).
pub async fn suspense(
    db: &Db,
    actor: &Actor,
    code: &str,
    page: i64,
) -> ServiceResult<SuspensePage> {
    require_finance(actor, "see unmatched bank lines")?;
    let mut tx = db.read().await?;
    let (total_lines, open_fen) = bank::suspense_totals(&mut tx).await?;
    let pages = ((total_lines + PAGE - 1) / PAGE).max(1);
    let page = page.clamp(1, pages);
    let rows = bank::suspense(&mut tx, PAGE, (page - 1) * PAGE).await?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let s = suggestions(
            &mut tx,
            code,
            &row.payer,
            &row.reference,
            Money::from_fen(row.open_amount),
        )
        .await?;
        lines.push(SuspenseLine {
            line: row.into(),
            suggestions: s,
        });
    }
    Ok(SuspensePage {
        lines,
        page,
        pages,
        total_lines,
        total_open: Money::from_fen(open_fen),
    })
}

/// How many lines are in suspense (the dashboard tile).
pub async fn suspense_count(db: &Db, actor: &Actor) -> ServiceResult<i64> {
    require_finance(actor, "see unmatched bank lines")?;
    let mut tx = db.read().await?;
    Ok(bank::suspense_totals(&mut tx).await?.0)
}

/// Every line still open, oldest first, without suggestions (the API's plain list).
pub async fn unmatched(db: &Db, actor: &Actor) -> ServiceResult<Vec<BankLineView>> {
    require_finance(actor, "see unmatched bank lines")?;
    let mut tx = db.read().await?;
    Ok(views(bank::open_lines(&mut tx, 10_000).await?))
}

/// The line locked with what is open on it; a line with nothing open is a conflict.
async fn open_line(tx: &mut Tx, line_id: i64) -> ServiceResult<(BankLineRow, Money)> {
    let line = bank::lock_line(tx, line_id)
        .await?
        .ok_or(ServiceError::NotFound("bank line"))?;
    let open = Money::from_fen(bank::open_amount(tx, line_id).await?);
    if open <= Money::ZERO {
        return Err(ServiceError::Conflict(format!(
            "该银行流水已处理完毕 / bank line {line_id} has nothing left to place"
        )));
    }
    Ok((line, open))
}

fn line_audit(
    line: &BankLineRow,
    action: &'static str,
    after: serde_json::Value,
) -> AuditEntry<'static> {
    AuditEntry {
        action,
        entity_type: "bank_line",
        entity_id: line.bank_line_id.to_string(),
        before: Some(
            json!({"bank_txn_id": line.bank_txn_id, "amount": Money::from_fen(line.amount)}),
        ),
        after: Some(after),
    }
}

/// The policy an unmatched line pays for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchInput {
    pub policy_id: i64,
}

/// Finance matches a line to a policy: its open amount becomes that policy's payment.
pub async fn match_line(
    db: &Db,
    actor: &Actor,
    line_id: i64,
    input: MatchInput,
) -> ServiceResult<PaymentView> {
    require_finance(actor, "match bank lines")?;
    let mut tx = db.write().await?;
    let (line, open) = open_line(&mut tx, line_id).await?;
    let view = pay_from_line(
        &mut tx,
        &actor.audit(),
        &line,
        input.policy_id,
        open,
        Some(actor.user_id),
    )
    .await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        line_audit(
            &line,
            "billing.bank_line_matched",
            json!({"policy_id": input.policy_id, "payment_id": view.payment_id, "amount": open}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

/// One part of a split.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitPart {
    pub policy_id: i64,
    /// CNY, e.g. "4200.00".
    #[schema(value_type = String)]
    pub amount: Money,
}

/// A line split across several policies (分摊): the parts add up to its open amount.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitInput {
    pub parts: Vec<SplitPart>,
}

fn split_error(e: SplitError) -> ServiceError {
    match e {
        SplitError::Empty => {
            ServiceError::field("parts", "name at least one policy", "请至少填写一张保单")
        }
        SplitError::NotPositive(i) => ServiceError::field(
            &format!("parts[{i}].amount"),
            "each part must be more than zero",
            "每部分金额须大于零",
        ),
        SplitError::RepeatedPolicy(p) => ServiceError::field(
            "parts",
            format!("policy {p} appears twice"),
            format!("保单 {p} 重复出现"),
        ),
        SplitError::Sum { parts, open } => ServiceError::field(
            "parts",
            format!(
                "the parts add up to {} CNY but the line has {} CNY to place",
                parts.grouped(),
                open.grouped()
            ),
            format!(
                "各部分合计 {} 元，流水待分配 {} 元",
                parts.grouped(),
                open.grouped()
            ),
        ),
    }
}

/// Split a line across policies: one payment per part, all or none.
pub async fn split_line(
    db: &Db,
    actor: &Actor,
    line_id: i64,
    input: SplitInput,
) -> ServiceResult<Vec<PaymentView>> {
    require_finance(actor, "match bank lines")?;
    if input.parts.iter().any(|p| p.amount > MAX_LINE_AMOUNT) {
        return Err(ServiceError::field(
            "parts",
            "an amount is too large",
            "金额过大",
        ));
    }
    let parts: Vec<(i64, Money)> = input
        .parts
        .iter()
        .map(|p| (p.policy_id, p.amount))
        .collect();
    let mut tx = db.write().await?;
    let (line, open) = open_line(&mut tx, line_id).await?;
    rules::check_split(&parts, open).map_err(split_error)?;
    let mut views = Vec::new();
    for (policy_id, amount) in &parts {
        views.push(
            pay_from_line(
                &mut tx,
                &actor.audit(),
                &line,
                *policy_id,
                *amount,
                Some(actor.user_id),
            )
            .await?,
        );
    }
    let placed: Vec<serde_json::Value> = views
        .iter()
        .map(|v| json!({"policy_id": v.policy_id, "payment_id": v.payment_id, "amount": v.amount}))
        .collect();
    audit::append(
        &mut tx,
        &actor.audit(),
        line_audit(&line, "billing.bank_line_split", json!({"parts": placed})),
    )
    .await?;
    tx.commit().await?;
    Ok(views)
}

/// Why a line is not premium (退回、误入账、利息…).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissInput {
    pub reason: String,
}

/// A line's money paid back to the payer (退回付款人).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundLineInput {
    pub refunded_on: NaiveDate,
    /// The outgoing transfer's voucher or transaction number.
    #[serde(default)]
    pub reference: String,
    pub reason: String,
}

fn reason_required(reason: &str) -> ServiceResult<&str> {
    match reason.trim() {
        "" => Err(ServiceError::field(
            "reason",
            "give the reason",
            "请填写原因",
        )),
        r if r.chars().count() > 500 => Err(ServiceError::field(
            "reason",
            "the reason is longer than 500 characters",
            "原因超过 500 字",
        )),
        r => Ok(r),
    }
}

async fn dispose(
    db: &Db,
    actor: &Actor,
    line_id: i64,
    kind: &'static str,
    reason: &str,
    refund: Option<(NaiveDate, &str)>,
) -> ServiceResult<BankDisposalView> {
    require_finance(actor, "settle bank lines")?;
    let reason = reason_required(reason)?;
    let mut tx = db.write().await?;
    let (line, open) = open_line(&mut tx, line_id).await?;
    let id = bank::insert_disposal(
        &mut tx,
        &NewDisposal {
            line_id,
            kind,
            amount: open.fen(),
            reason,
            refund_reference: refund.map_or("", |(_, r)| r.trim()),
            refunded_on: refund.map(|(d, _)| d),
            by: actor.user_id,
        },
    )
    .await?;
    let row = bank::disposal(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound("bank line disposal"))?;
    let action = if kind == "refunded" {
        "billing.bank_line_refunded"
    } else {
        "billing.bank_line_dismissed"
    };
    audit::append(
        &mut tx,
        &actor.audit(),
        line_audit(
            &line,
            action,
            json!({"disposal_id": id, "amount": open, "reason": reason,
                   "refunded_on": row.refunded_on, "reference": row.refund_reference}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Dismiss a line as not premium; its open amount leaves suspense.
pub async fn dismiss_line(
    db: &Db,
    actor: &Actor,
    line_id: i64,
    input: DismissInput,
) -> ServiceResult<BankDisposalView> {
    dispose(db, actor, line_id, "dismissed", &input.reason, None).await
}

/// Record that a line's open amount was sent back to the payer.
pub async fn refund_line(
    db: &Db,
    actor: &Actor,
    line_id: i64,
    input: RefundLineInput,
) -> ServiceResult<BankDisposalView> {
    let refund = Some((input.refunded_on, input.reference.as_str()));
    dispose(db, actor, line_id, "refunded", &input.reason, refund).await
}

/// Why a disposal is reversed.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisposalReversalInput {
    pub reason: String,
}

/// Undo a dismissal or refund entered in error: the line is back in suspense.
pub async fn reverse_disposal(
    db: &Db,
    actor: &Actor,
    disposal_id: i64,
    input: DisposalReversalInput,
) -> ServiceResult<BankDisposalView> {
    require_finance(actor, "settle bank lines")?;
    let reason = reason_required(&input.reason)?;
    let mut tx = db.write().await?;
    let found = bank::disposal(&mut tx, disposal_id)
        .await?
        .ok_or(ServiceError::NotFound("bank line disposal"))?;
    let line = bank::lock_line(&mut tx, found.bank_line_id)
        .await?
        .ok_or(ServiceError::NotFound("bank line"))?;
    bank::reverse_disposal(&mut tx, disposal_id, actor.user_id, reason)
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Conflict => ServiceError::Conflict(format!(
                "该处理已撤销 / disposal {disposal_id} was already reversed"
            )),
            other => other.into(),
        })?;
    let row = bank::disposal(&mut tx, disposal_id)
        .await?
        .ok_or(ServiceError::NotFound("bank line disposal"))?;
    audit::append(
        &mut tx,
        &actor.audit(),
        line_audit(
            &line,
            "billing.bank_line_disposal_reversed",
            json!({"disposal_id": disposal_id, "kind": row.kind, "reason": reason}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Dismissals and refunds still in effect, newest first (finance, to reverse one).
pub async fn recent_disposals(db: &Db, actor: &Actor) -> ServiceResult<Vec<BankDisposalView>> {
    require_finance(actor, "settle bank lines")?;
    let mut tx = db.read().await?;
    Ok(views(bank::recent_disposals(&mut tx, 20).await?))
}
