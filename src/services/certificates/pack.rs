//! The subsidy application pack (补贴申报材料包): one ZIP with the stamped schedule, the
//! full-premium collection certificate, the payment ledger and the programme's summary
//! row — the parts of the application (notice 003, annex 1) this insurer produces.

use std::io::Write;

use zip::write::SimpleFileOptions;
use zip::ZipWriter;

use crate::services::billing::Settlement;
use crate::services::{Ctx, ServiceError, ServiceResult};

/// One file in the pack.
pub struct Entry {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Deflated ZIP of the entries, in order, with a fixed timestamp so the same pack gives
/// the same bytes.
pub fn zip(entries: &[Entry]) -> ServiceResult<Vec<u8>> {
    let err = |e: &dyn std::fmt::Display| ServiceError::Internal(format!("zip: {e}"));
    let mut w = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for e in entries {
        w.start_file(e.name.as_str(), opts).map_err(|e| err(&e))?;
        w.write_all(&e.bytes).map_err(|e| err(&e))?;
    }
    Ok(w.finish().map_err(|e| err(&e))?.into_inner())
}

/// 缴费明细: every payment, then due / paid / balance / credit. UTF-8 with BOM, CRLF,
/// every cell neutralised against formula injection (payer and reference are typed by
/// people and the bank).
pub fn ledger_csv(policy_number: &str, s: &Settlement) -> ServiceResult<String> {
    let mut rows: Vec<Vec<String>> = vec![[
        "保单编号",
        "序号",
        "缴费日期",
        "缴费金额(元)",
        "缴费方式",
        "交易流水号",
        "付款人",
    ]
    .map(String::from)
    .to_vec()];
    let mut payments = s.payments.clone();
    payments.sort_by_key(|p| (p.paid_on, p.id));
    for (i, p) in payments.iter().enumerate() {
        rows.push(vec![
            policy_number.to_string(),
            (i + 1).to_string(),
            p.paid_on.format("%Y-%m-%d").to_string(),
            p.amount.to_string(),
            super::content::method_label(&p.method),
            p.reference.clone(),
            p.payer.clone(),
        ]);
    }
    for (label, m) in [
        ("应收保费", s.premium_due),
        ("已收保费", s.paid),
        ("未缴余额", s.balance),
        ("溢缴（暂存）", s.credit),
    ] {
        rows.push(vec![
            policy_number.to_string(),
            label.to_string(),
            String::new(),
            m.to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    crate::documents::cells::csv_with_bom(rows)
        .map_err(|e| ServiceError::internal_from("write the pack's CSV", e))
}

/// The pack of one policy the actor may see: refused (409) like the certificate while
/// premium is unpaid. Returns the file name and the ZIP bytes.
#[tracing::instrument(skip_all)]
pub async fn subsidy_pack(
    ctx: &Ctx<'_>,
    actor: &crate::services::Actor,
    policy_id: i64,
) -> ServiceResult<(String, Vec<u8>)> {
    let (schedule_no, schedule) = super::schedule_pdf(ctx, actor, policy_id).await?;
    let (cert_no, certificate) = super::certificate_pdf(ctx, actor, policy_id).await?;
    let settlement = {
        let mut tx = ctx.db.read().await?;
        crate::services::billing::settlement(&mut tx, policy_id).await?
    };
    let row = crate::services::annex3::row_for_policy(ctx, actor, policy_id).await?;
    let entries = [
        Entry {
            name: format!("schedule-{schedule_no}.pdf"),
            bytes: schedule,
        },
        Entry {
            name: format!("certificate-{cert_no}.pdf"),
            bytes: certificate,
        },
        Entry {
            name: format!("payment-ledger-{schedule_no}.csv"),
            bytes: ledger_csv(&schedule_no, &settlement)?.into_bytes(),
        },
        Entry {
            name: format!("programme-summary-{schedule_no}.csv"),
            bytes: crate::services::annex3::to_csv(&[row])
                .map_err(|e| ServiceError::internal_from("write the programme summary CSV", e))?
                .into_bytes(),
        },
    ];
    Ok((format!("subsidy-pack-{schedule_no}.zip"), zip(&entries)?))
}
