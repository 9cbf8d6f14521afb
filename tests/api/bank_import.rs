//! Bank statements as banks deliver them, over HTTP on both stores: GBK, BOM-UTF-8 and
//! XLSX files, each shipped bank layout, quoted commas and line breaks, every date form,
//! broken lines (nothing recorded from such a file), and a reversed bank payment whose
//! line is matched again.

use crate::bank::count;
use crate::billing::{issued_policy, ledger, post};
use crate::helpers::TestApp;
use crate::on_both_stores;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable, "the fixture is GBK-encodable");
    bytes.into_owned()
}

pub async fn send_file(
    app: &TestApp,
    token: &str,
    path: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let r = app
        .client()
        .post(app.url(&format!("{path}?filename={name}")))
        .bearer_auth(token)
        .header("Content-Type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

pub async fn preview(
    app: &TestApp,
    token: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    send_file(app, token, "/api/v1/bank/statements/preview", name, bytes).await
}

pub async fn import(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    send_file(app, token, "/api/v1/bank/statements", name, bytes).await
}

/// One file per shipped layout, each paying part of the premium (reference = number).
fn layout_files(number: &str) -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    let icbc = format!(
        "账号：1202021409900012345,户名：示例财产保险股份有限公司\n起止日期：2026-01-01 至 2026-01-31\n\
         凭证号,本方账号,对方账号,交易时间,借/贷,借方发生额,贷方发生额,对方行号,摘要,用途,对方单位名称,余额,个性化信息\n\
         ICBC-0001,1202021409900012345,6222020000001,2026-01-05 10:23:45,贷,,\"4,200.00\",102,保费,{number},浙江精工机械有限公司,\"14,200.00\",\n\
         ICBC-0002,1202021409900012345,6222020000002,2026-01-06 09:00:00,借,30.00,,102,手续费,,工商银行,\"14,170.00\",\n"
    );
    let ccb = format!(
        "交易时间,借方发生额（支取）,贷方发生额（收入）,余额,币种,对方户名,对方账号,对方开户机构,记账日期,摘要,备注,账户明细编号-交易流水号,企业流水号,凭证种类,凭证号\n\
         20260105 11:12:13,,\"1,000.00\",\"15,170.00\",人民币,浙江精工机械有限公司,33050161000000000001,建设银行杭州分行,20260105,转账,{number},CCB-0001,,,\n"
    );
    let cmb = format!(
        "\u{feff}交易日,交易时间,起息日,交易类型,借方金额,贷方金额,余额,摘要,流水号,流程实例号,业务名称,用途,业务参考号,业务摘要,其它摘要,收/付方分行名,收/付方名称,收/付方帐号\n\
         2026/01/07,14:00:00,2026/01/07,汇入汇款,,2000.00,17170.00,货款,CMB-0001,,,{number} 首期,,,,招商银行杭州分行,浙江精工机械有限公司,571900000000001\n"
    );
    let boc = format!(
        "交易类型[ Transaction Type ],业务类型[ Business type ],付款人名称[ Payer's Name ],交易日期[ Transaction Date ],交易金额[ Trade Amount ],交易后余额[ After-transaction balance ],用途[ Purpose ],摘要[ Reference ],交易流水号[ Transaction reference number ]\n\
         来账,转账,浙江精工机械有限公司,20260108,1500.00,18670.00,保费,{number},BOC-0001\n\
         往账,转账,示例财产保险股份有限公司,20260108,-50.00,18620.00,手续费,,BOC-0002\n"
    );
    let generic = format!(
        "记账日期,收入金额,付款人名称,附言,流水号\n2026-01-09,300.00,浙江精工机械有限公司,{number},GEN-0001\n"
    );
    vec![
        ("icbc", "icbc.csv", gbk(&icbc), "GBK/GB18030"),
        ("ccb", "ccb.csv", gbk(&ccb), "GBK/GB18030"),
        ("cmb", "cmb.csv", cmb.into_bytes(), "UTF-8 (BOM)"),
        ("boc", "boc.csv", boc.into_bytes(), "UTF-8"),
        ("generic", "generic.csv", gbk(&generic), "GBK/GB18030"),
    ]
}

async fn each_shipped_bank_layout_is_recognised_and_recorded(app: TestApp) {
    let (_, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    for (layout, name, bytes, encoding) in layout_files(&number) {
        let (s, p) = preview(&app, &finance, name, bytes.clone()).await;
        assert_eq!(s, StatusCode::OK, "{name}: {p}");
        assert_eq!(p["layout_id"], layout, "{name}: {p}");
        assert_eq!(p["encoding"], encoding, "{name}");
        assert_eq!(p["lines"], 1, "{name}: one credit, outgoings skipped: {p}");
        assert!(p["errors"].as_array().unwrap().is_empty(), "{name}: {p}");
        assert_eq!(p["sample"][0]["payer"], "浙江精工机械有限公司", "{name}");
        assert_eq!(
            p["sample"][0]["reference"]
                .as_str()
                .map(|r| r.contains(&number)),
            Some(true),
            "{name}"
        );
        let (s, r) = import(&app, &finance, name, bytes).await;
        assert_eq!(s, StatusCode::CREATED, "{name}: {r}");
        assert_eq!(
            (r["imported"].as_i64(), r["unmatched"].as_i64()),
            (Some(1), Some(0)),
            "{name}: {r}"
        );
    }
    let l = ledger(&app, &finance, id).await;
    // 4,200 + 1,000 + 2,000 + 1,500 + 300; the dates come from each bank's own column.
    assert_eq!(l["paid"], "9000.00");
    let dates: Vec<&str> = l["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["paid_on"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        vec![
            "2026-01-05",
            "2026-01-05",
            "2026-01-07",
            "2026-01-08",
            "2026-01-09"
        ]
    );
    // The previews recorded nothing; five imports recorded five lines, no outgoings.
    assert_eq!(count(&app, "bank_line").await, 5);
    // A layout named by hand that does not fit the file is refused, nothing stored.
    let (s, v) = send_file(
        &app,
        &finance,
        "/api/v1/bank/statements/preview?layout=icbc&x=1",
        "g.csv",
        gbk("记账日期,收入金额,流水号\n2026-01-09,1.00,Z\n"),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "an unknown query field: {v}");
    let (s, v) = send_file(
        &app,
        &finance,
        "/api/v1/bank/statements/preview?layout=icbc",
        "g.csv",
        gbk("记账日期,收入金额,流水号\n2026-01-09,1.00,Z\n"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Each preview keeps its clean file (the API import previews too); the misfit none.
    assert_eq!(count(&app, "statement_upload").await, 10);
}

async fn an_xlsx_statement_with_real_dates_and_numbers_is_read(app: TestApp) {
    let (_, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["交易日期", "贷方金额", "对方户名", "摘要", "交易流水号"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 5).unwrap();
    sheet.write_datetime_with_format(1, 0, &day, &date).unwrap();
    sheet.write_number(1, 1, 4200.5).unwrap();
    sheet.write_string(1, 2, "浙江精工机械有限公司").unwrap();
    sheet.write_string(1, 3, format!("保费 {number}")).unwrap();
    sheet.write_number(1, 4, 6222020260105001.0).unwrap();
    sheet.write_string(2, 0, "2026/01/06").unwrap();
    sheet.write_string(2, 1, "99.50").unwrap();
    sheet.write_string(2, 2, "某公司").unwrap();
    sheet.write_string(2, 3, "货款").unwrap();
    sheet.write_string(2, 4, "X-2").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (s, p) = preview(&app, &finance, "jan.xlsx", bytes.clone()).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (p["encoding"].as_str(), p["lines"].as_i64()),
        (Some("XLSX"), Some(2)),
        "{p}"
    );
    assert_eq!(p["sample"][0]["value_date"], "2026-01-05");
    assert_eq!(p["sample"][0]["transaction_id"], "6222020260105001");
    assert_eq!(p["total"], "4300.00");
    let (s, r) = import(&app, &finance, "jan.xlsx", bytes).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(
        (r["imported"].as_i64(), r["unmatched"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(ledger(&app, &finance, id).await["paid"], "4200.50");
}

async fn quoted_commas_line_breaks_and_every_date_form(app: TestApp) {
    let (_, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    let csv = format!(
        "date,amount,payer,reference,transaction_id\r\n\
         2026-01-05,\"1,000.00\",\"浙江精工机械有限公司, 财务部\",\"保费\r\n{number}\",Q-1\r\n\
         2026/01/06,\"2,000.00\",\"Acme \"\"Ltd\"\"\",\"第二期，{number}\",Q-2\r\n\
         20260107,3000,甲,{number},Q-3\r\n"
    );
    let (s, p) = preview(&app, &finance, "q.csv", csv.clone().into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["sample"][0]["payer"], "浙江精工机械有限公司, 财务部");
    assert_eq!(p["sample"][0]["reference"], format!("保费\r\n{number}"));
    assert_eq!(p["sample"][1]["payer"], "Acme \"Ltd\"");
    // The record after the embedded line break starts on line 4 of the file.
    let lines: Vec<i64> = p["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![2, 4, 5]);
    let (s, r) = import(&app, &finance, "q.csv", csv.into_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["imported"], 3);
    let l = ledger(&app, &finance, id).await;
    assert_eq!(l["paid"], "6000.00");
    let dates: Vec<&str> = l["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["paid_on"].as_str().unwrap())
        .collect();
    assert_eq!(dates, vec!["2026-01-05", "2026-01-06", "2026-01-07"]);
}

async fn a_file_with_broken_lines_records_nothing_and_names_each_line(app: TestApp) {
    let (_, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    let broken = gbk(&format!(
        "交易日期,贷方金额,对方户名,摘要,交易流水号\n\
         2026-01-05,4200.00,浙江精工机械有限公司,{number},B-1\n\
         2026-02-30,1.00,甲,x,B-2\n\
         2026-01-06,12.345,乙,x,B-3\n\
         2026-01-07,200000000.00,丙,x,B-4\n\
         2026-01-08,5.00,丁,x,B-1\n\
         2026-01-09,6.00,戊,x,\n"
    ));
    let (s, p) = preview(&app, &finance, "broken.csv", broken.clone()).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        p["upload_id"],
        Value::Null,
        "a broken file is not kept for import"
    );
    let lines: Vec<i64> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7], "{p}");
    assert!(p["errors"][0]["zh"]
        .as_str()
        .unwrap()
        .contains("2026-02-30"));
    assert!(p["errors"][0]["en"]
        .as_str()
        .unwrap()
        .contains("is not YYYY-MM-DD"));
    assert!(p["errors"][3]["zh"]
        .as_str()
        .unwrap()
        .contains("与第 2 行重复"));
    let (s, v) = import(&app, &finance, "broken.csv", broken).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["file:3", "file:4", "file:5", "file:6", "file:7"]
    );
    for table in [
        "bank_line",
        "payment",
        "statement_import",
        "statement_upload",
    ] {
        assert_eq!(
            count(&app, table).await,
            0,
            "{table}: nothing recorded from a refused file"
        );
    }
    assert_eq!(ledger(&app, &finance, id).await["paid"], "0.00");
    // A file that is not text at all, or has no header a layout knows.
    let (s, v) = preview(&app, &finance, "x.bin", vec![0xff, 0xfe, 0x00, 0x01, 0x80]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = preview(&app, &finance, "x.csv", b"when,howmuch\n1,2\n".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("列名行"), "{v}");
}

async fn a_reversed_bank_payment_puts_its_line_back_to_be_matched_again(app: TestApp) {
    let (_, id, number, finance) = issued_policy(&app, "zhejiang-2025").await;
    let csv = format!("date,amount,payer,reference,transaction_id\n2026-01-05,4200.00,浙江精工机械有限公司,{number},R-1\n");
    let (s, r) = import(&app, &finance, "r.csv", csv.clone().into_bytes()).await;
    assert_eq!(
        (s, r["imported"].as_i64()),
        (StatusCode::CREATED, Some(1)),
        "{r}"
    );
    let l = ledger(&app, &finance, id).await;
    let payment = l["payments"][0]["payment_id"].as_i64().unwrap();
    assert_eq!(l["payments"][0]["bank_txn_id"], "R-1");
    let (s, v) = post(
        &app,
        &finance,
        &format!("/api/v1/payments/{payment}/reversal"),
        &json!({"reason": "付款人退票"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let lines = app.get_json("/api/v1/bank/lines/unmatched", &finance).await;
    let lines = &lines["items"];
    assert_eq!(
        lines.as_array().unwrap().len(),
        1,
        "the reversed money is back in suspense: {lines}"
    );
    let line = lines[0]["bank_line_id"].as_i64().unwrap();
    let (s, p) = post(
        &app,
        &finance,
        &format!("/api/v1/bank/lines/{line}/match"),
        &json!({"policy_id": id}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "matched again despite the reversed payment: {p}"
    );
    assert_eq!(p["bank_txn_id"], "R-1");
    assert_eq!(ledger(&app, &finance, id).await["paid"], "4200.00");
    // Re-importing the file still records nothing.
    let (_, r) = import(&app, &finance, "r.csv", csv.into_bytes()).await;
    assert_eq!(
        (r["imported"].as_i64(), r["duplicates"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(count(&app, "payment").await, 2, "one reversed, one live");
}

/// Statement files get the 8 MiB body limit of the `/bank/statements` scope (the API's
/// other byte bodies keep actix's 256 KiB): a 1 MiB file is read (and refused for its
/// content, 422), not turned away for its size; the same bytes sent as a grant file are 413.
async fn statement_files_get_the_larger_body_limit(app: TestApp) {
    let finance = app
        .api_user(
            "limit-finance",
            firstcover::domain::role::Role::Finance,
            None,
        )
        .await;
    let mut big = b"when,howmuch\n".to_vec();
    while big.len() < 1 << 20 {
        big.extend_from_slice(b"2026-01-05,100.00\n");
    }
    let (s, v) = preview(&app, &finance, "big.csv", big.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "preview: {v}");
    let (s, v) = import(&app, &finance, "big.csv", big.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "import: {v}");
    let (s, v) = send_file(
        &app,
        &finance,
        "/api/v1/subsidy-grants/import",
        "big.csv",
        big,
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "grants: {v}");
}

on_both_stores!(
    each_shipped_bank_layout_is_recognised_and_recorded,
    an_xlsx_statement_with_real_dates_and_numbers_is_read,
    quoted_commas_line_breaks_and_every_date_form,
    a_file_with_broken_lines_records_nothing_and_names_each_line,
    a_reversed_bank_payment_puts_its_line_back_to_be_matched_again,
    statement_files_get_the_larger_body_limit,
);
