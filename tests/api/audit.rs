use crate::helpers::{credit_code, fresh_database, start_on, test_config, Store, TestApp};
use crate::on_both_stores;
use firstcover::domain::role::Role;
use serde_json::{json, Value};

async fn add_parties(app: &TestApp, token: &str) {
    for (name, body) in [
        ("甲", "91330110MA2H3K7P0"),
        ("乙", "91330206MA2CL4X82"),
        ("丙", "91140100MA0K9T3Q5"),
    ] {
        let r = app.post_json("/api/v1/parties", token, &json!({"kind": "maker", "name": name, "credit_code": credit_code(body), "province": "浙江省"})).await;
        assert_eq!(r.status(), 201);
    }
}

async fn verify_api(app: &TestApp, token: &str) -> Value {
    app.get_json("/api/v1/audit/verify", token).await
}

fn cli_verify(app: &TestApp) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_firstcover"))
        .args([
            "--database-url",
            &app.config.database_url,
            "audit",
            "verify",
        ])
        .env_remove("FIRSTCOVER_DATABASE_URL")
        .output()
        .expect("run firstcover audit verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Every change is audited with who, what, before and after; the chain verifies.
async fn the_audit_chain_verifies_then_detects_an_altered_row(app: TestApp) {
    let admin = app.api_user("admin.a", Role::Admin, None).await;
    add_parties(&app, &admin).await;
    let rows: Value = app.get_json("/api/v1/audit?limit=10", &admin).await;
    let newest = &rows[0];
    assert_eq!(newest["action"], "party.create");
    assert_eq!(
        newest["actor_name"], "admin.a",
        "the token's owner is recorded as the actor"
    );
    let created: Vec<&Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "party.create")
        .collect();
    assert_eq!(created.len(), 3);
    assert!(created
        .iter()
        .all(|r| r["after_json"].as_str().unwrap().contains("credit_code")));

    let report = verify_api(&app, &admin).await;
    // user.create + token.create + 3 × party.create
    assert_eq!(report["Intact"]["rows"], 5, "{report}");
    let (ok, text) = cli_verify(&app);
    assert!(ok, "{text}");
    assert!(text.contains("intact: 5 rows"), "{text}");

    // An insider edits a row directly in the database (past the append-only trigger).
    match app.store {
        Store::Sqlite => {
            app.execute("drop trigger audit_log_no_update").await;
        }
        Store::Postgres => {
            app.execute("alter table audit_log disable trigger audit_log_no_change")
                .await
        }
    }
    app.execute("update audit_log set after_json = replace(after_json, '甲', '丁') where seq = 3")
        .await;
    let report = verify_api(&app, &admin).await;
    assert_eq!(report["Broken"]["at_seq"], 3, "{report}");
    let (ok, text) = cli_verify(&app);
    assert!(!ok);
    assert!(text.contains("BROKEN at row 3"), "{text}");
}

async fn deleting_the_newest_rows_is_detected(app: TestApp) {
    let admin = app.api_user("admin.b", Role::Admin, None).await;
    add_parties(&app, &admin).await;
    // Seal the journal so the newest rows are in the chain.
    assert_eq!(verify_api(&app, &admin).await["Intact"]["rows"], 5);
    match app.store {
        Store::Sqlite => app.execute("drop trigger audit_log_no_delete").await,
        Store::Postgres => {
            app.execute("alter table audit_log disable trigger audit_log_no_change")
                .await
        }
    }
    app.execute("delete from audit_log where seq = (select max(seq) from audit_log)")
        .await;
    let report = verify_api(&app, &admin).await;
    assert!(
        report["Broken"]["reason"]
            .as_str()
            .unwrap()
            .contains("deleted"),
        "{report}"
    );
}

async fn the_log_refuses_edits_through_normal_sql(app: TestApp) {
    let admin = app.api_user("admin.c", Role::Admin, None).await;
    add_parties(&app, &admin).await;
    assert_eq!(
        verify_api(&app, &admin).await["Intact"]["rows"],
        5,
        "sealed"
    );
    let result = match &app.db {
        firstcover::store::Db::Sqlite(p) => sqlx::query("update audit_log set actor_name = 'x'")
            .execute(p)
            .await
            .map(|_| ()),
        firstcover::store::Db::Postgres(p) => sqlx::query("update audit_log set actor_name = 'x'")
            .execute(p)
            .await
            .map(|_| ()),
    };
    let err = result.expect_err("append-only");
    assert!(err.to_string().contains("append-only"), "{err}");
}

/// Entries wait in the journal until sealed, yet show in the log and in a record's
/// history at once (without a chain number); sealing numbers them in commit order.
async fn journal_entries_show_before_they_are_sealed(app: TestApp) {
    let admin = app.api_user("admin.d", Role::Admin, None).await;
    add_parties(&app, &admin).await;
    let rows: Value = app.get_json("/api/v1/audit?limit=10", &admin).await;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(rows
        .iter()
        .all(|r| r["seq"].is_null() && r["hash"].is_null()));
    assert_eq!(rows[0]["action"], "party.create");
    assert_eq!(rows[4]["action"], "user.create", "newest first");
    assert_eq!(count(&app, "select count(*) from audit_journal").await, 5);
    assert_eq!(count(&app, "select count(*) from audit_log").await, 0);

    let report = verify_api(&app, &admin).await;
    assert_eq!(report["Intact"]["rows"], 5, "{report}");
    assert_eq!(report["Intact"]["waiting"], 0, "{report}");
    assert_eq!(count(&app, "select count(*) from audit_journal").await, 0);
    let rows: Value = app.get_json("/api/v1/audit?limit=10", &admin).await;
    let seqs: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![5, 4, 3, 2, 1], "sealed in the order committed");
    assert_eq!(rows[4]["action"], "user.create");
    assert_eq!(rows[0]["prev_hash"], rows[1]["hash"]);

    // A second seal finds nothing to do and leaves the chain as it was.
    let again = verify_api(&app, &admin).await;
    assert_eq!(again["Intact"]["last_hash"], report["Intact"]["last_hash"]);
}

/// Unsealed journal entries cannot be edited or deleted through normal SQL; once sealed,
/// the chain protects them (the sealer removes them from the journal).
async fn the_journal_refuses_edits_and_early_deletes(app: TestApp) {
    let admin = app.api_user("admin.e", Role::Admin, None).await;
    add_parties(&app, &admin).await;
    for sql in [
        "update audit_journal set actor_name = 'x'",
        "delete from audit_journal",
    ] {
        let err = try_execute(&app, sql).await.expect_err(sql);
        assert!(err.contains("append-only until sealed"), "{sql}: {err}");
    }
    assert_eq!(count(&app, "select count(*) from audit_journal").await, 5);
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    match &app.db {
        firstcover::store::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        firstcover::store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn try_execute(app: &TestApp, sql: &str) -> Result<(), String> {
    match &app.db {
        firstcover::store::Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        firstcover::store::Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
    }
    .map_err(|e| e.to_string())
}

on_both_stores!(
    the_audit_chain_verifies_then_detects_an_altered_row,
    deleting_the_newest_rows_is_detected,
    the_log_refuses_edits_through_normal_sql,
    journal_entries_show_before_they_are_sealed,
    the_journal_refuses_edits_and_early_deletes,
);

/// 60 audited changes from two app instances while both keep sealing: every entry is
/// chained exactly once, the numbering has no gap, and the chain verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_and_sealers_on_two_postgres_instances_chain_every_entry_once() {
    let Some((url, _, pg_name)) = fresh_database(Store::Postgres).await else {
        return;
    };
    let one = start_on(Store::Postgres, test_config(&url), None, pg_name).await;
    let two = start_on(Store::Postgres, test_config(&url), None, None).await;
    let admin = one.api_user("admin.f", Role::Admin, None).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sealers: Vec<_> = [one.services.clone(), two.services.clone()]
        .into_iter()
        .map(|shared| {
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut sealed = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    sealed += firstcover::services::audit::seal(&shared.ctx())
                        .await
                        .expect("seal");
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
                sealed
            })
        })
        .collect();
    let writes: Vec<_> = (0..60)
        .map(|i| {
            let app = if i % 2 == 0 { &one } else { &two };
            let (client, url, admin) = (app.client(), app.url("/api/v1/parties"), admin.clone());
            let body = json!({"kind": "maker", "name": format!("厂{i}"),
                "credit_code": credit_code(&format!("9133011{i:02}MA2H3K7P")), "province": "浙江省"});
            tokio::spawn(async move {
                client.post(url).bearer_auth(admin).json(&body).send().await.unwrap().status()
            })
        })
        .collect();
    for w in writes {
        assert_eq!(w.await.unwrap(), 201);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut by_sealers = 0;
    for s in sealers {
        by_sealers += s.await.unwrap();
    }
    let report = verify_api(&one, &admin).await;
    // user.create + token.create + 60 × party.create
    assert_eq!(report["Intact"]["rows"], 62, "{report}");
    assert!(
        by_sealers > 0,
        "the concurrent sealers sealed while writes ran"
    );
    assert_eq!(count(&one, "select count(*) from audit_journal").await, 0);
    assert_eq!(
        count(&one, "select count(distinct sealed_from) from audit_log").await,
        62
    );
    assert_eq!(
        count(
            &one,
            "select count(*) from audit_log where action = 'party.create'"
        )
        .await,
        60
    );
    drop(two);
}
