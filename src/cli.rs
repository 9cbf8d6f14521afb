//! The command line: `serve`, `migrate`, `user add`, `token create`, `audit verify`,
//! `policies advance`, `deliver`, `backtest triangle|run|schedule|summary`.

use crate::app::{Application, StartOptions};
use crate::clock::Clock;
use crate::config::{Config, Overrides};
use crate::domain::role::Role;
use crate::services::audit::ChainReport;
use crate::services::{self, Actor, Ctx, Services};
use crate::store::Db;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "firstcover",
    version,
    about = "首台(套)/首批次保险补偿业务系统 — the insurer's system"
)]
pub struct Cli {
    /// Configuration file (default: ./firstcover.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://… (overrides FIRSTCOVER_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web service (creates and migrates the database; first run creates `admin`).
    Serve {
        /// Address to listen on (overrides FIRSTCOVER_BIND).
        #[arg(long)]
        bind: Option<String>,
        /// Load a small demo data set (makers, users, catalogue) when the database is empty.
        #[arg(long)]
        demo: bool,
        /// HTTP worker threads (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Policy housekeeping.
    Policies {
        #[command(subcommand)]
        command: PoliciesCommand,
    },
    /// Send what the outbox holds that is due now, once, and exit.
    Deliver,
    /// Rate backtesting (费率回溯).
    Backtest {
        #[command(subcommand)]
        command: BacktestCommand,
    },
    /// Premium collection housekeeping (保费收取).
    Billing {
        #[command(subcommand)]
        command: BillingCommand,
    },
}

#[derive(Debug, Subcommand)]
enum BillingCommand {
    /// Queue the premium reminders due on a day (before due and overdue, `[billing]`
    /// settings), each installment and stage once ever; `serve` does this by itself.
    Remind {
        /// Business day (default: today in Beijing).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
enum BacktestCommand {
    /// Fit chain ladder and Mack to a long-format triangle CSV
    /// (`origin,development,cumulative` or `origin,development,incremental`).
    Triangle {
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// A known tail factor applied after the last development period.
        #[arg(long)]
        tail: Option<f64>,
    },
    /// Build the backtest report from the database as of a date: stored (and audited),
    /// and written as report.xml (validated against the XSD), report.html and report.pdf
    /// into --out when given.
    Run {
        #[arg(long)]
        as_of: chrono::NaiveDate,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "underwriting-year")]
        basis: BasisArg,
        /// Do not store the report; only write the files.
        #[arg(long)]
        no_store: bool,
    },
    /// The summaries the data step reads (kept by the database on every write).
    Summary {
        #[command(subcommand)]
        command: SummaryCommand,
    },
    /// Produce, store and queue the scheduled quarterly report if due and not yet stored.
    Schedule {
        /// Pretend today is this date (default: today in Beijing).
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
enum SummaryCommand {
    /// Fold the delta rows into one row per key (the service does this on each poll).
    Compact,
    /// Compare with a full recomputation from policies and claims; exit 1 if they differ.
    Verify,
    /// Replace by the full recomputation (repair; audited).
    Rebuild,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum BasisArg {
    UnderwritingYear,
    AccidentYear,
}

impl From<BasisArg> for crate::store::backtest::Basis {
    fn from(b: BasisArg) -> Self {
        match b {
            BasisArg::UnderwritingYear => crate::store::backtest::Basis::UnderwritingYear,
            BasisArg::AccidentYear => crate::store::backtest::Basis::AccidentYear,
        }
    }
}

#[derive(Debug, Subcommand)]
enum PoliciesCommand {
    /// Bring issued policies into force and expire ended ones as of a day
    /// (the service does this by itself every ten minutes).
    Advance {
        /// Business day (default: today in Beijing).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; the password comes from FIRSTCOVER_NEW_PASSWORD or is generated and printed.
    Add {
        username: String,
        #[arg(long)]
        role: Role,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "")]
        email: String,
        /// For clients: the maker's unified social credit code.
        #[arg(long)]
        maker: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a bearer token for a user; printed once, stored hashed.
    Create {
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Revoke a token by its id.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exit 1 if any row was altered or deleted.
    Verify,
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Pure computation: needs neither configuration nor a database.
    if let Command::Backtest {
        command:
            BacktestCommand::Triangle {
                input,
                format,
                tail,
            },
    } = &cli.command
    {
        return backtest_triangle(input, *format, *tail);
    }
    let bind = match &cli.command {
        Command::Serve { bind, .. } => bind.clone(),
        _ => None,
    };
    let config = Config::load(&Overrides {
        config_file: cli.config.clone(),
        database_url: cli.database_url.clone(),
        bind,
    })?;
    // One connection for every command that works on the records (`serve` and `migrate`
    // open their own).
    let shared = match cli.command {
        Command::Serve { .. } | Command::Migrate => None,
        _ => Some(
            Services::open(connect(&config).await?, config.clone(), Clock::System)
                .await
                .map_err(describe)?,
        ),
    };
    // Commands that change records leave audit entries in the journal; chain them before
    // exiting, as the running service's sealer would.
    let writes = !matches!(
        cli.command,
        Command::Serve { .. } | Command::Migrate | Command::Audit { .. }
    );
    let code = match cli.command {
        Command::Serve { demo, workers, .. } => serve(config.clone(), demo, workers).await,
        Command::Policies {
            command: PoliciesCommand::Advance { as_of },
        } => {
            let ctx = opened(&shared)?;
            let day = as_of.unwrap_or_else(|| Clock::System.today());
            let r = services::underwriting::clock::advance(&ctx, day)
                .await
                .map_err(describe)?;
            println!(
                "{day}: {} came into force, {} expired",
                r.took_effect.len(),
                r.expired.len()
            );
            for n in &r.took_effect {
                println!("  in force  {n}");
            }
            for n in &r.expired {
                println!("  expired   {n}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Billing {
            command: BillingCommand::Remind { as_of },
        } => {
            let ctx = opened(&shared)?;
            let day = as_of.unwrap_or_else(|| Clock::System.today());
            let r = services::billing::send_reminders(&ctx, day)
                .await
                .map_err(describe)?;
            println!(
                "{day}: {} reminders queued, {} already sent, {} makers without a contact e-mail",
                r.queued, r.already_sent, r.no_contact
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Deliver => {
            let ctx = opened(&shared)?;
            let r = crate::outbox_worker::run_once(ctx.db, &config)
                .await
                .map_err(describe)?;
            println!(
                "delivered {}, to retry {}, dead letters {}",
                r.delivered, r.retrying, r.dead
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let db = Db::open_existing(&config.database_url, 2).await?;
            eprintln!("database: {}", describe_database(&config.database_url));
            db.migrate().await?;
            println!("migrations applied ({})", db.backend());
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    name,
                    email,
                    maker,
                },
        } => {
            let ctx = opened(&shared)?;
            let maker_id = match maker {
                Some(code) => {
                    let mut tx = ctx.db.read().await?;
                    let code = code.trim().to_ascii_uppercase();
                    let found = crate::store::parties::by_credit_code(&mut tx, &code).await?;
                    Some(
                        found
                            .ok_or_else(|| anyhow::anyhow!("no maker with credit code {code}"))?
                            .party_id,
                    )
                }
                None => None,
            };
            let (password, generated) = match std::env::var("FIRSTCOVER_NEW_PASSWORD") {
                Ok(p) => (p, false),
                Err(_) => (
                    services::auth::random_token()?.chars().take(20).collect(),
                    true,
                ),
            };
            let input = services::users::NewUserInput {
                display_name: name.unwrap_or_else(|| username.clone()),
                username,
                email,
                password: password.clone(),
                role,
                maker_id,
            };
            let user = services::users::create(&ctx, &Actor::system(), input)
                .await
                .map_err(describe)?;
            println!(
                "user {} ({}) created, id {}",
                user.username, user.role, user.user_id
            );
            if generated {
                println!("password (shown once): {password}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command: TokenCommand::Create { username, name },
        } => {
            let ctx = opened(&shared)?;
            let (id, secret) =
                services::users::create_token(&ctx, &Actor::system(), &username, &name)
                    .await
                    .map_err(describe)?;
            println!("token {id} for {username} (shown once; send as 'Authorization: Bearer …'):\n{secret}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command: TokenCommand::Revoke { id },
        } => {
            let ctx = opened(&shared)?;
            services::users::revoke_token(&ctx, &Actor::system(), id)
                .await
                .map_err(describe)?;
            println!("token {id} revoked");
            Ok(ExitCode::SUCCESS)
        }
        Command::Backtest {
            command:
                BacktestCommand::Run {
                    as_of,
                    out,
                    basis,
                    no_store,
                },
        } => {
            let ctx = opened(&shared)?;
            backtest_run(&ctx, as_of, out, basis.into(), no_store).await
        }
        Command::Backtest {
            command: BacktestCommand::Schedule { today },
        } => {
            let ctx = opened(&shared)?;
            let today = today.unwrap_or_else(|| Clock::System.today());
            match services::backtest::schedule::run_due(&ctx, today)
                .await
                .map_err(describe)?
            {
                Some(id) => println!("backtest report {id} produced and queued for delivery"),
                None => println!("no backtest report due (or already stored)"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backtest {
            command: BacktestCommand::Summary { command },
        } => {
            let ctx = opened(&shared)?;
            backtest_summary(&ctx, command).await
        }
        Command::Backtest { .. } => Ok(ExitCode::SUCCESS),
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let ctx = opened(&shared)?;
            match services::audit::verify(&ctx).await.map_err(describe)? {
                ChainReport::Intact {
                    rows,
                    last_hash,
                    waiting,
                } => {
                    println!("audit chain intact: {rows} rows, last hash {last_hash}");
                    if waiting > 0 {
                        println!("{waiting} entries committed during the check wait to be sealed");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                ChainReport::Broken { at_seq, reason } => {
                    eprintln!("audit chain BROKEN at row {at_seq}: {reason}");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }?;
    if let (true, Some(shared)) = (writes, &shared) {
        services::audit::seal(&shared.ctx())
            .await
            .map_err(describe)?;
    }
    Ok(code)
}

fn opened(shared: &Option<Services>) -> anyhow::Result<Ctx<'_>> {
    shared
        .as_ref()
        .map(Services::ctx)
        .ok_or_else(|| anyhow::anyhow!("this command has no database connection"))
}

fn describe(e: services::ServiceError) -> anyhow::Error {
    match e {
        services::ServiceError::Validation(fields) => anyhow::anyhow!(
            "invalid input: {}",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.text.en))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!(other),
    }
}

/// Open the configured database, which must exist (only `serve` creates one), and say on
/// stderr which one it is, so a command pointed at the wrong place is seen to be.
async fn connect(config: &Config) -> anyhow::Result<Db> {
    let db = Db::open_existing(&config.database_url, 2).await?;
    eprintln!("database: {}", describe_database(&config.database_url));
    db.migrate().await?;
    Ok(db)
}

/// The database URL without any password.
fn describe_database(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

async fn serve(config: Config, demo: bool, workers: Option<usize>) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    // Listen for SIGTERM before any job starts, so a stop sent during start-up is a
    // graceful stop too, not the default action (killed).
    let stop_signal = shutdown_signal()?;
    let bind = config.bind.clone();
    let backend = if config.database_url.starts_with("sqlite") {
        &config.database_url
    } else {
        "postgres"
    };
    tracing::info!(database = backend, "starting");
    let app = Application::build(
        config,
        StartOptions {
            workers,
            ..StartOptions::default()
        },
    )
    .await?;
    // Outbox delivery, audit sealing, the policy clock, backtest summary folding and the
    // quarterly schedule and the premium reminders: supervised, on this runtime
    // (`runtime.rs`).
    let shared = app.services();
    let jobs = crate::runtime::Jobs::start(crate::runtime::JobContext {
        services: shared.clone(),
        health: app.health(),
    });
    let admin_password = std::env::var("FIRSTCOVER_ADMIN_PASSWORD").ok();
    if let Some(pw) = services::users::bootstrap_admin(&shared.ctx(), admin_password)
        .await
        .map_err(describe)?
    {
        println!("created first administrator 'admin' — one-time password: {pw}");
    }
    if demo
        && services::demo::load(&shared.ctx())
            .await
            .map_err(describe)?
    {
        println!("demo data loaded; demo users (uw.li, uw.chen, fin.wang, claims.zhao, claims.sun, act.zhou, audit.wu, client.zhongheng) have password {}", services::demo::DEMO_PASSWORD);
    }
    println!(
        "firstcover listening on http://{bind} (ready in {} ms)",
        started.elapsed().as_millis()
    );
    let handle = app.handle();
    let mut server = tokio::spawn(app.run_until_stopped());
    let stopped_by = tokio::select! {
        signal = stop_signal => Some(signal?),
        ended = &mut server => { ended??; None }
    };
    if let Some(signal) = stopped_by {
        tracing::info!(
            signal,
            "stopping: no new connections, finishing requests in flight"
        );
        // Graceful: the listener closes at once, requests in flight get up to 30 s.
        handle.stop(true).await;
        server.await??;
    }
    // Deliveries being sent finish and are recorded; the sealer chains what is left.
    jobs.shutdown(std::time::Duration::from_secs(60)).await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// SIGTERM (what service managers and `docker stop` send) or Ctrl-C. The handlers are
/// installed when this is called; the returned future resolves on the first signal.
fn shutdown_signal(
) -> std::io::Result<impl std::future::Future<Output = std::io::Result<&'static str>>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => Ok("SIGTERM"),
                _ = int.recv() => Ok("SIGINT"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async { tokio::signal::ctrl_c().await.map(|_| "Ctrl-C") })
    }
}

async fn backtest_run(
    ctx: &Ctx<'_>,
    as_of: chrono::NaiveDate,
    out: Option<PathBuf>,
    basis: crate::store::backtest::Basis,
    no_store: bool,
) -> anyhow::Result<ExitCode> {
    use services::backtest;
    // Before the report is stored: a run whose files cannot be written stores nothing.
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    }
    let rendered = if no_store {
        backtest::produce(ctx, as_of, basis, None)
            .await
            .map_err(describe)?
    } else {
        let (id, r) = backtest::generate(ctx, &Actor::system(), as_of, basis, None)
            .await
            .map_err(describe)?;
        println!("backtest report {id} stored");
        r
    };
    if let Some(dir) = out {
        for (name, bytes) in [
            ("report.xml", rendered.xml.as_bytes()),
            ("report.html", rendered.html.as_bytes()),
            ("report.pdf", rendered.pdf.as_slice()),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, bytes)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        }
        println!(
            "wrote report.xml, report.html, report.pdf to {}",
            dir.display()
        );
    }
    if let Some(t) = rendered.report.total() {
        println!(
            "origins {:?}: earned {}, incurred {}, ultimate {}",
            rendered.report.origin_years,
            t.totals.earned,
            t.totals.incurred,
            t.totals
                .ultimate
                .map(|u| u.to_string())
                .unwrap_or("—".into())
        );
        if let Some(i) = &t.indication {
            println!("{}", i.conclusion_en);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn backtest_summary(ctx: &Ctx<'_>, command: SummaryCommand) -> anyhow::Result<ExitCode> {
    use services::backtest::summary;
    match command {
        SummaryCommand::Compact => {
            let c = summary::compact(ctx).await.map_err(describe)?;
            println!(
                "premium summary {} → {} rows, loss summary {} → {} rows",
                c.premium_before, c.premium_after, c.loss_before, c.loss_after
            );
        }
        SummaryCommand::Verify => {
            let d = summary::verify(ctx).await.map_err(describe)?;
            if !d.is_none() {
                eprintln!(
                    "backtest summaries differ from policies and claims: {} premium keys, {} loss \
                     keys (repair with `firstcover backtest summary rebuild`)",
                    d.premium_keys, d.loss_keys
                );
                return Ok(ExitCode::from(1));
            }
            println!("backtest summaries equal the full recomputation");
        }
        SummaryCommand::Rebuild => {
            let d = summary::rebuild(ctx, &Actor::system())
                .await
                .map_err(describe)?;
            println!(
                "backtest summaries rebuilt ({} premium keys and {} loss keys differed)",
                d.premium_keys, d.loss_keys
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn backtest_triangle(
    input: &std::path::Path,
    format: OutputFormat,
    tail: Option<f64>,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(input)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", input.display()))?;
    let report = crate::domain::backtest::analyse_csv(&text, tail)
        .map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
    match format {
        OutputFormat::Text => print!("{}", report.to_text()),
        OutputFormat::Json => println!("{}", report.to_json()?),
    }
    Ok(ExitCode::SUCCESS)
}
