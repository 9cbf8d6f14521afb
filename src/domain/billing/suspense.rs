//! Suspense (挂账): bank credits nobody could place yet. Suggested matches are ranked
//! from what finance itself would look at — a policy number or an invoice number in
//! the reference, the payer's name against the maker's, and an amount equal to what the
//! policy still owes — and a split must place exactly the line's open amount.

use crate::domain::money::Money;
use serde::Serialize;

/// What is known about one candidate policy for one bank line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub policy_id: i64,
    pub policy_number: String,
    pub maker_name: String,
    /// The policy's number is written in the line's reference.
    pub number_in_reference: bool,
    /// An invoice of this policy whose number is written in the reference.
    pub invoice_in_reference: Option<String>,
    /// The line's payer is the policy's maker (names compared loosely, see [`same_name`]).
    pub payer_is_maker: bool,
    /// What the policy still owes.
    pub balance: Money,
    /// Outstanding amounts of its open installments.
    pub open_installments: Vec<Money>,
}

/// Why a policy is suggested, for the page (both languages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    PolicyNumber,
    InvoiceNumber,
    PayerIsMaker,
    AmountIsBalance,
    AmountIsInstallment,
}

impl Evidence {
    /// How much this evidence weighs: a number written by the payer beats a name, and a
    /// name beats a coincidence of amounts.
    pub fn weight(self) -> u32 {
        match self {
            Evidence::PolicyNumber => 100,
            Evidence::InvoiceNumber => 80,
            Evidence::PayerIsMaker => 40,
            Evidence::AmountIsBalance => 35,
            Evidence::AmountIsInstallment => 30,
        }
    }

    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Evidence::PolicyNumber, true) => "附言含保单号",
            (Evidence::PolicyNumber, false) => "policy number in the reference",
            (Evidence::InvoiceNumber, true) => "附言含发票号",
            (Evidence::InvoiceNumber, false) => "invoice number in the reference",
            (Evidence::PayerIsMaker, true) => "付款人即投保人",
            (Evidence::PayerIsMaker, false) => "payer is the policyholder",
            (Evidence::AmountIsBalance, true) => "金额等于未缴余额",
            (Evidence::AmountIsBalance, false) => "amount equals the balance",
            (Evidence::AmountIsInstallment, true) => "金额等于一期应缴",
            (Evidence::AmountIsInstallment, false) => "amount equals an open installment",
        }
    }
}

/// A ranked suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub policy_id: i64,
    pub policy_number: String,
    pub maker_name: String,
    pub score: u32,
    pub evidence: Vec<Evidence>,
    #[schema(value_type = String)]
    pub balance: Money,
}

/// Names compared without spaces, with full-width brackets as half-width and case
/// ignored: 浙江精工（集团）有限公司 and 浙江精工(集团)有限公司 are one payer.
pub fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '（' => '(',
                '）' => ')',
                c => c,
            })
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// The evidence for one candidate and a line of `amount`.
pub fn evidence(c: &Candidate, amount: Money) -> Vec<Evidence> {
    let mut out = Vec::new();
    if c.number_in_reference {
        out.push(Evidence::PolicyNumber);
    }
    if c.invoice_in_reference.is_some() {
        out.push(Evidence::InvoiceNumber);
    }
    if c.payer_is_maker {
        out.push(Evidence::PayerIsMaker);
    }
    if c.balance > Money::ZERO && c.balance == amount {
        out.push(Evidence::AmountIsBalance);
    } else if c.open_installments.contains(&amount) {
        out.push(Evidence::AmountIsInstallment);
    }
    out
}

/// What may be an invoice number (发票号码) written in a payment reference, for an exact
/// look-up: every run of ASCII letters, digits, `-`, `_` and `/` (full-width forms read
/// as half-width), its letter-and-digit pieces and their digit runs, four characters or
/// more, each also in upper case. "发票33001122款", "INV-33001122" and "发票号：33001122、
/// 33001123" all name 33001122. A number run into other letters or digits ("INV33001122")
/// is found by its digit run; one inside a longer digit run is not.
pub fn invoice_numbers_in(reference: &str) -> Vec<String> {
    let text: String = reference
        .chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        })
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        if s.chars().count() >= 4 {
            for v in [s.to_string(), s.to_uppercase()] {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
    };
    let runs = text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/')));
    for run in runs {
        add(run);
        for piece in run.split(|c: char| !c.is_ascii_alphanumeric()) {
            add(piece);
            for digits in piece.split(|c: char| !c.is_ascii_digit()) {
                add(digits);
            }
        }
    }
    out
}

/// Candidates with any evidence, best first (ties: the older policy first); at most
/// `limit`.
pub fn rank(candidates: &[Candidate], amount: Money, limit: usize) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = candidates
        .iter()
        .filter_map(|c| {
            let evidence = evidence(c, amount);
            let score = evidence.iter().map(|e| e.weight()).sum::<u32>();
            (score > 0).then(|| Suggestion {
                policy_id: c.policy_id,
                policy_number: c.policy_number.clone(),
                maker_name: c.maker_name.clone(),
                score,
                evidence,
                balance: c.balance,
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.policy_id.cmp(&b.policy_id)));
    out.dedup_by_key(|s| s.policy_id);
    out.truncate(limit);
    out
}

/// Why a split cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    Empty,
    NotPositive(usize),
    RepeatedPolicy(i64),
    /// The parts add up to `parts`, the line has `open` still to place.
    Sum {
        parts: Money,
        open: Money,
    },
}

/// A split places exactly the open amount, in positive parts, one per policy.
pub fn check_split(parts: &[(i64, Money)], open: Money) -> Result<(), SplitError> {
    if parts.is_empty() {
        return Err(SplitError::Empty);
    }
    let mut seen = Vec::new();
    let mut sum = Money::ZERO;
    for (i, (policy, amount)) in parts.iter().enumerate() {
        if *amount <= Money::ZERO {
            return Err(SplitError::NotPositive(i));
        }
        if seen.contains(policy) {
            return Err(SplitError::RepeatedPolicy(*policy));
        }
        seen.push(*policy);
        sum = sum.checked_add(*amount).ok_or(SplitError::Sum {
            parts: Money::ZERO,
            open,
        })?;
    }
    if sum != open {
        return Err(SplitError::Sum { parts: sum, open });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: i64) -> Candidate {
        Candidate {
            policy_id: id,
            policy_number: format!("FC-2026-{id:06}"),
            maker_name: "甲".into(),
            number_in_reference: false,
            invoice_in_reference: None,
            payer_is_maker: false,
            balance: Money::from_yuan(1000),
            open_installments: vec![Money::from_yuan(400), Money::from_yuan(600)],
        }
    }

    #[test]
    fn a_number_in_the_reference_beats_a_name_which_beats_an_amount() {
        let amount = Money::from_yuan(400);
        let by_amount = cand(1);
        let by_name = Candidate {
            payer_is_maker: true,
            ..cand(2)
        };
        let by_invoice = Candidate {
            invoice_in_reference: Some("INV-0001".into()),
            ..cand(3)
        };
        let by_number = Candidate {
            number_in_reference: true,
            open_installments: vec![],
            ..cand(4)
        };
        let nothing = Candidate {
            open_installments: vec![],
            ..cand(5)
        };
        let ranked = rank(
            &[nothing, by_amount, by_name, by_invoice, by_number],
            amount,
            10,
        );
        let order: Vec<(i64, u32)> = ranked.iter().map(|s| (s.policy_id, s.score)).collect();
        assert_eq!(order, vec![(3, 110), (4, 100), (2, 70), (1, 30)]);
        assert_eq!(
            ranked[0].evidence,
            vec![Evidence::InvoiceNumber, Evidence::AmountIsInstallment]
        );
        assert!(
            ranked.iter().all(|s| s.policy_id != 5),
            "no evidence, no suggestion"
        );
    }

    #[test]
    fn the_whole_balance_counts_more_than_one_installment() {
        let c = cand(1);
        assert_eq!(
            evidence(&c, Money::from_yuan(1000)),
            vec![Evidence::AmountIsBalance]
        );
        assert_eq!(
            evidence(&c, Money::from_yuan(600)),
            vec![Evidence::AmountIsInstallment]
        );
        assert!(evidence(&c, Money::from_yuan(999)).is_empty());
    }

    #[test]
    fn invoice_numbers_are_read_from_the_reference_for_an_exact_look_up() {
        let found = invoice_numbers_in("发票33001122款");
        assert_eq!(found, vec!["33001122"]);
        let found = invoice_numbers_in("inv-33001122，发票号：３３００１１２３、FC-2025-7");
        for n in [
            "inv-33001122",
            "INV-33001122",
            "33001122",
            "33001123",
            "FC-2025-7",
            "2025",
        ] {
            assert!(found.contains(&n.to_string()), "{n}: {found:?}");
        }
        assert!(
            !found.contains(&"inv".to_string()),
            "shorter than four: {found:?}"
        );
        assert!(invoice_numbers_in("INV33001122").contains(&"33001122".to_string()));
        assert!(invoice_numbers_in("保费 两张保单").is_empty());
    }

    #[test]
    fn payer_names_match_across_bracket_widths_and_spaces() {
        assert!(same_name(
            "浙江精工（集团）有限公司",
            "浙江精工(集团) 有限公司"
        ));
        assert!(!same_name("浙江精工有限公司", "浙江精工机械有限公司"));
        assert!(!same_name("", ""));
    }

    #[test]
    fn a_split_places_exactly_the_open_amount_once_per_policy() {
        let open = Money::from_yuan(1000);
        let y = Money::from_yuan;
        assert_eq!(check_split(&[(1, y(400)), (2, y(600))], open), Ok(()));
        assert_eq!(
            check_split(&[(1, y(400)), (2, y(500))], open),
            Err(SplitError::Sum {
                parts: y(900),
                open
            })
        );
        assert_eq!(
            check_split(&[(1, y(400)), (1, y(600))], open),
            Err(SplitError::RepeatedPolicy(1))
        );
        assert_eq!(
            check_split(&[(1, y(1000)), (2, Money::ZERO)], open),
            Err(SplitError::NotPositive(1))
        );
        assert_eq!(check_split(&[], open), Err(SplitError::Empty));
    }
}
