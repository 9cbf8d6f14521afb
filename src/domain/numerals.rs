//! Chinese capital numerals for amounts (大写金额).
//!
//! Certificates, policies and premium notices state every amount twice: in figures and
//! in capital numerals, so a figure cannot be altered by adding a stroke. The rules are
//! the ones Chinese banks and invoices follow (《支付结算办法》 and the PBOC's
//! 正确填写票据和结算凭证的基本规定):
//!
//! - digits 壹贰叁肆伍陆柒捌玖, place units 拾佰仟 inside a four-digit group, group
//!   units 万 and 亿 (a count of 亿 above 9,999 is itself written with 万: 壹万亿);
//!   `拾` is always written with its digit (壹拾万, never 拾万);
//! - one 零 stands for any run of zeros between two non-zero places, including a zero
//!   group (壹亿零伍元整) or a group that starts with zeros (壹拾万零贰佰元整); zeros at the
//!   end of the whole number are not written;
//! - 元 after the whole yuan, then 角 and 分; 整 closes an amount that has no fen
//!   (壹佰元整, 壹元伍角整); with yuan but no jiao and some fen a 零 is written
//!   (壹仟零壹元零伍分); with no yuan the amount starts at the jiao or fen (叁角伍分);
//!   zero is 零元整;
//! - a negative amount is prefixed with 负.

use crate::domain::money::Money;

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// Place units inside a four-digit group, from the thousands down.
const PLACES: [&str; 4] = ["仟", "佰", "拾", ""];

const WAN: u64 = 10_000;
const YI: u64 = 100_000_000;

/// The amount in capital numerals, e.g. `壹拾万零贰佰元整` for 100,200.00.
pub fn capital_numerals(m: Money) -> String {
    let fen_total = m.fen().unsigned_abs();
    let yuan = fen_total / 100;
    let jiao = (fen_total / 10) % 10;
    let fen = fen_total % 10;

    let mut out = String::with_capacity(48);
    if m.is_negative() {
        out.push('负');
    }
    if fen_total == 0 {
        out.push_str("零元整");
        return out;
    }
    if yuan > 0 {
        push_whole(&mut out, yuan);
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) => out.push('整'),
        (j, 0) => {
            push_digit(&mut out, j);
            out.push_str("角整");
        }
        (0, f) => {
            // 零 marks the missing jiao only when yuan precede it (壹元零伍分, but 伍分).
            if yuan > 0 {
                out.push('零');
            }
            push_digit(&mut out, f);
            out.push('分');
        }
        (j, f) => {
            push_digit(&mut out, j);
            out.push('角');
            push_digit(&mut out, f);
            out.push('分');
        }
    }
    out
}

/// A whole number (> 0). Above 亿 the count of 亿 is itself a number, which is why
/// 10,001 亿 reads 壹万零壹亿 and the largest `i64` amount reads 玖亿…亿…元.
fn push_whole(out: &mut String, n: u64) {
    if n >= YI {
        push_whole(out, n / YI);
        out.push('亿');
        push_remainder(out, n % YI, YI / 10, push_whole);
    } else if n >= WAN {
        push_group(out, n / WAN);
        out.push('万');
        push_remainder(out, n % WAN, WAN / 10, push_group);
    } else {
        push_group(out, n);
    }
}

/// The part below a 亿 or 万 unit: a 零 first when it does not fill the highest place
/// (壹拾万零贰佰, 壹亿零伍), nothing when it is zero (trailing zeros are not written).
fn push_remainder(out: &mut String, rest: u64, highest_place: u64, push: fn(&mut String, u64)) {
    if rest == 0 {
        return;
    }
    if rest < highest_place {
        out.push('零');
    }
    push(out, rest);
}

/// One group (1..=9999) without a unit; inner zeros become a single 零, trailing
/// zeros are dropped.
fn push_group(out: &mut String, group: u64) {
    let digits = [
        group / 1000,
        (group / 100) % 10,
        (group / 10) % 10,
        group % 10,
    ];
    let mut started = false;
    let mut pending_zero = false;
    for (d, place) in digits.iter().zip(PLACES) {
        if *d == 0 {
            pending_zero |= started;
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        push_digit(out, *d);
        out.push_str(place);
        started = true;
    }
}

fn push_digit(out: &mut String, d: u64) {
    // `d` is always one decimal digit here; the fallback only keeps indexing total.
    out.push(DIGITS.get(d as usize).copied().unwrap_or('零'));
}

// Amounts in the tests are grouped as Chinese reads them: four digits per 万, then fen.
#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cap(fen: i64) -> String {
        capital_numerals(Money::from_fen(fen))
    }

    #[test]
    fn zero_is_zero_yuan_whole() {
        assert_eq!(cap(0), "零元整");
    }

    #[test]
    fn a_zero_inside_the_number_is_written_once() {
        assert_eq!(cap(1_0005_00), "壹万零伍元整");
        assert_eq!(cap(10_0200_00), "壹拾万零贰佰元整");
        assert_eq!(cap(1001_05), "壹仟零壹元零伍分");
        assert_eq!(cap(1_0000_0001_00), "壹亿零壹元整");
        assert_eq!(cap(1_0100_0000_00), "壹亿零壹佰万元整");
        assert_eq!(cap(1000_1000_00), "壹仟万壹仟元整");
        assert_eq!(cap(1_0000_0010_00), "壹亿零壹拾元整");
        assert_eq!(cap(5_0000_0000_0000_00), "伍万亿元整");
        assert_eq!(cap(1_0001_0000_0000_00), "壹万零壹亿元整");
        // The bank rule lets 零 be left out when the place after the gap is a 仟.
        assert_eq!(cap(1_0000_1000_0000_00), "壹万亿壹仟万元整");
    }

    #[test]
    fn ten_keeps_its_digit() {
        assert_eq!(cap(10_00), "壹拾元整");
        assert_eq!(cap(15_00), "壹拾伍元整");
        assert_eq!(cap(110_00), "壹佰壹拾元整");
    }

    #[test]
    fn jiao_and_fen() {
        assert_eq!(cap(35), "叁角伍分");
        assert_eq!(cap(5), "伍分");
        assert_eq!(cap(50), "伍角整");
        assert_eq!(cap(1_50), "壹元伍角整");
        assert_eq!(cap(1_05), "壹元零伍分");
        assert_eq!(cap(1_00), "壹元整");
        assert_eq!(cap(100_01), "壹佰元零壹分");
    }

    #[test]
    fn amounts_of_a_hundred_million_and_more() {
        assert_eq!(cap(1_0000_0000_00), "壹亿元整");
        assert_eq!(
            cap(12_3456_7890_12),
            "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分"
        );
        assert_eq!(cap(5_000_000_00), "伍佰万元整");
    }

    #[test]
    fn negative_amounts_are_marked() {
        assert_eq!(cap(-1_0005_00), "负壹万零伍元整");
        assert_eq!(cap(-35), "负叁角伍分");
    }

    #[test]
    fn the_extremes_of_i64_do_not_overflow() {
        let max = cap(i64::MAX);
        // 92,233,720,368,547,758.07 yuan: the count of 亿 is itself above 亿.
        assert_eq!(
            max,
            "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分"
        );
        assert_eq!(parse_back(&max), Some(i64::MAX as i128));
        assert_eq!(parse_back(&cap(i64::MIN)), Some(i64::MIN as i128));
    }

    /// Reads capital numerals back into fen, so the property test can check that
    /// nothing was lost or invented.
    fn parse_back(s: &str) -> Option<i128> {
        let (neg, s) = match s.strip_prefix('负') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let s = s.strip_suffix('整').unwrap_or(s);
        let (yuan_text, frac) = match s.split_once('元') {
            Some((y, f)) => (y, f),
            None => ("", s),
        };
        let mut fen = parse_integer(yuan_text)? * 100;
        let mut rest = frac.trim_start_matches('零');
        if let Some((j, after)) = rest.split_once('角') {
            fen += digit(j)? * 10;
            rest = after;
        }
        if let Some((f, after)) = rest.split_once('分') {
            fen += digit(f)?;
            rest = after;
        }
        if !rest.is_empty() {
            return None;
        }
        Some(if neg { -fen } else { fen })
    }

    fn parse_integer(s: &str) -> Option<i128> {
        if let Some((high, low)) = s.rsplit_once('亿') {
            return Some(parse_integer(high)? * 1_0000_0000 + parse_integer(low)?);
        }
        if let Some((high, low)) = s.rsplit_once('万') {
            return Some(parse_integer(high)? * 1_0000 + parse_integer(low)?);
        }
        let mut total = 0;
        let mut current = 0;
        for ch in s.chars() {
            match ch {
                '零' => {}
                '拾' | '佰' | '仟' => {
                    let place = match ch {
                        '拾' => 10,
                        '佰' => 100,
                        _ => 1000,
                    };
                    total += current * place;
                    current = 0;
                }
                _ => current = digit(&ch.to_string())?,
            }
        }
        Some(total + current)
    }

    fn digit(s: &str) -> Option<i128> {
        let mut chars = s.chars();
        let ch = chars.next()?;
        if chars.next().is_some() {
            return None;
        }
        DIGITS.iter().position(|d| *d == ch).map(|p| p as i128)
    }

    proptest! {
        #[test]
        fn reads_back_to_the_same_amount(fen in any::<i64>()) {
            prop_assert_eq!(parse_back(&cap(fen)), Some(fen as i128));
        }

        #[test]
        fn zeros_are_never_doubled_or_dangling(fen in 1i64..i64::MAX) {
            let s = cap(fen);
            prop_assert!(!s.contains("零零"), "{}", s);
            prop_assert!(!s.ends_with('零'), "{}", s);
            prop_assert!(!s.starts_with('零'), "{}", s);
            for unit in ["零元", "零万", "零亿", "零整", "零角"] {
                prop_assert!(!s.contains(unit), "{} contains {}", s, unit);
            }
            prop_assert!(s.ends_with('整') || s.ends_with('分'), "{}", s);
        }

        #[test]
        fn small_amounts_read_back(fen in 0i64..10_000_000_00i64) {
            prop_assert_eq!(parse_back(&cap(fen)), Some(fen as i128));
        }
    }
}
