//! The program list and one program's page.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use jiff::Timestamp;

use crate::store::catalog::{Program, ProgramTotals};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Id;
use crate::web::layout::{ClassView, Layout, render};

#[derive(Template)]
#[template(path = "public/programs.html")]
struct ProgramsPage {
    layout: Layout,
    programs: Vec<Program>,
}

pub async fn index(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let dept = state.store.department().await?;
    let programs = state.store.published_programs().await?;
    render(&ProgramsPage {
        layout: Layout::new(dept.as_ref(), "/programs"),
        programs,
    })
}

#[derive(Template)]
#[template(path = "public/program.html")]
struct ProgramPage {
    layout: Layout,
    program: Program,
    eligibility: Vec<String>,
    totals: ProgramTotals,
    upcoming: Vec<ClassView>,
    past: Vec<ClassView>,
    /// Officers serving the program today who agreed to be named: (name, duty, place,
    /// the id their photo is served under if they have one).
    serving: Vec<(String, &'static str, Option<String>, Option<i64>)>,
    /// Officers serving it who are not named.
    unnamed: usize,
}

pub async fn show(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Html<String>, AppError> {
    let program = state
        .store
        .published_program(&slug)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let dept = state.store.department().await?;
    let tz = dept.as_ref().map(|d| d.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
    let now = Timestamp::now();
    let mut upcoming = state.store.public_classes(Some(program.id)).await?;
    // The latest past classes only: a program's history grows every year, its page must not.
    let mut past = state
        .store
        .recent_past_classes(program.id, crate::web::api::catalog::RECENT_PAST)
        .await?;
    // Soonest first for what lies ahead; most recent first for history.
    upcoming.sort_by_key(|c| c.first_session_at);
    past.sort_by_key(|c| std::cmp::Reverse(c.first_session_at));
    let totals = state.store.program_totals(&program).await?;
    let holders = state
        .store
        .duty_holders(
            crate::domain::duties::serving(program.kind),
            now.to_zoned(tz.clone()).date(),
        )
        .await?;
    let unnamed = holders.iter().filter(|h| !h.public_profile).count();
    let serving = holders
        .into_iter()
        .filter(|h| h.public_profile)
        .map(|h| {
            let name = crate::domain::duties::ranked_name(h.rank.as_deref(), &h.officer);
            let photo = h.has_photo.then_some(h.staff_id.get());
            (name, h.assignment.duty.label(), h.assignment.assignment, photo)
        })
        .collect();
    render(&ProgramPage {
        serving,
        unnamed,
        layout: Layout::new(dept.as_ref(), "/programs"),
        eligibility: program.eligibility.describe(),
        totals,
        upcoming: upcoming.iter().map(|c| ClassView::new(c, &tz, now)).collect(),
        past: past.iter().map(|c| ClassView::new(c, &tz, now)).collect(),
        program,
    })
}

/// `GET /officers/{id}/photo.jpg`: an officer's portrait, only while they agree to be
/// shown; kept briefly in caches so a withdrawn consent takes effect within minutes.
pub async fn officer_photo(
    State(state): State<AppState>,
    Id(id): Id<crate::domain::StaffId>,
) -> Result<axum::response::Response, AppError> {
    let bytes = state
        .store
        .staff_photo(id, true)
        .await?
        .ok_or(AppError::NotFound("photo"))?;
    Ok(crate::web::staff::photo_response(bytes, "public, max-age=300"))
}
