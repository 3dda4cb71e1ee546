//! Messages to alumni who opted in to hear from the program.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use crate::domain::ProgramId;
use crate::domain::access::Permission;
use crate::notify::messages;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::layout::{Layout, render};
use crate::web::see_other;
use crate::web::staff::StaffPage;
use crate::web::staff::classes::actor;

#[derive(Template)]
#[template(path = "staff/alumni.html")]
struct AlumniPage {
    layout: Layout,
    counts: Vec<crate::store::surveys::AlumniCount>,
    programs: Vec<(i64, String)>,
    subject: String,
    body: String,
    program: String,
    errors: Vec<String>,
    sent: Option<usize>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AlumniForm {
    program: String,
    subject: String,
    body: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SentQuery {
    sent: Option<usize>,
}

async fn alumni_page(
    state: &AppState,
    ctx: &StaffPage,
    form: AlumniForm,
    errors: Vec<String>,
    sent: Option<usize>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let counts = state.store.alumni_counts().await?;
    let programs = counts
        .iter()
        .filter(|c| c.opted_in > 0)
        .map(|c| (c.program_id.get(), c.program_name.clone()))
        .collect();
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AlumniPage {
        layout: crate::web::staff::layout(dept.as_ref(), "/staff/alumni", user),
        counts,
        programs,
        subject: form.subject,
        body: form.body,
        program: form.program,
        errors,
        sent,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/alumni`.
pub async fn alumni(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(q): Query<SentQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    crate::web::staff::require(user, Permission::RunClasses)?;
    alumni_page(&state, &ctx, AlumniForm::default(), Vec::new(), q.sent).await
}

/// `POST /staff/alumni`: one message per opted-in graduate, through the outbox.
pub async fn message_alumni(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<AlumniForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    crate::web::staff::require(user, Permission::RunClasses)?;
    let mut errors = Vec::new();
    let subject = form.subject.trim();
    let body = form.body.trim();
    if subject.is_empty() || subject.chars().count() > 150 {
        errors.push("Write a subject of up to 150 characters.".to_string());
    }
    if body.is_empty() || body.chars().count() > 10_000 {
        errors.push("Write the message (up to 10,000 characters).".to_string());
    }
    let program = match form.program.trim() {
        "" | "all" => None,
        raw => {
            Some(ProgramId::new(raw.parse().map_err(|_| {
                AppError::BadRequest("Choose a program from the list.".into())
            })?))
        }
    };
    if !errors.is_empty() {
        return alumni_page(&state, &ctx, form, errors, None).await;
    }
    let alumni = state.store.alumni(program).await?;
    if alumni.is_empty() {
        errors.push("No graduate of that program has asked to keep in touch yet.".into());
        return alumni_page(&state, &ctx, form, errors, None).await;
    }
    let dept = &ctx.department;
    let department = dept.as_ref().map_or("", |d| d.name.as_str());
    let base = &state.links.base_url;
    let messages: Vec<_> = alumni
        .iter()
        .map(|a| {
            messages::alumni_news(
                department,
                &a.email,
                subject,
                body,
                crate::store::outbox::SecretLink::new(
                    crate::domain::mail::LinkKind::Unsubscribe,
                    base,
                    &a.unsubscribe_token,
                    None,
                ),
            )
        })
        .collect();
    crate::service::outcomes::message_alumni(
        &state.store,
        &actor(user),
        program,
        subject,
        &messages,
        Timestamp::now(),
    )
    .await?;
    Ok(see_other(&format!("/staff/alumni?sent={}", messages.len())))
}
