//! The service context (服务上下文): what every use case needs besides its input and
//! the actor — the database, the clause library, the settings, the clock and the
//! document kit. One value, built once per request from the application state (or by
//! the CLI and the background tasks), so no use case reaches for a global and a test
//! can hand in a fixed clock.
//!
//! This folder sits below every other service folder: `billing`, `underwriting`,
//! `annex3`, `certificates` and `claims` import it and it imports none of them (the
//! layering test in `tests/boundary.rs` keeps the service folders acyclic).

mod kit;
pub(crate) mod signing;

pub use kit::DocumentKit;
pub use signing::{verify as verify_signature, Signer};

use crate::clock::Clock;
use crate::config::Config;
use crate::library::Library;
use crate::services::{ServiceError, ServiceResult};
use crate::store::Db;
use std::sync::Arc;

/// 服务上下文. Cheap to copy: references and a clock value.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub db: &'a Db,
    pub library: &'a Library,
    pub config: &'a Config,
    /// Now and the Beijing business date of every transition.
    pub clock: Clock,
    /// Font, seal and signing key for the documents (certificates, schedules, 批单).
    pub kit: &'a DocumentKit,
}

/// The owned pieces a [`Ctx`] borrows (共享服务): what the background jobs, the CLI and
/// the tests hold where the HTTP state is not at hand. Cheap to clone (the library and
/// the kit are shared).
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub library: Arc<Library>,
    pub config: Config,
    pub kit: Arc<DocumentKit>,
    pub clock: Clock,
}

impl Services {
    /// Load the clause library the configuration names and the document kit (font, seal,
    /// signing key) for an open database.
    pub async fn open(db: Db, config: Config, clock: Clock) -> ServiceResult<Services> {
        let library = crate::library::load(&config.clauses_dir)
            .map_err(|e| ServiceError::internal_from("load the clause library", e))?;
        let kit = DocumentKit::load(&config, &db).await?;
        Ok(Services {
            db,
            library: Arc::new(library),
            config,
            kit,
            clock,
        })
    }

    /// The context a use case takes.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            db: &self.db,
            library: &self.library,
            config: &self.config,
            clock: self.clock,
            kit: &self.kit,
        }
    }
}
