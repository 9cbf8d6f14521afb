//! What a notice after an action says (操作结果提示): the event, in both languages, with
//! `{}` where its figure (an amount, a number) goes.

/// (event, 中文, English)
const NOTICES: &[(&str, &str, &str)] = &[
    ("quoted", "报价已保存，保费 {} 元", "Quote saved: premium {} CNY"),
    ("requoted", "报价已修改并重新定价", "Quote changed and priced again"),
    ("bound", "已承保；下一步：出单", "Bound; next: issue the policy"),
    ("issued", "已出单，保单号 {}", "Issued as policy {}"),
    ("proof", "已登记最终用户接收证明", "End user's receipt recorded"),
    ("referral_approved", "上级核保已同意", "Referral approved"),
    ("referral_declined", "上级核保已拒绝", "Referral declined"),
    ("quote_declined", "已拒保，报价已关闭", "Quote declined and closed"),
    ("quote_withdrawn", "已按投保人要求撤回报价", "Quote withdrawn for the maker"),
    ("endorsed", "批改已生效，加/退费 {} 元", "Endorsement applied: adjustment {} CNY"),
    ("endorse_referred", "批改超出权限，已提交上级核保；保单在批准前不变", "The endorsement exceeds your authority and waits for a senior underwriter; the policy is unchanged until approved"),
    ("cancelled", "已退保，退还保费 {} 元", "Cancelled: return premium {} CNY"),
    ("renewal", "已生成续保报价，请核对后承保", "Renewal quoted; check it, then bind"),
    ("payment", "已记录收款 {} 元", "Payment of {} CNY recorded"),
    ("invoice", "已登记发票 {}", "Invoice {} recorded"),
    ("invoice_void", "发票已作废", "Invoice voided"),
    ("plan", "缴费计划已保存", "Payment plan saved"),
    ("refund", "已记录退费 {} 元", "Refund of {} CNY recorded"),
    ("reversal", "收款已冲正；如已出具全额保费收取证明，证明已撤销", "Payment reversed; a premium certificate issued on it is revoked"),
    ("backtest", "费率回溯报告已生成", "Backtest report built"),
    ("claim_saved", "赔案已更新", "Claim updated"),
    ("claim_registered", "已报案，赔案号 {}", "Claim {} registered"),
    ("claim_registered_now", "已立案", "Claim registered"),
    ("claim_reserve", "未决赔款准备金已调整", "Case reserve set"),
    ("claim_proof_complete", "已登记材料齐全，核定时限开始计算", "Proof recorded complete; the decision clock runs"),
    ("claim_decided", "核定结论已记录", "Decision recorded"),
    ("claim_approval", "审批意见已记录", "Approval recorded"),
    ("claim_payment", "赔款支付已批准，待银行确认", "Payment approved; waiting for the bank's confirmation"),
    ("claim_paid", "赔款已确认支付", "Payment confirmed paid"),
    ("claim_recovery", "追偿已登记", "Recovery recorded"),
    ("claim_reopened", "赔案已重开", "Claim reopened"),
    ("claim_document", "材料已上传", "Document uploaded"),
    ("proof_requested", "补充材料通知已排队，尚未发出", "The missing-proof notice is queued, not sent yet"),
    ("party_created", "当事方已创建", "Party created"),
    ("party_saved", "当事方已修改", "Party changed"),
    ("catalogue_saved", "目录产品已保存", "Catalogue product saved"),
    ("requeued", "已重新排队发送", "Queued to send again"),
    ("user_created", "用户已创建", "User created"),
];

/// The notice for `event`, or None for an event nobody defined.
pub fn text(event: &str) -> Option<(&'static str, &'static str)> {
    NOTICES
        .iter()
        .find(|(e, _, _)| *e == event)
        .map(|(_, zh, en)| (*zh, *en))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payment_notice_names_the_amount() {
        let (zh, en) = text("payment").unwrap();
        assert_eq!(zh.replace("{}", "20,000.00"), "已记录收款 20,000.00 元");
        assert_eq!(
            en.replace("{}", "20,000.00"),
            "Payment of 20,000.00 CNY recorded"
        );
        assert!(text("no.such").is_none());
    }
}
