//! Unified social credit code (统一社会信用代码), GB 32100-2015.
//!
//! 18 characters from a 31-symbol alphabet (digits and upper-case letters without
//! I, O, Z, S, V); the last is a check character computed mod 31 over the first 17.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a text is not a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("a unified social credit code has 18 characters, this one has {0}")]
    WrongLength(usize),
    #[error("character '{ch}' at position {position} is not allowed (letters I, O, Z, S, V are never used)")]
    BadCharacter { ch: char, position: usize },
    #[error("the check character should be '{expected}', not '{found}'")]
    WrongCheckCharacter { expected: char, found: char },
}

impl CreditCodeError {
    /// The same reason in Chinese, for pages.
    pub fn zh(&self) -> String {
        match self {
            Self::WrongLength(n) => format!("统一社会信用代码应为18位，当前为{n}位"),
            Self::BadCharacter { ch, position } => {
                format!("第{position}位字符“{ch}”不允许使用（不使用I、O、Z、S、V）")
            }
            Self::WrongCheckCharacter { expected, found } => {
                format!("校验码应为“{expected}”，而不是“{found}”")
            }
        }
    }
}

/// A valid, upper-cased unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

fn value_of(ch: u8) -> Option<u32> {
    ALPHABET.iter().position(|c| *c == ch).map(|p| p as u32)
}

/// The check character for the first 17 characters, or `None` if one is not allowed.
pub fn check_character(body: &str) -> Option<char> {
    let bytes = body.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (b, w) in bytes.iter().zip(WEIGHTS) {
        sum += value_of(*b)? * w;
    }
    let c = (31 - sum % 31) % 31;
    Some(ALPHABET[c as usize] as char)
}

impl CreditCode {
    /// Accepts lower case and surrounding spaces; stores upper case.
    pub fn parse(text: &str) -> Result<CreditCode, CreditCodeError> {
        let upper = text.trim().to_ascii_uppercase();
        let count = upper.chars().count();
        if count != 18 {
            return Err(CreditCodeError::WrongLength(count));
        }
        for (i, ch) in upper.chars().enumerate() {
            if !ch.is_ascii() || value_of(ch as u8).is_none() {
                return Err(CreditCodeError::BadCharacter {
                    ch,
                    position: i + 1,
                });
            }
        }
        let expected = check_character(&upper[..17]).ok_or(CreditCodeError::WrongLength(count))?;
        let found = upper.as_bytes()[17] as char;
        if expected != found {
            return Err(CreditCodeError::WrongCheckCharacter { expected, found });
        }
        Ok(CreditCode(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        CreditCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Published example codes (e.g. 91350100M000100Y43 appears in the GB 32100 annex style).
    #[test]
    fn accepts_valid_codes_and_upper_cases_them() {
        let code = CreditCode::parse("91350100m000100y43").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn rejects_wrong_check_character() {
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::WrongCheckCharacter {
                expected: '3',
                found: '4'
            }
        );
    }

    #[test]
    fn rejects_wrong_length() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y4").unwrap_err(),
            CreditCodeError::WrongLength(17)
        );
    }

    #[test]
    fn rejects_letters_never_used() {
        for bad in ['I', 'O', 'Z', 'S', 'V'] {
            let text = format!("9135010{bad}M000100Y43");
            assert!(matches!(
                CreditCode::parse(&text),
                Err(CreditCodeError::BadCharacter { position: 8, .. })
            ));
        }
    }

    proptest! {
        #[test]
        fn any_body_with_its_check_character_is_valid(body in "[0-9A-HJ-NP-RTUWXY]{17}") {
            let check = check_character(&body).unwrap();
            let code = format!("{body}{check}");
            prop_assert!(CreditCode::parse(&code).is_ok());
            prop_assert!(CreditCode::parse(&code.to_lowercase()).is_ok());
        }

        #[test]
        fn changing_one_character_is_detected(body in "[0-9A-HJ-NP-RTUWXY]{17}", pos in 0usize..17, delta in 1u32..31) {
            let check = check_character(&body).unwrap();
            let mut bytes = body.into_bytes();
            let v = value_of(bytes[pos]).unwrap();
            bytes[pos] = ALPHABET[((v + delta) % 31) as usize];
            let altered = format!("{}{check}", String::from_utf8(bytes).unwrap());
            prop_assert!(CreditCode::parse(&altered).is_err());
        }
    }
}
