//! Messages queued by the clock rather than by a change: session reminders the day
//! before (at the department's local hour) and a last call on seat offers. Each carries
//! a dedupe key, so a job that runs every few seconds, on several instances, queues each
//! of them once.

use jiff::{SignedDuration, Timestamp};

use super::messages::{self, Context, Reminder};
use crate::auth::tokens;
use crate::domain::application;
use crate::domain::reminders::{offer_warning_at, session_reminder_due};
use crate::notify::Links;
use crate::store::{Store, StoreError, from_secs};

/// How far ahead the reminder job looks: a session's reminder is due at the earliest
/// the day before, which is less than two days ahead.
const LOOK_AHEAD: SignedDuration = SignedDuration::from_hours(48);
/// How far ahead the offer job looks (the longest warning is 12 hours).
const OFFER_LOOK_AHEAD: SignedDuration = SignedDuration::from_hours(13);
/// A last-call link lasts until the offer ends, and a little beyond for a late click.
const LINK_GRACE: SignedDuration = SignedDuration::from_hours(1);

/// Queues the session reminders due at `now`; returns how many were new.
pub async fn queue_session_reminders(
    store: &Store,
    links: &Links,
    reminder_hour: u8,
    now: Timestamp,
) -> Result<usize, StoreError> {
    let Some(dept) = store.department().await? else {
        return Ok(0);
    };
    let tz = dept.tz();
    let until = now.checked_add(LOOK_AHEAD).unwrap_or(now);
    let mut out = Vec::new();
    for row in store.reminder_candidates(now, until).await? {
        let starts_at = from_secs(row.starts_at)?;
        if !session_reminder_due(now, starts_at, &tz, reminder_hour) {
            continue;
        }
        let ctx = Context {
            department: &dept.name,
            program: &row.program_name,
            class: &row.class_name,
            time_zone: &dept.time_zone,
        };
        let place = [
            row.place.as_str(),
            row.location_name.as_str(),
            row.location_address.as_str(),
        ]
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .fold(Vec::<&str>::new(), |mut parts, p| {
            if !parts.contains(&p) {
                parts.push(p);
            }
            parts
        })
        .join(", ");
        let class_link = format!("{}/classes/{}", links.base_url, row.class_id);
        out.push(messages::session_reminder(
            &ctx,
            &row.email,
            &row.first_name,
            &Reminder {
                session_id: row.session_id,
                topic: &row.topic,
                starts_at,
                ends_at: from_secs(row.ends_at)?,
                place: &place,
                what_to_bring: &row.what_to_bring,
                class_link: &class_link,
            },
        ));
    }
    store.enqueue_scheduled(&out, now).await
}

/// Queues the "your offer ends soon" messages due at `now`, each with a fresh sign-in
/// link; returns how many were new.
pub async fn queue_offer_warnings(store: &Store, links: &Links, now: Timestamp) -> Result<usize, StoreError> {
    let Some(dept) = store.department().await? else {
        return Ok(0);
    };
    let until = now.checked_add(OFFER_LOOK_AHEAD).unwrap_or(now);
    let mut queued = 0;
    for offer in store.offers_ending(now, until).await? {
        let expires_at = from_secs(offer.offer_expires_at)?;
        if now < offer_warning_at(expires_at, offer.offer_hours) {
            continue;
        }
        let ctx = Context {
            department: &dept.name,
            program: &offer.program_name,
            class: &offer.class_name,
            time_zone: &dept.time_zone,
        };
        let token = tokens::generate();
        let link_expires = expires_at.checked_add(LINK_GRACE).unwrap_or(expires_at);
        let link = crate::store::outbox::SecretLink::new(
            crate::domain::mail::LinkKind::ApplicantSignIn,
            &links.base_url,
            &token,
            Some(link_expires),
        );
        let message = messages::offer_expiring(
            &ctx,
            offer.application_id,
            &offer.email,
            &offer.first_name,
            expires_at,
            link,
        );
        let mut tx = store.begin().await?;
        // The link is stored only with a message that is new, so repeats leave nothing.
        if tx.enqueue(&message, now).await? {
            tx.insert_access_link(
                &tokens::hash(&token),
                &application::email_key(&offer.email),
                link_expires,
                now,
            )
            .await?;
            queued += 1;
        }
        tx.commit().await?;
    }
    Ok(queued)
}
