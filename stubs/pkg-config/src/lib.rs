//! Stand-in for the `pkg-config` crate: the same entry points, and every probe fails without
//! running anything. See `Cargo.toml` beside this file for why it exists.

use std::fmt;
use std::path::PathBuf;

/// Why a probe failed: always because probing is switched off in this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Asked for `name`; pkg-config is not consulted in a firstcover build.
    Disabled { name: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Disabled { name } => write!(
                f,
                "pkg-config is disabled in the firstcover build (asked for {name:?}); \
                 dependencies must compile their C from source"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// What a successful probe would describe. Never produced by this crate.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub libs: Vec<String>,
    pub link_paths: Vec<PathBuf>,
    pub frameworks: Vec<String>,
    pub framework_paths: Vec<PathBuf>,
    pub include_paths: Vec<PathBuf>,
    pub defines: std::collections::HashMap<String, Option<String>>,
    pub version: String,
}

/// Probe settings; accepted and ignored.
#[derive(Debug, Clone, Default)]
pub struct Config {
    _settings: (),
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }
    pub fn atleast_version(&mut self, _version: &str) -> &mut Config {
        self
    }
    pub fn exactly_version(&mut self, _version: &str) -> &mut Config {
        self
    }
    pub fn statik(&mut self, _statik: bool) -> &mut Config {
        self
    }
    pub fn print_system_libs(&mut self, _print: bool) -> &mut Config {
        self
    }
    pub fn print_system_cflags(&mut self, _print: bool) -> &mut Config {
        self
    }
    pub fn cargo_metadata(&mut self, _cargo_metadata: bool) -> &mut Config {
        self
    }
    pub fn env_metadata(&mut self, _env_metadata: bool) -> &mut Config {
        self
    }
    /// Always fails: nothing is run, nothing is printed for cargo.
    pub fn probe(&self, name: &str) -> Result<Library, Error> {
        Err(Error::Disabled {
            name: name.to_owned(),
        })
    }
}

/// Always fails, like [`Config::probe`].
pub fn probe_library(name: &str) -> Result<Library, Error> {
    Config::new().probe(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_probe_fails() {
        let err = super::Config::new()
            .print_system_libs(false)
            .probe("sqlite3")
            .unwrap_err();
        assert!(err.to_string().contains("sqlite3"));
        assert!(super::probe_library("libxml-2.0").is_err());
    }
}
