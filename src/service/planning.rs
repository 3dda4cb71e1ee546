//! Creating classes and their sessions: the checks and steps shared by the staff pages and
//! the staff JSON API, so a class made either way follows the same rules.

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use serde::Deserialize;

use crate::domain::application::Allocation;
use crate::domain::audit::AuditAction;
use crate::domain::{ClassId, ClassStatus, MeetingPattern, RuleFailure};
use crate::store::seed::NewClass;
use crate::store::staff::AuditRecord;
use crate::store::{Store, StoreError, Tx};

use super::Error;

/// A weekly meeting pattern, in the department's local time.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternIn {
    /// `monday` ... `sunday`.
    pub weekday: String,
    /// First possible date, `YYYY-MM-DD` (rolls forward to the weekday).
    pub first_date: String,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM`.
    pub end: String,
    /// Number of meetings; skipped dates (these and the department's holidays) push the
    /// series later.
    pub sessions: u16,
    #[serde(default)]
    pub skip: Vec<String>,
    /// Topic for generated sessions (numbered); edit them later.
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
}

/// A new class.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassIn {
    /// The program's slug.
    pub program: String,
    pub name: String,
    pub capacity: i64,
    #[serde(default)]
    pub registration_opens_at: Option<String>,
    #[serde(default)]
    pub registration_closes_at: Option<String>,
    #[serde(default)]
    pub location_name: String,
    #[serde(default)]
    pub location_address: String,
    #[serde(default)]
    pub pattern: Option<PatternIn>,
    /// `first_come` or `lottery`; by default the program's.
    #[serde(default)]
    pub allocation: Option<String>,
}

pub fn failure(rule: &'static str, field: &'static str, message: impl Into<String>) -> RuleFailure {
    RuleFailure::new(rule, field, message)
}

/// Reads an instant with its offset (`2027-01-05T09:00:00-08:00`).
pub fn instant(value: &Option<String>, field: &'static str, errors: &mut Vec<RuleFailure>) -> Option<Timestamp> {
    let v = value.as_deref()?;
    match v.parse::<Timestamp>() {
        Ok(t) => Some(t),
        Err(_) => {
            errors.push(failure(
                "instant_format",
                field,
                "Give an instant with its offset, like 2027-01-05T09:00:00-08:00.",
            ));
            None
        }
    }
}

/// Checks a class's name and the order of its registration window.
pub fn check_name_and_window(
    name: &str,
    opens: Option<Timestamp>,
    closes: Option<Timestamp>,
    errors: &mut Vec<RuleFailure>,
) {
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(failure(
            "name",
            "name",
            "Give the class a name of 1 to 100 characters, like \"Class 34\".",
        ));
    }
    if let (Some(o), Some(c)) = (opens, closes)
        && c <= o
    {
        errors.push(failure(
            "window",
            "registration_closes_at",
            "Registration must close after it opens.",
        ));
    }
}

pub fn parse_weekday(s: &str) -> Option<Weekday> {
    Some(match s.trim().to_lowercase().as_str() {
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

/// Checks a pattern; the occurrences come from `domain::schedule`.
pub fn pattern(p: &PatternIn, errors: &mut Vec<RuleFailure>) -> Option<MeetingPattern> {
    let weekday = parse_weekday(&p.weekday);
    if weekday.is_none() {
        errors.push(failure("weekday", "pattern.weekday", "Name a weekday, like tuesday."));
    }
    let date = |s: &str, field: &'static str, errors: &mut Vec<RuleFailure>| {
        s.trim()
            .parse::<Date>()
            .map_err(|_| errors.push(failure("date_format", field, "Give a date as YYYY-MM-DD.")))
            .ok()
    };
    let time = |s: &str, field: &'static str, errors: &mut Vec<RuleFailure>| {
        s.trim()
            .parse::<Time>()
            .map_err(|_| errors.push(failure("time_format", field, "Give a time as HH:MM.")))
            .ok()
    };
    let first = date(&p.first_date, "pattern.first_date", errors);
    let start = time(&p.start, "pattern.start", errors);
    let end = time(&p.end, "pattern.end", errors);
    let skip: Vec<Date> = p.skip.iter().filter_map(|d| date(d, "pattern.skip", errors)).collect();
    let (weekday, first, start, end) = (weekday?, first?, start?, end?);
    MeetingPattern::new(weekday, first, start, end, p.sessions, skip)
        .map_err(|e| errors.push(failure("pattern", "pattern", e.to_string())))
        .ok()
}

/// The pattern, also skipping the department's holidays from its first date on. Two
/// years of holidays cover the longest pattern with all its skipped weeks.
pub async fn skip_holidays(store: &Store, m: MeetingPattern) -> Result<MeetingPattern, StoreError> {
    let from = m.first_date();
    let to = from.checked_add(jiff::Span::new().years(2)).unwrap_or(from);
    let holidays = store.holidays_between(from, to).await?;
    Ok(m.also_skipping(holidays.into_iter().map(|h| h.date)))
}

/// Appends the pattern's sessions after position `after`; returns how many.
pub async fn add_sessions(
    tx: &mut Tx,
    class_id: ClassId,
    after: i64,
    m: &MeetingPattern,
    p: &PatternIn,
    tz: &jiff::tz::TimeZone,
) -> Result<usize, StoreError> {
    let occurrences = m.occurrences(tz);
    let topic = p
        .topic
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("Session");
    let place = p.place.as_deref().unwrap_or("").trim();
    for (i, o) in occurrences.iter().enumerate() {
        let position = after + i as i64 + 1;
        tx.insert_session(class_id, position, &format!("{topic} {position}"), "", o, place)
            .await?;
    }
    Ok(occurrences.len())
}

/// The name of the refusal when the program already has a class with this name.
pub const DUPLICATE_CLASS: &str = "duplicate-class";

fn duplicate_class() -> Error {
    Error::Conflict {
        kind: DUPLICATE_CLASS,
        why: "This program already has a class with that name.".into(),
    }
}

/// Creates a draft class (with sessions from its pattern, skipping the department's
/// holidays as well as the pattern's own dates), audited as `actor`.
pub async fn create_class(store: &Store, input: &ClassIn, actor: &str, now: Timestamp) -> Result<ClassId, Error> {
    let mut errors = Vec::new();
    let program = store.published_program(input.program.trim()).await?;
    if program.is_none() {
        errors.push(failure("program", "program", "No program has this slug."));
    }
    let name = input.name.trim().to_string();
    if !(0..=10_000).contains(&input.capacity) {
        errors.push(failure(
            "capacity",
            "capacity",
            "Capacity must be between 0 and 10,000.",
        ));
    }
    let opens = instant(&input.registration_opens_at, "registration_opens_at", &mut errors);
    let closes = instant(&input.registration_closes_at, "registration_closes_at", &mut errors);
    check_name_and_window(&name, opens, closes, &mut errors);
    let meeting = input.pattern.as_ref().and_then(|p| pattern(p, &mut errors));
    let inherited = if program.as_ref().is_some_and(|p| p.lottery) {
        Allocation::Lottery
    } else {
        Allocation::FirstCome
    };
    let allocation = match input.allocation.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => inherited,
        Some(code) => Allocation::parse(code).unwrap_or_else(|| {
            errors.push(failure("allocation", "allocation", "Choose first_come or lottery."));
            inherited
        }),
    };
    if let Err(why) = crate::domain::class::allocation_change(ClassStatus::Draft, inherited, allocation, closes) {
        errors.push(failure("allocation", "allocation", why));
    }
    let Some(program) = program.filter(|_| errors.is_empty()) else {
        return Err(Error::invalid(errors));
    };
    let meeting = match meeting {
        Some(m) => Some(skip_holidays(store, m).await?),
        None => None,
    };
    let tz = store
        .department()
        .await?
        .map(|d| d.tz())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let mut tx = store.begin().await?;
    let created = tx
        .insert_class(
            &NewClass {
                program_id: program.id,
                name: &name,
                capacity: input.capacity,
                status: ClassStatus::Draft,
                registration_opens_at: opens,
                registration_closes_at: closes,
                location_name: input.location_name.trim(),
                location_address: input.location_address.trim(),
                graduates: None,
            },
            now,
        )
        .await;
    let class_id = match created {
        Ok(id) => id,
        Err(e) if e.is_unique_violation() => return Err(duplicate_class()),
        Err(e) => return Err(e.into()),
    };
    if allocation != Allocation::FirstCome {
        tx.set_class_allocation(class_id, allocation).await?;
    }
    let mut sessions = 0;
    if let (Some(m), Some(p)) = (&meeting, &input.pattern) {
        sessions = add_sessions(&mut tx, class_id, 0, m, p, &tz).await?;
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ClassCreate,
            object_type: "class",
            object_id: class_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "program": program.slug, "name": name, "capacity": input.capacity, "sessions": sessions,
                "allocation": allocation.code(),
            })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(class_id)
}

/// A class copied to a new semester, as asked.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyIn {
    /// The new class's name, like "Class 34".
    pub name: String,
    /// `YYYY-MM-DD`: the first session is on the first day from here with the old first
    /// session's weekday.
    pub first_date: String,
    /// Seats; the old class's capacity when absent.
    #[serde(default)]
    pub capacity: Option<i64>,
    #[serde(default)]
    pub registration_opens_at: Option<String>,
    #[serde(default)]
    pub registration_closes_at: Option<String>,
    /// Only plan the copy and answer with its sessions; save nothing.
    #[serde(default)]
    pub preview: bool,
}

/// One session of the copy, before it is saved.
#[derive(Debug, Clone)]
pub struct PlannedSession {
    pub position: i64,
    pub topic: String,
    pub description: String,
    pub place: String,
    pub at: crate::domain::Occurrence,
    /// `(unit, officer)` ids, as on the source session.
    pub presenters: Vec<(crate::domain::UnitId, Option<crate::domain::StaffId>)>,
    /// Who presents, for people: the unit, and the officer where the source shows one.
    pub presenter_names: Vec<String>,
}

/// What saving a copy would create.
#[derive(Debug, Clone)]
pub struct CopyPlan {
    pub source: crate::store::catalog::Class,
    pub name: String,
    pub capacity: i64,
    pub opens: Option<Timestamp>,
    pub closes: Option<Timestamp>,
    pub sessions: Vec<PlannedSession>,
    /// The department's holidays that pushed sessions later.
    pub skipped: Vec<crate::domain::holidays::Holiday>,
}

/// Plans a copy of `class_id` (its held sessions: same topics, descriptions, places,
/// presenters, weekdays and local times) from a new first date, by
/// `domain::schedule::copy_dates`, skipping the department's holidays. Nothing is saved.
pub async fn plan_copy(store: &Store, class_id: ClassId, input: &CopyIn) -> Result<CopyPlan, Error> {
    let source = store.class(class_id).await?.ok_or(Error::NotFound("class"))?;
    let mut errors = Vec::new();
    let name = input.name.trim().to_string();
    let capacity = input.capacity.unwrap_or(source.capacity);
    if !(0..=10_000).contains(&capacity) {
        errors.push(failure(
            "capacity",
            "capacity",
            "Capacity must be between 0 and 10,000.",
        ));
    }
    let opens = instant(&input.registration_opens_at, "registration_opens_at", &mut errors);
    let closes = instant(&input.registration_closes_at, "registration_closes_at", &mut errors);
    check_name_and_window(&name, opens, closes, &mut errors);
    let first = input.first_date.trim().parse::<Date>().ok();
    if first.is_none() {
        errors.push(failure(
            "date_format",
            "first_date",
            "Give the new first date as YYYY-MM-DD.",
        ));
    }
    let held: Vec<_> = store
        .sessions(class_id)
        .await?
        .into_iter()
        .filter(|s| !s.cancelled)
        .collect();
    if held.is_empty() {
        errors.push(failure("sessions", "first_date", "This class has no sessions to copy."));
    }
    let Some(first) = first.filter(|_| errors.is_empty()) else {
        return Err(Error::invalid(errors));
    };
    let to = first.checked_add(jiff::Span::new().years(2)).unwrap_or(first);
    let holidays = store.holidays_between(first, to).await?;
    let days: std::collections::BTreeSet<Date> = holidays.iter().map(|h| h.date).collect();
    let source_dates: Vec<Date> = held.iter().map(|s| s.local_date).collect();
    let copied = crate::domain::schedule::copy_dates(&source_dates, first, &days).map_err(|e| {
        Error::invalid(vec![failure(
            "first_date",
            "first_date",
            format!("The copy is not possible: {e}."),
        )])
    })?;
    let tz = store
        .department()
        .await?
        .map(|d| d.tz())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    // Staff see every presenter by name, whether or not the officer is shown publicly.
    let roster = store.officers_by_unit(first).await?;
    let units = store.units().await?;
    let mut sessions = Vec::with_capacity(held.len());
    for (i, (s, date)) in held.iter().zip(&copied.dates).enumerate() {
        let presenters = store.session_presenter_ids(s.id).await?;
        let at = crate::domain::schedule::occurrence(*date, s.local_start, s.local_end, &tz).ok_or_else(|| {
            Error::invalid(vec![failure(
                "session",
                "first_date",
                format!("Session {} ends before it starts; fix it before copying.", s.position),
            )])
        })?;
        sessions.push(PlannedSession {
            position: i as i64 + 1,
            topic: s.topic.clone(),
            description: s.description.clone(),
            place: s.place.clone(),
            at,
            presenter_names: presenters
                .iter()
                .map(|(unit, staff)| {
                    let unit_name = units.iter().find(|u| u.id == *unit).map_or("", |u| u.name.as_str());
                    match staff.and_then(|id| roster.iter().find(|o| o.id == id && o.unit_id == *unit)) {
                        Some(o) => match &o.rank {
                            Some(r) => format!("{unit_name}: {r} {}", o.full_name),
                            None => format!("{unit_name}: {}", o.full_name),
                        },
                        None => unit_name.to_string(),
                    }
                })
                .collect(),
            presenters,
        });
    }
    let skipped = holidays
        .into_iter()
        .filter(|h| copied.skipped.contains(&h.date))
        .collect();
    Ok(CopyPlan {
        source,
        name,
        capacity,
        opens,
        closes,
        sessions,
        skipped,
    })
}

/// Saves a planned copy as a draft class, with its sessions and presenters, in one
/// transaction, audited as `actor`. The copy keeps the source's place and allocation;
/// registration rules with dates in them are left for the coordinator to set.
pub async fn save_copy(store: &Store, plan: &CopyPlan, actor: &str, now: Timestamp) -> Result<ClassId, Error> {
    let mut tx = store.begin().await?;
    let created = tx
        .insert_class(
            &NewClass {
                program_id: plan.source.program_id,
                name: &plan.name,
                capacity: plan.capacity,
                status: ClassStatus::Draft,
                registration_opens_at: plan.opens,
                registration_closes_at: plan.closes,
                location_name: &plan.source.location_name,
                location_address: &plan.source.location_address,
                graduates: None,
            },
            now,
        )
        .await;
    let class_id = match created {
        Ok(id) => id,
        Err(e) if e.is_unique_violation() => return Err(duplicate_class()),
        Err(e) => return Err(e.into()),
    };
    if plan.source.allocation != crate::domain::Allocation::FirstCome {
        tx.set_class_allocation(class_id, plan.source.allocation).await?;
    }
    for s in &plan.sessions {
        let id = tx
            .insert_session(class_id, s.position, &s.topic, &s.description, &s.at, &s.place)
            .await?;
        for (unit, staff) in &s.presenters {
            tx.add_presenter(id, *unit, *staff).await?;
        }
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ClassCopy,
            object_type: "class",
            object_id: class_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "copied_from": plan.source.id, "program": plan.source.program_slug, "name": plan.name,
                "capacity": plan.capacity, "sessions": plan.sessions.len(),
                "first_session": plan.sessions.first().map(|s| s.at.date.to_string()),
                "holidays_skipped": plan.skipped.iter().map(|h| h.date.to_string()).collect::<Vec<_>>(),
            })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(class_id)
}

/// Changes a class's name, place, registration window and allocation (all checked
/// already). Refused (`Invalid`) when the program has another class of that name.
pub async fn edit_details(
    store: &Store,
    actor: &str,
    class: &crate::store::catalog::Class,
    details: &crate::store::seed::ClassDetails<'_>,
    allocation: Allocation,
    now: Timestamp,
) -> Result<(), Error> {
    let id = class.id;
    let mut tx = store.begin().await?;
    if let Err(e) = tx.update_class_details(id, details, now).await {
        if e.is_unique_violation() {
            return Err(Error::invalid_because(vec![
                "This program already has a class with that name.".into(),
            ]));
        }
        return Err(e.into());
    }
    if allocation != class.allocation {
        tx.set_class_allocation(id, allocation).await?;
    }
    let describe = |name: &str, place: &str, opens: Option<Timestamp>, closes: Option<Timestamp>, a: &str| {
        serde_json::json!({
            "name": name, "location_name": place,
            "registration_opens_at": opens.map(|t| t.to_string()),
            "registration_closes_at": closes.map(|t| t.to_string()),
            "allocation": a,
        })
    };
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ClassUpdate,
            object_type: "class",
            object_id: id.to_string(),
            before: Some(describe(
                &class.name,
                &class.location_name,
                class.registration_opens_at,
                class.registration_closes_at,
                class.allocation.code(),
            )),
            after: Some(describe(
                details.name,
                details.location_name,
                details.opens,
                details.closes,
                allocation.code(),
            )),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds sessions to a class from a meeting pattern, after its last one, skipping the
/// department's holidays; audited. Returns how many were added.
pub async fn add_from_pattern(
    store: &Store,
    class_id: ClassId,
    input: &PatternIn,
    actor: &str,
    now: Timestamp,
) -> Result<usize, Error> {
    store.class(class_id).await?.ok_or(Error::NotFound("class"))?;
    let mut errors = Vec::new();
    let Some(m) = pattern(input, &mut errors) else {
        return Err(Error::invalid(errors));
    };
    let m = skip_holidays(store, m).await?;
    let tz = store.department_name_zone().await?.1;
    let mut tx = store.begin().await?;
    let after = tx.last_session_position(class_id).await?;
    let added = add_sessions(&mut tx, class_id, after, &m, input, &tz).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ClassSessionsAdd,
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "sessions": after })),
            after: Some(serde_json::json!({ "sessions": after + added as i64 })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// Changes to a class; absent fields stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassPatch {
    pub name: Option<String>,
    pub capacity: Option<i64>,
    pub location_name: Option<String>,
    pub location_address: Option<String>,
    pub registration_opens_at: Option<String>,
    pub registration_closes_at: Option<String>,
    /// `announced`, `open`, `closed` or `in_progress`.
    pub status: Option<ClassStatus>,
}

/// Changes a class's details and capacity in one transaction (a refused capacity leaves
/// the details unchanged too; freed seats go to the waitlist), then its status (announcing
/// and opening tell the interest list).
pub async fn change_class(
    store: &Store,
    links: &crate::notify::Links,
    class_id: ClassId,
    input: &ClassPatch,
    actor: &str,
    now: Timestamp,
) -> Result<(), Error> {
    let class = store.class(class_id).await?.ok_or(Error::NotFound("class"))?;
    let mut errors = Vec::new();
    let opens = match &input.registration_opens_at {
        Some(_) => instant(&input.registration_opens_at, "registration_opens_at", &mut errors),
        None => class.registration_opens_at,
    };
    let closes = match &input.registration_closes_at {
        Some(_) => instant(&input.registration_closes_at, "registration_closes_at", &mut errors),
        None => class.registration_closes_at,
    };
    let name = input.name.as_deref().map(str::trim).unwrap_or(&class.name).to_string();
    check_name_and_window(&name, opens, closes, &mut errors);
    if !errors.is_empty() {
        return Err(Error::invalid(errors));
    }
    let details = crate::store::seed::ClassDetails {
        name: &name,
        location_name: input.location_name.as_deref().unwrap_or(&class.location_name).trim(),
        location_address: input
            .location_address
            .as_deref()
            .unwrap_or(&class.location_address)
            .trim(),
        opens,
        closes,
    };
    let mut tx = store.begin().await?;
    match tx.update_class_details(class_id, &details, now).await {
        Err(e) if e.is_unique_violation() => return Err(duplicate_class()),
        other => other?,
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ClassUpdate,
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "name": class.name, "location_name": class.location_name })),
            after: Some(serde_json::json!({ "name": name, "location_name": input.location_name })),
        },
        now,
    )
    .await?;
    if let Some(capacity) = input.capacity {
        super::classes::change_capacity_in(&mut tx, links, actor, class_id, capacity, now).await?;
    }
    tx.commit().await?;
    if let Some(status) = input.status {
        super::classes::set_class_status(store, links, actor, class_id, status, now).await?;
    }
    Ok(())
}
