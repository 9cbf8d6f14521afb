//! Claim payments to the bank (赔款支付批次): approved payments go out as one batch
//! file (CSV or XLSX, layout in `documents::payment_batch`); the bank's confirmation —
//! a file imported or lines entered — marks each payment paid (approved → paid, the
//! step the claim page also offers) or failed (it leaves the batch and can go in the
//! next). The limits were eroded when the payment was approved, so confirming moves
//! no limit. Making, confirming and cancelling a batch are each one audited
//! transaction; a confirmation with any bad line records nothing.

use crate::documents::payment_batch::{self as file, BankOutcome, BatchLine, ConfirmedLine};
use crate::domain::claims::{BatchState, PaymentStatus};
use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::paging::Paged;
use crate::services::Ctx;
use crate::services::{Actor, FieldError, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::claim_batches::{self as store, BatchItemRow, BatchRow};
use crate::store::claim_money as money;
use crate::store::{counters, StoreError, Tx};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Claims staff and finance send claim payments to the bank.
fn require_payer(actor: &Actor) -> ServiceResult<()> {
    actor.require(
        actor.role.handles_claims() || actor.role.collects_premium(),
        "send claim payments to the bank",
    )
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    /// The approved payments to send; every one waiting when absent.
    #[serde(default)]
    pub payment_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub note: String,
}

/// A batch with its payments. Amounts are CNY strings.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BatchView {
    pub batch_id: i64,
    /// 批次号
    pub batch_number: String,
    /// open, closed or cancelled
    pub state: String,
    pub payment_count: i64,
    #[schema(value_type = String)]
    pub total: Money,
    pub created_by_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub note: String,
    pub items: Vec<BatchItemView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BatchItemView {
    pub payment_id: i64,
    pub claim_id: i64,
    pub claim_number: String,
    #[schema(value_type = String)]
    pub amount: Money,
    pub payee: String,
    pub bank_name: String,
    pub bank_account: String,
    /// approved or paid
    pub status: String,
    pub paid_on: Option<NaiveDate>,
    /// paid or failed once the bank answered; absent while waiting
    pub outcome: Option<String>,
    pub bank_reference: String,
    pub failure_reason: String,
}

impl From<&BatchItemRow> for BatchItemView {
    fn from(i: &BatchItemRow) -> Self {
        BatchItemView {
            payment_id: i.payment_id,
            claim_id: i.claim_id,
            claim_number: i.claim_number.clone(),
            amount: i.amount,
            payee: i.payee.clone(),
            bank_name: i.bank_name.clone(),
            bank_account: i.bank_account.clone(),
            status: i.status.as_str().to_string(),
            paid_on: i.paid_on,
            outcome: i.outcome.map(|o| o.as_str().to_string()),
            bank_reference: i.bank_reference.clone(),
            failure_reason: i.failure_reason.clone(),
        }
    }
}

fn view(b: BatchRow, items: &[BatchItemRow]) -> BatchView {
    BatchView {
        batch_id: b.batch_id,
        batch_number: b.batch_number,
        state: b.state.as_str().to_string(),
        payment_count: b.payment_count,
        total: b.total,
        created_by_name: b.created_by_name,
        created_at: b.created_at,
        closed_at: b.closed_at,
        note: b.note,
        items: items.iter().map(BatchItemView::from).collect(),
    }
}

async fn batch_audit(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    batch_id: i64,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> ServiceResult<()> {
    audit::append(
        tx,
        &actor.audit(),
        AuditEntry {
            action,
            entity_type: "claim_payment_batch",
            entity_id: batch_id.to_string(),
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Approved payments not yet in a batch (what the next batch would carry).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn waiting_payments(ctx: &Ctx<'_>, actor: &Actor) -> ServiceResult<Vec<BatchItemView>> {
    require_payer(actor)?;
    let mut tx = ctx.db.read().await?;
    Ok(store::waiting(&mut tx)
        .await?
        .iter()
        .map(BatchItemView::from)
        .collect())
}

/// Make a batch of approved payments (all waiting, or the ones named).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn create_batch(
    ctx: &Ctx<'_>,
    actor: &Actor,
    input: BatchInput,
) -> ServiceResult<BatchView> {
    require_payer(actor)?;
    let note = input.note.trim();
    if note.chars().count() > 500 {
        return Err(ServiceError::field(
            "note",
            "at most 500 characters",
            "说明不超过 500 个字符",
        ));
    }
    let mut tx = ctx.db.write().await?;
    let waiting = store::waiting(&mut tx).await?;
    let chosen: Vec<BatchItemRow> = match &input.payment_ids {
        None => waiting,
        Some(ids) => {
            let unknown: Vec<String> = ids
                .iter()
                .filter(|id| !waiting.iter().any(|w| w.payment_id == **id))
                .map(i64::to_string)
                .collect();
            if !unknown.is_empty() {
                return Err(ServiceError::field(
                    "payment_ids",
                    format!(
                        "not approved payments waiting for a batch: {}",
                        unknown.join(", ")
                    ),
                    format!("以下付款不是待送银行的已审批赔款：{}", unknown.join("、")),
                ));
            }
            waiting
                .into_iter()
                .filter(|w| ids.contains(&w.payment_id))
                .collect()
        }
    };
    if chosen.is_empty() {
        return Err(ServiceError::Conflict(Text::new(
            "没有待送银行的已审批赔款",
            "no approved payment waits for a batch",
        )));
    }
    let total = Money::try_sum(chosen.iter().map(|c| c.amount))?;
    let code = &ctx.config.insurer.code;
    let year = ctx.clock.today().year();
    let n = counters::next(&mut tx, &format!("claim-batch:{code}"), year).await?;
    let number = format!("{code}-PB-{year}-{n:06}");
    let batch_id = store::insert(
        &mut tx,
        &number,
        chosen.len() as i64,
        total,
        actor.user_id,
        note,
    )
    .await?;
    for c in &chosen {
        store::add_item(&mut tx, batch_id, c.payment_id, c.amount)
            .await
            .map_err(|e| match e {
                StoreError::Duplicate(_) => ServiceError::Conflict(Text::new(
                    "有赔款刚被放入另一批次，请重试",
                    "a payment was just put in another batch; try again",
                )),
                other => other.into(),
            })?;
    }
    let after = json!({"batch_number": number, "payment_ids": chosen.iter().map(|c| c.payment_id).collect::<Vec<_>>(),
        "payment_count": chosen.len(), "total": total, "note": note});
    batch_audit(&mut tx, actor, "claim.payment_batch", batch_id, None, after).await?;
    let row = store::get(&mut tx, batch_id)
        .await?
        .ok_or(ServiceError::NotFound("payment batch"))?;
    let items = store::items(&mut tx, batch_id).await?;
    tx.commit().await?;
    Ok(view(row, &items))
}

/// A batch list request: state, order and page.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BatchListQuery {
    /// open, closed or cancelled
    pub state: Option<String>,
    /// asc or desc (default: newest first).
    pub order: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The cursor of the page to read (`next` or `prev` of the page before).
    pub after: Option<String>,
}

/// Payment batches a page at a time, newest first, without their payments.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn list_batches(
    ctx: &Ctx<'_>,
    actor: &Actor,
    q: &BatchListQuery,
) -> ServiceResult<Paged<BatchView>> {
    require_payer(actor)?;
    let state = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(BatchState::parse(s).ok_or_else(|| {
            ServiceError::field(
                "state",
                "the state is open, closed or cancelled",
                "批次状态只能是 open（已送银行，待确认）、closed（已完成）或 cancelled（已撤销）",
            )
        })?),
    };
    let order = store::order(crate::services::descending(q.order.as_deref(), true));
    let seek = crate::services::seek(q.limit, q.after.as_deref(), order);
    let mut tx = ctx.db.read().await?;
    Ok(store::list(&mut tx, state, &seek)
        .await?
        .into_map(|b| view(b, &[])))
}

#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn get_batch(ctx: &Ctx<'_>, actor: &Actor, batch_id: i64) -> ServiceResult<BatchView> {
    require_payer(actor)?;
    let mut tx = ctx.db.read().await?;
    let row = store::get(&mut tx, batch_id)
        .await?
        .ok_or(ServiceError::NotFound("payment batch"))?;
    let items = store::items(&mut tx, batch_id).await?;
    Ok(view(row, &items))
}

/// The batch file: CSV or XLSX, (file name, content type, bytes). Always the payments
/// the batch was made with, so a second download is the same file.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn batch_file(
    ctx: &Ctx<'_>,
    actor: &Actor,
    batch_id: i64,
    xlsx: bool,
) -> ServiceResult<(String, &'static str, Vec<u8>)> {
    let b = get_batch(ctx, actor, batch_id).await?;
    let lines: Vec<BatchLine> = b
        .items
        .iter()
        .map(|i| BatchLine {
            payee: i.payee.clone(),
            bank_name: i.bank_name.clone(),
            bank_account: i.bank_account.clone(),
            amount: i.amount,
            claim_number: i.claim_number.clone(),
            payment_id: i.payment_id,
        })
        .collect();
    if xlsx {
        let bytes = file::to_xlsx(&b.batch_number, &lines)
            .map_err(|e| ServiceError::internal_from("write the XLSX file", e))?;
        Ok((
            format!("赔款支付-{}.xlsx", b.batch_number),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        ))
    } else {
        Ok((
            format!("赔款支付-{}.csv", b.batch_number),
            "text/csv; charset=utf-8",
            file::to_csv(&b.batch_number, &lines),
        ))
    }
}

/// One payment's answer from the bank, entered by hand.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationLine {
    pub payment_id: i64,
    /// paid or failed
    pub outcome: String,
    /// The day the bank paid; today when absent.
    #[serde(default)]
    pub paid_on: Option<NaiveDate>,
    #[serde(default)]
    pub bank_reference: String,
    /// Why the bank did not pay (for a failed payment).
    #[serde(default)]
    pub reason: String,
}

/// The bank's answer: lines, or every waiting payment paid on one day.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchConfirmation {
    #[serde(default)]
    pub lines: Vec<ConfirmationLine>,
    /// Every payment of the batch still waiting was paid on this day.
    #[serde(default)]
    pub all_paid_on: Option<NaiveDate>,
}

/// Read an imported confirmation file into confirmation lines; any unreadable line
/// refuses the whole file (422, each line with its reason).
pub fn confirmation_from_file(bytes: &[u8]) -> ServiceResult<Vec<ConfirmedLine>> {
    if bytes.len() > file::MAX_CONFIRMATION_BYTES {
        return Err(ServiceError::field(
            "file",
            "the confirmation file is larger than 5 MB",
            "支付结果文件超过 5 MB",
        ));
    }
    let (good, bad) = file::read_confirmation(bytes);
    if !bad.is_empty() {
        return Err(ServiceError::Validation(
            bad.into_iter()
                .map(|b| {
                    FieldError::new(
                        &format!("file.line{}", b.line),
                        format!("line {}: {}", b.line, b.en),
                        format!("第 {} 行：{}", b.line, b.zh),
                    )
                })
                .collect(),
        ));
    }
    if good.is_empty() {
        return Err(ServiceError::field(
            "file",
            "the file has no payment lines",
            "文件中没有付款记录",
        ));
    }
    Ok(good)
}

fn entered(lines: &[ConfirmationLine]) -> ServiceResult<Vec<ConfirmedLine>> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let Some(outcome) = BankOutcome::parse(&l.outcome) else {
                return Err(ServiceError::field(
                    &format!("lines[{i}].outcome"),
                    "paid or failed",
                    "应为已支付或支付失败",
                ));
            };
            Ok(ConfirmedLine {
                line: i + 1,
                payment_id: l.payment_id,
                outcome,
                paid_on: l.paid_on,
                bank_reference: l.bank_reference.trim().chars().take(100).collect(),
                reason: l.reason.trim().chars().take(500).collect(),
                batch_number: None,
                amount: None,
            })
        })
        .collect()
}

/// Record the bank's confirmation entered by hand.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn confirm_batch(
    ctx: &Ctx<'_>,
    actor: &Actor,
    batch_id: i64,
    input: BatchConfirmation,
) -> ServiceResult<BatchView> {
    let lines = entered(&input.lines)?;
    apply_confirmation(ctx, actor, batch_id, lines, input.all_paid_on, "entered").await
}

/// Record the bank's confirmation file.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn import_confirmation(
    ctx: &Ctx<'_>,
    actor: &Actor,
    batch_id: i64,
    bytes: &[u8],
) -> ServiceResult<BatchView> {
    require_payer(actor)?;
    let lines = confirmation_from_file(bytes)?;
    apply_confirmation(ctx, actor, batch_id, lines, None, "file").await
}

/// Check every line against the batch first (nothing is recorded when any is wrong),
/// then mark each payment paid or failed and close the batch once all are answered.
async fn apply_confirmation(
    ctx: &Ctx<'_>,
    actor: &Actor,
    batch_id: i64,
    mut lines: Vec<ConfirmedLine>,
    all_paid_on: Option<NaiveDate>,
    source: &str,
) -> ServiceResult<BatchView> {
    require_payer(actor)?;
    let today = ctx.clock.today();
    let mut tx = ctx.db.write().await?;
    let batch = store::get_for_update(&mut tx, batch_id)
        .await?
        .ok_or(ServiceError::NotFound("payment batch"))?;
    if batch.state != BatchState::Open {
        let (done_zh, done_en) = match batch.state {
            BatchState::Closed => ("完成", "closed"),
            _ => ("撤销", "cancelled"),
        };
        return Err(ServiceError::Conflict(Text::new(
            format!("批次 {} 已{done_zh}，不能再确认", batch.batch_number),
            format!("batch {} is {done_en}", batch.batch_number),
        )));
    }
    let items = store::items(&mut tx, batch_id).await?;
    if let Some(day) = all_paid_on {
        for i in items.iter().filter(|i| i.outcome.is_none() && i.active) {
            if !lines.iter().any(|l| l.payment_id == i.payment_id) {
                lines.push(ConfirmedLine {
                    line: lines.len() + 1,
                    payment_id: i.payment_id,
                    outcome: BankOutcome::Paid,
                    paid_on: Some(day),
                    bank_reference: String::new(),
                    reason: String::new(),
                    batch_number: None,
                    amount: None,
                });
            }
        }
    }
    if lines.is_empty() {
        return Err(ServiceError::field(
            "lines",
            "give the bank's answer for at least one payment",
            "请至少填写一笔付款的银行结果",
        ));
    }
    let mut errors = Vec::new();
    let mut to_apply = Vec::new();
    for l in &lines {
        let field = format!("line{}", l.line);
        let say = |en: String, zh: String| {
            FieldError::new(
                &field,
                format!("line {}: {en}", l.line),
                format!("第 {} 行：{zh}", l.line),
            )
        };
        if l.batch_number
            .as_deref()
            .is_some_and(|n| n != batch.batch_number)
        {
            errors.push(say(
                format!(
                    "batch {} is not this batch ({})",
                    l.batch_number.as_deref().unwrap_or_default(),
                    batch.batch_number
                ),
                format!(
                    "批次号 {} 与本批次 {} 不符",
                    l.batch_number.as_deref().unwrap_or_default(),
                    batch.batch_number
                ),
            ));
            continue;
        }
        let Some(item) = items.iter().find(|i| i.payment_id == l.payment_id) else {
            errors.push(say(
                format!("payment {} is not in this batch", l.payment_id),
                format!("付款编号 {} 不在本批次内", l.payment_id),
            ));
            continue;
        };
        if l.amount.is_some_and(|a| a != item.amount) {
            errors.push(say(
                format!(
                    "payment {} is {} CNY in the batch",
                    l.payment_id,
                    item.amount.grouped()
                ),
                format!(
                    "付款编号 {} 在本批次中的金额为 {} 元",
                    l.payment_id,
                    item.amount.grouped()
                ),
            ));
            continue;
        }
        let wanted = l.outcome;
        // A confirmation imported twice is harmless: the same answer again is skipped.
        match item.outcome {
            Some(o) if o == wanted => continue,
            Some(o) => {
                errors.push(say(
                    format!(
                        "payment {} was already confirmed {}",
                        l.payment_id,
                        o.as_str()
                    ),
                    format!(
                        "付款编号 {} 已确认为{}",
                        l.payment_id,
                        match o {
                            BankOutcome::Paid => "已支付",
                            BankOutcome::Failed => "支付失败",
                        }
                    ),
                ));
                continue;
            }
            None => {}
        }
        let paid_on = l.paid_on.unwrap_or(today);
        if l.outcome == BankOutcome::Paid && paid_on > today {
            errors.push(say(
                format!("the payment day {paid_on} is in the future"),
                format!("支付日期 {paid_on} 晚于今天"),
            ));
            continue;
        }
        to_apply.push((item.clone(), l.clone(), paid_on, wanted));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let mut paid = Vec::new();
    let mut failed = Vec::new();
    for (item, l, paid_on, wanted) in &to_apply {
        if l.outcome == BankOutcome::Paid && item.status == PaymentStatus::Approved {
            let p = money::mark_paid(
                &mut tx,
                item.claim_id,
                item.payment_id,
                actor.user_id,
                *paid_on,
            )
            .await?
            .ok_or_else(|| {
                ServiceError::Conflict(Text::new(
                    format!("付款编号 {} 已支付", item.payment_id),
                    format!("payment {} is already paid", item.payment_id),
                ))
            })?;
            audit::append(
                &mut tx,
                &actor.audit(),
                AuditEntry {
                    action: "claim.payment_paid",
                    entity_type: "claim",
                    entity_id: item.claim_id.to_string(),
                    before: None,
                    after: Some(json!({"payment_id": p.payment_id, "amount": p.amount,
                        "paid_on": p.paid_on, "batch_number": batch.batch_number, "bank_reference": l.bank_reference})),
                },
            )
            .await?;
        }
        store::resolve_item(
            &mut tx,
            batch_id,
            item.payment_id,
            *wanted,
            &l.bank_reference,
            &l.reason,
        )
        .await?;
        match l.outcome {
            BankOutcome::Paid => paid.push(item.payment_id),
            BankOutcome::Failed => failed.push(item.payment_id),
        }
    }
    let closed = store::close_if_answered(&mut tx, batch_id).await?;
    batch_audit(
        &mut tx,
        actor,
        "claim.payment_batch_confirmed",
        batch_id,
        Some(json!({"state": batch.state.as_str()})),
        json!({"batch_number": batch.batch_number, "source": source, "paid": paid, "failed": failed,
            "state": if closed { BatchState::Closed } else { BatchState::Open }.as_str()}),
    )
    .await?;
    let row = store::get(&mut tx, batch_id)
        .await?
        .ok_or(ServiceError::NotFound("payment batch"))?;
    let items = store::items(&mut tx, batch_id).await?;
    tx.commit().await?;
    Ok(view(row, &items))
}

/// When a payment in an open batch is marked paid on its claim's page, its batch item
/// is answered too (and the batch closes once nothing waits).
pub(super) async fn paid_outside_batch(tx: &mut Tx, payment_id: i64) -> ServiceResult<Option<i64>> {
    let Some(batch_id) = store::open_batch_of(tx, payment_id).await? else {
        return Ok(None);
    };
    store::resolve_item(tx, batch_id, payment_id, BankOutcome::Paid, "", "").await?;
    store::close_if_answered(tx, batch_id).await?;
    Ok(Some(batch_id))
}

/// Cancel an open batch nothing of which was confirmed (the file never reached the
/// bank); its payments can go in the next batch.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn cancel_batch(
    ctx: &Ctx<'_>,
    actor: &Actor,
    batch_id: i64,
    reason: &str,
) -> ServiceResult<BatchView> {
    require_payer(actor)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ServiceError::field(
            "reason",
            "give the reason (at most 500 characters)",
            "请填写撤销原因（不超过 500 个字符）",
        ));
    }
    let mut tx = ctx.db.write().await?;
    let batch = store::get_for_update(&mut tx, batch_id)
        .await?
        .ok_or(ServiceError::NotFound("payment batch"))?;
    if !store::cancel(&mut tx, batch_id, reason).await? {
        return Err(ServiceError::Conflict(Text::new(
            "批次已有银行结果或已结束，不能撤销",
            "the batch is answered in part or no longer open",
        )));
    }
    batch_audit(
        &mut tx,
        actor,
        "claim.payment_batch_cancelled",
        batch_id,
        Some(json!({"state": batch.state.as_str()})),
        json!({"batch_number": batch.batch_number, "state": BatchState::Cancelled.as_str(), "reason": reason}),
    )
    .await?;
    let row = store::get(&mut tx, batch_id)
        .await?
        .ok_or(ServiceError::NotFound("payment batch"))?;
    let items = store::items(&mut tx, batch_id).await?;
    tx.commit().await?;
    Ok(view(row, &items))
}
