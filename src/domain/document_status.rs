//! An issued document's status (单证状态): a certificate or endorsement stays valid until
//! it is revoked (a refund, a cancellation, a replacement). The verification page and the
//! client's downloads read it.

/// Valid or revoked, as stored in `certificate.status` and `issued_document.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentStatus {
    /// 有效
    Valid,
    /// 已作废
    Revoked,
}

impl DocumentStatus {
    pub const ALL: [DocumentStatus; 2] = [DocumentStatus::Valid, DocumentStatus::Revoked];

    /// The stored code, also the API's.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Valid => "valid",
            DocumentStatus::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentStatus> {
        DocumentStatus::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::DocumentStatus;

    #[test]
    fn every_status_parses_back_from_its_code() {
        for d in DocumentStatus::ALL {
            assert_eq!(DocumentStatus::parse(d.as_str()), Some(d));
        }
        assert_eq!(DocumentStatus::parse("Valid"), None);
    }
}
