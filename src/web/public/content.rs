//! Department pages (`/pages/{slug}`) and advisories (`/advisories`, `/advisories/{slug}`).
//! An advisory shows while its window is open in the department's local calendar.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use crate::domain::content::ContentKind;
use crate::store::content::ContentItem;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};

#[derive(Template)]
#[template(path = "public/content.html")]
struct ContentPage {
    layout: Layout,
    item: ContentItem,
    updated: String,
}

#[derive(Template)]
#[template(path = "public/advisories.html")]
struct AdvisoriesPage {
    layout: Layout,
    advisories: Vec<ContentItem>,
}

/// The advisories published and in their window today, newest change first.
pub async fn current_advisories(state: &AppState) -> Result<Vec<ContentItem>, AppError> {
    let today = today(state).await?;
    Ok(state
        .store
        .content_published(ContentKind::Advisory)
        .await?
        .into_iter()
        .filter(|a| a.window.is_open(today))
        .collect())
}

async fn today(state: &AppState) -> Result<jiff::civil::Date, AppError> {
    let tz = state
        .store
        .department()
        .await?
        .map(|d| d.tz())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(jiff::Timestamp::now().to_zoned(tz).date())
}

async fn show(state: &AppState, kind: ContentKind, slug: &str, nav: &str) -> Result<Response, AppError> {
    let item = state
        .store
        .content_by_slug(slug)
        .await?
        .filter(|c| c.kind == kind && c.published)
        .ok_or(AppError::NotFound("page"))?;
    if kind == ContentKind::Advisory && !item.window.is_open(today(state).await?) {
        return Err(AppError::NotFound("advisory"));
    }
    let dept = state.store.department().await?;
    let tz = dept.as_ref().map(|d| d.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
    let updated = item.updated_at.to_zoned(tz).strftime("%B %-d, %Y").to_string();
    let page = ContentPage {
        layout: Layout::new(dept.as_ref(), nav),
        item,
        updated,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /pages/{slug}`.
pub async fn page(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, AppError> {
    show(&state, ContentKind::Page, &slug, "").await
}

/// `GET /advisories/{slug}`.
pub async fn advisory(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, AppError> {
    show(&state, ContentKind::Advisory, &slug, "/advisories").await
}

/// `GET /advisories`.
pub async fn advisories(State(state): State<AppState>) -> Result<Response, AppError> {
    let dept = state.store.department().await?;
    let page = AdvisoriesPage {
        layout: Layout::new(dept.as_ref(), "/advisories"),
        advisories: current_advisories(&state).await?,
    };
    Ok(render(&page)?.into_response())
}
