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
