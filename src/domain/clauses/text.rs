//! Text for people in both languages (中文 / English).

use super::issue::{Issue, KeyPath};

/// The neutral bilingual text (`crate::domain::text`); clause files keep its serde
/// format (`{ zh, en }`, nothing else).
pub use crate::domain::text::Text;

impl Text {
    /// Both languages must be present.
    pub fn check(&self, at: &KeyPath, issues: &mut Vec<Issue>) {
        if self.zh.trim().is_empty() {
            issues.push(Issue::new(at.key("zh"), "the Chinese text is empty"));
        }
        if self.en.trim().is_empty() {
            issues.push(Issue::new(at.key("en"), "the English text is empty"));
        }
    }
}
