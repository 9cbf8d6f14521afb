//! Building and running the service: connect, migrate, bind, serve.

use crate::config::Config;
use crate::http::{self, AppState};
use crate::store::Db;
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
    #[error(transparent)]
    Library(#[from] crate::library::LibraryError),
    #[error(transparent)]
    Service(#[from] crate::services::ServiceError),
}

/// A bound, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    pub db: Db,
    /// What the background jobs and the CLI build their service context from.
    services: crate::services::Services,
    /// The background jobs' health, shown by `/readyz` and `/metrics`.
    health: crate::runtime::Health,
}

/// Start-up options that are not configuration.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// HTTP worker threads; `None` = one per core.
    pub workers: Option<usize>,
    /// Where now and the business date come from (the system clock unless a test fixes it).
    pub clock: crate::clock::Clock,
}

impl Application {
    /// Connect and migrate, load the clause library (stopping on any bad file),
    /// and bind. Port 0 picks a free port (tests).
    pub async fn build(config: Config, opts: StartOptions) -> Result<Application, StartError> {
        crate::domain::money::set_entry_bound(config.security.max_amount);
        let library = Arc::new(crate::library::load(&config.clauses_dir)?);
        let db = Db::connect(&config.database_url, config.max_connections).await?;
        db.migrate().await?;
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| StartError::Bind(config.bind.clone(), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| StartError::Bind(config.bind.clone(), e))?
            .port();
        let kit = crate::services::certificates::DocumentKit::load(&config, &db).await?;
        let verify_limiter =
            http::ratelimit::RateLimiter::new(config.certificates.verify_per_minute, 10_000);
        let health = crate::runtime::Health::default();
        let state = web::Data::new(AppState {
            services: crate::services::Services {
                db: db.clone(),
                library,
                config,
                kit,
                clock: opts.clock,
            },
            metrics: Default::default(),
            verify_limiter,
            jobs: health.clone(),
        });
        // The same pieces the requests use, for the jobs and the CLI.
        let services = state.services();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(from_fn(http::pages::localise_errors))
                .wrap(from_fn(http::problem::localise))
                .wrap(from_fn(http::security_headers::apply))
                .wrap(from_fn(http::metrics::record))
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "same-origin")),
                )
                .wrap(tracing_actix_web::TracingLogger::default())
                .configure(http::routes)
        })
        .listen(listener)
        .map_err(|e| StartError::Bind("listener".into(), e))?
        // `serve` handles SIGTERM/SIGINT itself: stop accepting, finish the requests in
        // flight, then stop the background jobs (see `cli::serve`).
        .disable_signals();
        if let Some(n) = opts.workers {
            server = server.workers(n);
        }
        Ok(Application {
            port,
            server: server.run(),
            db,
            services,
            health,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The database, library, settings, document kit and clock this server was built
    /// with, for the background jobs (and tests that run a job pass by hand).
    pub fn services(&self) -> crate::services::Services {
        self.services.clone()
    }

    pub fn health(&self) -> crate::runtime::Health {
        self.health.clone()
    }

    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}
