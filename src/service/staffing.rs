//! Inviting staff: the account, its units, a single-use link to choose a password and
//! the email carrying it, written in one transaction so an invitation is never half made.

use jiff::{SignedDuration, Timestamp};

use crate::domain::audit::AuditAction;
use crate::domain::department::{Account, account_change_refusal};
use crate::domain::mail::{LINK_MARK, LinkKind};
use crate::domain::{Role, StaffId, UnitId};
use crate::notify::Links;
use crate::store::outbox::{OutgoingMessage, SecretLink};
use crate::store::people::Person;
use crate::store::seed::NewStaff;
use crate::store::staff::AuditRecord;
use crate::store::{Store, StoreError, Tx};

use super::Error;

/// How long an invitation link works: long enough for someone back from leave.
pub const INVITATION_DAYS: i64 = 7;

/// The name of the refusal when an account with the address exists (active or not).
pub const ACCOUNT_EXISTS: &str = "account-exists";

fn account_exists() -> Error {
    Error::Conflict {
        kind: ACCOUNT_EXISTS,
        why: "An account with this address already exists.".into(),
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
) -> Result<StaffId, Error> {
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
        Err(e) if e.is_unique_violation() => return Err(account_exists()),
        Err(e) => return Err(e.into()),
    };
    tx.set_units(id, units).await?;
    queue_invitation(tx, links, department, id, &account.email, account.role.label(), now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::StaffInvite,
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

/// Invites a new account in its own transaction (see [`invite`]).
pub async fn invite_new(
    store: &Store,
    links: &Links,
    department: &str,
    account: &Account,
    units: &[UnitId],
    actor: &str,
    now: Timestamp,
) -> Result<StaffId, Error> {
    let mut tx = store.begin().await?;
    let id = invite(&mut tx, links, department, account, units, actor, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes an account's name, role, rank, badge number and units. Refused (`Conflict`)
/// when it would leave the department without an active administrator. A new role ends
/// the account's sessions at once.
pub async fn update_account(
    store: &Store,
    actor: &str,
    person: &Person,
    account: &Account,
    units: &[UnitId],
    now: Timestamp,
) -> Result<(), Error> {
    let id = person.id;
    let mut tx = store.begin().await?;
    let admins = tx.active_admins().await?;
    let refusal = account_change_refusal(
        person.active && person.role == Role::Admin,
        account.role == Role::Admin,
        false,
        admins,
    );
    if let Some(why) = refusal {
        return Err(Error::conflict(why));
    }
    let before = tx
        .update_person(
            id,
            &account.full_name,
            account.role,
            account.rank.as_deref(),
            account.badge_number.as_deref(),
            units,
        )
        .await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::StaffUpdate,
            object_type: "staff",
            object_id: id.to_string(),
            before,
            after: Some(serde_json::json!({
                "full_name": account.full_name, "role": account.role.code(), "rank": account.rank,
                "badge_number": account.badge_number, "units": units,
            })),
        },
        now,
    )
    .await?;
    if account.role != person.role {
        // A new role takes effect at once: sessions opened under the old one end.
        tx.end_sessions_of(id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deactivates (ending sessions and tokens) or reactivates an account; the last active
/// administrator cannot be deactivated.
pub async fn set_account_active(
    store: &Store,
    actor: &str,
    person: &Person,
    active: bool,
    now: Timestamp,
) -> Result<(), Error> {
    let id = person.id;
    let mut tx = store.begin().await?;
    let admins = tx.active_admins().await?;
    if let Some(why) = account_change_refusal(person.active && person.role == Role::Admin, true, !active, admins) {
        return Err(Error::conflict(why));
    }
    tx.set_active(id, active, now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: if active {
                AuditAction::StaffReactivate
            } else {
                AuditAction::StaffDeactivate
            },
            object_type: "staff",
            object_id: id.to_string(),
            before: Some(serde_json::json!({ "active": person.active })),
            after: Some(serde_json::json!({ "active": active })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns off an account's two-step sign-in (a lost phone).
pub async fn reset_two_factor_of(store: &Store, actor: &str, id: StaffId, now: Timestamp) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    if !tx.reset_two_factor(id).await? {
        return Err(Error::NotFound("staff member"));
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::StaffTwoFactorReset,
            object_type: "staff",
            object_id: id.to_string(),
            before: None,
            after: None,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Emails a fresh invitation; earlier links stop working.
pub async fn invite_again(
    store: &Store,
    links: &Links,
    department: &str,
    person: &Person,
    actor: &str,
    now: Timestamp,
) -> Result<(), Error> {
    let id = person.id;
    let mut tx = store.begin().await?;
    tx.expire_password_links(id, now).await?;
    queue_invitation(&mut tx, links, department, id, &person.email, person.role.label(), now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::StaffInviteAgain,
            object_type: "staff",
            object_id: id.to_string(),
            before: None,
            after: None,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The audit entry of a change a staff member makes to their own profile.
fn own_profile(actor: &str, id: StaffId, action: AuditAction, after: serde_json::Value) -> AuditRecord<'_> {
    AuditRecord {
        actor,
        action,
        object_type: "staff",
        object_id: id.to_string(),
        before: None,
        after: Some(after),
    }
}

/// Agrees (or no longer agrees) to be named and pictured on program pages.
pub async fn set_public_profile(
    store: &Store,
    actor: &str,
    id: StaffId,
    public: bool,
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    tx.set_public_profile(id, public).await?;
    let after = serde_json::json!({ "public_profile": public });
    tx.audit(&own_profile(actor, id, AuditAction::ProfileConsent, after), now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Stores one's portrait, already re-encoded by `documents::photo::portrait`.
pub async fn put_photo(
    store: &Store,
    actor: &str,
    id: StaffId,
    jpeg: &[u8],
    (width, height): (u32, u32),
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    tx.put_staff_photo(id, jpeg, (width, height), now).await?;
    let after = serde_json::json!({ "width": width, "height": height });
    tx.audit(&own_profile(actor, id, AuditAction::ProfilePhoto, after), now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes one's portrait.
pub async fn remove_photo(store: &Store, actor: &str, id: StaffId, now: Timestamp) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    if tx.delete_staff_photo(id).await? {
        let after = serde_json::json!({});
        tx.audit(&own_profile(actor, id, AuditAction::ProfilePhotoRemoved, after), now)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sets one's own new password (already hashed) and ends every session of the account,
/// audited without the hash.
pub async fn change_password(
    store: &Store,
    actor: &str,
    user: &crate::store::staff::StaffUser,
    hash: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    store.set_staff_password(&user.email, hash).await?;
    let mut tx = store.begin().await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::StaffPasswordChange,
            object_type: "staff",
            object_id: user.id.to_string(),
            before: None,
            after: None,
        },
        now,
    )
    .await?;
    tx.commit().await
}
