//! Two months of the resource officers' activity log at their school and college.

use crate::store::{StoreError, Tx};
use jiff::Timestamp;

/// Three high schools, a counselor for the first two, quotas and a few nominations.
/// Two months of the resource officers' activity log at their school and college.
pub(super) async fn seed(
    tx: &mut Tx,
    officers: &[crate::domain::StaffId],
    places: &[crate::domain::SchoolId],
    today: jiff::civil::Date,
    now: Timestamp,
) -> Result<(), StoreError> {
    use crate::domain::activity::{Activity, ActivityKind};
    const WEEK: &[(ActivityKind, u32, u32, &str)] = &[
        (
            ActivityKind::Presentation,
            50,
            28,
            "Online safety and sharing photos, ninth grade.",
        ),
        (
            ActivityKind::Mentoring,
            40,
            2,
            "Weekly check-in with the mentoring pair.",
        ),
        (
            ActivityKind::StaffMeeting,
            30,
            6,
            "Campus safety team: the new visitor sign-in.",
        ),
        (ActivityKind::SafetyDrill, 25, 640, "Lockdown drill, all buildings."),
        (ActivityKind::Event, 120, 180, "Evening game: traffic and crowd safety."),
        (
            ActivityKind::IncidentFollowUp,
            35,
            3,
            "Follow-up on the parking-lot collision with staff.",
        ),
    ];
    for (o, (officer, place)) in officers.iter().zip(places).enumerate() {
        for day in 0..40_i64 {
            let date = today.checked_sub(jiff::ToSpan::days(day + 1)).unwrap_or(today);
            // School days only, and not every one.
            if date.weekday().to_monday_one_offset() > 5 || (day + o as i64) % 3 == 1 {
                continue;
            }
            let (kind, minutes, people, note) = WEEK[(day as usize + o) % WEEK.len()];
            let activity = Activity {
                kind,
                school_id: *place,
                occurred_on: date,
                minutes,
                people_reached: people,
                note: note.to_string(),
            };
            tx.insert_activity(*officer, &activity, now).await?;
        }
    }
    Ok(())
}
