//! The home page: open registrations first, then every program.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use jiff::Timestamp;

use crate::domain::RegistrationState;
use crate::store::catalog::Program;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{ClassView, Layout, render};

#[derive(Template)]
#[template(path = "public/home.html")]
struct HomePage {
    layout: Layout,
    open_classes: Vec<ClassView>,
    programs: Vec<Program>,
    /// Current advisories chosen for the home page.
    advisories: Vec<crate::store::content::ContentItem>,
}

pub async fn show(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let dept = state.store.department().await?;
    let tz = dept.as_ref().map(|d| d.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
    let now = Timestamp::now();
    let programs = state.store.published_programs().await?;
    let open_classes = state
        .store
        .public_classes(None)
        .await?
        .iter()
        .filter(|c| RegistrationState::at(c.status, c.registration_opens_at, c.registration_closes_at, now).is_open())
        .map(|c| ClassView::new(c, &tz, now))
        .collect();
    let advisories = super::content::current_advisories(&state)
        .await?
        .into_iter()
        .filter(|a| a.on_home)
        .collect();
    render(&HomePage {
        layout: Layout::new(dept.as_ref(), "/"),
        open_classes,
        programs,
        advisories,
    })
}
