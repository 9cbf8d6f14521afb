//! Native PDF documents: the full-premium collection certificate (全额保费收取证明), the
//! stamped policy schedule (保险单), the endorsement document (批单), the insurance
//! certificate for the user unit (保险凭证), the claim rejection notice (拒赔通知书)
//! and the backtest report.
//!
//! Written in-process with krilla (no browser in the request path): pages are first laid
//! out into a display list ([`canvas`], [`flow`], [`table`]), then written to PDF with
//! the CJK font subset-embedded ([`pdf`]). The same input gives the same bytes, so a
//! stored SHA-256 can tell a genuine file from an altered one; the certificate's
//! [`canonical_content`] (and [`endorsement_canonical`], [`insurance_certificate_canonical`])
//! is what the Ed25519 signature covers.

mod annual_report;
mod backtest;
mod canvas;
pub mod cells;
mod certificate;
mod endorsement;
mod flow;
mod font;
mod frame;
pub mod inspect;
mod insurance_certificate;
pub mod payment_batch;
mod pdf;
mod qr;
mod rejection;
pub mod sample;
mod schedule;
mod seal;
mod table;
mod wrap;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;

use crate::domain::money::Money;

pub use annual_report::{render_annual_report, AnnualReportPdf};
pub use backtest::{render_backtest_report, BacktestPdf};
pub use certificate::{
    canonical_content, render_certificate, CertificateContent, InsuredItem, PremiumPayment,
};
pub use endorsement::{
    endorsement_canonical, render_endorsement, ChangedField, EndorsementContent, EndorsementKind,
    RequestedBy,
};
pub use font::{DocumentFont, FontSource, DEFAULT_FONT_PATH};
pub use frame::{amount_in_words_and_figures, chinese_date, figures, period_text};
pub use insurance_certificate::{
    deposit_paragraph, insurance_certificate_canonical, render_insurance_certificate,
    CertifiedUnit, InsuranceCertificateContent, QuotedRule,
};
pub use rejection::{objection_text, render_rejection_notice, NoticeContact, RejectionNotice};
pub use schedule::{
    render_policy_schedule, CoverSection, Party, ScheduleContent, ScheduleEquipment,
    NO_SEPARATE_LIMIT,
};
pub use seal::SealArtwork;

/// Why a document could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("cannot read font file {path}: {source}")]
    FontRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("font file {path} is not usable: {why}")]
    FontInvalid { path: PathBuf, why: String },
    #[error("the document font has no glyph for '{ch}' (in \"{text}\"); configure a font that covers it")]
    MissingGlyph { ch: char, text: String },
    #[error("cannot use seal artwork {path}: {why}")]
    SealArtwork { path: PathBuf, why: String },
    #[error(
        "payments total {paid} but the premium is {due}: the certificate states full collection"
    )]
    PaymentsDoNotMatchPremium { due: Money, paid: Money },
    #[error("a rejection notice must state at least one reason (《保险法》第二十四条)")]
    NoReasons,
    #[error(transparent)]
    Overflow(#[from] crate::domain::money::Overflow),
    #[error("{0}")]
    InvalidContent(String),
    #[error("cannot encode the QR code: {0}")]
    QrCode(String),
    #[error("PDF writer failed: {0}")]
    Pdf(String),
}

/// Who issues a document and how it looks: the insurer and branch named on it, the seal
/// stamped on it and the font it is set in. Build once per branch and reuse.
#[derive(Debug, Clone)]
pub struct Branding {
    /// 保险人, e.g. 某某财产保险股份有限公司.
    pub insurer_name: String,
    /// 分支机构, e.g. 浙江省分公司; may be empty for head office.
    pub branch_name: String,
    seal: seal::Seal,
    font: Arc<DocumentFont>,
}

impl Branding {
    /// Resolve the seal artwork (reading a PNG once) for this insurer and branch.
    pub fn new(
        insurer_name: impl Into<String>,
        branch_name: impl Into<String>,
        seal: &SealArtwork,
        font: Arc<DocumentFont>,
    ) -> Result<Branding, DocumentError> {
        let insurer_name = insurer_name.into();
        let branch_name = branch_name.into();
        let seal_name = format!("{insurer_name}{branch_name}");
        if let Some(ch) = font.missing_char(&seal_name) {
            return Err(DocumentError::MissingGlyph {
                ch,
                text: seal_name,
            });
        }
        Ok(Branding {
            seal: seal::Seal::load(seal, &seal_name)?,
            insurer_name,
            branch_name,
            font,
        })
    }

    pub fn font(&self) -> &Arc<DocumentFont> {
        &self.font
    }
}
