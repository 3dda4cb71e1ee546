//! The citizen academy's classes: one graduated months ago, a weekend class that has
//! just finished its sessions, and one open for registration with ride-along shifts.

use super::programs::Programs;
use super::sessions::*;
use super::staff::People;
use super::*;
use crate::domain::ApplicationStatus;
use crate::domain::{ClassStatus, MeetingPattern};
use crate::store::applications::Channel;
use crate::store::seed::NewClass;
use crate::store::{StoreError, Tx};
use jiff::civil::{Date, Weekday, time};
use jiff::{Timestamp, ToSpan};

/// Writes the citizen academy's classes; returns those whose held sessions need attendance.
pub(super) async fn seed(
    tx: &mut Tx,
    people: &People,
    programs: &Programs,
    today: Date,
    now: Timestamp,
) -> Result<Vec<HeldClass>, StoreError> {
    let Programs { citizen, teen } = *programs;
    let People {
        units, staff_by_unit, ..
    } = people;
    let tz = jiff::tz::TimeZone::get(TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
    let academy = ACADEMY;
    let academy_address = ACADEMY_ADDRESS;
    let now_local = now.to_zoned(tz.clone());
    // The graduated class: met on Wednesdays, finished about four months ago. Its
    // attendance and graduation are recorded after this transaction (`run_held_sessions`).
    let past_start = today.checked_sub(32.weeks()).unwrap_or(today);
    let past = MeetingPattern::new(
        Weekday::Wednesday,
        past_start,
        time(18, 30, 0, 0),
        time(21, 0, 0, 0),
        12,
        [],
    )
    .expect("valid demo pattern")
    .occurrences(&tz);
    let past_class = tx
        .insert_class(
            &NewClass {
                program_id: citizen,
                name: "Class 32",
                capacity: 30,
                status: ClassStatus::InProgress,
                registration_opens_at: Some(at(&tz, past_start.checked_sub(8.weeks()).unwrap_or(past_start), 9)),
                registration_closes_at: Some(at(&tz, past_start.checked_sub(1.weeks()).unwrap_or(past_start), 17)),
                location_name: academy,
                location_address: academy_address,
                graduates: None,
            },
            now,
        )
        .await?;
    add_sessions(tx, past_class, &past, CITIZEN_TOPICS, units, staff_by_unit, academy).await?;
    // Twenty-seven graduate; three miss too many sessions.
    let mut past_graduates = Vec::new();
    let mut drop_outs = Vec::new();
    for i in 0..30 {
        let applied = at(&tz, past_start.checked_sub(6.weeks()).unwrap_or(past_start), 10);
        let person = sample_applicant(i, 1970);
        let id = tx
            .insert_application(
                past_class,
                &person,
                ApplicationStatus::Confirmed,
                Channel::Online,
                applied,
            )
            .await?;
        // The program's rule asks for a ride-along: everyone did theirs.
        tx.set_ride_along(id, true, applied).await?;
        if i < 27 {
            past_graduates.push(id);
        } else {
            drop_outs.push(id);
        }
    }
    let held = vec![HeldClass {
        id: past_class,
        drop_outs,
        graduate: true,
    }];
    super::outcomes::seed(tx, &[citizen, teen], past_class, &past_graduates, today, now).await?;

    // The weekend class: eight Saturday mornings, the last one last weekend. Attendance is
    // taken and ride-alongs recorded; the coordinator's next step is confirming graduation.
    let weekend_start = today.checked_sub(8.weeks()).unwrap_or(today);
    let weekend = MeetingPattern::new(
        Weekday::Saturday,
        weekend_start,
        time(9, 0, 0, 0),
        time(12, 30, 0, 0),
        8,
        [],
    )
    .expect("valid demo pattern")
    .occurrences(&tz);
    let weekend_class = tx
        .insert_class(
            &NewClass {
                program_id: citizen,
                name: "Weekend Class 4",
                capacity: 16,
                status: ClassStatus::InProgress,
                registration_opens_at: Some(at(
                    &tz,
                    weekend_start.checked_sub(8.weeks()).unwrap_or(weekend_start),
                    9,
                )),
                registration_closes_at: Some(at(
                    &tz,
                    weekend_start.checked_sub(1.weeks()).unwrap_or(weekend_start),
                    17,
                )),
                location_name: academy,
                location_address: academy_address,
                graduates: None,
            },
            now,
        )
        .await?;
    let weekend_sessions = add_sessions(
        tx,
        weekend_class,
        &weekend,
        CITIZEN_TOPICS,
        units,
        staff_by_unit,
        academy,
    )
    .await?;
    let recorder = "staff:demo Miriam Okafor";
    for i in 0..12 {
        let person = sample_applicant(i + 70, 1975);
        let applied = at(&tz, weekend_start.checked_sub(5.weeks()).unwrap_or(weekend_start), 11);
        let id = tx
            .insert_application(
                weekend_class,
                &person,
                ApplicationStatus::Confirmed,
                Channel::Online,
                applied,
            )
            .await?;
        for (n, session) in weekend_sessions.iter().enumerate() {
            use crate::domain::graduation::{Mark, Record};
            // A few realistic stories: three absences (does not graduate), a late arrival
            // past the limit, a missed session made up, a skipped ride-along.
            let record = match (i, n) {
                (2, 1 | 3 | 5) => Record::new(Mark::Absent),
                (4, 2) => Record {
                    minutes_late: Some(25),
                    ..Record::new(Mark::Late)
                },
                (6, 4) => Record {
                    made_up: true,
                    ..Record::new(Mark::Absent)
                },
                (9, 6) => Record::new(Mark::Excused),
                _ => Record::new(Mark::Present),
            };
            tx.mark_attendance(*session, id, record, recorder, now).await?;
        }
        if i != 8 {
            tx.set_ride_along(id, true, now).await?;
        }
    }

    // The open class: registration opened three days ago; Tuesdays from next month.
    let next_start = today.checked_add(5.weeks()).unwrap_or(today);
    let next = MeetingPattern::new(
        Weekday::Tuesday,
        next_start,
        time(18, 0, 0, 0),
        time(21, 0, 0, 0),
        12,
        [],
    )
    .expect("valid demo pattern")
    .occurrences(&tz);
    let first_day = next.first().map(|o| o.date).unwrap_or(next_start);
    let open_class = tx
        .insert_class(
            &NewClass {
                program_id: citizen,
                name: "Class 33",
                capacity: 30,
                status: ClassStatus::Open,
                registration_opens_at: Some(now_local.checked_sub(3.days()).map(|z| z.timestamp()).unwrap_or(now)),
                registration_closes_at: Some(at(&tz, first_day.checked_sub(7.days()).unwrap_or(first_day), 17)),
                location_name: academy,
                location_address: academy_address,
                graduates: None,
            },
            now,
        )
        .await?;
    add_sessions(tx, open_class, &next, CITIZEN_TOPICS, units, staff_by_unit, academy).await?;
    for i in 0..12 {
        let applied = now
            .checked_sub(jiff::SignedDuration::from_hours(70 - i as i64 * 5))
            .unwrap_or(now);
        let person = sample_applicant(i + 40, 1965);
        tx.insert_application(
            open_class,
            &person,
            ApplicationStatus::Confirmed,
            Channel::Online,
            applied,
        )
        .await?;
    }

    // Patrol shifts Class 33 may book for its ride-along, a few weeks out.
    let patrol_officer = staff_by_unit.get(&units.patrol).copied();
    for (days, start, end, shift) in [
        (9, (7, 0), (15, 0), "Day patrol, Waterfront and Old Town"),
        (12, (15, 0), (23, 0), "Evening patrol, Northgate"),
        (16, (22, 0), (6, 0), "Night patrol, Harbor district"),
    ] {
        let date = today.checked_add(days.days()).unwrap_or(today);
        let window =
            crate::domain::ride_along::window(date, time(start.0, start.1, 0, 0), time(end.0, end.1, 0, 0), &tz);
        if let Some((starts_at, ends_at)) = window {
            let slot = crate::domain::ride_along::Slot {
                starts_at,
                ends_at,
                shift: shift.to_string(),
                seats: 2,
            };
            tx.insert_slot(open_class, &slot, patrol_officer, now).await?;
        }
    }
    Ok(held)
}
