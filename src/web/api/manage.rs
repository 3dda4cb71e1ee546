//! Staff endpoints that create and change classes and their sessions.
//!
//! `POST /api/v1/classes` creates a draft class (optionally with sessions from a meeting
//! pattern), `PATCH /api/v1/classes/{id}` changes its details or capacity, and
//! `POST /api/v1/classes/{id}/sessions` adds sessions from a pattern, in the department's
//! time zone. Admin and coordinator tokens only; every change is audited.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::staff::ApiClient;
use crate::domain::access::{Permission, allows};
use crate::domain::audit::AuditAction;
use crate::domain::{CapacityRefusal, ClassId, ClassStatus, RuleFailure};
use crate::service::ActionError;
use crate::service::classes;
use crate::service::classes::CapacityError;
use crate::service::planning;
pub use crate::service::planning::{ClassIn, PatternIn};
use crate::service::planning::{CreateError, add_sessions, check_name_and_window, failure, instant, pattern};
use crate::store::seed::ClassDetails;
use crate::store::staff::AuditRecord;
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, problem_response, problem_with_errors};
use crate::web::extract::ApiId;

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
    responses((status = 201, body = super::catalog::ClassDetail), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 409, body = crate::web::error::Problem),
              (status = 422, body = crate::web::error::Problem)))]
pub async fn create(State(state): State<AppState>, client: ApiClient, body: Bytes) -> Result<Response, ApiError> {
    if let Some(r) = refuse(&client) {
        return Ok(r);
    }
    let input: ClassIn = match parse_body(&body) {
        Ok(i) => i,
        Err(errors) => return Ok(invalid(errors)),
    };
    match planning::create_class(&state.store, &input, &actor(&client), Timestamp::now()).await {
        Ok(class_id) => {
            let detail = super::catalog::class_detail(&state, class_id, false).await?;
            Ok((StatusCode::CREATED, Json(detail)).into_response())
        }
        Err(CreateError::Invalid(errors)) => Ok(invalid(errors)),
        Err(CreateError::Duplicate) => Ok(problem_response(
            StatusCode::CONFLICT,
            "duplicate-class",
            "This program already has a class with that name.",
        )),
        Err(CreateError::Store(e)) => Err(e.into()),
    }
}

/// Adds sessions to a class from a meeting pattern.
#[utoipa::path(post, path = "/api/v1/classes/{id}/sessions", tag = "staff", request_body = PatternIn,
    params(("id" = i64, Path, description = "The class id")), security(("bearer" = [])),
    responses((status = 201, body = super::catalog::ClassDetail), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem),
              (status = 422, body = crate::web::error::Problem)))]
pub async fn add(
    State(state): State<AppState>,
    client: ApiClient,
    ApiId(class_id): ApiId<ClassId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if let Some(r) = refuse(&client) {
        return Ok(r);
    }
    state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    let input: PatternIn = match parse_body(&body) {
        Ok(i) => i,
        Err(errors) => return Ok(invalid(errors)),
    };
    let mut errors = Vec::new();
    let Some(m) = pattern(&input, &mut errors) else {
        return Ok(invalid(errors));
    };
    let m = planning::skip_holidays(&state.store, m).await?;
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
    let detail = super::catalog::class_detail(&state, class_id, false).await?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

/// Changes a class: details, registration window, capacity (freed seats go to the
/// waitlist) or status (announcing and opening tell the interest list). A capacity below
/// the seats held, or any new capacity for a completed or cancelled class, is refused
/// (409 `capacity-below-seats-held` or `class-finished`) and nothing is changed.
#[utoipa::path(patch, path = "/api/v1/classes/{id}", tag = "staff", request_body = ClassPatch,
    params(("id" = i64, Path, description = "The class id")), security(("bearer" = [])),
    responses((status = 200, body = super::catalog::ClassDetail), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem),
              (status = 409, body = crate::web::error::Problem), (status = 422, body = crate::web::error::Problem)))]
pub async fn patch(
    State(state): State<AppState>,
    client: ApiClient,
    ApiId(class_id): ApiId<ClassId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if let Some(r) = refuse(&client) {
        return Ok(r);
    }
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
    let name = input.name.as_deref().map(str::trim).unwrap_or(&class.name).to_string();
    check_name_and_window(&name, opens, closes, &mut errors);
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
            action: AuditAction::ClassUpdate,
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "name": class.name, "location_name": class.location_name })),
            after: Some(serde_json::json!({ "name": name, "location_name": input.location_name })),
        },
        now,
    )
    .await?;
    // In the same transaction: a refused capacity leaves the details unchanged too.
    if let Some(capacity) = input.capacity {
        match classes::change_capacity_in(&mut tx, &state.links, &who, class_id, capacity, now).await {
            Ok(_) => {}
            Err(CapacityError::NotFound) => return Err(AppError::NotFound("class").into()),
            Err(CapacityError::Refused(r @ CapacityRefusal::OutOfRange)) => {
                return Ok(invalid(vec![failure("capacity", "capacity", r.to_string())]));
            }
            Err(CapacityError::Refused(r)) => {
                return Ok(problem_response(StatusCode::CONFLICT, r.slug(), &r.to_string()));
            }
            Err(CapacityError::Store(e)) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    let to_problem = |e: ActionError| -> Result<Response, ApiError> {
        match e {
            ActionError::NotFound => Err(AppError::NotFound("class").into()),
            ActionError::NotAllowed(msg) => Ok(problem_response(StatusCode::CONFLICT, "conflict", msg)),
            ActionError::Store(e) => Err(e.into()),
        }
    };
    if let Some(status) = input.status
        && let Err(e) = classes::set_class_status(&state.store, &state.links, &who, class_id, status, now).await
    {
        return to_problem(e);
    }
    let detail = super::catalog::class_detail(&state, class_id, false).await?;
    Ok(Json(detail).into_response())
}

/// One session of a planned copy.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PlannedSessionOut {
    pub position: i64,
    pub topic: String,
    pub place: String,
    pub starts_at: String,
    pub ends_at: String,
    /// Units, with the officer where the source shows one.
    pub presenters: Vec<String>,
}

/// A copy as it would be saved (`preview: true`).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CopyPreviewOut {
    pub name: String,
    pub capacity: i64,
    pub sessions: Vec<PlannedSessionOut>,
    /// Holidays that pushed sessions a week later.
    pub skipped_holidays: Vec<crate::domain::holidays::Holiday>,
}

/// The saved copy.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CopyOut {
    pub class: super::catalog::ClassDetail,
    /// Holidays that pushed sessions a week later.
    pub skipped_holidays: Vec<crate::domain::holidays::Holiday>,
}

/// Copies a class to a new semester as a draft: the same sessions (topics, places,
/// presenters, weekdays and local times), a week apart from the new first date, the
/// department's holidays skipped. With `preview: true`, answers the plan and saves nothing.
#[utoipa::path(post, path = "/api/v1/classes/{id}/copy", tag = "staff", request_body = planning::CopyIn,
    params(("id" = i64, Path, description = "The class to copy")), security(("bearer" = [])),
    responses((status = 200, description = "The plan (preview)", body = CopyPreviewOut),
              (status = 201, body = CopyOut), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem),
              (status = 409, body = crate::web::error::Problem), (status = 422, body = crate::web::error::Problem)))]
pub async fn copy(
    State(state): State<AppState>,
    client: ApiClient,
    ApiId(class_id): ApiId<ClassId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if let Some(r) = refuse(&client) {
        return Ok(r);
    }
    let input: planning::CopyIn = match parse_body(&body) {
        Ok(i) => i,
        Err(errors) => return Ok(invalid(errors)),
    };
    let to_problem = |e: planning::CopyError| -> Result<Response, ApiError> {
        match e {
            planning::CopyError::NotFound => Err(AppError::NotFound("class").into()),
            planning::CopyError::Invalid(errors) => Ok(invalid(errors)),
            planning::CopyError::Duplicate => Ok(problem_response(
                StatusCode::CONFLICT,
                "duplicate-class",
                "This program already has a class with that name.",
            )),
            planning::CopyError::Store(e) => Err(e.into()),
        }
    };
    let plan = match planning::plan_copy(&state.store, class_id, &input).await {
        Ok(plan) => plan,
        Err(e) => return to_problem(e),
    };
    if input.preview {
        let tz = state.store.department_name_zone().await?.1;
        let at = |t: jiff::Timestamp| t.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
        let sessions = plan
            .sessions
            .iter()
            .map(|s| PlannedSessionOut {
                position: s.position,
                topic: s.topic.clone(),
                place: s.place.clone(),
                starts_at: at(s.at.starts_at()),
                ends_at: at(s.at.ends_at()),
                presenters: s.presenter_names.clone(),
            })
            .collect();
        return Ok(Json(CopyPreviewOut {
            name: plan.name.clone(),
            capacity: plan.capacity,
            sessions,
            skipped_holidays: plan.skipped.clone(),
        })
        .into_response());
    }
    match planning::save_copy(&state.store, &plan, &actor(&client), Timestamp::now()).await {
        Ok(new_id) => {
            let class = super::catalog::class_detail(&state, new_id, false).await?;
            Ok((
                StatusCode::CREATED,
                Json(CopyOut {
                    class,
                    skipped_holidays: plan.skipped,
                }),
            )
                .into_response())
        }
        Err(e) => to_problem(e),
    }
}
