use crate::helpers::TestApp;
use crate::on_both_stores;
use reqwest::StatusCode;

async fn probes_metrics_and_openapi(app: TestApp) {
    let c = app.client();
    assert_eq!(
        c.get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    let ready = c.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let metrics = c
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "firstcover_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains(
        "firstcover_http_request_duration_seconds_bucket{method=\"GET\",route=\"/readyz\""
    ));
    assert!(metrics.contains("firstcover_ready 1"));

    let spec = app.openapi().await;
    assert_eq!(spec["openapi"].as_str().unwrap().chars().next(), Some('3'));
    assert!(spec["paths"]["/api/v1/parties"]["post"].is_object());
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    let ui = c.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(ui.status(), StatusCode::OK);
    let html = ui.text().await.unwrap();
    assert!(html.contains("swagger"), "bundled Swagger UI");
    assert!(
        !html.contains("https://"),
        "the UI loads nothing from the internet"
    );

    let page = c.get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(page.text().await.unwrap().contains("页面不存在"));

    let missing = c.get(app.url("/api/v1/nothing-here")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
}

async fn pages_switch_language(app: TestApp) {
    let c = app.client();
    let zh = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("登录"));
    let r = c
        .get(app.url("/lang/en"))
        .header("referer", app.url("/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login");
    let en = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("Sign in"));
}

on_both_stores!(probes_metrics_and_openapi, pages_switch_language);
