//! One class: facts, registration window, the session schedule and, while registration
//! is open, the application form.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use super::apply::FormState;
use crate::domain::{Allocation, ClassId, RegistrationState};
use crate::format;
use crate::store::lottery::LotteryRecord;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Id;
use crate::web::layout::{ClassView, Layout, render};

struct SessionView {
    position: i64,
    date: String,
    time: String,
    topic: String,
    description: String,
    presenters: String,
    cancelled: bool,
}

#[derive(Template)]
#[template(path = "public/class.html")]
struct ClassPage {
    layout: Layout,
    class: ClassView,
    location_name: String,
    location_address: String,
    time_zone: String,
    sessions: Vec<SessionView>,
    /// The form, while residents may apply online.
    form: Option<FormState>,
    /// Why there is no form (nominations only, not open yet, closed).
    no_form_reason: String,
    waiver_required: bool,
    lottery: Option<LotteryRecord>,
    form_action: String,
    /// What applying does, shown near the top while the form is open.
    prompt: Option<crate::domain::application::ApplyPrompt>,
}

/// `GET /classes/{id}`.
pub async fn show(State(state): State<AppState>, Id(id): Id<ClassId>) -> Result<Response, AppError> {
    // A malformed id cannot name a class: answer like any other missing class.
    page(&state, id, FormState::blank(), StatusCode::OK).await
}

/// Renders the class page with `form` (fresh, or with errors after a submission).
pub async fn page(state: &AppState, id: ClassId, form: FormState, status: StatusCode) -> Result<Response, AppError> {
    let class = state.store.public_class(id).await?.ok_or(AppError::NotFound("class"))?;
    let program = state
        .store
        .published_program(&class.program_slug)
        .await?
        .ok_or(AppError::NotFound("class"))?;
    let mut form = form;
    form.questions = state
        .store
        .program_questions(program.id)
        .await?
        .iter()
        .map(super::apply::QuestionView::new)
        .collect();
    let dept = state.store.department().await?;
    let tz = dept.as_ref().map(|d| d.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
    let now = Timestamp::now();
    let sessions = state
        .store
        .sessions(class.id)
        .await?
        .into_iter()
        .map(|s| SessionView {
            position: s.position,
            date: format::date_long(s.local_date),
            time: format::time_range(s.local_start, s.local_end),
            topic: s.topic,
            description: s.description,
            presenters: presenters_text(&s.presenters),
            cancelled: s.cancelled,
        })
        .collect();
    let registration = RegistrationState::at(
        class.status,
        class.registration_opens_at,
        class.registration_closes_at,
        now,
    );
    let online = program.kind.open_to_public_applications();
    let no_form_reason = if !online {
        "Students join this program through their school; see the program page for how.".to_string()
    } else if !registration.is_open() {
        "Applications are not being taken for this class right now.".to_string()
    } else {
        String::new()
    };
    let lottery = if class.allocation == Allocation::Lottery {
        state.store.lottery_record(class.id).await?
    } else {
        None
    };
    let open = online && registration.is_open();
    let prompt = open.then(|| {
        crate::domain::application::apply_prompt(
            class.allocation,
            class.seats_left(),
            program.eligibility.requires_review(),
        )
    });
    let page = ClassPage {
        layout: Layout::new(dept.as_ref(), "/programs"),
        class: ClassView::new(&class, &tz, now),
        location_name: class.location_name,
        location_address: class.location_address,
        time_zone: dept.map_or_else(|| "UTC".to_string(), |d| d.time_zone),
        sessions,
        form: open.then_some(form),
        no_form_reason,
        waiver_required: program.eligibility.waiver,
        lottery,
        form_action: format!("/classes/{id}/apply#apply-heading"),
        prompt,
    };
    Ok((status, render(&page)?).into_response())
}

/// "K-9 (Officer Diego Ferreira); Patrol".
fn presenters_text(presenters: &[crate::store::catalog::Presenter]) -> String {
    if presenters.is_empty() {
        return "To be announced".to_string();
    }
    presenters
        .iter()
        .map(|p| match &p.officer {
            Some(o) => format!("{} ({o})", p.unit_name),
            None => p.unit_name.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
