//! What every class shares: sessions with topics and presenters by unit, semesters,
//! sample applicants.

use super::staff::Units;
use crate::domain::Applicant;
use crate::domain::{Affiliation, ClassId, StaffId, UnitId};
use crate::store::{StoreError, Tx};
use jiff::civil::{Date, Time, Weekday};
use jiff::{Timestamp, Zoned};

/// The semester after the current one: its name, first meeting week and skipped dates.
pub(super) fn next_semester(today: Date) -> (String, Date, Vec<Date>) {
    let (year, month) = if today.month() >= 7 {
        (today.year() + 1, 3)
    } else {
        (today.year(), 8)
    };
    // A date in the next term, so `semester` names it.
    semester(Date::new(year, month, 1).unwrap_or(today))
}

/// A fictional applicant; `n` makes names and emails distinct, `born` sets the era.
pub(super) fn sample_applicant(n: usize, born: i16) -> Applicant {
    let (first, last) = SAMPLE_NAMES[n % SAMPLE_NAMES.len()];
    let cycle = n / SAMPLE_NAMES.len();
    let first = if cycle == 0 {
        first.to_string()
    } else {
        format!("{first} {}", ["J.", "M.", "R.", "T.", "S.", "K."][cycle % 6])
    };
    Applicant {
        email: format!(
            "{}.{}{n}@mail.example",
            first.split(' ').next().unwrap_or(&first).to_lowercase(),
            last.to_lowercase()
        ),
        first_name: first,
        last_name: last.to_string(),
        phone: format!("(555) 01{:01}-{:04}", n % 10, 1000 + n),
        date_of_birth: Date::new(born + (n % 20) as i16, (n % 12) as i8 + 1, (n % 27) as i8 + 1).unwrap_or(Date::ZERO),
        city: "Harbor Point".to_string(),
        affiliation: [Affiliation::Resides, Affiliation::Works, Affiliation::Member][n % 3],
        organization: if n % 3 == 2 {
            "Harbor Point Rotary Club".to_string()
        } else {
            String::new()
        },
        emergency_name: format!("{} family", last),
        emergency_phone: format!("(555) 019-{:04}", 2000 + n),
        waiver_accepted: true,
    }
}

/// The current school semester's name, its first meeting week and the dates it skips.
/// Fall runs from the second Thursday of September (skipping Thanksgiving), Spring from
/// the second Thursday of February (skipping spring break).
pub(super) fn semester(today: Date) -> (String, Date, Vec<Date>) {
    let year = today.year();
    let nth_thursday =
        |month: i8, n: i8| Date::new(year, month, 1).and_then(|d| d.nth_weekday_of_month(n, Weekday::Thursday));
    if today.month() >= 7 {
        let start = nth_thursday(9, 2).unwrap_or(today);
        let thanksgiving = nth_thursday(11, 4).into_iter().collect();
        (format!("Fall {year}"), start, thanksgiving)
    } else {
        let start = nth_thursday(2, 2).unwrap_or(today);
        let spring_break = nth_thursday(4, 2).into_iter().collect();
        (format!("Spring {year}"), start, spring_break)
    }
}

/// A local date at a whole hour, as an instant.
pub(super) fn at(tz: &jiff::tz::TimeZone, date: Date, hour: i8) -> Timestamp {
    tz.to_ambiguous_zoned(date.to_datetime(Time::new(hour, 0, 0, 0).unwrap_or(Time::midnight())))
        .compatible()
        .map(|z: Zoned| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(super) async fn add_sessions(
    tx: &mut Tx,
    class_id: ClassId,
    occurrences: &[crate::domain::Occurrence],
    topics: &[(&str, &str, UnitKey)],
    units: &Units,
    staff_by_unit: &std::collections::HashMap<UnitId, StaffId>,
    place: &str,
) -> Result<Vec<crate::domain::SessionId>, StoreError> {
    let mut ids = Vec::new();
    for (i, (occ, (topic, description, unit))) in occurrences.iter().zip(topics.iter().cycle()).enumerate() {
        let session = tx
            .insert_session(class_id, i as i64 + 1, topic, description, occ, place)
            .await?;
        let unit_id = unit.id(units);
        tx.add_presenter(session, unit_id, staff_by_unit.get(&unit_id).copied())
            .await?;
        ids.push(session);
    }
    Ok(ids)
}

#[derive(Clone, Copy)]
pub(super) enum UnitKey {
    Academy,
    Patrol,
    Detectives,
    Forensics,
    K9,
    Swat,
    Drones,
    Motors,
    Dui,
    Gangs,
    Community,
}

impl UnitKey {
    fn id(self, u: &Units) -> UnitId {
        match self {
            UnitKey::Academy => u.academy,
            UnitKey::Patrol => u.patrol,
            UnitKey::Detectives => u.detectives,
            UnitKey::Forensics => u.forensics,
            UnitKey::K9 => u.k9,
            UnitKey::Swat => u.swat,
            UnitKey::Drones => u.drones,
            UnitKey::Motors => u.motors,
            UnitKey::Dui => u.dui,
            UnitKey::Gangs => u.gangs,
            UnitKey::Community => u.community,
        }
    }
}

pub(super) const CITIZEN_TOPICS: &[(&str, &str, UnitKey)] = &[
    (
        "Welcome and how the department is organized",
        "Meet the chief's staff and your classmates; a tour of the station.",
        UnitKey::Community,
    ),
    (
        "A shift on patrol",
        "How calls are dispatched, prioritized and answered, told by patrol officers.",
        UnitKey::Patrol,
    ),
    (
        "Inside the training academy",
        "What recruits learn, including de-escalation and the law on use of force.",
        UnitKey::Academy,
    ),
    (
        "From report to courtroom",
        "How detectives build a case and work with prosecutors.",
        UnitKey::Detectives,
    ),
    (
        "Reading a crime scene",
        "Fingerprints, photographs and the chain of evidence, with hands-on practice.",
        UnitKey::Forensics,
    ),
    (
        "Working dogs",
        "A K-9 team shows how a dog searches, tracks and protects.",
        UnitKey::K9,
    ),
    (
        "When it goes wrong: SWAT and negotiation",
        "How high-risk incidents are planned and how negotiators talk people out.",
        UnitKey::Swat,
    ),
    (
        "Eyes in the sky",
        "How drones help find missing people and document scenes, and the rules that limit them.",
        UnitKey::Drones,
    ),
    (
        "Motors and traffic safety",
        "Collision investigation, speed enforcement and why some streets get more attention.",
        UnitKey::Motors,
    ),
    (
        "Impaired driving",
        "Field sobriety tests, checkpoints and the cost of a DUI, from the officers who make the stops.",
        UnitKey::Dui,
    ),
    (
        "Gangs and prevention",
        "What gang activity looks like locally and how intervention keeps young people out.",
        UnitKey::Gangs,
    ),
    (
        "Scenario night and graduation",
        "Decide in the moment in training scenarios, then celebrate with family and officers.",
        UnitKey::Academy,
    ),
];

pub(super) const TEEN_TOPICS: &[(&str, &str, UnitKey)] = &[
    (
        "Orientation and station tour",
        "Expectations, the semester plan and a walk through the station.",
        UnitKey::Community,
    ),
    (
        "Patrol: a day in the car",
        "Ride-along stories, radio codes and what officers carry.",
        UnitKey::Patrol,
    ),
    (
        "Your rights and the law",
        "Stops, searches and what the law asks of officers and citizens.",
        UnitKey::Academy,
    ),
    (
        "Crime scene basics",
        "Collect and label evidence from a mock scene.",
        UnitKey::Forensics,
    ),
    ("K-9 demonstration", "Meet a patrol dog and its handler.", UnitKey::K9),
    (
        "Detective work",
        "Interview practice and a case to solve as a team.",
        UnitKey::Detectives,
    ),
    (
        "Drones and technology",
        "Fly a training drone in the gym under supervision.",
        UnitKey::Drones,
    ),
    (
        "Traffic safety for new drivers",
        "Distracted and impaired driving, with the Motors unit.",
        UnitKey::Motors,
    ),
    (
        "Gangs, social media and safety",
        "Recognizing pressure online and offline, and where to get help.",
        UnitKey::Gangs,
    ),
    (
        "Fitness and the academy",
        "A taste of academy physical training.",
        UnitKey::Academy,
    ),
    (
        "Careers in public safety",
        "Officers, dispatchers, forensic specialists and how each got there.",
        UnitKey::Community,
    ),
    (
        "Scenarios and completion night",
        "Training scenarios, reflections and certificates with families.",
        UnitKey::Academy,
    ),
];

pub(super) const SAMPLE_NAMES: &[(&str, &str)] = &[
    ("Alma", "Reyes"),
    ("Ben", "Okoro"),
    ("Chloe", "Vance"),
    ("Dev", "Patel"),
    ("Elena", "Moreau"),
    ("Frank", "Delgado"),
    ("Grace", "Kim"),
    ("Hassan", "Ali"),
    ("Iris", "Novak"),
    ("Jamal", "Brooks"),
    ("Keiko", "Sato"),
    ("Liam", "Gallagher"),
    ("Maya", "Fischer"),
    ("Nico", "Ruiz"),
    ("Olive", "Grant"),
];
