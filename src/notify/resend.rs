//! Sending a failed message again. A message that carries a private link gets a fresh
//! one: the old token is replaced where it is kept, so the resent message never repeats
//! a link that staff, a log or a bounced copy might have seen.

use jiff::Timestamp;

use crate::domain::audit::AuditAction;
use crate::store::staff::AuditRecord;
use crate::store::{Store, StoreError};

/// Why a message was not sent again.
#[derive(Debug, thiserror::Error)]
pub enum ResendError {
    #[error("no such message")]
    NotFound,
    #[error("Only a message that failed can be sent again; this one is waiting or already sent.")]
    NotFailed,
    #[error(
        "The link in this message was already used or withdrawn, so it cannot be sent again. \
         The person can ask for a new link on the site."
    )]
    LinkSpent,
    #[error(
        "This message was written before private links were kept apart from the text; it cannot be \
         sent again. The person can ask for a new link on the site."
    )]
    OldMessage,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ResendError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Message(_) => ResendError::OldMessage,
            e => ResendError::Store(e),
        }
    }
}

/// Puts failed message `id` back in the queue, with a fresh private link if it carries
/// one (valid for as long as the original was meant to be), and audits it.
pub async fn resend(
    store: &Store,
    actor: &str,
    id: crate::domain::MessageId,
    now: Timestamp,
) -> Result<(), ResendError> {
    let mut tx = store.begin().await?;
    let Some(failed) = tx.failed_message(id).await? else {
        drop(tx);
        return match store.outbox_entry(id, true).await? {
            None => Err(ResendError::NotFound),
            Some(_) => Err(ResendError::NotFailed),
        };
    };
    let fresh = match failed.link.filter(|l| l.kind.fresh_on_resend()) {
        Some(old) => {
            let token = crate::auth::tokens::generate();
            // As long as the first link was meant to last, counted from now.
            let expires = old
                .expires_at
                .map(|e| now.checked_add(e.duration_since(failed.created_at)).unwrap_or(e));
            let fresh = old.renewed(&token, expires);
            let replaced = tx
                .replace_link(
                    old.kind,
                    &crate::auth::tokens::hash(old.token()),
                    &crate::auth::tokens::hash(&token),
                    expires,
                )
                .await?;
            if !replaced {
                return Err(ResendError::LinkSpent);
            }
            Some(fresh)
        }
        None => None,
    };
    if !tx.resend_outbox(id, fresh.as_ref()).await? {
        return Err(ResendError::NotFailed);
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::OutboxResend,
            object_type: "outbox",
            object_id: id.to_string(),
            before: Some(serde_json::json!({ "status": "failed" })),
            after: Some(serde_json::json!({
                "status": "pending",
                "fresh_link": fresh.as_ref().map(|l| l.kind.code()),
            })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
