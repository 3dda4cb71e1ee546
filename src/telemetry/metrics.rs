//! The instance's counters and histograms (Prometheus), filled by the HTTP middleware,
//! the background jobs and, at scrape time, the database. `web::metrics` serves them.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

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
    outbox_delivered: Counter,
    /// The family's two series, made once: a hit is counted without a label lookup.
    page_cache_hits: Counter,
    page_cache_misses: Counter,
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
        let outbox_delivered = Counter::default();
        let page_cache = Family::<ResultLabels, Counter>::default();
        // One statement each: the family's read guard lives to the end of its statement,
        // and the second series needs the write lock.
        let page_cache_hits = page_cache.get_or_create(&ResultLabels { result: "hit".into() }).clone();
        let page_cache_misses = page_cache
            .get_or_create(&ResultLabels { result: "miss".into() })
            .clone();
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
        registry.register(
            "applications",
            "Applications in classes still running: holding a seat, or waitlisted",
            applications.clone(),
        );
        registry.register(
            "outbox_messages",
            "Outbox messages waiting (pending) or given up on (failed)",
            outbox.clone(),
        );
        registry.register(
            "outbox_delivered",
            "Messages this instance delivered",
            outbox_delivered.clone(),
        );
        registry.register(
            "page_cache_answers",
            "Public pages answered from memory (hit) or rendered and kept (miss); hits do not reach http_requests",
            page_cache.clone(),
        );
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
            outbox_delivered,
            page_cache_hits,
            page_cache_misses,
        }
    }
}

impl Metrics {
    /// Counts one answered request by its route template, and how long it took.
    pub fn request(&self, method: String, route: String, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.clone(),
                route: route.clone(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { method, route })
            .observe(seconds);
    }

    /// Sets the number of outbox messages in `status`.
    pub fn outbox(&self, status: &str, n: i64) {
        self.outbox
            .get_or_create(&StatusLabels { status: status.into() })
            .set(n);
    }

    /// Sets the age of the oldest message waiting to be sent.
    pub fn outbox_oldest_seconds(&self, seconds: f64) {
        self.outbox_oldest_seconds.set(seconds);
    }

    /// Sets the number of applications in `status` (`holding_seat`, `waitlisted`).
    pub fn applications(&self, status: &str, n: i64) {
        self.applications
            .get_or_create(&StatusLabels { status: status.into() })
            .set(n);
    }

    /// Counts messages this instance delivered.
    pub fn delivered(&self, n: usize) {
        self.outbox_delivered.inc_by(n as u64);
    }

    /// Counts one page the cache answered from memory (`hit`) or rendered and kept.
    pub fn page_cache(&self, hit: bool) {
        if hit {
            &self.page_cache_hits
        } else {
            &self.page_cache_misses
        }
        .inc();
    }

    /// Every metric in the OpenMetrics text format.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut body = String::new();
        prometheus_client::encoding::text::encode(&mut body, &self.registry)?;
        Ok(body)
    }

    /// Counts one round of the background jobs.
    pub fn job_run(&self, ok: bool) {
        self.job_runs
            .get_or_create(&ResultLabels {
                result: if ok { "ok" } else { "error" }.into(),
            })
            .inc();
    }
}
