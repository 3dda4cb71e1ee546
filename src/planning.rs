//! Creating classes and their sessions: the checks and steps shared by the staff pages and
//! the staff JSON API, so a class made either way follows the same rules.

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use serde::Deserialize;

use crate::domain::{ClassId, ClassStatus, MeetingPattern, RuleFailure};
use crate::store::seed::NewClass;
use crate::store::staff::AuditRecord;
use crate::store::{Store, StoreError, Tx};

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
}

pub fn failure(rule: &'static str, field: &'static str, message: impl Into<String>) -> RuleFailure {
    RuleFailure {
        rule,
        field,
        message: message.into(),
    }
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

/// Why a class was not created.
#[derive(Debug)]
pub enum CreateError {
    Invalid(Vec<RuleFailure>),
    /// The program already has a class with this name.
    Duplicate,
    Store(StoreError),
}

impl From<StoreError> for CreateError {
    fn from(e: StoreError) -> Self {
        CreateError::Store(e)
    }
}

/// Creates a draft class (with sessions from its pattern, skipping the department's
/// holidays as well as the pattern's own dates), audited as `actor`.
pub async fn create_class(store: &Store, input: &ClassIn, actor: &str, now: Timestamp) -> Result<ClassId, CreateError> {
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
    let Some(program) = program.filter(|_| errors.is_empty()) else {
        return Err(CreateError::Invalid(errors));
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
        Err(e) if e.is_unique_violation() => return Err(CreateError::Duplicate),
        Err(e) => return Err(e.into()),
    };
    let mut sessions = 0;
    if let (Some(m), Some(p)) = (&meeting, &input.pattern) {
        sessions = add_sessions(&mut tx, class_id, 0, m, p, &tz).await?;
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: "class.create",
            object_type: "class",
            object_id: class_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "program": program.slug, "name": name, "capacity": input.capacity, "sessions": sessions,
            })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(class_id)
}
