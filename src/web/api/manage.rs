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

use super::staff::ApiClient;
use crate::domain::access::{Permission, allows};
use crate::domain::{ClassId, RuleFailure};
use crate::service::planning;
use crate::service::planning::failure;
pub use crate::service::planning::{ClassIn, ClassPatch, PatternIn};
use crate::web::AppState;
use crate::web::error::{ApiError, Subject, problem_response};
use crate::web::extract::ApiId;

/// How this resource names input it refuses.
const CLASS: Subject = Subject {
    invalid: "invalid-class",
    summary: "Some fields are missing or wrong.",
};

fn invalid(failures: Vec<RuleFailure>) -> ApiError {
    ApiError::refused(crate::service::Error::invalid(failures), &CLASS)
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
    let input: ClassIn = parse_body(&body).map_err(invalid)?;
    let class_id = planning::create_class(&state.store, &input, &actor(&client), Timestamp::now())
        .await
        .map_err(|e| ApiError::refused(e, &CLASS))?;
    let detail = super::catalog::class_detail(&state, class_id, false).await?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
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
    let input: PatternIn = parse_body(&body).map_err(invalid)?;
    planning::add_from_pattern(&state.store, class_id, &input, &actor(&client), Timestamp::now())
        .await
        .map_err(|e| ApiError::refused(e, &CLASS))?;
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
    let input: ClassPatch = parse_body(&body).map_err(invalid)?;
    planning::change_class(
        &state.store,
        &state.links,
        class_id,
        &input,
        &actor(&client),
        Timestamp::now(),
    )
    .await
    .map_err(|e| ApiError::refused(e, &CLASS))?;
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
    let input: planning::CopyIn = parse_body(&body).map_err(invalid)?;
    let plan = planning::plan_copy(&state.store, class_id, &input)
        .await
        .map_err(|e| ApiError::refused(e, &CLASS))?;
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
    let new_id = planning::save_copy(&state.store, &plan, &actor(&client), Timestamp::now())
        .await
        .map_err(|e| ApiError::refused(e, &CLASS))?;
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
