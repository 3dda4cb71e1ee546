//! A guardian's consent page, reached through the single-use link emailed when a
//! nomination is accepted: what the program involves, what is kept and for how long, an
//! optional photo consent, and a signature by typed name.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use crate::domain::nomination::CONSENT_TEXT_VERSION;
use crate::format;
use crate::service::Error;
use crate::service::nominations;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Form;
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
    typed: Typed,
    error: Option<String>,
}

/// What the guardian typed, shown again when something needs fixing.
#[derive(Default)]
struct Typed {
    name: String,
    media: bool,
    emergency_name: String,
    emergency_phone: String,
    medical_notes: String,
}

async fn render_page(
    state: &AppState,
    token: &str,
    step: &'static str,
    typed: Typed,
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
        error,
    };
    let id = match step {
        "form" => {
            state
                .store
                .consent_link(&crate::auth::tokens::hash(token), Timestamp::now())
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
    render_page(&state, &token, "form", Typed::default(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignForm {
    name: String,
    media: String,
    emergency_name: String,
    emergency_phone: String,
    medical_notes: String,
    /// `decline` when the guardian declines instead of signing.
    answer: String,
}

/// `POST /consent/{token}`: signs (or declines) once; a second submit finds the link used.
pub async fn sign(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<SignForm>,
) -> Result<Response, AppError> {
    let now = Timestamp::now();
    if form.answer == "decline" {
        return match nominations::decline_consent(&state.store, &token, now).await {
            Ok(_) => render_page(&state, &token, "declined", Typed::default(), None).await,
            Err(Error::NotFound(_)) => render_page(&state, &token, "invalid", Typed::default(), None).await,
            Err(Error::Conflict { why: m, .. }) => render_page(&state, &token, "form", Typed::default(), Some(m)).await,
            Err(e) => Err(e.into()),
        };
    }
    let media = form.media == "yes";
    let consent = nominations::ConsentForm {
        typed_name: &form.name,
        media,
        emergency_name: &form.emergency_name,
        emergency_phone: &form.emergency_phone,
        medical_notes: &form.medical_notes,
    };
    match nominations::consent(&state.store, &token, &consent, now).await {
        Ok(_) => render_page(&state, &token, "signed", Typed::default(), None).await,
        Err(Error::NotFound(_)) => render_page(&state, &token, "invalid", Typed::default(), None).await,
        Err(Error::Conflict { why: m, .. }) => {
            let typed = Typed {
                name: form.name,
                media,
                emergency_name: form.emergency_name,
                emergency_phone: form.emergency_phone,
                medical_notes: form.medical_notes,
            };
            render_page(&state, &token, "form", typed, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}
