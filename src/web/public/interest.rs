//! The interest list: join from a program page, leave from a link in any message.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use crate::auth::tokens;
use crate::domain::application::looks_like_email;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::layout::{Layout, render};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InterestForm {
    email: String,
}

#[derive(Template)]
#[template(path = "public/interest.html")]
struct InterestPage {
    layout: Layout,
    heading: String,
    message: String,
    /// The unsubscribe button's target, on the confirmation step.
    confirm_action: Option<String>,
    program_slug: Option<String>,
}

/// `POST /programs/{slug}/interest`.
pub async fn join(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<InterestForm>,
) -> Result<Response, AppError> {
    let program = state
        .store
        .published_program(&slug)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let email = form.email.trim();
    if !looks_like_email(email) {
        return Err(AppError::BadRequest(
            "Enter an email address like name@example.com to join the interest list.".into(),
        ));
    }
    state
        .store
        .subscribe_interest(program.id, email, &tokens::generate(), Timestamp::now())
        .await?;
    let dept = state.store.department().await?;
    let page = InterestPage {
        layout: Layout::new(dept.as_ref(), "/programs"),
        heading: "You are on the list".into(),
        message: format!(
            "We will email {email} when the next {} class is announced and when registration opens. Every message has a link to stop them.",
            program.name
        ),
        confirm_action: None,
        program_slug: Some(program.slug),
    };
    Ok(render(&page)?.into_response())
}

/// `GET /interest/unsubscribe/{token}`: a confirmation button (mail scanners follow links).
pub async fn confirm_leave(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    let name = state
        .store
        .interest_program_name(&token)
        .await?
        .ok_or(AppError::NotFound("subscription"))?;
    let dept = state.store.department().await?;
    let page = InterestPage {
        layout: Layout::new(dept.as_ref(), ""),
        heading: "Stop these emails?".into(),
        message: format!("You will no longer hear about new {name} classes."),
        confirm_action: Some(format!("/interest/unsubscribe/{token}")),
        program_slug: None,
    };
    Ok(render(&page)?.into_response())
}

/// `POST /interest/unsubscribe/{token}`.
pub async fn leave(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    let name = state
        .store
        .unsubscribe_interest(&token, Timestamp::now())
        .await?
        .ok_or(AppError::NotFound("subscription"))?;
    let dept = state.store.department().await?;
    let page = InterestPage {
        layout: Layout::new(dept.as_ref(), ""),
        heading: "You have left the list".into(),
        message: format!("We will not email you about new {name} classes any more."),
        confirm_action: None,
        program_slug: None,
    };
    Ok((StatusCode::OK, render(&page)?).into_response())
}
