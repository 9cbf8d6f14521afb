//! The clause library (条款库) as data: clause sets, rate filings and claim
//! document checklists, each read from a TOML file and checked for meaning.
//!
//! The wording is the project's own (see `clauses/README.md`); an insurer replaces
//! it with its filed text by adding a new clause-set version, never by editing code.

pub mod checklist;
pub mod date;
pub mod filing;
pub mod issue;
pub mod locate;
pub mod set;
pub mod text;

pub use checklist::{Checklist, ChecklistDocument, ClaimChecklists, ClaimType};
pub use filing::{ModifierRange, Modifiers, RateBand, RateFiling, SectionRate};
pub use issue::{DocumentKind, Issue, KeyPath};
pub use set::{
    ClauseItem, ClauseSet, ClauseVersion, DeductibleOption, DeductibleRule, LimitOption, LimitType,
    ProductLine, Section, SectionKind,
};
pub use text::Text;
