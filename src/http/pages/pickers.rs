//! Pickers (下拉选择) for page forms: the first parties of a kind by name, with the ones a
//! form has already chosen always among them, so that a re-shown form (or a name looked
//! up for display) never loses a party in a book with more than a picker lists.

use super::PageError;
use crate::http::AppState;
use crate::services::{parties, Actor, ServiceError};

/// How many parties (or catalogue items) a picker lists.
pub const OPTIONS: i64 = 500;

/// `(id, name)` options for a select.
pub type Options = Vec<(i64, String)>;

/// The first [`OPTIONS`] parties of `kind` (every kind for `None`) by name, and each of
/// `chosen` that is of that kind and not already listed, first. A chosen id that is gone
/// or of another kind is left out: the service refuses it on submit, saying why.
pub async fn parties(
    st: &AppState,
    actor: &Actor,
    kind: Option<&str>,
    chosen: &[i64],
) -> Result<Options, PageError> {
    let rows = parties::list(
        &st.ctx(),
        actor,
        parties::PartyListQuery::of_kind(kind, OPTIONS),
    )
    .await?
    .rows;
    let mut out: Options = rows.into_iter().map(|p| (p.party_id, p.name)).collect();
    for &id in chosen.iter().rev() {
        if out.iter().any(|(o, _)| *o == id) {
            continue;
        }
        match parties::get(&st.ctx(), actor, id).await {
            Ok((p, _)) if kind.is_none_or(|k| p.kind == k) => out.insert(0, (p.party_id, p.name)),
            Ok(_) | Err(ServiceError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// The id a form field holds, if it is one.
pub fn chosen(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}
