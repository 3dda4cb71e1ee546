//! Attendance and graduation as actions: recording marks, the rule's verdicts for a
//! class, and confirming graduation with numbered certificates. Shared by the phone
//! pages and the staff JSON API so both follow the same steps and audit the same way.

use jiff::Timestamp;

use crate::domain::audit::AuditAction;
use crate::domain::graduation::{GraduationRule, Record, TooEarly, Verdict};
use crate::domain::{ApplicationId, ClassId, ClassStatus, SessionId};
use crate::service::Error;
use crate::store::attendance::Participant;
use crate::store::staff::AuditRecord;
use crate::store::{Store, StoreError};

/// Too early by the clock: refused under the reason's name, in the department's time zone.
async fn too_early(store: &Store, reason: TooEarly) -> Error {
    let tz = store
        .department()
        .await
        .ok()
        .flatten()
        .map_or(jiff::tz::TimeZone::UTC, |d| d.tz());
    Error::Conflict {
        kind: reason.slug(),
        why: reason.message(&tz),
    }
}

/// One participant's standing under the program's rule.
pub struct Standing {
    pub p: Participant,
    pub verdict: Verdict,
    pub certificate: Option<String>,
}

/// The rule's verdict for every participant of a class, with any certificate issued.
pub async fn verdicts(store: &Store, class_id: ClassId) -> Result<(GraduationRule, Vec<Standing>), StoreError> {
    let rule = store.graduation_rule(class_id).await?;
    let sessions: Vec<SessionId> = store
        .sessions(class_id)
        .await?
        .into_iter()
        .filter(|s| !s.cancelled)
        .map(|s| s.id)
        .collect();
    let marks = store.class_attendance(class_id).await?;
    let certificates = store.class_certificates(class_id).await?;
    let rows = store
        .participants(class_id)
        .await?
        .into_iter()
        .map(|p| {
            let person: Vec<Option<Record>> = sessions.iter().map(|s| marks.get(&(*s, p.id)).copied()).collect();
            Standing {
                verdict: rule.evaluate(&person, p.ride_along_done),
                certificate: certificates.get(&p.id).cloned(),
                p,
            }
        })
        .collect();
    Ok((rule, rows))
}

/// Records marks for one session of a class, all or none: every id must be a participant.
/// A session that has not started (beyond the check-in lead) takes no marks. A new mark
/// clears an earlier make-up. Each change is audited.
pub async fn record_marks(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    session_id: SessionId,
    marks: &[(ApplicationId, Record)],
    now: Timestamp,
) -> Result<(), Error> {
    let Some((class, starts_at)) = store.session_start(session_id).await? else {
        return Err(Error::NotFound("participant"));
    };
    if class != class_id {
        return Err(Error::NotFound("participant"));
    }
    if let Err(reason) = crate::domain::graduation::check_marking(starts_at, now) {
        return Err(too_early(store, reason).await);
    }
    let mut tx = store.begin().await?;
    check_unlocked(&mut tx, class_id).await?;
    for (application, record) in marks {
        if !tx.is_participant(class_id, *application).await? {
            return Err(Error::NotFound("participant"));
        }
        let record = Record {
            made_up: false,
            ..*record
        };
        let previous = tx.mark_attendance(session_id, *application, record, actor, now).await?;
        tx.audit(
            &AuditRecord {
                actor,
                action: AuditAction::AttendanceMark,
                object_type: "attendance",
                object_id: format!("{session_id}/{application}"),
                before: previous,
                after: Some(serde_json::json!({
                    "mark": record.mark.code(), "minutes_late": record.minutes_late, "made_up": false,
                })),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Refuses to change marks of a class whose marks are locked (graduated, cancelled).
async fn check_unlocked(tx: &mut crate::store::Tx, class_id: ClassId) -> Result<(), Error> {
    let status = tx
        .class_status_for_marks(class_id)
        .await?
        .ok_or(Error::NotFound("participant"))?;
    match crate::domain::graduation::marks_locked(status) {
        Some(reason) => Err(Error::conflict(reason)),
        None => Ok(()),
    }
}

/// Confirms graduation by the rule's verdicts: graduates are completed and get numbered
/// certificates, the others are marked not completed, the class is completed. A class
/// graduates only once its last held session has started. Returns
/// `(application, certificate number)` for each graduate. For a nominated cohort, each
/// school's counselors are emailed their credit report in the same transaction.
pub async fn confirm(
    store: &Store,
    base_url: &str,
    actor: &str,
    class_id: ClassId,
    now: Timestamp,
) -> Result<Vec<(ApplicationId, String)>, Error> {
    let class = store.class(class_id).await?.ok_or(Error::NotFound("class"))?;
    if !class.status.can_become(ClassStatus::Completed) {
        return Err(Error::conflict(
            "Only a class in progress can graduate; start the class first.",
        ));
    }
    let held = store
        .sessions(class_id)
        .await?
        .into_iter()
        .filter(|s| !s.cancelled)
        .map(|s| s.starts_at);
    if let Err(reason) = crate::domain::graduation::check_graduation(held, now) {
        return Err(too_early(store, reason).await);
    }
    let (_, rows) = verdicts(store, class_id).await?;
    let graduates: Vec<ApplicationId> = rows.iter().filter(|r| r.verdict.graduates).map(|r| r.p.id).collect();
    let others: Vec<ApplicationId> = rows.iter().filter(|r| !r.verdict.graduates).map(|r| r.p.id).collect();
    let department = store.department().await?;
    let tz = department.as_ref().map(|d| d.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
    let last_day = class.last_session_at.unwrap_or(now).to_zoned(tz).date();
    let completed_on = last_day.strftime("%B %-d, %Y").to_string();
    let mut tx = store.begin().await?;
    // Re-checked inside the transaction: two coordinators confirming at once graduate once.
    if !tx.start_completing(class_id).await? {
        return Err(Error::conflict("This class has already graduated."));
    }
    tx.complete_class(class_id, &graduates, &others, now).await?;
    let year = last_day.year();
    let mut sequence = tx.certificates_in_year(year).await?;
    let mut issued = Vec::new();
    for row in rows.iter().filter(|r| r.verdict.graduates) {
        sequence += 1;
        let mut random = [0u8; crate::documents::certificate::RANDOM_CHARS];
        random.copy_from_slice(&crate::auth::tokens::random_bytes()[..crate::documents::certificate::RANDOM_CHARS]);
        let number = crate::documents::certificate::number(year, sequence, random);
        let name = format!("{} {}", row.p.first_name, row.p.last_name);
        tx.issue_certificate(
            &number,
            row.p.id,
            &name,
            &class.program_name,
            &class.name,
            &completed_on,
            now,
        )
        .await?;
        let ctx = crate::notify::messages::Context {
            department: department.as_ref().map_or("Police Department", |d| d.name.as_str()),
            program: &class.program_name,
            class: &class.name,
            time_zone: department.as_ref().map_or("UTC", |d| d.time_zone.as_str()),
        };
        tx.enqueue(
            &crate::notify::messages::graduated(
                &ctx,
                &row.p.email,
                &row.p.first_name,
                &format!("{base_url}/certificates/{number}"),
                &format!("{base_url}/my"),
            ),
            now,
        )
        .await?;
        issued.push((row.p.id, number));
    }
    let attended: Vec<_> = rows.iter().map(|s| (s.p.id, s.verdict.attended)).collect();
    for message in
        crate::service::nominations::credit_report_messages(store, base_url, &class, &attended, &graduates).await?
    {
        tx.enqueue(&message, now).await?;
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ClassGraduate,
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "status": class.status.code() })),
            after: Some(serde_json::json!({ "status": "completed", "graduates": graduates, "not_completed": others })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(issued)
}

/// Records whether a participant made up a missed session. `at` is (class, session,
/// application). Refused when the person is not in the class (`NotFound`) or was not
/// marked absent, excused or late for the session (`Conflict`).
pub async fn record_make_up(
    store: &Store,
    actor: &str,
    (class_id, session_id, application): (ClassId, SessionId, ApplicationId),
    made_up: bool,
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    check_unlocked(&mut tx, class_id).await?;
    if !tx.is_participant(class_id, application).await? {
        return Err(Error::NotFound("participant"));
    }
    if !tx.set_made_up(session_id, application, made_up, actor, now).await? {
        return Err(Error::conflict(
            "Mark the person absent, excused or late for this session first.",
        ));
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::AttendanceMakeUp,
            object_type: "attendance",
            object_id: format!("{session_id}/{application}"),
            before: Some(serde_json::json!({ "made_up": !made_up })),
            after: Some(serde_json::json!({ "made_up": made_up })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records whether a participant has done their ride-along.
pub async fn record_ride_along(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    application: ApplicationId,
    done: bool,
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    if !tx.is_participant(class_id, application).await? {
        return Err(Error::NotFound("participant"));
    }
    tx.set_ride_along(application, done, now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::RideAlongRecord,
            object_type: "application",
            object_id: application.to_string(),
            before: None,
            after: Some(serde_json::json!({ "ride_along_done": done })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
