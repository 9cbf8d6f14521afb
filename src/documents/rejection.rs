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
    frame::paragraph(
        &mut flow,
        "如对本决定有异议，请自收到本通知书之日起与本公司联系，或按照保险合同约定的争议处理方式解决。",
        true,
    );
    frame::paragraph(&mut flow, "特此通知。", true);
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
