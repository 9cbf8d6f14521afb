//! A delivery's status in the outbox (投递状态): waiting to be sent (or retried), delivered,
//! or given up on (死信) after the attempts ran out.

use super::party::text_enum;
use std::fmt;
use std::str::FromStr;

/// Where one queued delivery (mail, webhook, regulator report) stands; the code is stored in
/// `outbox.status` and used in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// 待发送 — queued, or waiting for its next attempt.
    Pending,
    /// 已送达
    Delivered,
    /// 死信 — the attempts ran out; an admin may send it again.
    Dead,
}

text_enum!(DeliveryStatus, "unknown delivery status '{}' (pending, delivered or dead)",
    Pending => "pending", "待发送", "pending";
    Delivered => "delivered", "已送达", "delivered";
    Dead => "dead", "死信", "a dead letter");

#[cfg(test)]
mod tests {
    use super::DeliveryStatus;

    #[test]
    fn every_status_parses_back_from_its_code_and_has_words() {
        for d in DeliveryStatus::all() {
            assert_eq!(d.as_str().parse::<DeliveryStatus>(), Ok(*d));
            assert!(!d.zh().is_empty() && !d.en().is_empty());
        }
        assert!("retrying".parse::<DeliveryStatus>().is_err());
    }
}
