//! Sends what the outbox holds. Each delivery is claimed under a lease in a short
//! transaction, sent with no transaction open, and its outcome recorded in another.
//! A worker that dies between sending and recording leaves the lease to run out; the
//! next attempt carries the same `Idempotency-Key`, so the far end can drop the repeat.

use crate::config::{Config, MailConfig, MailSecurity};
use crate::services::outbox::{HttpPost, Mail, Payload};
use crate::services::{Actor, ServiceError, ServiceResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox::{self as store, OutboxRow};
use crate::store::{now, Db};
use chrono::Duration;
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub delivered: usize,
    /// Failed this time, to be retried.
    pub retrying: usize,
    /// Gave up: dead letters.
    pub dead: usize,
}

/// The result of one attempt.
#[derive(Debug)]
enum Outcome {
    Delivered {
        status: Option<i32>,
        receipt: String,
    },
    /// `permanent`: retrying cannot help (bad address, 4xx answer).
    Failed {
        error: String,
        status: Option<i32>,
        permanent: bool,
    },
}

/// The HTTP client and SMTP transport, built once per worker (not per pass).
pub struct Senders {
    http: reqwest::Client,
    mail: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
}

impl Senders {
    pub fn new(config: &Config) -> ServiceResult<Senders> {
        let timeout = std::time::Duration::from_secs(config.outbox.timeout_secs);
        let http = crate::tls::client_builder()
            .timeout(timeout)
            .user_agent(concat!("firstcover/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ServiceError::internal_from("build the HTTP client", e))?;
        let mail = match &config.mail.smtp_host {
            Some(host) => Some(smtp_transport(&config.mail, host, timeout)?),
            None => None,
        };
        Ok(Senders { http, mail })
    }
}

fn smtp_transport(
    mail: &MailConfig,
    host: &str,
    timeout: std::time::Duration,
) -> ServiceResult<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)> {
    let bad = |e: String| ServiceError::Internal(format!("mail configuration: {e}"));
    let mut builder = match mail.security {
        MailSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        MailSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|e| bad(e.to_string()))?,
        MailSecurity::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| bad(e.to_string()))?
        }
    }
    .port(mail.smtp_port)
    .timeout(Some(timeout));
    if let (Some(user), Some(password)) = (&mail.username, &mail.password) {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose().to_string(),
        ));
    }
    let from: Mailbox = mail
        .from
        .parse()
        .map_err(|e| bad(format!("sender '{}': {e}", mail.from)))?;
    Ok((builder.build(), from))
}

/// Deliver everything due now, one row at a time, until nothing is due.
/// Mail is left queued while no SMTP host is configured.
pub async fn run_once(db: &Db, config: &Config) -> ServiceResult<RunReport> {
    run_with(db, config, &Senders::new(config)?, &|| true).await
}

/// Deliver what is due, one row at a time, while `keep_going()` says so (the service's
/// stop is checked between deliveries, never during one).
pub async fn run_with(
    db: &Db,
    config: &Config,
    senders: &Senders,
    keep_going: &(dyn Fn() -> bool + Sync),
) -> ServiceResult<RunReport> {
    let lease = Duration::seconds(config.outbox.lease_secs.max(1));
    let mut report = RunReport::default();
    while keep_going() {
        let mut tx = db.write().await?;
        let row = store::claim_next(&mut tx, lease, senders.mail.is_some()).await?;
        tx.commit().await?;
        let Some(row) = row else { break };
        let outcome = match Payload::from_row(&row) {
            Ok(payload) => send(senders, &row, &payload).await,
            Err(e) => Outcome::Failed {
                error: e.to_string(),
                status: None,
                permanent: true,
            },
        };
        record(db, config, &row, outcome, &mut report).await?;
    }
    Ok(report)
}

async fn send(senders: &Senders, row: &OutboxRow, payload: &Payload) -> Outcome {
    match payload {
        Payload::Http(post) => post_http(&senders.http, &row.dedupe_key, post).await,
        Payload::Mail(mail) => match &senders.mail {
            Some((transport, from)) => send_mail(transport, from, mail).await,
            // Claimed only when mail is configured; kept for completeness.
            None => Outcome::Failed {
                error: "no SMTP host configured".into(),
                status: None,
                permanent: false,
            },
        },
    }
}

async fn post_http(client: &reqwest::Client, key: &str, post: &HttpPost) -> Outcome {
    let sent = client
        .post(&post.url)
        .header("Content-Type", &post.content_type)
        .header("Idempotency-Key", key)
        .body(post.body.clone())
        .send()
        .await;
    let resp = match sent {
        Ok(r) => r,
        Err(e) => {
            return Outcome::Failed {
                error: format!("POST {}: {e}", post.url),
                status: None,
                permanent: false,
            }
        }
    };
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    let receipt = truncate(&body, 4_000);
    if status.is_success() {
        Outcome::Delivered {
            status: Some(i32::from(status.as_u16())),
            receipt,
        }
    } else {
        // A refusal of the content will not change by retrying; a busy or broken
        // server might.
        let transient = status.is_server_error()
            || status == reqwest::StatusCode::REQUEST_TIMEOUT
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS;
        Outcome::Failed {
            error: format!("POST {} answered {status}: {receipt}", post.url),
            status: Some(i32::from(status.as_u16())),
            permanent: !transient,
        }
    }
}

/// Build the MIME message; an address that does not parse is a permanent failure.
pub fn build_message(from: &Mailbox, mail: &Mail) -> Result<Message, String> {
    let mut builder = Message::builder().from(from.clone()).subject(&mail.subject);
    for to in &mail.to {
        let mailbox: Mailbox = to.parse().map_err(|e| format!("recipient '{to}': {e}"))?;
        builder = builder.to(mailbox);
    }
    let text = SinglePart::plain(mail.text.clone());
    let built = if mail.attachments.is_empty() {
        builder.singlepart(text)
    } else {
        let mut parts = MultiPart::mixed().singlepart(text);
        for a in &mail.attachments {
            let ct = ContentType::parse(&a.content_type)
                .map_err(|e| format!("attachment {}: {e}", a.filename))?;
            parts = parts.singlepart(Attachment::new(a.filename.clone()).body(a.bytes.clone(), ct));
        }
        builder.multipart(parts)
    };
    built.map_err(|e| e.to_string())
}

async fn send_mail(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    mail: &Mail,
) -> Outcome {
    let message = match build_message(from, mail) {
        Ok(m) => m,
        Err(error) => {
            return Outcome::Failed {
                error,
                status: None,
                permanent: true,
            }
        }
    };
    match transport.send(message).await {
        Ok(resp) => Outcome::Delivered {
            status: Some(i32::from(u16::from(resp.code()))),
            receipt: resp.message().collect::<Vec<_>>().join(" "),
        },
        Err(e) => Outcome::Failed {
            error: format!("SMTP: {e}"),
            status: e.status().map(|c| i32::from(u16::from(c))),
            permanent: e.is_permanent(),
        },
    }
}

/// Retry after base × 2^(attempt − 1), at most a day.
pub fn backoff(base_secs: i64, attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let secs = base_secs.max(0).saturating_mul(1_i64 << exp);
    Duration::seconds(secs.min(86_400))
}

async fn record(
    db: &Db,
    config: &Config,
    row: &OutboxRow,
    outcome: Outcome,
    report: &mut RunReport,
) -> ServiceResult<()> {
    let mut tx = db.write().await?;
    let (action, after) = match outcome {
        Outcome::Delivered { status, receipt } => {
            store::mark_delivered(&mut tx, row.outbox_id, status, &receipt).await?;
            report.delivered += 1;
            (
                "outbox.delivered",
                serde_json::json!({ "status": "delivered", "attempts": row.attempts, "receipt_status": status }),
            )
        }
        Outcome::Failed {
            error,
            status,
            permanent,
        } => {
            let give_up = permanent || row.attempts >= config.outbox.max_attempts;
            let retry_at =
                (!give_up).then(|| now() + backoff(config.outbox.backoff_base_secs, row.attempts));
            store::mark_failed(&mut tx, row.outbox_id, &error, status, retry_at).await?;
            if give_up {
                report.dead += 1;
                tracing::warn!(id = row.outbox_id, %error, "delivery dead-lettered");
                (
                    "outbox.dead",
                    serde_json::json!({ "status": "dead", "attempts": row.attempts, "error": error }),
                )
            } else {
                report.retrying += 1;
                tx.commit().await?;
                return Ok(());
            }
        }
    };
    audit::append(
        &mut tx,
        &Actor::system().audit(),
        AuditEntry {
            action,
            entity_type: "outbox",
            entity_id: row.outbox_id.to_string(),
            before: Some(serde_json::json!({ "status": "pending" })),
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(30, 1), Duration::seconds(30));
        assert_eq!(backoff(30, 2), Duration::seconds(60));
        assert_eq!(backoff(30, 4), Duration::seconds(240));
        assert_eq!(backoff(30, 60), Duration::seconds(86_400));
        assert_eq!(backoff(0, 5), Duration::zero());
        assert_eq!(backoff(-5, 1), Duration::zero());
    }

    #[test]
    fn a_bad_recipient_is_refused_before_sending() {
        let from: Mailbox = "firstcover <noreply@example.com>".parse().unwrap();
        let mail = Mail {
            to: vec!["not an address".into()],
            subject: "s".into(),
            text: "t".into(),
            attachments: vec![],
        };
        let err = build_message(&from, &mail).unwrap_err();
        assert!(err.contains("not an address"), "{err}");
    }

    #[test]
    fn long_receipts_are_cut_on_a_character_boundary() {
        assert_eq!(truncate("回执正文", 2), "回执…");
        assert_eq!(truncate("ok", 10), "ok");
    }
}
