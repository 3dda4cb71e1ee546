//! Minors' data retention for admins: which teen cohorts still hold personal details, when
//! each falls due for erasure, a button to run the erasure now, and one student's data on
//! request.

use askama::Template;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use super::classes::actor;
use crate::domain::NominationId;
use crate::domain::access::{Permission, allows};
use crate::format;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Id;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

struct Row {
    name: String,
    last_session: String,
    due: String,
    is_due: bool,
    records: i64,
}

#[derive(Template)]
#[template(path = "staff/retention.html")]
struct RetentionPage {
    layout: Layout,
    months: u16,
    rows: Vec<Row>,
    erased: Option<u64>,
}

async fn page(state: &AppState, ctx: &StaffPage, erased: Option<u64>) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let now = Timestamp::now();
    let months = state.config.minor_retention_months;
    let rows = crate::service::nominations::retention(&state.store, months)
        .await?
        .into_iter()
        .map(|i| Row {
            name: i.name,
            last_session: i
                .last_session_at
                .map(|t| format::instant(t, &tz))
                .unwrap_or_else(|| "no sessions".into()),
            due: i.due_at.map(|t| format::instant(t, &tz)).unwrap_or_default(),
            is_due: i.due_at.is_some_and(|d| d <= now) && i.records > 0,
            records: i.records,
        })
        .collect();
    let page = RetentionPage {
        layout: super::layout(dept.as_ref(), "/staff/retention", user),
        months,
        rows,
        erased,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /staff/retention`.
pub async fn show(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    page(&state, &ctx, None).await
}

/// `POST /staff/retention`: erase every cohort that is due, now.
pub async fn run(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let erased = crate::service::nominations::erase_due(
        &state.store,
        state.config.minor_retention_months,
        &actor(user),
        Timestamp::now(),
    )
    .await?;
    page(&state, &ctx, Some(erased)).await
}

/// `GET /staff/nominations/{id}/export`: everything held about one student, as JSON, for
/// a family's request. Coordinators and admins.
pub async fn export(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<NominationId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    let n = state
        .store
        .nomination(id)
        .await?
        .ok_or(AppError::NotFound("nomination"))?;
    let class = state
        .store
        .class(n.class_id)
        .await?
        .ok_or(AppError::NotFound("class"))?;
    let history: Vec<serde_json::Value> = state
        .store
        .audit_for("nomination", &id.to_string())
        .await?
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "at": Timestamp::from_second(e.at).map(|t| t.to_string()).unwrap_or_default(),
                "action": e.action,
                "details": e.after_json.and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok()),
            })
        })
        .collect();
    let body = serde_json::json!({
        "student": {
            "first_name": n.first_name, "last_name": n.last_name, "grade": n.grade,
            "student_number": n.student_number, "school": n.school_name,
        },
        "guardian": { "name": n.guardian_name, "email": n.guardian_email },
        "cohort": { "program": class.program_name, "name": class.name },
        "status": n.status,
        "decision_reason": n.decision_reason,
        "consent": {
            "signed_by": n.consent_name,
            "at": n.consent_at.and_then(|t| Timestamp::from_second(t).ok()).map(|t| t.to_string()),
            "text_version": n.consent_version,
            "photos_allowed": n.media_consent,
        },
        "history": history,
    });
    tracing::info!(nomination = id.get(), by = %user.email, "student data exported on request");
    Ok((
        [
            (CONTENT_TYPE, "application/json".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"student-{id}.json\""),
            ),
        ],
        serde_json::to_string_pretty(&body).map_err(|e| AppError::Internal(e.into()))?,
    )
        .into_response())
}
