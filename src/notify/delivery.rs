//! Delivering the outbox: claim a batch under a lease, compose each message (plain
//! text and HTML from the email templates), hand it to SMTP or write it as an `.eml`
//! file, and record the outcome.
//!
//! A message is claimed by one conditional UPDATE, so two instances never send it at
//! the same time; a sender that crashes after claiming leaves the lease to run out and
//! the message is sent once, later. Sends time out well inside the lease. The one window
//! left is a crash after the server accepted a message and before it was marked sent: the
//! message then goes again with the same Message-ID, which mail systems use to drop the
//! copy.

use std::path::PathBuf;
use std::time::Duration;

use askama::Template;
use jiff::{SignedDuration, Timestamp};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;
use crate::store::outbox::OutboxMessage;
use crate::store::{Store, StoreError};

/// Attempts before a message is marked failed for staff to look at.
pub const MAX_ATTEMPTS: i64 = 8;
/// Messages claimed per round trip to the database.
const BATCH: i64 = 100;
/// While applications are being filed (the caller's `rush` says whether the writer
/// committed a batch within `RUSH_WINDOW`), delivery claims `RUSH_BATCH` messages at a
/// time and pauses `RUSH_PAUSE` after each: about a hundred messages a second, so
/// composing and writing mail does not take the cores a registration rush needs. Measured with `bench`: at full pace during a
/// rush, delivery cut intake by a third and tripled the server's memory.
pub const RUSH_WINDOW: Duration = Duration::from_millis(250);
const RUSH_BATCH: i64 = 25;
const RUSH_PAUSE: Duration = Duration::from_millis(250);
/// Messages in flight at once, each on its own pooled SMTP connection. lettre writes a
/// message's body and its closing dot separately, so on each connection a delayed ACK
/// costs ~40 ms per message; parallel connections are what buys throughput.
const PARALLEL: usize = 16;

/// Where messages go.
#[derive(Clone)]
enum Transport {
    /// `.eml` files named by outbox id: a redelivery rewrites the same file.
    Files(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// The configured way out, shared by every delivery round of an instance.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Address,
    /// Host part of Message-IDs, so copies of one message are recognisable.
    host: String,
    lease_secs: i64,
}

/// Why a send did not go through.
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    /// The server refused for good (a 5xx answer): retrying cannot help.
    pub permanent: bool,
}

impl Mailer {
    /// The mailer for `config`: SMTP when `smtp_url` is set, else files in the data dir.
    pub fn from_config(config: &Config, base_url: &str) -> anyhow::Result<Mailer> {
        let from: Address =
            config.mail_from.trim().parse().map_err(|e| {
                anyhow::anyhow!("PRECINCT_MAIL_FROM {:?} is not an email address: {e}", config.mail_from)
            })?;
        let lease_secs = i64::try_from(config.outbox_lease_secs.max(2)).unwrap_or(120);
        let transport = match config.smtp_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => {
                // Well inside the lease, so a slow server cannot outlive the claim.
                let timeout = Duration::from_secs((config.outbox_lease_secs / 3).clamp(1, 60));
                let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("PRECINCT_SMTP_URL is not usable: {e}"))?
                    .timeout(Some(timeout))
                    .pool_config(PoolConfig::new().max_size(PARALLEL as u32))
                    .build();
                Transport::Smtp(smtp)
            }
            _ => Transport::Files(config.mail_dir()),
        };
        Ok(Mailer {
            transport,
            from,
            host: crate::documents::calendar::uid_host(base_url),
            lease_secs,
        })
    }

    /// For the start-up log line: where mail goes, without credentials.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Files(dir) => format!("files in {}", dir.display()),
            Transport::Smtp(_) => "SMTP".to_string(),
        }
    }

    /// Builds the email for an outbox row: multipart plain text and HTML, with a stable
    /// Message-ID and, for list mail, one-click unsubscribe headers (RFC 8058). Replies go
    /// to the department's reply-to address when it has one (the sender is a no-reply box).
    pub fn compose(&self, m: &OutboxMessage, department: &str, reply_to: Option<&str>) -> Result<Message, SendError> {
        let permanent = |message: String| SendError {
            message,
            permanent: true,
        };
        let to: Mailbox = m
            .recipient
            .trim()
            .parse()
            .map_err(|e| permanent(format!("bad recipient {:?}: {e}", m.recipient)))?;
        let unsubscribe = m.unsubscribe_url.as_deref();
        let (text, html) = parts(&m.subject, &m.delivered_text(), department, unsubscribe)
            .map_err(|e| permanent(format!("rendering the message: {e}")))?;
        let mut builder = Message::builder()
            .from(Mailbox::new(Some(department.to_string()), self.from.clone()))
            .to(to)
            .subject(m.subject.clone())
            .message_id(Some(format!("<outbox-{}@{}>", m.id, self.host)))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".into(),
            ));
        if let Some(address) = reply_to.and_then(|r| r.trim().parse::<lettre::Address>().ok()) {
            builder = builder.reply_to(Mailbox::new(Some(department.to_string()), address));
        }
        if let Some(url) = unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| permanent(format!("building the message: {e}")))
    }

    async fn send(&self, id: crate::domain::MessageId, kind: &str, email: Message) -> Result<(), SendError> {
        match &self.transport {
            Transport::Files(dir) => {
                let path = dir.join(format!("{id:08}-{kind}.eml"));
                let (folder, bytes) = (dir.clone(), email.formatted());
                // On the blocking pool: file writes in a directory of thousands of messages
                // held the runtime's threads, and with them every request being answered.
                let write = move || -> std::io::Result<()> {
                    std::fs::create_dir_all(&folder)?;
                    let tmp = path.with_extension("eml.tmp");
                    std::fs::write(&tmp, bytes)?;
                    std::fs::rename(&tmp, &path)
                };
                let failed = |e: String| SendError {
                    message: format!("writing to {}: {e}", dir.display()),
                    permanent: false,
                };
                match tokio::task::spawn_blocking(write).await {
                    Ok(written) => written.map_err(|e| failed(e.to_string())),
                    Err(e) => Err(failed(e.to_string())),
                }
            }
            Transport::Smtp(smtp) => smtp.send(email).await.map(|_| ()).map_err(|e| SendError {
                message: e.to_string(),
                permanent: e.is_permanent(),
            }),
        }
    }
}

/// The plain-text and HTML parts of a message, from `templates/email/`.
pub fn parts(
    subject: &str,
    body: &str,
    department: &str,
    unsubscribe: Option<&str>,
) -> Result<(String, String), askama::Error> {
    let text = TextEmail {
        body: body.trim_end(),
        department,
        unsubscribe,
    }
    .render()?;
    let html = HtmlEmail {
        subject,
        department,
        paragraphs: paragraphs(body),
        unsubscribe,
    }
    .render()?;
    Ok((text, html))
}

#[derive(Template)]
#[template(path = "email/message.txt")]
struct TextEmail<'a> {
    body: &'a str,
    department: &'a str,
    unsubscribe: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct HtmlEmail<'a> {
    subject: &'a str,
    department: &'a str,
    paragraphs: Vec<Vec<Line<'a>>>,
    unsubscribe: Option<&'a str>,
}

/// A line of a message body in the HTML part: a link on a line of its own becomes an
/// anchor; everything else is text (escaped by the template).
enum Line<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// The plain-text body as paragraphs of lines (blank lines separate paragraphs).
fn paragraphs(body: &str) -> Vec<Vec<Line<'_>>> {
    body.split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim_end)
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let t = l.trim();
                    if (t.starts_with("https://") || t.starts_with("http://")) && !t.contains(char::is_whitespace) {
                        Line::Link(t)
                    } else {
                        Line::Text(l)
                    }
                })
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// When to try again after the `attempts`-th failure: 1, 2, 4, ... minutes, or never
/// once the attempts are used up.
pub fn retry_at(attempts: i64, now: Timestamp) -> Option<Timestamp> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let minutes = 1_i64 << (attempts - 1).clamp(0, 10);
    now.checked_add(SignedDuration::from_mins(minutes)).ok()
}

/// Delivers what is pending now, yielding while `rush()` says applications are being filed;
/// returns how many messages were delivered.
pub async fn deliver_pending(
    store: &Store,
    mailer: &Mailer,
    now: Timestamp,
    rush: &(dyn Fn() -> bool + Sync),
) -> Result<usize, StoreError> {
    let (department, reply_to) = store.department().await?.map_or_else(
        || ("Police Department".to_string(), None),
        |d| (d.name, Some(d.reply_to).filter(|r| !r.is_empty())),
    );
    let mut delivered = 0;
    loop {
        let rush = rush();
        let size = if rush { RUSH_BATCH } else { BATCH };
        // The lease counts from each claim: a round that delivers for minutes must not
        // claim with a time whose lease has already run out for other instances.
        let now = now.max(Timestamp::now());
        let batch = store.claim_outbox(size, now, mailer.lease_secs).await?;
        if batch.is_empty() {
            return Ok(delivered);
        }
        // Up to PARALLEL sends at a time; the batch is marked sent in one statement.
        let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(PARALLEL));
        let mut sends = tokio::task::JoinSet::new();
        for m in batch {
            let mailer = mailer.clone();
            let department = department.clone();
            let reply_to = reply_to.clone();
            let permits = permits.clone();
            sends.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let result = match mailer.compose(&m, &department, reply_to.as_deref()) {
                    Ok(email) => mailer.send(m.id, &m.kind, email).await,
                    Err(e) => Err(e),
                };
                (m, result)
            });
        }
        let mut sent = Vec::new();
        while let Some(joined) = sends.join_next().await {
            let Ok((m, result)) = joined else {
                // A panicking send leaves its lease to run out; the message is retried.
                continue;
            };
            match result {
                Ok(()) => sent.push(m.id),
                Err(e) => {
                    let retry = if e.permanent { None } else { retry_at(m.attempts, now) };
                    tracing::warn!(outbox_id = m.id.get(), kind = %m.kind, error = %e.message, retry = ?retry, "delivery failed");
                    store.mark_failed(m.id, &e.message, retry).await?;
                }
            }
        }
        delivered += sent.len();
        store.mark_sent(&sent, now).await?;
        if rush {
            tokio::time::sleep(RUSH_PAUSE).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two templates every message goes out in, snapshotted for list mail (with the
    /// unsubscribe footer) and transactional mail (without).
    #[test]
    fn the_email_templates_render_text_and_html() {
        let body = "Hello Rosa,\n\nA seat has opened. Accept or decline here:\nhttps://programs.harborpoint.example/my/link/TOKEN\n\nHarbor Point Police Department\n";
        let dept = "Harbor Point Police Department";
        let (text, html) = parts("A seat is available: <Class 33>", body, dept, None).unwrap();
        insta::assert_snapshot!("transactional_text", text);
        insta::assert_snapshot!("transactional_html", html);
        let leave = Some("https://programs.harborpoint.example/alumni/leave/TOKEN");
        let (text, html) = parts("Alumni news", body, dept, leave).unwrap();
        insta::assert_snapshot!("list_text", text);
        insta::assert_snapshot!("list_html", html);
    }

    #[test]
    fn backoff_doubles_and_then_gives_up() {
        let now = Timestamp::from_second(1_000_000).unwrap();
        let mins = |a| retry_at(a, now).map(|t| (t.as_second() - now.as_second()) / 60);
        assert_eq!(mins(1), Some(1));
        assert_eq!(mins(2), Some(2));
        assert_eq!(mins(3), Some(4));
        assert_eq!(mins(7), Some(64));
        assert_eq!(mins(MAX_ATTEMPTS), None);
    }

    #[test]
    fn links_on_their_own_line_become_anchors_and_paragraphs_split_on_blank_lines() {
        let p = paragraphs("Hello Ana,\n\nSee it here:\nhttps://x.example/my?t=1\n\n\nThanks");
        assert_eq!(p.len(), 3);
        assert!(matches!(p[1][1], Line::Link("https://x.example/my?t=1")));
        assert!(matches!(p[1][0], Line::Text("See it here:")));
        assert!(matches!(p[0][0], Line::Text("Hello Ana,")));
    }

    fn mailer() -> Mailer {
        Mailer::from_config(
            &Config::with_database("sqlite::memory:"),
            "https://programs.example.org",
        )
        .unwrap()
    }

    fn message(unsubscribe: Option<&str>) -> OutboxMessage {
        OutboxMessage {
            id: crate::domain::MessageId::new(42),
            kind: "class_announced".into(),
            recipient: "ana@example.org".into(),
            subject: "New class <announced>".into(),
            body_text: "Hello,\n\nDetails:\nhttps://programs.example.org/classes/3\n\nHarbor Point".into(),
            attempts: 1,
            unsubscribe_url: unsubscribe.map(String::from),
            link_url: None,
        }
    }

    #[test]
    fn messages_are_multipart_with_a_stable_id_and_escaped_html() {
        let email = mailer()
            .compose(&message(None), "Harbor Point Police Department", None)
            .unwrap();
        let raw = String::from_utf8(email.formatted()).unwrap();
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("Message-ID: <outbox-42@programs.example.org>"), "{raw}");
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains("New class &lt;announced&gt;") || raw.contains("New class &#60;announced&#62;"));
        assert!(
            raw.contains("href=3D\"https://programs.example.org/classes/3\"")
                || raw.contains("href=\"https://programs.example.org/classes/3\"")
        );
        assert!(!raw.contains("List-Unsubscribe"));
        assert!(raw.contains("not a newsletter"));
    }

    #[test]
    fn list_mail_carries_one_click_unsubscribe() {
        let email = mailer()
            .compose(
                &message(Some("https://programs.example.org/interest/unsubscribe/abc")),
                "Harbor Point PD",
                Some("community@harborpoint-pd.example"),
            )
            .unwrap();
        let raw = String::from_utf8(email.formatted()).unwrap();
        assert!(
            raw.contains("List-Unsubscribe: <https://programs.example.org/interest/unsubscribe/abc>"),
            "{raw}"
        );
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(
            raw.contains("Reply-To: \"Harbor Point PD\" <community@harborpoint-pd.example>"),
            "{raw}"
        );
    }

    #[test]
    fn a_bad_recipient_is_a_permanent_failure() {
        let mut m = message(None);
        m.recipient = "not an address".into();
        let err = mailer().compose(&m, "PD", None).unwrap_err();
        assert!(err.permanent);
    }
}
