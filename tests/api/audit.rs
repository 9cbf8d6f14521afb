use crate::helpers::{credit_code, Store, TestApp};
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

on_both_stores!(
    the_audit_chain_verifies_then_detects_an_altered_row,
    deleting_the_newest_rows_is_detected,
    the_log_refuses_edits_through_normal_sql,
);
