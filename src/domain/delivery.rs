//! A delivery's status in the outbox (投递状态): waiting to be sent (or retried), delivered,
//! or given up on (死信) after the attempts ran out.

/// Where one queued delivery (mail, webhook, regulator report) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// 待发送 — queued, or waiting for its next attempt.
    Pending,
    /// 已送达
    Delivered,
    /// 死信 — the attempts ran out; an admin may send it again.
    Dead,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Dead,
    ];

    /// The code stored in `outbox.status` and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "待发送",
            DeliveryStatus::Delivered => "已送达",
            DeliveryStatus::Dead => "死信",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "a dead letter",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DeliveryStatus;

    #[test]
    fn every_status_parses_back_from_its_code_and_has_words() {
        for d in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(d.as_str()), Some(d));
            assert!(!d.zh().is_empty() && !d.en().is_empty());
        }
        assert_eq!(DeliveryStatus::parse("retrying"), None);
    }
}
