//! Suspense (挂账): bank lines whose money is not placed yet. Finance sees them a page
//! at a time with ranked suggestions, and matches a line to one policy, splits it across
//! several, dismisses it as not premium (with the reason) or refunds it to the payer.
//! Each is one transaction with its audit row, taken with the line locked and its open
//! amount re-read, so two clerks cannot place the same money twice; each is reversible
//! by finance (a payment by `reverse_payment`, a disposal by [`reverse_disposal`]), and
//! the reversed money is back in suspense.

use super::bank_views::{BankDisposalView, BankLineView, OpenBankLineView};
use super::payments::PaymentView;
use super::require_finance;
use super::statement::pay_from_line;
use crate::domain::billing::bank_codes::DisposalKind;
use crate::domain::billing::statement::{policy_numbers_in, MAX_LINE_AMOUNT};
use crate::domain::billing::suspense::{self as rules, Candidate, SplitError, Suggestion};
use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::paging::Paged;
use crate::services::Ctx;
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

/// What a suspense line's suggestions are looked up by.
pub(super) struct LineFacts<'a> {
    pub payer: &'a str,
    pub reference: &'a str,
    pub open: Money,
}

/// Each item's first occurrence, in order.
fn first_of<T: PartialEq + Clone>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Suggested policies for each line's open amount, best first (at most five a line),
/// read for the whole page at once: policies by the numbers in the references,
/// invoices by the numbers in them (exact look-ups of both unique indexes), makers by
/// the payers' names, policies owing the amounts — one statement each for all the
/// lines — then the candidates' policies, settlements and open installments, again
/// for all of them together. Per line the candidates and their order are what one
/// line's look-ups give: numbers, invoices, makers, amounts, the first 20.
pub(super) async fn suggestions(
    tx: &mut Tx,
    code: &str,
    lines: &[LineFacts<'_>],
) -> ServiceResult<Vec<Vec<Suggestion>>> {
    use std::collections::HashMap;
    let numbers: Vec<Vec<String>> = lines
        .iter()
        .map(|l| policy_numbers_in(l.reference, code))
        .collect();
    let numbered: HashMap<String, i64> =
        store::policies_by_number(tx, &first_of(numbers.iter().flatten().cloned()))
            .await?
            .into_iter()
            .filter_map(|p| p.policy_number.map(|n| (n, p.policy_id)))
            .collect();
    let written: Vec<Vec<String>> = lines
        .iter()
        .map(|l| rules::invoice_numbers_in(l.reference))
        .collect();
    let invoices =
        bank::invoices_numbered(tx, &first_of(written.iter().flatten().cloned())).await?;
    let variants: Vec<Vec<String>> = lines.iter().map(|l| name_variants(l.payer)).collect();
    let of_makers = bank::policies_of_makers_named(tx, &variants).await?;
    let amounts = first_of(lines.iter().map(|l| l.open.fen()));
    let owing = bank::policies_owing_amounts(tx, &amounts).await?;

    struct Found {
        ids: Vec<i64>,
        by_number: Vec<i64>,
        invoices: Vec<(i64, String)>,
    }
    let mut found = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let by_number: Vec<i64> = numbers[i]
            .iter()
            .filter_map(|n| numbered.get(n).copied())
            .collect();
        let named: Vec<(i64, String)> = invoices
            .iter()
            .filter(|(_, n)| written[i].contains(n))
            .take(20)
            .cloned()
            .collect();
        let amount = amounts.iter().position(|a| *a == line.open.fen());
        let mut ids = first_of(
            by_number
                .iter()
                .copied()
                .chain(named.iter().map(|(p, _)| *p))
                .chain(of_makers[i].iter().copied())
                .chain(amount.into_iter().flat_map(|a| owing[a].iter().copied())),
        );
        ids.truncate(20);
        found.push(Found {
            ids,
            by_number,
            invoices: named,
        });
    }

    let all = first_of(found.iter().flat_map(|f| f.ids.iter().copied()));
    let policies: Vec<_> = store::policies(tx, &all)
        .await?
        .into_iter()
        .filter(|p| p.policy_number.is_some())
        .collect();
    let ids: Vec<i64> = policies.iter().map(|p| p.policy_id).collect();
    let settlements = super::settlements_of(tx, &ids).await?;
    let open = super::owed::owed_page(tx, &policies).await?;
    let policies: HashMap<i64, _> = policies.into_iter().map(|p| (p.policy_id, p)).collect();

    let mut out = Vec::with_capacity(lines.len());
    for (line, f) in lines.iter().zip(&found) {
        let mut candidates = Vec::new();
        for id in &f.ids {
            let (Some(p), Some(s)) = (policies.get(id), settlements.get(id)) else {
                continue;
            };
            let Some(number) = p.policy_number.clone() else {
                continue;
            };
            candidates.push(Candidate {
                policy_id: *id,
                policy_number: number,
                maker_name: p.maker_name.clone(),
                number_in_reference: f.by_number.contains(id),
                invoice_in_reference: f
                    .invoices
                    .iter()
                    .find(|(pid, _)| pid == id)
                    .map(|(_, n)| n.clone()),
                payer_is_maker: rules::same_name(line.payer, &p.maker_name),
                balance: s.balance,
                open_installments: open
                    .get(id)
                    .map(|o| o.iter().map(|i| i.outstanding).collect())
                    .unwrap_or_default(),
            });
        }
        out.push(rules::rank(&candidates, line.open, 5));
    }
    Ok(out)
}

/// One page (1-based) of suspense with suggestions (finance only).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn suspense(
    ctx: &Ctx<'_>,
    actor: &Actor,
    code: &str,
    page: i64,
) -> ServiceResult<SuspensePage> {
    let db = ctx.db;
    require_finance(actor, "see unmatched bank lines")?;
    let mut tx = db.read().await?;
    let (total_lines, open_fen) = bank::suspense_totals(&mut tx).await?;
    let pages = ((total_lines + PAGE - 1) / PAGE).max(1);
    let page = page.clamp(1, pages);
    let rows = bank::suspense(&mut tx, PAGE, (page - 1) * PAGE).await?;
    let facts: Vec<LineFacts> = rows
        .iter()
        .map(|r| LineFacts {
            payer: &r.payer,
            reference: &r.reference,
            open: r.open_amount,
        })
        .collect();
    let suggested = suggestions(&mut tx, code, &facts).await?;
    let lines: Vec<SuspenseLine> = rows
        .into_iter()
        .zip(suggested)
        .map(|(line, suggestions)| SuspenseLine {
            line: line.into(),
            suggestions,
        })
        .collect();
    Ok(SuspensePage {
        lines,
        page,
        pages,
        total_lines,
        total_open: Money::from_fen(open_fen),
    })
}

/// How many lines are in suspense (the dashboard tile).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn suspense_count(ctx: &Ctx<'_>, actor: &Actor) -> ServiceResult<i64> {
    let db = ctx.db;
    require_finance(actor, "see unmatched bank lines")?;
    let mut tx = db.read().await?;
    Ok(bank::suspense_totals(&mut tx).await?.0)
}

/// The lines still open, oldest first, without suggestions (the API's plain list), a
/// page at a time.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn unmatched(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &crate::services::SeekQuery,
) -> ServiceResult<Paged<BankLineView>> {
    let db = ctx.db;
    require_finance(actor, "see unmatched bank lines")?;
    let seek = q.seek(bank::open_line_order, false);
    let mut tx = db.read().await?;
    Ok(bank::open_lines(&mut tx, &seek)
        .await?
        .into_map(BankLineView::from))
}

/// The line locked with what is open on it; a line with nothing open is a conflict.
async fn open_line(tx: &mut Tx, line_id: i64) -> ServiceResult<(BankLineRow, Money)> {
    let line = bank::lock_line(tx, line_id)
        .await?
        .ok_or(ServiceError::NotFound("bank line"))?;
    let open = Money::from_fen(bank::open_amount(tx, line_id).await?);
    if open <= Money::ZERO {
        return Err(ServiceError::Conflict(Text::new(
            format!("银行流水 {line_id} 已处理完毕，没有待分配的金额"),
            format!("bank line {line_id} has nothing left to place"),
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
        before: Some(json!({"bank_txn_id": line.bank_txn_id, "amount": line.amount})),
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
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn match_line(
    ctx: &Ctx<'_>,
    actor: &Actor,
    line_id: i64,
    input: MatchInput,
) -> ServiceResult<PaymentView> {
    let db = ctx.db;
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
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn split_line(
    ctx: &Ctx<'_>,
    actor: &Actor,
    line_id: i64,
    input: SplitInput,
) -> ServiceResult<Vec<PaymentView>> {
    let db = ctx.db;
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
    kind: DisposalKind,
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
            amount: open,
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
    let action = if kind == DisposalKind::Refunded {
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
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn dismiss_line(
    ctx: &Ctx<'_>,
    actor: &Actor,
    line_id: i64,
    input: DismissInput,
) -> ServiceResult<BankDisposalView> {
    let db = ctx.db;
    dispose(
        db,
        actor,
        line_id,
        DisposalKind::Dismissed,
        &input.reason,
        None,
    )
    .await
}

/// Record that a line's open amount was sent back to the payer.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn refund_line(
    ctx: &Ctx<'_>,
    actor: &Actor,
    line_id: i64,
    input: RefundLineInput,
) -> ServiceResult<BankDisposalView> {
    let db = ctx.db;
    let refund = Some((input.refunded_on, input.reference.as_str()));
    dispose(
        db,
        actor,
        line_id,
        DisposalKind::Refunded,
        &input.reason,
        refund,
    )
    .await
}

/// Why a disposal is reversed.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisposalReversalInput {
    pub reason: String,
}

/// Undo a dismissal or refund entered in error: the line is back in suspense.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn reverse_disposal(
    ctx: &Ctx<'_>,
    actor: &Actor,
    disposal_id: i64,
    input: DisposalReversalInput,
) -> ServiceResult<BankDisposalView> {
    let db = ctx.db;
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
            crate::store::StoreError::Conflict => ServiceError::Conflict(Text::new(
                format!("处理记录 {disposal_id} 已撤销"),
                format!("disposal {disposal_id} was already reversed"),
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
            json!({"disposal_id": disposal_id, "kind": row.kind.as_str(), "reason": reason}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Dismissals and refunds still in effect, newest first, a page of `limit` from
/// `after` (finance, to reverse one).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn recent_disposals(
    ctx: &Ctx<'_>,
    actor: &Actor,
    limit: i64,
    after: Option<&str>,
) -> ServiceResult<Paged<BankDisposalView>> {
    require_finance(actor, "settle bank lines")?;
    let seek = crate::services::seek(Some(limit), after, bank::disposal_order(true));
    let mut tx = ctx.db.read().await?;
    Ok(bank::disposals_in_effect(&mut tx, &seek)
        .await?
        .into_map(BankDisposalView::from))
}
