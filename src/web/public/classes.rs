//! One class: facts, registration window and the session schedule.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use jiff::Timestamp;

use crate::app::AppState;
use crate::error::AppError;
use crate::web::format;
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
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Result<Html<String>, AppError> {
    // A malformed id cannot name a class: answer like any other missing class.
    let id: crate::domain::ClassId = id.parse().map_err(|_| AppError::NotFound("class"))?;
    let class = state.store.public_class(id).await?.ok_or(AppError::NotFound("class"))?;
    let dept = state.store.department().await?;
    let tz = dept.as_ref().map(|d| d.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
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
    render(&ClassPage {
        layout: Layout::new(dept.as_ref(), "/programs"),
        class: ClassView::new(&class, &tz, Timestamp::now()),
        location_name: class.location_name,
        location_address: class.location_address,
        time_zone: dept.map_or_else(|| "UTC".to_string(), |d| d.time_zone),
        sessions,
    })
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
