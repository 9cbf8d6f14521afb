//! TLS for outgoing HTTPS (outbox webhooks, regulator delivery): rustls with the `ring`
//! provider and the Mozilla roots compiled in (`webpki-roots`), so a machine needs no
//! certificate store and the build no C beyond `ring`'s own.
//!
//! reqwest 0.13's `rustls` feature brings the aws-lc-rs provider (aws-lc-sys: a large C build
//! with its own `links` key, refused by `scripts/check-deps.sh`), so the crate is built with
//! `rustls-no-provider` and every client is handed this ready configuration. Build HTTP
//! clients with [`client_builder`], never `reqwest::Client::builder()`: without a provider
//! reqwest refuses to build one.

use std::sync::Arc;

/// The rustls client configuration every outgoing HTTPS connection uses.
pub fn client_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(builder) => builder.with_root_certificates(roots).with_no_client_auth(),
        // The ring provider supports TLS 1.2 and 1.3; this cannot fail.
        Err(e) => unreachable!("ring supports the default TLS versions: {e}"),
    }
}

/// A reqwest client builder with [`client_config`] in place.
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().tls_backend_preconfigured(client_config())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_client_builds_with_the_ring_provider_and_bundled_roots() {
        let config = super::client_config();
        assert!(!config.crypto_provider().cipher_suites.is_empty());
        assert!(super::client_builder().build().is_ok());
    }
}
