//! The Ed25519 key certificates are signed with.
//!
//! Taken from configuration (a file holding the 32-byte seed, raw or base64, or the base64
//! seed itself); with neither, generated on first start and kept in the database table
//! `signing_key`, so a fresh machine works and every instance on that database signs
//! with the same key. Anyone with database access can then read the seed: production
//! installations should configure the key instead.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};

use crate::config::CertificatesConfig;
use crate::services::{ServiceError, ServiceResult};
use crate::store::{certificates as store, Db};

const PURPOSE: &str = "certificate";

/// Signs certificates; cheap to clone.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer(public {})", self.public_b64())
    }
}

fn bad_key(why: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("certificate signing key: {why}"))
}

/// A 32-byte seed from raw bytes or base64 text.
fn seed_from(bytes: &[u8]) -> ServiceResult<[u8; 32]> {
    if let Ok(raw) = <[u8; 32]>::try_from(bytes) {
        return Ok(raw);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| bad_key("neither 32 bytes nor base64"))?;
    let decoded = B64
        .decode(text.trim())
        .map_err(|e| bad_key(format!("not base64: {e}")))?;
    <[u8; 32]>::try_from(decoded.as_slice()).map_err(|_| bad_key("the seed must be 32 bytes"))
}

impl Signer {
    pub fn from_seed(seed: [u8; 32]) -> Signer {
        Signer {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The configured key, else the one stored in the database, else a new one stored there.
    pub async fn load(config: &CertificatesConfig, db: &Db) -> ServiceResult<Signer> {
        if let Some(path) = &config.signing_key_file {
            let bytes = std::fs::read(path)
                .map_err(|e| bad_key(format!("cannot read {}: {e}", path.display())))?;
            return Ok(Signer::from_seed(seed_from(&bytes)?));
        }
        if let Some(b64) = &config.signing_key_base64 {
            return Ok(Signer::from_seed(seed_from(b64.expose().as_bytes())?));
        }
        let mut tx = db.write().await?;
        let stored = match store::stored_key(&mut tx, PURPOSE).await? {
            Some(seed) => seed,
            None => {
                let mut seed = [0u8; 32];
                getrandom::getrandom(&mut seed).map_err(bad_key)?;
                let fresh = Signer::from_seed(seed);
                store::store_key(&mut tx, PURPOSE, &B64.encode(seed), &fresh.public_b64()).await?
            }
        };
        tx.commit().await?;
        Ok(Signer::from_seed(seed_from(stored.as_bytes())?))
    }

    pub fn sign_b64(&self, message: &[u8]) -> String {
        B64.encode(self.key.sign(message).to_bytes())
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub fn public_b64(&self) -> String {
        B64.encode(self.public_key().to_bytes())
    }
}

/// Does `signature_b64` sign `message` under `public_b64`? Anything malformed is "no".
pub fn verify(public_b64: &str, message: &[u8], signature_b64: &str) -> bool {
    let Ok(key) = B64.decode(public_b64) else {
        return false;
    };
    let Ok(key) = <[u8; 32]>::try_from(key.as_slice()) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&key) else {
        return false;
    };
    let Ok(sig) = B64.decode(signature_b64) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&sig) else {
        return false;
    };
    key.verify(message, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_message_and_key() {
        let s = Signer::from_seed([7u8; 32]);
        let sig = s.sign_b64(b"content");
        assert!(verify(&s.public_b64(), b"content", &sig));
        assert!(!verify(&s.public_b64(), b"contenT", &sig));
        let other = Signer::from_seed([8u8; 32]);
        assert!(!verify(&other.public_b64(), b"content", &sig));
        assert!(!verify("not base64!", b"content", &sig));
    }

    /// Seals already issued must survive an upgrade of the Ed25519 crate: a fixed seed gives
    /// the same public key and the same (deterministic, RFC 8032) signature, and the old
    /// signature verifies. The expected values were made by an independent implementation
    /// (Python `cryptography`), not by this crate.
    #[test]
    fn seals_made_before_an_upgrade_still_verify() {
        let message = b"FC-2025-000001|premium certificate|1234567.89";
        let public = "6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=";
        let signature = "Mo+/rOkcNClM45JL5X4jYj8n5kswxBJ+OHetuL9yHjCbs1T3arPH3jvzwH9RAwdi08N0/oc63OQCaBF3leGOBQ==";
        let s = Signer::from_seed([7u8; 32]);
        assert_eq!(s.public_b64(), public);
        assert_eq!(s.sign_b64(message), signature);
        assert!(verify(public, message, signature));
        assert!(!verify(
            public,
            b"FC-2025-000002|premium certificate|1234567.89",
            signature
        ));
    }

    #[test]
    fn seeds_are_read_raw_or_as_base64() {
        let seed = [3u8; 32];
        assert_eq!(seed_from(&seed).unwrap(), seed);
        let text = format!("{}\n", B64.encode(seed));
        assert_eq!(seed_from(text.as_bytes()).unwrap(), seed);
        assert!(seed_from(b"short").is_err());
    }
}
