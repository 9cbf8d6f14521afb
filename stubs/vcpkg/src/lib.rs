//! Stand-in for the `vcpkg` crate: the same entry points, and every probe fails without
//! looking anywhere. See `Cargo.toml` beside this file for why it exists.

use std::fmt;
use std::path::PathBuf;

/// Why a probe failed: always because probing is switched off in this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Asked for `name`; vcpkg is not consulted in a firstcover build.
    Disabled { name: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Disabled { name } => write!(
                f,
                "vcpkg is disabled in the firstcover build (asked for {name:?}); \
                 dependencies must compile their C from source"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// What a successful probe would describe. Never produced by this crate.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub link_paths: Vec<PathBuf>,
    pub dll_paths: Vec<PathBuf>,
    pub include_paths: Vec<PathBuf>,
    pub cargo_metadata: Vec<String>,
    pub is_static: bool,
    pub found_dlls: Vec<PathBuf>,
    pub found_libs: Vec<PathBuf>,
    pub found_names: Vec<String>,
    pub ports: Vec<String>,
    pub vcpkg_triplet: String,
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
    pub fn cargo_metadata(&mut self, _cargo_metadata: bool) -> &mut Config {
        self
    }
    pub fn emit_includes(&mut self, _emit_includes: bool) -> &mut Config {
        self
    }
    pub fn copy_dlls(&mut self, _copy_dlls: bool) -> &mut Config {
        self
    }
    /// Always fails: nothing is searched, nothing is printed for cargo.
    pub fn find_package(&mut self, port_name: &str) -> Result<Library, Error> {
        Err(Error::Disabled {
            name: port_name.to_owned(),
        })
    }
    /// Always fails, like [`Config::find_package`].
    pub fn probe(&mut self, port_name: &str) -> Result<Library, Error> {
        self.find_package(port_name)
    }
}

/// Always fails, like [`Config::find_package`].
pub fn find_package(package: &str) -> Result<Library, Error> {
    Config::new().find_package(package)
}

/// Always fails, like [`Config::find_package`].
pub fn probe_package(name: &str) -> Result<Library, Error> {
    Config::new().probe(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_probe_fails() {
        assert!(super::Config::new().probe("sqlite3").is_err());
        assert!(super::find_package("libxml2").is_err());
    }
}
