use crate::helpers::{fresh_database, test_config, Store, TestApp, PASSWORD};
use crate::on_both_stores;
use firstcover::domain::role::Role;
use reqwest::StatusCode;
use serde_json::Value;

async fn clauses_and_programmes_are_browsable(app: TestApp) {
    app.add_user("act.l", Role::Actuary, None).await;
    let (web, _) = app.login("act.l", PASSWORD).await;
    let index = web
        .get(app.url("/clauses"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("首台(套)重大技术装备综合险"));
    assert!(index.contains("/programmes/zhejiang-2025"));
    let set = web
        .get(app.url("/clauses/first-set-equipment/2025.1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for section in ["质量风险", "责任风险", "安装", "运输"] {
        assert!(set.contains(section), "section {section} shown");
    }
    let zj = web
        .get(app.url("/programmes/zhejiang-2025"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        zj.contains("2025年浙江省首台(套)装备保险补偿申报通知"),
        "rules cite their seed by its title"
    );
    assert!(
        !zj.contains("003_88b4fbae1ca493a5.txt"),
        "not by its file name"
    );
    assert!(zj.contains("2%"), "the 2 % rate cap");
    assert_eq!(
        web.get(app.url("/programmes/nowhere-2099"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    let token = app.token_for("act.l").await;
    let programmes: Value = app.get_json("/api/v1/programmes", &token).await;
    let ids: Vec<&str> = programmes
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    for id in ["national-2025", "zhejiang-2025", "shanxi-new-materials"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let sets: Value = app.get_json("/api/v1/clauses", &token).await;
    assert_eq!(sets.as_array().unwrap().len(), 3);
}

on_both_stores!(clauses_and_programmes_are_browsable);

/// A malformed clause file stops start-up and names the file, the line and the reason.
#[tokio::test]
async fn a_malformed_clause_file_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("clauses");
    copy_dir(&src, dir.path());
    let bad = dir.path().join("programmes/zhejiang-2025.toml");
    let text = std::fs::read_to_string(&bad).unwrap();
    let broken = text.replacen(
        "id = \"zhejiang-2025\"",
        "id = \"zhejiang-2025\"\nyear = \"soon\"",
        1,
    );
    std::fs::write(&bad, broken).unwrap();
    let (url, _db_dir, _) = fresh_database(Store::Sqlite).await.unwrap();
    let mut config = test_config(&url);
    config.clauses_dir = dir.path().into();
    let err = match firstcover::app::Application::build(config, Default::default()).await {
        Ok(_) => panic!("start-up must fail"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("zhejiang-2025.toml"), "{err}");
    // The inserted line 4 clashes with the original `year` now on line 5.
    assert!(
        err.contains("zhejiang-2025.toml:5: duplicate key `year`"),
        "file, line and reason: {err}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
