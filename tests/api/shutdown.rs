//! Graceful shutdown: `firstcover serve` told SIGTERM while an outbox delivery is in
//! flight to a slow receiver finishes that delivery, records it, and exits 0.

use crate::helpers::TestApp;
use crate::on_both_stores;
use actix_web::{web, App, HttpResponse, HttpServer};
use firstcover::services::outbox::{self, HttpPost};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Default)]
struct Slow {
    started: AtomicUsize,
    answered: AtomicUsize,
}

/// A receiver that takes two seconds to answer each POST.
async fn slow_receiver() -> (String, Arc<Slow>, actix_web::dev::ServerHandle) {
    let state = Arc::new(Slow::default());
    let data = web::Data::new(state.clone());
    let server = HttpServer::new(move || {
        App::new().app_data(data.clone()).route(
            "/reports",
            web::post().to(|st: web::Data<Arc<Slow>>| async move {
                st.started.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(2)).await;
                st.answered.fetch_add(1, Ordering::SeqCst);
                HttpResponse::Ok().body("RCPT-1")
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .expect("bind receiver");
    let url = format!("http://127.0.0.1:{}/reports", server.addrs()[0].port());
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    (url, state, handle)
}

async fn sigterm_finishes_the_delivery_in_flight_and_exits_zero(app: TestApp) {
    let (url, slow, receiver) = slow_receiver().await;
    let mut tx = app.db.write().await.unwrap();
    let id = outbox::enqueue_http(
        &mut tx,
        "shutdown-test",
        &HttpPost {
            url,
            content_type: "application/xml".into(),
            body: b"<report/>".to_vec(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_firstcover"))
        .arg("serve")
        .current_dir(dir.path())
        .env("FIRSTCOVER_DATABASE_URL", &app.config.database_url)
        .env("FIRSTCOVER_BIND", "127.0.0.1:0")
        .env("FIRSTCOVER_ADMIN_PASSWORD", "shutdown-admin-password")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start firstcover serve");
    let deadline = Instant::now() + Duration::from_secs(60);
    while slow.started.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the delivery never started");
        assert!(child.try_wait().unwrap().is_none(), "serve exited early");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(slow.answered.load(Ordering::SeqCst), 0, "still in flight");
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(0), "exit status {status:?}");
    assert_eq!(
        slow.answered.load(Ordering::SeqCst),
        1,
        "the receiver answered"
    );
    let mut tx = app.db.read().await.unwrap();
    let row = firstcover::store::outbox::get(&mut tx, id)
        .await
        .unwrap()
        .expect("outbox row");
    assert_eq!(row.status.as_str(), "delivered", "{row:?}");
    assert_eq!(row.attempts, 1);
    drop(receiver.stop(false));
}

on_both_stores!(sigterm_finishes_the_delivery_in_flight_and_exits_zero);
