//! The demo department: Harbor Point, a fictional coastal city, and its police
//! department's community programs. Seeded once by `serve --demo`, inside one
//! transaction, with dates placed around "now" so the site always looks current
//! (one academy class open for registration, one graduated, a teen cohort this
//! semester).

use jiff::civil::{Date, Time, Weekday, time};
use jiff::{Timestamp, ToSpan, Zoned};

use crate::domain::{
    Affiliation, ApplicationId, ClassId, ClassStatus, Duty, Eligibility, MeetingPattern, ProgramKind, Role, StaffId,
    UnitId, markdown,
};
use crate::domain::{Applicant, ApplicationStatus};
use crate::store::applications::Channel;
use crate::store::seed::{NewClass, NewDepartment, NewProgram, NewStaff};
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

/// (email local part, name, rank, badge, role, units, duty with assignment, public profile)
type RosterEntry<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Role,
    &'a [UnitId],
    Option<(Duty, Option<&'a str>)>,
    bool,
);

struct Units {
    academy: UnitId,
    patrol: UnitId,
    detectives: UnitId,
    forensics: UnitId,
    k9: UnitId,
    swat: UnitId,
    drones: UnitId,
    motors: UnitId,
    dui: UnitId,
    gangs: UnitId,
    community: UnitId,
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
    content(tx, now).await?;

    let units = Units {
        academy: tx
            .insert_unit("academy", "Training Academy", "Recruit and in-service training.")
            .await?,
        patrol: tx
            .insert_unit(
                "patrol",
                "Patrol",
                "Uniformed officers answering calls around the clock.",
            )
            .await?,
        detectives: tx
            .insert_unit(
                "detectives",
                "Detectives",
                "Follow-up investigations from theft to homicide.",
            )
            .await?,
        forensics: tx
            .insert_unit(
                "forensics",
                "Forensic Identification",
                "Evidence, prints and crime scenes.",
            )
            .await?,
        k9: tx.insert_unit("k9", "K-9", "Officers and their patrol dogs.").await?,
        swat: tx
            .insert_unit(
                "swat",
                "SWAT and Crisis Negotiation",
                "High-risk incidents and negotiation.",
            )
            .await?,
        drones: tx
            .insert_unit("drones", "Drone Operations", "Aerial support for searches and scenes.")
            .await?,
        motors: tx
            .insert_unit("motors", "Motors", "Motorcycle traffic enforcement.")
            .await?,
        dui: tx
            .insert_unit("dui", "DUI Enforcement", "Impaired-driving patrols and checkpoints.")
            .await?,
        gangs: tx
            .insert_unit(
                "gangs",
                "Gang Intervention",
                "Prevention, intervention and investigation.",
            )
            .await?,
        community: tx
            .insert_unit("community", "Community Relations", "Programs, outreach and schools.")
            .await?,
    };

    let admin_hash = crate::auth::password::hash(DEMO_ADMIN_PASSWORD)
        .map_err(|e| StoreError::Corrupt(format!("the demo password: {e}")))?;
    tx.insert_staff(
        &NewStaff {
            email: DEMO_ADMIN_EMAIL,
            full_name: "Dana Whitfield",
            rank: None,
            badge_number: None,
            role: Role::Admin,
            password_hash: Some(&admin_hash),
            public_profile: false,
        },
        now,
    )
    .await?;

    let today = now
        .to_zoned(jiff::tz::TimeZone::get(TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC))
        .date();
    #[rustfmt::skip]
    let roster: &[RosterEntry] = &[
        ("m.okafor", "Miriam Okafor", "Sergeant", "1187", Role::Coordinator, &[units.community], None, true),
        ("l.castellanos", "Luis Castellanos", "Officer", "2214", Role::Officer, &[units.community], Some((Duty::DareInstructor, None)), true),
        ("j.brandt", "Jenna Brandt", "Officer", "2301", Role::Officer, &[units.community], Some((Duty::SchoolResourceOfficer, Some("Harbor Point High School"))), true),
        ("r.nakamura", "Ryo Nakamura", "Officer", "2275", Role::Officer, &[units.community], Some((Duty::CollegeResourceOfficer, Some("Bayside Community College"))), true),
        ("t.mensah", "Theo Mensah", "Detective", "1764", Role::Officer, &[units.detectives], None, true),
        ("a.whitcombe", "Ava Whitcombe", "Forensic Specialist", "F-31", Role::Officer, &[units.forensics], None, true),
        ("d.ferreira", "Diego Ferreira", "Officer", "2042", Role::Officer, &[units.k9], None, true),
        ("s.lindqvist", "Sofia Lindqvist", "Sergeant", "1420", Role::Officer, &[units.swat], None, false),
        ("k.adeyemi", "Kwame Adeyemi", "Officer", "2388", Role::Officer, &[units.drones], None, true),
        ("b.harlow", "Beth Harlow", "Officer", "1999", Role::Officer, &[units.motors], Some((Duty::Traffic, None)), true),
        ("p.quinlan", "Patrick Quinlan", "Officer", "2150", Role::Officer, &[units.dui], Some((Duty::Traffic, None)), true),
        ("n.rosales", "Nadia Rosales", "Detective", "1702", Role::Officer, &[units.gangs], None, false),
        ("c.bauer", "Carl Bauer", "Corporal", "1655", Role::Officer, &[units.patrol, units.academy], Some((Duty::FieldTrainingOfficer, None)), true),
        ("e.tran", "Emily Tran", "Lieutenant", "1101", Role::Officer, &[units.academy], None, true),
    ];
    let mut staff_by_unit = std::collections::HashMap::new();
    let mut resource_officers = Vec::new();
    let mut dare_instructor = None;
    for (login, name, rank, badge, role, unit_ids, duty, public) in roster {
        let email = format!("{login}@harborpoint-pd.example");
        let id = tx
            .insert_staff(
                &NewStaff {
                    email: &email,
                    full_name: name,
                    rank: Some(rank),
                    badge_number: Some(badge),
                    role: *role,
                    // The demo password hash is shared: hashing once keeps seeding quick.
                    password_hash: (email == DEMO_OFFICER_EMAIL).then_some(admin_hash.as_str()),
                    public_profile: *public,
                },
                now,
            )
            .await?;
        for unit in *unit_ids {
            tx.add_staff_unit(id, *unit).await?;
            staff_by_unit.entry(*unit).or_insert(id);
        }
        if let Some((duty, assignment)) = duty {
            let since = today.checked_sub(2.years()).unwrap_or(today);
            tx.add_duty(id, *duty, *assignment, since).await?;
            if matches!(duty, Duty::SchoolResourceOfficer | Duty::CollegeResourceOfficer) {
                resource_officers.push(id);
            }
            if *duty == Duty::DareInstructor {
                dare_instructor = Some(id);
            }
        }
    }

    let citizen = tx
        .insert_program(
            &NewProgram {
                what_to_bring: "A photo ID, a notebook, and comfortable closed-toe shoes (the defensive-tactics night is on mats).",
                ..program(
                "citizen-academy",
                ProgramKind::CitizenAcademy,
                "Citizen Police Academy",
                "Twelve evenings inside the department: meet the units, try the training, and see how a call becomes a case.",
                CITIZEN_BODY,
                &Eligibility {
                    min_age: Some(18),
                    affiliations: Affiliation::ALL.to_vec(),
                    background_check: true,
                    waiver: true,
                    ..Default::default()
                },
                1,
                (31, 742),
            )
            },
            now,
        )
        .await?;
    // Graduates of the citizen academy have also done a ride-along with patrol.
    let rule = crate::domain::graduation::GraduationRule {
        late_limit_minutes: Some(15),
        max_makeups: 1,
        ride_along_required: true,
        ..Default::default()
    };
    tx.set_graduation_rule(citizen, &rule).await?;
    tx.set_screening(citizen, &citizen_screening()).await?;
    let teen = tx
        .insert_program(
            &NewProgram {
                what_to_bring: "Your school ID and the signed permission form; wear sneakers.",
                ..program(
                    "teen-academy",
                    ProgramKind::TeenAcademy,
                    "Teen Police Academy",
                    "A semester program for high-school juniors and seniors, one evening a week, for school credit.",
                    TEEN_BODY,
                    &Eligibility {
                        min_age: Some(15),
                        max_age: Some(19),
                        grades: vec![11, 12],
                        counselor_nomination: true,
                        guardian_consent_for_minors: true,
                        ..Default::default()
                    },
                    2,
                    (14, 301),
                )
            },
            now,
        )
        .await?;
    let e = Eligibility::default();
    tx.insert_program(
        &program(
            "dare",
            ProgramKind::Dare,
            "DARE in Harbor Point Schools",
            "Officers teach decision-making and drug-resistance lessons in fifth-grade classrooms.",
            DARE_BODY,
            &e,
            3,
            (0, 0),
        ),
        now,
    )
    .await?;
    tx.insert_program(&program("resource-officers", ProgramKind::ResourceOfficer, "School and College Resource Officers", "An officer assigned to each high school and to Bayside Community College, as mentor, teacher and first contact.", SRO_BODY, &e, 4, (0, 0)), now).await?;
    tx.insert_program(
        &program(
            "neighborhood-watch",
            ProgramKind::NeighborhoodWatch,
            "Neighborhood Watch",
            "Get to know your neighbors, learn what to report, and start a watch group on your block.",
            WATCH_BODY,
            &e,
            5,
            (0, 0),
        ),
        now,
    )
    .await?;
    tx.insert_program(&program("traffic-safety", ProgramKind::TrafficEnforcement, "Selective Traffic Enforcement", "Tell us where speeding or red-light running worries you; Motors officers focus patrols there and report back.", TRAFFIC_BODY, &e, 6, (0, 0)), now).await?;

    let tz = jiff::tz::TimeZone::get(TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
    let now_local = now.to_zoned(tz.clone());
    let academy = "Harbor Point Police Department, Community Room";
    let academy_address = "400 Lighthouse Avenue, Harbor Point, CA 93990";

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
    add_sessions(tx, past_class, &past, CITIZEN_TOPICS, &units, &staff_by_unit, academy).await?;
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
    let mut held = vec![HeldClass {
        id: past_class,
        drop_outs,
        graduate: true,
    }];
    seed_outcomes(tx, &[citizen, teen], past_class, &past_graduates, today, now).await?;

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
        &units,
        &staff_by_unit,
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
    add_sessions(tx, open_class, &next, CITIZEN_TOPICS, &units, &staff_by_unit, academy).await?;
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
        &units,
        &staff_by_unit,
        academy,
    )
    .await?;
    let cohort_start = teen_sessions.first().map_or(now, |o| o.starts_at());
    held.push(HeldClass {
        id: teen_class,
        drop_outs: Vec::new(),
        graduate: teen_status == ClassStatus::Completed,
    });
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
        &units,
        &staff_by_unit,
        academy,
    )
    .await?;
    seed_schools(tx, next_class, &resource_officers, &admin_hash, today, now).await?;
    if let Some(instructor) = dare_instructor {
        seed_dare(tx, instructor, today, now).await?;
    }
    // Today's participants got their before-the-class link before this data existed.
    tx.record_pre_invitations_sent(now).await?;
    Ok(held)
}

/// Three high schools, a counselor for the first two, quotas and a few nominations.
/// Two months of the resource officers' activity log at their school and college.
async fn seed_activity(
    tx: &mut Tx,
    officers: &[crate::domain::StaffId],
    places: &[i64],
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

/// Two elementary schools with a fifth-grade DARE class each: one graduated last
/// semester (a lesson lost to a fire drill), one halfway through its lessons.
async fn seed_dare(
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

/// The academies' standard survey, and the graduated class's answers: most answered
/// before the class, fewer after, with the shift a good class produces.
async fn seed_outcomes(
    tx: &mut Tx,
    programs: &[crate::domain::ProgramId],
    class: ClassId,
    graduates: &[crate::domain::ApplicationId],
    today: jiff::civil::Date,
    now: Timestamp,
) -> Result<(), StoreError> {
    use crate::domain::survey::{Answer, Phase, default_academy_instrument};
    let instrument = default_academy_instrument();
    let mut citizen_version = None;
    for program in programs {
        let v = tx.insert_survey(*program, &instrument, now).await?;
        citizen_version.get_or_insert(v);
    }
    let Some(version) = citizen_version else { return Ok(()) };
    const WORDS: &[&str] = &[
        "The night on patrol changed how I see a traffic stop.",
        "I did not know how much training dispatchers get.",
        "More classes on weekends, please.",
        "I will tell my neighbors to apply.",
        "The use-of-force session was hard and worth it.",
        "Thank you to every officer who gave up an evening.",
    ];
    let answered_in = today.checked_sub(jiff::ToSpan::weeks(17)).unwrap_or(today);
    for (i, id) in graduates.iter().enumerate() {
        if i % 3 == 0 {
            tx.insert_alumnus(*id, &crate::auth::tokens::generate(), now).await?;
        }
        let pair = crate::auth::tokens::generate();
        // Links answered months ago; only their hashes would be kept, so none works.
        for phase in Phase::ALL {
            let token_hash = crate::auth::tokens::hash(&crate::auth::tokens::generate());
            tx.create_survey_invitation(*id, phase, &token_hash, now).await?;
            let answers_post = i % 4 != 3;
            if phase == Phase::Post && !answers_post {
                continue;
            }
            tx.use_survey_invitation(&token_hash).await?;
            let lift = u8::from(phase == Phase::Post) * (1 + u8::from(i % 2 == 0));
            // Each statement starts from its own spread of views.
            let scale = |question: usize| Answer::Scale((((i + question * 2) % 4) as u8 + 1 + lift).clamp(1, 5));
            let mut answers = vec![
                ("trust".to_string(), scale(0)),
                ("safety".to_string(), scale(1)),
                ("understanding".to_string(), scale(3)),
            ];
            // Some skip a question, as people do.
            if i % 5 != 0 {
                answers.push(("contact".to_string(), scale(2)));
            }
            if phase == Phase::Post && i < WORDS.len() {
                answers.push(("comments".to_string(), Answer::Text(WORDS[i].to_string())));
            }
            tx.insert_survey_response(
                &crate::auth::tokens::generate(),
                (version, class),
                phase,
                answered_in,
                &pair,
                &answers,
            )
            .await?;
        }
    }
    Ok(())
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
    seed_activity(tx, resource_officers, &[harbor, college], today, now).await?;
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

/// The semester after the current one: its name, first meeting week and skipped dates.
fn next_semester(today: Date) -> (String, Date, Vec<Date>) {
    let (year, month) = if today.month() >= 7 {
        (today.year() + 1, 3)
    } else {
        (today.year(), 8)
    };
    // A date in the next term, so `semester` names it.
    semester(Date::new(year, month, 1).unwrap_or(today))
}

/// A fictional applicant; `n` makes names and emails distinct, `born` sets the era.
fn sample_applicant(n: usize, born: i16) -> Applicant {
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
fn semester(today: Date) -> (String, Date, Vec<Date>) {
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
fn at(tz: &jiff::tz::TimeZone, date: Date, hour: i8) -> Timestamp {
    tz.to_ambiguous_zoned(date.to_datetime(Time::new(hour, 0, 0, 0).unwrap_or(Time::midnight())))
        .compatible()
        .map(|z: Zoned| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

#[expect(
    clippy::too_many_arguments,
    reason = "a flat literal list reads better than a builder here"
)]
fn program<'a>(
    slug: &'a str,
    kind: ProgramKind,
    name: &'a str,
    summary: &'a str,
    body: &'a str,
    eligibility: &'a Eligibility,
    position: i64,
    (legacy_classes, legacy_graduates): (i64, i64),
) -> NewProgram<'a> {
    NewProgram {
        slug,
        kind,
        name,
        summary,
        what_to_bring: "",
        body_markdown: body,
        body_html: markdown::to_safe_html(body),
        eligibility,
        lottery: false,
        position,
        legacy_classes,
        legacy_graduates,
    }
}

async fn add_sessions(
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
enum UnitKey {
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

const CITIZEN_TOPICS: &[(&str, &str, UnitKey)] = &[
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

const TEEN_TOPICS: &[(&str, &str, UnitKey)] = &[
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

const SAMPLE_NAMES: &[(&str, &str)] = &[
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

const CITIZEN_BODY: &str = "\
The Citizen Police Academy opens the department to the people it serves. Over twelve evenings you \
meet officers and professional staff from nearly every unit, hear how decisions are made, and try \
some of the training yourself.

## What you will do

- Sit in on a patrol briefing and follow a call from the 911 line to the final report.
- Practice evidence collection with forensic specialists and watch a K-9 team search.
- Work through training scenarios the way recruits do, and talk through the choices afterwards.
- Ask the questions you have always wanted to ask, of the people who do the job.

## Why we run it

A department works best when residents know how it works. Graduates tell their neighbors what \
they saw, many join Neighborhood Watch or volunteer with us, and their questions make us better.

Classes are small and seats go quickly. If no class is open, join the interest list and we will \
tell you as soon as the next one is announced.";

const TEEN_BODY: &str = "\
The Teen Police Academy brings high-school juniors and seniors to the station one evening a week \
for a semester. Officers from patrol, investigations and specialized units teach hands-on \
sessions, and students who complete the program earn elective credit from their school.

## How students join

School counselors at Harbor Point high schools select and nominate students each semester. A \
parent or guardian gives consent before the first session. There is no cost.

## What students take away

A realistic picture of police work, practice in teamwork and judgment, and a direct line to \
officers who can talk about careers in public safety.";

const DARE_BODY: &str = "\
DARE officers teach a ten-lesson course in fifth-grade classrooms across Harbor Point. The lessons \
are about making safe, responsible choices: handling peer pressure, understanding risks, and \
knowing where to turn for help. Each course ends with a graduation that families attend.

Schools that would like DARE in their classrooms can ask through the community request form.";

const SRO_BODY: &str = "\
Each Harbor Point high school has an assigned School Resource Officer, and Bayside Community \
College has a College Resource Officer. They are familiar faces on campus: they teach safety \
lessons, mentor students, help staff plan drills, and follow up when something happens.

Resource officers are part of the school community first. Discipline stays with the school.";

const WATCH_BODY: &str = "\
Neighborhood Watch is neighbors looking out for each other. A Community Relations officer meets \
with your block to explain what to report and how, shares local crime information, and helps you \
choose a block captain.

To start a watch on your street, send us a request and we will set up a first meeting.";

const TRAFFIC_BODY: &str = "\
Speeding on a residential street or cars rolling through a school crosswalk? Tell us where and \
when. The Motors and DUI units plan focused enforcement operations at the places residents name, \
and we report back what we found and did.";

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

/// How the citizen academy screens applicants: three stages, the background check sensitive.
pub fn citizen_screening() -> crate::domain::screening::Screening {
    use crate::domain::screening::{Reason, Screening, Stage};
    let stage = |code: &str, name: &str, sensitive| Stage {
        code: code.into(),
        name: name.into(),
        sensitive,
    };
    let reason = |code: &str, label: &str| Reason {
        code: code.into(),
        label: label.into(),
    };
    Screening {
        stages: vec![
            stage("application_review", "Application review", false),
            stage("background_check", "Background check", true),
            stage("interview", "Conversation with the coordinator", false),
        ],
        reasons: vec![
            reason("meets_criteria", "Meets the program's criteria"),
            reason("missing_information", "Information missing from the application"),
            reason("not_eligible", "Not eligible (age, residence or connection)"),
            reason("record_found", "Record found in the background check"),
            reason("schedule_conflict", "Cannot attend the class dates"),
            reason("withdrew_interest", "Applicant no longer interested"),
        ],
    }
}

const WINTER_DRIVING: &str = "\
Harbor Point rarely sees snow, but the passes east of town ice over on clear winter nights, and \
the first rain after a dry spell leaves the coast road as slick as ice.

## Before you go

- Check the road report for the passes; chains may be required even when town is dry.
- Top up washer fluid and look at your tires: worn treads lose grip first.
- Keep a blanket, water, a phone charger and a flashlight in the car.

## On the road

- Slow down before curves and bridges; bridges freeze before the road does.
- Leave three times the usual gap to the car ahead.
- If you skid, look and steer where you want to go, and ease off the pedals.
- Turn on headlights in rain or fog so others see you.

## If you are stuck or in a crash

Move to safety if you can, turn on hazard lights and call 911 if anyone is hurt or the road is \
blocked. For a minor crash with no injuries, exchange details and file a report online or at the \
front desk.
";

const COMMUNITY_POLICING: &str = "\
Community policing is a way of working, not a single program. Officers are assigned to the same \
neighborhoods for years, residents tell us which problems matter most on their street, and both \
sides share the work of solving them.

## What it looks like in Harbor Point

- **Beat officers you know by name**, who come to neighborhood meetings and answer email.
- **Programs that open the station**: the Citizen Police Academy, the Teen Academy and ride-alongs.
- **Officers in schools**: DARE lessons in fifth grade and resource officers at the high school \
  and the college.
- **Problem solving with data and with neighbors**: a traffic complaint becomes a focused \
  enforcement operation, and the requester hears what it found.

## How you can take part

Join a neighborhood watch, apply to the academy, ask for an officer to speak to your club, or \
simply [tell us what worries you](/requests/new).
";

/// A seasonal advisory and an explanatory page.
async fn content(tx: &mut Tx, now: Timestamp) -> Result<(), StoreError> {
    use crate::domain::content::{ContentKind, Window};
    use crate::store::content::NewContent;
    tx.insert_content(
        &NewContent {
            kind: ContentKind::Advisory,
            slug: "winter-driving",
            title: "Driving in winter weather",
            category: "Road safety",
            summary: "Icy passes and slick first-rain roads: how to prepare, drive and what to do if you are stuck.",
            body_markdown: WINTER_DRIVING,
            body_html: markdown::to_safe_html(WINTER_DRIVING),
            window: Window::Season {
                from: (11, 1),
                until: (3, 31),
            },
            published: true,
            on_home: true,
        },
        now,
    )
    .await?;
    tx.insert_content(
        &NewContent {
            kind: ContentKind::Page,
            slug: "community-policing",
            title: "What is community policing?",
            category: "About us",
            summary: "Residents and officers solving problems together, street by street.",
            body_markdown: COMMUNITY_POLICING,
            body_html: markdown::to_safe_html(COMMUNITY_POLICING),
            window: Window::Always,
            published: true,
            on_home: false,
        },
        now,
    )
    .await?;
    Ok(())
}
