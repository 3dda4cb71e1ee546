//! Screening review: reviewers' entries on each stage, the background check, and the
//! decision on an application pending review.

use jiff::Timestamp;

use super::Error;
use super::registrar::context;
use super::waitlist::offer_freed_seats;
use crate::domain::application;
use crate::domain::audit::AuditAction;
use crate::domain::{ApplicationId, ApplicationStatus, ScreeningEntryId};
use crate::notify::{Links, messages};
use crate::store::Store;
use crate::store::staff::AuditRecord;

/// Records a reviewer's decision on a pending application: approval confirms the seat
/// (once any required background check is cleared); denial frees the seat for the
/// waitlist. The applicant is told either way, and the change is audited.
pub async fn decide(
    store: &Store,
    links: &Links,
    actor: &str,
    id: ApplicationId,
    decision: &application::Decision,
    now: Timestamp,
) -> Result<ApplicationStatus, Error> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(Error::NotFound("application"))?;
    let class = tx
        .lock_class(app.class_id)
        .await?
        .ok_or(Error::NotFound("application"))?;
    if app.status.0 != ApplicationStatus::PendingReview {
        return Err(Error::conflict("Only applications waiting for review can be decided."));
    }
    let (to, reason) = match decision {
        application::Decision::Approve => {
            let check = tx
                .background_check(id)
                .await?
                .and_then(|c| application::BackgroundCheck::parse(&c));
            application::may_approve(
                class.eligibility.background_check,
                check.unwrap_or(application::BackgroundCheck::NotStarted),
            )
            .map_err(Error::conflict)?;
            let screening = tx.screening(app.class_id).await?;
            let entries = tx.screening_state(id).await?;
            if !screening.unfinished(&entries).is_empty() {
                return Err(Error::conflict(
                    "Every screening stage must be passed before the application is approved.",
                ));
            }
            (ApplicationStatus::Confirmed, None)
        }
        application::Decision::Deny { reason } => (ApplicationStatus::Denied, Some(reason.as_str())),
    };
    if !tx.set_status(id, &[ApplicationStatus::PendingReview], to, now).await? {
        return Err(Error::conflict(
            "This application changed in the meantime; reload the page.",
        ));
    }
    tx.record_decision(id, reason, actor, now).await?;
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: AuditAction::ApplicationDecide,
            object_type: "application",
            object_id: id.to_string(),
            before: Some(serde_json::json!({ "status": "pending_review" })),
            after: Some(serde_json::json!({ "status": to.code(), "reason": reason })),
        },
        now,
    )
    .await?;
    let ctx = context(&class);
    tx.enqueue(
        &messages::review_decision(
            &ctx,
            &app.email,
            &app.first_name,
            to == ApplicationStatus::Confirmed,
            reason,
        ),
        now,
    )
    .await?;
    if to == ApplicationStatus::Denied {
        offer_freed_seats(&mut tx, &class, links, now).await?;
    }
    tx.commit().await?;
    Ok(to)
}

/// Records one reviewer's word on one screening stage; `sensitive` marks the audit entry
/// so the log hides it from reviewers the department does not name.
pub async fn record_screening(
    store: &Store,
    entry: &crate::store::screening::NewEntry<'_>,
    sensitive: bool,
    now: Timestamp,
) -> Result<ScreeningEntryId, crate::store::StoreError> {
    let mut tx = store.begin().await?;
    let entry_id = tx.add_screening_entry(entry, now).await?;
    tx.audit(
        &AuditRecord {
            actor: entry.reviewer,
            action: AuditAction::ApplicationScreening,
            object_type: "application",
            object_id: entry.application_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "entry": entry_id,
                "stage": entry.stage,
                "outcome": entry.outcome.code(),
                "reason": entry.reason_code,
                "sensitive": sensitive,
            })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(entry_id)
}

/// Records the background check's status.
pub async fn set_background_check(
    store: &Store,
    actor: &str,
    id: ApplicationId,
    check: application::BackgroundCheck,
    now: Timestamp,
) -> Result<(), crate::store::StoreError> {
    let mut tx = store.begin().await?;
    let before = tx.set_background_check(id, check.code(), actor, now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ApplicationBackgroundCheck,
            object_type: "application",
            object_id: id.to_string(),
            before: before.map(|b| serde_json::json!({ "background_check": b })),
            after: Some(serde_json::json!({ "background_check": check.code() })),
        },
        now,
    )
    .await?;
    tx.commit().await
}
