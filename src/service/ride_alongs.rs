//! Ride-along bookings of confirmed participants, within the slots the department opens.

use jiff::Timestamp;

use super::ActionError;
use super::registrar::context;
use crate::domain::application;
use crate::domain::{ApplicationId, ApplicationStatus};
use crate::notify::messages;
use crate::store::{Store, StoreError};

/// Books a ride-along slot for a confirmed participant, never more riders than seats:
/// the slot row is locked while its bookings are counted. The participant gets an email.
pub async fn book_ride_along(
    store: &Store,
    email_key: &str,
    id: ApplicationId,
    slot_id: i64,
    now: Timestamp,
) -> Result<(), ActionError> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(ActionError::NotFound)?;
    if application::email_key(&app.email) != email_key {
        return Err(ActionError::NotFound);
    }
    // Class before slot, the order every transaction takes them in.
    let class = tx.lock_class(app.class_id).await?.ok_or(ActionError::NotFound)?;
    let slot = tx.lock_slot(slot_id).await?.ok_or(ActionError::NotFound)?;
    if slot.class_id != app.class_id {
        return Err(ActionError::NotFound);
    }
    let facts = crate::domain::ride_along::BookingFacts {
        participant: app.status.0 == ApplicationStatus::Confirmed,
        ride_along_done: tx.ride_along_done(id).await?,
        has_booking: tx.booking_of(id).await?.is_some(),
        slot_starts_at: Timestamp::from_second(slot.starts_at).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        seats: slot.seats,
        booked: slot.booked,
    };
    crate::domain::ride_along::may_book(&facts, now).map_err(|r| ActionError::NotAllowed(r.message()))?;
    tx.insert_booking(slot_id, id, now).await?;
    tx.enqueue(
        &messages::ride_along_booked(
            &context(&class),
            &app.email,
            &app.first_name,
            facts.slot_starts_at,
            &slot.shift,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels a participant's ride-along booking while the slot is still open.
pub async fn cancel_ride_along(
    store: &Store,
    email_key: &str,
    id: ApplicationId,
    now: Timestamp,
) -> Result<(), ActionError> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(ActionError::NotFound)?;
    if application::email_key(&app.email) != email_key {
        return Err(ActionError::NotFound);
    }
    let slot_id = tx
        .booking_of(id)
        .await?
        .ok_or(ActionError::NotAllowed("You have no ride-along booked."))?;
    let slot = tx.lock_slot(slot_id).await?.ok_or(ActionError::NotFound)?;
    let starts_at = Timestamp::from_second(slot.starts_at).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if !crate::domain::ride_along::open(starts_at, now) {
        return Err(ActionError::NotAllowed(
            "The shift starts within 24 hours; call the department to change it.",
        ));
    }
    tx.delete_booking(id).await?;
    tx.commit().await?;
    Ok(())
}
