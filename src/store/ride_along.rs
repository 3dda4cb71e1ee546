//! Ride-along slots and bookings.

use jiff::Timestamp;

use super::{Store, StoreError, Tx, TxInner, dispatch, on_tx, to_secs};
use crate::domain::ride_along::Slot;
use crate::domain::{ApplicationId, ClassId, SlotId, StaffId};

/// A slot with its officer and how many seats are booked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SlotRow {
    pub id: SlotId,
    pub class_id: ClassId,
    pub starts_at: i64,
    pub ends_at: i64,
    pub shift: String,
    pub officer_name: Option<String>,
    pub seats: i64,
    pub booked: i64,
}

/// Who booked which slot.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookingRow {
    pub slot_id: SlotId,
    pub application_id: ApplicationId,
    pub first_name: String,
    pub last_name: String,
}

const DONE_SQL: &str = "SELECT ride_along_done FROM applications WHERE id = $1";

const SLOT_COLUMNS: &str = "s.id, s.class_id, s.starts_at, s.ends_at, s.shift, st.full_name AS officer_name, s.seats, \
     (SELECT COUNT(*) FROM ride_along_bookings b WHERE b.slot_id = s.id) AS booked";

impl Store {
    /// A class's slots in time order.
    pub async fn ride_along_slots(&self, class_id: ClassId) -> Result<Vec<SlotRow>, StoreError> {
        let sql = format!(
            "SELECT {SLOT_COLUMNS} FROM ride_along_slots s LEFT JOIN staff st ON st.id = s.officer_id \
             WHERE s.class_id = $1 ORDER BY s.starts_at, s.id"
        );
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(class_id).fetch_all(p).await)?)
    }

    /// Every booking in a class.
    pub async fn ride_along_bookings(&self, class_id: ClassId) -> Result<Vec<BookingRow>, StoreError> {
        let sql = "SELECT b.slot_id, b.application_id, a.first_name, a.last_name FROM ride_along_bookings b \
                   JOIN ride_along_slots s ON s.id = b.slot_id JOIN applications a ON a.id = b.application_id \
                   WHERE s.class_id = $1 ORDER BY lower(a.last_name), lower(a.first_name)";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(class_id).fetch_all(p).await)?)
    }

    /// Whether the participant's ride-along is recorded as done.
    pub async fn ride_along_done(&self, id: ApplicationId) -> Result<bool, StoreError> {
        let done: Option<bool> =
            dispatch!(&self.pool, p => sqlx::query_scalar(DONE_SQL).bind(id).fetch_optional(p).await)?;
        Ok(done.unwrap_or(false))
    }

    /// The slot an application has booked, if any.
    pub async fn booked_slot(&self, id: ApplicationId) -> Result<Option<SlotRow>, StoreError> {
        let sql = format!(
            "SELECT {SLOT_COLUMNS} FROM ride_along_slots s LEFT JOIN staff st ON st.id = s.officer_id \
             JOIN ride_along_bookings bk ON bk.slot_id = s.id WHERE bk.application_id = $1"
        );
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?)
    }
}

impl Tx {
    /// Adds a slot; returns its id.
    pub async fn insert_slot(
        &mut self,
        class_id: ClassId,
        slot: &Slot,
        officer: Option<StaffId>,
        now: Timestamp,
    ) -> Result<SlotId, StoreError> {
        let sql = "INSERT INTO ride_along_slots (class_id, starts_at, ends_at, shift, officer_id, seats, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        Ok(
            on_tx!(self, c => sqlx::query_scalar(sql).bind(class_id).bind(to_secs(slot.starts_at))
            .bind(to_secs(slot.ends_at)).bind(&slot.shift).bind(officer).bind(slot.seats).bind(to_secs(now))
            .fetch_one(c).await)?,
        )
    }

    /// Reads a slot and holds it until the transaction ends, so two bookings of its last
    /// seat are decided one after the other (SQLite's write transactions already are).
    pub async fn lock_slot(&mut self, id: SlotId) -> Result<Option<SlotRow>, StoreError> {
        if let TxInner::Postgres(t) = &mut self.inner {
            sqlx::query("SELECT id FROM ride_along_slots WHERE id = $1 FOR UPDATE")
                .bind(id)
                .execute(&mut **t)
                .await?;
        }
        let sql = format!(
            "SELECT {SLOT_COLUMNS} FROM ride_along_slots s LEFT JOIN staff st ON st.id = s.officer_id WHERE s.id = $1"
        );
        Ok(on_tx!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?)
    }

    /// The slot id an application has booked, if any.
    pub async fn booking_of(&mut self, id: ApplicationId) -> Result<Option<SlotId>, StoreError> {
        let sql = "SELECT slot_id FROM ride_along_bookings WHERE application_id = $1";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql).bind(id).fetch_optional(c).await)?)
    }

    pub async fn insert_booking(&mut self, slot: SlotId, id: ApplicationId, now: Timestamp) -> Result<(), StoreError> {
        let sql = "INSERT INTO ride_along_bookings (slot_id, application_id, booked_at) VALUES ($1, $2, $3)";
        on_tx!(self, c => sqlx::query(sql).bind(slot).bind(id).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Removes an application's booking; returns the slot it held.
    pub async fn delete_booking(&mut self, id: ApplicationId) -> Result<Option<SlotId>, StoreError> {
        let slot = self.booking_of(id).await?;
        let sql = "DELETE FROM ride_along_bookings WHERE application_id = $1";
        on_tx!(self, c => sqlx::query(sql).bind(id).execute(c).await.map(|_| ()))?;
        Ok(slot)
    }

    /// Removes a slot nobody booked; false when it has bookings or does not exist.
    pub async fn delete_empty_slot(&mut self, class_id: ClassId, id: SlotId) -> Result<bool, StoreError> {
        let sql = "DELETE FROM ride_along_slots WHERE id = $1 AND class_id = $2 \
                   AND NOT EXISTS (SELECT 1 FROM ride_along_bookings WHERE slot_id = $1)";
        let n =
            on_tx!(self, c => sqlx::query(sql).bind(id).bind(class_id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

impl Tx {
    /// Whether the participant's ride-along is recorded as done.
    pub async fn ride_along_done(&mut self, id: ApplicationId) -> Result<bool, StoreError> {
        let done: Option<bool> = on_tx!(self, c => sqlx::query_scalar(DONE_SQL).bind(id).fetch_optional(c).await)?;
        Ok(done.unwrap_or(false))
    }
}
