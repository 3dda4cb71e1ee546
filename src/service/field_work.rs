//! Officers' records of their work in the community: duty assignments, the activity log
//! at schools and organizations, and training given. One transaction per change, with its
//! audit record.

use jiff::Timestamp;
use jiff::civil::Date;

use super::Error;
use crate::domain::activity::Activity;
use crate::domain::audit::AuditAction;
use crate::domain::duties::Assignment;
use crate::domain::training::Training;
use crate::domain::{ActivityId, DutyId, StaffId, TrainingId};
use crate::store::Store;
use crate::store::activity::ActivityRow;
use crate::store::staff::AuditRecord;

/// Assigns a duty. Refused (`Invalid`) when `staff` names no officer or coordinator.
pub async fn assign_duty(
    store: &Store,
    actor: &str,
    staff: StaffId,
    assignment: &Assignment,
    now: Timestamp,
) -> Result<DutyId, Error> {
    let mut tx = store.begin().await?;
    let Some(id) = tx.insert_duty(staff, assignment).await? else {
        return Err(Error::invalid_because(vec!["Choose the officer from the list.".into()]));
    };
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::DutyAssign,
            object_type: "duty",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "staff_id": staff, "assignment": assignment })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Ends a duty on `day` (its last day). Refused when it has ended or began after `day`.
pub async fn end_duty(store: &Store, actor: &str, id: DutyId, day: Date, now: Timestamp) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    if !tx.end_duty(id, day).await? {
        return Err(Error::conflict(
            "That duty has already ended, or the day is before it started.",
        ));
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::DutyEnd,
            object_type: "duty",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "ends_on": day.to_string() })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Logs an activity (checked by `domain::activity`) as `officer`'s own.
pub async fn log_activity(
    store: &Store,
    actor: &str,
    officer: StaffId,
    a: &Activity,
    now: Timestamp,
) -> Result<ActivityId, Error> {
    let mut tx = store.begin().await?;
    let id = tx.insert_activity(officer, a, now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ActivityLog,
            object_type: "activity",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!(a)),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes `officer`'s own activity entry `row` to `a`; an entry of someone else's is
/// not found (the UPDATE names the officer).
pub async fn change_activity(
    store: &Store,
    actor: &str,
    officer: StaffId,
    row: &ActivityRow,
    a: &Activity,
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    if !tx.update_activity(row.id, officer, a, now).await? {
        return Err(Error::NotFound("activity"));
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ActivityUpdate,
            object_type: "activity",
            object_id: row.id.to_string(),
            before: Some(serde_json::json!({
                "kind": row.kind.code(),
                "school_id": row.school_id,
                "occurred_on": row.occurred_on.to_string(),
                "minutes": row.minutes,
                "people_reached": row.people_reached,
                "note": row.note,
            })),
            after: Some(serde_json::json!(a)),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Logs training `trainer` gave.
pub async fn log_training(
    store: &Store,
    actor: &str,
    trainer: StaffId,
    t: &Training,
    now: Timestamp,
) -> Result<TrainingId, Error> {
    let mut tx = store.begin().await?;
    let id = tx.insert_training(trainer, t, now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::TrainingLog,
            object_type: "training",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!(t)),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
