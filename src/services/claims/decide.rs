//! The decision (核定): accept, accept in part, or reject with reasons. Within the
//! handler's authority it is final at once; above it a claims manager — not the
//! handler — approves. A final rejection produces the written notice (PDF, Chinese)
//! and queues it to the claimant with the PDF attached in the same transaction, so it
//! leaves within the three days of art. 24.

use super::mail;
use super::policy_terms::PolicyTerms;
use super::proof::{missing_now, waiver_reason};
use super::reserves;
use super::view::ClaimView;
use super::{load_for_change, log, out_of_bounds, require_handler, snapshot, transition};
use crate::documents::{
    render_rejection_notice, Branding, DocumentFont, NoticeContact, RejectionNotice, SealArtwork,
};
use crate::domain::claims::{indemnity, ClaimState, Indemnity, Outcome};
use crate::domain::money::Money;
use crate::domain::text::Text;
use crate::services::Ctx;
use crate::services::{Actor, FieldError, ServiceError, ServiceResult};
use crate::store::claim_work::{self as work, NewWaiver};
use crate::store::claims::{self as store, ClaimRow, NewApproval, NewDocument};
use crate::store::types::JsonText;
use crate::store::Tx;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};

/// A claim decision (理赔决定). `ClaimDecisionInput` in the OpenAPI document: the
/// underwriting referral decision is another body.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = ClaimDecisionInput)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// accept, accept_in_part or reject
    #[schema(value_type = String)]
    pub outcome: Outcome,
    /// 核定损失 (before the deductible), CNY; needed to accept.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub agreed_loss: Option<Money>,
    /// 理由: required to reject or to accept in part; each is one paragraph.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Why the claim is decided while required proof is missing; needed then, and shown
    /// on the claim and in the approval.
    #[serde(default)]
    pub missing_proof_reason: String,
}

fn validate(input: &DecisionInput) -> ServiceResult<Vec<String>> {
    let reasons: Vec<String> = input
        .reasons
        .iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    let mut errors = Vec::new();
    match input.outcome {
        Outcome::Accept | Outcome::AcceptInPart => match input.agreed_loss {
            None => errors.push(FieldError::new(
                "agreed_loss",
                "give the agreed loss",
                "请填写核定损失金额",
            )),
            Some(m) if m.is_negative() => errors.push(FieldError::new(
                "agreed_loss",
                "the agreed loss cannot be negative",
                "核定损失不能为负数",
            )),
            Some(m) if out_of_bounds("agreed_loss", m).is_some() => {
                errors.extend(out_of_bounds("agreed_loss", m))
            }
            _ => {}
        },
        Outcome::Reject => {}
    }
    if input.outcome != Outcome::Accept && reasons.is_empty() {
        errors.push(FieldError::new(
            "reasons",
            "give the reasons (a rejection or partial payment must state them)",
            "拒赔或部分赔付须说明理由",
        ));
    }
    if errors.is_empty() {
        Ok(reasons)
    } else {
        Err(ServiceError::Validation(errors))
    }
}

/// The worked indemnity on a claim as the limits stand now.
fn work_out(policy: &PolicyTerms<'_>, row: &ClaimRow, agreed_loss: Money) -> Indemnity {
    let section = row.section_code.as_deref().unwrap_or_default();
    indemnity(
        agreed_loss,
        policy.deductible(section, agreed_loss),
        policy.section_left(section),
        policy.aggregate_left(),
    )
}

/// Decide a registered claim.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn decide(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    input: DecisionInput,
) -> ServiceResult<ClaimView> {
    require_handler(actor, "decide claims")?;
    let reasons = validate(&input)?;
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, actor, claim_id).await?;
    let missing = missing_now(&mut tx, ctx.library, &row).await?;
    let waiver = waiver_reason(&missing, &input.missing_proof_reason)?;
    let policy = PolicyTerms::load(&mut tx, ctx.library, row.policy_id).await?;
    let calc = input.agreed_loss.map(|loss| work_out(&policy, &row, loss));
    let weight = match (input.outcome, calc) {
        (Outcome::Reject, _) | (_, None) => row.amount_claimed,
        (_, Some(c)) => c.payable,
    };
    let within = weight <= ctx.config.claims.authority_limit;
    let next = row
        .state
        .decide(input.outcome, within)
        .map_err(transition)?;
    let before = snapshot(&row);
    let waived = waiver.as_ref().map(|reason| {
        json!({"missing": missing.iter().map(|m| &m.code).collect::<Vec<_>>(), "reason": reason})
    });
    if next == ClaimState::AwaitingApproval {
        let approval_id = store::add_approval(
            &mut tx,
            &NewApproval {
                claim_id,
                outcome: input.outcome.as_str(),
                agreed_loss: input.agreed_loss,
                indemnity: calc.map(|c| c.payable),
                reasons_json: &JsonText(reasons.clone()),
                requested_by: actor.user_id,
            },
        )
        .await?;
        if let Some(reason) = &waiver {
            record_waiver(
                &mut tx,
                actor,
                &row,
                Some(approval_id),
                "decision",
                &missing,
                reason,
            )
            .await?;
        }
        row.state = next;
        store::save(&mut tx, &mut row).await?;
        let mut after = snapshot(&row);
        after["proof_waiver"] = json!(waived);
        after["proposed"] = json!({"outcome": input.outcome, "indemnity": calc, "reasons": reasons,
            "authority_limit": ctx.config.claims.authority_limit});
        log(
            &mut tx,
            actor,
            "claim.referred_for_approval",
            claim_id,
            Some(before),
            after,
        )
        .await?;
    } else {
        if let Some(reason) = &waiver {
            record_waiver(&mut tx, actor, &row, None, "decision", &missing, reason).await?;
        }
        finalise(
            &mut tx,
            ctx,
            actor,
            &mut row,
            input.outcome,
            calc,
            &reasons,
            actor.user_id,
        )
        .await?;
        let mut after = snapshot(&row);
        after["proof_waiver"] = json!(waived);
        after["indemnity_worked"] = json!(calc);
        after["reasons"] = json!(reasons);
        log(
            &mut tx,
            actor,
            "claim.decide",
            claim_id,
            Some(before),
            after,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ClaimView::from(&row))
}

/// Keep the reason a decision or approval went ahead with proof missing.
async fn record_waiver(
    tx: &mut Tx,
    actor: &Actor,
    row: &ClaimRow,
    approval_id: Option<i64>,
    stage: &str,
    missing: &[super::ProofItem],
    reason: &str,
) -> ServiceResult<()> {
    let items: Vec<serde_json::Value> = missing
        .iter()
        .map(|m| json!({"code": m.code, "zh": m.zh, "en": m.en}))
        .collect();
    let missing_json = serde_json::to_string(&items)
        .map_err(|e| ServiceError::internal_from("serialise a record to JSON", e))?;
    work::add_waiver(
        tx,
        &NewWaiver {
            claim_id: row.claim_id,
            approval_id,
            stage,
            missing_json: &missing_json,
            reason,
            given_by: actor.user_id,
        },
    )
    .await?;
    Ok(())
}

/// Make a decision final: agreed (payment clock starts) or rejected (closed, notice sent).
#[allow(clippy::too_many_arguments)]
async fn finalise(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    actor: &Actor,
    row: &mut ClaimRow,
    outcome: Outcome,
    calc: Option<Indemnity>,
    reasons: &[String],
    decided_by: i64,
) -> ServiceResult<()> {
    let day = ctx.clock.today();
    let next = match outcome {
        Outcome::Reject => ClaimState::Closed,
        _ => ClaimState::Agreed,
    };
    row.state = next;
    row.outcome = Some(outcome);
    row.reasons_json = JsonText(reasons.to_vec());
    row.decided_by = Some(decided_by);
    row.decided_on = Some(day);
    match (outcome, calc) {
        (Outcome::Reject, _) => {
            row.closed_on = Some(day);
            row.agreed_loss = None;
            row.indemnity = Some(Money::ZERO);
            reserves::set_case_reserve(
                tx,
                row,
                Money::ZERO,
                None,
                day,
                "拒赔结案 / rejected",
                Some(actor.user_id),
            )
            .await?;
            store::save(tx, row).await?;
            send_rejection_notice(tx, ctx, actor, row, reasons).await?;
        }
        (_, Some(c)) => {
            row.agreed_loss = Some(c.agreed_loss);
            row.indemnity = Some(c.payable.try_add(row.paid_total)?);
            row.indemnity_json = Some(
                serde_json::to_string(&c)
                    .map_err(|e| ServiceError::internal_from("serialise a record to JSON", e))?,
            );
            row.agreed_on = Some(day);
            reserves::set_case_reserve(
                tx,
                row,
                c.payable,
                None,
                day,
                "核定赔款 / indemnity agreed",
                Some(actor.user_id),
            )
            .await?;
            store::save(tx, row).await?;
        }
        (_, None) => {
            return Err(ServiceError::field(
                "agreed_loss",
                "give the agreed loss",
                "请填写核定损失金额",
            ))
        }
    }
    Ok(())
}

fn font() -> ServiceResult<Arc<DocumentFont>> {
    static FONT: OnceLock<Result<Arc<DocumentFont>, String>> = OnceLock::new();
    FONT.get_or_init(|| DocumentFont::load_default().map_err(|e| e.to_string()))
        .clone()
        .map_err(ServiceError::Internal)
}

/// The art. 24 notice: rendered, kept with the claim, and queued to the claimant.
async fn send_rejection_notice(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    actor: &Actor,
    row: &ClaimRow,
    reasons: &[String],
) -> ServiceResult<()> {
    // The objection paragraph cites the clause set the policy was issued on.
    let clause_set = crate::store::policies::get(tx, row.policy_id)
        .await?
        .map(|p| {
            let name = ctx
                .library
                .clause_set(&p.clause_set_id, &p.clause_set_version)
                .map(|set| set.name.zh.clone())
                .unwrap_or_else(|| p.clause_set_id.clone());
            format!("{name} {}", p.clause_set_version)
        })
        .unwrap_or_default();
    let contact = &ctx.config.claims;
    let notice = RejectionNotice {
        claim_number: row.claim_number.clone(),
        policy_number: row.policy_number.clone(),
        claimant: row.maker_name.clone(),
        event_date: row.event_date,
        decision_date: row.decided_on.unwrap_or_else(|| ctx.clock.today()),
        reasons: reasons.to_vec(),
        clause_set,
        contact: NoticeContact {
            department: contact.contact_department.clone(),
            phone: contact.contact_phone.clone(),
            address: contact.contact_address.clone(),
        },
    };
    let insurer = &ctx.config.insurer;
    let branding = Branding::new(
        &insurer.name,
        &insurer.branch,
        &SealArtwork::default(),
        font()?,
    )
    .map_err(|e| ServiceError::internal_from("load the branding", e))?;
    let pdf = render_rejection_notice(&notice, &branding)
        .map_err(|e| ServiceError::internal_from("render the rejection notice PDF", e))?;
    let filename = format!("拒赔通知书-{}.pdf", row.claim_number);
    let sha = hex::encode(Sha256::digest(&pdf));
    store::add_document(
        tx,
        &NewDocument {
            claim_id: row.claim_id,
            kind: "rejection_notice",
            code: None,
            filename: &filename,
            content_type: "application/pdf",
            sha256: &sha,
            content: &pdf,
            uploaded_by: Some(actor.user_id),
        },
    )
    .await?;
    if row.contact_email.contains('@') {
        mail::rejection_notice(tx, &insurer.name, row, reasons, &filename, pdf).await?;
    } else {
        tracing::warn!(claim = %row.claim_number, "rejection notice kept but not mailed: no claimant address");
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    /// true to approve the handler's decision, false to send it back.
    pub approve: bool,
    #[serde(default)]
    pub note: String,
    /// Why the decision is approved while required proof is missing; needed then.
    #[serde(default)]
    pub missing_proof_reason: String,
}

/// A claims manager other than the handler approves (or sends back) a decision above
/// the handler's authority. The indemnity is worked out again on the limits as they
/// stand at approval.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn approve(
    ctx: &Ctx<'_>,
    actor: &Actor,
    claim_id: i64,
    input: ApprovalInput,
) -> ServiceResult<ClaimView> {
    actor.require(actor.role.approves_claims(), "approve claim decisions")?;
    if !input.approve && input.note.trim().is_empty() {
        return Err(ServiceError::field(
            "note",
            "say why it goes back",
            "退回须说明理由",
        ));
    }
    let mut tx = ctx.db.write().await?;
    let mut row = load_for_change(&mut tx, actor, claim_id).await?;
    let pending = store::open_approval(&mut tx, claim_id)
        .await?
        .ok_or_else(|| {
            ServiceError::Conflict(Text::new(
                "该赔案没有待审批的核定",
                "nothing awaits approval",
            ))
        })?;
    if pending.requested_by == actor.user_id {
        return Err(ServiceError::Forbidden(
            "approve your own decision (another claims manager must approve it)",
        ));
    }
    let outcome = Outcome::parse(&pending.outcome)
        .ok_or_else(|| ServiceError::Internal("approval outcome".into()))?;
    let next = row
        .state
        .approve(outcome, input.approve)
        .map_err(transition)?;
    let missing = if input.approve {
        missing_now(&mut tx, ctx.library, &row).await?
    } else {
        Vec::new()
    };
    let waiver = waiver_reason(&missing, &input.missing_proof_reason)?;
    if let Some(reason) = &waiver {
        record_waiver(
            &mut tx,
            actor,
            &row,
            Some(pending.approval_id),
            "approval",
            &missing,
            reason,
        )
        .await?;
    }
    let before = snapshot(&row);
    let decision = if input.approve {
        "approved"
    } else {
        "declined"
    };
    store::decide_approval(
        &mut tx,
        pending.approval_id,
        decision,
        actor.user_id,
        input.note.trim(),
    )
    .await?;
    if input.approve {
        let policy = PolicyTerms::load(&mut tx, ctx.library, row.policy_id).await?;
        let calc = pending.agreed_loss.map(|l| work_out(&policy, &row, l));
        finalise(
            &mut tx,
            ctx,
            actor,
            &mut row,
            outcome,
            calc,
            &pending.reasons_json.0,
            pending.requested_by,
        )
        .await?;
    } else {
        row.state = next;
        store::save(&mut tx, &mut row).await?;
    }
    let mut after = snapshot(&row);
    after["approval"] = json!({"approval_id": pending.approval_id, "decision": decision, "note": input.note.trim(),
        "proof_waiver": waiver.as_ref().map(|r| json!({"missing": missing.iter().map(|m| &m.code).collect::<Vec<_>>(), "reason": r}))});
    log(
        &mut tx,
        actor,
        "claim.approval",
        claim_id,
        Some(before),
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(ClaimView::from(&row))
}
