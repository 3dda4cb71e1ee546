//! The demo department: Harbor Point, a fictional coastal city, and its police
//! department's community programs. Seeded once by `serve --demo`, inside one
//! transaction, with dates placed around "now" so the site always looks current
//! (one academy class open for registration, one graduated, a teen cohort this
//! semester).
//!
//! One file per part of the department: its staff and units, programs, the citizen
//! academy's classes, the teen academy with its schools, DARE, the activity log, outcomes,
//! site content, and the sessions every class shares; `scenario` builds classes for tests
//! and the load harness.

use jiff::Timestamp;

mod academy;
mod activity;
mod content;
mod dare;
mod outcomes;
mod programs;
mod scenario;
mod sessions;
mod staff;
mod teen;

pub use programs::citizen_screening;
pub use scenario::{ScenarioClass, scenario_class};

use crate::domain::{ApplicationId, ClassId};
use crate::store::seed::NewDepartment;
use crate::store::{Store, StoreError, Tx};

/// The demo administrator's sign-in, printed at start. Demo data only.
pub const DEMO_ADMIN_EMAIL: &str = "admin@harborpoint-pd.example";

/// Password of the demo administrator. Public on purpose: this is sample data.
pub const DEMO_ADMIN_PASSWORD: &str = "harbor-point-demo";

/// The demo's school counselor (Harbor Point High School); same password as the admin.
pub const DEMO_COUNSELOR_EMAIL: &str = "counselor@harborpoint-schools.example";

/// The demo's DARE instructor, an officer who teaches the demo's DARE classes; same
/// password as the admin.
pub const DEMO_OFFICER_EMAIL: &str = "l.castellanos@harborpoint-pd.example";

/// The department's IANA time zone.
const TIME_ZONE: &str = "America/Los_Angeles";

/// Where the academies meet.
const ACADEMY: &str = "Harbor Point Police Department, Community Room";
const ACADEMY_ADDRESS: &str = "400 Lighthouse Avenue, Harbor Point, CA 93990";

/// What seeding did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seeded {
    /// The demo department was written now.
    Created,
    /// A department already existed; nothing was changed.
    AlreadyPresent,
}

/// Seeds the demo department unless one exists. Safe to call on every start and from
/// several instances at once: the loser of a race sees the winner's row and stops.
/// `base_url` goes into the links of the certificates the demo's past classes earned.
pub async fn seed(store: &Store, base_url: &str, now: Timestamp) -> anyhow::Result<Seeded> {
    let mut tx = store.begin().await?;
    if tx.department_exists().await? {
        return Ok(Seeded::AlreadyPresent);
    }
    let held = match write_all(&mut tx, now).await {
        Ok(held) => held,
        Err(e) if e.is_unique_violation() => return Ok(Seeded::AlreadyPresent),
        Err(e) => return Err(e.into()),
    };
    match tx.commit().await {
        Ok(()) => {}
        Err(e) if e.is_unique_violation() => return Ok(Seeded::AlreadyPresent),
        Err(e) => return Err(e.into()),
    }
    // Only the instance that wrote the department gets here, so this runs once.
    for class in &held {
        run_held_sessions(store, base_url, class, now).await?;
    }
    store.settle_demo_history(now).await?;
    Ok(Seeded::Created)
}

/// A demo class whose sessions, or some of them, are before "now": its attendance is
/// taken, and a finished class graduated, by the same actions staff use
/// (`crate::service::graduation`), so its verdicts, statuses and certificates are the product's
/// own rather than numbers written by hand.
struct HeldClass {
    id: ClassId,
    /// Participants who miss three sessions and so do not graduate.
    drop_outs: Vec<ApplicationId>,
    /// Confirm graduation after the last session.
    graduate: bool,
}

/// Takes attendance for every session of `class` started by `now` (recorded as the session
/// ends) and, when the class is finished, confirms its graduation just after the last one.
async fn run_held_sessions(store: &Store, base_url: &str, class: &HeldClass, now: Timestamp) -> anyhow::Result<()> {
    use crate::domain::graduation::{Mark, Record};
    let recorder = "staff:demo Miriam Okafor";
    let sessions: Vec<_> = store
        .sessions(class.id)
        .await?
        .into_iter()
        .filter(|s| !s.cancelled && s.starts_at <= now)
        .collect();
    let people = store.participants(class.id).await?;
    for (n, session) in sessions.iter().enumerate() {
        let marks: Vec<(ApplicationId, Record)> = people
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let record = if class.drop_outs.contains(&p.id) && n % 3 == 1 {
                    Record::new(Mark::Absent)
                } else if (i + n) % 17 == 0 {
                    Record::new(Mark::Excused)
                } else if (i + 2 * n) % 23 == 0 {
                    Record {
                        minutes_late: Some(10),
                        ..Record::new(Mark::Late)
                    }
                } else {
                    Record::new(Mark::Present)
                };
                (p.id, record)
            })
            .collect();
        let at = session.ends_at.min(now);
        crate::service::graduation::record_marks(store, recorder, class.id, session.id, &marks, at)
            .await
            .map_err(|e| anyhow::anyhow!("demo attendance: {e}"))?;
    }
    if class.graduate
        && let Some(last) = sessions.last()
    {
        let at = last.ends_at.min(now);
        crate::service::graduation::confirm(store, base_url, recorder, class.id, at)
            .await
            .map_err(|e| anyhow::anyhow!("demo graduation: {e}"))?;
    }
    Ok(())
}

/// Writes the department; returns the classes whose held sessions still need their
/// attendance (see [`HeldClass`]).
async fn write_all(tx: &mut Tx, now: Timestamp) -> Result<Vec<HeldClass>, StoreError> {
    tx.insert_department(&NewDepartment {
        name: "Harbor Point Police Department",
        short_name: "Harbor Point PD",
        city: "Harbor Point",
        state: "CA",
        time_zone: TIME_ZONE,
        address: "400 Lighthouse Avenue, Harbor Point, CA 93990",
        phone: "(555) 010-4400",
        email: "community@harborpoint-pd.example",
        tagline: "Neighbors and officers, working on the same side of the street.",
        service_area: "Harbor Point Heights\nSouth Harbor\n93990\n93991",
        non_emergency_phone: "(555) 010-4411",
        website: "https://harborpoint.example/police",
        reply_to: "community@harborpoint-pd.example",
        accessibility_contact: "access@harborpoint-pd.example",
    })
    .await?;
    content::seed(tx, now).await?;
    let today = now
        .to_zoned(jiff::tz::TimeZone::get(TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC))
        .date();
    let people = staff::seed(tx, today, now).await?;
    let programs = programs::seed(tx, now).await?;
    let mut held = academy::seed(tx, &people, &programs, today, now).await?;
    held.push(teen::seed(tx, &people, &programs, today, now).await?);
    if let Some(instructor) = people.dare_instructor {
        dare::seed(tx, instructor, today, now).await?;
    }
    // Today's participants got their before-the-class link before this data existed.
    tx.record_pre_invitations_sent(now).await?;
    Ok(held)
}
