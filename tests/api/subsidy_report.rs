//! Issue 15, the remaining parts, over HTTP on both stores: the Shanxi annual report
//! (004 第十八条), the import of granted subsidy (003 二(一)2 history), and the
//! programme semantics a verdict rests on (round, "effective", payment and base).

use crate::billing::{pay, post};
use crate::helpers::{credit_code, start_on, test_config, TestApp};
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote, issued};
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A Shanxi maker, its user and a new-material product; returns (uw, maker, user, item).
async fn shanxi_book(
    app: &TestApp,
    uw_name: &str,
    maker: &str,
    body: &str,
) -> (String, i64, i64, i64) {
    let uw = app.api_user(uw_name, Role::Underwriter, None).await;
    let party = |kind: &str, name: &str, body: &str| json!({"kind": kind, "name": name, "credit_code": credit_code(body), "province": "山西省"});
    let (s, m) = post(app, &uw, "/api/v1/parties", &party("maker", maker, body)).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let user_body = format!("{}9", &body[..16]);
    let (s, u) = post(
        app,
        &uw,
        "/api/v1/parties",
        &party("user", &format!("{maker}用户"), &user_body),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    let maker_id = m["party_id"].as_i64().unwrap();
    let item = product(app, &uw, maker_id, "高性能碳纤维").await;
    (uw, maker_id, u["party_id"].as_i64().unwrap(), item)
}

async fn product(app: &TestApp, uw: &str, maker: i64, name: &str) -> i64 {
    let (s, item) = post(
        app,
        uw,
        "/api/v1/catalogue",
        &json!({"maker_id": maker, "edition": "shanxi-2024", "product_name": name,
                "field": "新材料", "unit_type": "new_material", "tier": "provincial",
                "qualification_year": 2024, "valid_from": "2024-01-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{item}");
    item["catalogue_item_id"].as_i64().unwrap()
}

/// 综合险 (quality and liability) on 10 batches of 200,000 = 2,000,000, for 2026.
fn shanxi_quote(maker: i64, user: i64, item: i64, serial: &str) -> Value {
    json!({
        "maker_id": maker, "user_id": user, "catalogue_item_id": item,
        "cover_basis": "first_batch", "clause_set_id": "first-batch-new-materials",
        "units": [{"serial": serial, "quantity": 10, "unit_value": "200000.00"}],
        "contracts": [{"number": format!("SX-{serial}"), "signed_on": "2025-11-20", "amount": "2000000.00"}],
        "delivery_date": "2025-12-15",
        "sections": [{"code": "QUALITY"}, {"code": "LIABILITY", "limit": "1000000.00"}],
        "aggregate_limit": "2000000.00",
        "period_start": "2026-01-01", "period_end": "2026-12-31",
        "programme_id": "shanxi-new-materials",
        // Cover from 2026-01-01 is backdated once the business date has passed it.
        "acknowledged": ["period.backdated"],
        "backdating_reason": "材料已交付，投保申请晚于起保日"
    })
}

async fn premium_of(app: &TestApp, token: &str, id: i64) -> String {
    let d = app.get_json(&format!("/api/v1/policies/{id}"), token).await;
    d["policy"]["premium"].as_str().unwrap_or("").to_string()
}

/// Report a quality claim with a case reserve as the handler; returns its id.
async fn claim(app: &TestApp, handler: &str, policy: i64, serial: &str, reserve: &str) -> i64 {
    let body = json!({"policy_id": policy, "event_date": "2026-03-10", "place": "太原",
        "description": "碳纤维批次性能不达标，用户要求更换", "claim_type": "quality_repair",
        "units": [serial], "amount_claimed": reserve, "reserve": reserve,
        "contact_email": "claims@maker.example.com"});
    let (s, v) = post(app, handler, "/api/v1/claims", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["claim_id"].as_i64().unwrap()
}

fn figures(v: &Value) -> Vec<String> {
    [
        "policies",
        "written",
        "collected",
        "reported",
        "paid",
        "open_claims",
        "outstanding",
    ]
    .iter()
    .map(|k| match &v[*k] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
    .collect()
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

/// The year in Beijing today: claims are reported, and paid, on the business date.
fn this_year() -> i32 {
    use chrono::Datelike;
    (chrono::Utc::now() + chrono::Duration::hours(8)).year()
}

/// 004 第十八条 "每年向山西银保监局报告承保理赔情况": per year, policies, premium written
/// and collected, claims reported, paid and outstanding, by product and maker — exact to
/// the fen, on the page, as PDF and XLSX (read back), and queued once to the regulator.
async fn shanxi_annual_report_counts_the_year_by_maker_and_product(app: TestApp) {
    let (uw, m1, u1, item1) =
        shanxi_book(&app, "uw.annual", "山西新材料有限公司", "91140100MA0K1234X").await;
    // A formula-like product name must stay text in the spreadsheet.
    let item2 = product(&app, &uw, m1, "=SUM(A1)碳纤维预浸料").await;
    let (s, m2) = post(
        &app,
        &uw,
        "/api/v1/parties",
        &json!({"kind": "maker", "name": "太原特种材料有限公司", "credit_code": credit_code("91140105MA0L2222A"), "province": "山西省"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m2}");
    let m2 = m2["party_id"].as_i64().unwrap();
    let item3 = product(&app, &uw, m2, "高纯石墨").await;
    let (a, _) = issued(&app, &uw, &shanxi_quote(m1, u1, item1, "CF-A")).await;
    let (b, _) = issued(&app, &uw, &shanxi_quote(m1, u1, item2, "CF-B")).await;
    let (c, _) = issued(&app, &uw, &shanxi_quote(m2, u1, item3, "CF-C")).await;
    // A Zhejiang policy of another maker is not in Shanxi's report.
    let zb = book(&app, "uw.annual.zj").await;
    let (zj, zj_number) = issued(&app, &zb.uw, &first_year_quote(&zb, "2000000.00")).await;
    let premium = premium_of(&app, &uw, a).await;
    assert_eq!(
        premium, "36000.00",
        "2,000,000 at 1.8 %: the figures below rest on it"
    );
    for id in [b, c] {
        assert_eq!(premium_of(&app, &uw, id).await, premium);
    }
    let finance = app.api_user("fin.annual", Role::Finance, None).await;
    pay(&app, &finance, a, "36000.00", "A 全额").await;
    pay(&app, &finance, b, "10800.00", "B 首期").await;
    pay(&app, &finance, zj, "14000.00", &zj_number).await;

    let handler = app
        .api_user("handler.annual", Role::ClaimsHandler, None)
        .await;
    let manager = app
        .api_user("manager.annual", Role::ClaimsManager, None)
        .await;
    let k1 = claim(&app, &handler, a, "CF-A", "30000.00").await;
    claim(&app, &handler, c, "CF-C", "5000.00").await;
    let (s, v) = post(
        &app,
        &manager,
        &format!("/api/v1/claims/{k1}/decision"),
        &json!({"missing_proof_reason": "纸质材料已收到", "outcome": "accept", "agreed_loss": "30000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "agreed", "{v}");
    let indemnity = v["indemnity"].as_str().unwrap().to_string();
    assert_eq!(indemnity, "30000.00", "no deductible chosen");
    let (s, p) = post(
        &app,
        &handler,
        &format!("/api/v1/claims/{k1}/payments"),
        &json!({"payee": "太原用户", "bank_name": "工商银行太原分行", "bank_account": "0502020309900012345", "amount": "10000.00"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["payment_id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &handler,
        &format!("/api/v1/claims/{k1}/payments/{pid}/paid"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let act = app.api_user("act.annual", Role::Actuary, None).await;
    let y = this_year();
    let r = app
        .get_json("/api/v1/annual-reports/shanxi-new-materials/2026", &act)
        .await;
    assert_eq!(r["year"], 2026, "{r}");
    assert_eq!(r["from"], "2026-01-01");
    assert_eq!(r["programme_ids"], json!(["shanxi-new-materials"]));
    assert_eq!(r["source"]["article"], "第十八条");
    let makers = r["makers"].as_array().unwrap();
    assert_eq!(makers.len(), 2, "{r}");
    assert_eq!(makers[0]["maker"], "山西新材料有限公司");
    assert_eq!(makers[1]["maker"], "太原特种材料有限公司");
    if y == 2026 {
        // Claims are reported and paid today: in this report.
        assert_eq!(
            figures(&makers[0]["products"][0]["figures"]),
            row(&["1", "36000.00", "36000.00", "1", "10000.00", "1", "20000.00"])
        );
        assert_eq!(
            figures(&makers[0]["products"][1]["figures"]),
            row(&["1", "36000.00", "10800.00", "0", "0.00", "0", "0.00"])
        );
        assert_eq!(
            figures(&makers[0]["subtotal"]),
            row(&["2", "72000.00", "46800.00", "1", "10000.00", "1", "20000.00"])
        );
        assert_eq!(
            figures(&makers[1]["subtotal"]),
            row(&["1", "36000.00", "0.00", "1", "0.00", "1", "5000.00"])
        );
        assert_eq!(
            figures(&r["total"]),
            row(&[
                "3",
                "108000.00",
                "46800.00",
                "2",
                "10000.00",
                "2",
                "25000.00"
            ])
        );
    } else {
        assert_eq!(
            figures(&r["total"])[..3],
            row(&["3", "108000.00", "46800.00"])[..]
        );
    }
    // The year before has nothing.
    let before = app
        .get_json("/api/v1/annual-reports/shanxi-new-materials/2025", &act)
        .await;
    assert_eq!(
        figures(&before["total"]),
        row(&["0", "0.00", "0.00", "0", "0.00", "0", "0.00"])
    );

    // PDF: the figures as a person reads them.
    let pdf = app
        .get(
            "/api/v1/annual-reports/shanxi-new-materials/2026/report.pdf",
            &act,
        )
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    let pdf = pdf.bytes().await.unwrap().to_vec();
    let text = crate::readback::flat_text(&pdf);
    for expected in [
        "首批次新材料保险承保理赔情况年度报告",
        "山西银保监局",
        "第十八条",
        "山西新材料有限公司",
        "太原特种材料有限公司",
        "高纯石墨",
        "108,000.00",
        "46,800.00",
    ] {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }
    // XLSX read back with calamine: numbers as numbers, the formula-like name as text.
    let x = app
        .get(
            "/api/v1/annual-reports/shanxi-new-materials/2026/report.xlsx",
            &act,
        )
        .await;
    assert_eq!(x.status(), StatusCode::OK);
    let bytes = x.bytes().await.unwrap().to_vec();
    let cells = xlsx_cells(&bytes);
    assert_eq!(cells[3][0], "生产企业 Maker");
    assert_eq!(cells[4][0], "山西新材料有限公司");
    assert_eq!(cells[4][1], "高性能碳纤维");
    assert_eq!(cells[4][3], "36000");
    assert_eq!(cells[5][1], "'=SUM(A1)碳纤维预浸料", "neutralised");
    assert_eq!(cells[5][4], "10800");
    let total = cells
        .iter()
        .find(|r| r[0] == "合计 Total")
        .expect("total row");
    assert_eq!(total[2], "3");
    assert_eq!(total[3], "108000");
    assert_eq!(total[4], "46800");

    // The staff page shows the same figures.
    app.add_user("act.annual.page", Role::Actuary, None).await;
    let (client, _) = app.login("act.annual.page", crate::helpers::PASSWORD).await;
    let page = client
        .get(app.url("/reports/annual/shanxi-new-materials?year=2026"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "山西新材料有限公司",
        "108,000.00",
        "46,800.00",
        "小计",
        "合计",
    ] {
        assert!(page.contains(expected), "missing {expected} in {page}");
    }
    // Finance may not read it; an unknown scheme has no report.
    let (s, _) = crate::billing::send(
        &app,
        reqwest::Method::GET,
        &finance,
        "/api/v1/annual-reports/shanxi-new-materials/2026",
        &json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = crate::billing::send(
        &app,
        reqwest::Method::GET,
        &act,
        "/api/v1/annual-reports/zhejiang/2026",
        &json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Queued through the outbox (an instance with the regulator's recipients configured).
    let (s, v) = post(
        &app,
        &act,
        "/api/v1/annual-reports/shanxi-new-materials/2026/queue",
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "no recipients configured: {v}");
    let mut config = test_config(&app.config.database_url);
    config.regulator.recipients = vec!["nfra.sx@example.gov.cn".into()];
    let sender = start_on(app.store, config, None, None).await;
    let (s, q) = post(
        &sender,
        &act,
        "/api/v1/annual-reports/shanxi-new-materials/2026/queue",
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    assert_eq!(q["year"], 2026);
    assert_eq!(q["delivery"], "pending");
    assert_eq!(q["queued_by"], "act.annual");
    let (s, v) = post(
        &sender,
        &act,
        "/api/v1/annual-reports/shanxi-new-materials/2026/queue",
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "the same figures go once: {v}");
    sender.deliver_outbox().await;
    let mails = sender.mails();
    let mail = mails
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("nfra.sx@example.gov.cn")))
        .expect("the report mail");
    assert!(mail.subject.contains("2026"), "{}", mail.subject);
    let names: Vec<&str> = mail.attachments.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "annual-report-shanxi-new-materials-2026.pdf",
            "annual-report-shanxi-new-materials-2026.xlsx"
        ]
    );
    assert_eq!(
        xlsx_cells(&mail.attachments[1].1)[4][0],
        "山西新材料有限公司"
    );
    let listed = sender
        .get_json("/api/v1/annual-reports/shanxi-new-materials", &act)
        .await;
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(listed["items"][0]["delivery"], "delivered", "{listed}");
    let admin = app.api_user("admin.annual", Role::Admin, None).await;
    let audit = app.get_json("/api/v1/audit?limit=50", &admin).await;
    assert!(audit.to_string().contains("annual_report.queue"), "{audit}");
}

/// Every cell of the first sheet as text (whole numbers without ".0").
fn xlsx_cells(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .expect("an XLSX workbook");
    let range = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

async fn import(app: &TestApp, token: &str, name: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/subsidy-grants/import?filename={name}")))
        .bearer_auth(token)
        .header("Content-Type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Two Zhejiang policies of one renewal chain: 2024-03-01 … 2025-02-28, renewed to
/// 2025-03-01 … 2026-02-28 (the 2025 round). Returns (uw, prior, prior number, renewal).
async fn zhejiang_chain(
    app: &TestApp,
    uw_name: &str,
) -> (crate::underwriting::Book, i64, String, i64) {
    let b = book(app, uw_name).await;
    let mut q = first_year_quote(&b, "2000000.00");
    q["period_start"] = json!("2024-03-01");
    q["period_end"] = json!("2025-02-28");
    q["contracts"] =
        json!([{"number": "HT-2024-1", "signed_on": "2024-01-20", "amount": "1000000.00"}]);
    q["delivery_date"] = json!("2024-02-15");
    let (prior, number) = issued(app, &b.uw, &q).await;
    let (s, r) = post(
        app,
        &b.uw,
        &format!("/api/v1/policies/{prior}/renew"),
        &json!({"period_start": "2025-03-01", "period_end": "2026-02-28",
            "acknowledged": ["period.backdated"], "backdating_reason": "续保申请晚于起保日"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let renewal = r["policy_id"].as_i64().unwrap();
    (b, prior, number, renewal)
}

const HEADER: &str = "保单号,补贴政策,申报年度,补贴比例,补贴金额,下达文件日期,下达文件\n";

/// Build 2 "granted subsidy" must be "entered by staff or imported" and the import is all
/// or nothing: one bad row and nothing is recorded, every bad row named by line and
/// column in both languages; the good file is recorded, audited, and not twice.
async fn granted_subsidy_import_is_all_or_nothing_with_errors_per_row(app: TestApp) {
    let (b, prior, number, _) = zhejiang_chain(&app, "uw.import").await;
    let uw = b.uw.clone();
    let finance = app.api_user("fin.import", Role::Finance, None).await;
    let bad = format!(
        "{HEADER}{number},zhejiang,2024,0.80,11200.00,2025-06-30,浙经信〔2025〕12号\n\
         FC-9999-000001,zhejiang,2024,0.80,1.00,2025-06-30,浙经信〔2025〕12号\n\
         {number},atlantis,20x4,1.5,12.345,30/06/2025,\n"
    );
    let (s, v) = import(&app, &finance, "grants.csv", bad.into_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "rows[3].policy_number",
        "rows[4].scheme",
        "rows[4].round",
        "rows[4].ratio",
        "rows[4].amount",
        "rows[4].notice_date",
    ] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    let zh = v.to_string();
    assert!(zh.contains("第 3 行「保单号」"), "{v}");
    let facts = app
        .get_json(&format!("/api/v1/subsidy-facts?policy_id={prior}"), &uw)
        .await;
    assert_eq!(facts, json!([]), "nothing recorded from a bad file");

    let good =
        format!("{HEADER}{number},zhejiang,2024,80%,11200.00,2025-06-30,浙经信〔2025〕12号\n");
    let (s, v) = import(&app, &finance, "grants.csv", good.clone().into_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["recorded"].as_array().unwrap().len(), 1);
    let f = &v["recorded"][0];
    assert_eq!(f["fact"], "subsidy_granted");
    assert_eq!(f["policy_id"], prior);
    assert_eq!(f["value"]["ratio"], "0.80");
    assert_eq!(f["value"]["amount"], "11200.00");
    assert_eq!(f["value"]["notice_date"], "2025-06-30");
    assert_eq!(f["recorded_by"], "fin.import");
    assert_eq!(f["source_document"], "浙经信〔2025〕12号");
    let (s, v) = import(&app, &finance, "grants.csv", good.into_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a second import: {v}");
    assert!(v.to_string().contains("recorded already"), "{v}");
    // A claims handler may not import grants.
    let handler = app
        .api_user("handler.import", Role::ClaimsHandler, None)
        .await;
    let (s, _) = import(&app, &handler, "grants.csv", HEADER.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let admin = app.api_user("admin.import", Role::Admin, None).await;
    let audit = app.get_json("/api/v1/audit?limit=50", &admin).await;
    assert!(audit.to_string().contains("grants.csv"), "{audit}");
}

/// 003 二(一)2 "从次年度开始保险补偿比例逐年递减10%": a grant imported from an XLSX file
/// feeds the renewal's ratio (80 % → 70 %) and year count, and the subsidy page and API
/// list it as a fact used, with who imported it.
async fn imported_grant_makes_zhejiang_share_fall(app: TestApp) {
    let (b, prior, number, renewal) = zhejiang_chain(&app, "uw.import.x").await;
    let uw = b.uw.clone();
    let finance = app.api_user("fin.import.x", Role::Finance, None).await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (c, h) in [
        "保单号",
        "补贴政策",
        "申报年度",
        "补贴比例",
        "补贴金额",
        "下达文件日期",
        "下达文件",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, &number).unwrap();
    sheet.write_string(1, 1, "zhejiang").unwrap();
    sheet.write_number(1, 2, 2024.0).unwrap();
    sheet.write_number(1, 3, 0.8).unwrap();
    sheet.write_number(1, 4, 11200.0).unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 6, 30).unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_datetime_with_format(1, 5, &date, &fmt).unwrap();
    sheet.write_string(1, 6, "浙经信〔2025〕12号").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let (s, v) = import(&app, &finance, "grants.xlsx", bytes).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["recorded"][0]["policy_id"], prior);
    assert_eq!(v["recorded"][0]["value"]["notice_date"], "2025-06-30");
    let a = app
        .get_json(
            &format!("/api/v1/policies/{renewal}/subsidy?programme_id=zhejiang-2025"),
            &uw,
        )
        .await;
    assert_eq!(a["estimate"]["ratio"], "0.70", "{a}");
    assert_eq!(a["continuity"]["subsidised_years"], 1);
    let used = a["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "subsidy_granted")
        .expect("the grant is a fact used");
    assert_eq!(used["by"]["recorded_by"], "fin.import.x");
    assert_eq!(used["by"]["source_document"], "浙经信〔2025〕12号");
    assert!(
        used["label_zh"].as_str().unwrap().contains(&number),
        "{used}"
    );
}

/// 003 附件1 一.1 "在保单正式生效 … 后申请补贴": a policy that was in force and has
/// expired has come into force (not pending for ever); one that starts later has not.
async fn an_expired_policy_has_come_into_force(app: TestApp) {
    let (b, prior, _, _) = zhejiang_chain(&app, "uw.effective").await;
    let uw = b.uw.clone();
    firstcover::services::underwriting::clock::advance(
        &app.ctx(),
        chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
    )
    .await
    .unwrap();
    let d = app
        .get_json(&format!("/api/v1/policies/{prior}"), &uw)
        .await;
    assert_eq!(d["policy"]["state"], "expired", "{d}");
    let a = app
        .get_json(
            &format!("/api/v1/policies/{prior}/subsidy?programme_id=zhejiang-2025"),
            &uw,
        )
        .await;
    let check = a["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "policy_effective")
        .unwrap()
        .clone();
    assert_eq!(check["outcome"], "met", "{a}");
    assert!(
        check["detail_zh"].as_str().unwrap().contains("2024-03-01"),
        "{check}"
    );
    // A quote for next year has not come into force: pending, with its start named.
    let mut q = first_year_quote(&b, "2000000.00");
    q["units"][0]["serial"] = json!("B2027-001");
    q["period_start"] = json!("2027-01-01");
    q["period_end"] = json!("2027-12-31");
    let (id, _) = issued(&app, &b.uw, &q).await;
    let a = app
        .get_json(
            &format!("/api/v1/policies/{id}/subsidy?programme_id=zhejiang-2025"),
            &b.uw,
        )
        .await;
    let c = a["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "policy_effective")
        .unwrap();
    assert_eq!(c["outcome"], "not_met", "{a}");
    assert!(a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "subsidy.policy_not_effective" && f["severity"] == "pending"));
}

/// 004 第四条 2 "新材料生产企业需支付不低于保费总额30%的首期保费 … 以实际投保年度保费的
/// 80%的额度给予保险补偿": nothing paid is ineligible; once the 30 % first installment is
/// paid it is eligible for 80 % of the premium *due* (not of what is paid), and the
/// arithmetic shows the payment required and the base.
async fn shanxi_needs_the_first_installment_and_pays_on_the_premium_due(app: TestApp) {
    let (uw, m, u, item) =
        shanxi_book(&app, "uw.sx.pay", "山西新材料有限公司", "91140100MA0K1234X").await;
    let (id, number) = issued(&app, &uw, &shanxi_quote(m, u, item, "CF-P")).await;
    let (s, v) = post(
        &app,
        &uw,
        "/api/v1/subsidy-facts",
        &json!({"party_id": m, "source_document": "信用中国 查询 2026-01-02",
                "value": {"fact": "credit_status", "dishonest": false, "checked_on": "2026-01-02"}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let url = format!("/api/v1/policies/{id}/subsidy?programme_id=shanxi-new-materials");
    let a = app.get_json(&url, &uw).await;
    assert_eq!(a["verdict"], "ineligible", "nothing paid: {a}");
    assert!(a["estimate"].is_null());
    let finance = app.api_user("fin.sx.pay", Role::Finance, None).await;
    let (s, v) = crate::billing::send(
        &app,
        reqwest::Method::PUT,
        &finance,
        &format!("/api/v1/policies/{id}/plan"),
        &json!({"installments": [{"due_on": "2026-01-01", "amount": "10800.00"}, {"due_on": "2026-07-01", "amount": "25200.00"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    pay(&app, &finance, id, "10800.00", &number).await;
    let a = app.get_json(&url, &uw).await;
    assert_eq!(a["verdict"], "eligible", "{a}");
    // 2,000,000 × min(1.8 %, 3 %) = 36,000 due; 80 % = 28,800.00 although 10,800 is paid.
    assert_eq!(a["estimate"]["amount"], "28800.00", "{a}");
    let steps = a["estimate"]["steps"].as_array().unwrap();
    let payment = steps
        .iter()
        .find(|s| s["code"] == "payment_required")
        .unwrap();
    assert_eq!(payment["value"], "10800.00");
    assert!(
        payment["zh"]
            .as_str()
            .unwrap()
            .contains("已缴 10,800.00 元"),
        "{payment}"
    );
    let base = steps.iter().find(|s| s["code"] == "base").unwrap();
    assert!(
        base["zh"]
            .as_str()
            .unwrap()
            .contains("应缴保费 36,000.00 元"),
        "{base}"
    );
    let check = a["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "first_installment_share")
        .unwrap();
    assert_eq!(check["outcome"], "met");
    assert!(
        check["detail_zh"]
            .as_str()
            .unwrap()
            .contains("36,000.00 元 × 30% = 10,800.00 元"),
        "{check}"
    );
}

/// 003 二(一)2 "每年补偿金额最高不超过500万元" counts per application round: grants
/// recorded for the maker under another round do not use this round's cap.
async fn the_yearly_cap_counts_the_application_round(app: TestApp) {
    let (b, prior, number, renewal) = zhejiang_chain(&app, "uw.round").await;
    let uw = b.uw.clone();
    let finance = app.api_user("fin.round", Role::Finance, None).await;
    // 4,995,000 granted on the prior policy in round 2024, then 4,995,000 in round 2025.
    let csv = |round: i32| {
        format!(
            "{HEADER}{number},zhejiang,{round},0.80,4995000.00,2025-06-30,浙经信〔{round}〕1号\n"
        )
    };
    let (s, v) = import(&app, &finance, "r2024.csv", csv(2024).into_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let url = format!("/api/v1/policies/{renewal}/subsidy?programme_id=zhejiang-2025");
    let a = app.get_json(&url, &uw).await;
    let cap = |a: &Value| {
        a["estimate"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == "enterprise_year_cap")
            .map(|s| s["value"].as_str().unwrap().to_string())
    };
    assert_eq!(
        cap(&a).as_deref(),
        Some("5000000.00"),
        "round 2024 is another round: {a}"
    );
    let (s, v) = import(&app, &finance, "r2025.csv", csv(2025).into_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let a = app.get_json(&url, &uw).await;
    assert_eq!(cap(&a).as_deref(), Some("5000.00"), "{a}");
    let counted = a["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "round_claimed")
        .expect("what the round's cap counted is a fact used");
    assert_eq!(
        counted["value_zh"], "4,995,000.00 元（其中已录入补贴 1 笔）",
        "{counted}"
    );
    let _ = prior;
}

fn outcome(a: &Value, kind: &str) -> String {
    a["checks"]
        .as_array()
        .and_then(|v| v.iter().find(|c| c["kind"] == kind))
        .map(|c| c["outcome"].as_str().unwrap_or("").to_string())
        .unwrap_or_else(|| format!("no check {kind} in {a}"))
}

/// Issue 15 "tests that each configured condition can fire": every condition configured
/// in the three programme files is decided through the store with its comparison, and
/// each of Shanxi's (004) passes and fails — or waits for its fact — on recorded data.
async fn every_configured_condition_is_decided_and_fires(app: TestApp) {
    let (uw, m, u, item) =
        shanxi_book(&app, "uw.fire", "山西新材料有限公司", "91140100MA0K1234X").await;
    let (id, number) = issued(&app, &uw, &shanxi_quote(m, u, item, "CF-F")).await;
    let lib = firstcover::library::load(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clauses"),
    )
    .expect("the shipped clauses load");
    for p in lib.programmes() {
        let a = app
            .get_json(
                &format!("/api/v1/policies/{id}/subsidy?programme_id={}", p.id),
                &uw,
            )
            .await;
        let checks = a["checks"].as_array().unwrap();
        assert_eq!(checks.len(), p.conditions.len(), "{}: {a}", p.id);
        for c in &p.conditions {
            let check = checks
                .iter()
                .find(|k| k["kind"] == c.kind.as_str())
                .unwrap_or_else(|| panic!("{}: no check {:?}", p.id, c.kind));
            assert!(
                ["met", "not_met", "needs_fact"].contains(&check["outcome"].as_str().unwrap()),
                "{check}"
            );
            assert!(!check["detail_zh"].as_str().unwrap().is_empty(), "{check}");
            assert_eq!(check["source"]["article"], c.source.article.as_str());
        }
    }
    let url = format!("/api/v1/policies/{id}/subsidy?programme_id=shanxi-new-materials");
    let a = app.get_json(&url, &uw).await;
    // Decided on the policy itself.
    for kind in [
        "min_contract_amount",
        "one_maker_one_user",
        "buyer_not_related_party",
        "buyer_not_trader",
        "cover_bases",
        "maker_registered_in",
    ] {
        assert_eq!(outcome(&a, kind), "met", "{kind}: {a}");
    }
    assert_eq!(
        outcome(&a, "first_installment_share"),
        "not_met",
        "nothing paid"
    );
    assert_eq!(outcome(&a, "not_dishonest_entity"), "needs_fact");
    assert_eq!(a["verdict"], "ineligible");
    // The credit status recorded: decided either way.
    let credit = |dishonest: bool| {
        json!({"party_id": m, "source_document": "信用中国 查询",
        "value": {"fact": "credit_status", "dishonest": dishonest, "checked_on": "2026-01-02"}})
    };
    let (s, v) = post(&app, &uw, "/api/v1/subsidy-facts", &credit(true)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        outcome(&app.get_json(&url, &uw).await, "not_dishonest_entity"),
        "not_met"
    );
    let (s, v) = post(&app, &uw, "/api/v1/subsidy-facts", &credit(false)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        outcome(&app.get_json(&url, &uw).await, "not_dishonest_entity"),
        "met"
    );
    // The first installment paid.
    let finance = app.api_user("fin.fire", Role::Finance, None).await;
    pay(&app, &finance, id, "10800.00", &number).await;
    let a = app.get_json(&url, &uw).await;
    assert_eq!(outcome(&a, "first_installment_share"), "met");
    assert_eq!(a["verdict"], "eligible", "{a}");
    // The user found to be the maker's related company and a trader.
    for relation in ["related_party", "trader"] {
        let r = app
            .post_json(
                &format!("/api/v1/parties/{m}/relations"),
                &uw,
                &json!({"other_party_id": u, "relation": relation}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "{relation}");
    }
    let a = app.get_json(&url, &uw).await;
    assert_eq!(outcome(&a, "buyer_not_related_party"), "not_met", "{a}");
    assert_eq!(outcome(&a, "buyer_not_trader"), "not_met", "{a}");
    assert_eq!(a["verdict"], "ineligible");
    // Another maker's policy outside Shanxi, on first-year cover, under 1,000,000.
    let b = book(&app, "uw.fire.zj").await;
    let mut q = first_year_quote(&b, "2000000.00");
    q["contracts"] = json!([{"number": "HT-S", "signed_on": "2025-11-20", "amount": "900000.00"}]);
    let (zid, _) = issued(&app, &b.uw, &q).await;
    let a = app
        .get_json(
            &format!("/api/v1/policies/{zid}/subsidy?programme_id=shanxi-new-materials"),
            &b.uw,
        )
        .await;
    assert_eq!(outcome(&a, "maker_registered_in"), "not_met", "{a}");
    assert_eq!(outcome(&a, "cover_bases"), "not_met", "{a}");
    assert_eq!(outcome(&a, "min_contract_amount"), "not_met", "{a}");
}

on_both_stores!(
    every_configured_condition_is_decided_and_fires,
    shanxi_annual_report_counts_the_year_by_maker_and_product,
    granted_subsidy_import_is_all_or_nothing_with_errors_per_row,
    imported_grant_makes_zhejiang_share_fall,
    an_expired_policy_has_come_into_force,
    shanxi_needs_the_first_installment_and_pays_on_the_premium_due,
    the_yearly_cap_counts_the_application_round,
);
