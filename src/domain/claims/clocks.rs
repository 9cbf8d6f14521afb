//! The statutory clocks on a claim (《保险法》第二十二至二十六条, DOMAIN "Claims"):
//!
//! * art. 23 — decide within 30 days of complete proof;
//! * art. 23 — pay within 10 days of agreeing the amount;
//! * art. 25 — if the amount is still open 60 days after complete proof, pay the part
//!   that can be determined;
//! * art. 26 — the claimant's right lapses 2 years after knowing of the event.
//!
//! Days are calendar days (the law says 日, not 工作日). "Within 30 days of" day D is
//! due on D + 30. Two years from 29 February ends on 28 February.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

/// Which duty a clock measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// 核定（第二十三条，30 日）
    Decision,
    /// 赔付（第二十三条，达成协议后 10 日）
    Payment,
    /// 先行赔付可确定部分（第二十五条，60 日）
    DeterminablePart,
    /// 诉讼时效（第二十六条，2 年）
    Limitation,
}

impl ClockKind {
    pub fn zh(self) -> &'static str {
        match self {
            ClockKind::Decision => "核定时限（第二十三条，30日）",
            ClockKind::Payment => "赔付时限（第二十三条，协议后10日）",
            ClockKind::DeterminablePart => "先行赔付（第二十五条，60日）",
            ClockKind::Limitation => "索赔时效（第二十六条，2年）",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ClockKind::Decision => "Decision (art. 23, 30 days)",
            ClockKind::Payment => "Payment (art. 23, 10 days after agreement)",
            ClockKind::DeterminablePart => "Pay the determinable part (art. 25, 60 days)",
            ClockKind::Limitation => "Limitation (art. 26, 2 years)",
        }
    }

    /// The limitation period bounds the claimant, not the insurer: shown, but never
    /// counted as the insurer's overdue work.
    pub fn binds_insurer(self) -> bool {
        !matches!(self, ClockKind::Limitation)
    }
}

/// One running clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Clock {
    pub kind: ClockKind,
    pub started_on: NaiveDate,
    pub due_on: NaiveDate,
}

impl Clock {
    /// Days left until the due date (negative when overdue).
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.due_on - today).num_days()
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        today > self.due_on
    }
}

/// What the clocks depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockFacts {
    pub event_date: NaiveDate,
    /// When the claimant learnt of the event (知道保险事故发生之日); the event date if unknown.
    pub known_date: Option<NaiveDate>,
    /// 索赔材料齐全之日
    pub proof_complete_on: Option<NaiveDate>,
    /// The decision (accept, accept in part, reject) is final.
    pub decided: bool,
    /// 达成赔偿协议之日
    pub agreed_on: Option<NaiveDate>,
    /// Something has been paid on the claim.
    pub anything_paid: bool,
    /// Everything agreed is paid.
    pub fully_paid: bool,
    /// The claim is still being handled (not closed).
    pub open: bool,
}

/// `date` plus `years` calendar years; 29 February becomes 28 February.
pub fn add_years(date: NaiveDate, years: i32) -> NaiveDate {
    let y = date.year() + years;
    NaiveDate::from_ymd_opt(y, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, date.month(), date.day() - 1))
        .unwrap_or(date)
}

fn plus_days(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(Duration::days(days))
        .unwrap_or(NaiveDate::MAX)
}

/// The end of the claimant's limitation period (art. 26).
pub fn limitation_end(event_date: NaiveDate, known_date: Option<NaiveDate>) -> NaiveDate {
    add_years(known_date.unwrap_or(event_date), 2)
}

/// The clocks running on a claim now, in the order the law lists them.
pub fn clocks_for(f: &ClockFacts) -> Vec<Clock> {
    let mut out = Vec::new();
    if !f.open {
        return out;
    }
    if let Some(proof) = f.proof_complete_on {
        if !f.decided {
            out.push(Clock {
                kind: ClockKind::Decision,
                started_on: proof,
                due_on: plus_days(proof, 30),
            });
        }
        if f.agreed_on.is_none() && !f.anything_paid {
            out.push(Clock {
                kind: ClockKind::DeterminablePart,
                started_on: proof,
                due_on: plus_days(proof, 60),
            });
        }
    }
    if let Some(agreed) = f.agreed_on {
        if !f.fully_paid {
            out.push(Clock {
                kind: ClockKind::Payment,
                started_on: agreed,
                due_on: plus_days(agreed, 10),
            });
        }
    }
    let known = f.known_date.unwrap_or(f.event_date);
    out.push(Clock {
        kind: ClockKind::Limitation,
        started_on: known,
        due_on: limitation_end(f.event_date, f.known_date),
    });
    out
}

/// How urgent a claim is: its nearest clock that binds the insurer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Urgency {
    pub kind: ClockKind,
    pub due_on: NaiveDate,
    pub days_left: i64,
    pub overdue: bool,
}

impl Urgency {
    pub fn of(clocks: &[Clock], today: NaiveDate) -> Option<Urgency> {
        clocks
            .iter()
            .filter(|c| c.kind.binds_insurer())
            .min_by_key(|c| c.due_on)
            .map(|c| Urgency {
                kind: c.kind,
                due_on: c.due_on,
                days_left: c.days_left(today),
                overdue: c.is_overdue(today),
            })
    }

    /// Sort key for the work queue: overdue first (most overdue first), then the
    /// soonest due; claims with no running clock last.
    pub fn sort_key(u: Option<&Urgency>) -> (u8, NaiveDate) {
        match u {
            Some(u) if u.overdue => (0, u.due_on),
            Some(u) => (1, u.due_on),
            None => (2, NaiveDate::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn facts(proof: Option<NaiveDate>) -> ClockFacts {
        ClockFacts {
            event_date: d(2026, 1, 10),
            known_date: None,
            proof_complete_on: proof,
            decided: false,
            agreed_on: None,
            anything_paid: false,
            fully_paid: false,
            open: true,
        }
    }

    fn due(cs: &[Clock], kind: ClockKind) -> Option<NaiveDate> {
        cs.iter().find(|c| c.kind == kind).map(|c| c.due_on)
    }

    #[test]
    fn decision_is_due_thirty_days_after_complete_proof_across_a_month_end() {
        let cs = clocks_for(&facts(Some(d(2026, 1, 31))));
        assert_eq!(due(&cs, ClockKind::Decision), Some(d(2026, 3, 2)));
        assert_eq!(due(&cs, ClockKind::DeterminablePart), Some(d(2026, 4, 1)));
    }

    #[test]
    fn decision_clock_in_a_leap_year_counts_29_february() {
        let cs = clocks_for(&facts(Some(d(2028, 1, 31))));
        assert_eq!(due(&cs, ClockKind::Decision), Some(d(2028, 3, 1)));
        assert_eq!(due(&cs, ClockKind::DeterminablePart), Some(d(2028, 3, 31)));
    }

    #[test]
    fn payment_is_due_ten_days_after_agreement_across_the_year_end() {
        let mut f = facts(Some(d(2026, 12, 1)));
        f.decided = true;
        f.agreed_on = Some(d(2026, 12, 25));
        let cs = clocks_for(&f);
        assert_eq!(due(&cs, ClockKind::Payment), Some(d(2027, 1, 4)));
        assert_eq!(due(&cs, ClockKind::Decision), None);
        assert_eq!(due(&cs, ClockKind::DeterminablePart), None);
    }

    #[test]
    fn no_decision_clock_before_proof_is_complete() {
        let cs = clocks_for(&facts(None));
        assert_eq!(due(&cs, ClockKind::Decision), None);
        assert_eq!(due(&cs, ClockKind::Limitation), Some(d(2028, 1, 10)));
    }

    #[test]
    fn limitation_from_29_february_ends_on_28_february() {
        assert_eq!(limitation_end(d(2028, 2, 29), None), d(2030, 2, 28));
        assert_eq!(
            limitation_end(d(2026, 1, 1), Some(d(2026, 3, 31))),
            d(2028, 3, 31)
        );
    }

    #[test]
    fn a_closed_or_fully_paid_claim_has_no_running_clock() {
        let mut f = facts(Some(d(2026, 1, 1)));
        f.open = false;
        assert!(clocks_for(&f).is_empty());
        let mut f = facts(Some(d(2026, 1, 1)));
        f.decided = true;
        f.agreed_on = Some(d(2026, 1, 20));
        f.anything_paid = true;
        f.fully_paid = true;
        let cs = clocks_for(&f);
        assert_eq!(Urgency::of(&cs, d(2026, 6, 1)), None);
    }

    #[test]
    fn urgency_puts_overdue_first_then_soonest_and_ignores_limitation() {
        let today = d(2026, 3, 5);
        let overdue = Urgency::of(&clocks_for(&facts(Some(d(2026, 1, 31)))), today).unwrap();
        assert!(overdue.overdue);
        assert_eq!(overdue.days_left, -3);
        let soon = Urgency::of(&clocks_for(&facts(Some(d(2026, 3, 1)))), today).unwrap();
        assert!(!soon.overdue);
        assert_eq!(soon.days_left, 26);
        assert_eq!(Urgency::of(&clocks_for(&facts(None)), today), None);
        let mut keys = [
            Urgency::sort_key(None),
            Urgency::sort_key(Some(&soon)),
            Urgency::sort_key(Some(&overdue)),
        ];
        keys.sort();
        assert_eq!(keys[0], (0, d(2026, 3, 2)));
        assert_eq!(keys[1], (1, d(2026, 3, 31)));
    }
}
