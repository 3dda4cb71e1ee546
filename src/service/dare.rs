//! DARE classes at schools: planning one (often from a school's presentation request),
//! recording lessons, graduating and cancelling. Each step is one transaction with its
//! audit entry and, for a class planned from a request, the requester's update and email.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::domain::audit::AuditAction;
use crate::domain::dare::{self, DareStatus, LessonChange, LessonDay, LessonStatus, Plan};
use crate::domain::requests::RequestStatus;
use crate::domain::{DareClassId, LessonId, RequestId, StaffId};
use crate::format;
use crate::notify::Links;
use crate::notify::messages;
use crate::service::Error;
use crate::service::requests::{Triage, triage_in};
use crate::store::dare::DareClass;
use crate::store::staff::AuditRecord;
use crate::store::{Store, Tx};

/// A refused triage, as problems with the DARE class form that answers the request.
fn as_form_problem(e: Error) -> Error {
    match e {
        Error::NotFound(_) => Error::invalid_because(vec!["That request no longer exists.".into()]),
        Error::Conflict { why, .. } => Error::invalid_because(vec![why]),
        other => other,
    }
}

/// Who acts: their id and the audit log's name for them.
pub type Actor<'a> = (StaffId, &'a str);

/// What a class's requester is told: a status to move to (when the request may), an
/// officer to assign, and the note they read.
struct Reply {
    request_id: RequestId,
    status: RequestStatus,
    assign: Option<StaffId>,
    note: String,
}

/// Tells the requester (and assigns the instructor) inside `tx`, when the class answers a request.
/// Reads everything inside `tx`, so nothing waits on a second connection.
async fn tell_requester(
    tx: &mut Tx,
    department: &str,
    links: &Links,
    actor: Actor<'_>,
    reply: Reply,
    now: Timestamp,
) -> Result<(), Error> {
    let Reply {
        request_id,
        status,
        assign,
        note,
    } = reply;
    let request = tx
        .lock_request(request_id)
        .await?
        .ok_or_else(|| Error::invalid_because(vec![format!("There is no request number {request_id}.")]))?;
    let status = if request.status.can_become(status) {
        status
    } else {
        request.status
    };
    let change = Triage {
        status,
        assigned_to: assign.or(request.assigned_to),
        due_on: request.due_on,
        note,
    };
    triage_in(tx, department, links, actor, request_id, &change, now)
        .await
        .map_err(as_form_problem)?;
    Ok(())
}

/// Plans a class and its lessons. The school must exist, the instructor must hold the
/// DARE instructor duty on every lesson day, and a request named must ask for a
/// presentation; its requester is told, and the instructor assigned to it.
pub async fn plan(
    store: &Store,
    links: &Links,
    actor: Actor<'_>,
    plan: &Plan,
    now: Timestamp,
) -> Result<DareClassId, Error> {
    let mut problems = Vec::new();
    let school = store.schools().await?.into_iter().find(|s| s.id == plan.school_id);
    if school.is_none() {
        problems.push("Choose the school from the list.".to_string());
    }
    let assignments: Vec<_> = store
        .duty_assignments()
        .await?
        .into_iter()
        .filter(|d| d.staff_id == plan.instructor_id)
        .collect();
    let instructor = assignments
        .first()
        .map(|d| crate::domain::duties::ranked_name(d.rank.as_deref(), &d.officer));
    let days: Vec<Date> = plan.lessons.iter().map(|l| l.date).collect();
    let held: Vec<_> = assignments.iter().map(|d| d.assignment.clone()).collect();
    if let Some(p) = dare::instructor_problem(&held, &days) {
        problems.push(p);
    }
    if let Some(id) = plan.request_id {
        match store.request(id).await? {
            None => problems.push(format!("There is no request number {id}.")),
            Some(r) if r.service_code != "presentation" => {
                problems.push(format!("Request {id} does not ask for a presentation."))
            }
            Some(_) => {}
        }
    }
    if !problems.is_empty() {
        return Err(Error::invalid_because(problems));
    }
    let (name, _) = store.department_name_zone().await?;
    let mut tx = store.begin().await?;
    let id = tx.insert_dare_class(plan, now).await?;
    tx.audit(
        &AuditRecord {
            actor: actor.1,
            action: AuditAction::DarePlan,
            object_type: "dare_class",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "school_id": plan.school_id, "grade": plan.grade, "students": plan.students,
                "instructor_id": plan.instructor_id, "request_id": plan.request_id, "lessons": plan.lessons.len(),
            })),
        },
        now,
    )
    .await?;
    if let (Some(request_id), Some(first), Some(last)) = (plan.request_id, plan.lessons.first(), plan.lessons.last()) {
        let note = format!(
            "DARE is planned at {} for a {} class of {} students: {} lessons from {} to {}, taught by {}.",
            school.map(|s| s.name).unwrap_or_default(),
            dare::grade_label(plan.grade).to_lowercase(),
            plan.students,
            plan.lessons.len(),
            format::date_long(first.date),
            format::date_long(last.date),
            instructor.unwrap_or_else(|| "a DARE instructor".into()),
        );
        let reply = Reply {
            request_id,
            status: RequestStatus::InProgress,
            assign: Some(plan.instructor_id),
            note,
        };
        tell_requester(&mut tx, &name, links, actor, reply, now).await?;
    }
    tx.commit().await?;
    Ok(id)
}

fn scheduled(class: &DareClass) -> Result<(), Error> {
    if class.status == DareStatus::Scheduled {
        Ok(())
    } else {
        Err(Error::invalid_because(vec![format!(
            "This class is {}; its lessons can no longer change.",
            class.status.label().to_lowercase()
        )]))
    }
}

/// Records a lesson as taught, cancelled or moved.
pub async fn change_lesson(
    store: &Store,
    links: &Links,
    actor: Actor<'_>,
    class_id: DareClassId,
    lesson_id: LessonId,
    change: &LessonChange,
    now: Timestamp,
) -> Result<(), Error> {
    let (name, tz) = store.department_name_zone().await?;
    let mut tx = store.begin().await?;
    let class = tx
        .lock_dare_class(class_id)
        .await?
        .ok_or(Error::NotFound("DARE class"))?;
    scheduled(&class)?;
    let lesson = class
        .lessons
        .iter()
        .find(|l| l.id == lesson_id)
        .ok_or(Error::NotFound("lesson"))?;
    tx.change_lesson(lesson.id, change, now).await?;
    let after = match change {
        LessonChange::Taught { present } => serde_json::json!({ "status": "taught", "present": present }),
        LessonChange::Cancelled => serde_json::json!({ "status": "cancelled" }),
        LessonChange::Planned { starts_at, .. } => {
            serde_json::json!({ "status": "planned", "starts_at": starts_at.to_string() })
        }
    };
    tx.audit(
        &AuditRecord {
            actor: actor.1,
            action: AuditAction::DareLesson,
            object_type: "dare_class",
            object_id: class_id.to_string(),
            before: Some(
                serde_json::json!({ "lesson": lesson.position, "status": lesson.status.code(),
                "present": lesson.present, "starts_at": lesson.starts_at.to_string() }),
            ),
            after: Some(after),
        },
        now,
    )
    .await?;
    // The school that asked is emailed when a lesson moves or is called off. Only emailed:
    // the request's public history never shows when an officer is in a classroom.
    let note = match change {
        LessonChange::Planned { starts_at, .. } if *starts_at != lesson.starts_at => Some(format!(
            "DARE lesson {} at {} ({}) is moved to {}.",
            lesson.position,
            class.school,
            lesson.topic,
            format::instant(*starts_at, &tz)
        )),
        LessonChange::Cancelled if lesson.status != LessonStatus::Cancelled => Some(format!(
            "DARE lesson {} at {} ({}) on {} is cancelled.",
            lesson.position,
            class.school,
            lesson.topic,
            format::date_long(lesson.starts_at.to_zoned(tz.clone()).date())
        )),
        _ => None,
    };
    if let (Some(request_id), Some(note)) = (class.request_id, note)
        && let Some(request) = tx.lock_request(request_id).await?
        && !request.email.is_empty()
    {
        let service = crate::domain::requests::service(&request.service_code).map_or("Request", |s| s.name);
        let message = messages::request_updated(
            &name,
            &request.email,
            &request.first_name,
            service,
            request_id,
            request.status,
            &note,
            &format!("{}/requests/{request_id}", links.base_url),
        );
        tx.enqueue(&message, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Graduates a class by the rules of `domain::dare::check_graduation`, and closes the
/// request it answered with the count.
pub async fn graduate(
    store: &Store,
    links: &Links,
    actor: Actor<'_>,
    class_id: DareClassId,
    graduates: &str,
    day: &str,
    now: Timestamp,
) -> Result<(), Error> {
    let (name, tz) = store.department_name_zone().await?;
    let today = now.to_zoned(tz.clone()).date();
    let mut tx = store.begin().await?;
    let class = tx
        .lock_dare_class(class_id)
        .await?
        .ok_or(Error::NotFound("DARE class"))?;
    scheduled(&class)?;
    let lessons: Vec<LessonDay> = class
        .lessons
        .iter()
        .map(|l| LessonDay {
            status: l.status,
            day: l.starts_at.to_zoned(tz.clone()).date(),
        })
        .collect();
    let (day, count) =
        dare::check_graduation(&lessons, class.students, graduates, day, today).map_err(Error::invalid_because)?;
    if !tx.graduate_dare_class(class_id, day, count, now).await? {
        return Err(Error::invalid_because(vec!["This class has already graduated.".into()]));
    }
    tx.audit(
        &AuditRecord {
            actor: actor.1,
            action: AuditAction::DareGraduate,
            object_type: "dare_class",
            object_id: class_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "graduated_on": day.to_string(), "graduates": count })),
        },
        now,
    )
    .await?;
    if let Some(request_id) = class.request_id {
        let note = format!(
            "{count} of {} students in the {} class at {} graduated from DARE on {}. Thank you for inviting us.",
            class.students,
            dare::grade_label(class.grade).to_lowercase(),
            class.school,
            format::date_long(day)
        );
        let reply = Reply {
            request_id,
            status: RequestStatus::Closed,
            assign: None,
            note,
        };
        tell_requester(&mut tx, &name, links, actor, reply, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Cancels a scheduled class; the requester of a class planned for a request is told
/// (the request stays open, to be planned again or closed).
pub async fn cancel(
    store: &Store,
    links: &Links,
    actor: Actor<'_>,
    class_id: DareClassId,
    now: Timestamp,
) -> Result<(), Error> {
    let (name, _) = store.department_name_zone().await?;
    let mut tx = store.begin().await?;
    let class = tx
        .lock_dare_class(class_id)
        .await?
        .ok_or(Error::NotFound("DARE class"))?;
    scheduled(&class)?;
    tx.cancel_dare_class(class_id, now).await?;
    tx.audit(
        &AuditRecord {
            actor: actor.1,
            action: AuditAction::DareCancel,
            object_type: "dare_class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "status": class.status.code() })),
            after: Some(serde_json::json!({ "status": "cancelled" })),
        },
        now,
    )
    .await?;
    if let Some(request_id) = class.request_id {
        let note = format!(
            "The DARE lessons planned at {} are cancelled. We will be in touch about new dates.",
            class.school
        );
        let reply = Reply {
            request_id,
            // Only a note: the request stays where it is.
            status: RequestStatus::InProgress,
            assign: None,
            note,
        };
        tell_requester(&mut tx, &name, links, actor, reply, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Counts (never keeps) the names of certificates typeset for a graduated class.
pub async fn count_certificates(
    store: &Store,
    actor: Actor<'_>,
    class_id: DareClassId,
    printed: u32,
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    tx.count_dare_certificates(class_id, printed, now).await?;
    tx.audit(
        &AuditRecord {
            actor: actor.1,
            action: AuditAction::DareCertificates,
            object_type: "dare_class",
            object_id: class_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "certificates": printed })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
