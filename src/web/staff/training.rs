//! Training officers give colleagues: log a session, see the last year's sessions and
//! hours given and received per officer.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use super::activity::may_log;
use super::classes::actor;
use crate::domain::{StaffId, training};
use crate::store::activity::TrainingRow;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};
use crate::web::see_other;
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/training.html")]
struct TrainingPage {
    layout: Layout,
    officers: Vec<(StaffId, String)>,
    sessions: Vec<TrainingRow>,
    /// `(officer, hours given, hours received)`.
    hours: Vec<(String, String, String)>,
    topic: String,
    held_on: String,
    length: String,
    chosen: Vec<String>,
    errors: Vec<String>,
}

fn hours(minutes: u32) -> String {
    format!("{:.1}", f64::from(minutes) / 60.0)
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    form: Vec<(String, String)>,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let today = ctx.today();
    let from = today.checked_sub(jiff::ToSpan::years(1)).unwrap_or(today);
    let sessions = state.store.trainings(from, today).await?;
    let officers = state.store.duty_candidates().await?;
    let sums = training::hours_by_officer(
        &sessions
            .iter()
            .map(|s| (s.trainer_id, s.minutes, s.attendees.iter().map(|(a, _)| *a).collect()))
            .collect::<Vec<_>>(),
    );
    let name = |id: StaffId| {
        officers
            .iter()
            .find(|(o, _)| *o == id)
            .map_or_else(|| format!("Staff {id}"), |(_, n)| n.clone())
    };
    let mut table: Vec<(String, String, String)> = sums
        .iter()
        .map(|(id, (given, received))| (name(*id), hours(*given), hours(*received)))
        .collect();
    table.sort();
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TrainingPage {
        layout: super::layout(dept.as_ref(), "/staff/training", user),
        sessions,
        hours: table,
        topic: field("topic"),
        held_on: match field("held_on") {
            d if d.is_empty() => today.to_string(),
            d => d,
        },
        length: field("hours"),
        chosen: form
            .iter()
            .filter(|(k, _)| k == "attendees")
            .map(|(_, v)| v.clone())
            .collect(),
        officers: officers.into_iter().filter(|(id, _)| *id != user.id).collect(),
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/training`.
pub async fn show(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    may_log(user)?;
    page(&state, &ctx, Vec::new(), Vec::new()).await
}

/// `POST /staff/training`: a session the signed-in officer gave (attendees repeat).
pub async fn log(
    State(state): State<AppState>,
    ctx: StaffPage,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    may_log(user)?;
    let Form(form) = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("");
    let attendees: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "attendees")
        .map(|(_, v)| v.clone())
        .collect();
    let today = ctx.today();
    let mut checked = training::check(
        field("topic"),
        field("held_on"),
        field("hours"),
        &attendees,
        user.id,
        today,
    );
    if let Ok(t) = &checked {
        let known: Vec<StaffId> = state.store.duty_candidates().await?.iter().map(|(id, _)| *id).collect();
        if t.attendees.iter().any(|a| !known.contains(a)) {
            checked = Err(vec!["Choose attendees from the list.".into()]);
        }
    }
    let t = match checked {
        Ok(t) => t,
        Err(errors) => return page(&state, &ctx, form, errors).await,
    };
    crate::service::field_work::log_training(&state.store, &actor(user), user.id, &t, Timestamp::now()).await?;
    Ok(see_other("/staff/training"))
}
