//! A policy as a claim sees it: its sections with their limits and deductibles, the
//! insured units and what is left of each limit.

use crate::domain::claims::PolicySection;
use crate::domain::clauses::{ClauseSet, Section};
use crate::domain::money::Money;
use crate::domain::policy_state::PolicyState;
use crate::domain::terms::{QuoteInput, SectionChoice};
use crate::library::Library;
use crate::services::{ServiceError, ServiceResult};
use crate::store::claim_money::{self, section_scope, AGGREGATE};
use crate::store::policies::{self, PolicyRow};
use crate::store::Tx;

pub struct PolicyTerms<'a> {
    pub row: PolicyRow,
    pub set: &'a ClauseSet,
    /// (scope, limit, used) as stored; a missing row means nothing used yet.
    pub usage: Vec<(String, i64, i64)>,
}

impl<'a> PolicyTerms<'a> {
    pub async fn load(
        tx: &mut Tx,
        library: &'a Library,
        policy_id: i64,
    ) -> ServiceResult<PolicyTerms<'a>> {
        let row = policies::get(tx, policy_id)
            .await?
            .ok_or(ServiceError::NotFound("policy"))?;
        let set = library
            .clause_set(&row.clause_set_id, &row.clause_set_version)
            .ok_or_else(|| {
                ServiceError::Internal("the policy's clause set is not loaded".into())
            })?;
        let usage = claim_money::usage(tx, policy_id)
            .await?
            .into_iter()
            .map(|u| (u.scope, u.limit_amount.fen(), u.used.fen()))
            .collect();
        Ok(PolicyTerms { row, set, usage })
    }

    pub fn state(&self) -> PolicyState {
        self.row.state()
    }

    /// The policy's terms (投保要素), as its row holds them.
    pub fn terms(&self) -> &QuoteInput {
        &self.row.terms_json.0
    }

    fn used(&self, scope: &str) -> Money {
        Money::from_fen(
            self.usage
                .iter()
                .find(|(s, _, _)| s == scope)
                .map(|(_, _, used)| *used)
                .unwrap_or(0),
        )
    }

    pub fn aggregate_limit(&self) -> Money {
        self.row.aggregate_limit
    }

    pub fn aggregate_used(&self) -> Money {
        self.used(AGGREGATE)
    }

    pub fn aggregate_left(&self) -> Money {
        self.aggregate_limit().remaining(self.aggregate_used())
    }

    /// The policy's sections with their clause-set definitions.
    pub fn chosen(&self) -> Vec<(&SectionChoice, &'a Section)> {
        self.terms()
            .sections
            .iter()
            .filter_map(|c| self.set.section(&c.code).map(|s| (c, s)))
            .collect()
    }

    pub fn choice(&self, code: &str) -> Option<(&SectionChoice, &'a Section)> {
        self.chosen().into_iter().find(|(c, _)| c.code == code)
    }

    pub fn sections(&self) -> Vec<PolicySection> {
        self.chosen()
            .into_iter()
            .map(|(c, s)| PolicySection {
                code: s.code.clone(),
                name_zh: s.name.zh.clone(),
                name_en: s.name.en.clone(),
                optional: s.optional,
                claim_types: s.claim_types.clone(),
                limit: c.limit,
                used: self.used(&section_scope(&s.code)),
            })
            .collect()
    }

    pub fn section_left(&self, code: &str) -> Option<Money> {
        let (c, _) = self.choice(code)?;
        c.limit
            .map(|l| l.remaining(self.used(&section_scope(code))))
    }

    pub fn insured_units(&self) -> Vec<String> {
        self.terms()
            .units
            .iter()
            .map(|u| u.serial.clone())
            .collect()
    }

    /// The deductible on `loss` under the section's chosen option (none if no option).
    pub fn deductible(&self, code: &str, loss: Money) -> Money {
        self.choice(code)
            .and_then(|(c, s)| {
                let opt = c.deductible.as_deref()?;
                s.deductible_options.iter().find(|d| d.code == opt)
            })
            .map(|d| d.deductible_for(loss))
            .unwrap_or(Money::ZERO)
    }

    /// Do recoveries restore this section's limit (clause-set data, default no)?
    pub fn recoveries_restore_limit(&self, code: &str) -> bool {
        self.set
            .section(code)
            .is_some_and(|s| s.recoveries_restore_limit)
    }

    /// Make sure the usage rows exist before any payment erodes them.
    pub async fn ensure_usage_rows(&self, tx: &mut Tx, section: Option<&str>) -> ServiceResult<()> {
        let id = self.row.policy_id;
        claim_money::ensure_limit(tx, id, AGGREGATE, self.row.aggregate_limit.fen()).await?;
        if let Some(code) = section {
            if let Some((c, _)) = self.choice(code) {
                if let Some(limit) = c.limit {
                    claim_money::ensure_limit(tx, id, &section_scope(code), limit.fen()).await?;
                }
            }
        }
        Ok(())
    }
}
