//! Claims (理赔): the cover check at notification, the claim lifecycle, the statutory
//! clocks of Insurance Law arts. 22–26 and the indemnity arithmetic. Pure functions.

pub mod batch;
pub mod clocks;
pub mod cover;
pub mod indemnity;
pub mod payment;
pub mod reserve_lines;
pub mod state;

pub use batch::{BankOutcome, BatchState};
pub use clocks::{clocks_for, Clock, ClockFacts, ClockKind, Urgency};
pub use cover::{check_cover, CoverCheck, CoverFacts, CoverReason, PolicySection};
pub use indemnity::{indemnity, Cap, Indemnity};
pub use payment::PaymentStatus;
pub use reserve_lines::CostType;
pub use state::{ClaimState, ClaimStateError, Outcome};
