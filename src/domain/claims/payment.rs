//! A claim payment's status (赔款支付状态): approved for payment (待支付), then paid (已支付)
//! once the bank confirms or a handler marks it.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// 已批准待支付
    Approved,
    /// 已支付
    Paid,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 2] = [PaymentStatus::Approved, PaymentStatus::Paid];

    /// The code stored in `claim_payment.status` and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Approved => "approved",
            PaymentStatus::Paid => "paid",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::PaymentStatus;

    #[test]
    fn every_status_parses_back_from_its_code() {
        for p in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(p.as_str()), Some(p));
        }
        assert_eq!(PaymentStatus::parse("pending"), None);
    }
}
