//! The teen academy's nomination steps as transactions: a counselor nominates, the
//! coordinator accepts (the guardian is emailed a consent link) or declines, the guardian
//! consents once, and the coordinator confirms. Each step is audited.

use jiff::{SignedDuration, Timestamp};

use crate::domain::audit::AuditAction;
use crate::domain::nomination::{self, CONSENT_LINK_DAYS, CONSENT_TEXT_VERSION, Nomination, NominationStatus};
use crate::domain::{ClassId, ClassStatus, NominationId, SchoolId};
use crate::store::outbox::OutgoingMessage;
use crate::store::staff::AuditRecord;
use crate::store::{Store, StoreError};

use super::Error;

fn audit<'a>(actor: &'a str, action: AuditAction, id: NominationId, after: serde_json::Value) -> AuditRecord<'a> {
    AuditRecord {
        actor,
        action,
        object_type: "nomination",
        object_id: id.to_string(),
        before: None,
        after: Some(after),
    }
}

/// Whether a class takes nominations: a cohort of a nominating program not started yet.
pub fn takes_nominations(status: ClassStatus) -> bool {
    matches!(status, ClassStatus::Announced | ClassStatus::Open | ClassStatus::Closed)
}

/// Files a nomination within the school's quota (the class row is locked while counting).
pub async fn nominate(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    school_id: SchoolId,
    n: &Nomination,
    now: Timestamp,
) -> Result<NominationId, Error> {
    let mut tx = store.begin().await?;
    tx.lock_class(class_id).await?.ok_or(Error::NotFound("cohort"))?;
    let (quota, active) = tx.quota_use(class_id, school_id).await?;
    if !nomination::within_quota(quota, active) {
        return Err(Error::conflict(format!(
            "This school's quota for the cohort ({}) is used up; ask the coordinator for more seats.",
            quota.unwrap_or(0)
        )));
    }
    let id = match tx.insert_nomination(class_id, school_id, n, actor, now).await {
        Ok(id) => id,
        Err(e) if e.is_unique_violation() => {
            return Err(Error::conflict("This student ID is already nominated for this cohort."));
        }
        Err(e) => return Err(e.into()),
    };
    tx.audit(
        &audit(
            actor,
            AuditAction::NominationCreate,
            id,
            serde_json::json!({ "class": class_id, "school": school_id, "grade": n.grade }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Accepts a nomination and emails the guardian a single-use consent link.
pub async fn accept(store: &Store, base_url: &str, actor: &str, id: NominationId, now: Timestamp) -> Result<(), Error> {
    let n = store.nomination(id).await?.ok_or(Error::NotFound("nomination"))?;
    let status = n.status().ok_or(Error::NotFound("nomination"))?;
    nomination::may_decide(status).map_err(|r| Error::conflict(r.message()))?;
    let class = store.class(n.class_id).await?.ok_or(Error::NotFound("nomination"))?;
    let dept = store
        .department()
        .await?
        .map_or_else(|| "Police Department".to_string(), |d| d.name);
    let token = crate::auth::tokens::generate();
    let expires = now
        .checked_add(SignedDuration::from_hours(24 * CONSENT_LINK_DAYS))
        .unwrap_or(now);
    let mut tx = store.begin().await?;
    if !tx
        .set_nomination_status(id, NominationStatus::Nominated, NominationStatus::Accepted, None, now)
        .await?
    {
        return Err(Error::conflict(
            "This nomination changed in the meantime; reload the page.",
        ));
    }
    tx.insert_consent_link(&crate::auth::tokens::hash(&token), id, expires)
        .await?;
    tx.enqueue(
        &OutgoingMessage {
            kind: "guardian_consent",
            recipient: n.guardian_email.clone(),
            subject: format!("Your consent for {} to join the {}", n.first_name, class.program_name),
            body_text: format!(
                "Hello {guardian},\n\n{school} nominated {student} for the {program}, {cohort}: one evening a week \
                 at the police station, for school credit. Before {student} can take part we need your consent.\n\n\
                 Read what the program involves and what information we keep, then sign by typing your name \
                 (the link works once, for {CONSENT_LINK_DAYS} days):\n{mark}\n\n\
                 If you have questions, reply to this email.\n\n{dept}\n",
                guardian = n.guardian_name,
                school = n.school_name,
                student = n.first_name,
                program = class.program_name,
                cohort = class.name,
                mark = crate::domain::mail::LINK_MARK,
            ),
            link: Some(crate::store::outbox::SecretLink::new(
                crate::domain::mail::LinkKind::GuardianConsent,
                base_url,
                &token,
                Some(expires),
            )),
            ..Default::default()
        },
        now,
    )
    .await?;
    tx.audit(
        &audit(
            actor,
            AuditAction::NominationAccept,
            id,
            serde_json::json!({ "status": "accepted" }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Declines a nomination with a reason.
pub async fn decline(store: &Store, actor: &str, id: NominationId, reason: &str, now: Timestamp) -> Result<(), Error> {
    let n = store.nomination(id).await?.ok_or(Error::NotFound("nomination"))?;
    nomination::may_decide(n.status().ok_or(Error::NotFound("nomination"))?)
        .map_err(|r| Error::conflict(r.message()))?;
    let mut tx = store.begin().await?;
    if !tx
        .set_nomination_status(
            id,
            NominationStatus::Nominated,
            NominationStatus::Declined,
            Some(reason),
            now,
        )
        .await?
    {
        return Err(Error::conflict(
            "This nomination changed in the meantime; reload the page.",
        ));
    }
    tx.audit(
        &audit(
            actor,
            AuditAction::NominationDecline,
            id,
            serde_json::json!({ "status": "declined", "reason": reason }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Confirms an accepted nomination whose guardian consented.
pub async fn confirm(store: &Store, actor: &str, id: NominationId, now: Timestamp) -> Result<(), Error> {
    let n = store.nomination(id).await?.ok_or(Error::NotFound("nomination"))?;
    nomination::may_confirm(n.status().ok_or(Error::NotFound("nomination"))?, n.consent_at.is_some())
        .map_err(|r| Error::conflict(r.message()))?;
    let mut tx = store.begin().await?;
    if !tx
        .set_nomination_status(id, NominationStatus::Accepted, NominationStatus::Confirmed, None, now)
        .await?
    {
        return Err(Error::conflict(
            "This nomination changed in the meantime; reload the page.",
        ));
    }
    tx.add_nominee(&n, now).await?;
    tx.audit(
        &audit(
            actor,
            AuditAction::NominationConfirm,
            id,
            serde_json::json!({ "status": "confirmed" }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws a nomination that is not confirmed yet (the counselor's or coordinator's call).
pub async fn withdraw(store: &Store, actor: &str, id: NominationId, now: Timestamp) -> Result<(), Error> {
    let n = store.nomination(id).await?.ok_or(Error::NotFound("nomination"))?;
    let from = n.status().ok_or(Error::NotFound("nomination"))?;
    if !matches!(from, NominationStatus::Nominated | NominationStatus::Accepted) {
        return Err(Error::conflict("Only a nomination not yet confirmed can be withdrawn."));
    }
    let mut tx = store.begin().await?;
    if !tx
        .set_nomination_status(id, from, NominationStatus::Withdrawn, None, now)
        .await?
    {
        return Err(Error::conflict(
            "This nomination changed in the meantime; reload the page.",
        ));
    }
    tx.audit(
        &audit(
            actor,
            AuditAction::NominationWithdraw,
            id,
            serde_json::json!({ "status": "withdrawn" }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a guardian submits on the consent page.
pub struct ConsentForm<'a> {
    pub typed_name: &'a str,
    pub media: bool,
    pub emergency_name: &'a str,
    pub emergency_phone: &'a str,
    pub medical_notes: &'a str,
}

/// Records a guardian's consent through their link, once, and emails them a copy of
/// what they signed (medical notes are named, not repeated: staff can read the outbox).
pub async fn consent(
    store: &Store,
    token: &str,
    form: &ConsentForm<'_>,
    now: Timestamp,
) -> Result<NominationId, Error> {
    let name = nomination::check_signature(form.typed_name).map_err(Error::conflict)?;
    let answers = nomination::check_guardian_answers(form.emergency_name, form.emergency_phone, form.medical_notes)
        .map_err(Error::conflict)?;
    let media = form.media;
    let mut tx = store.begin().await?;
    let id = tx
        .use_consent_link(&crate::auth::tokens::hash(token), now)
        .await?
        .ok_or(Error::NotFound("nomination"))?;
    tx.record_consent(id, &name, media, CONSENT_TEXT_VERSION, &answers, now)
        .await?;
    if let Some(n) = tx.nomination_in(id).await? {
        let dept = tx.department_json().await?;
        let department = dept
            .as_ref()
            .and_then(|d| d["name"].as_str())
            .unwrap_or("Police Department")
            .to_string();
        let student = format!("{} {}", n.first_name, n.last_name);
        let notes = if answers.medical_notes.is_empty() {
            "none given"
        } else {
            "given (kept private; only the staff who need them read them)"
        };
        let message = crate::store::outbox::OutgoingMessage {
            kind: "guardian_consent_copy",
            recipient: n.guardian_email.clone(),
            subject: format!("Your consent for {student}: a copy"),
            body_text: format!(
                "Hello {guardian},\n\nThis is a copy of the consent you gave for {student} to take part in the program \
                 (consent text version {CONSENT_TEXT_VERSION}).\n\nSigned by: {name}\nPhotos and video in the \
                 department's publications: {media}\nEmergency contact: {contact}, {phone}\nMedical notes: {notes}\n\n\
                 If something here is wrong, reply to this email.\n\n{department}\n",
                guardian = n.guardian_name,
                media = if media { "allowed" } else { "not allowed" },
                contact = answers.emergency_name,
                phone = answers.emergency_phone,
            ),
            ..Default::default()
        };
        tx.enqueue(&message, now).await?;
    }
    let actor = format!("guardian:{name}");
    tx.audit(
        &audit(
            &actor,
            AuditAction::NominationConsent,
            id,
            serde_json::json!({ "version": CONSENT_TEXT_VERSION, "media": media }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records that a guardian declined through their link (once; the link is used up).
pub async fn decline_consent(store: &Store, token: &str, now: Timestamp) -> Result<NominationId, Error> {
    let mut tx = store.begin().await?;
    let id = tx
        .use_consent_link(&crate::auth::tokens::hash(token), now)
        .await?
        .ok_or(Error::NotFound("nomination"))?;
    tx.record_consent_declined(id, now).await?;
    tx.audit(
        &audit(
            "guardian",
            AuditAction::NominationConsentDeclined,
            id,
            serde_json::json!({ "version": CONSENT_TEXT_VERSION }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A cohort of a nominating program whose minors' details are still held.
pub struct RetentionItem {
    pub class_id: ClassId,
    pub name: String,
    pub last_session_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    /// Nominations and participants still holding personal details.
    pub records: i64,
}

/// Cohorts with personal details still held, and when each falls due.
pub async fn retention(store: &Store, months: u16) -> Result<Vec<RetentionItem>, StoreError> {
    let tz = store
        .department()
        .await?
        .map(|d| d.tz())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let mut items = Vec::new();
    for (class_id, name, last, records) in store.minor_cohorts().await? {
        let last_session_at = last.and_then(|s| Timestamp::from_second(s).ok());
        items.push(RetentionItem {
            class_id,
            name,
            due_at: last_session_at.and_then(|l| nomination::erasure_due_at(l, months, &tz)),
            last_session_at,
            records,
        });
    }
    Ok(items)
}

/// Erases the personal details of every cohort due by `now`; returns how many records
/// were erased. Run by the background job, and by an admin on demand.
pub async fn erase_due(store: &Store, months: u16, actor: &str, now: Timestamp) -> Result<u64, StoreError> {
    let mut erased = 0;
    for item in retention(store, months).await? {
        if item.records == 0 || item.due_at.is_none_or(|d| d > now) {
            continue;
        }
        let mut tx = store.begin().await?;
        let n = tx.erase_minors(item.class_id, now).await?;
        tx.audit(
            &AuditRecord {
                actor,
                action: AuditAction::RetentionErase,
                object_type: "class",
                object_id: item.class_id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "records": n })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        erased += n;
    }
    Ok(erased)
}

/// The credit-report emails for a nominated cohort that just graduated: one per counselor
/// per school, listing that school's confirmed students (attended, completed, credits),
/// with links to the PDF and CSV. Empty for cohorts without nominations. `attended` holds
/// each participant's sessions attended, as the graduation rule counted them.
pub async fn credit_report_messages(
    store: &Store,
    base_url: &str,
    class: &crate::store::catalog::Class,
    attended: &[(crate::domain::ApplicationId, u32)],
    graduates: &[crate::domain::ApplicationId],
) -> Result<Vec<OutgoingMessage>, StoreError> {
    let nominations = store.nominations(class.id, None).await?;
    let dept = store
        .department()
        .await?
        .map_or_else(|| "Police Department".to_string(), |d| d.name);
    let mut messages = Vec::new();
    for school in store.schools().await? {
        let lines: Vec<String> = nominations
            .iter()
            .filter(|n| n.school_id == school.id)
            .filter_map(|n| {
                let app = n.application_id?;
                let (_, sessions) = attended.iter().find(|(id, _)| *id == app)?;
                let (done, credits) = nomination::credit(Some(graduates.contains(&app)));
                Some(format!(
                    "- {} {} (grade {}): attended {}, completed {done}{}",
                    n.first_name,
                    n.last_name,
                    n.grade,
                    sessions,
                    if credits == "0" {
                        String::new()
                    } else {
                        format!(", {credits} credit")
                    }
                ))
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        for (_, name, email) in store.school_counselors(school.id).await? {
            messages.push(OutgoingMessage {
                kind: "credit_report",
                recipient: email,
                subject: format!("Credit report: {}, {}", class.name, school.name),
                body_text: format!(
                    "Hello {name},\n\nThe {program}, {cohort}, has finished. Your students from {school}:\n\n{list}\n\n\
                     Download the report (PDF or CSV) for your records:\n{base_url}/staff/nominations/report.pdf?class={id}&school={sid}\n\
                     {base_url}/staff/nominations/report.csv?class={id}&school={sid}\n\n{dept}\n",
                    program = class.program_name,
                    cohort = class.name,
                    school = school.name,
                    list = lines.join("\n"),
                    id = class.id,
                    sid = school.id,
                ),
            ..Default::default()
});
        }
    }
    Ok(messages)
}

/// A school, college or organization to add.
pub struct NewPlace<'a> {
    pub name: &'a str,
    pub kind: crate::domain::PlaceKind,
    pub district: &'a str,
    pub address: &'a str,
}

/// Adds a school (or college, or organization). Refused (`Invalid`) when the name is taken.
pub async fn add_place(store: &Store, actor: &str, place: &NewPlace<'_>, now: Timestamp) -> Result<SchoolId, Error> {
    let mut tx = store.begin().await?;
    let id = match tx
        .insert_place(place.name, place.kind, place.district, place.address, now)
        .await
    {
        Ok(id) => id,
        Err(e) if e.is_unique_violation() => {
            return Err(Error::invalid_because(vec![
                "A school with that name already exists.".into(),
            ]));
        }
        Err(e) => return Err(e.into()),
    };
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::SchoolCreate,
            object_type: "school",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "name": place.name, "kind": place.kind.code() })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Invites a counselor account for `school` (the invitation and the link to the school in
/// one transaction).
pub async fn invite_counselor(
    store: &Store,
    links: &crate::notify::Links,
    department: &str,
    account: &crate::domain::department::Account,
    school: SchoolId,
    actor: &str,
    now: Timestamp,
) -> Result<crate::domain::StaffId, Error> {
    let mut tx = store.begin().await?;
    let id = super::staffing::invite(&mut tx, links, department, account, &[], actor, now).await?;
    tx.link_counselor(id, school).await?;
    tx.commit().await?;
    Ok(id)
}

/// A counselor works for one more school.
pub async fn link_counselor(
    store: &Store,
    actor: &str,
    counselor: crate::domain::StaffId,
    school: SchoolId,
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    tx.link_counselor(counselor, school).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::StaffLinkSchool,
            object_type: "staff",
            object_id: counselor.to_string(),
            before: None,
            after: Some(serde_json::json!({ "school": school })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a school's quota in a cohort (`None`: no limit).
pub async fn set_quota(
    store: &Store,
    actor: &str,
    class: ClassId,
    school: SchoolId,
    seats: Option<i64>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    tx.set_quota(class, school, seats).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::SchoolQuota,
            object_type: "class",
            object_id: class.to_string(),
            before: None,
            after: Some(serde_json::json!({ "school": school, "seats": seats })),
        },
        now,
    )
    .await?;
    tx.commit().await
}

/// Corrects a nomination's details (the school stays). Refused when it changed meanwhile
/// (`Conflict`) or the student ID is already nominated for the cohort (`Invalid`). The
/// audit record names the fields changed, never their values: the log outlives minors'
/// details.
pub async fn correct(
    store: &Store,
    actor: &str,
    n: &crate::store::schools::NominationRow,
    checked: &Nomination,
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    match tx.update_nomination(n.id, checked, now).await {
        Ok(true) => {}
        Ok(false) => {
            return Err(Error::conflict(
                "This nomination changed in the meantime; reload the page.",
            ));
        }
        Err(e) if e.is_unique_violation() => {
            let msg = "This student ID is already nominated for this cohort.".to_string();
            return Err(Error::invalid_because(vec![msg]));
        }
        Err(e) => return Err(e.into()),
    }
    // Field names only: the audit log is kept longer than minors' details.
    let changed: Vec<&str> = [
        ("first_name", n.first_name != checked.first_name),
        ("last_name", n.last_name != checked.last_name),
        ("grade", n.grade != i64::from(checked.grade)),
        ("student_number", n.student_number != checked.student_number),
        ("guardian_name", n.guardian_name != checked.guardian_name),
        ("guardian_email", n.guardian_email != checked.guardian_email),
    ]
    .into_iter()
    .filter(|(_, c)| *c)
    .map(|(f, _)| f)
    .collect();
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::NominationUpdate,
            object_type: "nomination",
            object_id: n.id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "changed": changed })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
