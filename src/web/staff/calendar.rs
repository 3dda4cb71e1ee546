//! `/staff/calendar`: a private feed of the sessions an officer is named to present, for
//! their own calendar application.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::store::feeds::CalendarOwner;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};
use crate::web::public::calendars::{CalendarLink, new_link};
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/calendar.html")]
struct CalendarPage {
    layout: Layout,
    presenting: usize,
    /// DARE lessons still to teach.
    lessons: usize,
    has_link: bool,
    link: Option<CalendarLink>,
}

async fn page(state: &AppState, ctx: &StaffPage, link: Option<CalendarLink>) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let owner = CalendarOwner::Presenter(user.id);
    let page = CalendarPage {
        layout: super::layout(dept.as_ref(), "/staff/calendar", user),
        presenting: state.store.presented_sessions(user.id).await?.len(),
        lessons: state
            .store
            .dare_classes(Some(user.id))
            .await?
            .iter()
            .map(|c| c.lessons_ahead(jiff::Timestamp::now()))
            .sum(),
        has_link: state.store.has_calendar_link(&owner).await?,
        link,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /staff/calendar`.
pub async fn show(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    page(&state, &ctx, None).await
}

/// `POST /staff/calendar`: a new private address (the previous one stops working).
pub async fn create(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    let link = new_link(&state, &CalendarOwner::Presenter(user.id)).await?;
    page(&state, &ctx, Some(link)).await
}
