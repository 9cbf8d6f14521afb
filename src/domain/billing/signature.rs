//! The bank's callback signature: `X-Signature` = hex HMAC-SHA256(secret,
//! timestamp + "." + body), with `X-Timestamp` in unix seconds inside a replay window.
//! The comparison is constant-time (`Mac::verify_slice`), so timing says nothing about
//! how much of a forged signature was right.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a notification is not accepted as coming from the bank.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("bank callbacks are not configured (no callback secret)")]
    NotConfigured,
    #[error("the X-Signature or X-Timestamp header is missing")]
    Missing,
    #[error("X-Timestamp is not a unix time in seconds")]
    BadTimestamp,
    #[error("X-Timestamp is outside the {0}-second window")]
    Stale(i64),
    #[error("the signature does not match")]
    Mismatch,
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; this cannot fail.
    let mut m = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(timestamp.as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The signature the bank sends (used by tests and by anyone simulating the bank).
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
}

/// Check a notification: the timestamp within `window_secs` of `now_unix`, then the
/// signature over exactly the bytes received.
pub fn verify(
    secret: Option<&str>,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now_unix: i64,
    window_secs: i64,
) -> Result<(), SignatureError> {
    let secret = secret
        .filter(|s| !s.is_empty())
        .ok_or(SignatureError::NotConfigured)?;
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(SignatureError::Missing);
    };
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    if (now_unix - ts).abs() > window_secs {
        return Err(SignatureError::Stale(window_secs));
    }
    let given = hex::decode(signature.trim()).map_err(|_| SignatureError::Mismatch)?;
    mac(secret.as_bytes(), timestamp.trim(), body)
        .verify_slice(&given)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000;

    #[test]
    fn a_signature_made_with_the_secret_verifies() {
        let sig = sign(b"s3cret", "1790000000", b"{\"a\":1}");
        assert_eq!(
            verify(
                Some("s3cret"),
                Some("1790000000"),
                Some(&sig),
                b"{\"a\":1}",
                NOW,
                300
            ),
            Ok(())
        );
    }

    #[test]
    fn signature_is_hmac_sha256_over_timestamp_dot_body() {
        // openssl: printf '1790000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret
        assert_eq!(
            sign(b"s3cret", "1790000000", b"{\"a\":1}"),
            "b3e592eceaf8e8b6c5101a58c2678f5ff4e74c21bed3a56a3130ecc5c7f6ed82"
        );
    }

    #[test]
    fn an_altered_body_a_wrong_secret_or_a_stale_time_is_refused() {
        let sig = sign(b"s3cret", "1790000000", b"{\"a\":1}");
        let v = |secret, ts, body: &[u8], now| verify(secret, Some(ts), Some(&sig), body, now, 300);
        assert_eq!(
            v(Some("s3cret"), "1790000000", b"{\"a\":2}", NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            v(Some("other"), "1790000000", b"{\"a\":1}", NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            v(Some("s3cret"), "1790000000", b"{\"a\":1}", NOW + 301),
            Err(SignatureError::Stale(300))
        );
        assert_eq!(
            v(Some("s3cret"), "1790000000", b"{\"a\":1}", NOW - 301),
            Err(SignatureError::Stale(300))
        );
        assert_eq!(
            v(Some("s3cret"), "1790000000", b"{\"a\":1}", NOW + 300),
            Ok(())
        );
        assert_eq!(
            v(None, "1790000000", b"{\"a\":1}", NOW),
            Err(SignatureError::NotConfigured)
        );
        assert_eq!(
            v(Some(""), "1790000000", b"{\"a\":1}", NOW),
            Err(SignatureError::NotConfigured)
        );
        assert_eq!(
            v(Some("s3cret"), "soon", b"{\"a\":1}", NOW),
            Err(SignatureError::BadTimestamp)
        );
        assert_eq!(
            verify(Some("s3cret"), Some("1790000000"), None, b"", NOW, 300),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(
                Some("s3cret"),
                Some("1790000000"),
                Some("zz"),
                b"",
                NOW,
                300
            ),
            Err(SignatureError::Mismatch)
        );
    }
}
