//! Cover history across policies (承保历史): a serial number is insured once at a time
//! (000 (九) 骗保), and "first set" is the first three units a user uses of a product
//! (003 附件1 一.2(1)) — counted over all the user's policies, not per policy.

use super::QuoteInput;
use crate::services::{FieldError, ServiceError, ServiceResult};
use crate::store::policies::{self as store, CoverHistoryRow};
use crate::store::Tx;
use std::collections::BTreeMap;

/// The first set covers at most this many units per user and product.
const FIRST_SET_UNITS: u32 = 3;

fn name(r: &CoverHistoryRow) -> String {
    r.policy_number
        .clone()
        .unwrap_or_else(|| format!("#{}", r.policy_id))
}

/// Refuse a serial already insured for an overlapping period, and first-set units
/// beyond the user's first three of this product. `own` is the policy being checked.
pub(super) async fn check(tx: &mut Tx, input: &QuoteInput, own: Option<i64>) -> ServiceResult<()> {
    let mut errors = Vec::new();
    for u in &input.units {
        let rows = store::with_serial_overlapping(
            tx,
            input.maker_id,
            &u.serial,
            input.period_start,
            input.period_end,
        )
        .await?;
        // Every row names the serial (policy_serial holds each policy's current units).
        for r in rows.iter().filter(|r| Some(r.policy_id) != own) {
            errors.push(FieldError::new(
                "units",
                format!(
                    "serial {} is already insured by policy {} ({} to {}) for an overlapping period",
                    u.serial,
                    name(r),
                    r.period_start,
                    r.period_end
                ),
                format!(
                    "出厂编号 {} 已由保单 {}（{} 至 {}）在重叠期间承保，不得重复投保",
                    u.serial,
                    name(r),
                    r.period_start,
                    r.period_end
                ),
            ));
        }
    }
    if input.cover_basis == crate::domain::cover_basis::CoverBasis::FirstSet {
        let rows =
            store::first_set_of(tx, input.maker_id, input.user_id, input.catalogue_item_id).await?;
        let mut first_set: BTreeMap<String, u32> = BTreeMap::new();
        let mut policies = Vec::new();
        for r in rows.iter().filter(|r| Some(r.policy_id) != own) {
            for l in &r.terms.0.units {
                let q = first_set.entry(l.serial.clone()).or_insert(0);
                *q = (*q).max(l.quantity);
            }
            policies.push(name(r));
        }
        let before: u32 = first_set.values().sum();
        for u in &input.units {
            let q = first_set.entry(u.serial.clone()).or_insert(0);
            *q = (*q).max(u.quantity);
        }
        let total: u32 = first_set.values().sum();
        if total > FIRST_SET_UNITS && total > before {
            errors.push(FieldError::new(
                "units",
                format!(
                    "first set covers the first {FIRST_SET_UNITS} units a user uses: this user already has {before} unit(s) of this product on policies {}; with these it would be {total}",
                    policies.join(", ")
                ),
                format!(
                    "前三台(套)指用户首次使用的前 {FIRST_SET_UNITS} 台(套)：该用户已在保单 {} 投保本产品 {before} 台(套)，加上本次共 {total} 台(套)",
                    policies.join("、")
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Validation(errors))
    }
}
