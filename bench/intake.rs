//! Intake mode: a rush of unique applications to one class's JSON API.
//!
//! By default the load comes from wrk driven by `intake.lua` for a fixed time, as the
//! issue that set the goals measured it: a C program that spends little of the two cores
//! the server also needs. `--client in-process` keeps the older tokio client, which sends
//! an exact number of applications and times each one itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::pages;

/// What a rush produced, as the load generator saw it.
pub struct Run {
    pub elapsed: Duration,
    /// Answered 201 Created.
    pub created: u64,
    /// Any other answer, or no answer (socket errors).
    pub refused: u64,
    /// Created with a seat (`"status":"confirmed"`).
    pub confirmed: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

const SCRIPT: &str = include_str!("intake.lua");

/// Runs wrk with `intake.lua` against `url` for `seconds`. Applications still in flight
/// when wrk stops may be stored without their answer being counted.
pub fn with_wrk(url: &str, seconds: u64, concurrency: usize, dir: &std::path::Path) -> Run {
    let script = dir.join("intake.lua");
    std::fs::write(&script, SCRIPT).expect("write the wrk script");
    let text = pages::wrk_output(url, concurrency, seconds, Some(&script));
    read_wrk(&text).unwrap_or_else(|| panic!("wrk gave no intake summary:\n{text}"))
}

fn read_wrk(text: &str) -> Option<Run> {
    let load = pages::parse_wrk(text);
    let line = text.lines().find(|l| l.starts_with("intake created "))?;
    // "intake created C refused R confirmed K"
    let numbers: Vec<u64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    let [created, refused, confirmed] = numbers[..] else {
        return None;
    };
    Some(Run {
        elapsed: Duration::from_secs_f64(load.seconds),
        created,
        // wrk's failures are the non-2xx answers (counted by the script too) plus socket
        // errors, requests that got no answer at all.
        refused: refused.max(load.failures),
        confirmed,
        p50_ms: load.p50_ms,
        p90_ms: load.p90_ms,
        p99_ms: load.p99_ms,
        max_ms: load.max_ms,
    })
}

/// Sends exactly `applications` applications from `concurrency` tasks in this process.
pub async fn in_process(client: &reqwest::Client, url: &str, applications: usize, concurrency: usize) -> Run {
    let url = Arc::new(url.to_string());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, url, next) = (client.clone(), url.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= applications {
                    break;
                }
                let t = Instant::now();
                let outcome = match client.post(url.as_str()).json(&applicant(n)).send().await {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        (status, body["status"] == "confirmed")
                    }
                    Err(_) => (0, false),
                };
                out.push((t.elapsed(), outcome));
            }
            out
        }));
    }
    let mut results = Vec::new();
    for w in workers {
        results.extend(w.await.expect("a load task"));
    }
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = results.iter().map(|(d, _)| *d).collect();
    latencies.sort_unstable();
    let created = results.iter().filter(|(_, (s, _))| *s == 201).count() as u64;
    let ms = |p| percentile(&latencies, p).as_secs_f64() * 1e3;
    Run {
        elapsed,
        created,
        refused: results.len() as u64 - created,
        confirmed: results.iter().filter(|(_, (_, c))| *c).count() as u64,
        p50_ms: ms(0.50),
        p90_ms: ms(0.90),
        p99_ms: ms(0.99),
        max_ms: ms(1.0),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// The same applicant `intake.lua` sends, numbered `n`.
pub fn applicant(n: usize) -> Value {
    json!({
        "first_name": format!("Bench{n}"),
        "last_name": "Applicant",
        "email": format!("bench{n}@load.example"),
        "phone": "(555) 010-0000",
        "date_of_birth": "1980-01-01",
        "city": "Harbor Point",
        "affiliation": {"kind": "resides"},
        "emergency_contact": {"name": "Kin", "phone": "555 010 0001"},
        "waiver_accepted": true
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_intake_output() {
        let text = "Running 10s test @ http://127.0.0.1:1/api/v1/classes/2/registrations\n\
                    \x20   Latency    10.12ms    4.01ms  61.20ms   80.00%\n\
                    \x20 Latency Distribution\n     50%    9.80ms\n     75%   12.00ms\n\
                    \x20    90%   15.50ms\n     99%   24.10ms\n\
                    \x20 98123 requests in 10.00s, 20.1MB read\n\
                    \x20 Socket errors: connect 0, read 0, write 0, timeout 3\n\
                    Requests/sec:   9812.30\n\
                    intake created 98120 refused 0 confirmed 30\n";
        let run = read_wrk(text).expect("a summary");
        assert_eq!(run.created, 98120);
        assert_eq!(run.confirmed, 30);
        assert_eq!(run.refused, 3, "timeouts count as refused");
        assert_eq!(run.elapsed, Duration::from_secs(10));
        assert!((run.p90_ms - 15.5).abs() < 1e-9);
        assert!((run.p99_ms - 24.1).abs() < 1e-9);
        assert!((run.max_ms - 61.2).abs() < 1e-9);
        assert!(read_wrk("Requests/sec: 1\n").is_none());
    }
}
