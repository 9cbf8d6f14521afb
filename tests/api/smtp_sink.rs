#![allow(dead_code)]
//! A real SMTP server on 127.0.0.1 that accepts every message and keeps it, so tests
//! can read what the service mailed.

use mail_parser::MimeHeaders;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as received, with the envelope.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

/// A message taken apart (MIME decoded).
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    /// (file name, bytes)
    pub attachments: Vec<(String, Vec<u8>)>,
}

pub struct SmtpSink {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind SMTP sink");
        let port = listener.local_addr().expect("sink address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, store.clone()));
            }
        });
        SmtpSink {
            port,
            received,
            task,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Raw messages, in the order they arrived.
    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().expect("sink lock").clone()
    }

    /// Messages decoded: subject, plain text and attachments.
    pub fn mails(&self) -> Vec<ReceivedMail> {
        self.messages()
            .into_iter()
            .map(|m| {
                let parsed = mail_parser::MessageParser::default()
                    .parse(&m.raw)
                    .expect("a parsable message");
                ReceivedMail {
                    to: m.to.clone(),
                    subject: parsed.subject().unwrap_or_default().to_string(),
                    text: parsed
                        .body_text(0)
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    attachments: parsed
                        .attachments()
                        .map(|a| {
                            (
                                a.attachment_name().unwrap_or_default().to_string(),
                                a.contents().to_vec(),
                            )
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(socket: tokio::net::TcpStream, store: Arc<Mutex<Vec<Received>>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let answer: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().to_string();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().trim_matches(['<', '>']).to_string());
            b"250 OK\r\n"
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            b"250 OK\r\n"
        } else if upper == "DATA" {
            if write.write_all(b"354 go ahead\r\n").await.is_err() {
                return;
            }
            let mut raw = Vec::new();
            loop {
                let mut data = String::new();
                match lines.read_line(&mut data).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if data == ".\r\n" || data == ".\n" {
                    break;
                }
                // Undo dot-stuffing (RFC 5321 4.5.2).
                let unstuffed = data.strip_prefix('.').unwrap_or(&data);
                raw.extend_from_slice(unstuffed.as_bytes());
            }
            store.lock().expect("sink lock").push(Received {
                from: from.clone(),
                to: std::mem::take(&mut to),
                raw,
            });
            b"250 queued as sink\r\n"
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(answer).await.is_err() {
            return;
        }
    }
}
