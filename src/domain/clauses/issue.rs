//! Semantic problems in a data file, each pointing at the key that causes it,
//! so the loader can name the line (see [`super::locate`]).

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a data file holds; every file says so in its top-level `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 条款
    ClauseSet,
    /// 费率备案
    RateFiling,
    /// 理赔单证清单
    ClaimChecklists,
    /// 保险补偿政策
    Programme,
    /// 银行流水格式 (a bank's statement export columns)
    BankLayout,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::ClauseSet => "clause_set",
            DocumentKind::RateFiling => "rate_filing",
            DocumentKind::ClaimChecklists => "claim_checklists",
            DocumentKind::Programme => "programme",
            DocumentKind::BankLayout => "bank_layout",
        }
    }

    pub fn parse(text: &str) -> Option<DocumentKind> {
        [
            DocumentKind::ClauseSet,
            DocumentKind::RateFiling,
            DocumentKind::ClaimChecklists,
            DocumentKind::Programme,
            DocumentKind::BankLayout,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// One step of a path into a TOML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// Where a value sits in a TOML document, e.g. `sections[1].code`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyPath(pub Vec<PathSegment>);

impl KeyPath {
    pub fn root() -> KeyPath {
        KeyPath(Vec::new())
    }

    pub fn key(&self, key: &str) -> KeyPath {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Key(key.to_owned()));
        KeyPath(segments)
    }

    pub fn index(&self, index: usize) -> KeyPath {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Index(index));
        KeyPath(segments)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(k) if i == 0 => write!(f, "{k}")?,
                PathSegment::Key(k) => write!(f, ".{k}")?,
                PathSegment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A value that parses but makes no sense (a rate above 1, a duplicate code, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: KeyPath,
    pub reason: String,
}

impl Issue {
    pub fn new(path: KeyPath, reason: impl Into<String>) -> Issue {
        Issue {
            path,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// Push an issue for every code that appears more than once.
pub fn check_unique<'a>(
    codes: impl IntoIterator<Item = &'a str>,
    at: impl Fn(usize) -> KeyPath,
    what: &str,
    issues: &mut Vec<Issue>,
) {
    let mut seen = std::collections::HashSet::new();
    for (i, code) in codes.into_iter().enumerate() {
        if !seen.insert(code) {
            issues.push(Issue::new(at(i), format!("duplicate {what} '{code}'")));
        }
    }
}

/// Codes are lower/upper-case ASCII letters, digits, '-' and '_'.
pub fn check_code(code: &str, at: KeyPath, issues: &mut Vec<Issue>) {
    let ok = !code.is_empty()
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        issues.push(Issue::new(
            at,
            format!("'{code}' is not a code (use letters, digits, '-' and '_')"),
        ));
    }
}

/// The file's `kind` must be the one this schema reads.
pub fn check_kind(found: DocumentKind, expected: DocumentKind, issues: &mut Vec<Issue>) {
    if found != expected {
        issues.push(Issue::new(
            KeyPath::root().key("kind"),
            format!(
                "expected kind '{}', found '{}'",
                expected.as_str(),
                found.as_str()
            ),
        ));
    }
}
