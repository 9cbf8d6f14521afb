//! Mail from claims through the outbox to the local SMTP sink: the one request for
//! missing proof (art. 22) and the rejection notice with its PDF (art. 24).

use crate::claims::{claims_book, get, open_claim, post};
use crate::helpers::TestApp;
use crate::on_both_stores;
use reqwest::StatusCode;
use serde_json::json;

async fn missing_proof_is_requested_once_listing_everything_and_mailed(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let id = open_claim(&app, &cb, "80000.00").await;
    let form = reqwest::multipart::Form::new()
        .text("code", "claim_form")
        .part(
            "file",
            reqwest::multipart::Part::bytes(firstcover::documents::inspect::samples::pdf())
                .file_name("claim.pdf"),
        );
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/claims/{id}/documents")))
        .bearer_auth(&cb.client)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/proof-request"),
        &json!({"also": ["inspection_report"], "note": "请于30日内提交"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    let asked: Vec<&str> = d["proof_requested"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        asked,
        vec![
            "policy",
            "sales_contract",
            "delivery_acceptance",
            "defect_report",
            "inspection_report",
            "repair_invoice",
            "photos"
        ]
    );
    let number = d["claim"]["claim_number"].as_str().unwrap().to_string();

    app.deliver_outbox().await;
    let mails = app.mails();
    assert_eq!(mails.len(), 1, "one request, one mail");
    let m = &mails[0];
    assert_eq!(m.to, vec!["claims@maker.example.com".to_string()]);
    assert!(m.subject.contains(&number), "{}", m.subject);
    for item in [
        "1. 保险单及批单复印件",
        "2. 销售合同（含技术协议）",
        "3. 交付验收证明",
        "4. 质量缺陷说明及用户修理要求",
        "5. 第三方检验或鉴定报告",
        "6. 修理费用发票及明细",
        "7. 缺陷及修理前后照片",
        "请于30日内提交",
        "《保险法》第二十二条",
    ] {
        assert!(m.text.contains(item), "missing '{item}' in:\n{}", m.text);
    }
    assert!(
        !m.text.contains("索赔申请书"),
        "what is on file is not asked for again"
    );

    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/proof-request"),
        &json!({"also": ["photos"]}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("already requested once"),
        "{v}"
    );
    app.deliver_outbox().await;
    assert_eq!(app.mails().len(), 1);
}

async fn a_rejection_produces_the_notice_pdf_and_mails_it(app: TestApp) {
    let cb = claims_book(&app, 50, "2000000.00", None).await;
    let id = open_claim(&app, &cb, "80000.00").await;
    let (s, v) = post(
        &app,
        &cb.handler,
        &format!("/api/v1/claims/{id}/decision"),
        &json!({"missing_proof_reason": "纸质材料已收到", "outcome": "reject", "reasons": ["用户擅自改装主轴，属责任免除"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "closed");
    assert_eq!(v["outcome"], "reject");
    assert_eq!(v["reserve"], "0.00");
    let number = v["claim_number"].as_str().unwrap().to_string();
    let (_, d) = get(&app, &cb.handler, &format!("/api/v1/claims/{id}")).await;
    let doc = d["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "rejection_notice")
        .expect("the notice is kept with the claim")
        .clone();
    let pdf = app
        .get(
            &format!("/api/v1/claims/{id}/documents/{}", doc["document_id"]),
            &cb.client,
        )
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = crate::readback::flat_text(&pdf);
    assert!(text.contains("拒赔通知书"), "{text}");
    assert!(text.contains(&number), "{text}");
    assert!(text.contains("用户擅自改装主轴"), "{text}");
    // Whom to contact (from `[claims]`) and how to object, citing the policy's clauses.
    let contact = &app.config.claims;
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    for expected in [
        "如对本决定有异议".to_string(),
        format!("向本公司{}提出复核申请", contact.contact_department),
        format!("联系电话：{}", squash(&contact.contact_phone)),
        format!("通讯地址：{}", squash(&contact.contact_address)),
        "首台(套)重大技术装备综合险".to_string(),
        "约定的争议处理方式".to_string(),
    ] {
        assert!(text.contains(&expected), "missing {expected} in {text}");
    }

    app.deliver_outbox().await;
    let mails = app.mails();
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(m.to, vec!["claims@maker.example.com".to_string()]);
    assert!(
        m.subject.contains("拒赔通知书") && m.subject.contains(&number),
        "{}",
        m.subject
    );
    assert!(m.text.contains("用户擅自改装主轴"), "{}", m.text);
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].0, format!("拒赔通知书-{number}.pdf"));
    assert_eq!(
        m.attachments[0].1, pdf,
        "the mailed PDF is the stored notice"
    );
}

on_both_stores!(
    missing_proof_is_requested_once_listing_everything_and_mailed,
    a_rejection_produces_the_notice_pdf_and_mails_it,
);
