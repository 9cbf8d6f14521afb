//! Receivables reads (应收保费) and the premium reminder ledger (催缴提醒记录).

use super::billing::BilledPolicy;
use super::{StoreResult, Tx};
use crate::dispatch;
use chrono::NaiveDate;

const ISSUED: &str =
    "select p.policy_id, p.policy_number, p.state, p.maker_id, m.name as maker_name, \
    p.programme_id, p.period_start from policy p join party m on m.party_id = p.maker_id \
    where p.policy_number is not null order by p.policy_id";

/// Every issued policy (what is owed is computed per policy from its versions).
pub async fn issued_policies(tx: &mut Tx) -> StoreResult<Vec<BilledPolicy>> {
    Ok(dispatch!(tx, c => {
        sqlx::query_as::<_, BilledPolicy>(ISSUED).fetch_all(&mut *c).await?
    }))
}

#[derive(sqlx::FromRow)]
struct WithContact {
    #[sqlx(flatten)]
    policy: BilledPolicy,
    contact_email: String,
}

/// Issued policies with their maker's contact e-mail.
pub async fn issued_policies_with_contact(tx: &mut Tx) -> StoreResult<Vec<(BilledPolicy, String)>> {
    let sql = "select p.policy_id, p.policy_number, p.state, p.maker_id, m.name as maker_name, \
        p.programme_id, p.period_start, m.contact_email from policy p \
        join party m on m.party_id = p.maker_id where p.policy_number is not null order by p.policy_id";
    let rows = dispatch!(tx, c => {
        sqlx::query_as::<_, WithContact>(sql).fetch_all(&mut *c).await?
    });
    Ok(rows
        .into_iter()
        .map(|r| (r.policy, r.contact_email))
        .collect())
}

/// Claim a reminder for an installment, due date and stage; false when it was sent
/// before (the primary key keeps concurrent runs to one).
pub async fn claim_reminder(
    tx: &mut Tx,
    policy_id: i64,
    seq: i32,
    due_on: NaiveDate,
    stage: &str,
    queued_on: NaiveDate,
) -> StoreResult<bool> {
    let got = dispatch!(tx, c => {
        sqlx::query_scalar::<_, i64>(
            "insert into premium_reminder (policy_id, installment_seq, due_on, stage, queued_on) \
             values ($1, $2, $3, $4, $5) on conflict do nothing returning policy_id",
        )
        .bind(policy_id)
        .bind(seq)
        .bind(due_on)
        .bind(stage)
        .bind(queued_on)
        .fetch_optional(&mut *c)
        .await?
    });
    Ok(got.is_some())
}

pub async fn set_reminder_outbox(
    tx: &mut Tx,
    policy_id: i64,
    seq: i32,
    due_on: NaiveDate,
    stage: &str,
    outbox_id: i64,
) -> StoreResult<()> {
    dispatch!(tx, c => {
        sqlx::query(
            "update premium_reminder set outbox_id = $1 where policy_id = $2 and installment_seq = $3 \
             and due_on = $4 and stage = $5",
        )
        .bind(outbox_id)
        .bind(policy_id)
        .bind(seq)
        .bind(due_on)
        .bind(stage)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}
