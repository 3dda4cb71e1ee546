//! The community-engagement report's inputs: the activity log (counted under the duty
//! the officer held that day), DARE lessons taught, academy sessions and watch meetings
//! presented, training given, and traffic operations.

use jiff::civil::Date;

use crate::domain::dare::{DareStatus, LessonStatus};
use crate::domain::engagement::{DareFigures, Engagement, Work, summarize};
use crate::domain::program::Duty;
use crate::store::{Store, StoreError};

/// The figures from `from` to `to` (inclusive, the department's days).
pub async fn report(store: &Store, from: Date, to: Date) -> Result<Engagement, StoreError> {
    let tz = store
        .department()
        .await?
        .map(|d| d.tz())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let duties = store.duty_assignments().await?;
    let mut work = Vec::new();
    for a in store.activities(None, from, to).await? {
        // The school duty the officer held that day, if any.
        let duty = duties
            .iter()
            .filter(|d| d.staff_id == a.staff_id && d.assignment.held_on(a.occurred_on))
            .map(|d| d.assignment.duty)
            .find(|d| {
                matches!(
                    d,
                    Duty::SchoolResourceOfficer | Duty::CollegeResourceOfficer | Duty::DareInstructor
                )
            });
        work.push(Work {
            officer: a.officer.clone(),
            duty: duty
                .map_or("School visits without a school duty", |d| d.label())
                .to_string(),
            school: Some(a.school.clone()),
            day: a.occurred_on,
            minutes: a.minutes,
            people: a.people_reached,
        });
    }
    let mut dare = DareFigures::default();
    for c in store.dare_classes(None).await? {
        let mut taught: Vec<_> = c.lessons.iter().filter(|l| l.status == LessonStatus::Taught).collect();
        taught.sort_by_key(|l| l.starts_at);
        for (i, l) in taught.into_iter().enumerate() {
            let day = l.starts_at.to_zoned(tz.clone()).date();
            if day < from || day > to {
                continue;
            }
            dare.lessons_taught += 1;
            work.push(Work {
                officer: c.instructor.clone(),
                duty: Duty::DareInstructor.label().into(),
                school: Some(c.school.clone()),
                day,
                minutes: u32::try_from(l.ends_at.duration_since(l.starts_at).as_mins()).unwrap_or(0),
                // A classroom's students count once, at its first lesson taught.
                people: if i == 0 { c.students } else { 0 },
            });
        }
        if c.status == DareStatus::Graduated
            && let (Some(day), Some(n)) = (c.graduated_on, c.graduates)
            && from <= day
            && day <= to
        {
            dare.classes_graduated += 1;
            dare.graduates += n;
        }
    }
    // Academy sessions and watch meetings officers presented; the participants present
    // count once per session, under its first presenter.
    let mut last_session = None;
    for p in store
        .sessions_presented_between(from, to, jiff::Timestamp::now())
        .await?
    {
        let first = last_session != Some(p.session_id);
        last_session = Some(p.session_id);
        let kind = crate::domain::ProgramKind::parse(&p.program_kind)
            .ok_or_else(|| StoreError::Corrupt(format!("session {}: program kind", p.session_id)))?;
        work.push(Work {
            officer: p.officer,
            duty: crate::domain::engagement::teaching_duty(kind).into(),
            school: None,
            day: p.day,
            minutes: p.minutes,
            people: if first { p.attended } else { 0 },
        });
    }
    for t in store.trainings(from, to).await? {
        work.push(Work {
            officer: t.trainer.clone(),
            duty: "Training given to officers".into(),
            school: None,
            day: t.held_on,
            minutes: t.minutes,
            people: t.attendees.len() as u32,
        });
    }
    for o in store.operations().await? {
        let day = o.starts_at.to_zoned(tz.clone()).date();
        if day < from || day > to {
            continue;
        }
        let minutes = u32::try_from(o.ends_at.duration_since(o.starts_at).as_mins()).unwrap_or(0);
        let stops = o.results.as_ref().map_or(0, |r| r.stops);
        for (i, (_, officer)) in o.officers.iter().enumerate() {
            work.push(Work {
                officer: officer.clone(),
                duty: "Traffic enforcement operations".into(),
                school: None,
                day,
                minutes,
                // Drivers stopped count once per operation, not once per officer.
                people: if i == 0 { stops } else { 0 },
            });
        }
    }
    Ok(Engagement {
        dare,
        ..summarize(&work, from, to)
    })
}
