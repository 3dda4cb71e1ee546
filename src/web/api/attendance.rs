//! Attendance and graduation through the staff JSON API, for departments that take
//! attendance with their own tools. Same rules and audit as the phone pages
//! (`crate::service::graduation`). Admin and coordinator tokens read and mark; confirming
//! graduation needs a role that may graduate.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::staff::ApiClient;
use crate::domain::access::{Permission, allows};
use crate::domain::graduation::{GraduationRule, Mark, Record};
use crate::domain::{ApplicationId, ClassId, RuleFailure, SessionId};
use crate::service::Error;
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, problem_response, problem_with_errors};
use crate::web::extract::ApiId;

/// One participant's mark for one session.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkIn {
    pub application_id: ApplicationId,
    /// `present`, `late`, `excused` or `absent`.
    pub mark: Mark,
    /// With `late`: how many minutes late.
    #[serde(default)]
    pub minutes_late: Option<u32>,
}

/// `PUT /classes/{id}/sessions/{sid}/attendance` body: marks to record, all or none.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarksIn {
    pub marks: Vec<MarkIn>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MarkOut {
    pub session_id: SessionId,
    pub mark: Mark,
    pub minutes_late: Option<u32>,
    pub made_up: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionRef {
    pub id: SessionId,
    pub position: i64,
    pub date: String,
    pub cancelled: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ParticipantAttendance {
    pub application_id: ApplicationId,
    pub first_name: String,
    pub last_name: String,
    pub marks: Vec<MarkOut>,
}

/// A class's attendance sheet.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AttendanceOut {
    pub sessions: Vec<SessionRef>,
    pub participants: Vec<ParticipantAttendance>,
}

/// One participant's verdict.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VerdictOut {
    pub application_id: ApplicationId,
    pub first_name: String,
    pub last_name: String,
    pub attended: u32,
    pub absences: u32,
    pub unmarked: u32,
    pub made_up: u32,
    pub missing_ride_along: bool,
    pub graduates: bool,
    pub certificate: Option<String>,
}

/// The program's rule and every participant's verdict.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GraduationOut {
    /// The rule in words.
    pub rule: String,
    #[schema(value_type = Object)]
    pub rule_detail: GraduationRule,
    pub participants: Vec<VerdictOut>,
}

/// Certificates issued when graduation is confirmed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IssuedOut {
    pub application_id: ApplicationId,
    pub certificate: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ConfirmedOut {
    pub graduates: Vec<IssuedOut>,
}

fn forbidden(what: &str) -> Response {
    problem_response(
        StatusCode::FORBIDDEN,
        "forbidden",
        &format!("This token's role may not {what}."),
    )
}

/// Every participant's marks in a class.
#[utoipa::path(get, path = "/api/v1/classes/{id}/attendance", tag = "staff",
    params(("id" = i64, Path, description = "The class id")), security(("bearer" = [])),
    responses((status = 200, body = AttendanceOut), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem)))]
pub async fn sheet(
    State(state): State<AppState>,
    client: ApiClient,
    ApiId(id): ApiId<ClassId>,
) -> Result<Response, ApiError> {
    if !allows(client.role, Permission::SeeAllClasses) {
        return Ok(forbidden("read attendance"));
    }
    state.store.class(id).await?.ok_or(AppError::NotFound("class"))?;
    let sessions = state.store.sessions(id).await?;
    let marks = state.store.class_attendance(id).await?;
    let participants = state
        .store
        .participants(id)
        .await?
        .into_iter()
        .map(|p| ParticipantAttendance {
            marks: sessions
                .iter()
                .filter_map(|s| {
                    marks.get(&(s.id, p.id)).map(|r| MarkOut {
                        session_id: s.id,
                        mark: r.mark,
                        minutes_late: r.minutes_late,
                        made_up: r.made_up,
                    })
                })
                .collect(),
            application_id: p.id,
            first_name: p.first_name,
            last_name: p.last_name,
        })
        .collect();
    let sessions = sessions
        .into_iter()
        .map(|s| SessionRef {
            id: s.id,
            position: s.position,
            date: s.local_date.to_string(),
            cancelled: s.cancelled,
        })
        .collect();
    Ok(Json(AttendanceOut { sessions, participants }).into_response())
}

/// Records marks for one session; all are checked before any is saved.
#[utoipa::path(put, path = "/api/v1/classes/{id}/sessions/{sid}/attendance", tag = "staff", request_body = MarksIn,
    params(("id" = i64, Path, description = "The class id"), ("sid" = i64, Path, description = "The session id")),
    security(("bearer" = [])),
    responses((status = 200, body = AttendanceOut), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem),
              (status = 409, description = "The session has not started (type /problems/session-not-started)", body = crate::web::error::Problem),
              (status = 422, body = crate::web::error::Problem)))]
pub async fn mark(
    State(state): State<AppState>,
    client: ApiClient,
    ApiId((class, session)): ApiId<(ClassId, SessionId)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !allows(client.role, Permission::SeeAllClasses) {
        return Ok(forbidden("take attendance"));
    }
    let invalid = |errors: Vec<RuleFailure>| {
        problem_with_errors(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-attendance",
            "Some marks are missing or wrong; none were saved.",
            &errors,
        )
    };
    let input: MarksIn = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => {
            return Ok(invalid(vec![RuleFailure {
                rule: "malformed",
                field: "body".into(),
                message: e.to_string(),
            }]));
        }
    };
    let mut errors = Vec::new();
    for m in &input.marks {
        if m.minutes_late.is_some() && m.mark != Mark::Late {
            errors.push(RuleFailure {
                rule: "minutes_late",
                field: "marks.minutes_late".into(),
                message: format!("Application {}: minutes late go with the mark late.", m.application_id),
            });
        }
        if m.minutes_late.is_some_and(|n| n > 600) {
            errors.push(RuleFailure {
                rule: "minutes_late",
                field: "marks.minutes_late".into(),
                message: "Minutes late must be 600 or fewer.".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Ok(invalid(errors));
    }
    let marks: Vec<(ApplicationId, Record)> = input
        .marks
        .iter()
        .map(|m| {
            (
                m.application_id,
                Record {
                    minutes_late: m.minutes_late,
                    ..Record::new(m.mark)
                },
            )
        })
        .collect();
    if state.store.session_class(session).await? != Some(class) {
        return Err(AppError::NotFound("session").into());
    }
    let actor = format!("token:{}", client.name);
    match crate::service::graduation::record_marks(&state.store, &actor, class, session, &marks, Timestamp::now()).await
    {
        Ok(()) => sheet(State(state), client, ApiId(class)).await,
        Err(Error::NotFound("participant")) => Ok(invalid(vec![RuleFailure {
            rule: "participant",
            field: "marks.application_id".into(),
            message: "Every application must be a participant of this class.".into(),
        }])),
        Err(e) => Err(e.into()),
    }
}

/// The program's rule and every participant's verdict.
#[utoipa::path(get, path = "/api/v1/classes/{id}/graduation", tag = "staff",
    params(("id" = i64, Path, description = "The class id")), security(("bearer" = [])),
    responses((status = 200, body = GraduationOut), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem)))]
pub async fn verdicts(
    State(state): State<AppState>,
    client: ApiClient,
    ApiId(id): ApiId<ClassId>,
) -> Result<Response, ApiError> {
    if !allows(client.role, Permission::SeeAllClasses) {
        return Ok(forbidden("read graduation verdicts"));
    }
    state.store.class(id).await?.ok_or(AppError::NotFound("class"))?;
    let (rule, rows) = crate::service::graduation::verdicts(&state.store, id).await?;
    let participants = rows
        .into_iter()
        .map(|r| VerdictOut {
            application_id: r.p.id,
            first_name: r.p.first_name,
            last_name: r.p.last_name,
            attended: r.verdict.attended,
            absences: r.verdict.absences,
            unmarked: r.verdict.unmarked,
            made_up: r.verdict.made_up,
            missing_ride_along: r.verdict.missing_ride_along,
            graduates: r.verdict.graduates,
            certificate: r.certificate,
        })
        .collect();
    Ok(Json(GraduationOut {
        rule: rule.describe(),
        rule_detail: rule,
        participants,
    })
    .into_response())
}

/// Confirms graduation by the rule's verdicts and issues numbered certificates.
#[utoipa::path(post, path = "/api/v1/classes/{id}/graduation", tag = "staff",
    params(("id" = i64, Path, description = "The class id")), security(("bearer" = [])),
    responses((status = 200, body = ConfirmedOut), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem),
              (status = 409, description = "Not in progress, already graduated, or its last session is ahead (type /problems/class-not-finished)", body = crate::web::error::Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    client: ApiClient,
    ApiId(id): ApiId<ClassId>,
) -> Result<Response, ApiError> {
    if !allows(client.role, Permission::Graduate) {
        return Ok(forbidden("confirm graduation"));
    }
    let actor = format!("token:{}", client.name);
    match crate::service::graduation::confirm(&state.store, &state.links.base_url, &actor, id, Timestamp::now()).await {
        Ok(issued) => Ok(Json(ConfirmedOut {
            graduates: issued
                .into_iter()
                .map(|(application_id, certificate)| IssuedOut {
                    application_id,
                    certificate,
                })
                .collect(),
        })
        .into_response()),
        Err(e) => Err(e.into()),
    }
}
