//! Claim payment batches (赔款支付批次): where a batch is, and what the bank answered for
//! each payment in it. Stored as codes; read back into these enums.

/// Where a batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchState {
    /// 已发送，待银行回单: the file is with the bank.
    Open,
    /// 已结清: the bank answered every payment.
    Closed,
    /// 已撤销: withdrawn before the bank answered any payment.
    Cancelled,
}

impl BatchState {
    pub const ALL: [BatchState; 3] = [BatchState::Open, BatchState::Closed, BatchState::Cancelled];

    /// The code stored in `claim_payment_batch.state` and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Open => "open",
            BatchState::Closed => "closed",
            BatchState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<BatchState> {
        BatchState::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// What the bank says happened to one payment (银行回单结果).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankOutcome {
    /// 支付成功
    Paid,
    /// 支付失败 / 退回
    Failed,
}

impl BankOutcome {
    pub const ALL: [BankOutcome; 2] = [BankOutcome::Paid, BankOutcome::Failed];

    /// The code stored in `claim_payment_batch_item.outcome` and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            BankOutcome::Paid => "paid",
            BankOutcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<BankOutcome> {
        BankOutcome::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::{BankOutcome, BatchState};

    #[test]
    fn every_code_parses_back() {
        for s in BatchState::ALL {
            assert_eq!(BatchState::parse(s.as_str()), Some(s));
        }
        for o in BankOutcome::ALL {
            assert_eq!(BankOutcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(BatchState::parse("sent"), None);
        assert_eq!(BankOutcome::parse("returned"), None);
    }
}
