//! A guardian's consent page, reached through the single-use link emailed when a
//! nomination is accepted: what the program involves, what is kept and for how long, an
//! optional photo consent, and a signature by typed name.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::nomination::CONSENT_TEXT_VERSION;
use crate::error::AppError;
use crate::teen::{self, TeenError};
use crate::web::format;
use crate::web::layout::{Layout, render};

#[derive(Template)]
#[template(path = "public/consent.html")]
struct ConsentPage {
    layout: Layout,
    /// `form`, `signed` or `invalid`.
    step: &'static str,
    token: String,
    student: String,
    school: String,
    program: String,
    summary: String,
    cohort: String,
    place: String,
    sessions: Vec<String>,
    retention_months: u16,
    version: &'static str,
    typed: String,
    media: bool,
    error: Option<String>,
}

async fn render_page(
    state: &AppState,
    token: &str,
    step: &'static str,
    typed: String,
    media: bool,
    error: Option<String>,
) -> Result<Response, AppError> {
    let dept = state.store.department().await?;
    let mut page = ConsentPage {
        layout: Layout::new(dept.as_ref(), ""),
        step,
        token: token.to_string(),
        student: String::new(),
        school: String::new(),
        program: String::new(),
        summary: String::new(),
        cohort: String::new(),
        place: String::new(),
        sessions: Vec::new(),
        retention_months: state.config.minor_retention_months,
        version: CONSENT_TEXT_VERSION,
        typed,
        media,
        error,
    };
    let id = match step {
        "form" => {
            state
                .store
                .consent_link(&crate::tokens::hash(token), Timestamp::now())
                .await?
        }
        _ => None,
    };
    if step == "form" && id.is_none() {
        page.step = "invalid";
    }
    if let Some(id) = id
        && let Some(n) = state.store.nomination(id).await?
        && let Some(class) = state.store.class(n.class_id).await?
    {
        let program = state.store.published_program(&class.program_slug).await?;
        page.student = format!("{} {}", n.first_name, n.last_name);
        page.school = n.school_name;
        page.summary = program.map(|p| p.summary).unwrap_or_default();
        page.program = class.program_name.clone();
        page.cohort = class.name.clone();
        page.place = format!("{}, {}", class.location_name, class.location_address);
        page.sessions = state
            .store
            .sessions(class.id)
            .await?
            .into_iter()
            .filter(|s| !s.cancelled)
            .map(|s| {
                format!(
                    "{}, {}",
                    format::date_long(s.local_date),
                    format::time_range(s.local_start, s.local_end)
                )
            })
            .collect();
    }
    let status = match (page.step, page.error.is_some()) {
        ("invalid", _) => StatusCode::GONE,
        (_, true) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /consent/{token}`.
pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    render_page(&state, &token, "form", String::new(), false, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignForm {
    name: String,
    media: String,
}

/// `POST /consent/{token}`: signs once; a second submit finds the link used.
pub async fn sign(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: Result<Form<SignForm>, FormRejection>,
) -> Result<Response, AppError> {
    let Form(form) = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let media = form.media == "yes";
    match teen::consent(&state.store, &token, &form.name, media, Timestamp::now()).await {
        Ok(_) => render_page(&state, &token, "signed", String::new(), media, None).await,
        Err(TeenError::NotFound) => render_page(&state, &token, "invalid", String::new(), false, None).await,
        Err(TeenError::NotAllowed(m)) => render_page(&state, &token, "form", form.name, media, Some(m)).await,
        Err(TeenError::Store(e)) => Err(e.into()),
    }
}
