//! The route contract: every operation in the generated OpenAPI document is routed, and
//! for every operation that takes a body a valid example (the table below — the test
//! fails when an operation has none) (1) matches the documented request schema exactly
//! (required fields present, no undocumented field, types right) and (2) is accepted by
//! the handler: the answer is never the body/shape rejection (400 malformed, 415, or 422
//! `invalid-body`). Path ids point at no record, so the service answers 404 after the
//! handler took the body; the semantic checks behind it have their own tests.

use crate::helpers::TestApp;
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// One valid body per operation that takes one, keyed "METHOD /path".
fn examples() -> Vec<(&'static str, Value)> {
    let units = json!([{"serial": "SN-001", "quantity": 1, "unit_value": "1250000.00"}]);
    let quote = json!({"maker_id": 1, "user_id": 2, "catalogue_item_id": 1,
        "cover_basis": "first_set", "units": units, "sections": [{"code": "QUALITY"}],
        "aggregate_limit": "1250000.00", "period_start": "2026-07-01", "period_end": "2027-06-30",
        "acknowledged": ["period.backdated"], "backdating_reason": "装备已交付，投保申请晚于起保日"});
    let item = json!({"maker_id": 1, "edition": "2024", "product_name": "某设备", "field": "高端装备",
        "unit_type": "complete_machine", "tier": "domestic", "qualification_year": 2026,
        "valid_from": "2026-01-01"});
    let party = json!({"kind": "maker", "name": "某公司", "credit_code": "91330100MA2XXXXXXX",
        "province": "浙江省"});
    vec![
        (
            "POST /api/v1/backtests",
            json!({"as_of": "2026-06-30", "basis": "underwriting_year"}),
        ),
        (
            // A wrong current password: the body is taken, the change refused (422).
            "POST /api/v1/me/password",
            json!({"current_password": "not-the-password", "new_password": "Another-passw0rd-2026"}),
        ),
        (
            "POST /api/v1/bank/lines/{id}/match",
            json!({"policy_id": 1}),
        ),
        (
            "POST /api/v1/bank/lines/{id}/split",
            json!({"parts": [{"policy_id": 1, "amount": "100.00"}]}),
        ),
        (
            "POST /api/v1/bank/lines/{id}/dismissal",
            json!({"reason": "非保费：退回押金"}),
        ),
        (
            "POST /api/v1/bank/lines/{id}/refund",
            json!({"refunded_on": "2026-06-30", "reference": "R-1", "reason": "多付"}),
        ),
        (
            "POST /api/v1/bank/disposals/{id}/reversal",
            json!({"reason": "误操作"}),
        ),
        (
            "POST /api/v1/bank/statements/preview",
            json!(
                "transaction_id,amount,paid_on,payer,reference\nT9,100.00,2026-06-30,某公司,FC-1\n"
            ),
        ),
        (
            "POST /api/v1/bank/notifications",
            json!({"transaction_id": "T1", "amount": "100.00", "paid_on": "2026-06-30", "payer": "某公司", "reference": "FC-2026-000001"}),
        ),
        (
            "POST /api/v1/subsidy-grants/import",
            json!("保单号,补贴政策,申报年度,补贴比例,补贴金额,下达文件日期,下达文件\nFC-2025-000001,zhejiang,2025,0.80,11200.00,2025-06-30,浙经信〔2025〕1号\n"),
        ),
        ("POST /api/v1/catalogue", item.clone()),
        ("PUT /api/v1/catalogue/{id}", item),
        (
            "POST /api/v1/claims",
            json!({"policy_id": 987654, "claim_type": "quality_repair", "event_date": "2026-06-01", "place": "杭州", "description": "主轴断裂", "units": ["SN-001"], "amount_claimed": "50000.00"}),
        ),
        (
            "POST /api/v1/claims/{id}/assignment",
            json!({"user_id": 2, "note": "接手"}),
        ),
        (
            "POST /api/v1/claims/{id}/notes",
            json!({"body": "已电话联系制造商"}),
        ),
        (
            "POST /api/v1/claims/payment-batches",
            json!({"payment_ids": [1], "note": "六月赔款"}),
        ),
        (
            "POST /api/v1/claims/payment-batches/{bid}/confirmation",
            json!({"lines": [{"payment_id": 1, "outcome": "paid", "paid_on": "2026-06-30", "bank_reference": "B1"}]}),
        ),
        (
            "POST /api/v1/claims/payment-batches/{bid}/cancel",
            json!({"reason": "银行退回"}),
        ),
        (
            "POST /api/v1/subsidy-facts",
            json!({"party_id": 1, "source_document": "信用中国查询 2026-06-30",
                "value": {"fact": "credit_status", "dishonest": false, "checked_on": "2026-06-30"}}),
        ),
        (
            "POST /api/v1/claims/{id}/approval",
            json!({"approve": true, "note": "同意"}),
        ),
        (
            "POST /api/v1/claims/{id}/decision",
            json!({"outcome": "accept", "agreed_loss": "10000.00"}),
        ),
        (
            "POST /api/v1/claims/{id}/payments",
            json!({"amount": "100.00", "payee": "某公司", "bank_name": "工商银行", "bank_account": "6222000000"}),
        ),
        (
            "POST /api/v1/claims/{id}/payments/{pid}/paid",
            json!({"on": "2026-06-30"}),
        ),
        (
            "POST /api/v1/claims/{id}/proof-complete",
            json!({"on": "2026-06-30"}),
        ),
        (
            "POST /api/v1/claims/{id}/proof-request",
            json!({"also": ["发票"], "note": "请补充发票"}),
        ),
        (
            "POST /api/v1/claims/{id}/recoveries",
            json!({"kind": "subrogation", "amount": "100.00", "note": "追偿"}),
        ),
        (
            "POST /api/v1/claims/{id}/register",
            json!({"reserve": "10000.00"}),
        ),
        (
            "POST /api/v1/claims/{id}/reopen",
            json!({"reason": "新证据", "reserve": "1000.00"}),
        ),
        (
            "POST /api/v1/claims/{id}/reserve",
            json!({"amount": "1000.00", "reason": "估损调整"}),
        ),
        ("POST /api/v1/invoices/{id}/void", json!({"reason": "开错"})),
        ("POST /api/v1/parties", party.clone()),
        ("PUT /api/v1/parties/{id}", party),
        (
            "POST /api/v1/parties/{id}/relations",
            json!({"other_party_id": 2, "relation": "related_party"}),
        ),
        (
            "POST /api/v1/payments/{id}/reversal",
            json!({"reason": "退票"}),
        ),
        ("PUT /api/v1/policies/{id}", quote.clone()),
        (
            "POST /api/v1/policies/{id}/cancel",
            json!({"last_day_covered": "2026-09-01", "reason": "退保", "by": "policyholder"}),
        ),
        (
            "POST /api/v1/policies/{id}/decline",
            json!({"reason": "用户单位经营异常"}),
        ),
        (
            "POST /api/v1/policies/{id}/withdraw",
            json!({"reason": "制造企业改投其他保险公司"}),
        ),
        (
            "POST /api/v1/policies/{id}/endorsements",
            json!({"effective_on": "2026-09-01", "reason": "增加设备", "units": units}),
        ),
        (
            "POST /api/v1/policies/{id}/invoices",
            json!({"amount": "100.00", "issued_on": "2026-06-30", "number": "INV-1"}),
        ),
        (
            "POST /api/v1/policies/{id}/payments",
            json!({"payer": "某公司", "amount": "100.00", "paid_on": "2026-06-30"}),
        ),
        (
            "PUT /api/v1/policies/{id}/plan",
            json!({"installments": [{"due_on": "2026-07-01", "amount": "100.00"}]}),
        ),
        (
            "POST /api/v1/policies/{id}/referral",
            json!({"approve": true, "reason": "同意承保"}),
        ),
        (
            "POST /api/v1/policies/{id}/refunds",
            json!({"amount": "100.00", "refunded_on": "2026-06-30", "reason": "多缴退还"}),
        ),
        (
            "POST /api/v1/policies/{id}/renew",
            json!({"period_start": "2027-07-01", "period_end": "2028-06-30",
                   "acknowledged": ["period.backdated"], "backdating_reason": "续保申请晚于起保日"}),
        ),
        ("POST /api/v1/quotes", quote),
        (
            "POST /api/v1/users",
            json!({"username": "new.user", "display_name": "新用户", "password": "a-long-password-1", "role": "underwriter"}),
        ),
        // Non-JSON bodies: a CSV statement, a multipart upload, a PDF to verify.
        (
            "POST /api/v1/bank/statements",
            json!(
                "transaction_id,amount,paid_on,payer,reference\nT9,100.00,2026-06-30,某公司,FC-1\n"
            ),
        ),
        (
            "POST /api/v1/claims/payment-batches/{bid}/confirmation-file",
            json!("付款编号,状态\n1,paid\n"),
        ),
        ("POST /api/v1/claims/{id}/documents", json!("multipart")),
        ("POST /api/v1/verify/{code}/pdf", json!("%PDF-1.7\n%%EOF\n")),
    ]
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

fn type_fits(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

/// Where `v` departs from `schema` (empty when it fits).
fn check(doc: &Value, schema: &Value, v: &Value, at: &str) -> Vec<String> {
    let s = resolve(doc, schema);
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = s.get(key).and_then(Value::as_array) {
            if branches.iter().any(|b| check(doc, b, v, at).is_empty()) {
                return vec![];
            }
            return vec![format!("{at}: fits none of {key}")];
        }
    }
    let mut errs = Vec::new();
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for b in all {
            errs.extend(check(doc, b, v, at));
        }
    }
    let types: Vec<&str> = match &s["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() && !types.iter().any(|t| type_fits(t, v)) {
        errs.push(format!("{at}: {v} is not {types:?}"));
        return errs;
    }
    if let Some(options) = s.get("enum").and_then(Value::as_array) {
        if !options.contains(v) {
            errs.push(format!("{at}: {v} not one of {options:?}"));
        }
    }
    if let (Some(obj), Some(props)) = (v.as_object(), s.get("properties")) {
        for req in s["required"].as_array().into_iter().flatten() {
            let name = req.as_str().unwrap_or_default();
            if !obj.contains_key(name) {
                errs.push(format!("{at}.{name}: required by the document, missing"));
            }
        }
        for (k, val) in obj {
            match props.get(k) {
                Some(p) => errs.extend(check(doc, p, val, &format!("{at}.{k}"))),
                None => errs.push(format!("{at}.{k}: not in the documented schema")),
            }
        }
    }
    if let (Some(items), Some(schema)) = (v.as_array(), s.get("items")) {
        for (i, item) in items.iter().enumerate() {
            errs.extend(check(doc, schema, item, &format!("{at}[{i}]")));
        }
    }
    errs
}

fn concrete(path: &str) -> String {
    path.replace("{code}", "NOSUCHCODE")
        .split('/')
        .map(|seg| if seg.starts_with('{') { "987654" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// The operation's required query parameters with a value of their documented type.
fn required_query(op: &Value) -> String {
    let pairs: Vec<String> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && p["required"] == true)
        .map(|p| {
            let value = match (p["schema"]["type"].as_str(), p["schema"]["format"].as_str()) {
                (Some("integer"), _) => "1",
                (_, Some("date")) => "2026-06-30",
                _ => "x",
            };
            format!("{}={value}", p["name"].as_str().unwrap_or_default())
        })
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

async fn send(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    query: &str,
    body: Option<(&str, &Value)>,
) -> (StatusCode, Value) {
    let url = app.url(&format!("{}{query}", concrete(path)));
    let client = app.client();
    let mut req = match method {
        "GET" => client.get(url),
        "POST" => client.post(url),
        "PUT" => client.put(url),
        "PATCH" => client.patch(url),
        "DELETE" => client.delete(url),
        other => panic!("method {other}"),
    }
    .bearer_auth(token);
    if let Some((content_type, example)) = body {
        req = match content_type {
            "application/json" => req.json(example),
            "multipart/form-data" => {
                let part = reqwest::multipart::Part::bytes(b"%PDF-1.7\n%%EOF\n".to_vec())
                    .file_name("a.pdf")
                    .mime_str("application/pdf")
                    .unwrap();
                req.multipart(reqwest::multipart::Form::new().part("file", part))
            }
            other => req
                .header("Content-Type", other)
                .body(example.as_str().unwrap_or_default().to_string()),
        };
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn every_documented_operation_is_routed_and_takes_its_documented_body(app: TestApp) {
    let token = app.api_user("contract-admin", Role::Admin, None).await;
    let doc = app.openapi().await;
    let examples = examples();
    let mut problems = Vec::new();
    let mut with_body = 0;
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = method.to_uppercase();
            let key = format!("{method} {path}");
            operations += 1;
            let body = match op.get("requestBody") {
                None => None,
                Some(rb) => {
                    with_body += 1;
                    let (content_type, media) =
                        rb["content"].as_object().unwrap().iter().next().unwrap();
                    let Some((_, example)) = examples.iter().find(|(k, _)| *k == key) else {
                        problems.push(format!(
                            "{key}: takes a body but has no example in the contract table"
                        ));
                        continue;
                    };
                    if content_type == "application/json" {
                        for e in check(&doc, &media["schema"], example, "body") {
                            problems.push(format!("{key}: {e}"));
                        }
                    }
                    Some((content_type.as_str(), example))
                }
            };
            let query = required_query(op);
            let (status, answer) = send(&app, &token, &method, path, &query, body).await;
            let kind = answer["type"].as_str().unwrap_or_default();
            let refused_shape = status == StatusCode::BAD_REQUEST
                || status == StatusCode::UNSUPPORTED_MEDIA_TYPE
                || status == StatusCode::METHOD_NOT_ALLOWED
                || kind == "/problems/invalid-body";
            let unrouted =
                status == StatusCode::NOT_FOUND && answer["detail"] == "no such API route";
            if refused_shape || unrouted || status.is_server_error() {
                problems.push(format!("{key}: answered {status} {answer}"));
            }
        }
    }
    assert!(operations >= 60, "only {operations} operations documented");
    assert!(with_body >= 30, "only {with_body} operations with a body");
    for (k, _) in &examples {
        let (method, path) = k.split_once(' ').unwrap();
        if doc["paths"][path][method.to_lowercase()].is_null() {
            problems.push(format!("{k}: example for an operation the document lacks"));
        }
    }
    assert!(
        problems.is_empty(),
        "route contract broken:\n{}",
        problems.join("\n")
    );
}

/// A body built for one schema but documented under another name (two `PaymentInput`s)
/// must be caught by the schema check the route-contract test runs.
async fn the_schema_check_catches_a_body_documented_with_another_type(app: TestApp) {
    let doc = app.openapi().await;
    let premium = json!({"payer": "某公司", "amount": "100.00", "paid_on": "2026-06-30"});
    let claims = json!({"$ref": "#/components/schemas/ClaimPaymentInput"});
    let errs = check(&doc, &claims, &premium, "body");
    assert!(errs.iter().any(|e| e.contains("payee")), "{errs:?}");
    assert!(
        errs.iter()
            .any(|e| e.contains("payer: not in the documented schema")),
        "{errs:?}"
    );
    let premium_schema = json!({"$ref": "#/components/schemas/PaymentInput"});
    assert!(check(&doc, &premium_schema, &premium, "body").is_empty());
    // findings is documented as a list.
    let findings = &doc["components"]["schemas"]["PolicyView"]["properties"]["findings"];
    assert_eq!(findings["type"], "array", "{findings}");
    // Every error answer is problem+json.
    let op = &doc["paths"]["/api/v1/policies/{id}/payments"]["post"]["responses"];
    for status in ["400", "401", "403", "404", "409", "422", "500"] {
        assert!(
            op[status]["content"]["application/problem+json"].is_object(),
            "{status}: {}",
            op[status]
        );
    }
}

/// The other direction of the route contract: on every documented path, each method the
/// document does not list is not routed (the API's own 404, "no such API route"), so no
/// handler answers there undocumented. Together with the registration that documents each
/// handler it routes (`http/api/mod.rs`, `register`) and `tests/boundary.rs` keeping
/// actix's undocumented registrations out of `src/http/api`, the (method, path) pairs that
/// answer are exactly the document's operations.
async fn no_method_answers_on_a_documented_path_that_the_document_does_not_list(app: TestApp) {
    let token = app.api_user("contract-probe", Role::Admin, None).await;
    let doc = app.openapi().await;
    let mut problems = Vec::new();
    let mut probed = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if item.get(method.to_lowercase()).is_some() {
                continue;
            }
            probed += 1;
            let (status, answer) = send(&app, &token, method, path, "", None).await;
            if status != StatusCode::NOT_FOUND || answer["detail"] != "no such API route" {
                problems.push(format!(
                    "{method} {path}: not documented, yet answered {status} {answer}"
                ));
            }
        }
    }
    assert!(probed >= 300, "only {probed} (method, path) pairs probed");
    assert!(
        problems.is_empty(),
        "routes answering that openapi.json does not list:\n{}",
        problems.join("\n")
    );
}

crate::on_both_stores!(
    every_documented_operation_is_routed_and_takes_its_documented_body,
    the_schema_check_catches_a_body_documented_with_another_type,
    no_method_answers_on_a_documented_path_that_the_document_does_not_list,
);
