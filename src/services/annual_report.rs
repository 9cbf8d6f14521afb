//! The yearly underwriting and claims report to a provincial regulator (Shanxi 004
//! 第十八条: 每年向山西银保监局报告承保理赔情况). A programme file that carries an
//! `[annual_report]` section owes one; it covers the policies of every programme of the
//! file's scheme.
//!
//! Figures for year Y run from 1 January Y to the cut-off — 31 December Y, or today
//! while the year is still running — and are computed set-based in SQL
//! (`store::annual_reports::figures`), per maker and product:
//! - 承保件数 policies whose cover starts in the year (their issue is written then);
//! - 签单保费 premium written: every issue, endorsement and cancellation piece effective
//!   in the year (a cancellation's return premium is negative);
//! - 实收保费 premium collected: payments received in the year, not reversed, less
//!   refunds paid in the year;
//! - 报案件数 claims reported in the year; 已决赔款 claim payments made in the year;
//! - 未决件数 / 未决赔款 claims reported by the cut-off and not closed by it, with their
//!   case reserve at the cut-off.
//!
//! The staff page shows it (HTML), it downloads as PDF and XLSX, and it is queued to the
//! regulator's recipients through the outbox — PDF and XLSX attached — with a key
//! derived from the figures, so the same figures go once.

use crate::domain::text::Text;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::documents::{
    render_annual_report, AnnualReportPdf, Branding, DocumentFont, SealArtwork,
};
use crate::domain::money::Money;
use crate::domain::programme::{AnnualReportRule, SourceRef};
use crate::domain::role::Role;
use crate::services::outbox::{enqueue_mail, Attachment, Mail};
use crate::services::Ctx;
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::annual_reports::{self as store, FigureRow, NewReport, ReportRow};
use crate::store::audit::{self, AuditEntry};

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

/// May read the report: underwriting, the actuary, administrators and auditors.
pub fn may_read(role: Role) -> bool {
    role.underwrites() || matches!(role, Role::Actuary | Role::Admin | Role::Auditor)
}

/// May send it to the regulator: the actuary, a senior underwriter, administrators.
pub fn may_send(role: Role) -> bool {
    matches!(role, Role::Actuary | Role::SeniorUnderwriter | Role::Admin)
}

/// The figures of one line (a product, a maker's subtotal or the total), exact in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// 承保件数
    pub policies: i64,
    /// 签单保费
    #[schema(value_type = String)]
    pub written: Money,
    /// 实收保费
    #[schema(value_type = String)]
    pub collected: Money,
    /// 报案件数
    pub reported: i64,
    /// 已决赔款
    #[schema(value_type = String)]
    pub paid: Money,
    /// 未决件数
    pub open_claims: i64,
    /// 未决赔款
    #[schema(value_type = String)]
    pub outstanding: Money,
}

impl Figures {
    fn of(r: &FigureRow) -> Figures {
        Figures {
            policies: r.policies,
            written: Money::from_fen(r.written),
            collected: Money::from_fen(r.collected),
            reported: r.reported,
            paid: r.paid,
            open_claims: r.open_claims,
            outstanding: Money::from_fen(r.outstanding),
        }
    }

    /// This plus `o`, or an error if an amount overflows.
    fn plus(self, o: &Figures) -> ServiceResult<Figures> {
        let add = |a: Money, b: Money| {
            a.checked_add(b)
                .ok_or_else(|| internal("annual report amounts overflow"))
        };
        Ok(Figures {
            policies: self.policies.saturating_add(o.policies),
            written: add(self.written, o.written)?,
            collected: add(self.collected, o.collected)?,
            reported: self.reported.saturating_add(o.reported),
            paid: add(self.paid, o.paid)?,
            open_claims: self.open_claims.saturating_add(o.open_claims),
            outstanding: add(self.outstanding, o.outstanding)?,
        })
    }
}

/// One product of a maker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProductLine {
    pub catalogue_item_id: i64,
    pub product: String,
    pub figures: Figures,
}

/// One maker: its products and its subtotal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MakerGroup {
    pub maker_id: i64,
    pub maker: String,
    pub products: Vec<ProductLine>,
    pub subtotal: Figures,
}

/// The report for one scheme and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AnnualReport {
    pub scheme: String,
    /// The programme files whose policies it covers.
    pub programme_ids: Vec<String>,
    #[schema(value_type = Object)]
    pub title: Text,
    #[schema(value_type = Object)]
    pub recipient: Text,
    #[schema(value_type = Object)]
    pub source: SourceRef,
    /// 保险人 as configured.
    pub insurer: String,
    pub year: i32,
    /// First day counted (1 January).
    pub from: NaiveDate,
    /// The cut-off: 31 December, or today while the year runs.
    pub as_of: NaiveDate,
    /// The year is over (the cut-off is 31 December).
    pub complete: bool,
    pub makers: Vec<MakerGroup>,
    pub total: Figures,
}

/// The programmes of `scheme` and the report rule one of them carries.
fn scheme_rule<'a>(
    ctx: &'a Ctx<'_>,
    scheme: &str,
) -> ServiceResult<(Vec<String>, &'a AnnualReportRule)> {
    let programmes: Vec<_> = ctx
        .library
        .programmes()
        .iter()
        .filter(|p| p.scheme() == scheme)
        .collect();
    let rule = programmes
        .iter()
        .find_map(|p| p.annual_report.as_ref())
        .ok_or(ServiceError::NotFound("annual report"))?;
    Ok((programmes.iter().map(|p| p.id.clone()).collect(), rule))
}

/// The schemes that owe an annual report: (scheme, title).
pub fn schemes(ctx: &Ctx<'_>) -> Vec<(String, Text)> {
    let mut out: Vec<(String, Text)> = Vec::new();
    for p in ctx.library.programmes() {
        if let Some(r) = &p.annual_report {
            if !out.iter().any(|(s, _)| s == p.scheme()) {
                out.push((p.scheme().to_string(), r.title.clone()));
            }
        }
    }
    out
}

fn check_year(ctx: &Ctx<'_>, year: i32) -> ServiceResult<(NaiveDate, NaiveDate, bool)> {
    let today = ctx.clock.today();
    let bad = || {
        ServiceError::field(
            "year",
            format!("the year must be between 2000 and {}", today.year()),
            format!("报告年度须在 2000 至 {} 之间", today.year()),
        )
    };
    if !(2000..=today.year()).contains(&year) {
        return Err(bad());
    }
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?;
    let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?;
    Ok((from, end.min(today), end <= today))
}

/// The report of `scheme` for `year`.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn build(
    ctx: &Ctx<'_>,
    actor: &Actor,
    scheme: &str,
    year: i32,
) -> ServiceResult<AnnualReport> {
    actor.require(may_read(actor.role), "read the annual report")?;
    let (programme_ids, rule) = scheme_rule(ctx, scheme)?;
    let (from, as_of, complete) = check_year(ctx, year)?;
    let mut tx = ctx.db.read().await?;
    let rows = store::figures(&mut tx, &programme_ids, from, as_of).await?;
    tx.commit().await?;
    let mut makers: Vec<MakerGroup> = Vec::new();
    let mut total = Figures::default();
    for r in &rows {
        let f = Figures::of(r);
        total = total.plus(&f)?;
        if makers.last().is_none_or(|m| m.maker_id != r.maker_id) {
            makers.push(MakerGroup {
                maker_id: r.maker_id,
                maker: r.maker_name.clone(),
                products: Vec::new(),
                subtotal: Figures::default(),
            });
        }
        if let Some(m) = makers.last_mut() {
            m.subtotal = m.subtotal.plus(&f)?;
            m.products.push(ProductLine {
                catalogue_item_id: r.catalogue_item_id,
                product: r.product_name.clone(),
                figures: f,
            });
        }
    }
    let insurer = &ctx.config.insurer;
    Ok(AnnualReport {
        scheme: scheme.to_string(),
        programme_ids,
        title: rule.title.clone(),
        recipient: rule.recipient.clone(),
        source: rule.source.clone(),
        insurer: format!("{}{}", insurer.name, insurer.branch),
        year,
        from,
        as_of,
        complete,
        makers,
        total,
    })
}

/// What each column counts, in both languages (page, PDF, XLSX).
pub const NOTES: [(&str, &str); 5] = [
    (
        "承保件数：保险期间起始日在本年度内的保单；签单保费：本年度内生效的出单、批改、退保保费（退保为负数）。",
        "Policies: cover starting in the year; premium written: issue, endorsement and cancellation pieces effective in the year (a cancellation is negative).",
    ),
    (
        "实收保费：本年度内收到且未冲销的保费，减去本年度内的退费。",
        "Premium collected: payments received in the year and not reversed, less refunds paid in the year.",
    ),
    (
        "报案件数：本年度内报案的赔案；已决赔款：本年度内支付的赔款。",
        "Claims reported: claims reported in the year; claims paid: claim payments made in the year.",
    ),
    (
        "未决件数、未决赔款：截至统计截止日已报案未结案的赔案及其截止日的案件准备金。",
        "Open claims and outstanding: claims reported and not closed by the cut-off, with their case reserve on that day.",
    ),
    (
        "金额单位：元，精确到分。",
        "Amounts in CNY, exact to the fen.",
    ),
];

const HEADINGS: [&str; 9] = [
    "生产企业 Maker",
    "产品 Product",
    "承保件数 Policies",
    "签单保费 Premium written",
    "实收保费 Premium collected",
    "报案件数 Claims reported",
    "已决赔款 Claims paid",
    "未决件数 Open claims",
    "未决赔款 Outstanding",
];

/// One printed line: the maker and product cells, then the figures.
struct Line<'a> {
    maker: &'a str,
    product: &'a str,
    figures: &'a Figures,
}

fn lines(r: &AnnualReport) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    for m in &r.makers {
        for p in &m.products {
            out.push(Line {
                maker: &m.maker,
                product: &p.product,
                figures: &p.figures,
            });
        }
        out.push(Line {
            maker: &m.maker,
            product: "小计 Subtotal",
            figures: &m.subtotal,
        });
    }
    out.push(Line {
        maker: "合计 Total",
        product: "",
        figures: &r.total,
    });
    out
}

fn cells(l: &Line<'_>) -> [String; 9] {
    let f = l.figures;
    [
        l.maker.to_string(),
        l.product.to_string(),
        f.policies.to_string(),
        f.written.grouped(),
        f.collected.grouped(),
        f.reported.to_string(),
        f.paid.grouped(),
        f.open_claims.to_string(),
        f.outstanding.grouped(),
    ]
}

fn period_words(r: &AnnualReport) -> (String, String) {
    let zh = format!(
        "{} 至 {}{}",
        r.from,
        r.as_of,
        if r.complete {
            ""
        } else {
            "（年度未结束）"
        }
    );
    let en = format!(
        "{} to {}{}",
        r.from,
        r.as_of,
        if r.complete {
            ""
        } else {
            " (year still running)"
        }
    );
    (zh, en)
}

/// The PDF's content: every cell as display text.
pub fn pdf_content(r: &AnnualReport) -> AnnualReportPdf {
    let (zh, en) = period_words(r);
    AnnualReportPdf {
        title: r.title.zh.clone(),
        year: r.year.to_string(),
        as_of: r.as_of,
        facts: vec![
            ("报告年度 Year".into(), r.year.to_string()),
            ("统计期间 Period".into(), format!("{zh} / {en}")),
            ("保险人 Insurer".into(), r.insurer.clone()),
            (
                "报送单位 To".into(),
                format!("{} / {}", r.recipient.zh, r.recipient.en),
            ),
            (
                "依据 Basis".into(),
                format!("{} {}：{}", r.source.seed, r.source.article, r.source.quote),
            ),
            ("补贴政策 Programmes".into(), r.programme_ids.join(", ")),
        ],
        rows: lines(r).iter().map(cells).collect(),
        notes: NOTES.iter().map(|(zh, en)| format!("{zh} {en}")).collect(),
    }
}

/// The report as PDF with the insurer's branding.
pub fn pdf(ctx: &Ctx<'_>, r: &AnnualReport) -> ServiceResult<Vec<u8>> {
    let font = DocumentFont::load_default()
        .map_err(|e| ServiceError::internal_from("load the document font", e))?;
    let branding = Branding::new(
        ctx.config.insurer.name.clone(),
        ctx.config.insurer.branch.clone(),
        &SealArtwork::default(),
        font,
    )
    .map_err(|e| ServiceError::internal_from("load the seal and font", e))?;
    render_annual_report(&pdf_content(r), &branding)
        .map_err(|e| ServiceError::internal_from("render the annual report PDF", e))
}

/// A text cell that a spreadsheet cannot run as a formula: a leading `=`, `+`, `-`, `@`,
/// tab or carriage return gets a leading apostrophe.
pub fn neutral(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// An amount as the nearest double to its exact decimal (two places).
fn number(m: Money) -> f64 {
    m.to_decimal().to_string().parse().unwrap_or(0.0)
}

/// The report as XLSX: a title, the period, a header row, one row per line with
/// amounts as numbers (format `#,##0.00`), then the definitions.
pub fn xlsx(r: &AnnualReport) -> ServiceResult<Vec<u8>> {
    let x = |e: rust_xlsxwriter::XlsxError| {
        ServiceError::internal_from("write the annual report workbook", e)
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(r.year.to_string()).map_err(x)?;
    let bold = Format::new().set_bold();
    let amount = Format::new().set_num_format("#,##0.00");
    let (zh, en) = period_words(r);
    sheet
        .write_string_with_format(0, 0, neutral(&format!("{} {}", r.title.zh, r.year)), &bold)
        .map_err(x)?;
    sheet
        .write_string(1, 0, neutral(&format!("{} · {zh} / {en}", r.insurer)))
        .map_err(x)?;
    sheet
        .write_string(
            2,
            0,
            neutral(&format!("报送 {} / {}", r.recipient.zh, r.recipient.en)),
        )
        .map_err(x)?;
    for (c, h) in HEADINGS.iter().enumerate() {
        sheet
            .write_string_with_format(3, c as u16, *h, &bold)
            .map_err(x)?;
    }
    let mut row = 4u32;
    for l in lines(r) {
        let f = l.figures;
        sheet.write_string(row, 0, neutral(l.maker)).map_err(x)?;
        sheet.write_string(row, 1, neutral(l.product)).map_err(x)?;
        for (c, n) in [(2u16, f.policies), (5, f.reported), (7, f.open_claims)] {
            sheet.write_number(row, c, n as f64).map_err(x)?;
        }
        for (c, m) in [
            (3u16, f.written),
            (4, f.collected),
            (6, f.paid),
            (8, f.outstanding),
        ] {
            sheet
                .write_number_with_format(row, c, number(m), &amount)
                .map_err(x)?;
        }
        row += 1;
    }
    row += 1;
    for (zh, en) in NOTES {
        sheet
            .write_string(row, 0, neutral(&format!("{zh} {en}")))
            .map_err(x)?;
        row += 1;
    }
    book.save_to_buffer().map_err(x)
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A queued report as the page and the API list it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueuedReport {
    pub annual_report_id: i64,
    pub scheme: String,
    pub year: i32,
    pub as_of: NaiveDate,
    pub pdf_sha256: String,
    pub xlsx_sha256: String,
    pub mail_outbox_id: Option<i64>,
    /// The mail's state in the outbox (`pending`, `delivered`, `dead`).
    pub delivery: Option<String>,
    pub queued_by: String,
    pub queued_at: chrono::DateTime<chrono::Utc>,
}

async fn view(tx: &mut crate::store::Tx, r: &ReportRow) -> ServiceResult<QueuedReport> {
    let delivery = match r.mail_outbox_id {
        Some(id) => crate::store::outbox::get(tx, id)
            .await?
            .map(|o| o.status.as_str().to_string()),
        None => None,
    };
    Ok(QueuedReport {
        annual_report_id: r.annual_report_id,
        scheme: r.scheme.clone(),
        year: r.year,
        as_of: r.as_of,
        pdf_sha256: r.pdf_sha256.clone(),
        xlsx_sha256: r.xlsx_sha256.clone(),
        mail_outbox_id: r.mail_outbox_id,
        delivery,
        queued_by: r.queued_by_name.clone(),
        queued_at: r.queued_at,
    })
}

/// Queue the report of `scheme` and `year` to `[regulator] recipients` (PDF and XLSX
/// attached), store what was sent and audit it, in one transaction. The same figures
/// are sent once: a second request with nothing changed is a conflict naming the first.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn queue(
    ctx: &Ctx<'_>,
    actor: &Actor,
    scheme: &str,
    year: i32,
) -> ServiceResult<QueuedReport> {
    actor.require(may_send(actor.role), "send the annual report")?;
    let recipients = &ctx.config.regulator.recipients;
    if recipients.iter().all(|a| a.trim().is_empty()) {
        return Err(ServiceError::Conflict(Text::new(
            "尚未配置监管报送收件人（[regulator] recipients），不能报送年报",
            "[regulator] recipients must be configured to send the annual report",
        )));
    }
    let report = build(ctx, actor, scheme, year).await?;
    let figures_json = serde_json::to_string(&report)
        .map_err(|e| ServiceError::internal_from("serialise the annual report figures", e))?;
    let pdf = pdf(ctx, &report)?;
    let xlsx = xlsx(&report)?;
    let key = format!(
        "annual-report-{scheme}-{year}-{}",
        &hex(figures_json.as_bytes())[..16]
    );
    if let Some((id, status)) = crate::services::outbox::status_by_key(ctx, &key).await? {
        return Err(ServiceError::Conflict(Text::new(
            format!(
                "{year} 年度相同数据的年报已排队报送（发送编号 #{id}，{}）",
                status.zh()
            ),
            format!(
                "the {year} report with these figures was queued already (delivery #{id}, {})",
                status.en()
            ),
        )));
    }
    let name = format!("{scheme}-{year}");
    let t = &report.total;
    let mail = Mail {
        to: recipients.clone(),
        subject: format!(
            "{} {}（{}） / {} {}",
            report.title.zh, year, report.insurer, report.title.en, year
        ),
        text: format!(
            "{recipient_zh}：\n{insurer} {year} 年度首批次新材料保险承保理赔情况见附件（统计至 {as_of}）：\
             承保 {p} 件，签单保费 {w} 元，实收保费 {c} 元，报案 {r} 件，已决赔款 {pd} 元，未决 {o} 件、{os} 元。\n\n\
             {recipient_en}:\nattached is {insurer}'s {year} first-batch underwriting and claims report \
             (to {as_of}): {p} policies, premium written {w} CNY, collected {c} CNY, {r} claims reported, \
             {pd} CNY paid, {o} open claims with {os} CNY outstanding.\n\n依据 Basis: {seed} {article}\n",
            recipient_zh = report.recipient.zh,
            recipient_en = report.recipient.en,
            insurer = report.insurer,
            as_of = report.as_of,
            p = t.policies,
            w = t.written.grouped(),
            c = t.collected.grouped(),
            r = t.reported,
            pd = t.paid.grouped(),
            o = t.open_claims,
            os = t.outstanding.grouped(),
            seed = report.source.seed,
            article = report.source.article,
        ),
        attachments: vec![
            Attachment {
                filename: format!("annual-report-{name}.pdf"),
                content_type: "application/pdf".into(),
                bytes: pdf.clone(),
            },
            Attachment {
                filename: format!("annual-report-{name}.xlsx"),
                content_type:
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
                bytes: xlsx.clone(),
            },
        ],
    };
    let mut tx = ctx.db.write().await?;
    let outbox_id = enqueue_mail(&mut tx, &key, &mail).await?;
    let row = store::insert(
        &mut tx,
        &NewReport {
            scheme,
            year,
            as_of: report.as_of,
            figures_json,
            pdf_sha256: hex(&pdf),
            xlsx_sha256: hex(&xlsx),
            mail_outbox_id: outbox_id,
            queued_by: (actor.user_id != 0).then_some(actor.user_id),
            queued_by_name: &actor.username,
        },
    )
    .await?;
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "annual_report.queue",
            entity_type: "annual_report",
            entity_id: row.annual_report_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "scheme": scheme, "year": year, "as_of": report.as_of,
                "policies": t.policies, "written": t.written, "collected": t.collected,
                "reported": t.reported, "paid": t.paid, "open_claims": t.open_claims,
                "outstanding": t.outstanding, "pdf_sha256": row.pdf_sha256,
                "xlsx_sha256": row.xlsx_sha256, "mail_outbox_id": outbox_id,
            })),
        },
    )
    .await?;
    let v = view(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(v)
}

/// The reports queued for a scheme, newest first, a page of `limit` from `after`, with
/// the total.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn list(
    ctx: &Ctx<'_>,
    actor: &Actor,
    scheme: &str,
    limit: Option<i64>,
    after: Option<&str>,
) -> ServiceResult<crate::paging::Paged<QueuedReport>> {
    actor.require(may_read(actor.role), "read the annual report")?;
    scheme_rule(ctx, scheme)?;
    let seek = crate::services::seek(limit, after, store::order(true));
    let mut tx = ctx.db.read().await?;
    let page = store::list(&mut tx, scheme, &seek).await?;
    let mut out = Vec::with_capacity(page.rows.len());
    for r in &page.rows {
        out.push(view(&mut tx, r).await?);
    }
    tx.commit().await?;
    Ok(page.with_rows(out))
}

#[cfg(test)]
mod tests {
    use super::neutral;

    #[test]
    fn formula_like_cells_are_neutralised() {
        for s in ["=1+1", "+86", "-3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutral(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(neutral("山西某新材料有限公司"), "山西某新材料有限公司");
    }
}
