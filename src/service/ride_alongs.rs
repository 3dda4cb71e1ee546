//! Ride-along bookings of confirmed participants, within the slots the department opens.

use jiff::Timestamp;

use super::Error;
use super::registrar::context;
use crate::domain::application;
use crate::domain::audit::AuditAction;
use crate::domain::{ApplicationId, ApplicationStatus, ClassId, SlotId, StaffId};
use crate::notify::messages;
use crate::store::staff::AuditRecord;
use crate::store::{Store, StoreError};

/// Books a ride-along slot for a confirmed participant, never more riders than seats:
/// the slot row is locked while its bookings are counted. The participant gets an email.
pub async fn book_ride_along(
    store: &Store,
    email_key: &str,
    id: ApplicationId,
    slot_id: SlotId,
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(Error::NotFound("ride-along shift"))?;
    if application::email_key(&app.email) != email_key {
        return Err(Error::NotFound("ride-along shift"));
    }
    // Class before slot, the order every transaction takes them in.
    let class = tx
        .lock_class(app.class_id)
        .await?
        .ok_or(Error::NotFound("ride-along shift"))?;
    let slot = tx
        .lock_slot(slot_id)
        .await?
        .ok_or(Error::NotFound("ride-along shift"))?;
    if slot.class_id != app.class_id {
        return Err(Error::NotFound("ride-along shift"));
    }
    let facts = crate::domain::ride_along::BookingFacts {
        participant: app.status.0 == ApplicationStatus::Confirmed,
        ride_along_done: tx.ride_along_done(id).await?,
        has_booking: tx.booking_of(id).await?.is_some(),
        slot_starts_at: Timestamp::from_second(slot.starts_at).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        seats: slot.seats,
        booked: slot.booked,
    };
    crate::domain::ride_along::may_book(&facts, now).map_err(|r| Error::conflict(r.message()))?;
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
pub async fn cancel_ride_along(store: &Store, email_key: &str, id: ApplicationId, now: Timestamp) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(Error::NotFound("application"))?;
    if application::email_key(&app.email) != email_key {
        return Err(Error::NotFound("application"));
    }
    let slot_id = tx
        .booking_of(id)
        .await?
        .ok_or(Error::conflict("You have no ride-along booked."))?;
    let slot = tx.lock_slot(slot_id).await?.ok_or(Error::NotFound("application"))?;
    let starts_at = Timestamp::from_second(slot.starts_at).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if !crate::domain::ride_along::open(starts_at, now) {
        return Err(Error::conflict(
            "The shift starts within 24 hours; call the department to change it.",
        ));
    }
    tx.delete_booking(id).await?;
    tx.commit().await?;
    Ok(())
}

/// Offers a ride-along shift to a class's participants (checked by `domain::ride_along`).
pub async fn offer_shift(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    slot: &crate::domain::ride_along::Slot,
    officer: Option<StaffId>,
    now: Timestamp,
) -> Result<SlotId, super::Error> {
    let mut tx = store.begin().await?;
    let slot_id = tx.insert_slot(class_id, slot, officer, now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::RideAlongSlotCreate,
            object_type: "ride_along_slot",
            object_id: slot_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "class": class_id,
                "starts_at": slot.starts_at.to_string(),
                "ends_at": slot.ends_at.to_string(),
                "shift": slot.shift,
                "seats": slot.seats,
                "officer": officer,
            })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(slot_id)
}

/// Withdraws a shift nobody booked.
pub async fn remove_shift(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    slot: SlotId,
    now: Timestamp,
) -> Result<(), super::Error> {
    let mut tx = store.begin().await?;
    if !tx.delete_empty_slot(class_id, slot).await? {
        return Err(super::Error::conflict(
            "Only a shift nobody has booked can be removed; ask the riders to choose another first.",
        ));
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::RideAlongSlotDelete,
            object_type: "ride_along_slot",
            object_id: slot.to_string(),
            before: Some(serde_json::json!({ "class": class_id })),
            after: None,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
