//! Prometheus metrics at `/metrics`: requests and latency per route, background job runs,
//! page-cache hits, and, read from the database when scraped, seats held and places waiting
//! in running classes and the outbox's backlog and age: each read costs the same however
//! much history is stored. Scrapes need the `PRECINCT_METRICS_TOKEN` bearer token; without one
//! configured, only a direct (unproxied) scrape from this machine is answered.

use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::web::AppState;

/// Middleware: counts and times every request by its route template (not the raw path,
/// so ids do not multiply the series).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    state.metrics.request(
        method,
        route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

fn allowed(state: &AppState, headers: &HeaderMap, peer: std::net::SocketAddr) -> bool {
    match state.config.metrics_token.as_deref().map(str::trim) {
        Some(token) if !token.is_empty() => headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| crate::auth::tokens::hash(given) == crate::auth::tokens::hash(token)),
        // Without a token: a scrape on this machine, not relayed by a proxy.
        _ => peer.ip().is_loopback() && !headers.contains_key("x-forwarded-for") && !headers.contains_key("forwarded"),
    }
}

/// `GET /metrics` in the Prometheus text format.
pub async fn serve(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !allowed(&state, &headers, peer) {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    let m = &state.metrics;
    // Database figures are read at scrape time, so every instance reports the truth.
    match state.store.outbox_counts().await {
        Ok(c) => {
            for (status, n) in [("pending", c.pending), ("failed", c.failed)] {
                m.outbox(status, n);
            }
            let age = c
                .oldest_pending
                .map_or(0.0, |t| (jiff::Timestamp::now().as_second() - t).max(0) as f64);
            m.outbox_oldest_seconds(age);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: outbox counts unavailable"),
    }
    match state.store.applications_in_running_classes().await {
        Ok((held, waitlisted)) => {
            m.applications("holding_seat", held);
            m.applications("waitlisted", waitlisted);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: application counts unavailable"),
    }
    let Ok(body) = m.encode() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "metrics could not be encoded").into_response();
    };
    (
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// `GET /livez`: the process answers (no database involved), for restart decisions.
pub async fn livez() -> impl IntoResponse {
    "ok"
}
