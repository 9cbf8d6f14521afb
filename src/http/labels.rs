//! Labels for stored codes (代码标签): every status, kind, method, option and source a
//! page shows goes through here, so no page prints `approved`, `bank_transfer` or a
//! seed's file name. Codes defined in the clause library (programmes, sections,
//! deductibles, limit options) take their names from the library; everything else is in
//! the one table below. An unknown code is shown as it is, so a gap stays visible.

use super::i18n::Lang;
use crate::domain::catalogue::{Tier, UnitType};
use crate::domain::party::{PartyKind, Relation};
use crate::domain::role::Role;
use crate::library::Library;

/// (group, code, 中文, English)
const TABLE: &[(&str, &str, &str, &str)] = &[
    ("policy_state", "quoted", "已报价", "Quoted"),
    ("policy_state", "referred", "待上级核保", "Referred"),
    ("policy_state", "bound", "已承保", "Bound"),
    ("policy_state", "issued", "已出单", "Issued"),
    ("policy_state", "in_force", "有效", "In force"),
    ("policy_state", "expired", "已满期", "Expired"),
    ("policy_state", "cancelled", "已注销", "Cancelled"),
    (
        "policy_state",
        "quote_expired",
        "报价已过期",
        "Quote expired",
    ),
    ("policy_state", "declined", "已拒保", "Declined"),
    ("policy_state", "withdrawn", "投保人已撤回", "Withdrawn"),
    ("cover_basis", "first_set", "首台(套)", "First set"),
    ("cover_basis", "first_batch", "首批次", "First batch"),
    ("cover_basis", "first_year", "首年度", "First year"),
    ("version_kind", "issue", "出单", "Issue"),
    ("version_kind", "endorsement", "批改", "Endorsement"),
    ("version_kind", "cancellation", "退保", "Cancellation"),
    ("referral", "approved", "同意", "Approved"),
    ("referral", "declined", "拒绝", "Declined"),
    ("claim_state", "notified", "已报案", "Notified"),
    ("claim_state", "open", "处理中", "Open"),
    (
        "claim_state",
        "awaiting_approval",
        "待审批",
        "Awaiting approval",
    ),
    ("claim_state", "agreed", "已核定待支付", "Agreed, to pay"),
    ("claim_state", "closed", "已结案", "Closed"),
    (
        "claim_type",
        "quality_repair",
        "质量风险 — 修理",
        "Quality — repair",
    ),
    (
        "claim_type",
        "quality_replacement",
        "质量风险 — 更换",
        "Quality — replacement",
    ),
    (
        "claim_type",
        "quality_return",
        "质量风险 — 退货",
        "Quality — return",
    ),
    (
        "claim_type",
        "liability_property_damage",
        "责任风险 — 财产损失",
        "Liability — property damage",
    ),
    (
        "claim_type",
        "liability_bodily_injury",
        "责任风险 — 人身伤亡",
        "Liability — bodily injury",
    ),
    (
        "claim_type",
        "transport_damage",
        "国内运输 — 货损",
        "Transport — damage in transit",
    ),
    ("outcome", "accept", "赔付", "Accept"),
    ("outcome", "accept_in_part", "部分赔付", "Accept in part"),
    ("outcome", "reject", "拒赔", "Reject"),
    (
        "claim_payment",
        "approved",
        "已批准待支付",
        "Approved, to pay",
    ),
    ("claim_payment", "paid", "已支付", "Paid"),
    ("claim_payment", "pending", "待审批", "Pending approval"),
    ("recovery", "subrogation", "代位追偿", "Subrogation"),
    (
        "recovery",
        "fraud_repayment",
        "骗赔追回",
        "Repayment after fraud",
    ),
    ("method", "bank_transfer", "银行转账", "Bank transfer"),
    ("method", "cheque", "支票", "Cheque"),
    ("method", "cash", "现金", "Cash"),
    ("method", "draft", "汇票", "Bank draft"),
    ("method", "other", "其他", "Other"),
    ("method", "callback", "银行回调", "Bank callback"),
    ("method", "statement", "银行对账单", "Bank statement"),
    ("outbox_status", "pending", "待发送", "Waiting to send"),
    ("outbox_status", "queued", "已排队", "Queued"),
    ("outbox_status", "sending", "发送中", "Sending"),
    ("outbox_status", "delivered", "已送达", "Delivered"),
    (
        "outbox_status",
        "failed",
        "发送失败，待重试",
        "Failed, will retry",
    ),
    (
        "outbox_status",
        "dead",
        "死信（已停止重试）",
        "Dead letter (retries stopped)",
    ),
    ("outbox_kind", "mail", "邮件", "Mail"),
    ("outbox_kind", "http", "监管报送", "Regulator delivery"),
    ("bank_line", "unmatched", "待匹配", "Unmatched"),
    ("bank_line", "matched", "已匹配", "Matched"),
    ("bank_line", "dismissed", "已忽略", "Dismissed"),
    ("bank_line", "refunded", "已退回", "Refunded"),
    ("invoice", "issued", "已开具", "Issued"),
    ("invoice", "void", "已作废", "Void"),
    ("certificate", "valid", "有效", "Valid"),
    ("certificate", "revoked", "已撤销", "Revoked"),
    (
        "backtest_basis",
        "underwriting_year",
        "承保年度",
        "Underwriting year",
    ),
    (
        "backtest_basis",
        "accident_year",
        "事故年度",
        "Accident year",
    ),
    (
        "backtest_decision",
        "lower",
        "建议下调费率",
        "Lower the rate",
    ),
    ("backtest_decision", "keep", "维持费率", "Keep the rate"),
    (
        "backtest_decision",
        "raise",
        "建议上调费率",
        "Raise the rate",
    ),
    ("backtest_decision", "review", "需复核", "Review"),
    ("backtest_status", "stored", "已生成", "Stored"),
    (
        "backtest_status",
        "queued",
        "已排队报送",
        "Queued for delivery",
    ),
    ("backtest_status", "sent", "已报送", "Sent"),
    ("backtest_status", "delivered", "已报送", "Delivered"),
    ("section", "QUALITY", "质量风险", "Quality risk"),
    ("section", "LIABILITY", "责任风险", "Liability risk"),
    (
        "section",
        "INSTALLATION",
        "安装调试期",
        "Installation and testing",
    ),
    ("section", "TRANSPORT", "国内运输", "Domestic transport"),
    (
        "audit_action",
        "backtest.generate",
        "生成费率回溯报告",
        "Backtest report built",
    ),
    (
        "audit_action",
        "backtest.summary_rebuild",
        "重建回溯汇总",
        "Backtest summaries rebuilt",
    ),
    (
        "audit_action",
        "billing.bank_line",
        "登记银行流水",
        "Bank line recorded",
    ),
    (
        "audit_action",
        "billing.invoice",
        "开具发票",
        "Invoice issued",
    ),
    (
        "audit_action",
        "billing.invoice_void",
        "作废发票",
        "Invoice voided",
    ),
    (
        "audit_action",
        "billing.payment",
        "登记收款",
        "Payment recorded",
    ),
    (
        "audit_action",
        "billing.payment_reversal",
        "冲正收款",
        "Payment reversed",
    ),
    (
        "audit_action",
        "billing.plan",
        "制定缴费计划",
        "Payment plan set",
    ),
    ("audit_action", "billing.refund", "退费", "Refund"),
    (
        "audit_action",
        "billing.statement_import",
        "导入银行对账单",
        "Bank statement imported",
    ),
    (
        "audit_action",
        "catalogue.create",
        "新增目录产品",
        "Catalogue product added",
    ),
    (
        "audit_action",
        "catalogue.update",
        "修改目录产品",
        "Catalogue product changed",
    ),
    (
        "audit_action",
        "certificate.issue",
        "出具全额保费收取证明",
        "Certificate issued",
    ),
    (
        "audit_action",
        "certificate.revoke",
        "撤销证明",
        "Certificate revoked",
    ),
    (
        "audit_action",
        "claim.approval",
        "理赔审批",
        "Claim approval",
    ),
    ("audit_action", "claim.decide", "理赔核定", "Claim decided"),
    (
        "audit_action",
        "claim.document",
        "上传理赔材料",
        "Claim document uploaded",
    ),
    (
        "audit_action",
        "claim.notification_refused",
        "报案被拒（不在保障范围）",
        "Claim notification refused",
    ),
    ("audit_action", "claim.notify", "报案", "Claim notified"),
    (
        "audit_action",
        "claim.payment",
        "批准赔款支付",
        "Claim payment approved",
    ),
    (
        "audit_action",
        "claim.payment_paid",
        "赔款已支付",
        "Claim payment paid",
    ),
    (
        "audit_action",
        "claim.proof_complete",
        "索赔材料齐全",
        "Proof complete",
    ),
    (
        "audit_action",
        "claim.proof_requested",
        "一次性通知补充材料",
        "Missing proof requested",
    ),
    (
        "audit_action",
        "claim.recovery",
        "登记追偿",
        "Recovery recorded",
    ),
    (
        "audit_action",
        "claim.referred_for_approval",
        "提交上级审批",
        "Referred for approval",
    ),
    ("audit_action", "claim.register", "立案", "Claim registered"),
    ("audit_action", "claim.reopen", "重开赔案", "Claim reopened"),
    ("audit_action", "claim.assign", "分派赔案", "Claim assigned"),
    (
        "audit_action",
        "claim.reassign",
        "改派赔案",
        "Claim reassigned",
    ),
    ("audit_action", "claim.note", "内部备注", "Internal note"),
    (
        "audit_action",
        "claim.payment_batch",
        "赔款批次",
        "Payment batch",
    ),
    (
        "audit_action",
        "claim.payment_batch_confirmed",
        "批次已确认",
        "Batch confirmed",
    ),
    (
        "audit_action",
        "claim.payment_batch_cancelled",
        "批次已取消",
        "Batch cancelled",
    ),
    (
        "audit_action",
        "billing.bank_line_dismissed",
        "流水排除",
        "Bank line dismissed",
    ),
    (
        "audit_action",
        "billing.bank_line_disposal_reversed",
        "撤销流水处理",
        "Disposal reversed",
    ),
    (
        "audit_action",
        "billing.bank_line_matched",
        "流水匹配",
        "Bank line matched",
    ),
    (
        "audit_action",
        "billing.bank_line_refunded",
        "流水退回",
        "Bank line refunded",
    ),
    (
        "audit_action",
        "billing.bank_line_split",
        "流水拆分",
        "Bank line split",
    ),
    (
        "audit_action",
        "billing.premium_reminder",
        "催缴提醒",
        "Premium reminder",
    ),
    (
        "audit_action",
        "billing.statement_import_started",
        "对账单导入",
        "Statement import",
    ),
    (
        "audit_action",
        "billing.statement_preview",
        "对账单预览",
        "Statement preview",
    ),
    (
        "audit_action",
        "subsidy_fact.record",
        "录入补贴事实",
        "Subsidy fact recorded",
    ),
    (
        "audit_action",
        "subsidy_grant.import",
        "导入已获补贴",
        "Subsidy grants imported",
    ),
    (
        "audit_action",
        "annual_report.queue",
        "报送监管年报",
        "Annual report queued",
    ),
    (
        "audit_action",
        "claim.reserve",
        "调整未决赔款准备金",
        "Case reserve set",
    ),
    (
        "audit_action",
        "outbox.queue",
        "排队发送",
        "Delivery queued",
    ),
    (
        "audit_action",
        "outbox.requeue",
        "重新发送",
        "Delivery sent again",
    ),
    ("audit_action", "outbox.delivered", "已送达", "Delivered"),
    ("audit_action", "outbox.dead", "转为死信", "Dead letter"),
    (
        "audit_action",
        "party.create",
        "新建当事方",
        "Party created",
    ),
    (
        "audit_action",
        "party.relate",
        "添加关联关系",
        "Relation added",
    ),
    (
        "audit_action",
        "party.update",
        "修改当事方",
        "Party changed",
    ),
    ("audit_action", "policy.bind", "承保", "Bound"),
    ("audit_action", "policy.cancel", "退保", "Cancelled"),
    (
        "audit_action",
        "policy.end_user_proof",
        "登记最终用户接收证明",
        "End user's receipt recorded",
    ),
    ("audit_action", "policy.endorse", "批改", "Endorsed"),
    (
        "audit_action",
        "policy.endorsement_referral_decided",
        "批改转核决定",
        "Endorsement referral decided",
    ),
    (
        "audit_action",
        "policy.endorsement_referred",
        "批改转上级核保",
        "Endorsement referred",
    ),
    ("audit_action", "policy.expire", "满期", "Expired"),
    ("audit_action", "policy.issue", "出单", "Issued"),
    ("audit_action", "policy.quote", "报价", "Quoted"),
    (
        "audit_action",
        "policy.quote_declined",
        "拒保",
        "Quote declined",
    ),
    (
        "audit_action",
        "policy.quote_withdrawn",
        "投保人撤回报价",
        "Quote withdrawn",
    ),
    ("audit_action", "policy.refer", "转上级核保", "Referred"),
    (
        "audit_action",
        "policy.referral_decided",
        "上级核保决定",
        "Referral decided",
    ),
    (
        "audit_action",
        "policy.renewal_quote",
        "续保报价",
        "Renewal quoted",
    ),
    (
        "audit_action",
        "policy.requote",
        "修改报价",
        "Quote changed",
    ),
    (
        "audit_action",
        "policy.take_effect",
        "保单生效",
        "Took effect",
    ),
    (
        "audit_action",
        "token.create",
        "创建接口令牌",
        "API token created",
    ),
    (
        "audit_action",
        "token.revoke",
        "撤销接口令牌",
        "API token revoked",
    ),
    ("audit_action", "user.create", "新建用户", "User created"),
    (
        "audit_action",
        "user.set_locale",
        "设置界面语言",
        "Language set",
    ),
    ("entity", "policy", "保单", "Policy"),
    ("entity", "claim", "赔案", "Claim"),
    ("entity", "claim_note", "赔案备注", "Claim note"),
    ("entity", "claim_payment_batch", "赔款批次", "Payment batch"),
    ("entity", "subsidy_fact", "补贴事实", "Subsidy fact"),
    ("entity", "annual_report", "监管年报", "Annual report"),
    ("entity", "statement_upload", "对账单", "Statement"),
    (
        "entity",
        "bank_line_disposal",
        "流水处理",
        "Bank line disposal",
    ),
    ("entity", "party", "当事方", "Party"),
    ("entity", "catalogue_item", "目录产品", "Catalogue product"),
    ("entity", "certificate", "证明", "Certificate"),
    ("entity", "invoice", "发票", "Invoice"),
    ("entity", "payment", "收款", "Payment"),
    ("entity", "bank_line", "银行流水", "Bank line"),
    ("entity", "outbox", "发件", "Delivery"),
    ("entity", "user", "用户", "User"),
    ("entity", "api_token", "接口令牌", "API token"),
    ("entity", "backtest_report", "回溯报告", "Backtest report"),
    ("entity", "statement", "对账单", "Statement"),
    ("field", "amount", "金额", "Amount"),
    ("field", "status", "状态", "Status"),
    ("field", "settlement", "结算", "Settlement"),
    ("field", "reasons", "原因", "Reasons"),
    ("field", "reason", "原因", "Reason"),
    ("field", "days", "天数", "Days"),
    ("field", "on", "日期", "Date"),
    ("field", "level", "待决层级", "Level to decide"),
    ("field", "referral_level", "待决层级", "Level to decide"),
    ("field", "backdating", "倒签", "Backdating"),
    (
        "field",
        "backdating_reason",
        "倒签原因",
        "Reason for backdating",
    ),
    ("field", "policy_id", "保单", "Policy"),
    ("field", "kind", "类型", "Kind"),
    ("field", "units", "投保装备数量", "Units"),
    ("field", "state", "状态", "State"),
    ("field", "revoked", "已撤销", "Revoked"),
    ("field", "referral_id", "转核编号", "Referral"),
    ("field", "premium_due", "应收保费", "Premium due"),
    ("field", "policy_number", "保单编号", "Policy number"),
    ("field", "payment_id", "收款编号", "Payment"),
    ("field", "payment", "收款", "Payment"),
    ("field", "outcome", "核定结论", "Decision"),
    ("field", "note", "备注", "Note"),
    ("field", "name", "名称", "Name"),
    ("field", "maker_id", "制造企业", "Maker"),
    ("field", "locale", "界面语言", "Language"),
    ("field", "installments", "分期", "Installments"),
    ("field", "indemnity", "核定赔款", "Indemnity"),
    ("field", "filename", "文件名", "File name"),
    ("field", "decision", "决定", "Decision"),
    ("field", "code", "代码", "Code"),
    ("field", "claim_type", "索赔类型", "Claim type"),
    (
        "field",
        "certificate_number",
        "证明编号",
        "Certificate number",
    ),
    ("field", "valid_until", "有效期止", "Valid until"),
    ("field", "valid_from", "有效期起", "Valid from"),
    ("field", "username", "用户名", "User name"),
    ("field", "user_id", "用户单位", "User"),
    ("field", "unmatched", "未匹配", "Unmatched"),
    ("field", "unit_type", "产品类别", "Unit type"),
    ("field", "ultimate", "最终赔款", "Ultimate"),
    ("field", "total_premium", "保费合计", "Total premium"),
    ("field", "tier", "认定档次", "Tier"),
    ("field", "state_owned", "国有企业", "State-owned"),
    ("field", "source", "依据", "Source"),
    ("field", "size", "大小", "Size"),
    ("field", "section", "保险责任", "Section"),
    ("field", "role", "角色", "Role"),
    ("field", "restores_limit", "恢复限额", "Restores the limit"),
    ("field", "reserve", "未决赔款准备金", "Case reserve"),
    ("field", "request", "申请内容", "Request"),
    ("field", "relation", "关系", "Relation"),
    ("field", "refunded_on", "退费日", "Refunded on"),
    ("field", "refund_id", "退费编号", "Refund"),
    ("field", "reference", "业务参考号", "Reference"),
    ("field", "rate", "费率", "Rate"),
    (
        "field",
        "qualification_year",
        "认定年份",
        "Qualification year",
    ),
    ("field", "province", "省", "Province"),
    (
        "field",
        "proof_complete_on",
        "材料齐全日",
        "Proof complete on",
    ),
    ("field", "product_name", "产品名称", "Product"),
    ("field", "premium", "保费", "Premium"),
    ("field", "place", "地点", "Place"),
    ("field", "period_start", "起保日期", "Start"),
    ("field", "period_end", "终保日期", "End"),
    ("field", "period", "期间", "Period"),
    ("field", "payments", "收款", "Payments"),
    ("field", "payee", "收款人", "Payee"),
    ("field", "paid_total", "已付合计", "Paid in total"),
    ("field", "paid_on", "支付日", "Paid on"),
    ("field", "paid", "已付", "Paid"),
    ("field", "other_party_id", "对方", "Other party"),
    ("field", "matched", "已匹配", "Matched"),
    ("field", "loss_ratio", "赔付率", "Loss ratio"),
    ("field", "lines", "明细", "Lines"),
    ("field", "key", "幂等键", "Key"),
    ("field", "insured_value", "投保装备总价值", "Insured value"),
    ("field", "imported", "已导入", "Imported"),
    ("field", "groups", "分组", "Groups"),
    ("field", "fully_paid", "已全额缴费", "Fully paid"),
    ("field", "field", "所属领域", "Field"),
    ("field", "event_date", "出险日期", "Event date"),
    (
        "field",
        "end_user_proof",
        "最终用户接收证明",
        "End user's receipt",
    ),
    ("field", "edition", "目录版本", "Catalogue edition"),
    ("field", "earned_premium", "已赚保费", "Earned premium"),
    ("field", "duplicates", "重复", "Duplicates"),
    ("field", "due_on", "到期日", "Due on"),
    ("field", "document_id", "文件编号", "Document"),
    (
        "field",
        "credit_code",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    ("field", "credit", "多缴", "Credit"),
    ("field", "cover", "保障", "Cover"),
    ("field", "county", "县(市、区)", "County"),
    ("field", "content_type", "文件类型", "File type"),
    ("field", "contact_email", "联系邮箱", "Contact e-mail"),
    ("field", "conclusion_zh", "结论", "Conclusion"),
    (
        "field",
        "conclusion_en",
        "结论（英文）",
        "Conclusion (English)",
    ),
    ("field", "combined_ratio", "综合成本率", "Combined ratio"),
    ("field", "claim_number", "赔案号", "Claim number"),
    ("field", "city", "市", "City"),
    ("field", "basis", "口径", "Basis"),
    ("field", "based_on_version", "依据版本", "Based on version"),
    ("field", "bank_txn_id", "银行交易号", "Bank transaction"),
    ("field", "bank_name", "开户行", "Bank"),
    ("field", "bank_account", "账号", "Account"),
    ("field", "balance", "余额", "Balance"),
    ("field", "authority_limit", "权限上限", "Authority limit"),
    ("field", "as_of", "评估日", "As of"),
    ("field", "approval_id", "审批编号", "Approval"),
    ("field", "amount_claimed", "索赔金额", "Amount claimed"),
    ("field", "assigned_to", "经办理赔员", "Assigned handler"),
    (
        "field",
        "aggregate_limit",
        "累计责任限额",
        "Aggregate limit",
    ),
    ("field", "base_rate", "基准费率", "Base rate"),
    ("field", "factors", "调整系数", "Rating factors"),
    ("field", "findings", "核保提示", "Findings"),
    (
        "field",
        "acknowledged_warnings",
        "已确认的提示",
        "Warnings acknowledged",
    ),
    (
        "field",
        "acknowledged",
        "已确认的提示",
        "Warnings acknowledged",
    ),
    ("field", "effective_on", "生效日", "Effective on"),
    ("field", "adjustment", "加/退费", "Adjustment"),
    ("field", "return_premium", "退还保费", "Return premium"),
    (
        "field",
        "last_day_covered",
        "保障截止日",
        "Last day covered",
    ),
    ("field", "by", "申请方", "Requested by"),
    ("field", "method", "缴费方式", "Method"),
    ("field", "payer", "付款人", "Payer"),
    ("field", "invoice_number", "发票号码", "Invoice number"),
    ("field", "invoice_id", "发票", "Invoice"),
    ("field", "cover_basis", "投保方式", "Cover basis"),
    ("field", "programme_id", "补贴政策", "Programme"),
    (
        "field",
        "catalogue_item_id",
        "目录产品",
        "Catalogue product",
    ),
    ("field", "intermediary_id", "中间方", "Intermediary"),
    ("field", "clause_set_id", "条款", "Clause set"),
    (
        "field",
        "clause_set_version",
        "条款版本",
        "Clause set version",
    ),
    ("field", "contracts", "销售合同", "Contracts"),
    ("field", "sections", "保险责任", "Sections"),
    ("field", "delivery_date", "交付日期", "Delivery date"),
    ("field", "serial", "出厂编号 / 批次号", "Serial / batch"),
    ("field", "quantity", "数量", "Quantity"),
    ("field", "unit_value", "单价", "Unit value"),
    ("field", "number", "编号", "Number"),
    ("field", "signed_on", "签订日期", "Signed on"),
    ("field", "limit", "分项限额", "Limit"),
    ("field", "deductible", "免赔", "Deductible"),
    (
        "field",
        "technical_maturity",
        "技术成熟度",
        "Technical maturity",
    ),
    (
        "field",
        "scenario_complexity",
        "场景复杂度",
        "Scenario complexity",
    ),
    ("field", "loss_history", "历史赔付", "Loss history"),
    (
        "field",
        "same_specification",
        "同一技术规格",
        "Same specification",
    ),
    (
        "field",
        "same_production_batch",
        "同一生产批次",
        "Same production batch",
    ),
    (
        "field",
        "first_use_by_user",
        "用户首次使用",
        "First use by the user",
    ),
    ("field", "is_renewal", "是否续保", "Renewal"),
    (
        "field",
        "first_insured_year",
        "首保年度",
        "First insured year",
    ),
    ("field", "renewal_of", "续保自", "Renewal of"),
    ("field", "value", "内容", "Value"),
    ("field", "description", "事故经过", "What happened"),
    ("field", "display_name", "姓名", "Name"),
    ("field", "email", "邮箱", "E-mail"),
    ("field", "attempts", "尝试次数", "Attempts"),
    ("field", "receipt", "回执", "Receipt"),
    ("field", "label", "名称", "Label"),
    ("field", "kind_label", "类型", "Kind"),
    ("field", "region", "地区", "Region"),
    ("field", "valid", "有效", "Valid"),
    ("field", "installment", "分期", "Installment"),
    ("field", "seq", "序号", "No."),
    ("field", "recorded_on", "登记日", "Recorded on"),
    ("field", "received_on", "到账日", "Received on"),
    ("field", "due", "应收", "Due"),
    ("field", "total", "合计", "Total"),
    ("field", "count", "数量", "Count"),
    ("field", "account", "账户", "Account"),
    ("field", "counterparty", "对方户名", "Counterparty"),
    ("field", "memo", "附言", "Memo"),
    ("field", "line_id", "流水编号", "Line"),
    ("field", "statement_id", "对账单", "Statement"),
    ("field", "amount_fen", "金额", "Amount"),
    ("field", "refund", "退费", "Refund"),
    (
        "cancelled_by",
        "policyholder",
        "投保人申请",
        "Policyholder's request",
    ),
    (
        "cancelled_by",
        "insurer",
        "保险人解除",
        "Insurer terminates",
    ),
    ("locale", "zh", "中文", "Chinese"),
    ("locale", "en", "英文", "English"),
    ("field", "recorded_at", "登记时间", "Recorded at"),
    ("field", "reversed_at", "冲正时间", "Reversed at"),
    (
        "field",
        "reversal_reason",
        "冲正原因",
        "Reason for the reversal",
    ),
    ("field", "reversed", "已冲正", "Reversed"),
    ("field", "lang", "语言", "Language"),
    ("field", "notes", "说明", "Notes"),
    ("field", "refusals", "拒绝原因", "Refusals"),
    (
        "field",
        "units_insured",
        "装备在承保清单内",
        "Units insured",
    ),
    (
        "field",
        "uninsured_units",
        "未承保装备",
        "Units not insured",
    ),
    ("field", "in_period", "在保险期间内", "Within the period"),
    (
        "field",
        "aggregate_left",
        "累计限额余额",
        "Aggregate limit left",
    ),
    (
        "field",
        "section_left",
        "分项限额余额",
        "Section limit left",
    ),
    ("field", "section_code", "保险责任", "Section"),
    ("field", "premium_paid", "保费已缴", "Premium paid"),
    (
        "field",
        "limitation_ends_on",
        "索赔时效届满日",
        "Limitation ends on",
    ),
    ("field", "transaction_id", "交易流水号", "Transaction id"),
    ("method", "manual", "手工登记", "Entered by hand"),
    ("actor", "system", "系统", "System"),
    (
        "prog",
        "value_multiples",
        "按装备价值倍数",
        "Multiples of the value",
    ),
    (
        "prog",
        "enterprise_per_year",
        "每家企业每年",
        "Per enterprise per year",
    ),
    (
        "prog",
        "continuous_or_new",
        "须连续续保，否则视为新投保",
        "Continuous, else treated as new",
    ),
    (
        "prog",
        "policy_effective",
        "保单已生效",
        "Policy has taken effect",
    ),
    (
        "prog",
        "full_payment",
        "保费已全额缴付",
        "Premium fully paid",
    ),
    (
        "prog",
        "not_with_application_award",
        "不得同时享受应用奖励",
        "Not together with the application award",
    ),
    (
        "prog",
        "not_nationally_subsidised",
        "未享受国家补偿",
        "Not under the national policy",
    ),
    (
        "prog",
        "premium_at_capped_rate",
        "按封顶费率计算的保费",
        "Premium at the capped rate",
    ),
    (
        "prog",
        "end_user_proof_via_intermediary",
        "经中间方销售须有最终用户接收证明",
        "End user's receipt when sold through an intermediary",
    ),
    (
        "prog",
        "delivery_within_qualification",
        "交付在认定有效期内",
        "Delivery within the qualification",
    ),
    ("prog", "cover_bases", "投保方式", "Cover bases"),
    (
        "prog",
        "buyer_not_related_party",
        "买方不是关联方",
        "Buyer not a related party",
    ),
    ("prog", "hard", "必须满足", "Must be met"),
    ("prog", "warning", "原则上（提示）", "As a rule (warning)"),
    ("prog", "pending", "待确认", "Pending"),
    ("prog", "paid_premium", "实缴保费", "Premium actually paid"),
    ("prog", "premium", "保费", "Premium"),
    ("prog", "not_subsidised", "不予补贴", "Not subsidised"),
    ("prog", "per_policy", "每张保单", "Per policy"),
    ("prog", "per_year", "每年", "Per year"),
    // Seeds, by file: the title a reader knows them by.
    (
        "seed",
        "000_641e00229bc486a9.txt",
        "工信部联重装〔2024〕89号 首台(套)首批次保险补偿政策意见",
        "MIIT/MOF/NFRA 2024 No. 89 opinion on the insurance-compensation policy",
    ),
    (
        "seed",
        "001_5f2f9fd03269e1b0.txt",
        "2025年首台(套)首批次保险补偿资格审核与资金申请通知",
        "2025 national notice on qualification review and fund applications",
    ),
    (
        "seed",
        "002_0863ac5ee09675a8.txt",
        "89号文英文译本",
        "No. 89 opinion, English translation",
    ),
    (
        "seed",
        "003_88b4fbae1ca493a5.txt",
        "2025年浙江省首台(套)装备保险补偿申报通知",
        "Zhejiang 2025 first-set insurance compensation notice",
    ),
    (
        "seed",
        "004_8012e5ef1e8f42d5.txt",
        "山西省首批次新材料应用保险补偿办法",
        "Shanxi measures for first-batch new-materials insurance compensation",
    ),
    (
        "domain_article",
        "People and what they do here / 核保",
        "“人员与职责”：核保",
        "“People and what they do here”: underwriting",
    ),
    (
        "seed",
        "DOMAIN.md",
        "本系统业务规则说明",
        "This system's business rules",
    ),
    (
        "seed",
        "clauses",
        "本系统条款库",
        "This system's clause library",
    ),
];

/// The label of `code` in `group`, in `lang`. Library codes first (programme, section,
/// deductible, limit option), then the table, then the domain's own enums.
pub fn label(lang: Lang, lib: Option<&Library>, group: &str, code: &str) -> String {
    if let Some(l) = lib.and_then(|lib| from_library(lib, group, code)) {
        return lang.pick(&l.0, &l.1).to_string();
    }
    // A history's `state` may be a policy's, a claim's or a delivery's.
    let single = [group];
    let groups: &[&str] = match group {
        "state" => &[
            "policy_state",
            "claim_state",
            "outbox_status",
            "certificate",
        ],
        _ => &single,
    };
    for g in groups {
        if let Some((_, _, zh, en)) = TABLE.iter().find(|(tg, c, _, _)| tg == g && *c == code) {
            return lang.pick(zh, en).to_string();
        }
    }
    let pair = match group {
        "unit_type" => code.parse::<UnitType>().ok().map(|u| (u.zh(), u.en())),
        "tier" => code.parse::<Tier>().ok().map(|t| (t.zh(), t.en())),
        "party_kind" => code.parse::<PartyKind>().ok().map(|k| (k.zh(), k.en())),
        "relation" => code.parse::<Relation>().ok().map(|r| (r.zh(), r.en())),
        "role" => code.parse::<Role>().ok().map(|r| (r.zh(), r.en())),
        _ => None,
    };
    match pair {
        Some((zh, en)) => lang.pick(zh, en).to_string(),
        None => code.to_string(),
    }
}

/// A rule's source as a reader cites it: the seed's title and the clause.
pub fn source(lang: Lang, seed: &str, article: &str) -> String {
    let title = label(lang, None, "seed", seed);
    let domain = seed.starts_with("DOMAIN.md");
    let title = if title == seed && domain {
        label(lang, None, "seed", "DOMAIN.md")
    } else {
        title
    };
    // DOMAIN.md's sections have English headings: cite them in the reader's language.
    let article = if domain {
        label(lang, None, "domain_article", article)
    } else {
        article.to_string()
    };
    if article.trim().is_empty() {
        title
    } else {
        format!("{title} {article}")
    }
}

/// A rate stored as a fraction (`0.01848`) shown as a percentage (`1.848 %`); anything
/// that is not a number is shown as it is.
pub fn percent(fraction: &str) -> String {
    match fraction.trim().parse::<rust_decimal::Decimal>() {
        Ok(d) => format!("{} %", (d * rust_decimal::Decimal::ONE_HUNDRED).normalize()),
        Err(_) => fraction.to_string(),
    }
}

fn from_library(lib: &Library, group: &str, code: &str) -> Option<(String, String)> {
    let text = |t: &crate::domain::clauses::text::Text| Some((t.zh.clone(), t.en.clone()));
    match group {
        "programme" => lib.programme(code).and_then(|p| text(&p.name)),
        "section" => lib
            .clause_sets()
            .iter()
            .flat_map(|s| s.sections.iter())
            .find(|s| s.code == code)
            .and_then(|s| text(&s.name)),
        "deductible" => lib
            .clause_sets()
            .iter()
            .flat_map(|s| s.sections.iter())
            .flat_map(|s| s.deductible_options.iter())
            .find(|d| d.code == code)
            .and_then(|d| text(&d.name)),
        "clause_set" => lib
            .clause_sets()
            .iter()
            .find(|s| s.id == code)
            .and_then(|s| text(&s.name)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_codes_read_as_words_in_both_languages() {
        for (group, code, zh, en) in [
            (
                "claim_payment",
                "approved",
                "已批准待支付",
                "Approved, to pay",
            ),
            ("outcome", "accept", "赔付", "Accept"),
            ("method", "bank_transfer", "银行转账", "Bank transfer"),
            (
                "backtest_basis",
                "underwriting_year",
                "承保年度",
                "Underwriting year",
            ),
            (
                "outbox_status",
                "dead",
                "死信（已停止重试）",
                "Dead letter (retries stopped)",
            ),
            (
                "unit_type",
                "complete_machine",
                "整机装备",
                "Complete machine",
            ),
        ] {
            assert_eq!(label(Lang::Zh, None, group, code), zh);
            assert_eq!(label(Lang::En, None, group, code), en);
        }
        assert_eq!(label(Lang::Zh, None, "method", "barter"), "barter");
    }

    #[test]
    fn sources_cite_the_seed_title_and_clause() {
        let s = source(Lang::Zh, "003_88b4fbae1ca493a5.txt", "附件1 一.3");
        assert_eq!(s, "2025年浙江省首台(套)装备保险补偿申报通知 附件1 一.3");
        assert!(!source(Lang::En, "DOMAIN.md", "People").contains("DOMAIN.md"));
        let zh = source(Lang::Zh, "DOMAIN.md", "People and what they do here / 核保");
        assert_eq!(zh, "本系统业务规则说明 “人员与职责”：核保");
    }

    #[test]
    fn rates_read_as_percentages() {
        assert_eq!(percent("0.01848"), "1.848 %");
        assert_eq!(percent("0.014"), "1.4 %");
        assert_eq!(percent("0.02"), "2 %");
        assert_eq!(percent("n/a"), "n/a");
    }

    #[test]
    fn every_entry_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for (g, c, zh, en) in TABLE {
            assert!(seen.insert((*g, *c)), "duplicate {g}/{c}");
            assert!(!zh.is_empty() && !en.is_empty());
        }
    }
}
