//! `GET /healthz`: 200 once the database answers, 503 when it does not.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::Backend;
use crate::web::AppState;
use crate::web::error::problem_response;

/// The health answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always "ok" in a 200 answer.
    pub status: &'static str,
    /// Which database engine answered.
    #[schema(value_type = String)]
    pub database: Backend,
    /// The running version.
    pub version: &'static str,
}

/// How long the database gets to answer a health check.
const PING_TIMEOUT: Duration = Duration::from_secs(3);

#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = crate::web::error::Problem)))]
pub async fn healthz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(PING_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => Json(Health {
            status: "ok",
            database: state.store.backend(),
            version: env!("CARGO_PKG_VERSION"),
        })
        .into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database did not answer");
            problem_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The database is not answering.",
            )
        }
        Err(_) => problem_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The database is too slow to answer.",
        ),
    }
}
