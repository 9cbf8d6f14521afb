//! Page language: Chinese by default, English on request. Strings live in one table.

use crate::domain::text::Text;
use actix_web::http::header;
use actix_web::HttpRequest;

pub const LANG_COOKIE: &str = "fc_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Cookie first (a choice on this browser), then the user's saved locale, then Chinese.
    pub fn of(req: &HttpRequest, user_locale: Option<&str>) -> Lang {
        req.cookie(LANG_COOKIE)
            .and_then(|c| Lang::parse(c.value()))
            .or_else(|| user_locale.and_then(Lang::parse))
            .unwrap_or(Lang::Zh)
    }

    /// Pick the string for this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Bilingual words (a refusal, a field error) in this language.
    pub fn text(self, t: &Text) -> &str {
        self.pick(&t.zh, &t.en)
    }

    /// The language an API client asked for: the first `Accept-Language` tag when it is
    /// Chinese or English (`zh-CN`, `en-GB;q=0.9`…); `None` for no header, `*` or any
    /// other language, and the answer then carries both.
    pub fn asked(req: &HttpRequest) -> Option<Lang> {
        let first = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)?
            .to_str()
            .ok()?
            .split(',')
            .next()?;
        let tag = first.split(';').next()?.trim();
        let primary = tag.split('-').next()?.to_ascii_lowercase();
        Lang::parse(&primary)
    }

    /// Look up a UI label; an unknown key shows itself so a gap is visible, not blank.
    pub fn t(self, key: &str) -> &str {
        match TABLE.iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => self.pick(zh, en),
            None => key,
        }
    }
}

/// (key, 中文, English)
const TABLE: &[(&str, &str, &str)] = &[
    ("app.name", "首台套保险业务系统", "firstcover"),
    (
        "app.tagline",
        "首台(套)重大技术装备 · 首批次新材料 保险补偿业务",
        "First-set equipment & first-batch materials insurance",
    ),
    ("nav.dashboard", "工作台", "Dashboard"),
    ("nav.parties", "当事方", "Parties"),
    ("nav.catalogue", "目录产品", "Catalogue"),
    ("nav.clauses", "条款库", "Clauses"),
    ("nav.programmes", "补贴政策", "Programmes"),
    ("nav.audit", "审计日志", "Audit log"),
    ("nav.outbox", "发件箱", "Outbox"),
    ("outbox.intro", "邮件与监管报送在业务提交后由后台发送，失败自动重试；多次失败转为死信，修复后可重新发送。", "Mail and regulator deliveries are sent in the background after the change commits and retried on failure; after repeated failures they become dead letters, which can be sent again once fixed."),
    ("outbox.kind", "类型", "Kind"),
    ("outbox.key", "幂等键", "Idempotency key"),
    ("outbox.status", "状态", "Status"),
    ("outbox.attempts", "尝试次数", "Attempts"),
    ("outbox.created", "创建时间", "Queued"),
    ("outbox.next", "下次尝试", "Next attempt"),
    ("outbox.receipt", "回执 / 错误", "Receipt / error"),
    ("outbox.requeue", "重新发送", "Send again"),
    ("nav.backtest", "费率回溯", "Rate backtest"),
    ("nav.annual_report", "监管年报", "Regulator annual report"),
    ("nav.subsidy_grants", "补贴下达导入", "Grant import"),
    ("backtest.intro", "按承保年度或事故年度，从本系统的保单与赔案数据生成费率回溯报告（链梯法、Mack 标准误差、信度加权费率指示）；XML 按公开的 XSD 校验后报送监管。", "Build the rate backtest from this system's policies and claims by underwriting or accident year (chain ladder, Mack standard errors, credibility-weighted rate indication); the XML is validated against the published XSD before it goes to the regulator."),
    ("backtest.as_of", "评估日", "As of"),
    ("backtest.basis", "年度口径", "Basis"),
    ("backtest.uy", "承保年度", "Underwriting year"),
    ("backtest.ay", "事故年度", "Accident year"),
    ("backtest.run", "生成报告", "Build report"),
    ("backtest.reports", "已生成的报告", "Reports"),
    ("backtest.none", "尚无报告。", "No reports yet."),
    ("backtest.period", "报告期", "Period"),
    ("backtest.lr", "最终赔付率", "Ultimate loss ratio"),
    ("backtest.cr", "综合成本率", "Combined ratio"),
    ("backtest.decision", "建议", "Decision"),
    ("backtest.conclusion", "结论", "Conclusion"),
    ("backtest.delivery", "报送状态", "Delivery"),
    ("backtest.files", "文件", "Files"),
    ("nav.policies", "保单", "Policies"),
    ("nav.referrals", "转核队列", "Referrals"),
    ("nav.claims", "理赔", "Claims"),
    ("nav.claim_queue", "理赔工作台", "Claims queue"),
    (
        "dash.claims_overdue",
        "逾期理赔时限",
        "Claims past a statutory deadline",
    ),
    ("nav.bank", "银行流水", "Bank statements"),
    ("dash.unmatched", "待匹配银行流水", "Unmatched bank lines"),
    ("nav.api", "接口文档", "API docs"),
    ("nav.users", "用户管理", "Users"),
    ("user.new", "新建用户", "New user"),
    (
        "user.maker_hint",
        "所属制造企业（客户用户必选）",
        "Maker (required for clients)",
    ),
    ("nav.logout", "退出", "Sign out"),
    ("lang.switch", "English", "中文"),
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "User name"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    ("common.search", "搜索", "Search"),
    ("common.save", "保存", "Save"),
    ("common.create", "新建", "New"),
    ("common.edit", "编辑", "Edit"),
    ("common.cancel", "取消", "Cancel"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.all", "全部", "All"),
    ("common.filter", "筛选", "Filter"),
    ("common.total", "共", "Total"),
    ("common.none", "暂无记录", "Nothing yet"),
    ("common.back", "返回", "Back"),
    ("common.history", "变更记录", "History"),
    ("common.prev", "上一页", "Previous"),
    ("common.next", "下一页", "Next"),
    ("party.kind", "类型", "Kind"),
    ("party.name", "名称", "Name"),
    (
        "party.credit_code",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    ("party.region", "地区", "Region"),
    ("party.province", "省", "Province"),
    ("party.city", "市", "City"),
    ("party.county", "县(市、区)", "County"),
    ("party.state_owned", "国有企业", "State-owned"),
    ("party.contact_email", "联系邮箱", "Contact e-mail"),
    ("party.relations", "关联关系", "Relations"),
    ("party.add_relation", "添加关联关系", "Add relation"),
    ("party.other", "对方", "Other party"),
    ("party.relation", "关系", "Relation"),
    ("party.note", "备注", "Note"),
    ("party.new", "新建当事方", "New party"),
    ("party.edit", "编辑当事方", "Edit party"),
    ("cat.edition", "目录版本", "Catalogue edition"),
    ("cat.product", "产品名称", "Product"),
    ("cat.field", "所属领域", "Field"),
    ("cat.maker", "制造企业", "Maker"),
    ("cat.unit_type", "产品类别", "Unit type"),
    ("cat.tier", "认定档次", "Tier"),
    ("cat.year", "认定年份", "Qualification year"),
    ("cat.valid_from", "有效期起", "Valid from"),
    ("cat.valid_until", "有效期止", "Valid until"),
    (
        "cat.valid_until_hint",
        "留空则按5年有效期计算",
        "Leave empty for the national five years",
    ),
    ("cat.new", "新增目录产品", "New catalogue product"),
    ("cat.edit", "编辑目录产品", "Edit catalogue product"),
    ("cat.status", "状态", "Status"),
    ("cat.valid", "有效", "Valid"),
    ("cat.expired", "已过期", "Expired"),
    ("dash.welcome", "欢迎", "Welcome"),
    ("dash.role", "角色", "Role"),
    ("dash.counts", "业务概况", "At a glance"),
    ("dash.makers", "制造企业", "Makers"),
    ("dash.users", "用户单位", "Users"),
    ("dash.catalogue", "目录产品", "Catalogue products"),
    ("dash.audit_ok", "审计链完整", "Audit chain intact"),
    ("dash.audit_broken", "审计链异常", "Audit chain broken"),
    ("dash.tasks", "我的工作", "My work"),
    ("clause.sections", "保险责任部分", "Sections"),
    ("clause.covered", "保险责任", "Covered causes"),
    ("clause.exclusions", "主要责任免除", "Main exclusions"),
    ("clause.limits", "限额选项", "Limit options"),
    ("clause.deductibles", "免赔额选项", "Deductible options"),
    ("clause.version", "版本", "Version"),
    ("clause.effective", "生效日期", "Effective"),
    ("clause.rates", "费率", "Rates"),
    ("prog.rule", "规则", "Rule"),
    ("prog.value", "取值", "Value"),
    ("prog.source", "依据", "Source"),
    ("audit.when", "时间", "When"),
    ("audit.who", "操作人", "Who"),
    ("audit.action", "操作", "Action"),
    ("audit.entity", "对象", "Record"),
    ("audit.change", "变更", "Change"),
    ("error.title", "出错了", "Something went wrong"),
    ("nav.portal", "我的保单与证明", "My policies & documents"),
    ("nav.verify", "单证验证", "Verify a document"),
    (
        "portal.hint",
        "已全额缴费的保单可下载全额保费收取证明和补贴申报材料包（保险单、证明、缴费明细、汇总表行）。保险凭证交使用单位，证明所购装备已投保质量保障类保险，可据此免收质量保证金；每次批改、退保均有盖章批单。",
        "Fully paid policies offer the full-premium collection certificate and the subsidy pack (schedule, certificate, payment ledger, summary row). The insurance certificate is for the user unit: it proves the equipment carries quality insurance, so no quality deposit should be held back. Every endorsement and cancellation has its stamped endorsement document.",
    ),
    ("doc.schedule", "保险单（盖章）", "Stamped schedule"),
    ("doc.certificate", "全额保费收取证明", "Premium certificate"),
    ("doc.pack", "补贴申报材料包", "Subsidy pack"),
    ("doc.endorsement", "批单", "Endorsement document"),
    ("doc.insurance_certificate", "保险凭证（交使用单位）", "Insurance certificate (for the user unit)"),
    ("annex3.title", "申报汇总表（附件3）导出", "Summary table (annex 3) export"),
    ("verify.title", "单证验证", "Verify a document"),
    (
        "verify.hint",
        "输入全额保费收取证明、批单或保险凭证上的验证码（或扫描二维码），查看单证内容及是否仍然有效。",
        "Enter the verification code printed on the premium certificate, endorsement document or insurance certificate (or scan its QR code) to see what it states and whether it is still valid.",
    ),
    ("verify.code", "验证码", "Verification code"),
    ("verify.submit", "验证", "Verify"),
    ("verify.not_found", "未找到该验证码对应的证明或单证。", "No certificate or document has this verification code."),
    ("verify.valid", "有效", "Valid"),
    ("verify.revoked", "已撤销", "Revoked"),
    ("verify.upload", "核对 PDF 文件", "Check a PDF file"),
    ("verify.compare", "上传比对", "Upload and compare"),
    (
        "verify.genuine",
        "上传的文件与本公司出具的单证逐字节一致。",
        "The uploaded file is byte-identical to the document issued.",
    ),
    (
        "verify.altered",
        "上传的文件与本公司出具的单证不一致，可能已被修改。",
        "The uploaded file differs from the document issued: it may have been altered.",
    ),
    ("error.fix", "请修正以下问题", "Please fix the following"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in TABLE {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k} lacks a translation");
        }
        assert_eq!(Lang::En.t("nav.parties"), "Parties");
        assert_eq!(Lang::Zh.t("nav.parties"), "当事方");
        assert_eq!(Lang::Zh.t("no.such.key"), "no.such.key");
    }

    fn asking(value: &str) -> Option<Lang> {
        let req = actix_web::test::TestRequest::default()
            .insert_header((header::ACCEPT_LANGUAGE, value))
            .to_http_request();
        Lang::asked(&req)
    }

    #[test]
    fn an_api_client_asks_for_a_language_with_its_first_accept_language_tag() {
        assert_eq!(asking("zh-CN,zh;q=0.9,en;q=0.8"), Some(Lang::Zh));
        assert_eq!(asking("en-GB;q=0.9"), Some(Lang::En));
        assert_eq!(asking("*"), None);
        assert_eq!(asking("fr, en"), None);
        let none = actix_web::test::TestRequest::default().to_http_request();
        assert_eq!(Lang::asked(&none), None);
    }
}
