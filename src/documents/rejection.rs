//! The claim rejection notice (拒赔通知书).
//!
//! 《保险法》第二十四条: when the insurer finds a loss is not covered it must send the
//! insured or beneficiary a notice of rejection within three days of its decision and
//! state the reasons. So a notice without reasons is refused here, and each reason is
//! printed as its own numbered paragraph.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::canvas::line_height;
use super::flow::Flow;
use super::frame::{self, chinese_date, BODY};
use super::pdf::{write_pdf, DocInfo};
use super::{Branding, DocumentError};

/// What the rejection notice states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionNotice {
    /// 赔案号.
    pub claim_number: String,
    /// 保险单号.
    pub policy_number: String,
    /// 索赔人: the insured or beneficiary the notice is addressed to.
    pub claimant: String,
    /// 出险日期.
    pub event_date: NaiveDate,
    /// 核定日期: the day the claim was decided; the notice is dated the same day.
    pub decision_date: NaiveDate,
    /// 拒赔理由, each a paragraph (clause references included).
    pub reasons: Vec<String>,
    /// The clause set the policy was issued on, as cited in the objection paragraph,
    /// e.g. 首台(套)重大技术装备综合险 2025.2.
    #[serde(default)]
    pub clause_set: String,
    /// Where to object: department, telephone, postal address (from `[claims]`).
    #[serde(default)]
    pub contact: NoticeContact,
}

/// Who at the insurer hears an objection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeContact {
    pub department: String,
    pub phone: String,
    pub address: String,
}

/// How to object (异议), citing the contract's clauses and the law, with the contact.
pub fn objection_text(n: &RejectionNotice) -> String {
    let contract = if n.clause_set.trim().is_empty() {
        "保险合同".to_string()
    } else {
        format!("保险合同（《{}》条款）", n.clause_set.trim())
    };
    let c = &n.contact;
    let mut who = Vec::new();
    if !c.phone.trim().is_empty() {
        who.push(format!("联系电话：{}", c.phone.trim()));
    }
    if !c.address.trim().is_empty() {
        who.push(format!("通讯地址：{}", c.address.trim()));
    }
    let who = if who.is_empty() {
        String::new()
    } else {
        format!("（{}）", who.join("；"))
    };
    format!(
        "如对本决定有异议，贵方可自收到本通知书之日起，持书面异议及补充的证明和资料向本公司{}提出复核申请{}，本公司将依照《保险法》第二十二条、第二十三条的规定重新核定并书面答复。对复核结果仍有异议的，可按照{}约定的争议处理方式协商解决，或依约申请仲裁、依法向人民法院提起诉讼；亦可向国家金融监督管理总局派出机构反映。",
        if c.department.trim().is_empty() { "" } else { c.department.trim() },
        who,
        contract,
    )
}

/// The legal basis printed on every notice.
pub const LEGAL_BASIS: &str = "法律依据：《保险法》第二十四条——保险人依照本法第二十三条的规定作出核定后，对不属于保险责任的，应当自作出核定之日起三日内向被保险人或者受益人发出拒绝赔偿或者拒绝给付保险金通知书，并说明理由。";

/// The notice as an A4 PDF.
pub fn render_rejection_notice(
    n: &RejectionNotice,
    b: &Branding,
) -> Result<Vec<u8>, DocumentError> {
    if n.reasons.iter().all(|r| r.trim().is_empty()) {
        return Err(DocumentError::NoReasons);
    }
    let mut flow = Flow::new(
        b.font.clone(),
        format!("拒赔通知书 {}（续）", n.claim_number),
    );
    frame::title_block(&mut flow, b, "拒赔通知书", "赔案号：", &n.claim_number);
    frame::paragraph(&mut flow, &format!("{}：", n.claimant), false);
    flow.advance(line_height(BODY) * 0.3);
    let opening = format!(
        "贵方就保险单号{}项下{}发生的事故提出的索赔申请（赔案号：{}），本公司已于{}核定完毕。经审核，该事故所致损失不属于保险责任范围，本公司决定不予赔付，理由如下：",
        n.policy_number,
        chinese_date(n.event_date),
        n.claim_number,
        chinese_date(n.decision_date),
    );
    frame::paragraph(&mut flow, &opening, true);
    flow.advance(line_height(BODY) * 0.3);
    let reasons = n.reasons.iter().filter(|r| !r.trim().is_empty());
    for (i, reason) in reasons.enumerate() {
        frame::paragraph(&mut flow, &format!("{}. {}", i + 1, reason.trim()), true);
        flow.advance(line_height(BODY) * 0.2);
    }
    flow.advance(line_height(BODY) * 0.5);
    frame::paragraph(&mut flow, LEGAL_BASIS, false);
    flow.advance(line_height(BODY) * 0.3);
    frame::paragraph(&mut flow, &objection_text(n), true);
    let closing = "特此通知。";
    let closing_height = frame::text_height(&flow, closing, BODY, true) + 10.0;
    frame::keep_with_signature(&mut flow, closing_height);
    frame::paragraph(&mut flow, closing, true);
    flow.advance(10.0);
    frame::signature_block(&mut flow, b, n.decision_date);
    let pages = flow.finish();
    let info = DocInfo {
        title: format!("拒赔通知书 {}", n.claim_number),
        author: format!("{}{}", b.insurer_name, b.branch_name),
        id: n.claim_number.clone(),
        date: n.decision_date,
    };
    write_pdf(&pages, &info, &b.font)
}
