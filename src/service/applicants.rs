//! What residents do with an application after filing it (confirm, withdraw, take or
//! turn down an offer), staff corrections to it, and the sign-in links and sessions that
//! let residents in without a password.

use jiff::Timestamp;

use super::Error;
use super::registrar::context;
use super::waitlist::offer_freed_seats;
use crate::auth::tokens;
use crate::domain::application;
use crate::domain::mail::LinkKind;
use crate::domain::{ApplicationId, ApplicationStatus};
use crate::notify::{Links, messages};
use crate::store::outbox::SecretLink;
use crate::store::{Store, StoreError};

/// What an applicant can do to their application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Withdraw, taking effect after [`application::WITHDRAW_GRACE`].
    Withdraw,
    /// Take back a withdrawal that has not taken effect yet.
    KeepApplication,
    AcceptOffer,
    DeclineOffer,
}

/// Carries out an applicant's action on one of their own applications, passing a freed
/// seat to the waitlist in the same transaction. A withdrawal is only scheduled here (the
/// place is kept until it takes effect); [`finish_withdrawals`] carries it out.
pub async fn act(
    store: &Store,
    links: &Links,
    email_key: &str,
    id: ApplicationId,
    action: Action,
    now: Timestamp,
) -> Result<ApplicationStatus, Error> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(Error::NotFound("application"))?;
    if application::email_key(&app.email) != email_key {
        return Err(Error::NotFound("application"));
    }
    let class = tx
        .lock_class(app.class_id)
        .await?
        .ok_or(Error::NotFound("application"))?;
    let current = app.status.0;
    let offer_open = current == ApplicationStatus::Offered && app.offer_expires_at.is_some_and(|t| t > now.as_second());
    let (from, to): (&[ApplicationStatus], ApplicationStatus) = match action {
        Action::Withdraw => {
            if !current.can_withdraw() {
                return Err(Error::conflict("This application can no longer be withdrawn."));
            }
            if !tx
                .schedule_withdrawal(id, application::withdrawal_takes_effect(now), now)
                .await?
            {
                return Err(Error::conflict("You have already asked to withdraw this application."));
            }
            tx.commit().await?;
            return Ok(current);
        }
        Action::KeepApplication => {
            if !tx.keep_application(id, now).await? {
                return Err(Error::conflict(
                    "There is no withdrawal to take back: it has already taken effect, or was never asked for.",
                ));
            }
            tx.commit().await?;
            return Ok(current);
        }
        Action::AcceptOffer if offer_open => {
            let to = if class.eligibility.requires_review() {
                ApplicationStatus::PendingReview
            } else {
                ApplicationStatus::Confirmed
            };
            (&[ApplicationStatus::Offered], to)
        }
        Action::DeclineOffer if offer_open => (&[ApplicationStatus::Offered], ApplicationStatus::Declined),
        Action::AcceptOffer | Action::DeclineOffer => {
            return Err(Error::conflict("There is no open seat offer on this application."));
        }
    };
    if !tx.set_status(id, from, to, now).await? {
        return Err(Error::conflict(
            "This application changed in the meantime; reload the page.",
        ));
    }
    if current.holds_seat() && !to.holds_seat() {
        offer_freed_seats(&mut tx, &class, links, now).await?;
    }
    tx.commit().await?;
    Ok(to)
}

/// Carries out the withdrawals whose grace period has ended as of `now`: each in its own
/// transaction, with the confirmation email and the freed seat offered on. Returns how
/// many took effect.
pub async fn finish_withdrawals(store: &Store, links: &Links, now: Timestamp) -> Result<usize, Error> {
    let mut done = 0;
    for id in store.due_withdrawals(now, 200).await? {
        let mut tx = store.begin().await?;
        let Some(app) = tx.application(id).await? else {
            continue;
        };
        if app.withdraw_at.is_none_or(|at| at > now.as_second()) {
            // Taken back, or already carried out, since the list was read.
            continue;
        }
        let current = app.status.0;
        let Some(class) = tx.lock_class(app.class_id).await? else {
            tx.clear_withdrawal(id).await?;
            tx.commit().await?;
            continue;
        };
        if !current.can_withdraw() || !tx.set_status(id, &[current], ApplicationStatus::Withdrawn, now).await? {
            // The application moved on meanwhile (an offer expired, staff acted).
            tx.clear_withdrawal(id).await?;
            tx.commit().await?;
            continue;
        }
        // A ride-along seat is freed with the class seat.
        tx.delete_booking(id).await?;
        tx.enqueue(&messages::withdrawn(&context(&class), &app.email, &app.first_name), now)
            .await?;
        if current.holds_seat() {
            offer_freed_seats(&mut tx, &class, links, now).await?;
        }
        tx.commit().await?;
        done += 1;
    }
    Ok(done)
}

/// Emails a fresh sign-in link if applications exist under `email`. Says nothing either
/// way to the caller, so the form cannot be used to learn who applied.
pub async fn send_access_link(
    store: &Store,
    links: &Links,
    department: &str,
    email: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let key = application::email_key(email);
    let mut tx = store.begin().await?;
    if tx.has_applications(&key).await? {
        let token = tokens::generate();
        let expires = now.checked_add(jiff::SignedDuration::from_hours(24)).unwrap_or(now);
        tx.insert_access_link(&tokens::hash(&token), &key, expires, now).await?;
        let link = SecretLink::new(LinkKind::ApplicantSignIn, &links.base_url, &token, Some(expires));
        tx.enqueue(&messages::access_link(department, email.trim(), link), now)
            .await?;
    }
    tx.commit().await
}

/// How long an applicant stays signed in after using a link.
pub const SESSION_DAYS: i64 = 14;

/// Uses a sign-in link: on success returns a new session id (to set as a cookie).
pub async fn open_session(store: &Store, token: &str, now: Timestamp) -> Result<Option<String>, StoreError> {
    let mut tx = store.begin().await?;
    let Some(email_key) = tx.consume_access_link(&tokens::hash(token), now).await? else {
        return Ok(None);
    };
    let session = tokens::generate();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(24 * SESSION_DAYS))
        .unwrap_or(now);
    tx.insert_applicant_session(&tokens::hash(&session), &email_key, expires, now)
        .await?;
    tx.commit().await?;
    Ok(Some(session))
}

/// Corrects an applicant's contact details on one of their own applications, until the
/// class's correction deadline.
pub async fn correct(
    store: &Store,
    email_key: &str,
    id: ApplicationId,
    correction: &application::ContactCorrection,
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(Error::NotFound("application"))?;
    if application::email_key(&app.email) != email_key {
        return Err(Error::NotFound("application"));
    }
    let class = tx
        .lock_class(app.class_id)
        .await?
        .ok_or(Error::NotFound("application"))?;
    if !application::corrections_open(class.corrections_until, class.first_session_at, now) {
        return Err(Error::conflict(
            "The deadline for corrections has passed; contact us instead.",
        ));
    }
    if !app.status.0.can_withdraw() {
        return Err(Error::conflict("This application can no longer be changed."));
    }
    tx.correct_contact(id, correction, now).await?;
    tx.commit().await?;
    Ok(())
}
