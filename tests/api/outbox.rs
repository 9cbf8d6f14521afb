//! The outbox: mail to a real local SMTP sink; HTTP to a real local server that fails,
//! then accepts; dead letters; a worker killed mid-delivery.

use crate::helpers::TestApp;
use crate::on_both_stores;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use firstcover::domain::role::Role;
use firstcover::services::outbox::{self, Attachment, HttpPost, Mail};
use firstcover::store::outbox::OutboxRow;
use serde_json::json;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A regulator stand-in on 127.0.0.1: answers 503 to the first `fail_first` requests,
/// then accepts; remembers Idempotency-Keys and does not accept one twice.
struct Regulator {
    port: u16,
    state: Arc<Mutex<RegulatorState>>,
    handle: actix_web::dev::ServerHandle,
}

#[derive(Default)]
struct RegulatorState {
    fail_first: usize,
    /// Hold the first accepted request this long before answering.
    slow_first_accept: Option<Duration>,
    /// The key of every request, in order.
    requests: Vec<String>,
    /// What was taken in: (key, body).
    accepted: Vec<(String, Vec<u8>)>,
}

impl Regulator {
    async fn start(fail_first: usize, slow_first_accept: Option<Duration>) -> Regulator {
        let state = Arc::new(Mutex::new(RegulatorState {
            fail_first,
            slow_first_accept,
            ..Default::default()
        }));
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/reports", web::post().to(receive))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .expect("bind regulator");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Regulator {
            port,
            state,
            handle,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/reports", self.port)
    }

    fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }

    fn accepted(&self) -> Vec<(String, Vec<u8>)> {
        self.state.lock().unwrap().accepted.clone()
    }
}

impl Drop for Regulator {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    st: web::Data<Arc<Mutex<RegulatorState>>>,
) -> HttpResponse {
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (fail, slow) = {
        let mut s = st.lock().unwrap();
        s.requests.push(key.clone());
        if s.requests.len() <= s.fail_first {
            (true, None)
        } else if s.accepted.iter().any(|(k, _)| *k == key) {
            (false, None)
        } else {
            s.accepted.push((key.clone(), body.to_vec()));
            (false, s.slow_first_accept.take())
        }
    };
    if fail {
        return HttpResponse::ServiceUnavailable().body("busy, try later");
    }
    if let Some(d) = slow {
        tokio::time::sleep(d).await;
    }
    HttpResponse::Ok().json(json!({ "receipt": format!("RCPT-{key}") }))
}

async fn row(app: &TestApp, id: i64) -> OutboxRow {
    let mut tx = app.db.read().await.unwrap();
    firstcover::store::outbox::get(&mut tx, id)
        .await
        .unwrap()
        .expect("outbox row")
}

async fn queue_report(app: &TestApp, key: &str, url: &str) -> i64 {
    let mut tx = app.db.write().await.unwrap();
    let id = outbox::enqueue_http(
        &mut tx,
        key,
        &HttpPost {
            url: url.into(),
            content_type: "application/xml".into(),
            body: b"<report period=\"2026Q3\"/>".to_vec(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn notice() -> Mail {
    Mail {
        to: vec!["理赔联系人 <claimant@example.com>".into()],
        subject: "理赔材料补充通知 CL-2026-000001".into(),
        text: "尚缺少以下材料：\n1. 事故证明\n2. 损失清单\n".into(),
        attachments: vec![Attachment {
            filename: "通知书.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7\n\x00\x9f binary".to_vec(),
        }],
    }
}

async fn mail_with_attachment_arrives_once(app: TestApp) {
    let mut tx = app.db.write().await.unwrap();
    let first = outbox::enqueue_mail(&mut tx, "claim-1/proof-request", &notice())
        .await
        .unwrap();
    let again = outbox::enqueue_mail(&mut tx, "claim-1/proof-request", &notice())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(first, again, "the same key queues one delivery");

    let report = app.deliver_outbox().await;
    assert_eq!(report.delivered, 1, "{report:?}");
    let mails = app.mails();
    assert_eq!(mails.len(), 1);
    let raw = &app.mail.as_ref().unwrap().messages()[0];
    assert!(
        raw.from.contains("noreply@firstcover.invalid"),
        "{}",
        raw.from
    );
    assert_eq!(mails[0].to, vec!["claimant@example.com".to_string()]);
    assert_eq!(mails[0].subject, "理赔材料补充通知 CL-2026-000001");
    assert!(mails[0].text.contains("2. 损失清单"), "{}", mails[0].text);
    assert_eq!(
        mails[0].attachments,
        vec![(
            "通知书.pdf".to_string(),
            notice().attachments[0].bytes.clone()
        )]
    );
    let r = row(&app, first).await;
    assert_eq!((r.status.as_str(), r.attempts), ("delivered", 1));
    assert_eq!(r.receipt_status, Some(250));

    assert_eq!(app.deliver_outbox().await.delivered, 0, "nothing twice");
    assert_eq!(app.mails().len(), 1);
}

async fn nothing_is_queued_when_the_change_rolls_back(app: TestApp) {
    let mut tx = app.db.write().await.unwrap();
    outbox::enqueue_mail(&mut tx, "rolled-back", &notice())
        .await
        .unwrap();
    drop(tx);
    assert_eq!(app.deliver_outbox().await.delivered, 0);
    assert!(app.mails().is_empty());
}

async fn mail_waits_while_no_smtp_host_is_set(app: TestApp) {
    let mut tx = app.db.write().await.unwrap();
    let id = outbox::enqueue_mail(&mut tx, "held", &notice())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut config = app.config.clone();
    config.mail.smtp_host = None;
    let report = firstcover::outbox_worker::run_once(&app.db, &config)
        .await
        .unwrap();
    assert_eq!(report.delivered + report.retrying + report.dead, 0);
    let r = row(&app, id).await;
    assert_eq!((r.status.as_str(), r.attempts), ("pending", 0));
}

async fn regulator_failing_three_times_then_accepting_gets_one_report(app: TestApp) {
    let regulator = Regulator::start(3, None).await;
    let id = queue_report(&app, "backtest/2026Q3", &regulator.url()).await;

    let report = app.deliver_outbox().await;
    assert_eq!((report.delivered, report.retrying, report.dead), (1, 3, 0));
    assert_eq!(regulator.requests(), vec!["backtest/2026Q3".to_string(); 4]);
    assert_eq!(regulator.accepted().len(), 1);
    assert_eq!(regulator.accepted()[0].1, b"<report period=\"2026Q3\"/>");
    let r = row(&app, id).await;
    assert_eq!((r.status.as_str(), r.attempts), ("delivered", 4));
    assert_eq!(r.receipt_status, Some(200));
    assert!(r
        .receipt_body
        .as_deref()
        .unwrap_or("")
        .contains("RCPT-backtest/2026Q3"));

    let token = app.api_user("ops", Role::Admin, None).await;
    let audit = app.get_json("/api/v1/audit?limit=20", &token).await;
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "outbox.delivered"
                && a["entity_id"].as_str() == Some(id.to_string().as_str())),
        "{audit}"
    );
}

/// A stored payload that does not parse fails its own delivery (a dead letter at once,
/// saying why) and does not stop the worker: the report queued after it is delivered.
/// This is why the payload column stays text rather than a typed column, whose read
/// would fail in the claim itself.
async fn a_payload_that_does_not_parse_is_a_dead_letter_and_the_rest_is_delivered(app: TestApp) {
    let regulator = Regulator::start(0, None).await;
    app.execute(
        "insert into outbox (kind, dedupe_key, payload_json, status, attempts, next_attempt_at, created_at) \
         values ('http', 'broken/1', '{\"kind\": \"http\"}', 'pending', 0, \
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    )
    .await;
    let good = queue_report(&app, "backtest/2026Q1", &regulator.url()).await;
    let report = app.deliver_outbox().await;
    assert_eq!((report.delivered, report.dead), (1, 1), "{report:?}");
    assert_eq!(row(&app, good).await.status.as_str(), "delivered");
    assert_eq!(regulator.accepted().len(), 1);
    let token = app.api_user("ops", Role::Admin, None).await;
    let dead = app.get_json("/api/v1/outbox?status=dead", &token).await;
    assert_eq!(dead["total"], 1, "{dead}");
    assert_eq!(dead["items"][0]["dedupe_key"], "broken/1", "{dead}");
    assert_eq!(dead["items"][0]["attempts"], 1, "{dead}");
    assert!(
        dead["items"][0]["last_error"]
            .as_str()
            .unwrap_or("")
            .contains("payload"),
        "{dead}"
    );
}

async fn a_delivery_that_keeps_failing_becomes_a_dead_letter_and_can_be_retried(app: TestApp) {
    let regulator = Regulator::start(1_000, None).await;
    let id = queue_report(&app, "backtest/2026Q2", &regulator.url()).await;
    let report = app.deliver_outbox().await;
    assert_eq!((report.delivered, report.dead), (0, 1));
    let max = app.config.outbox.max_attempts as usize;
    assert_eq!(regulator.requests().len(), max);

    let token = app.api_user("ops", Role::Admin, None).await;
    let dead = app.get_json("/api/v1/outbox?status=dead", &token).await;
    assert_eq!(dead["total"], 1, "{dead}");
    let dead = dead["items"].as_array().unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["outbox_id"], id);
    assert_eq!(dead[0]["attempts"], max);
    assert!(
        dead[0]["last_error"].as_str().unwrap().contains("503"),
        "{dead:?}"
    );

    let (browser, _) = app.login("ops", crate::helpers::PASSWORD).await;
    let page = browser
        .get(app.url("/outbox?status=dead"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("backtest/2026Q2") && page.contains("503"),
        "{page}"
    );
    assert!(
        page.contains(&format!("/outbox/{id}/requeue")),
        "a retry button"
    );

    let resp = app
        .post_json(&format!("/api/v1/outbox/{id}/requeue"), &token, &json!({}))
        .await;
    assert_eq!(resp.status(), 200);
    let r = row(&app, id).await;
    assert_eq!((r.status.as_str(), r.attempts), ("pending", 0));
    let again = app
        .post_json(&format!("/api/v1/outbox/{id}/requeue"), &token, &json!({}))
        .await;
    assert_eq!(again.status(), 409, "only dead letters are retried");

    let underwriter = app.api_user("uw.outbox", Role::Underwriter, None).await;
    assert_eq!(app.get("/api/v1/outbox", &underwriter).await.status(), 403);
}

async fn a_worker_killed_mid_delivery_does_not_deliver_twice(app: TestApp) {
    let regulator = Regulator::start(0, Some(Duration::from_secs(3))).await;
    let id = queue_report(&app, "backtest/2026Q1", &regulator.url()).await;
    let mut config = app.config.clone();
    config.outbox.lease_secs = 1;

    // The first worker sends, the regulator takes the report in, and the worker dies
    // before it hears the answer.
    let (db, c) = (app.db.clone(), config.clone());
    let worker = tokio::spawn(async move { firstcover::outbox_worker::run_once(&db, &c).await });
    for _ in 0..100 {
        if !regulator.requests().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(regulator.requests().len(), 1);
    worker.abort();
    assert_eq!(row(&app, id).await.status.as_str(), "pending");

    // A new worker picks the delivery up once the lease has run out.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let report = firstcover::outbox_worker::run_once(&app.db, &config)
        .await
        .unwrap();
    assert_eq!(report.delivered, 1);
    let keys: HashSet<String> = regulator.requests().into_iter().collect();
    assert_eq!(regulator.requests().len(), 2, "sent again after the crash");
    assert_eq!(keys.len(), 1, "with the same idempotency key");
    assert_eq!(regulator.accepted().len(), 1, "taken in once");
    let r = row(&app, id).await;
    assert_eq!((r.status.as_str(), r.attempts), ("delivered", 2));
}

on_both_stores!(
    a_payload_that_does_not_parse_is_a_dead_letter_and_the_rest_is_delivered,
    mail_with_attachment_arrives_once,
    nothing_is_queued_when_the_change_rolls_back,
    mail_waits_while_no_smtp_host_is_set,
    regulator_failing_three_times_then_accepting_gets_one_report,
    a_delivery_that_keeps_failing_becomes_a_dead_letter_and_can_be_retried,
    a_worker_killed_mid_delivery_does_not_deliver_twice,
);
