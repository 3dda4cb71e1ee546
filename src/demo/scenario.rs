//! Classes built to order for tests and the load harness.

use super::*;
use crate::domain::{Affiliation, ClassId, ClassStatus, Eligibility, MeetingPattern, ProgramKind};
use crate::store::seed::{NewClass, NewProgram};
use crate::store::{Store, StoreError};
use jiff::civil::{Date, Weekday, time};
use jiff::{Timestamp, ToSpan};

/// Settings of a scenario class, for tests and the load benchmark.
#[derive(Debug, Clone)]
pub struct ScenarioClass {
    pub capacity: i64,
    pub status: ClassStatus,
    pub staff_review: bool,
    pub lottery: bool,
    pub closes_in: jiff::SignedDuration,
    /// Weeks from now to the week of the first of the twelve Tuesday sessions; negative
    /// places the sessions in the past, for a class whose attendance is taken.
    pub starts_in_weeks: i64,
}

impl Default for ScenarioClass {
    fn default() -> Self {
        ScenarioClass {
            capacity: 30,
            status: ClassStatus::Open,
            staff_review: false,
            lottery: false,
            closes_in: jiff::SignedDuration::from_hours(24 * 7),
            starts_in_weeks: 3,
        }
    }
}

/// Creates a program of its own and a class in it whose registration opened an hour ago,
/// with twelve Tuesday sessions from `starts_in_weeks` ahead (three by default). Needs a
/// department (the demo).
pub async fn scenario_class(store: &Store, spec: &ScenarioClass, now: Timestamp) -> Result<ClassId, StoreError> {
    let eligibility = Eligibility {
        min_age: Some(18),
        affiliations: Affiliation::ALL.to_vec(),
        waiver: true,
        staff_review: spec.staff_review,
        ..Default::default()
    };
    // A random suffix keeps several scenario programs apart in one database.
    let slug = format!(
        "scenario-{}",
        &crate::auth::tokens::hash(&crate::auth::tokens::generate())[..12]
    );
    let mut tx = store.begin().await?;
    let program = tx
        .insert_program(
            &NewProgram {
                slug: &slug,
                kind: ProgramKind::CitizenAcademy,
                name: "Scenario Academy",
                summary: "A class created for a test or a benchmark.",
                what_to_bring: "Photo ID and a pen.",
                body_markdown: "",
                body_html: String::new(),
                eligibility: &eligibility,
                lottery: spec.lottery,
                position: 99,
                legacy_classes: 0,
                legacy_graduates: 0,
            },
            now,
        )
        .await?;
    let class = tx
        .insert_class(
            &NewClass {
                program_id: program,
                name: "Scenario class",
                capacity: spec.capacity,
                status: spec.status,
                registration_opens_at: now.checked_sub(jiff::SignedDuration::from_hours(1)).ok(),
                registration_closes_at: now.checked_add(spec.closes_in).ok(),
                location_name: "Community Room",
                location_address: "",
                graduates: None,
            },
            now,
        )
        .await?;
    if spec.lottery {
        tx.set_class_allocation(class, crate::domain::Allocation::Lottery)
            .await?;
    }
    let tz = jiff::tz::TimeZone::get(TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
    let start = now
        .to_zoned(tz.clone())
        .date()
        .checked_add(spec.starts_in_weeks.weeks())
        .unwrap_or(Date::ZERO);
    let occurrences = MeetingPattern::new(Weekday::Tuesday, start, time(18, 0, 0, 0), time(21, 0, 0, 0), 12, [])
        .expect("valid scenario pattern")
        .occurrences(&tz);
    for (i, o) in occurrences.iter().enumerate() {
        tx.insert_session(class, i as i64 + 1, &format!("Session {}", i + 1), "", o, "Room 1")
            .await?;
    }
    tx.commit().await?;
    Ok(class)
}
