//! Payment (赔款支付) against limits that erode atomically, payment status
//! (approved → paid), recoveries (追偿) and reopening (重开赔案).

use super::policy_terms::PolicyTerms;
use super::staff_view::ClaimPaymentView;
use super::view::ClaimView;
use super::{
    blank, bounded, commit_reserve, load_for_change, log, require_handler, reserves, snapshot,
    transition,
};
use crate::domain::claims::ClaimState;
use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::services::Ctx;
use crate::services::{Actor, FieldError, ServiceError, ServiceResult};
use crate::store::claim_money::{self as money, section_scope, NewPayment, NewRecovery, AGGREGATE};
use crate::store::claims as store;
use crate::store::Tx;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

/// A claim payment to approve (赔款支付). Named `ClaimPaymentInput` in the OpenAPI document:
/// billing's premium `PaymentInput` is a different body.
#[derive(Debug, Clone, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ClaimPaymentInput)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// Defaults to everything agreed and not yet paid.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub amount: Option<Money>,
    /// 收款人
    pub payee: String,
    /// 开户行
    pub bank_name: String,
    /// 账号
    pub bank_account: String,
}

fn validate(input: &PaymentInput) -> ServiceResult<()> {
    let mut errors = Vec::new();
    for (field, value, en, zh) in [
        ("payee", &input.payee, "name the payee", "请填写收款人"),
        (
            "bank_name",
            &input.bank_name,
            "name the bank",
            "请填写开户行",
        ),
        (
            "bank_account",
            &input.bank_account,
            "give the account number",
            "请填写银行账号",
        ),
    ] {
        if value.trim().is_empty() {
            errors.push(FieldError::new(field, en, zh));
        }
    }
    if input.amount.is_some_and(|a| a.fen() <= 0) {
        errors.push(FieldError::new(
            "amount",
            "a payment must be more than zero",
            "赔付金额须大于零",
        ));
    } else if let Some(e) = input.amount.and_then(|a| super::out_of_bounds("amount", a)) {
        errors.push(e);
    }
    for (field, value, max) in [
        ("payee", &input.payee, 200),
        ("bank_name", &input.bank_name, 200),
        ("bank_account", &input.bank_account, 64),
    ] {
        if value.trim().chars().count() > max {
            errors.push(FieldError::new(
                field,
                format!("at most {max} characters"),
                format!("不超过 {max} 个字符"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Validation(errors))
    }
}

/// Refuse a payment that does not fit, saying what is left (read in the same
/// transaction, after the refused update).
async fn refused(tx: &mut Tx, policy_id: i64, scope: &str, amount: Money) -> ServiceError {
    let left = money::usage(tx, policy_id)
        .await
        .ok()
        .and_then(|rows| rows.into_iter().find(|u| u.scope == scope))
        .map(|u| u.limit_amount.remaining(u.used))
        .unwrap_or(Money::ZERO);
    let (zh, en) = if scope == AGGREGATE {
        ("累计责任限额", "aggregate limit")
    } else {
        ("分项责任限额", "section limit")
    };
    ServiceError::Conflict(Text::new(
        format!(
            "{zh}余额不足：剩余 {} 元，本次赔付 {} 元未予支付",
            left.grouped(),
            amount.grouped()
        ),
        format!(
            "not enough left of the {en}: {} CNY left, the payment of {} CNY is refused",
            left.grouped(),
            amount.grouped()
        ),
    ))
}

/// Approve a payment on an agreed claim. The section limit (if any) and the aggregate
/// limit are eroded by conditional updates in this transaction; if either would be
/// overspent nothing is paid and the answer says how much was left.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn pay(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    input: PaymentInput,
) -> ServiceResult<ClaimPaymentView> {
    require_handler(actor, "pay claims")?;
    validate(&input)?;
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, actor, claim_id).await?;
    let state = row.state;
    let outstanding = row
        .indemnity
        .unwrap_or(Money::ZERO)
        .try_sub(row.paid_total)?;
    let amount = input.amount.unwrap_or(outstanding);
    if state == ClaimState::Agreed && (amount.fen() <= 0 || amount > outstanding) {
        return Err(ServiceError::field(
            "amount",
            format!("at most {} CNY is agreed and unpaid", outstanding.grouped()),
            format!("已核定未支付的赔款为 {} 元", outstanding.grouped()),
        ));
    }
    let fully_paid = amount == outstanding;
    let next = state.pay(fully_paid).map_err(transition)?;
    let before = snapshot(&row);
    let policy = PolicyTerms::load(&mut tx, ctx.library, row.policy_id).await?;
    policy
        .ensure_usage_rows(&mut tx, row.section_code.as_deref())
        .await?;
    if let Some(code) = row.section_code.as_deref() {
        if policy.section_left(code).is_some() {
            let scope = section_scope(code);
            if money::erode(&mut tx, row.policy_id, &scope, amount.fen())
                .await?
                .is_none()
            {
                return Err(refused(&mut tx, row.policy_id, &scope, amount).await);
            }
        }
    }
    if money::erode(&mut tx, row.policy_id, AGGREGATE, amount.fen())
        .await?
        .is_none()
    {
        return Err(refused(&mut tx, row.policy_id, AGGREGATE, amount).await);
    }
    let day = ctx.clock.today();
    let payment = money::add_payment(
        &mut tx,
        &NewPayment {
            claim_id,
            policy_id: row.policy_id,
            amount,
            payee: input.payee.trim(),
            bank_name: input.bank_name.trim(),
            bank_account: input.bank_account.trim(),
            approved_by: actor.user_id,
            approved_on: day,
        },
    )
    .await?;
    row.paid_total = row.paid_total.try_add(amount)?;
    let reserve = Money::from_fen((row.reserve - amount.fen()).max(0));
    reserves::set_case_reserve(
        &mut tx,
        &mut row,
        reserve,
        None,
        day,
        "赔款支付 / payment",
        Some(actor.user_id),
    )
    .await?;
    row.state = next;
    if next == ClaimState::Closed {
        row.closed_on = Some(day);
    }
    store::save(&mut tx, &mut row).await?;
    let mut after = snapshot(&row);
    after["payment"] = json!({"payment_id": payment.payment_id, "amount": amount, "payee": payment.payee,
        "bank_name": payment.bank_name, "bank_account": payment.bank_account});
    log(
        &mut tx,
        actor,
        "claim.payment",
        claim_id,
        Some(before),
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(payment.into())
}

/// The bank confirms: approved → paid.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn mark_paid(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    payment_id: i64,
    on: Option<NaiveDate>,
) -> ServiceResult<ClaimPaymentView> {
    require_handler(actor, "record claim payments")?;
    let mut tx = ctx.db.write().await?;
    let row = load_for_change(&mut tx, actor, claim_id).await?;
    let p = money::mark_paid(
        &mut tx,
        claim_id,
        payment_id,
        actor.user_id,
        on.unwrap_or_else(|| ctx.clock.today()),
    )
    .await?
    .ok_or_else(|| {
        ServiceError::Conflict(Text::new(
            "该笔赔款不存在或已支付",
            "no such unpaid payment",
        ))
    })?;
    let batch = super::batches::paid_outside_batch(&mut tx, payment_id).await?;
    log(
        &mut tx,
        actor,
        "claim.payment_paid",
        claim_id,
        Some(snapshot(&row)),
        json!({"payment_id": p.payment_id, "amount": p.amount, "paid_on": p.paid_on,
            "batch_id": batch}),
    )
    .await?;
    tx.commit().await?;
    Ok(p.into())
}

#[derive(Debug, Clone, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryInput {
    /// subrogation or fraud_repayment
    pub kind: String,
    #[schema(value_type = String)]
    pub amount: Money,
    pub note: String,
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
}

/// Record money recovered on a claim. It restores the limit only when the section's
/// clause says so (`recoveries_restore_limit`, default false).
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn record_recovery(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    input: RecoveryInput,
) -> ServiceResult<ClaimView> {
    require_handler(actor, "record recoveries")?;
    if !matches!(input.kind.as_str(), "subrogation" | "fraud_repayment") {
        return Err(ServiceError::field(
            "kind",
            "subrogation or fraud_repayment",
            "追偿类型应为代位追偿或骗赔追回",
        ));
    }
    if input.amount.fen() <= 0 {
        return Err(ServiceError::field(
            "amount",
            "a recovery must be more than zero",
            "追回金额须大于零",
        ));
    }
    bounded("amount", input.amount)?;
    blank(
        "note",
        &input.note,
        "say where the money came from",
        "请填写追偿说明",
    )?;
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, actor, claim_id).await?;
    let before = snapshot(&row);
    let policy = PolicyTerms::load(&mut tx, ctx.library, row.policy_id).await?;
    let restores = row
        .section_code
        .as_deref()
        .is_some_and(|c| policy.recoveries_restore_limit(c));
    money::add_recovery(
        &mut tx,
        &NewRecovery {
            claim_id,
            kind: &input.kind,
            amount: input.amount,
            note: input.note.trim(),
            restores_limit: restores,
            recorded_by: actor.user_id,
            received_on: input.received_on.unwrap_or_else(|| ctx.clock.today()),
        },
    )
    .await?;
    if restores {
        if let Some(code) = row.section_code.as_deref() {
            money::restore(
                &mut tx,
                row.policy_id,
                &section_scope(code),
                input.amount.fen(),
            )
            .await?;
        }
        money::restore(&mut tx, row.policy_id, AGGREGATE, input.amount.fen()).await?;
    }
    row.recovered_total = row.recovered_total.try_add(input.amount)?;
    store::save(&mut tx, &mut row).await?;
    let mut after = snapshot(&row);
    after["recovery"] =
        json!({"kind": input.kind, "amount": input.amount, "restores_limit": restores});
    log(
        &mut tx,
        actor,
        "claim.recovery",
        claim_id,
        Some(before),
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(ClaimView::from(&row))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenInput {
    pub reason: String,
    /// The case reserve on reopening.
    #[schema(value_type = String)]
    pub reserve: Money,
}

/// Reopen a closed claim with a reason. The earlier decision stays in the history;
/// proof must be confirmed complete again, which restarts the art. 23 clock.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn reopen(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    input: ReopenInput,
) -> ServiceResult<ClaimView> {
    require_handler(actor, "reopen claims")?;
    blank(
        "reason",
        &input.reason,
        "give the reason for reopening",
        "请填写重开原因",
    )?;
    bounded("reserve", input.reserve)?;
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, actor, claim_id).await?;
    let next = row.state.reopen().map_err(transition)?;
    let before = snapshot(&row);
    row.state = next;
    row.closed_on = None;
    row.outcome = None;
    row.decided_on = None;
    row.decided_by = None;
    row.agreed_on = None;
    row.indemnity = None;
    row.indemnity_json = None;
    row.proof_complete_on = None;
    commit_reserve(
        tx,
        actor,
        row,
        input.reserve,
        None,
        &input.reason,
        "claim.reopen",
        before,
        ctx.clock.today(),
    )
    .await
}
