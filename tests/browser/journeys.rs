//! The main journeys, as a person does them in the browser.

use crate::driver;
use crate::helpers::{spawn_app, Store, PASSWORD};
use fantoccini::Locator;
use firstcover::domain::role::Role;

/// An underwriter signs in, lands on the dashboard, and registers a maker through the form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn underwriter_logs_in_and_creates_a_party() {
    let Some(browser) = driver::launch().await else {
        return;
    };
    let app = spawn_app(Store::Sqlite).await.expect("app");
    app.add_user("uw.browser", Role::Underwriter, None).await;
    let c = &browser.client;

    c.goto(&app.url("/")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/login"));
    c.find(Locator::Css("input[name=username]"))
        .await
        .unwrap()
        .send_keys("uw.browser")
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Wait for the dashboard: reading `main` while the login page is still being replaced
    // can hit the old page's element (a stale reference).
    let mut body = String::new();
    for _ in 0..50 {
        if c.current_url().await.unwrap().path() == "/" {
            if let Ok(main) = c.find(Locator::Css("main")).await {
                body = main.text().await.unwrap_or_default();
                if body.contains("欢迎") {
                    break;
                }
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(body.contains("欢迎"), "dashboard after login: {body}");
    assert_eq!(c.current_url().await.unwrap().path(), "/");

    c.find(Locator::LinkText("当事方"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::LinkText("新建当事方"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let form = c.form(Locator::Css("form.form")).await.unwrap();
    form.set_by_name("name", "浏览器测试重工有限公司")
        .await
        .unwrap();
    form.set_by_name("credit_code", "91350100m000100y43")
        .await
        .unwrap();
    form.set_by_name("province", "浙江省").await.unwrap();
    form.set_by_name("city", "杭州市").await.unwrap();
    form.submit().await.unwrap();

    let url = c.current_url().await.unwrap();
    assert!(
        url.path().starts_with("/parties/"),
        "redirected to the new party: {url}"
    );
    let detail = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(detail.contains("浏览器测试重工有限公司"));
    assert!(
        detail.contains("91350100M000100Y43"),
        "code stored upper-cased"
    );
    assert!(detail.contains("已保存"));

    c.goto(&app.url("/parties?q=浏览器")).await.unwrap();
    let list = c
        .find(Locator::Css("table"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("浏览器测试重工有限公司"));
    browser.close().await;
}
