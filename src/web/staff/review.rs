//! Reviewing one application: details, background-check status (sensitive: reviewers
//! only) and the decision with a reason.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::app::AppState;
use crate::domain::ApplicationId;
use crate::domain::access::{Permission, allows};
use crate::domain::application::{BackgroundCheck, Decision};
use crate::error::AppError;
use crate::registrar::{self, ActionError};
use crate::store::staff::{AuditRecord, ReviewRecord, StaffUser};
use crate::web::layout::{Layout, render};

#[derive(Template)]
#[template(path = "staff/review.html")]
struct ReviewPage {
    layout: Layout,
    a: ReviewRecord,
    class_name: String,
    checks: &'static [BackgroundCheck],
    pending: bool,
}

fn may_review(user: &StaffUser) -> Result<(), AppError> {
    if allows(user.role, Permission::Review) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn back(id: ApplicationId) -> Response {
    let to = format!("/staff/applications/{id}");
    crate::web::see_other(&to)
}

/// `GET /staff/applications/{id}`.
pub async fn show(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    may_review(&user)?;
    let id: ApplicationId = id.parse().map_err(|_| AppError::NotFound("application"))?;
    let a = state
        .store
        .review_record(id)
        .await?
        .ok_or(AppError::NotFound("application"))?;
    let class = state
        .store
        .class(a.class_id)
        .await?
        .ok_or(AppError::NotFound("class"))?;
    let dept = state.store.department().await?;
    let page = ReviewPage {
        layout: super::layout(dept.as_ref(), "/staff", &user),
        class_name: format!("{}: {}", class.program_name, class.name),
        pending: a.status == "pending_review",
        a,
        checks: BackgroundCheck::ALL,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckForm {
    status: String,
}

/// `POST /staff/applications/{id}/background-check`.
pub async fn set_check(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<CheckForm>, FormRejection>,
) -> Result<Response, AppError> {
    may_review(&user)?;
    let id: ApplicationId = id.parse().map_err(|_| AppError::NotFound("application"))?;
    let Form(form) = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let check =
        BackgroundCheck::parse(&form.status).ok_or_else(|| AppError::BadRequest("Unknown check status.".into()))?;
    state
        .store
        .review_record(id)
        .await?
        .ok_or(AppError::NotFound("application"))?;
    let who = actor(&user);
    let now = Timestamp::now();
    let mut tx = state.store.begin().await?;
    let before = tx.set_background_check(id, check.code(), &who, now).await?;
    tx.audit(
        &AuditRecord {
            actor: &who,
            action: "application.background_check",
            object_type: "application",
            object_id: id.to_string(),
            before: before.map(|b| serde_json::json!({ "background_check": b })),
            after: Some(serde_json::json!({ "background_check": check.code() })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(back(id))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

/// `POST /staff/applications/{id}/decision`: approve, or deny with a reason.
pub async fn decide(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, AppError> {
    may_review(&user)?;
    let id: ApplicationId = id.parse().map_err(|_| AppError::NotFound("application"))?;
    let Form(form) = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let reason = form.reason.trim();
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve,
        "deny" if reason.is_empty() => {
            return Err(AppError::Invalid("Give a reason when denying an application.".into()));
        }
        "deny" if reason.chars().count() > 500 => {
            return Err(AppError::Invalid("Keep the reason under 500 characters.".into()));
        }
        "deny" => Decision::Deny {
            reason: reason.to_string(),
        },
        _ => return Err(AppError::BadRequest("Choose approve or deny.".into())),
    };
    match registrar::decide(
        &state.store,
        &state.links,
        &actor(&user),
        id,
        &decision,
        Timestamp::now(),
    )
    .await
    {
        Ok(_) => Ok(back(id)),
        Err(ActionError::NotFound) => Err(AppError::NotFound("application")),
        Err(ActionError::NotAllowed(msg)) => Err(AppError::Conflict(msg.to_string())),
        Err(ActionError::Store(e)) => Err(e.into()),
    }
}
