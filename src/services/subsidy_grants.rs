//! Import of the subsidy actually granted (已获补贴 / 政府下达文件) per policy year from
//! a CSV or XLSX file: one `subsidy_granted` fact per row, exactly as staff record one
//! by hand (`services::subsidy_facts::record`), so the rows feed the same history —
//! Zhejiang's falling share, its consecutive-year limit and "continue after an
//! interruption" (003 二(一)2), the yearly cap per round and the national quota's use.
//!
//! All or nothing: every row is read and checked first; one bad row and nothing is
//! recorded, and the answer lists every bad row with its line and column in both
//! languages. A good file is recorded in one transaction, each fact audited, and the
//! import itself audited with the file's name, SHA-256 and row count.
//!
//! Columns, by their heading (Chinese or English, any order; other columns ignored):
//! 保单号 policy_number · 补贴政策 scheme · 申报年度 round · 补贴比例 ratio ·
//! 补贴金额 amount · 下达文件日期 notice_date · 下达文件 source_document.

use crate::services::Ctx;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::subsidy_facts::{record_in, FactView, RecordFact};
use super::{Actor, FieldError, ServiceError, ServiceResult};
use crate::domain::money::{Money, Rate};
use crate::domain::subsidy::facts::{FactKind, FactValue};
use crate::library::Library;
use crate::services::billing::statement_file;
use crate::store::audit::{self, AuditEntry};
use crate::store::{subsidy_facts as store, Db};

/// The columns: (field, Chinese heading, English heading).
pub const COLUMNS: [(&str, &str, &str); 7] = [
    ("policy_number", "保单号", "policy_number"),
    ("scheme", "补贴政策", "scheme"),
    ("round", "申报年度", "round"),
    ("ratio", "补贴比例", "ratio"),
    ("amount", "补贴金额", "amount"),
    ("notice_date", "下达文件日期", "notice_date"),
    ("source_document", "下达文件", "source_document"),
];

/// Rows a file may carry.
pub const MAX_ROWS: usize = 5_000;

/// What an import recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantImport {
    pub filename: String,
    pub sha256: String,
    /// Facts recorded, in file order.
    pub recorded: Vec<FactView>,
}

/// One row read and checked, ready to record.
struct GoodRow {
    line: usize,
    fact: RecordFact,
}

fn row_error(line: usize, column: &str, en: String, zh: String) -> FieldError {
    let (head_zh, head_en) = COLUMNS
        .iter()
        .find(|(f, _, _)| *f == column || column.ends_with(&format!(".{f}")))
        .map(|(_, zh, en)| (*zh, *en))
        .unwrap_or(("", column));
    let zh_at = if head_zh.is_empty() {
        format!("第 {line} 行")
    } else {
        format!("第 {line} 行「{head_zh}」")
    };
    FieldError::new(
        &format!("rows[{line}].{column}"),
        format!("line {line}, {head_en}: {en}"),
        format!("{zh_at}：{zh}"),
    )
}

fn heading_index(header: &[String]) -> Result<[usize; 7], Vec<FieldError>> {
    let mut idx = [usize::MAX; 7];
    let mut missing = Vec::new();
    for (i, (field, zh, en)) in COLUMNS.iter().enumerate() {
        match header.iter().position(|h| {
            let h = h.trim().trim_start_matches('\u{feff}');
            h == *zh || h.eq_ignore_ascii_case(en) || h == format!("{zh} {en}")
        }) {
            Some(p) => idx[i] = p,
            None => missing.push(FieldError::new(
                &format!("header.{field}"),
                format!("the file has no column '{en}' ({zh})"),
                format!("文件缺少「{zh}」列"),
            )),
        }
    }
    if missing.is_empty() {
        Ok(idx)
    } else {
        Err(missing)
    }
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y/%m/%d"))
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y年%m月%d日"))
        .ok()
}

/// A fraction (0.80) or a percentage (80%), kept with at least two places (0.80).
fn parse_ratio(text: &str) -> Option<Decimal> {
    let mut d = Rate::parse(text).ok()?.as_fraction().normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    Some(d)
}

/// Read and check the file; every bad row is an error.
async fn read(db: &Db, library: &Library, bytes: &[u8]) -> ServiceResult<Vec<GoodRow>> {
    let (_, sheet) =
        statement_file::read(bytes).map_err(|e| ServiceError::field("file", e.en(), e.zh()))?;
    let mut rows = sheet
        .rows
        .iter()
        .zip(&sheet.numbers)
        .filter(|(cells, _)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((header, _)) = rows.next() else {
        return Err(ServiceError::field("file", "the file is empty", "文件为空"));
    };
    let idx = heading_index(header).map_err(ServiceError::Validation)?;
    let body: Vec<(&Vec<String>, &usize)> = rows.collect();
    if body.is_empty() {
        return Err(ServiceError::field(
            "file",
            "the file has a heading but no rows",
            "文件只有表头，没有数据行",
        ));
    }
    if body.len() > MAX_ROWS {
        return Err(ServiceError::field(
            "file",
            format!("at most {MAX_ROWS} rows per file"),
            format!("每个文件最多 {MAX_ROWS} 行"),
        ));
    }
    let schemes: Vec<&str> = library.programmes().iter().map(|p| p.scheme()).collect();
    let mut errors = Vec::new();
    let mut good = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut tx = db.read().await?;
    for (cells, line) in body {
        let line = *line;
        let cell = |i: usize| cells.get(idx[i]).map(|s| s.trim()).unwrap_or("");
        let before = errors.len();
        let number = cell(0);
        let policy = if number.is_empty() {
            errors.push(row_error(
                line,
                "policy_number",
                "give the policy number".into(),
                "请填写保单号".into(),
            ));
            None
        } else {
            let found = store::policy_by_number(&mut tx, number).await?;
            if found.is_none() {
                errors.push(row_error(
                    line,
                    "policy_number",
                    format!("no issued policy {number}"),
                    format!("无已出单保单 {number}"),
                ));
            }
            found
        };
        let scheme = cell(1).to_string();
        if !schemes.contains(&scheme.as_str()) {
            errors.push(row_error(
                line,
                "scheme",
                format!(
                    "'{scheme}' is not the scheme of a programme ({})",
                    schemes.join(", ")
                ),
                format!(
                    "「{scheme}」不是已加载补贴政策的名称（{}）",
                    schemes.join("、")
                ),
            ));
        }
        let round = cell(2).parse::<i32>().ok();
        if round.is_none() {
            errors.push(row_error(
                line,
                "round",
                format!("'{}' is not a year", cell(2)),
                format!("「{}」不是年度", cell(2)),
            ));
        }
        let ratio = parse_ratio(cell(3));
        if ratio.is_none() {
            errors.push(row_error(
                line,
                "ratio",
                format!("'{}' is not a ratio (0.80 or 80%)", cell(3)),
                format!("「{}」不是比例（0.80 或 80%）", cell(3)),
            ));
        }
        let amount = Money::parse_non_negative(cell(4)).ok();
        if amount.is_none() {
            errors.push(row_error(
                line,
                "amount",
                format!(
                    "'{}' is not an amount in CNY with at most two decimals",
                    cell(4)
                ),
                format!("「{}」不是金额（元，最多两位小数）", cell(4)),
            ));
        }
        let notice = parse_date(cell(5));
        if notice.is_none() {
            errors.push(row_error(
                line,
                "notice_date",
                format!("'{}' is not a date (2025-06-30)", cell(5)),
                format!("「{}」不是日期（如 2025-06-30）", cell(5)),
            ));
        }
        let source = cell(6).to_string();
        if errors.len() > before {
            continue;
        }
        let (Some((policy_id, _)), Some(round), Some(ratio), Some(amount), Some(notice_date)) =
            (policy, round, ratio, amount, notice)
        else {
            continue;
        };
        if !seen.insert((policy_id, scheme.clone(), round)) {
            errors.push(row_error(
                line,
                "policy_number",
                format!("{number} has a second row for {scheme} {round}"),
                format!("保单 {number} 的 {scheme} {round} 年度补贴在文件中重复"),
            ));
            continue;
        }
        let fact = RecordFact {
            party_id: None,
            catalogue_item_id: None,
            policy_id: Some(policy_id),
            serial: None,
            source_document: source,
            value: FactValue::SubsidyGranted {
                scheme: scheme.clone(),
                round,
                ratio,
                amount,
                notice_date,
            },
        };
        // The same value recorded before: a second import of the same file.
        let recorded = store::about(&mut tx, None, None, Some(policy_id)).await?;
        let again = recorded
            .iter()
            .any(|r| r.fact == FactKind::SubsidyGranted.as_str() && r.value_json.0 == fact.value);
        if again {
            errors.push(row_error(
                line,
                "policy_number",
                format!("this grant of {number} ({scheme} {round}) is recorded already"),
                format!("保单 {number} 的该笔补贴（{scheme} {round}）已录入"),
            ));
            continue;
        }
        for p in fact.value.problems() {
            errors.push(row_error(line, p.0, p.1, p.2));
        }
        if fact.source_document.trim().is_empty() || fact.source_document.chars().count() > 500 {
            errors.push(row_error(
                line,
                "source_document",
                "name the government notice (at most 500 characters)".into(),
                "请填写下达文件（不超过 500 字）".into(),
            ));
        }
        if errors.len() == before {
            good.push(GoodRow { line, fact });
        }
    }
    tx.commit().await?;
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    Ok(good)
}

/// Import a file of grants: all rows recorded, or none.
#[tracing::instrument(skip_all, fields(actor = %actor.username))]
pub async fn import(
    ctx: &Ctx<'_>,
    actor: &Actor,
    library: &Library,
    filename: &str,
    bytes: &[u8],
) -> ServiceResult<GrantImport> {
    let db = ctx.db;
    actor.require(
        FactKind::SubsidyGranted.may_record(actor.role),
        "record subsidy grants",
    )?;
    let rows = read(db, library, bytes).await?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let filename = if filename.trim().is_empty() {
        "grants".to_string()
    } else {
        filename.trim().chars().take(200).collect()
    };
    let mut tx = db.write().await?;
    let mut recorded = Vec::with_capacity(rows.len());
    for r in &rows {
        match record_in(&mut tx, actor, &r.fact).await {
            Ok(v) => recorded.push(v),
            // Checked above; a subject that changed since is still that row's error.
            Err(ServiceError::Validation(errs)) => {
                return Err(ServiceError::Validation(
                    errs.into_iter()
                        .map(|e| row_error(r.line, &e.field, e.text.en.clone(), e.text.zh.clone()))
                        .collect(),
                ))
            }
            Err(e) => return Err(e),
        }
    }
    audit::append(
        &mut tx,
        &actor.audit(),
        AuditEntry {
            action: "subsidy_grant.import",
            entity_type: "subsidy_fact",
            entity_id: recorded
                .first()
                .map(|v| v.subsidy_fact_id.to_string())
                .unwrap_or_default(),
            before: None,
            after: Some(serde_json::json!({
                "filename": filename, "sha256": sha256, "rows": recorded.len(),
                "subsidy_fact_ids": recorded.iter().map(|v| v.subsidy_fact_id).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(GrantImport {
        filename,
        sha256,
        recorded,
    })
}

/// A template file staff fill in: the heading row and one example row.
pub fn template_csv() -> String {
    let header: Vec<String> = COLUMNS
        .iter()
        .map(|(_, zh, en)| format!("{zh} {en}"))
        .collect();
    format!(
        "{}\nFC-2025-000001,zhejiang,2025,0.80,11200.00,2025-06-30,浙经信〔2025〕XX号\n",
        header.join(",")
    )
}
