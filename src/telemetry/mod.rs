//! Logs and metrics. Logs: readable lines in a terminal, JSON lines with `PRECINCT_LOG_FORMAT=json`.
//! The level comes from `RUST_LOG` (default `info`).

pub mod metrics;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. Call once, from the binary; tests leave logging off
/// unless `TEST_LOG` is set.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,memory_serve=warn"));
    // Logs go to stderr; stdout carries only the start-up banner (address, demo sign-in).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless, so the error is ignored on purpose.
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
    };
}
