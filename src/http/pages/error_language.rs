//! Every refusal reads in its reader's language (issue 13, item 3): each kind of
//! `ServiceError`, shown as a page and answered as an API problem, in Chinese and in
//! English — and its problem type is the same whatever the language.

use super::{Lang, PageError};
use crate::http::problem;
use crate::services::wording::{kind, one_of_each};
use crate::services::ServiceError;

fn cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The page's message and the whole page, in `lang`.
async fn page(e: ServiceError, lang: Lang) -> (String, String) {
    let mut p = PageError::from(e);
    p.lang = lang;
    let message = p.message().to_string();
    let body = actix_web::body::to_bytes(p.render(lang).into_body())
        .await
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&body)
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    (message, body)
}

/// The problem+json body for `lang` (none: the client asked for neither).
async fn problem(e: &ServiceError, lang: Option<Lang>) -> serde_json::Value {
    let body = actix_web::body::to_bytes(problem::render(e, lang).into_body())
        .await
        .unwrap_or_default();
    serde_json::from_slice(&body).unwrap_or_default()
}

fn stable_type(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Validation" => "/problems/validation-failed",
        "NotFound" => "/problems/not-found",
        "Forbidden" => "/problems/forbidden",
        "Unauthenticated" => "/problems/unauthenticated",
        "BadCredentials" => "/problems/bad-credentials",
        "Throttled" => "/problems/too-many-attempts",
        "RateLimited" => "/problems/rate-limited",
        "Conflict" => "/problems/conflict",
        "Duplicate" => "/problems/duplicate",
        "Store" | "Internal" | "InternalFrom" => "/problems/internal",
        // A refusal's type is its kind's (`Refusal::problem`).
        _ => return None,
    })
}

#[actix_web::test]
async fn every_refusal_reads_in_the_readers_language_on_pages_and_in_problems() {
    // Not `Clone` (an internal error owns its cause): a fresh sample for each rendering.
    let sample = |i: usize| one_of_each().swap_remove(i);
    for i in 0..one_of_each().len() {
        let e = sample(i);
        let name = kind(&e);
        let words = e.text();
        assert!(cjk(&words.zh) && !cjk(&words.en), "{name}: {words:?}");

        let (zh, zh_page) = page(sample(i), Lang::Zh).await;
        assert!(cjk(&zh) && !zh.contains(&words.en), "{name} zh page: {zh}");
        assert!(zh_page.contains(&zh), "{name}: the zh page shows {zh}");
        let (en, en_page) = page(sample(i), Lang::En).await;
        assert!(!cjk(&en) && !en.contains(&words.zh), "{name} en page: {en}");
        assert!(en_page.contains(&en), "{name}: the en page shows {en}");

        let both = problem(&e, None).await;
        let zh = problem(&e, Some(Lang::Zh)).await;
        let en = problem(&e, Some(Lang::En)).await;
        for (field, v) in [("detail", &zh), ("title", &zh)] {
            let s = v[field].as_str().unwrap_or_default();
            assert!(cjk(s), "{name} zh problem {field}: {v}");
            assert!(!s.contains(&words.en), "{name} zh problem {field}: {v}");
        }
        for field in ["detail", "title"] {
            let s = en[field].as_str().unwrap_or_default();
            assert!(!cjk(s), "{name} en problem {field}: {en}");
        }
        assert!(!en["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&words.zh));
        assert_eq!(zh["type"], en["type"], "{name}");
        assert_eq!(zh["type"], both["type"], "{name}");
        assert_eq!(zh["status"], en["status"], "{name}");
        if let Some(t) = stable_type(name) {
            assert_eq!(zh["type"], t, "{name}");
        }
        if name == "Validation" {
            // Field errors keep their wire shape in every language.
            assert_eq!(zh["errors"], en["errors"]);
            assert_eq!(en["errors"][0]["message_zh"], "请填写金额");
            assert_eq!(en["errors"][0]["message"], "give an amount");
        }
    }
}

#[actix_web::test]
async fn an_internal_failure_shows_no_cause_in_either_language() {
    for e in one_of_each() {
        if !matches!(kind(&e), "Store" | "Internal" | "InternalFrom") {
            continue;
        }
        for lang in [None, Some(Lang::Zh), Some(Lang::En)] {
            let v = problem(&e, lang).await;
            let detail = v["detail"].as_str().unwrap_or_default();
            for secret in ["row 7", "EOF", "socket", "pool", "XML"] {
                assert!(!detail.contains(secret), "{}: {detail}", kind(&e));
            }
        }
    }
}

#[actix_web::test]
async fn a_client_that_asks_for_neither_language_reads_both() {
    let e = ServiceError::Conflict(crate::services::Text::new(
        "该保单没有待处理的转核",
        "no open referral",
    ));
    let v = problem(&e, None).await;
    assert_eq!(v["detail"], "该保单没有待处理的转核 / no open referral");
}
