//! What the certificate, the stamped schedule, the endorsement document (批单) and the
//! insurance certificate (保险凭证) state, read from the policy, its versions, its
//! parties, its clause set and its payments.

use chrono::NaiveDate;

use super::changes::term_changes;
use crate::documents::{
    chinese_date, CertificateContent, CertifiedUnit, ChangedField, CoverSection,
    EndorsementContent, EndorsementKind, InsuranceCertificateContent, InsuredItem, Party,
    PremiumPayment, QuotedRule, RequestedBy, ScheduleContent, ScheduleEquipment,
};
use crate::domain::clauses::set::{ClauseSet, ProductLine, SectionKind};
use crate::domain::money::Money;
use crate::domain::policy_state::{CancelReason, PolicyState};
use crate::domain::terms::QuoteInput;
use crate::library::Library;
use crate::services::billing::Settlement;
use crate::services::{ServiceError, ServiceResult};
use crate::store::policies::{PolicyRow, VersionRow};
use crate::store::{parties, Tx};

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
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
    let t = &row.terms_json.0;
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

/// The sections taken, by name, each with its own limit (none when the policy sets
/// none: the aggregate limit applies) and deductible.
fn cover_sections(set: &ClauseSet, t: &QuoteInput) -> Vec<CoverSection> {
    t.sections
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
                limit: choice.limit,
                deductible,
            }
        })
        .collect()
}

/// Beijing business date of a stored instant.
fn beijing_date(t: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

/// The stamped policy schedule of an issued policy.
pub async fn schedule(
    tx: &mut Tx,
    library: &Library,
    row: &PolicyRow,
) -> ServiceResult<ScheduleContent> {
    let set = clause_set(library, row)?;
    let t = &row.terms_json.0;
    let sections = cover_sections(set, t);
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
    let issue_date = row.issued_at.map(beijing_date).unwrap_or(row.period_start);
    Ok(ScheduleContent {
        policy_number: row.policy_number.clone().unwrap_or_default(),
        product_name: set.name.zh.clone(),
        clause_set_version: format!("{} {}", set.name.zh, row.clause_set_version),
        policyholder: party(tx, row.maker_id).await?,
        insured: party(tx, row.user_id).await?,
        intermediary,
        equipment,
        sections,
        aggregate_limit: row.aggregate_limit,
        rate: row.rate,
        premium: row.premium,
        period_start: row.period_start,
        period_end: row.period_end,
        issue_date,
        special_terms: Vec::new(),
    })
}

/// The policy sources the 保险凭证 quotes on the quality deposit, word for word from the
/// seeds (checked against them in the tests): 000 三(五) for first sets and first
/// batches alike, 001 四(四) for equipment.
pub const DEPOSIT_RULE_000: (&str, &str) = (
    "《工业和信息化部 财政部 金融监管总局关于进一步完善首台（套）重大技术装备首批次新材料保险补偿政策的意见》（工信部联重装〔2024〕89号）三(五)",
    "对于已投保质量保障类保险的首台(套)、首批次，一般不再收取质量保证金。",
);
pub const DEPOSIT_RULE_001: (&str, &str) = (
    "《工业和信息化部办公厅 财政部办公厅 金融监管总局办公厅关于组织实施2025年首台（套）重大技术装备保险补偿政策的通知》（工信厅联合重装〔2025〕46号）四(四)",
    "获得保险补偿政策支持的装备制造企业，在开展采购活动时，对于已投保质量保障类保险的装备，不应收取质量保证金。",
);

fn quoted((citation, quote): (&str, &str)) -> QuotedRule {
    QuotedRule {
        citation: citation.into(),
        quote: quote.trim_end_matches('。').into(),
    }
}

/// The policy's terms as fixed by one version.
fn version_terms(v: &VersionRow) -> ServiceResult<QuoteInput> {
    serde_json::from_value(v.terms_json.0.clone())
        .map_err(|e| ServiceError::internal_from("read a version's terms", e))
}

/// Everything the 批单 of version `seq` states, from that version and the one before.
#[allow(clippy::too_many_arguments)]
pub async fn endorsement(
    tx: &mut Tx,
    library: &Library,
    row: &PolicyRow,
    versions: &[VersionRow],
    seq: i32,
    endorsement_number: String,
    verification_code: String,
    verification_url: String,
) -> ServiceResult<EndorsementContent> {
    let set = clause_set(library, row)?;
    let this = versions
        .iter()
        .find(|v| v.seq == seq && v.kind != "issue")
        .ok_or(ServiceError::NotFound("endorsement"))?;
    let previous = versions
        .iter()
        .filter(|v| v.seq < seq)
        .max_by_key(|v| v.seq)
        .ok_or_else(|| internal("an endorsement without the version before it"))?;
    let (before, after) = (version_terms(previous)?, version_terms(this)?);
    let word = unit_word(set);
    let (kind, requested_by, changes) = if this.kind == "cancellation" {
        let by = match row.state_json.0 {
            PolicyState::Cancelled {
                reason: CancelReason::InsurerTermination,
                ..
            } => RequestedBy::Insurer,
            _ => RequestedBy::Policyholder,
        };
        let changes = vec![
            ChangedField {
                label: "保单状态".into(),
                before: "有效".into(),
                after: match by {
                    RequestedBy::Insurer => "已解除（保险人解除）".into(),
                    RequestedBy::Policyholder => "已退保（投保人申请）".into(),
                },
            },
            ChangedField {
                label: "保险责任终止时间".into(),
                before: format!("{}二十四时", chinese_date(before.period_end)),
                after: format!("{}二十四时", chinese_date(this.effective_on)),
            },
        ];
        (EndorsementKind::Cancellation, by, changes)
    } else {
        (
            EndorsementKind::Endorsement,
            RequestedBy::Policyholder,
            term_changes(&before, &after, set, word),
        )
    };
    // What is due after this change: the issue premium and every adjustment up to it.
    let due = versions
        .iter()
        .filter(|v| v.seq <= seq)
        .try_fold(Money::ZERO, |sum, v| {
            sum.checked_add(if v.kind == "issue" {
                v.premium
            } else {
                v.adjustment
            })
        })
        .ok_or_else(|| internal("premium due overflows"))?;
    let insured = party(tx, row.user_id).await?;
    let holder = party(tx, row.maker_id).await?;
    Ok(EndorsementContent {
        endorsement_number,
        policy_number: row.policy_number.clone().unwrap_or_default(),
        policyholder_name: holder.name,
        insured_name: insured.name,
        product_name: set.name.zh.clone(),
        kind,
        version_seq: seq,
        effective_on: this.effective_on,
        reason: this.reason.clone(),
        requested_by,
        changes,
        premium_before: previous.premium,
        premium_after: this.premium,
        adjustment: this.adjustment,
        premium_due_after: due,
        issue_date: beijing_date(this.created_at),
        verification_code,
        verification_url,
    })
}

/// Everything the 保险凭证 states, for the policy as it stands (version `version_seq`).
#[allow(clippy::too_many_arguments)]
pub async fn insurance_certificate(
    tx: &mut Tx,
    library: &Library,
    row: &PolicyRow,
    version_seq: i32,
    certificate_number: String,
    verification_code: String,
    verification_url: String,
    issue_date: NaiveDate,
) -> ServiceResult<InsuranceCertificateContent> {
    let set = clause_set(library, row)?;
    let t = &row.terms_json.0;
    let quality_cover = t.sections.iter().any(|c| {
        set.section(&c.code)
            .is_some_and(|s| s.kind == SectionKind::Quality)
    });
    let deposit_rules = if !quality_cover {
        Vec::new()
    } else {
        match set.product {
            ProductLine::FirstSetEquipment => {
                vec![quoted(DEPOSIT_RULE_000), quoted(DEPOSIT_RULE_001)]
            }
            ProductLine::FirstBatchNewMaterial => vec![quoted(DEPOSIT_RULE_000)],
        }
    };
    Ok(InsuranceCertificateContent {
        certificate_number,
        policy_number: row.policy_number.clone().unwrap_or_default(),
        product_name: set.name.zh.clone(),
        clause_set_version: format!("{} {}", set.name.zh, row.clause_set_version),
        policyholder: party(tx, row.maker_id).await?,
        beneficiary: party(tx, row.user_id).await?,
        insured_product: row.product_name.clone(),
        unit_word: unit_word(set).into(),
        units: t
            .units
            .iter()
            .map(|u| CertifiedUnit {
                serial: u.serial.clone(),
                quantity: u.quantity,
                unit_value: u.unit_value,
            })
            .collect(),
        insured_value: row.insured_value,
        period_start: row.period_start,
        period_end: row.period_end,
        aggregate_limit: row.aggregate_limit,
        sections: cover_sections(set, t),
        quality_cover,
        deposit_rules,
        version_seq,
        issue_date,
        verification_code,
        verification_url,
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

    /// The 保险凭证 quotes the seeds word for word (whitespace ignored), citing the right
    /// clause: 000 三(五) and 001 四(四).
    #[test]
    fn the_deposit_rules_are_quoted_from_the_seeds() {
        let manifest = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let candidates = [
            manifest.join("../shared/seeds"),
            manifest.join("../../shared/seeds"),
            std::path::PathBuf::from("/work/shared/seeds"),
        ];
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert!(DEPOSIT_RULE_000.0.contains("三(五)") && DEPOSIT_RULE_001.0.contains("四(四)"));
        assert!(DEPOSIT_RULE_000.0.contains("工信部联重装〔2024〕89号"));
        assert!(DEPOSIT_RULE_001.0.contains("工信厅联合重装〔2025〕46号"));
        let Some(seeds) = candidates.iter().find(|p| p.is_dir()) else {
            eprintln!("seeds not found beside the repository: quotes not compared");
            return;
        };
        for (file, (_, quote), heading) in [
            (
                "000_641e00229bc486a9.txt",
                DEPOSIT_RULE_000,
                "(五) 调整资金申请机制",
            ),
            (
                "001_5f2f9fd03269e1b0.txt",
                DEPOSIT_RULE_001,
                "（四）获得保险补偿政策支持",
            ),
        ] {
            let text = std::fs::read_to_string(seeds.join(file)).unwrap_or_default();
            let para = text
                .lines()
                .find(|l| l.contains(heading))
                .unwrap_or_else(|| panic!("{heading} not in {file}"));
            assert!(
                squash(para).contains(&squash(quote)),
                "{quote} not in {file}: {para}"
            );
        }
    }

    fn terms(units: &[(&str, u32, i64)], limit: i64) -> QuoteInput {
        serde_json::from_value(serde_json::json!({
            "maker_id": 1, "user_id": 2, "catalogue_item_id": 3, "cover_basis": "first_year",
            "units": units.iter().map(|(s, q, v)| serde_json::json!(
                {"serial": s, "quantity": q, "unit_value": Money::from_yuan(*v)})).collect::<Vec<_>>(),
            "sections": [{"code": "QUALITY"}],
            "aggregate_limit": Money::from_yuan(limit),
            "period_start": "2025-01-01", "period_end": "2025-12-31",
        }))
        .unwrap()
    }

    #[test]
    fn an_endorsement_lists_every_changed_field_with_before_and_after() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clauses");
        let lib = crate::library::load(&dir).unwrap();
        let set = lib.latest_clause_set("first-set-equipment").unwrap();
        let before = terms(&[("A-1", 1, 100_000), ("A-2", 1, 100_000)], 2_000_000);
        let mut after = terms(&[("A-1", 1, 120_000), ("A-3", 2, 100_000)], 2_400_000);
        after.period_end = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let changes = super::term_changes(&before, &after, set, "台（套）");
        let lines: Vec<String> = changes
            .iter()
            .map(|c| format!("{}: {} → {}", c.label, c.before, c.after))
            .collect();
        assert_eq!(
            lines,
            [
                "保险标的 A-1: 1台（套），单位价值 ¥100,000.00 → 1台（套），单位价值 ¥120,000.00",
                "保险标的 A-2: 1台（套），单位价值 ¥100,000.00 → 不再承保",
                "保险标的 A-3: — → 新增 2台（套），单位价值 ¥100,000.00",
                "投保数量: 2台（套） → 3台（套）",
                "保险金额（投保装备总价值）: ¥200,000.00 → ¥320,000.00",
                "累计责任限额: ¥2,000,000.00 → ¥2,400,000.00",
                "保险期间终止日: 2025年12月31日 → 2026年3月31日",
            ]
        );
        assert!(super::term_changes(&before, &before, set, "台（套）").is_empty());
    }
}
