//! Text for people in both languages (双语文本): every message a person may read — a
//! clause name, a refusal, a field error — is written once in Chinese and once in
//! English, and the reader's language is chosen only where it is shown (`http`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A message or name in Chinese and English; Chinese is shown first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

    /// The same words with a detail that reads the same in both languages (a number, a
    /// code, another system's message) after them.
    pub fn with_detail(self, detail: impl fmt::Display) -> Text {
        Text {
            zh: format!("{}：{detail}", self.zh),
            en: format!("{}: {detail}", self.en),
        }
    }
}

/// Both languages, for logs, the command line and API clients that asked for neither.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.zh, self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn a_detail_follows_each_language_with_its_own_punctuation() {
        let t = Text::new("导入失败", "the import failed").with_detail("E42");
        assert_eq!(t.zh, "导入失败：E42");
        assert_eq!(t.en, "the import failed: E42");
    }

    #[test]
    fn the_clause_file_format_is_zh_and_en_only() {
        let t: Text = serde_json::from_str(r#"{"zh":"甲","en":"A"}"#).unwrap();
        assert_eq!(t, Text::new("甲", "A"));
        assert!(serde_json::from_str::<Text>(r#"{"zh":"甲","en":"A","fr":"x"}"#).is_err());
    }
}
