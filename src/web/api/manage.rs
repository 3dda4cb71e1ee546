//! Staff endpoints that create and change classes and their sessions.
//!
//! `POST /api/v1/classes` creates a draft class (optionally with sessions from a meeting
//! pattern), `PATCH /api/v1/classes/{id}` changes its details or capacity, and
//! `POST /api/v1/classes/{id}/sessions` adds sessions from a pattern, in the department's
//! time zone. Admin and coordinator tokens only; every change is audited.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use serde::Deserialize;

use super::staff::ApiClient;
use crate::app::AppState;
use crate::domain::access::{Permission, allows};
use crate::domain::{ClassId, ClassStatus, MeetingPattern, RuleFailure};
use crate::error::{ApiError, AppError, problem_response, problem_with_errors};
use crate::registrar::{self, ActionError};
use crate::store::seed::{ClassDetails, NewClass};
use crate::store::staff::AuditRecord;

/// A weekly meeting pattern, in the department's local time.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
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
    /// Number of meetings; skipped dates push the series later.
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

fn failure(rule: &'static str, field: &'static str, message: impl Into<String>) -> RuleFailure {
    RuleFailure {
        rule,
        field,
        message: message.into(),
    }
}

fn invalid(errors: Vec<RuleFailure>) -> Response {
    problem_with_errors(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-class",
        "Some fields are missing or wrong.",
        &errors,
    )
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, Vec<RuleFailure>> {
    serde_json::from_slice(body).map_err(|e| vec![failure("malformed", "body", e.to_string())])
}

fn instant(value: &Option<String>, field: &'static str, errors: &mut Vec<RuleFailure>) -> Option<Timestamp> {
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

/// Checks a pattern; the occurrences come from `domain::schedule`.
fn pattern(p: &PatternIn, errors: &mut Vec<RuleFailure>) -> Option<MeetingPattern> {
    let weekday = match p.weekday.to_lowercase().as_str() {
        "monday" => Some(Weekday::Monday),
        "tuesday" => Some(Weekday::Tuesday),
        "wednesday" => Some(Weekday::Wednesday),
        "thursday" => Some(Weekday::Thursday),
        "friday" => Some(Weekday::Friday),
        "saturday" => Some(Weekday::Saturday),
        "sunday" => Some(Weekday::Sunday),
        _ => {
            errors.push(failure("weekday", "pattern.weekday", "Name a weekday, like tuesday."));
            None
        }
    };
    let date = |s: &str, field: &'static str, errors: &mut Vec<RuleFailure>| {
        s.parse::<Date>()
            .map_err(|_| errors.push(failure("date_format", field, "Give a date as YYYY-MM-DD.")))
            .ok()
    };
    let time = |s: &str, field: &'static str, errors: &mut Vec<RuleFailure>| {
        s.parse::<Time>()
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

fn refuse(client: &ApiClient) -> Option<Response> {
    (!allows(client.role, Permission::RunClasses)).then(|| {
        problem_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This token's role may not manage classes.",
        )
    })
}

fn actor(client: &ApiClient) -> String {
    format!("token:{}", client.name)
}

/// Creates a draft class.
#[utoipa::path(post, path = "/api/v1/classes", tag = "staff", request_body = ClassIn, security(("bearer" = [])),
    responses((status = 201, body = super::catalog::ClassDetail), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn create(State(state): State<AppState>, client: ApiClient, body: Bytes) -> Result<Response, ApiError> {
    if let Some(r) = refuse(&client) {
        return Ok(r);
    }
    let input: ClassIn = match parse_body(&body) {
        Ok(i) => i,
        Err(errors) => return Ok(invalid(errors)),
    };
    let mut errors = Vec::new();
    let program = state.store.published_program(input.program.trim()).await?;
    if program.is_none() {
        errors.push(failure("program", "program", "No program has this slug."));
    }
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(failure(
            "name",
            "name",
            "Give the class a name of 1 to 100 characters, like \"Class 34\".",
        ));
    }
    if !(0..=10_000).contains(&input.capacity) {
        errors.push(failure(
            "capacity",
            "capacity",
            "Capacity must be between 0 and 10,000.",
        ));
    }
    let opens = instant(&input.registration_opens_at, "registration_opens_at", &mut errors);
    let closes = instant(&input.registration_closes_at, "registration_closes_at", &mut errors);
    if let (Some(o), Some(c)) = (opens, closes)
        && c <= o
    {
        errors.push(failure(
            "window",
            "registration_closes_at",
            "Registration must close after it opens.",
        ));
    }
    let meeting = input.pattern.as_ref().and_then(|p| pattern(p, &mut errors));
    let Some(program) = program.filter(|_| errors.is_empty()) else {
        return Ok(invalid(errors));
    };

    let tz = state
        .store
        .department()
        .await?
        .map(|d| d.tz())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let now = Timestamp::now();
    let mut tx = state.store.begin().await?;
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
        Err(e) if e.is_unique_violation() => {
            return Ok(problem_response(
                StatusCode::CONFLICT,
                "duplicate-class",
                "This program already has a class with that name.",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if let (Some(m), Some(p)) = (&meeting, &input.pattern) {
        add_sessions(&mut tx, class_id, 0, m, p, &tz).await?;
    }
    tx.audit(
        &AuditRecord {
            actor: &actor(&client),
            action: "class.create",
            object_type: "class",
            object_id: class_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "program": program.slug, "name": name, "capacity": input.capacity })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    let detail = super::catalog::class_detail(&state, class_id, false).await?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

async fn add_sessions(
    tx: &mut crate::store::Tx,
    class_id: ClassId,
    after: i64,
    m: &MeetingPattern,
    p: &PatternIn,
    tz: &jiff::tz::TimeZone,
) -> Result<usize, crate::store::StoreError> {
    let occurrences = m.occurrences(tz);
    let topic = p.topic.as_deref().unwrap_or("Session").trim();
    let place = p.place.as_deref().unwrap_or("").trim();
    for (i, o) in occurrences.iter().enumerate() {
        let position = after + i as i64 + 1;
        tx.insert_session(class_id, position, &format!("{topic} {position}"), "", o, place)
            .await?;
    }
    Ok(occurrences.len())
}

/// Adds sessions to a class from a meeting pattern.
#[utoipa::path(post, path = "/api/v1/classes/{id}/sessions", tag = "staff", request_body = PatternIn,
    params(("id" = i64, Path, description = "The class id")), security(("bearer" = [])),
    responses((status = 201, body = super::catalog::ClassDetail), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn add(
    State(state): State<AppState>,
    client: ApiClient,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if let Some(r) = refuse(&client) {
        return Ok(r);
    }
    let class_id: ClassId = id.parse().map_err(|_| AppError::NotFound("class"))?;
    state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    let input: PatternIn = match parse_body(&body) {
        Ok(i) => i,
        Err(errors) => return Ok(invalid(errors)),
    };
    let mut errors = Vec::new();
    let Some(m) = pattern(&input, &mut errors) else {
        return Ok(invalid(errors));
    };
    let tz = state
        .store
        .department()
        .await?
        .map(|d| d.tz())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let now = Timestamp::now();
    let mut tx = state.store.begin().await?;
    let after = tx.last_session_position(class_id).await?;
    let added = add_sessions(&mut tx, class_id, after, &m, &input, &tz).await?;
    tx.audit(
        &AuditRecord {
            actor: &actor(&client),
            action: "class.sessions.add",
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "sessions": after })),
            after: Some(serde_json::json!({ "sessions": after + added as i64 })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    let detail = super::catalog::class_detail(&state, class_id, false).await?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

/// Changes a class: details, registration window, capacity (freed seats go to the
/// waitlist) or status (announcing and opening tell the interest list).
#[utoipa::path(patch, path = "/api/v1/classes/{id}", tag = "staff", request_body = ClassPatch,
    params(("id" = i64, Path, description = "The class id")), security(("bearer" = [])),
    responses((status = 200, body = super::catalog::ClassDetail), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn patch(
    State(state): State<AppState>,
    client: ApiClient,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if let Some(r) = refuse(&client) {
        return Ok(r);
    }
    let class_id: ClassId = id.parse().map_err(|_| AppError::NotFound("class"))?;
    let class = state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    let input: ClassPatch = match parse_body(&body) {
        Ok(i) => i,
        Err(errors) => return Ok(invalid(errors)),
    };
    let mut errors = Vec::new();
    let opens = match &input.registration_opens_at {
        Some(_) => instant(&input.registration_opens_at, "registration_opens_at", &mut errors),
        None => class.registration_opens_at,
    };
    let closes = match &input.registration_closes_at {
        Some(_) => instant(&input.registration_closes_at, "registration_closes_at", &mut errors),
        None => class.registration_closes_at,
    };
    if let (Some(o), Some(c)) = (opens, closes)
        && c <= o
    {
        errors.push(failure(
            "window",
            "registration_closes_at",
            "Registration must close after it opens.",
        ));
    }
    let name = input.name.as_deref().map(str::trim).unwrap_or(&class.name).to_string();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(failure("name", "name", "Give the class a name of 1 to 100 characters."));
    }
    if !errors.is_empty() {
        return Ok(invalid(errors));
    }
    let who = actor(&client);
    let now = Timestamp::now();
    let mut tx = state.store.begin().await?;
    let details = ClassDetails {
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
    tx.update_class_details(class_id, &details, now).await?;
    tx.audit(
        &AuditRecord {
            actor: &who,
            action: "class.update",
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "name": class.name, "location_name": class.location_name })),
            after: Some(serde_json::json!({ "name": name, "location_name": input.location_name })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    let to_problem = |e: ActionError| -> Result<Response, ApiError> {
        match e {
            ActionError::NotFound => Err(AppError::NotFound("class").into()),
            ActionError::NotAllowed(msg) => Ok(problem_response(StatusCode::CONFLICT, "conflict", msg)),
            ActionError::Store(e) => Err(e.into()),
        }
    };
    if let Some(capacity) = input.capacity
        && let Err(e) = registrar::change_capacity(&state.store, &state.links, &who, class_id, capacity, now).await
    {
        return to_problem(e);
    }
    if let Some(status) = input.status
        && let Err(e) = registrar::set_class_status(&state.store, &state.links, &who, class_id, status, now).await
    {
        return to_problem(e);
    }
    let detail = super::catalog::class_detail(&state, class_id, false).await?;
    Ok(Json(detail).into_response())
}
