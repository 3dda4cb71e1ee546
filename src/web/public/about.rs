//! The site pages every department has at fixed addresses: what community policing is
//! (`/about`) and the accessibility statement (`/accessibility`). Each shows the
//! department's own published page with the same slug, or a default text filled in from
//! its profile, so a new site is complete before anyone writes a word.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::domain::content::{ContentKind, SitePage, fill_default, fill_title, site_page};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};

#[derive(Template)]
#[template(path = "public/site_page.html")]
struct SitePageView {
    layout: Layout,
    title: String,
    body_html: String,
}

/// The default title and text of a built-in page for the department as it is now.
pub async fn default_text(state: &AppState, page: &SitePage) -> Result<(String, String), AppError> {
    let dept = state.store.department().await?;
    let (name, city, contact) = dept.as_ref().map_or_else(
        || {
            (
                "Police Department".to_string(),
                "our city".to_string(),
                "the department".to_string(),
            )
        },
        |d| {
            let contact = [&d.accessibility_contact, &d.email, &d.phone]
                .into_iter()
                .find(|c| !c.is_empty())
                .cloned()
                .unwrap_or_else(|| "the department".into());
            (d.name.clone(), d.city.clone(), contact)
        },
    );
    Ok((fill_title(page, &city), fill_default(page, &name, &city, &contact)))
}

async fn show_site_page(state: &AppState, slug: &str) -> Result<Html<String>, AppError> {
    let page = site_page(slug).ok_or(AppError::NotFound("page"))?;
    let dept = state.store.department().await?;
    let own = state
        .store
        .content_by_slug(slug)
        .await?
        .filter(|c| c.kind == ContentKind::Page && c.published);
    let (title, body_html) = match own {
        Some(c) => (c.title, c.body_html),
        None => {
            let (title, markdown) = default_text(state, page).await?;
            (title, crate::domain::markdown::to_safe_html(&markdown))
        }
    };
    render(&SitePageView {
        layout: Layout::new(dept.as_ref(), page.path),
        title,
        body_html,
    })
}

/// `GET /about`.
pub async fn show(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    show_site_page(&state, "community-policing").await
}

/// `GET /accessibility`.
pub async fn accessibility(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    show_site_page(&state, "accessibility").await
}

/// `GET /logo.png`: the department's logo. Pages link it with its upload time in the
/// query, so a long cache is safe.
pub async fn logo(State(state): State<AppState>) -> Result<axum::response::Response, AppError> {
    use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let png = state.store.logo().await?.ok_or(AppError::NotFound("logo"))?;
    Ok((
        [(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "public, max-age=86400")],
        png,
    )
        .into_response())
}
