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
                format!("未找到{}，或您无权查看。", record_zh(what)),
                format!("{what} not found, or not yours to see."),
            ),
            ServiceError::Forbidden(what) => Text::new(
                format!("您的角色无权{}。", action_zh(what)),
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

/// What `ServiceError::NotFound` names, in Chinese (the English is the name itself).
const RECORDS: &[(&str, &str)] = &[
    ("action", "该操作"),
    ("active token", "有效的访问令牌"),
    ("annual report", "年度报告"),
    ("backtest report", "费率回溯报告"),
    ("bank line disposal", "该银行流水的处理"),
    ("bank line", "银行流水"),
    ("catalogue item", "目录产品"),
    ("certificate", "全额保费收取证明"),
    ("claim", "赔案"),
    ("clause set", "条款"),
    ("delivery", "报送记录"),
    ("document", "单证"),
    ("endorsement", "批改"),
    ("fact", "补贴事实"),
    ("file format", "该文件格式"),
    ("invoice", "发票"),
    ("maker", "投保人（生产企业）"),
    ("notification", "通知"),
    ("party", "客户"),
    ("payment batch", "支付批次"),
    ("payment", "付款记录"),
    ("policy", "保单"),
    ("programme", "补贴项目"),
    ("record", "该记录"),
    ("report format", "该报告格式"),
    ("statement import", "对账单导入"),
    ("statement upload", "对账单上传"),
    ("user", "用户"),
];

/// What `ServiceError::Forbidden` (and `Actor::require`) names, in Chinese.
const ACTIONS: &[(&str, &str)] = &[
    ("approve claim decisions", "审批理赔决定"),
    ("assign claims", "分派赔案"),
    ("bind and issue policies", "确认并签发保单"),
    ("bind policies", "确认投保"),
    ("cancel policies", "注销保单"),
    ("change case reserves", "调整案件准备金"),
    ("change quotes", "修改报价"),
    ("create parties", "新建客户"),
    ("create tokens for others", "为他人创建访问令牌"),
    ("decide claims", "作出理赔决定"),
    ("decide referrals", "审批核保转报"),
    ("decline or withdraw quotes", "拒保或撤回报价"),
    ("edit parties", "修改客户信息"),
    ("edit the catalogue", "维护推广目录"),
    ("endorse policies", "批改保单"),
    ("import bank statements", "导入银行对账单"),
    ("issue policies", "签发保单"),
    ("list users", "查看用户列表"),
    ("manage users", "管理用户"),
    ("match bank lines", "匹配银行流水"),
    ("pay claims", "支付赔款"),
    ("quote policies", "报价"),
    ("read claims", "查看赔案"),
    ("read rate backtests", "查看费率回溯"),
    ("read the annual report", "查看年度报告"),
    ("read the audit log", "查看审计日志"),
    ("rebuild the backtest summaries", "重建回溯汇总"),
    ("record claim payments", "登记赔款支付"),
    ("record complete proof", "确认材料齐全"),
    ("record end-user proof", "登记最终用户接收证明"),
    ("record invoices", "开具发票"),
    ("record party relations", "登记客户关联关系"),
    ("record payments", "登记收费"),
    ("record recoveries", "登记追偿款"),
    ("record subsidy grants", "登记补贴拨付"),
    ("record this subsidy fact", "登记此项补贴事实"),
    ("refund credit", "退还多收保费"),
    ("register claims", "立案"),
    ("renew policies", "续保"),
    ("reopen claims", "重开赔案"),
    ("report claims", "报案"),
    ("request proof", "通知补充材料"),
    ("retry deliveries", "重新报送"),
    ("reverse payments", "冲正收费"),
    ("revoke tokens", "吊销访问令牌"),
    ("run rate backtests", "运行费率回溯"),
    ("see claim approvals", "查看理赔审批"),
    ("see claims handlers", "查看理赔人员"),
    ("see receivables", "查看应收保费"),
    ("see statement imports", "查看对账单导入"),
    ("see the claims work queue", "查看理赔工作队列"),
    ("see the outbox", "查看发送队列"),
    ("see the referral queue", "查看核保转报队列"),
    ("see unmatched bank lines", "查看未匹配银行流水"),
    ("send claim payments to the bank", "向银行发送赔款"),
    ("send the annual report", "报送年度报告"),
    ("set payment plans", "设定缴费计划"),
    ("settle bank lines", "处理银行流水"),
    ("upload claim documents", "上传理赔材料"),
    ("verify the audit log", "校验审计日志"),
    ("void invoices", "作废发票"),
    ("write claim notes", "填写理赔备注"),
];

fn lookup(table: &[(&str, &'static str)], en: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == en).map(|(_, zh)| *zh)
}

/// The Chinese name of a record kind; a kind added without words reads as "该记录".
pub(crate) fn record_zh(en: &str) -> &'static str {
    lookup(RECORDS, en).unwrap_or("该记录")
}

/// The Chinese name of an action; one added without words reads as "执行此操作".
pub(crate) fn action_zh(en: &str) -> &'static str {
    lookup(ACTIONS, en).unwrap_or("执行此操作")
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
    use crate::source_files::{read, rust_files};

    fn cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_unique_name_the_store_uses_has_words_in_both_languages() {
        let mut missing = Vec::new();
        for file in rust_files("src/store") {
            let code = read(&file);
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
}

#[cfg(test)]
mod words_for_every_name {
    use super::{lookup, ACTIONS, RECORDS};
    use crate::source_files::{read, rust_files};

    /// Every string literal that follows `marker` in the crate's sources (up to the
    /// closing quote), e.g. `NotFound("` → `policy`; with `also_last_arg_of`, also the
    /// last string argument of each such call.
    fn literals_after(marker: &str, also_last_arg_of: Option<&str>) -> Vec<String> {
        let mut out = Vec::new();
        // Refusals are made in the use cases and at the edge.
        let files = rust_files("src/services")
            .into_iter()
            .chain(rust_files("src/http"));
        for path in files {
            // This file is the dictionary (and its test names the markers).
            if path.ends_with("services/wording.rs") {
                continue;
            }
            let src = read(&path);
            for piece in src.split(marker).skip(1) {
                if let Some(end) = piece.find('"') {
                    out.push(piece[..end].to_string());
                }
            }
            // `actor.require(cond, "what")` and `require_x(actor, "what")`: `require…`.
            let calls = also_last_arg_of.map_or(Vec::new(), |c| src.split(c).skip(1).collect());
            for piece in calls {
                let call = &piece[..piece.find(';').unwrap_or(piece.len())];
                // The last string literal of the call, on one line or several.
                if let Some(end) = call.rfind('"') {
                    if let Some(start) = call[..end].rfind('"') {
                        out.push(call[start + 1..end].to_string());
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn every_record_kind_and_action_has_chinese_words() {
        let records = literals_after("NotFound(\"", None);
        assert!(records.contains(&"policy".to_string()), "{records:?}");
        let missing: Vec<_> = records
            .iter()
            .filter(|r| lookup(RECORDS, r).is_none())
            .collect();
        assert!(missing.is_empty(), "add to RECORDS: {missing:?}");
        let actions = literals_after("Forbidden(\"", Some("require"));
        assert!(
            actions.contains(&"decide claims".to_string()),
            "{actions:?}"
        );
        let missing: Vec<_> = actions
            .iter()
            .filter(|a| {
                a.contains(' ')
                    && a.chars()
                        .all(|c| c.is_ascii_lowercase() || c == ' ' || c == '-')
            })
            .filter(|a| lookup(ACTIONS, a).is_none())
            .collect();
        assert!(missing.is_empty(), "add to ACTIONS: {missing:?}");
    }

    #[test]
    fn refusals_name_the_record_and_the_action_in_chinese() {
        use crate::services::ServiceError;
        let t = ServiceError::NotFound("claim").text();
        assert_eq!(t.zh, "未找到赔案，或您无权查看。");
        assert_eq!(t.en, "claim not found, or not yours to see.");
        let t = ServiceError::Forbidden("pay claims").text();
        assert_eq!(t.zh, "您的角色无权支付赔款。");
        assert!(!t.zh.contains("pay"), "{}", t.zh);
    }
}
