//! Cancelling a class or one of its sessions: a confirmation page first, showing the
//! email as it will read and how many people get it, then the action.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use super::classes::{actor, back_to};
use crate::domain::access::{Permission, allows};
use crate::domain::{ClassId, SessionId};
use crate::format;
use crate::service::classes;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{ConfirmForm, Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

/// A destructive action's "are you sure" page: what will happen and the email that will
/// go out, with the confirming button and a way back.
#[derive(Template)]
#[template(path = "staff/confirm.html")]
struct ConfirmPage {
    layout: Layout,
    class_id: ClassId,
    preview: classes::CancellationPreview,
    title: String,
    lead: String,
    action: String,
    /// The confirming button's words before "and email N people".
    what: String,
    keep_label: &'static str,
}

impl ConfirmPage {
    fn confirm_label(&self) -> String {
        format!("{} and {}", self.what, emails(self.preview.recipients))
    }
}

fn emails(n: i64) -> String {
    match n {
        0 => "no one to email".to_string(),
        1 => "email 1 person".to_string(),
        n => format!("email {n} people"),
    }
}

/// One session of a class: its number, how messages describe it, whether it is cancelled.
async fn session_described(state: &AppState, id: ClassId, sid: SessionId) -> Result<(i64, String, bool), AppError> {
    let session = state
        .store
        .sessions(id)
        .await?
        .into_iter()
        .find(|s| s.id == sid)
        .ok_or(AppError::NotFound("session"))?;
    let describe = format!(
        "Session {}: {}, {}, {}",
        session.position,
        session.topic,
        format::date_long(session.local_date),
        format::time_range(session.local_start, session.local_end)
    );
    Ok((session.position, describe, session.cancelled))
}

/// `GET /staff/classes/{id}/sessions/{sid}/cancel`: what cancelling the session sends.
pub async fn confirm_cancel_session(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((id, sid)): Id<(ClassId, SessionId)>,
) -> Result<Response, AppError> {
    if !allows(ctx.user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    let (position, describe, cancelled) = session_described(&state, id, sid).await?;
    if cancelled {
        return Err(AppError::Conflict("That session is already cancelled.".into()));
    }
    let preview = classes::preview_session_cancellation(&state.store, id, &describe)
        .await
        .map_err(AppError::from)?;
    let page = ConfirmPage {
        layout: ctx.layout("/staff"),
        class_id: id,
        preview,
        title: format!("Cancel session {position}?"),
        lead: format!("{describe}. The rest of the schedule stays as it is."),
        action: format!("/staff/classes/{id}/sessions/{sid}/cancel"),
        what: format!("Cancel session {position}"),
        keep_label: "Keep the session",
    };
    Ok(render(&page)?.into_response())
}

/// `POST /staff/classes/{id}/sessions/{sid}/cancel`: acts only when confirmed; otherwise
/// shows the confirmation page.
pub async fn cancel_session(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((id, sid)): Id<(ClassId, SessionId)>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    if !form.confirmed() {
        return Ok(crate::web::see_other(&format!(
            "/staff/classes/{id}/sessions/{sid}/cancel"
        )));
    }
    let (_, describe, _) = session_described(&state, id, sid).await?;
    classes::cancel_session(&state.store, &actor(user), id, sid, &describe, Timestamp::now())
        .await
        .map_err(AppError::from)?;
    Ok(back_to(id, "session-cancelled"))
}

/// `GET /staff/classes/{id}/cancel`: what cancelling the class sends, and to how many.
pub async fn confirm_cancel_class(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ClassId>,
) -> Result<Response, AppError> {
    if !allows(ctx.user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    let preview = classes::preview_class_cancellation(&state.store, id)
        .await
        .map_err(AppError::from)?;
    let page = ConfirmPage {
        layout: ctx.layout("/staff"),
        class_id: id,
        title: format!("Cancel {}?", preview.course),
        preview,
        lead: "Registration closes, every application still open is closed, and everyone on the \
               roster, the waitlist or the lottery list is emailed."
            .to_string(),
        action: format!("/staff/classes/{id}/cancel"),
        what: "Cancel the class".to_string(),
        keep_label: "Keep the class",
    };
    Ok(render(&page)?.into_response())
}

/// `POST /staff/classes/{id}/cancel`: acts only when confirmed; otherwise shows the
/// confirmation page.
pub async fn cancel_class(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ClassId>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    if !form.confirmed() {
        return Ok(crate::web::see_other(&format!("/staff/classes/{id}/cancel")));
    }
    classes::cancel_class(&state.store, &actor(user), id, Timestamp::now())
        .await
        .map_err(AppError::from)?;
    Ok(back_to(id, "class-cancelled"))
}
