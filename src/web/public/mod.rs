//! Pages for residents: no account, server-rendered, usable without JavaScript.

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

mod about;
mod classes;
mod home;
mod programs;

/// Routes of the public site.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/programs", get(programs::index))
        .route("/programs/{slug}", get(programs::show))
        .route("/classes/{id}", get(classes::show))
        .route("/about", get(about::show))
}
