//! Inviting staff: the account, its units, a single-use link to choose a password and
//! the email carrying it, written in one transaction so an invitation is never half made.

use jiff::{SignedDuration, Timestamp};

use crate::domain::department::Account;
use crate::domain::mail::{LINK_MARK, LinkKind};
use crate::domain::{StaffId, UnitId};
use crate::notify::Links;
use crate::store::outbox::{OutgoingMessage, SecretLink};
use crate::store::seed::NewStaff;
use crate::store::staff::AuditRecord;
use crate::store::{StoreError, Tx};

/// How long an invitation link works: long enough for someone back from leave.
pub const INVITATION_DAYS: i64 = 7;

/// Why an invitation was not made.
#[derive(Debug)]
pub enum InviteError {
    /// An account with this address exists (active or not).
    Exists,
    Store(StoreError),
}

impl From<StoreError> for InviteError {
    fn from(e: StoreError) -> Self {
        InviteError::Store(e)
    }
}

/// Queues an invitation (or a renewed one) for `id` at `email`, inside `tx`.
pub async fn queue_invitation(
    tx: &mut Tx,
    links: &Links,
    department: &str,
    id: StaffId,
    email: &str,
    role_label: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let token = crate::auth::tokens::generate();
    let expires = now
        .checked_add(SignedDuration::from_hours(24 * INVITATION_DAYS))
        .unwrap_or(now);
    tx.insert_invitation(id, &crate::auth::tokens::hash(&token), expires, now)
        .await?;
    let message = OutgoingMessage {
        kind: "staff_welcome",
        recipient: email.to_string(),
        subject: format!("Your {department} staff account"),
        body_text: format!(
            "Hello,\n\nYou have been given a staff account for the {department} community programs, as \
             {role_label}. Choose your password here within {INVITATION_DAYS} days (the link works once):\n\
             {LINK_MARK}\n\nThen sign in with this email address. If you did not expect this, ignore this \
             email; nothing happens until a password is chosen.\n\n{department}\n"
        ),
        link: Some(SecretLink::new(
            LinkKind::StaffPassword,
            &links.base_url,
            &token,
            Some(expires),
        )),
        ..Default::default()
    };
    tx.enqueue(&message, now).await.map(|_| ())
}

/// Creates an account without a password, puts it in `units` and emails an invitation;
/// audited as `actor`. The caller commits `tx` (and may add more, like a counselor's school).
pub async fn invite(
    tx: &mut Tx,
    links: &Links,
    department: &str,
    account: &Account,
    units: &[UnitId],
    actor: &str,
    now: Timestamp,
) -> Result<StaffId, InviteError> {
    let new = NewStaff {
        email: &account.email,
        full_name: &account.full_name,
        rank: account.rank.as_deref(),
        badge_number: account.badge_number.as_deref(),
        role: account.role,
        password_hash: None,
        public_profile: false,
    };
    let id = match tx.insert_staff(&new, now).await {
        Ok(id) => id,
        Err(e) if e.is_unique_violation() => return Err(InviteError::Exists),
        Err(e) => return Err(e.into()),
    };
    tx.set_units(id, units).await?;
    queue_invitation(tx, links, department, id, &account.email, account.role.label(), now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: "staff.invite",
            object_type: "staff",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "email": account.email, "full_name": account.full_name, "role": account.role.code(),
                "rank": account.rank, "badge_number": account.badge_number, "units": units,
            })),
        },
        now,
    )
    .await?;
    Ok(id)
}
