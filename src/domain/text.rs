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

impl Text {
    /// A line as the records keep it: "中文 / English" where the system wrote it in both
    /// languages (an automatic reserve's reason, "保险公司 / the insurer"), otherwise a
    /// person's own words, the same in both. The one place that reads the stored form.
    pub fn from_record(line: &str) -> Text {
        match line.split_once(" / ") {
            Some((zh, en)) if has_cjk(zh) && !en.trim().is_empty() && !has_cjk(en) => {
                Text::new(zh, en)
            }
            _ => Text::new(line, line),
        }
    }

    /// The record line again: "中文 / English", or the words alone when they are the same
    /// in both languages.
    pub fn to_record(&self) -> String {
        if self.zh == self.en {
            self.zh.clone()
        } else {
            format!("{} / {}", self.zh, self.en)
        }
    }

    /// Serialize as the record line, for API fields that have always been one string.
    pub fn serialize_as_record<S: serde::Serializer>(t: &Text, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_record())
    }
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| c as u32 > 0x2E80)
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
    fn a_record_line_is_read_in_both_languages_and_written_back_unchanged() {
        let t = Text::from_record("拒赔结案 / rejected");
        assert_eq!(t, Text::new("拒赔结案", "rejected"));
        assert_eq!(t.to_record(), "拒赔结案 / rejected");
        // A person's own words, even with a slash, are the same in both languages.
        for own in [
            "设备返厂检测 / 待报告",
            "waiting for the lab / part 2",
            "加急",
        ] {
            let t = Text::from_record(own);
            assert_eq!((t.zh.as_str(), t.en.as_str()), (own, own));
            assert_eq!(t.to_record(), own);
        }
    }

    #[test]
    fn the_clause_file_format_is_zh_and_en_only() {
        let t: Text = serde_json::from_str(r#"{"zh":"甲","en":"A"}"#).unwrap();
        assert_eq!(t, Text::new("甲", "A"));
        assert!(serde_json::from_str::<Text>(r#"{"zh":"甲","en":"A","fr":"x"}"#).is_err());
    }
}
