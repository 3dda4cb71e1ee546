//! `GET /feeds/news.atom`: current advisories, announced classes and open registrations
//! as an Atom feed.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use crate::web::AppState;
use crate::web::error::AppError;

pub async fn feed(State(state): State<AppState>) -> Result<Response, AppError> {
    let dept = state.store.department().await?;
    let (name, tz) = dept
        .as_ref()
        .map_or(("Police Department".to_string(), jiff::tz::TimeZone::UTC), |d| {
            (d.name.clone(), d.tz())
        });
    let classes: Vec<_> = state
        .store
        .public_classes(None)
        .await?
        .into_iter()
        .filter(crate::documents::atom::is_news)
        .collect();
    let advisories = super::content::current_advisories(&state).await?;
    let body = crate::documents::atom::news_feed(
        &name,
        &tz,
        &state.links.base_url,
        &advisories,
        &classes,
        Timestamp::now(),
    );
    Ok((
        [
            (CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response())
}
