//! Supervised background work (后台任务): the one place that starts the jobs `serve`
//! runs beside the HTTP server — outbox delivery, the audit sealer, the policy clock,
//! backtest summary folding and the quarterly backtest schedule — on the main runtime.
//!
//! Each job is a loop of passes. A pass that returns an error is logged and counted; a
//! job whose task panics or ends is restarted after a pause that doubles up to a minute,
//! and its health says so. On shutdown every job is told to stop: a pass in progress
//! (an outbox delivery being sent) finishes, then the loop ends; `shutdown` waits for
//! all of them. Health of each job is shown by `/readyz` and `/metrics`.

use crate::config::Config;
use crate::services::Services;
use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Told to every job when the service stops; cheap to clone.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// A signal that never fires (one-off runs, tests).
    pub fn never() -> Stop {
        let (tx, rx) = watch::channel(false);
        // Keep the sender alive so `changed()` never resolves by the channel closing.
        std::mem::forget(tx);
        Stop(rx)
    }

    pub fn is_stopping(&self) -> bool {
        *self.0.borrow()
    }

    /// Sleep for `pause`, or less when the stop comes first. True when it is time to stop.
    pub async fn sleep(&mut self, pause: Duration) -> bool {
        if self.is_stopping() {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => self.is_stopping(),
            _ = self.0.changed() => true,
        }
    }
}

/// How a job is doing, as `/readyz` and `/metrics` report it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JobHealth {
    /// running, restarting or stopped
    pub state: &'static str,
    /// Passes that ended in an error (the job carried on).
    pub failed_passes: u64,
    /// Times the task panicked or ended and was started again.
    pub restarts: u64,
    pub last_error: Option<String>,
}

impl JobHealth {
    fn running() -> JobHealth {
        JobHealth {
            state: "running",
            failed_passes: 0,
            restarts: 0,
            last_error: None,
        }
    }
}

/// The health of every job, shared with the HTTP state.
#[derive(Clone, Default)]
pub struct Health(Arc<Mutex<BTreeMap<&'static str, JobHealth>>>);

impl Health {
    pub fn snapshot(&self) -> BTreeMap<&'static str, JobHealth> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// True when every job that was started is running (none restarting after a crash).
    pub fn all_running(&self) -> bool {
        self.snapshot().values().all(|h| h.state == "running")
    }

    fn update(&self, job: &'static str, f: impl FnOnce(&mut JobHealth)) {
        if let Ok(mut m) = self.0.lock() {
            f(m.entry(job).or_insert_with(JobHealth::running));
        }
    }

    /// A pass of `job` failed with `error`; the job goes on.
    pub fn pass_failed(&self, job: &'static str, error: &dyn std::error::Error) {
        let chain = error_chain(error);
        tracing::warn!(job, error = %chain, "background pass failed");
        self.update(job, |h| {
            h.failed_passes += 1;
            h.last_error = Some(chain);
        });
    }
}

/// An error with its causes, "outer: inner: innermost".
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !s.ends_with(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = inner.source();
    }
    s
}

/// The running jobs.
pub struct Jobs {
    stop: watch::Sender<bool>,
    supervisors: Vec<JoinHandle<()>>,
    health: Health,
}

/// What the jobs need.
#[derive(Clone)]
pub struct JobContext {
    /// Database, library, settings, document kit and clock: each pass takes its
    /// [`Services::ctx`].
    pub services: Services,
    pub health: Health,
}

impl Jobs {
    /// Start every background job of `serve`.
    pub fn start(ctx: JobContext) -> Jobs {
        let (stop, rx) = watch::channel(false);
        let mut jobs = Jobs {
            stop,
            supervisors: Vec::new(),
            health: ctx.health.clone(),
        };
        let stop = Stop(rx);
        jobs.supervise("outbox", &ctx, &stop, outbox);
        jobs.supervise("audit_sealer", &ctx, &stop, audit_sealer);
        jobs.supervise("policy_clock", &ctx, &stop, policy_clock);
        jobs.supervise("summary_folding", &ctx, &stop, summary_folding);
        jobs.supervise("backtest_schedule", &ctx, &stop, backtest_schedule);
        jobs.supervise("premium_reminders", &ctx, &stop, premium_reminders);
        jobs
    }

    /// Run `job` under supervision: restarted with back-off when it panics or ends before
    /// the stop.
    fn supervise<C, F, Fut>(&mut self, name: &'static str, ctx: &C, stop: &Stop, job: F)
    where
        C: Clone + Send + 'static,
        F: Fn(C, Stop) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let ctx = ctx.clone();
        let stop = stop.clone();
        let health = self.health.clone();
        health.update(name, |h| h.state = "running");
        self.supervisors.push(tokio::spawn(async move {
            let mut pause = Duration::from_secs(1);
            loop {
                let outcome = tokio::spawn(job(ctx.clone(), stop.clone())).await;
                if stop.is_stopping() {
                    break;
                }
                let why = match outcome {
                    Ok(()) => "ended".to_string(),
                    Err(e) if e.is_panic() => format!("panicked: {}", panic_text(e)),
                    Err(e) => format!("cancelled: {e}"),
                };
                tracing::error!(job = name, why = %why, "background job stopped; restarting");
                health.update(name, |h| {
                    h.state = "restarting";
                    h.restarts += 1;
                    h.last_error = Some(why);
                });
                let mut s = stop.clone();
                if s.sleep(pause).await {
                    break;
                }
                pause = (pause * 2).min(Duration::from_secs(60));
                health.update(name, |h| h.state = "running");
            }
            health.update(name, |h| h.state = "stopped");
        }));
    }

    pub fn health(&self) -> &Health {
        &self.health
    }

    /// Tell every job to stop and wait (up to `grace`) for the passes in progress.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(true);
        let all = futures_util::future::join_all(self.supervisors);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "background jobs still busy at shutdown"
            );
        }
    }
}

/// Mail and regulator deliveries. A delivery being sent when the stop comes is finished
/// and recorded; no new one is claimed after it.
async fn outbox(c: JobContext, mut stop: Stop) {
    let pause = Duration::from_millis(c.services.config.outbox.poll_ms.max(100));
    let senders = match crate::outbox_worker::Senders::new(&c.services.config) {
        Ok(s) => s,
        Err(e) => {
            // Bad mail settings: reported, and retried by the supervisor with back-off.
            c.health.pass_failed("outbox", &e);
            return;
        }
    };
    loop {
        let go_on = stop.clone();
        let keep_going = move || !go_on.is_stopping();
        match crate::outbox_worker::run_with(
            &c.services.db,
            &c.services.config,
            &senders,
            &keep_going,
        )
        .await
        {
            Ok(r) if r != crate::outbox_worker::RunReport::default() => tracing::info!(
                delivered = r.delivered,
                retrying = r.retrying,
                dead = r.dead,
                "outbox pass"
            ),
            Ok(_) => {}
            Err(e) => c.health.pass_failed("outbox", &e),
        }
        if stop.sleep(pause).await {
            return;
        }
    }
}

/// Chains committed audit entries into the log shortly after they commit; one last seal
/// at the stop, so nothing the stopping service wrote is left unchained.
async fn audit_sealer(c: JobContext, mut stop: Stop) {
    loop {
        let stopping = stop.sleep(Duration::from_millis(500)).await;
        if let Err(e) = crate::services::audit::seal(&c.services.ctx()).await {
            c.health.pass_failed("audit_sealer", &e);
        }
        if stopping {
            return;
        }
    }
}

/// Policies come into force and expire on their dates (Beijing); every ten minutes.
async fn policy_clock(c: JobContext, mut stop: Stop) {
    use crate::services::underwriting::clock::{advance, ClockReport};
    loop {
        match advance(&c.services.ctx(), c.services.clock.today()).await {
            Ok(r) if r != ClockReport::default() => tracing::info!(
                took_effect = r.took_effect.len(),
                expired = r.expired.len(),
                "policy clock"
            ),
            Ok(_) => {}
            Err(e) => c.health.pass_failed("policy_clock", &e),
        }
        if stop.sleep(Duration::from_secs(600)).await {
            return;
        }
    }
}

fn schedule_pause(config: &Config) -> Duration {
    Duration::from_secs(config.backtest.schedule_poll_secs.max(60))
}

/// Folds the backtest summaries' and the premium arrears ledger's delta rows into one row
/// per key.
async fn summary_folding(c: JobContext, mut stop: Stop) {
    loop {
        match crate::services::backtest::summary::compact(&c.services.ctx()).await {
            Ok(f) if f.premium_before != f.premium_after || f.loss_before != f.loss_after => {
                tracing::info!(
                    premium_rows = f.premium_after,
                    loss_rows = f.loss_after,
                    "backtest summaries compacted"
                )
            }
            Ok(_) => {}
            Err(e) => c.health.pass_failed("summary_folding", &e),
        }
        match crate::services::billing::fold_arrears(&c.services.ctx()).await {
            Ok((before, after)) if before != after => {
                tracing::info!(rows = after, "premium arrears ledger compacted")
            }
            Ok(_) => {}
            Err(e) => c.health.pass_failed("summary_folding", &e),
        }
        if stop.sleep(schedule_pause(&c.services.config)).await {
            return;
        }
    }
}

/// Produces, stores and queues the quarter's backtest report once it is due.
async fn backtest_schedule(c: JobContext, mut stop: Stop) {
    loop {
        match crate::services::backtest::schedule::run_due(
            &c.services.ctx(),
            c.services.clock.today(),
        )
        .await
        {
            Ok(Some(id)) => tracing::info!(report = id, "scheduled backtest report queued"),
            Ok(None) => {}
            Err(e) => c.health.pass_failed("backtest_schedule", &e),
        }
        if stop.sleep(schedule_pause(&c.services.config)).await {
            return;
        }
    }
}

/// Premium reminders (催缴提醒) before and after installments fall due, each queued once.
async fn premium_reminders(c: JobContext, mut stop: Stop) {
    let every = Duration::from_secs(c.services.config.billing.reminder_every_secs.max(60));
    loop {
        match crate::services::billing::send_reminders(&c.services.ctx(), c.services.clock.today())
            .await
        {
            Ok(r) if r.queued > 0 => tracing::info!(queued = r.queued, "premium reminders"),
            Ok(_) => {}
            Err(e) => c.health.pass_failed("premium_reminders", &e),
        }
        if stop.sleep(every).await {
            return;
        }
    }
}

fn panic_text(e: tokio::task::JoinError) -> String {
    let payload = e.into_panic();
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_job_that_panics_is_restarted_and_its_health_says_so() {
        let (tx, rx) = watch::channel(false);
        let health = Health::default();
        let runs = Arc::new(AtomicU32::new(0));
        let mut jobs = Jobs {
            stop: tx,
            supervisors: Vec::new(),
            health: health.clone(),
        };
        let counter = runs.clone();
        jobs.supervise("flaky", &(), &Stop(rx), move |_, mut stop| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    panic!("first run fails");
                }
                while !stop.sleep(Duration::from_secs(1)).await {}
            }
        });
        // The restart comes after a one-second back-off; wait for it without a fixed
        // sleep, so a loaded machine cannot fail the test.
        let waited = std::time::Instant::now();
        while runs.load(Ordering::SeqCst) < 2 && waited.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let h = health.snapshot()["flaky"].clone();
        assert_eq!(runs.load(Ordering::SeqCst), 2, "restarted once");
        assert_eq!(h.restarts, 1);
        assert_eq!(h.state, "running");
        assert!(h.last_error.unwrap().contains("first run fails"));
        jobs.shutdown(Duration::from_secs(5)).await;
        assert_eq!(health.snapshot()["flaky"].state, "stopped");
    }
}
