//! The teen academy: this semester's cohort, next semester's announced for nominations,
//! and the schools with their counselors, quotas and nominations.

use super::programs::Programs;
use super::sessions::*;
use super::staff::People;
use super::*;
use crate::domain::ApplicationStatus;
use crate::domain::{ClassId, ClassStatus, MeetingPattern, Role};
use crate::store::applications::Channel;
use crate::store::seed::{NewClass, NewStaff};
use crate::store::{StoreError, Tx};
use jiff::Timestamp;
use jiff::civil::{Date, Weekday, time};

/// Writes the teen cohorts and schools; returns the current cohort (held sessions).
pub(super) async fn seed(
    tx: &mut Tx,
    people: &People,
    programs: &Programs,
    today: Date,
    now: Timestamp,
) -> Result<HeldClass, StoreError> {
    let Programs { citizen: _, teen } = *programs;
    let People {
        units, staff_by_unit, ..
    } = people;
    let tz = jiff::tz::TimeZone::get(TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
    let academy = ACADEMY;
    let academy_address = ACADEMY_ADDRESS;
    // The teen cohort of the current semester: Thursdays 18:00-20:00, twelve sessions.
    let (term, start, skip) = semester(today);
    let teen_sessions = MeetingPattern::new(Weekday::Thursday, start, time(18, 0, 0, 0), time(20, 0, 0, 0), 12, skip)
        .expect("valid demo pattern")
        .occurrences(&tz);
    let teen_status = match (teen_sessions.first(), teen_sessions.last()) {
        (Some(f), _) if now < f.starts_at() => ClassStatus::Closed,
        (_, Some(l)) if now > l.ends_at() => ClassStatus::Completed,
        _ => ClassStatus::InProgress,
    };
    // A finished cohort is written in progress and graduated by `run_held_sessions`.
    let teen_written = if teen_status == ClassStatus::Completed {
        ClassStatus::InProgress
    } else {
        teen_status
    };
    let teen_class = tx
        .insert_class(
            &NewClass {
                program_id: teen,
                name: &term,
                capacity: 25,
                status: teen_written,
                registration_opens_at: None,
                registration_closes_at: None,
                location_name: academy,
                location_address: academy_address,
                graduates: None,
            },
            now,
        )
        .await?;
    add_sessions(
        tx,
        teen_class,
        &teen_sessions,
        TEEN_TOPICS,
        units,
        staff_by_unit,
        academy,
    )
    .await?;
    let cohort_start = teen_sessions.first().map_or(now, |o| o.starts_at());
    let held = HeldClass {
        id: teen_class,
        drop_outs: Vec::new(),
        graduate: teen_status == ClassStatus::Completed,
    };
    for i in 0..11 {
        let person = sample_applicant(i + 80, 2009);
        tx.insert_application(
            teen_class,
            &person,
            ApplicationStatus::Confirmed,
            Channel::Staff,
            cohort_start,
        )
        .await?;
    }

    // Next semester's cohort, announced so counselors can nominate students for it.
    let (next_term, next_start, next_skip) = next_semester(today);
    let next_sessions = MeetingPattern::new(
        Weekday::Thursday,
        next_start,
        time(18, 0, 0, 0),
        time(20, 0, 0, 0),
        12,
        next_skip,
    )
    .expect("valid demo pattern")
    .occurrences(&tz);
    let next_class = tx
        .insert_class(
            &NewClass {
                program_id: teen,
                name: &next_term,
                capacity: 25,
                status: ClassStatus::Announced,
                registration_opens_at: None,
                registration_closes_at: None,
                location_name: academy,
                location_address: academy_address,
                graduates: None,
            },
            now,
        )
        .await?;
    add_sessions(
        tx,
        next_class,
        &next_sessions,
        TEEN_TOPICS,
        units,
        staff_by_unit,
        academy,
    )
    .await?;
    seed_schools(
        tx,
        next_class,
        &people.resource_officers,
        &people.admin_hash,
        today,
        now,
    )
    .await?;
    Ok(held)
}

async fn seed_schools(
    tx: &mut Tx,
    cohort: ClassId,
    resource_officers: &[crate::domain::StaffId],
    password_hash: &str,
    today: jiff::civil::Date,
    now: Timestamp,
) -> Result<(), StoreError> {
    use crate::domain::nomination::NominationInput;
    let district = "Harbor Point Unified School District";
    let harbor = tx
        .insert_school(
            "Harbor Point High School",
            district,
            "1200 Beacon Street, Harbor Point",
            now,
        )
        .await?;
    let bayside = tx
        .insert_school("Bayside High School", district, "88 Tidewater Road, Harbor Point", now)
        .await?;
    tx.insert_school(
        "Northgate Academy",
        "Northgate Charter Schools",
        "5 College Hill, Harbor Point",
        now,
    )
    .await?;
    let college = tx
        .insert_school("Bayside Community College", "", "300 Campus Drive, Harbor Point", now)
        .await?;
    super::activity::seed(tx, resource_officers, &[harbor, college], today, now).await?;
    let counselor = tx
        .insert_staff(
            &NewStaff {
                email: DEMO_COUNSELOR_EMAIL,
                full_name: "Grace Whitaker",
                rank: None,
                badge_number: None,
                role: Role::Counselor,
                password_hash: Some(password_hash),
                public_profile: false,
            },
            now,
        )
        .await?;
    tx.link_counselor(counselor, harbor).await?;
    tx.link_counselor(counselor, bayside).await?;
    tx.set_quota(cohort, harbor, Some(8)).await?;
    tx.set_quota(cohort, bayside, Some(6)).await?;
    let who = format!("staff:{counselor} {DEMO_COUNSELOR_EMAIL}");
    for (school, first, last, grade, number, guardian) in [
        (harbor, "Maya", "Ortiz", "11", "HP-20931", "Elena Ortiz"),
        (harbor, "Devon", "Clarke", "12", "HP-19877", "Marcus Clarke"),
        (bayside, "Priya", "Raman", "12", "BS-4410", "Anjali Raman"),
    ] {
        let input = NominationInput {
            school_id: school.to_string(),
            first_name: first.into(),
            last_name: last.into(),
            grade: grade.into(),
            student_number: number.into(),
            guardian_name: guardian.into(),
            guardian_email: format!(
                "{}.{}@family.example",
                guardian.split(' ').next().unwrap_or("g").to_lowercase(),
                last.to_lowercase()
            ),
        };
        let checked = input
            .validate()
            .map_err(|e| StoreError::Corrupt(format!("demo nomination: {e:?}")))?;
        tx.insert_nomination(cohort, school, &checked, &who, now).await?;
    }
    Ok(())
}
