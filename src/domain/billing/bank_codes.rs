//! The stored states of the bank side of collection: where an uploaded statement file is
//! (流水文件导入状态), and how a suspense line was settled without a premium payment
//! (挂账处理方式). Stored as codes; read back into these enums.

/// Where an uploaded statement file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadStatus {
    /// 已预览: read and shown, nothing recorded yet.
    Previewed,
    /// 导入中: its lines are being recorded in chunks.
    Running,
    /// 已导入
    Done,
    /// 导入失败: stopped with a reason; it may be started again.
    Failed,
}

impl UploadStatus {
    pub const ALL: [UploadStatus; 4] = [
        UploadStatus::Previewed,
        UploadStatus::Running,
        UploadStatus::Done,
        UploadStatus::Failed,
    ];

    /// The code stored in `statement_upload.status` and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadStatus::Previewed => "previewed",
            UploadStatus::Running => "running",
            UploadStatus::Done => "done",
            UploadStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<UploadStatus> {
        UploadStatus::ALL.into_iter().find(|u| u.as_str() == s)
    }
}

/// How a suspense line was settled without a premium payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisposalKind {
    /// 非保费，不予入账: not premium.
    Dismissed,
    /// 已退回付款人: paid back to the payer.
    Refunded,
}

impl DisposalKind {
    pub const ALL: [DisposalKind; 2] = [DisposalKind::Dismissed, DisposalKind::Refunded];

    /// The code stored in `bank_line_disposal.kind` and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DisposalKind::Dismissed => "dismissed",
            DisposalKind::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<DisposalKind> {
        DisposalKind::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::{DisposalKind, UploadStatus};

    #[test]
    fn every_code_parses_back() {
        for u in UploadStatus::ALL {
            assert_eq!(UploadStatus::parse(u.as_str()), Some(u));
        }
        for d in DisposalKind::ALL {
            assert_eq!(DisposalKind::parse(d.as_str()), Some(d));
        }
        assert_eq!(UploadStatus::parse("queued"), None);
        assert_eq!(DisposalKind::parse("written_off"), None);
    }
}
