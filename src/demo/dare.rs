//! DARE classes at the district's elementary schools, with lessons taught.

use super::*;
use crate::store::{StoreError, Tx};
use jiff::Timestamp;
use jiff::civil::Date;

/// Two elementary schools with a fifth-grade DARE class each: one graduated last
/// semester (a lesson lost to a fire drill), one halfway through its lessons.
pub(super) async fn seed(
    tx: &mut Tx,
    instructor: crate::domain::StaffId,
    today: jiff::civil::Date,
    now: Timestamp,
) -> Result<(), StoreError> {
    use crate::domain::dare::{LessonChange, PlanForm};
    let tz = jiff::tz::TimeZone::get(TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
    let district = "Harbor Point Unified School District";
    let seacliff = tx
        .insert_school(
            "Seacliff Elementary School",
            district,
            "41 Gull Lane, Harbor Point",
            now,
        )
        .await?;
    let marsh = tx
        .insert_school(
            "Marsh Road Elementary School",
            district,
            "2600 Marsh Road, Harbor Point",
            now,
        )
        .await?;
    let weeks_ago = |n: i64| today.checked_sub(jiff::ToSpan::weeks(n)).unwrap_or(today);
    // The same weekday as `first` over the winter holidays, which schools close for.
    let winter_break = |first: Date| -> String {
        (0..30_i64)
            .filter_map(|w| first.checked_add(jiff::ToSpan::weeks(w)).ok())
            .filter(|d| (d.month() == 12 && d.day() >= 20) || (d.month() == 1 && d.day() <= 4))
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    // (school, teacher, students, first lesson, time, graduates); lessons before now
    // are recorded as taught.
    // The graduated class ended eight weeks ago, the other began five weeks ago: both
    // stay within the last four months, clear of the older months tests fill by hand.
    let classes = [
        (seacliff, "Mr. Daniel Reyes", 26, weeks_ago(17), "10:15", Some(25)),
        (marsh, "Ms. Hannah Cole", 28, weeks_ago(5), "13:00", None),
    ];
    for (school, teacher, students, first, start, graduates) in classes {
        let form = PlanForm {
            school_id: school.to_string(),
            teacher: teacher.into(),
            grade: "5".into(),
            students: students.to_string(),
            instructor_id: instructor.get().to_string(),
            first_date: first.to_string(),
            start: start.into(),
            minutes: "45".into(),
            lessons: "10".into(),
            skip: winter_break(first),
            ..Default::default()
        };
        let Ok(plan) = form.check(&tz) else {
            return Err(StoreError::Corrupt("the demo DARE plan does not check".into()));
        };
        let id = tx.insert_dare_class(&plan, now).await?;
        let Some(class) = tx.lock_dare_class(id).await? else {
            continue;
        };
        for (i, lesson) in class.lessons.iter().filter(|l| l.starts_at < now).enumerate() {
            let change = if graduates.is_some() && i == 6 {
                LessonChange::Cancelled
            } else {
                LessonChange::Taught {
                    present: students - (i as u32 % 3),
                }
            };
            tx.change_lesson(lesson.id, &change, now).await?;
        }
        if let (Some(n), Some(last)) = (graduates, class.lessons.last().filter(|l| l.starts_at < now)) {
            tx.graduate_dare_class(id, last.starts_at.to_zoned(tz.clone()).date(), n, now)
                .await?;
        }
    }
    Ok(())
}
