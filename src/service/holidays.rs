//! Keeping the department's holidays: each change in its own transaction and audited.
//! Shared by the staff pages and the staff JSON API.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::domain::audit::AuditAction;
use crate::domain::holidays::{self, Holiday};
use crate::store::staff::AuditRecord;
use crate::store::{Store, StoreError, Tx};

async fn audit(tx: &mut Tx, who: &str, action: AuditAction, h: &Holiday, now: Timestamp) -> Result<(), StoreError> {
    let json = serde_json::json!({ "date": h.date.to_string(), "name": h.name });
    let (before, after) = if action == AuditAction::HolidayRemove {
        (Some(json), None)
    } else {
        (None, Some(json))
    };
    tx.audit(
        &AuditRecord {
            actor: who,
            action,
            object_type: "holiday",
            object_id: h.date.to_string(),
            before,
            after,
        },
        now,
    )
    .await
}

/// Adds one holiday; false when its date already has one (that one is kept).
pub async fn add(store: &Store, who: &str, holiday: &Holiday, now: Timestamp) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    if !tx.add_holiday(holiday, now).await? {
        return Ok(false);
    }
    audit(&mut tx, who, AuditAction::HolidayAdd, holiday, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes the holiday on `date`; false when there was none.
pub async fn remove(store: &Store, who: &str, date: Date, now: Timestamp) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    let Some(name) = tx.remove_holiday(date).await? else {
        return Ok(false);
    };
    audit(&mut tx, who, AuditAction::HolidayRemove, &Holiday { date, name }, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Adds a year's US federal holidays, keeping any holiday the department already has on
/// one of those days; returns how many were added.
pub async fn add_federal(store: &Store, who: &str, year: i16, now: Timestamp) -> Result<usize, StoreError> {
    let mut tx = store.begin().await?;
    let mut added = 0;
    for h in holidays::us_federal(year) {
        if tx.add_holiday(&h, now).await? {
            audit(&mut tx, who, AuditAction::HolidayAdd, &h, now).await?;
            added += 1;
        }
    }
    tx.commit().await?;
    Ok(added)
}
