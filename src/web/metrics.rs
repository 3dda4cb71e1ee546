//! Prometheus metrics at `/metrics`: requests and latency per route, background job runs,
//! and, read from the database when scraped, applications by status and the outbox's
//! depth and age. Scrapes need the `PRECINCT_METRICS_TOKEN` bearer token; without one
//! configured, only a direct (unproxied) scrape from this machine is answered.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::app::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// Every metric of an instance.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    job_runs: Family<ResultLabels, Counter>,
    applications: Family<StatusLabels, Gauge>,
    outbox: Family<StatusLabels, Gauge>,
    outbox_oldest_seconds: Gauge<f64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("precinct");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let job_runs = Family::<ResultLabels, Counter>::default();
        let applications = Family::<StatusLabels, Gauge>::default();
        let outbox = Family::<StatusLabels, Gauge>::default();
        let outbox_oldest_seconds = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route",
            latency.clone(),
        );
        registry.register("job_runs", "Background job rounds, by result", job_runs.clone());
        registry.register("applications", "Applications by status", applications.clone());
        registry.register("outbox_messages", "Outbox messages by status", outbox.clone());
        registry.register(
            "outbox_oldest_pending_seconds",
            "Age of the oldest message waiting to be sent (0 when none waits)",
            outbox_oldest_seconds.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            job_runs,
            applications,
            outbox,
            outbox_oldest_seconds,
        }
    }
}

impl Metrics {
    /// Counts one round of the background jobs.
    pub fn job_run(&self, ok: bool) {
        self.job_runs
            .get_or_create(&ResultLabels {
                result: if ok { "ok" } else { "error" }.into(),
            })
            .inc();
    }
}

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
    let m = &state.metrics;
    m.requests
        .get_or_create(&RequestLabels {
            method: method.clone(),
            route: route.clone(),
            status: response.status().as_u16(),
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels { method, route })
        .observe(started.elapsed().as_secs_f64());
    response
}

fn allowed(state: &AppState, headers: &HeaderMap, peer: std::net::SocketAddr) -> bool {
    match state.config.metrics_token.as_deref().map(str::trim) {
        Some(token) if !token.is_empty() => headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| crate::tokens::hash(given) == crate::tokens::hash(token)),
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
            for (status, n) in [("pending", c.pending), ("failed", c.failed), ("sent", c.sent)] {
                m.outbox.get_or_create(&StatusLabels { status: status.into() }).set(n);
            }
            let age = c
                .oldest_pending
                .map_or(0.0, |t| (jiff::Timestamp::now().as_second() - t).max(0) as f64);
            m.outbox_oldest_seconds.set(age);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: outbox counts unavailable"),
    }
    match state.store.applications_by_status().await {
        Ok(rows) => {
            for (status, n) in rows {
                m.applications.get_or_create(&StatusLabels { status }).set(n);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: application counts unavailable"),
    }
    let mut body = String::new();
    if prometheus_client::encoding::text::encode(&mut body, &m.registry).is_err() {
        return (StatusCode::INTERNAL_SERVER_ERROR, "metrics could not be encoded").into_response();
    }
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
