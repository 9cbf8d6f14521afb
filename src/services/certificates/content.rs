//! What the certificate and the stamped schedule state, read from the policy, its
//! parties, its clause set and its payments.

use chrono::NaiveDate;

use crate::documents::{
    CertificateContent, CoverSection, InsuredItem, Party, PremiumPayment, ScheduleContent,
    ScheduleEquipment,
};
use crate::domain::clauses::set::{ClauseSet, ProductLine};
use crate::domain::money::{Money, Rate};
use crate::library::Library;
use crate::services::billing::Settlement;
use crate::services::underwriting::QuoteInput;
use crate::services::{ServiceError, ServiceResult};
use crate::store::policies::PolicyRow;
use crate::store::{parties, Tx};

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

fn terms(row: &PolicyRow) -> ServiceResult<QuoteInput> {
    serde_json::from_str(&row.terms_json).map_err(internal)
}

fn clause_set<'l>(library: &'l Library, row: &PolicyRow) -> ServiceResult<&'l ClauseSet> {
    library
        .clause_set(&row.clause_set_id, &row.clause_set_version)
        .ok_or_else(|| internal("the policy's clause set is not in the library"))
}

/// 台（套） for equipment, 批 for new materials.
fn unit_word(set: &ClauseSet) -> &'static str {
    match set.product {
        ProductLine::FirstSetEquipment => "台（套）",
        ProductLine::FirstBatchNewMaterial => "批",
    }
}

async fn party(tx: &mut Tx, id: i64) -> ServiceResult<Party> {
    let p = parties::get(tx, id)
        .await?
        .ok_or(ServiceError::NotFound("party"))?;
    let address = [p.province, p.city, p.county].concat();
    Ok(Party {
        name: p.name,
        credit_code: p.credit_code,
        address: (!address.is_empty()).then_some(address),
    })
}

/// 缴费方式 as printed, from billing's method codes.
pub fn method_label(code: &str) -> String {
    match code {
        "bank_transfer" => "银行转账",
        "cheque" => "支票",
        "cash" => "现金",
        "draft" => "汇票",
        "other" => "其他",
        other => other,
    }
    .to_string()
}

/// The payments the certificate lists: in date order, as much of each as went to this
/// premium. An over-payment is held as a credit (billing), so the last payment counted
/// is shown with the part that completed the premium and the total equals the premium.
pub fn allocated_payments(s: &Settlement) -> Vec<PremiumPayment> {
    let mut payments = s.payments.clone();
    payments.sort_by_key(|p| (p.paid_on, p.id));
    let mut left = s.premium_due;
    let mut out = Vec::new();
    for p in payments {
        if left <= Money::ZERO {
            break;
        }
        let amount = p.amount.min(left);
        // Payments are above zero (checked where they enter) and amount ≤ left, so this
        // stays in range; were it not, nothing more is listed and the document's own sum
        // check refuses to state full collection.
        left = left.checked_sub(amount).unwrap_or(Money::ZERO);
        out.push(PremiumPayment {
            date: p.paid_on,
            amount,
            method: method_label(&p.method),
            reference: p.reference,
        });
    }
    out
}

/// Everything the certificate states, for a fully paid policy.
#[allow(clippy::too_many_arguments)]
pub async fn certificate(
    tx: &mut Tx,
    library: &Library,
    row: &PolicyRow,
    settlement: &Settlement,
    certificate_number: String,
    verification_code: String,
    verification_url: String,
    issue_date: NaiveDate,
) -> ServiceResult<CertificateContent> {
    let set = clause_set(library, row)?;
    let t = terms(row)?;
    let holder = party(tx, row.maker_id).await?;
    Ok(CertificateContent {
        certificate_number,
        policyholder_name: holder.name,
        policyholder_credit_code: holder.credit_code,
        policy_number: row.policy_number.clone().unwrap_or_default(),
        product_name: set.name.zh.clone(),
        insured_items: vec![InsuredItem {
            name: row.product_name.clone(),
            quantity: t.unit_count(),
            unit: unit_word(set).into(),
        }],
        period_start: row.period_start,
        period_end: row.period_end,
        total_premium: settlement.premium_due,
        payments: allocated_payments(settlement),
        issue_date,
        verification_code,
        verification_url,
    })
}

/// The stamped policy schedule of an issued policy.
pub async fn schedule(
    tx: &mut Tx,
    library: &Library,
    row: &PolicyRow,
) -> ServiceResult<ScheduleContent> {
    let set = clause_set(library, row)?;
    let t = terms(row)?;
    let sections = t
        .sections
        .iter()
        .map(|choice| {
            let section = set.sections.iter().find(|s| s.code == choice.code);
            let name = section
                .map(|s| s.name.zh.clone())
                .unwrap_or_else(|| choice.code.clone());
            let deductible = section
                .and_then(|s| {
                    let code = choice.deductible.as_deref()?;
                    s.deductible_options.iter().find(|d| d.code == code)
                })
                .map(|d| d.name.zh.clone())
                .unwrap_or_else(|| "无".into());
            CoverSection {
                name,
                limit: choice.limit.unwrap_or(Money::from_fen(row.aggregate_limit)),
                deductible,
            }
        })
        .collect();
    let equipment = t
        .units
        .iter()
        .map(|u| ScheduleEquipment {
            name: row.product_name.clone(),
            model: String::new(),
            unit_value: u.unit_value,
            units: if u.quantity == 1 {
                vec![u.serial.clone()]
            } else {
                vec![format!("{}（{}{}）", u.serial, u.quantity, unit_word(set))]
            },
        })
        .collect();
    let intermediary = match row.intermediary_id {
        Some(id) => Some(party(tx, id).await?),
        None => None,
    };
    let issue_date = row
        .issued_at
        .map(|t| (t + chrono::Duration::hours(8)).date_naive())
        .unwrap_or(row.period_start);
    Ok(ScheduleContent {
        policy_number: row.policy_number.clone().unwrap_or_default(),
        product_name: set.name.zh.clone(),
        clause_set_version: format!("{} {}", set.name.zh, row.clause_set_version),
        policyholder: party(tx, row.maker_id).await?,
        insured: party(tx, row.user_id).await?,
        intermediary,
        equipment,
        sections,
        aggregate_limit: Money::from_fen(row.aggregate_limit),
        rate: Rate::parse(&row.rate).map_err(internal)?,
        premium: Money::from_fen(row.premium),
        period_start: row.period_start,
        period_end: row.period_end,
        issue_date,
        special_terms: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::billing::SettledPayment;

    fn payment(id: i64, day: u32, yuan: i64) -> SettledPayment {
        SettledPayment {
            id,
            paid_on: NaiveDate::from_ymd_opt(2025, 1, day).unwrap(),
            amount: Money::from_yuan(yuan),
            method: "bank_transfer".into(),
            reference: format!("R{id}"),
            payer: "甲".into(),
        }
    }

    #[test]
    fn an_over_payment_is_listed_only_up_to_the_premium() {
        let s = Settlement {
            premium_due: Money::from_yuan(10_000),
            paid: Money::from_yuan(12_000),
            balance: Money::ZERO,
            credit: Money::from_yuan(2_000),
            fully_paid: true,
            payments: vec![payment(2, 9, 7_000), payment(1, 3, 5_000)],
        };
        let listed = allocated_payments(&s);
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].reference, "R1", "oldest first");
        assert_eq!(listed[0].amount, Money::from_yuan(5_000));
        assert_eq!(
            listed[1].amount,
            Money::from_yuan(5_000),
            "the part that completed it"
        );
        assert_eq!(listed[1].method, "银行转账");
        let total = Money::try_sum(listed.iter().map(|p| p.amount)).unwrap();
        assert_eq!(total, s.premium_due);
    }
}
