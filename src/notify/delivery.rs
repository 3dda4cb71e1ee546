//! Delivering the outbox. Until SMTP is configured, each message becomes an `.eml`
//! file in `<data dir>/outbox/`, named by its outbox id, so a redelivery after a crash
//! rewrites the same file instead of producing a second message.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;

use crate::store::applications::OutboxMessage;
use crate::store::{Store, StoreError};

/// How long a claimed message is reserved for its sender.
const LEASE_SECS: i64 = 120;
/// Attempts before a message is marked failed for staff to look at.
const MAX_ATTEMPTS: i64 = 8;

/// Where delivered messages go.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
    from: Mailbox,
}

impl FileMailer {
    /// Writes messages into `dir`, from `from` (e.g. `Harbor Point PD <no-reply@...>`).
    pub fn new(dir: impl Into<PathBuf>, from: Mailbox) -> FileMailer {
        FileMailer { dir: dir.into(), from }
    }

    /// The folder holding the `.eml` files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn write(&self, m: &OutboxMessage) -> Result<(), String> {
        let to: Mailbox = m.recipient.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .message_id(Some(format!("<outbox-{}@precinct>", m.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(m.body_text.clone())
            .map_err(|e| format!("building the message: {e}"))?;
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("creating {}: {e}", self.dir.display()))?;
        let path = self.dir.join(format!("{:08}-{}.eml", m.id, m.kind));
        let tmp = path.with_extension("eml.tmp");
        std::fs::write(&tmp, email.formatted()).map_err(|e| format!("writing {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("renaming {}: {e}", path.display()))
    }
}

/// Delivers what is pending now; returns how many messages were delivered.
pub async fn deliver_pending(store: &Store, mailer: &FileMailer, now: Timestamp) -> Result<usize, StoreError> {
    let mut delivered = 0;
    loop {
        let batch = store.claim_outbox(50, now, LEASE_SECS).await?;
        if batch.is_empty() {
            return Ok(delivered);
        }
        for m in &batch {
            match mailer.write(m) {
                Ok(()) => {
                    store.mark_sent(m.id, now).await?;
                    delivered += 1;
                }
                Err(e) => {
                    tracing::warn!(outbox_id = m.id, error = %e, "delivery failed; will retry");
                    // Exponential backoff: 1, 2, 4, ... minutes.
                    let delay = 60 * (1_i64 << m.attempts.clamp(0, 10));
                    let retry_at = now.checked_add(jiff::SignedDuration::from_secs(delay)).unwrap_or(now);
                    store.mark_failed(m.id, &e, retry_at, MAX_ATTEMPTS).await?;
                }
            }
        }
    }
}
