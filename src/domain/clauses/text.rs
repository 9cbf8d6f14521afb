//! Text for people in both languages (中文 / English).

use super::issue::{Issue, KeyPath};
use serde::{Deserialize, Serialize};

/// A message or name in Chinese and English; Chinese is shown first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

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
