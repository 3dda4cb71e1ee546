//! What community policing is and how the department practices it.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::app::AppState;
use crate::error::AppError;
use crate::web::layout::{Layout, render};

#[derive(Template)]
#[template(path = "public/about.html")]
struct AboutPage {
    layout: Layout,
    city: String,
}

pub async fn show(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let dept = state.store.department().await?;
    let city = dept.as_ref().map_or_else(|| "our city".to_string(), |d| d.city.clone());
    render(&AboutPage {
        layout: Layout::new(dept.as_ref(), "/about"),
        city,
    })
}
