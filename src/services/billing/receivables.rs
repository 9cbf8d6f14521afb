//! Receivables (应收保费): who owes what on a day, aged by how long each installment is
//! overdue, per policy and per maker with totals; exported as CSV or XLSX; and the
//! reminder mails (催缴提醒) before an installment falls due and once it is overdue,
//! queued through the outbox — never twice for one installment, due date and stage
//! (`premium_reminder`'s primary key and the outbox's dedupe key both say so).

use super::owed::{owed, owed_page};
use super::require_finance;
use crate::domain::billing::ageing::{self, Buckets};
use crate::domain::money::{Money, Overflow};
use crate::paging::Total;
use crate::services::outbox::{self, Mail};
use crate::services::Ctx;
use crate::services::{Actor, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::billing::BilledPolicy;
use crate::store::receivables as store;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// One policy's unpaid premium by bucket.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyReceivable {
    pub policy_id: i64,
    pub policy_number: String,
    pub maker_id: i64,
    pub maker_name: String,
    /// The earliest unpaid due date.
    pub oldest_due: NaiveDate,
    pub buckets: Buckets,
    #[schema(value_type = String)]
    pub total: Money,
}

/// One maker's unpaid premium by bucket, over its policies.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MakerReceivable {
    pub maker_id: i64,
    pub maker_name: String,
    pub policies: usize,
    pub buckets: Buckets,
    #[schema(value_type = String)]
    pub total: Money,
}

/// Receivables on a day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Receivables {
    pub as_of: NaiveDate,
    pub policies: Vec<PolicyReceivable>,
    pub makers: Vec<MakerReceivable>,
    pub totals: Buckets,
    #[schema(value_type = String)]
    pub total: Money,
    /// true: `policies`, `makers` and the totals cover one page of issued policies
    /// (follow `next` as `after`); false: the whole book (the exports).
    pub paged: bool,
    /// How many issued policies the filter matches (exact up to 1,000).
    pub issued: Total,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// A receivables request: the day, one maker, and the page of issued policies.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReceivablesQuery {
    /// The day to age on (default today).
    pub as_of: Option<NaiveDate>,
    pub maker_id: Option<i64>,
    /// Issued policies per page, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The cursor of the page to read (`next` or `prev` of the page before).
    pub after: Option<String>,
}

/// What one page of policies owes on `as_of`, computed set-based for the page.
async fn owed_rows(
    tx: &mut crate::store::Tx,
    page: &[BilledPolicy],
    as_of: NaiveDate,
) -> ServiceResult<Vec<PolicyReceivable>> {
    let mut owed = owed_page(tx, page).await?;
    let mut out = Vec::new();
    for p in page {
        let open = owed.remove(&p.policy_id).unwrap_or_default();
        let open: Vec<(NaiveDate, Money)> =
            open.iter().map(|i| (i.due_on, i.outstanding)).collect();
        let Some(oldest_due) = open.iter().map(|(d, _)| *d).min() else {
            continue;
        };
        let buckets = ageing::age(&open, as_of)?;
        out.push(PolicyReceivable {
            policy_id: p.policy_id,
            policy_number: p.policy_number.clone().unwrap_or_default(),
            maker_id: p.maker_id,
            maker_name: p.maker_name.clone(),
            oldest_due,
            total: buckets.total()?,
            buckets,
        });
    }
    Ok(out)
}

/// Policies sorted oldest debt first, and per maker by what they owe, most first.
fn summarise(
    mut policies: Vec<PolicyReceivable>,
) -> Result<(Vec<PolicyReceivable>, Vec<MakerReceivable>, Buckets), Overflow> {
    policies.sort_by(|a, b| {
        a.oldest_due
            .cmp(&b.oldest_due)
            .then(a.policy_id.cmp(&b.policy_id))
    });
    let mut makers: Vec<MakerReceivable> = Vec::new();
    let mut totals = Buckets::default();
    let mut at: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for p in &policies {
        totals.merge(&p.buckets)?;
        match at.get(&p.maker_id) {
            Some(&i) => {
                let m = &mut makers[i];
                m.policies += 1;
                m.buckets.merge(&p.buckets)?;
                m.total = m.buckets.total()?;
            }
            None => {
                at.insert(p.maker_id, makers.len());
                makers.push(MakerReceivable {
                    maker_id: p.maker_id,
                    maker_name: p.maker_name.clone(),
                    policies: 1,
                    buckets: p.buckets,
                    total: p.total,
                });
            }
        }
    }
    makers.sort_by(|a, b| b.total.cmp(&a.total).then(a.maker_id.cmp(&b.maker_id)));
    Ok((policies, makers, totals))
}

/// One page of issued policies and what they owe on the day (the page and the API):
/// the cost is the page's, whatever the size of the book.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn receivables_page(
    ctx: &Ctx<'_>,
    actor: &Actor,
    today: NaiveDate,
    q: &ReceivablesQuery,
) -> ServiceResult<Receivables> {
    let db = ctx.db;
    require_finance(actor, "see receivables")?;
    let as_of = q.as_of.unwrap_or(today);
    let seek = crate::services::seek(q.limit, q.after.as_deref(), store::order(false));
    let mut tx = db.read().await?;
    let page = store::issued_page(&mut tx, q.maker_id, &seek).await?;
    let rows = owed_rows(&mut tx, &page.rows, as_of).await?;
    let (policies, makers, totals) = summarise(rows)?;
    Ok(Receivables {
        as_of,
        policies,
        makers,
        total: totals.total()?,
        totals,
        paged: true,
        issued: page.total,
        next: page.next,
        prev: page.prev,
    })
}

/// Everything owed on `as_of` over the whole book (the CSV and XLSX exports), read
/// 500 issued policies at a time, each page set-based.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn receivables(
    ctx: &Ctx<'_>,
    actor: &Actor,
    as_of: NaiveDate,
) -> ServiceResult<Receivables> {
    let db = ctx.db;
    require_finance(actor, "see receivables")?;
    let mut tx = db.read().await?;
    let mut rows = Vec::new();
    let mut seek = crate::services::seek(Some(500), None, store::order(false));
    let mut issued = 0i64;
    loop {
        let page = store::issued_page(&mut tx, None, &seek).await?;
        issued += i64::try_from(page.rows.len()).unwrap_or(i64::MAX);
        rows.extend(owed_rows(&mut tx, &page.rows, as_of).await?);
        match page.next.as_deref() {
            Some(n) => seek = crate::services::seek(Some(500), Some(n), store::order(false)),
            None => break,
        }
    }
    let (policies, makers, totals) = summarise(rows)?;
    Ok(Receivables {
        as_of,
        policies,
        makers,
        total: totals.total()?,
        totals,
        paged: false,
        issued: Total {
            count: issued,
            exact: true,
        },
        next: None,
        prev: None,
    })
}

/// Overdue premium over the whole book on a day: for the finance dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OverdueSummary {
    /// Issued policies with premium overdue.
    pub policies: i64,
    pub amount: Money,
}

/// How many policies owe overdue premium on `as_of`, and how much — from the arrears
/// ledger (`store::arrears`, a row per due date), not a walk of the book.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn overdue_summary(
    ctx: &Ctx<'_>,
    actor: &Actor,
    as_of: NaiveDate,
) -> ServiceResult<OverdueSummary> {
    let db = ctx.db;
    require_finance(actor, "see receivables")?;
    let mut tx = db.read().await?;
    let (policies, amount) = crate::store::arrears::overdue(&mut tx, as_of).await?;
    Ok(OverdueSummary { policies, amount })
}

/// Fold the arrears ledger's delta rows into one row per due date (the summary-folding
/// job): (rows before, rows after). Changes no figure, so it is not audited.
#[tracing::instrument(skip_all)]
pub async fn fold_arrears(ctx: &Ctx<'_>) -> ServiceResult<(i64, i64)> {
    let mut tx = ctx.db.write().await?;
    let f = crate::store::arrears::compact(&mut tx).await?;
    tx.commit().await?;
    Ok((f.before, f.after))
}

/// What one reminder run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReminderReport {
    pub queued: usize,
    /// Due a reminder, but already reminded at this stage.
    pub already_sent: usize,
    /// Due a reminder, but the maker has no contact e-mail.
    pub no_contact: usize,
}

fn reminder_mail(
    to: &str,
    stage: &str,
    number: &str,
    maker: &str,
    due_on: NaiveDate,
    outstanding: Money,
) -> Mail {
    let (zh_head, en_head) = if stage == "overdue" {
        ("保费已逾期", "Premium overdue")
    } else {
        ("保费即将到期", "Premium falling due")
    };
    Mail {
        to: vec![to.to_string()],
        subject: format!("{zh_head}：保单 {number} / {en_head}: policy {number}"),
        text: format!(
            "{maker}：\n\n保单 {number} 的一期保费 {} 元应于 {due_on} 缴纳，目前尚未收到。请按期缴纳，\
             并在转账附言中注明保单号。如已缴纳，请忽略本提醒。\n\n\
             Dear {maker},\n\nAn installment of {} CNY on policy {number} is due on {due_on} and has \
             not been received. Please pay it with the policy number in the transfer reference. If \
             you have paid already, please disregard this reminder.\n",
            outstanding.grouped(),
            outstanding.grouped(),
        ),
        attachments: Vec::new(),
    }
}

/// Queue the reminders due on `as_of` (the serve schedule and `firstcover billing
/// remind` call this). One transaction and one audit row per reminder.
#[tracing::instrument(skip_all)]
pub async fn send_reminders(ctx: &Ctx<'_>, as_of: NaiveDate) -> ServiceResult<ReminderReport> {
    let settings = &ctx.config.billing;
    let db = ctx.db;
    let mut report = ReminderReport::default();
    let policies = {
        let mut tx = db.read().await?;
        store::issued_policies_with_contact(&mut tx).await?
    };
    for (p, email) in policies {
        let due: Vec<_> = {
            let mut tx = db.read().await?;
            owed(&mut tx, &p).await?.open
        };
        for i in due {
            let Some(stage) = ageing::reminder_stage(
                i.due_on,
                as_of,
                settings.reminder_days_before,
                settings.reminder_days_overdue,
            ) else {
                continue;
            };
            if email.trim().is_empty() {
                report.no_contact += 1;
                continue;
            }
            let mut tx = db.write().await?;
            if !store::claim_reminder(&mut tx, p.policy_id, i.seq, i.due_on, stage, as_of).await? {
                report.already_sent += 1;
                continue;
            }
            let number = p.policy_number.clone().unwrap_or_default();
            let key = format!(
                "premium-reminder-{}-{}-{}-{stage}",
                p.policy_id, i.seq, i.due_on
            );
            let mail = reminder_mail(
                &email,
                stage,
                &number,
                &p.maker_name,
                i.due_on,
                i.outstanding,
            );
            let outbox_id = outbox::enqueue_mail(&mut tx, &key, &mail).await?;
            store::set_reminder_outbox(&mut tx, p.policy_id, i.seq, i.due_on, stage, outbox_id)
                .await?;
            audit::append(
                &mut tx,
                &Actor::system().audit(),
                AuditEntry {
                    action: "billing.premium_reminder",
                    entity_type: "policy",
                    entity_id: p.policy_id.to_string(),
                    before: None,
                    after: Some(json!({
                        "installment": i.seq, "due_on": i.due_on, "stage": stage,
                        "outstanding": i.outstanding, "to": email, "outbox_id": outbox_id,
                    })),
                },
            )
            .await?;
            tx.commit().await?;
            report.queued += 1;
        }
    }
    Ok(report)
}

/// Keep a cell from being read as a formula by a spreadsheet (the OWASP rule,
/// `documents::cells`).
fn cell(text: &str) -> String {
    crate::documents::cells::neutralise(text).into_owned()
}

const HEADER: [&str; 10] = [
    "保单号 Policy",
    "投保人 Maker",
    "最早应缴日 Oldest due",
    "未到期 Not yet due",
    "逾期1-30天 1-30 days",
    "逾期31-90天 31-90 days",
    "逾期90天以上 Over 90 days",
    "合计 Total",
    "统计日 As of",
    "保单ID Policy id",
];

fn rows(r: &Receivables) -> Vec<[String; 10]> {
    r.policies
        .iter()
        .map(|p| {
            [
                cell(&p.policy_number),
                cell(&p.maker_name),
                p.oldest_due.to_string(),
                p.buckets.not_due.to_string(),
                p.buckets.days_1_30.to_string(),
                p.buckets.days_31_90.to_string(),
                p.buckets.over_90.to_string(),
                p.total.to_string(),
                r.as_of.to_string(),
                p.policy_id.to_string(),
            ]
        })
        .collect()
}

/// CSV, UTF-8 with BOM (so Excel reads the Chinese), one row per policy and a total row.
pub fn receivables_csv(r: &Receivables) -> ServiceResult<Vec<u8>> {
    let internal = |e: csv::Error| {
        crate::services::ServiceError::internal_from("write the receivables CSV", e)
    };
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADER).map_err(internal)?;
    for row in rows(r) {
        w.write_record(&row).map_err(internal)?;
    }
    let t = &r.totals;
    w.write_record([
        "合计 Total".to_string(),
        String::new(),
        String::new(),
        t.not_due.to_string(),
        t.days_1_30.to_string(),
        t.days_31_90.to_string(),
        t.over_90.to_string(),
        r.total.to_string(),
        r.as_of.to_string(),
        String::new(),
    ])
    .map_err(internal)?;
    w.into_inner()
        .map_err(|e| crate::services::ServiceError::internal_from("finish the CSV file", e))
}

/// XLSX: amounts as numbers (two decimals), one row per policy and a total row.
pub fn receivables_xlsx(r: &Receivables) -> ServiceResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| {
        crate::services::ServiceError::internal_from("write the receivables XLSX", e)
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("应收保费").map_err(x)?;
    let money = Format::new().set_num_format("#,##0.00");
    let bold = Format::new().set_bold();
    for (c, h) in HEADER.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(x)?;
    }
    let amount = |m: Money| m.fen() as f64 / 100.0;
    let mut row = 1u32;
    for p in &r.policies {
        sheet
            .write_string(row, 0, cell(&p.policy_number))
            .map_err(x)?;
        sheet.write_string(row, 1, cell(&p.maker_name)).map_err(x)?;
        sheet
            .write_string(row, 2, p.oldest_due.to_string())
            .map_err(x)?;
        for (c, m) in [
            p.buckets.not_due,
            p.buckets.days_1_30,
            p.buckets.days_31_90,
            p.buckets.over_90,
            p.total,
        ]
        .into_iter()
        .enumerate()
        {
            sheet
                .write_number_with_format(row, 3 + c as u16, amount(m), &money)
                .map_err(x)?;
        }
        sheet.write_string(row, 8, r.as_of.to_string()).map_err(x)?;
        sheet.write_number(row, 9, p.policy_id as f64).map_err(x)?;
        row += 1;
    }
    sheet
        .write_string_with_format(row, 0, "合计 Total", &bold)
        .map_err(x)?;
    let t = &r.totals;
    for (c, m) in [t.not_due, t.days_1_30, t.days_31_90, t.over_90, r.total]
        .into_iter()
        .enumerate()
    {
        sheet
            .write_number_with_format(row, 3 + c as u16, amount(m), &money)
            .map_err(x)?;
    }
    book.save_to_buffer().map_err(x)
}
