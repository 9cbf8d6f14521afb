//! firstcover — the insurer's system for first-set equipment (首台(套)) and first-batch
//! new-materials (首批次) insurance compensation.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod documents;
pub mod domain;
pub mod http;
pub mod library;
pub mod memory;
pub mod outbox_worker;
pub mod paging;
pub mod runtime;
pub mod services;
#[cfg(test)]
mod source_files;
pub mod store;
pub mod tls;
