use crate::helpers::TestApp;
use crate::on_both_stores;
use reqwest::StatusCode;

fn firstcover(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_firstcover"))
        .arg("--database-url")
        .arg(&app.config.database_url)
        .args(args)
        .env_remove("FIRSTCOVER_DATABASE_URL")
        .env("FIRSTCOVER_NEW_PASSWORD", "cli-password-123")
        .output()
        .expect("run firstcover");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `user add` and `token create` work against the same database the service uses.
async fn users_and_tokens_from_the_command_line(app: TestApp) {
    let (ok, text) = firstcover(
        &app,
        &[
            "user",
            "add",
            "uw.cli",
            "--role",
            "underwriter",
            "--name",
            "命令行核保",
        ],
    );
    assert!(ok, "{text}");
    assert!(text.contains("user uw.cli (underwriter) created"), "{text}");
    let (ok, text) = firstcover(&app, &["user", "add", "client.cli", "--role", "client"]);
    assert!(!ok, "a client needs a maker");
    assert!(text.contains("maker_id"), "{text}");

    let (ok, text) = firstcover(&app, &["token", "create", "uw.cli"]);
    assert!(ok, "{text}");
    let token = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("fc_"))
        .unwrap_or_default()
        .to_string();
    assert!(token.starts_with("fc_"), "{text}");
    let me: serde_json::Value = app.get_json("/api/v1/me", &token).await;
    assert_eq!(me["username"], "uw.cli");
    assert_eq!(me["role"], "underwriter");
    let (_, login) = app.login("uw.cli", "cli-password-123").await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);

    let id = text.split_whitespace().nth(1).unwrap().to_string();
    let (ok, text) = firstcover(&app, &["token", "revoke", &id]);
    assert!(ok, "{text}");
    let r = app.get("/api/v1/me", &token).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// `serve --demo` data: makers, users, catalogue and accounts a newcomer can sign in with.
async fn the_demo_data_set_is_usable_and_loaded_once(app: TestApp) {
    assert!(firstcover::services::demo::load(&app.ctx()).await.unwrap());
    assert!(
        !firstcover::services::demo::load(&app.ctx()).await.unwrap(),
        "second load does nothing"
    );
    let (web, r) = app
        .login(
            "client.zhongheng",
            firstcover::services::demo::DEMO_PASSWORD,
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let catalogue = web
        .get(app.url("/catalogue"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        catalogue.contains("五轴联动数控加工中心"),
        "own maker's product"
    );
    assert!(
        !catalogue.contains("T800级碳纤维预浸料"),
        "another maker's product is hidden"
    );
    let (uw, _) = app
        .login("uw.li", firstcover::services::demo::DEMO_PASSWORD)
        .await;
    let parties = uw
        .get(app.url("/parties"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(parties.contains("共 7"), "seven demo parties");
}

/// An administrator creates a client user bound to a maker through the users page.
async fn admins_create_users_on_the_users_page(app: TestApp) {
    app.add_user("admin.u", firstcover::domain::role::Role::Admin, None)
        .await;
    let (web, _) = app.login("admin.u", crate::helpers::PASSWORD).await;
    let page = web
        .get(app.url("/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::hidden_field(&page, "csrf").unwrap();
    let bad = web
        .post(app.url("/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "client.x"),
            ("display_name", "客户"),
            ("role", "client"),
            ("maker_id", ""),
            ("password", "long-enough-pw"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad
        .text()
        .await
        .unwrap()
        .contains("客户用户必须绑定一家制造企业"));
    let ok = web
        .post(app.url("/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "fin.x"),
            ("display_name", "财务"),
            ("role", "finance"),
            ("password", "long-enough-pw"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let (_, login) = app.login("fin.x", "long-enough-pw").await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    // Only administrators reach the page.
    let (fin, _) = app.login("fin.x", "long-enough-pw").await;
    assert_eq!(
        fin.get(app.url("/users")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}

on_both_stores!(
    users_and_tokens_from_the_command_line,
    the_demo_data_set_is_usable_and_loaded_once,
    admins_create_users_on_the_users_page,
);

/// `backtest triangle` reproduces Mack (1993)'s Taylor–Ashe figures (as in R ChainLadder's GenIns):
/// total IBNR 18,680,856 and total Mack S.E. 2,447,095.
#[test]
fn backtest_triangle_command_prints_chain_ladder_and_mack() {
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/triangles/genins.csv"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_firstcover"))
        .args(["backtest", "triangle", "--input", data, "--format", "json"])
        .output()
        .expect("run firstcover");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        report["totals"]["ibnr"].as_f64().unwrap().round(),
        18_680_856.0
    );
    assert_eq!(
        report["totals"]["mack_se"].as_f64().unwrap().round(),
        2_447_095.0
    );
    assert_eq!(report["origins"].as_array().unwrap().len(), 10);

    let text = std::process::Command::new(env!("CARGO_BIN_EXE_firstcover"))
        .args(["backtest", "triangle", "--input", data])
        .output()
        .expect("run firstcover");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("18,680,856"), "{text}");
    assert!(
        text.contains("Sigma rule"),
        "the output says which sigma rule it used"
    );

    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_firstcover"))
        .args(["backtest", "triangle", "--input", "/nonexistent.csv"])
        .output()
        .expect("run firstcover");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /nonexistent.csv"));
}
