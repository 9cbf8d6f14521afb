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
    let token = text.lines().last().unwrap().trim().to_string();
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

on_both_stores!(users_and_tokens_from_the_command_line);
