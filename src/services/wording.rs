//! What each refusal says to a person (错误提示), in both languages. The language is
//! picked only where it is shown (`http::problem`, `http::pages`).

use super::{ServiceError, Text};

impl ServiceError {
    /// The words for a person, in both languages. Internal failures say only that the
    /// server failed: their cause goes to the log, never to the reader.
    pub fn text(&self) -> Text {
        match self {
            ServiceError::Validation(fields) => Text::new(
                join(fields.iter().map(|f| f.text.zh.as_str()), "；"),
                join(fields.iter().map(|f| f.text.en.as_str()), "; "),
            ),
            ServiceError::NotFound(what) => Text::new(
                "未找到该记录，或您无权查看。",
                format!("{what} not found, or not yours to see."),
            ),
            ServiceError::Forbidden(what) => Text::new(
                "您的角色无权执行此操作。",
                format!("You are not allowed to {what}."),
            ),
            ServiceError::Unauthenticated => Text::new("请先登录。", "Sign in first."),
            ServiceError::BadCredentials => {
                Text::new("用户名或密码错误。", "Wrong user name or password.")
            }
            ServiceError::Throttled { retry_after_secs } => Text::new(
                format!("登录失败次数过多，请 {retry_after_secs} 秒后再试。"),
                format!("Too many failed sign-ins; try again in {retry_after_secs} seconds."),
            ),
            ServiceError::RateLimited { retry_after_secs } => Text::new(
                format!("请求过多，请 {retry_after_secs} 秒后再试。"),
                format!("Too many requests; try again in {retry_after_secs} seconds."),
            ),
            ServiceError::Conflict(text) | ServiceError::Refused { text, .. } => text.clone(),
            ServiceError::Duplicate { what, .. } => Text::new(
                format!("{}已存在。", what.zh),
                format!("{} is already taken.", what.en),
            ),
            ServiceError::Store(_)
            | ServiceError::Internal(_)
            | ServiceError::InternalFrom { .. } => Text::new(
                "服务器暂时无法完成请求，已记录。",
                "The server could not complete the request; it has been logged.",
            ),
        }
    }

    /// A unique value the store found taken; `key` is the store's name for it.
    pub fn duplicate(key: &'static str) -> ServiceError {
        ServiceError::Duplicate {
            field: key,
            what: taken(key),
        }
    }
}

fn join<'a>(parts: impl Iterator<Item = &'a str>, sep: &str) -> String {
    parts.collect::<Vec<_>>().join(sep)
}

/// An edit that lost the optimistic-locking race (the `version` moved on).
pub(super) fn changed_by_someone_else() -> Text {
    Text::new(
        "记录已被他人修改，请刷新后重试",
        "the record was changed by someone else; reload it and try again",
    )
}

/// The store's names for unique values (`StoreError::on_unique`), in words.
const TAKEN: &[(&str, &str, &str)] = &[
    ("period", "该报告期的报告", "a report for this period"),
    (
        "valid certificate",
        "有效的全额保费收取证明",
        "a valid certificate",
    ),
    ("policy_number", "保单号", "policy number"),
    ("claim_number", "赔案号", "claim number"),
    (
        "the request for missing proof",
        "补充材料通知",
        "the request for missing proof",
    ),
    ("batch_number", "批次号", "batch number"),
    (
        "a payment already in an open batch",
        "已在未结批次中的赔款",
        "a payment already in an open batch",
    ),
    ("username", "用户名", "username"),
    ("credit_code", "统一社会信用代码", "credit_code"),
    ("relation", "该关联关系", "relation"),
    ("issued document", "已出具的单证", "issued document"),
    (
        "bank transaction id",
        "银行交易流水号",
        "bank transaction id",
    ),
    ("invoice number", "发票号码", "invoice number"),
    (
        "bank line disposal",
        "该银行流水的处理",
        "bank line disposal",
    ),
];

fn taken(key: &str) -> Text {
    match TAKEN.iter().find(|(k, _, _)| *k == key) {
        Some((_, zh, en)) => Text::new(*zh, *en),
        // A name added to the store without words here still reads in Chinese.
        None => Text::new("该记录", key),
    }
}

/// One refusal of every kind, for the tests that render them (`http`); `kind` names
/// each without a wildcard, so a new variant fails to compile until it is added here.
#[cfg(test)]
pub(crate) fn one_of_each() -> Vec<ServiceError> {
    use super::{FieldError, Refusal};
    use crate::store::StoreError;
    let cause = std::io::Error::other("socket closed");
    let mut all = vec![
        ServiceError::Validation(vec![
            FieldError::new("amount", "give an amount", "请填写金额"),
            FieldError::new("paid_on", "give the payment date", "请填写付款日期"),
        ]),
        ServiceError::NotFound("policy"),
        ServiceError::Forbidden("issue policies"),
        ServiceError::Unauthenticated,
        ServiceError::BadCredentials,
        ServiceError::Throttled {
            retry_after_secs: 60,
        },
        ServiceError::RateLimited {
            retry_after_secs: 30,
        },
        ServiceError::Conflict(Text::new("该保单没有待处理的转核", "no open referral")),
        ServiceError::from(StoreError::Conflict),
        ServiceError::duplicate("invoice number"),
        ServiceError::Store(StoreError::Corrupt("row 7".into())),
        ServiceError::Store(StoreError::Database(sqlx::Error::PoolTimedOut)),
        ServiceError::Internal("policy 9 terms: EOF".into()),
        ServiceError::internal_from("write the report XML", cause),
    ];
    for kind in [
        Refusal::BelowAuthorityLevel,
        Refusal::BeyondAuthorityLadder,
        Refusal::QuoteExpired,
        Refusal::QuoteClosed,
    ] {
        all.push(ServiceError::refused(
            kind,
            "报价已于 2026-06-14 过期",
            "the quote expired on 2026-06-14",
        ));
    }
    all
}

/// The variant's name (see `one_of_each`).
#[cfg(test)]
pub(crate) fn kind(e: &ServiceError) -> &'static str {
    match e {
        ServiceError::Validation(_) => "Validation",
        ServiceError::NotFound(_) => "NotFound",
        ServiceError::Forbidden(_) => "Forbidden",
        ServiceError::Unauthenticated => "Unauthenticated",
        ServiceError::BadCredentials => "BadCredentials",
        ServiceError::Throttled { .. } => "Throttled",
        ServiceError::RateLimited { .. } => "RateLimited",
        ServiceError::Conflict(_) => "Conflict",
        ServiceError::Duplicate { .. } => "Duplicate",
        ServiceError::Refused { .. } => "Refused",
        ServiceError::Store(_) => "Store",
        ServiceError::Internal(_) => "Internal",
        ServiceError::InternalFrom { .. } => "InternalFrom",
    }
}

/// Every variant `kind` names.
#[cfg(test)]
pub(crate) const KINDS: &[&str] = &[
    "Validation",
    "NotFound",
    "Forbidden",
    "Unauthenticated",
    "BadCredentials",
    "Throttled",
    "RateLimited",
    "Conflict",
    "Duplicate",
    "Refused",
    "Store",
    "Internal",
    "InternalFrom",
];

#[cfg(test)]
mod tests {
    use super::{ServiceError, TAKEN};

    fn cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_unique_name_the_store_uses_has_words_in_both_languages() {
        let mut missing = Vec::new();
        for file in rust_files(std::path::Path::new("src/store")) {
            let code = std::fs::read_to_string(&file).unwrap_or_default();
            for (at, _) in code.match_indices("on_unique(e, \"") {
                let rest = &code[at + "on_unique(e, \"".len()..];
                let key = rest.split('"').next().unwrap_or_default();
                if !TAKEN.iter().any(|(k, _, _)| *k == key) {
                    missing.push(format!("{}: {key}", file.display()));
                }
            }
        }
        assert!(missing.is_empty(), "no words for: {missing:?}");
        assert!(TAKEN.iter().all(|(_, zh, en)| cjk(zh) && !cjk(en)));
    }

    #[test]
    fn the_samples_hold_every_kind_of_refusal() {
        let seen: std::collections::BTreeSet<_> =
            super::one_of_each().iter().map(super::kind).collect();
        let all: std::collections::BTreeSet<_> = super::KINDS.iter().copied().collect();
        assert_eq!(seen, all);
    }

    #[test]
    fn a_taken_invoice_number_says_so_in_both_languages() {
        let t = ServiceError::duplicate("invoice number").text();
        assert_eq!(t.zh, "发票号码已存在。");
        assert_eq!(t.en, "invoice number is already taken.");
    }

    #[test]
    fn an_internal_failure_tells_the_reader_nothing_of_its_cause() {
        let t = ServiceError::Internal("disk full at /var/x".into()).text();
        assert!(!t.zh.contains("disk") && !t.en.contains("disk"));
        assert!(cjk(&t.zh) && !cjk(&t.en));
    }

    fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(rust_files(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
        out
    }
}
