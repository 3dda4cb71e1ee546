//! Seats passing along the waitlist: offers when seats free up, offers that run out,
//! lottery draws and staff moving someone in the queue. The rules are in
//! `domain::waitlist`; this module applies them inside one transaction per class, with the
//! class row locked, and queues the emails that follow.

use jiff::Timestamp;

use super::Error;
use super::registrar::{LINK_DAYS, context};
use crate::auth::tokens;
use crate::domain::application;
use crate::domain::audit::AuditAction;
use crate::domain::mail::LinkKind;
use crate::domain::waitlist::{self, Drawn};
use crate::domain::{ApplicationId, ApplicationStatus};
use crate::notify::{Links, messages};
use crate::store::applications::{Channel, ClassForAllocation};
use crate::store::outbox::SecretLink;
use crate::store::{Store, StoreError, Tx};

/// Offers a class's free seats to its waitlist and emails each person offered a seat.
pub(crate) async fn offer_freed_seats(
    tx: &mut Tx,
    class: &ClassForAllocation,
    links: &Links,
    now: Timestamp,
) -> Result<usize, StoreError> {
    let free = waitlist::seats_to_offer(class.capacity_for(Channel::Online), tx.seats_held(class.id).await?);
    if free == 0 {
        return Ok(0);
    }
    let expires_at = waitlist::offer_expires_at(now, class.offer_hours)
        .ok_or_else(|| StoreError::Corrupt(format!("class {}: offer hours out of range", class.id)))?;
    let next = tx.waitlist_head(class.id, free).await?;
    let ctx = context(class);
    for (id, email, first_name) in &next {
        tx.mark_offered(*id, expires_at, now).await?;
        let token = tokens::generate();
        tx.insert_access_link(&tokens::hash(&token), &application::email_key(email), expires_at, now)
            .await?;
        let link = SecretLink::new(LinkKind::ApplicantSignIn, &links.base_url, &token, Some(expires_at));
        tx.enqueue(&messages::seat_offered(&ctx, email, first_name, expires_at, link), now)
            .await?;
    }
    Ok(next.len())
}

/// Expires offers that ran out by `now` and passes their seats on. Safe on several
/// instances: each class is handled under its row lock, and the expiry UPDATE re-checks
/// the offer's state, so a second instance finds nothing left to do.
pub async fn expire_offers(store: &Store, links: &Links, now: Timestamp) -> Result<usize, StoreError> {
    let mut expired = 0;
    for class_id in store.classes_with_expired_offers(now).await? {
        let mut tx = store.begin().await?;
        let Some(class) = tx.lock_class(class_id).await? else {
            continue;
        };
        let gone = tx.expire_offers_of(class_id, now).await?;
        let ctx = context(&class);
        for a in &gone {
            tx.enqueue(&messages::offer_expired(&ctx, &a.email, &a.first_name), now)
                .await?;
        }
        offer_freed_seats(&mut tx, &class, links, now).await?;
        tx.commit().await?;
        expired += gone.len();
    }
    Ok(expired)
}

/// Commits new lottery classes to a seed and draws the lotteries whose registration
/// closed. Safe on several instances: the draw is claimed by a conditional UPDATE that
/// succeeds once.
pub async fn draw_due_lotteries(store: &Store, links: &Links, now: Timestamp) -> Result<usize, StoreError> {
    for class_id in store.lottery_classes_without_seed().await? {
        let seed = tokens::random_bytes();
        let mut tx = store.begin().await?;
        tx.set_lottery_seed(class_id, &hex::encode(seed), &crate::domain::lottery::seed_hash(&seed))
            .await?;
        tx.commit().await?;
    }
    let mut drawn = 0;
    for class_id in store.lotteries_due(now).await? {
        let mut tx = store.begin().await?;
        let Some(class) = tx.lock_class(class_id).await? else {
            continue;
        };
        let Some(seed_hex) = tx.claim_draw(class_id, now).await? else {
            continue;
        };
        let seed = crate::domain::lottery::parse_seed(&seed_hex)
            .ok_or_else(|| StoreError::Corrupt(format!("class {class_id}: lottery seed")))?;
        let order = crate::domain::lottery::draw(&seed, &tx.entered_ids(class_id).await?);
        let free = waitlist::seats_to_offer(class.capacity_for(Channel::Online), tx.seats_held(class_id).await?);
        let seated = if class.eligibility.requires_review() {
            ApplicationStatus::PendingReview
        } else {
            ApplicationStatus::Confirmed
        };
        let ctx = context(&class);
        for (i, id) in order.iter().enumerate() {
            let rank = i as i64 + 1;
            let (status, position) = match waitlist::drawn_place(rank, free, seated) {
                Drawn::Seat(status) => (status, None),
                Drawn::Waitlist(position) => (ApplicationStatus::Waitlisted, Some(position)),
            };
            let (email, first_name) = tx.place_drawn(*id, status, rank, now).await?;
            let token = tokens::generate();
            let expires = now
                .checked_add(jiff::SignedDuration::from_hours(24 * LINK_DAYS))
                .unwrap_or(now);
            tx.insert_access_link(&tokens::hash(&token), &application::email_key(&email), expires, now)
                .await?;
            let link = SecretLink::new(LinkKind::ApplicantSignIn, &links.base_url, &token, Some(expires));
            tx.enqueue(
                &messages::lottery_result(&ctx, &email, &first_name, status, position, link),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        drawn += 1;
    }
    Ok(drawn)
}

/// Moves a waitlisted application to another place on its class's waitlist, recording
/// who moved whom, from where to where, and why.
pub async fn move_on_waitlist(
    store: &Store,
    actor: &str,
    id: ApplicationId,
    position: usize,
    reason: &str,
    now: Timestamp,
) -> Result<usize, Error> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(Error::NotFound("application"))?;
    tx.lock_class(app.class_id)
        .await?
        .ok_or(Error::NotFound("application"))?;
    let current = tx.waitlist_ranks(app.class_id).await?;
    let ids: Vec<ApplicationId> = current.iter().map(|(i, _)| *i).collect();
    let from = ids
        .iter()
        .position(|i| *i == id)
        .ok_or(Error::conflict("Only waitlisted applications can be moved."))?;
    let order = application::move_in_queue(&ids, id, position).ok_or(Error::NotFound("application"))?;
    // Reuse the same rank values in the new order, so other classes' ranks are untouched.
    let ranks: Vec<i64> = current.iter().map(|(_, r)| *r).collect();
    for (new_id, rank) in order.iter().zip(&ranks) {
        tx.set_queue_rank(*new_id, *rank, now).await?;
    }
    let to = order.iter().position(|i| *i == id).unwrap_or(from) + 1;
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: AuditAction::WaitlistMove,
            object_type: "application",
            object_id: id.to_string(),
            before: Some(serde_json::json!({ "position": from + 1 })),
            after: Some(serde_json::json!({ "position": to, "reason": reason })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(to)
}
