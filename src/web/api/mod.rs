//! The JSON API under `/api/v1`, described by the OpenAPI document it serves.
//!
//! Conventions: collections come wrapped in an object (`{"programs": [...]}`) so
//! fields can be added later; instants are RFC 3339 with the department's offset;
//! errors are RFC 9457 problem JSON with a stable `type`.

use axum::Router;
use axum::routing::get;

use crate::web::AppState;

pub mod attendance;
pub mod catalog;
pub mod holidays;
pub mod manage;
pub mod openapi;
pub mod questions;
pub mod registrations;
pub mod staff;

/// Routes of the API, relative to `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programs", get(catalog::list_programs))
        .route("/programs/{slug}", get(catalog::get_program))
        .route("/programs/{slug}/statistics", get(catalog::statistics))
        .route(
            "/programs/{slug}/questions",
            get(questions::list).post(questions::create),
        )
        .route(
            "/programs/{slug}/questions/{id}",
            axum::routing::put(questions::update).delete(questions::delete),
        )
        .route("/classes", get(catalog::list_classes).post(manage::create))
        .route("/classes/{id}", get(catalog::get_class).patch(manage::patch))
        .route("/classes/{id}/sessions", axum::routing::post(manage::add))
        .route("/classes/{id}/copy", axum::routing::post(manage::copy))
        .route("/classes/{id}/registrations", get(staff::roster))
        .route("/reports/engagement", get(crate::web::staff::engagement::api))
        .route("/classes/{id}/attendance", get(attendance::sheet))
        .route(
            "/classes/{id}/sessions/{sid}/attendance",
            axum::routing::put(attendance::mark),
        )
        .route(
            "/classes/{id}/graduation",
            get(attendance::verdicts).post(attendance::confirm),
        )
        .route("/holidays", get(holidays::list).post(holidays::add))
        .route("/holidays/federal", axum::routing::post(holidays::federal))
        .route("/holidays/{date}", axum::routing::delete(holidays::remove))
        .route("/openapi.json", get(openapi::serve))
}
