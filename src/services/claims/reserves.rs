//! The case reserve (未决赔款准备金) and its lines by cost type (分类准备金). Every change
//! of the total — by hand, at registration, decision, payment or reopening — goes
//! through [`set_case_reserve`]: one `claim_reserve` row (the total the rate backtest
//! reads, unchanged) and a line row for each cost type whose reserve moved, so the
//! current lines always add up to the case reserve.

use super::out_of_bounds;
use crate::domain::claims::reserve_lines::{follow_total, total, zero_lines, CostType, Lines};
use crate::domain::money::Money;
use crate::services::{FieldError, ServiceError, ServiceResult};
use crate::store::claim_reserve_lines::{self as lines_store, NewLine, ReserveLineRow};
use crate::store::claims::{self as store, ClaimRow};
use crate::store::Tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One cost type's reserve as entered.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReserveLineInput {
    /// repair, replacement, return, third_party_property, bodily_injury or claim_expenses
    #[schema(value_type = String)]
    pub cost_type: CostType,
    #[schema(value_type = String)]
    pub amount: Money,
}

/// One cost type's current reserve, as the API and pages show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReserveLineView {
    #[schema(value_type = String)]
    pub cost_type: CostType,
    pub zh: &'static str,
    pub en: &'static str,
    #[schema(value_type = String)]
    pub amount: Money,
}

/// Check a breakdown against the total it must add up to; each type at most once.
pub fn breakdown(total_given: Money, input: &[ReserveLineInput]) -> ServiceResult<Option<Lines>> {
    if input.is_empty() {
        return Ok(None);
    }
    let mut out = zero_lines();
    let mut seen = Vec::new();
    let mut errors = Vec::new();
    for (i, l) in input.iter().enumerate() {
        let field = format!("lines[{i}].amount");
        if let Some(e) = out_of_bounds(&field, l.amount) {
            errors.push(e);
            continue;
        }
        if seen.contains(&l.cost_type) {
            errors.push(FieldError::new(
                &format!("lines[{i}].cost_type"),
                format!("{} is given twice", l.cost_type.en()),
                format!("{}重复填写", l.cost_type.zh()),
            ));
            continue;
        }
        seen.push(l.cost_type);
        if let Some(slot) = out.iter_mut().find(|(c, _)| *c == l.cost_type) {
            slot.1 = l.amount;
        }
    }
    if errors.is_empty() && total(&out) != total_given {
        errors.push(FieldError::new(
            "lines",
            format!(
                "the reserves by cost type add up to {} CNY, not the case reserve of {} CNY",
                total(&out).grouped(),
                total_given.grouped()
            ),
            format!(
                "分类准备金合计 {} 元，与未决赔款准备金 {} 元不符",
                total(&out).grouped(),
                total_given.grouped()
            ),
        ));
    }
    if errors.is_empty() {
        Ok(Some(out))
    } else {
        Err(ServiceError::Validation(errors))
    }
}

fn primary(row: &ClaimRow) -> CostType {
    CostType::primary_for(row.claim_type)
}

/// The latest amount of each cost type in a line history.
fn latest(history: &[ReserveLineRow]) -> Lines {
    let mut out = zero_lines();
    for h in history {
        if let Some(slot) = out.iter_mut().find(|(c, _)| c.as_str() == h.cost_type) {
            slot.1 = h.amount;
        }
    }
    out
}

/// The current lines of a claim. A claim reserved before lines existed has its whole
/// reserve on the cost the claim type is about.
pub fn current(row: &ClaimRow, history: &[ReserveLineRow]) -> Lines {
    if history.is_empty() {
        follow_total(&zero_lines(), Money::from_fen(row.reserve), primary(row))
    } else {
        latest(history)
    }
}

pub fn views(lines: &Lines) -> Vec<ReserveLineView> {
    lines
        .iter()
        .map(|(c, m)| ReserveLineView {
            cost_type: *c,
            zh: c.zh(),
            en: c.en(),
            amount: *m,
        })
        .collect()
}

/// Set the case reserve to `amount`, split as `split` or — without one — by the current
/// proportions. Writes the total row and the changed lines; updates `row.reserve`.
pub async fn set_case_reserve(
    tx: &mut Tx,
    row: &mut ClaimRow,
    amount: Money,
    split: Option<Lines>,
    on: NaiveDate,
    reason: &str,
    by: Option<i64>,
) -> ServiceResult<()> {
    let history = lines_store::history(tx, row.claim_id).await?;
    let before = current(row, &history);
    let after = split.unwrap_or_else(|| follow_total(&before, amount, primary(row)));
    if total(&after) != amount {
        return Err(ServiceError::Internal(format!(
            "claim {} reserve lines {} != {}",
            row.claim_id,
            total(&after),
            amount
        )));
    }
    let reserve_id = store::add_reserve(tx, row.claim_id, amount.fen(), on, reason, by).await?;
    for ((cost, old), (_, new)) in before.iter().zip(after.iter()) {
        // The first time lines are written every non-zero one is, so the history alone
        // says what each type held.
        let first = history.is_empty() && !new.is_zero();
        if first || old != new {
            lines_store::add(
                tx,
                &NewLine {
                    claim_id: row.claim_id,
                    reserve_id,
                    cost_type: cost.as_str(),
                    amount: *new,
                    set_on: on,
                    reason,
                    set_by: by,
                },
            )
            .await?;
        }
    }
    row.reserve = amount.fen();
    Ok(())
}
