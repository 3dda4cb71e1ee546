//! Public catalog reads: programs, classes and their sessions.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::domain::{ClassId, ClassStatus, Eligibility, ProgramKind, RegistrationState, SessionId};
use crate::store::catalog::{Class, Period, Program, Session};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};
use crate::web::extract::ApiId;

/// A program in a listing.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProgramOut {
    pub slug: String,
    pub name: String,
    pub kind: ProgramKind,
    pub summary: String,
    /// Where the program's page is.
    pub url: String,
}

/// `GET /programs` answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProgramList {
    pub programs: Vec<ProgramOut>,
}

/// One program with its rules and classes.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProgramDetail {
    #[serde(flatten)]
    pub program: ProgramOut,
    /// Sanitized HTML description.
    pub body_html: String,
    pub eligibility: Eligibility,
    /// The eligibility rules in plain sentences.
    pub eligibility_text: Vec<String>,
    /// "first_come" or "lottery".
    pub allocation: &'static str,
    pub classes_graduated: i64,
    pub graduates: i64,
    pub classes: Vec<ClassOut>,
    /// The program's own questions on its application form; a registration answers
    /// them in `answers`, keyed by `id`.
    pub questions: Vec<super::questions::QuestionOut>,
}

/// A class in a listing.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ClassOut {
    pub id: ClassId,
    pub program: String,
    pub name: String,
    pub status: ClassStatus,
    pub capacity: i64,
    pub seats_left: i64,
    /// `first_come` or `lottery`.
    pub allocation: crate::domain::Allocation,
    /// Whether an application submitted now would be considered.
    pub registration_open: bool,
    pub registration_opens_at: Option<String>,
    pub registration_closes_at: Option<String>,
    pub first_session_at: Option<String>,
    pub last_session_at: Option<String>,
    pub location_name: String,
    pub location_address: String,
    /// IANA zone that local times are given in.
    pub time_zone: String,
    pub url: String,
}

/// `GET /classes` answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ClassList {
    pub classes: Vec<ClassOut>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// One class with its sessions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ClassDetail {
    #[serde(flatten)]
    pub class: ClassOut,
    pub sessions: Vec<SessionOut>,
}

/// A session of a class.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionOut {
    pub id: SessionId,
    pub position: i64,
    pub topic: String,
    pub description: String,
    /// Local calendar date, e.g. "2027-01-05".
    pub date: String,
    /// Start with the local offset, e.g. "2027-01-05T18:00:00-08:00".
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub cancelled: bool,
    pub presenters: Vec<PresenterOut>,
}

/// A presenting unit, and officer where named.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PresenterOut {
    pub unit: String,
    pub unit_name: String,
    pub officer: Option<String>,
}

/// Filters of `GET /classes`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClassFilter {
    /// Only classes of the program with this slug.
    pub program: Option<String>,
    /// `current` (announced, open, closed, running), `past` (completed, cancelled) or
    /// `all` (the default).
    pub period: Option<String>,
    /// Classes per page, 1 to 500 (100 when not given).
    pub limit: Option<String>,
    /// The `next` value of the previous page.
    pub after: Option<String>,
}

/// Classes in one page of `GET /classes` when the client names no limit, and the most.
const CLASS_PAGE: i64 = 100;
const MAX_CLASS_PAGE: i64 = 500;
/// Past classes a program's page and its JSON show besides the current ones.
pub const RECENT_PAST: i64 = 12;

fn rfc3339(ts: Timestamp, tz: &TimeZone) -> String {
    ts.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn program_out(p: &Program) -> ProgramOut {
    ProgramOut {
        slug: p.slug.clone(),
        name: p.name.clone(),
        kind: p.kind,
        summary: p.summary.clone(),
        url: format!("/programs/{}", p.slug),
    }
}

fn class_out(c: &Class, tz: &TimeZone, zone_name: &str, now: Timestamp) -> ClassOut {
    let fmt = |t: Option<Timestamp>| t.map(|t| rfc3339(t, tz));
    ClassOut {
        id: c.id,
        program: c.program_slug.clone(),
        name: c.name.clone(),
        status: c.status,
        capacity: c.capacity,
        seats_left: c.seats_left(),
        allocation: c.allocation,
        registration_open: RegistrationState::at(c.status, c.registration_opens_at, c.registration_closes_at, now)
            .is_open(),
        registration_opens_at: fmt(c.registration_opens_at),
        registration_closes_at: fmt(c.registration_closes_at),
        first_session_at: fmt(c.first_session_at),
        last_session_at: fmt(c.last_session_at),
        location_name: c.location_name.clone(),
        location_address: c.location_address.clone(),
        time_zone: zone_name.to_string(),
        url: format!("/classes/{}", c.id),
    }
}

fn session_out(s: Session, tz: &TimeZone) -> SessionOut {
    SessionOut {
        id: s.id,
        position: s.position,
        date: s.local_date.to_string(),
        starts_at: rfc3339(s.starts_at, tz),
        ends_at: rfc3339(s.ends_at, tz),
        topic: s.topic,
        description: s.description,
        place: s.place,
        cancelled: s.cancelled,
        presenters: s
            .presenters
            .into_iter()
            .map(|p| PresenterOut {
                unit: p.unit_slug,
                unit_name: p.unit_name,
                officer: p.officer,
            })
            .collect(),
    }
}

/// The department's zone and its name, UTC before setup.
async fn zone(state: &AppState) -> Result<(TimeZone, String), ApiError> {
    let dept = state.store.department().await?;
    Ok(dept.map_or_else(|| (TimeZone::UTC, "UTC".to_string()), |d| (d.tz(), d.time_zone)))
}

/// Lists published programs in the department's order.
#[utoipa::path(get, path = "/api/v1/programs", tag = "catalog",
    responses((status = 200, body = ProgramList)))]
pub async fn list_programs(State(state): State<AppState>) -> Result<Json<ProgramList>, ApiError> {
    let programs = state.store.published_programs().await?;
    Ok(Json(ProgramList {
        programs: programs.iter().map(program_out).collect(),
    }))
}

/// One program with its eligibility rules and public classes.
#[utoipa::path(get, path = "/api/v1/programs/{slug}", tag = "catalog",
    params(("slug" = String, Path, description = "The program's URL name")),
    responses((status = 200, body = ProgramDetail), (status = 404, body = crate::web::error::Problem)))]
pub async fn get_program(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<ProgramDetail>, ApiError> {
    let program = state
        .store
        .published_program(&slug)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let (tz, zone_name) = zone(&state).await?;
    let now = Timestamp::now();
    // What lies ahead and the latest past classes; older ones page through `/classes`.
    let mut classes = state.store.public_classes(Some(program.id)).await?;
    classes.extend(state.store.recent_past_classes(program.id, RECENT_PAST).await?);
    classes.sort_by_key(|c| c.id);
    let totals = state.store.program_totals(&program).await?;
    let questions = state.store.program_questions(program.id).await?;
    Ok(Json(ProgramDetail {
        questions: questions.iter().map(super::questions::QuestionOut::from).collect(),
        program: program_out(&program),
        body_html: program.body_html.clone(),
        eligibility_text: program.eligibility.describe(),
        eligibility: program.eligibility,
        allocation: if program.lottery { "lottery" } else { "first_come" },
        classes_graduated: totals.classes_graduated,
        graduates: totals.graduates,
        classes: classes.iter().map(|c| class_out(c, &tz, &zone_name, now)).collect(),
    }))
}

/// Lists public classes, optionally of one program.
#[utoipa::path(get, path = "/api/v1/classes", tag = "catalog", params(ClassFilter),
    responses((status = 200, body = ClassList), (status = 400, body = crate::web::error::Problem),
              (status = 404, body = crate::web::error::Problem, description = "Unknown program")))]
pub async fn list_classes(
    State(state): State<AppState>,
    filter: Result<Query<ClassFilter>, QueryRejection>,
) -> Result<Json<ClassList>, ApiError> {
    let Query(filter) = filter.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let program_id = match filter.program.as_deref() {
        Some(slug) => Some(
            state
                .store
                .published_program(slug)
                .await?
                .ok_or(AppError::NotFound("program"))?
                .id,
        ),
        None => None,
    };
    let period = match filter.period.as_deref().map(str::trim) {
        None | Some("") => Period::All,
        Some(p) => {
            Period::parse(p).ok_or_else(|| AppError::BadRequest("period must be current, past or all.".into()))?
        }
    };
    let limit = crate::domain::roster::page_size_within(filter.limit.as_deref(), CLASS_PAGE, MAX_CLASS_PAGE)
        .ok_or_else(|| AppError::BadRequest(format!("limit must be a whole number from 1 to {MAX_CLASS_PAGE}.")))?;
    let after = match filter.after.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(ClassId::new(id.parse().map_err(|_| {
            AppError::BadRequest("after must be the next value of a previous page.".into())
        })?)),
    };
    let (tz, zone_name) = zone(&state).await?;
    let now = Timestamp::now();
    let classes = state
        .store
        .public_classes_page(program_id, period, after, Some(limit))
        .await?;
    // A full page may have more after it; a short one is the last.
    let next = (classes.len() as i64 == limit)
        .then(|| classes.last())
        .flatten()
        .map(|c| c.id.to_string());
    Ok(Json(ClassList {
        classes: classes.iter().map(|c| class_out(c, &tz, &zone_name, now)).collect(),
        next,
    }))
}

/// A class with its sessions as the API shows it; `public_only` hides drafts.
pub async fn class_detail(state: &AppState, id: ClassId, public_only: bool) -> Result<ClassDetail, ApiError> {
    let class = if public_only {
        state.store.public_class(id).await?
    } else {
        state.store.class(id).await?
    };
    let class = class.ok_or(AppError::NotFound("class"))?;
    let (tz, zone_name) = zone(state).await?;
    let sessions = state.store.sessions(class.id).await?;
    Ok(ClassDetail {
        class: class_out(&class, &tz, &zone_name, Timestamp::now()),
        sessions: sessions.into_iter().map(|s| session_out(s, &tz)).collect(),
    })
}

/// One class with its sessions.
#[utoipa::path(get, path = "/api/v1/classes/{id}", tag = "catalog",
    params(("id" = i64, Path, description = "The class id")),
    responses((status = 200, body = ClassDetail), (status = 404, body = crate::web::error::Problem)))]
pub async fn get_class(
    State(state): State<AppState>,
    ApiId(id): ApiId<ClassId>,
) -> Result<Json<ClassDetail>, ApiError> {
    Ok(Json(class_detail(&state, id, true).await?))
}

/// A program's figures: totals (with history from before Precinct) and years.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProgramStatistics {
    pub program: String,
    pub classes_graduated: i64,
    pub graduates: i64,
    pub years: Vec<crate::domain::stats::YearFigures>,
}

/// Figures of a program, as staff see them and as the department publishes them.
pub async fn statistics_of(state: &AppState, slug: &str) -> Result<ProgramStatistics, ApiError> {
    let program = state
        .store
        .published_program(slug)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let (tz, _) = zone(state).await?;
    let totals = state.store.program_totals(&program).await?;
    let facts = state.store.program_class_facts(program.id, &tz).await?;
    Ok(ProgramStatistics {
        program: program.slug,
        classes_graduated: totals.classes_graduated,
        graduates: totals.graduates,
        years: crate::domain::stats::by_year(&facts),
    })
}

/// Yearly figures of a program: classes, graduates, applications against seats, attendance.
#[utoipa::path(get, path = "/api/v1/programs/{slug}/statistics", tag = "catalog",
    params(("slug" = String, Path, description = "The program's URL name")),
    responses((status = 200, body = ProgramStatistics), (status = 404, body = crate::web::error::Problem)))]
pub async fn statistics(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<ProgramStatistics>, ApiError> {
    Ok(Json(statistics_of(&state, &slug).await?))
}
