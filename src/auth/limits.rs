//! Request budgets per client address: applications, link and reset requests per
//! minute, anonymous Open311 filing per hour.
//!
//! On PostgreSQL, where several instances share the traffic, the counts live in the
//! database so a client's budget is the department's, not each instance's: hits per
//! fixed window, with the previous window's hits weighted by how much of it still lies
//! within one window of now (a sliding-window estimate, so a budget does not refill all
//! at once on the minute). On SQLite (one machine, and the registration
//! rush must not pay a second write per application) they stay in memory.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::store::{Backend, Store, StoreError};

/// The span a budget renews over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Minute,
    Hour,
}

impl Window {
    fn seconds(self) -> i64 {
        match self {
            Window::Minute => 60,
            Window::Hour => 3600,
        }
    }
}

/// One named budget, e.g. "apply": `limit` requests per client per window.
#[derive(Clone)]
pub struct Budget {
    bucket: &'static str,
    limit: NonZeroU32,
    window: Window,
    counts: Counts,
}

#[derive(Clone)]
enum Counts {
    Memory(Arc<DefaultKeyedRateLimiter<IpAddr>>),
    Database(Store),
}

impl Budget {
    /// A budget counted where `store`'s backend calls for (see the module notes).
    pub fn new(bucket: &'static str, limit: NonZeroU32, window: Window, store: &Store) -> Budget {
        let counts = match store.backend() {
            Backend::Postgres => Counts::Database(store.clone()),
            Backend::Sqlite => {
                let quota = match window {
                    Window::Minute => Quota::per_minute(limit),
                    Window::Hour => Quota::per_hour(limit),
                };
                Counts::Memory(Arc::new(RateLimiter::keyed(quota)))
            }
        };
        Budget {
            bucket,
            limit,
            window,
            counts,
        }
    }

    /// Counts a request from `client`; false when it is over budget.
    pub async fn allow(&self, client: IpAddr, now: jiff::Timestamp) -> Result<bool, StoreError> {
        match &self.counts {
            Counts::Memory(limiter) => Ok(limiter.check_key(&client).is_ok()),
            Counts::Database(store) => {
                let client = client.to_string();
                let start = window_start(now, self.window);
                let len = self.window.seconds();
                let current = store.count_hit(self.bucket, &client, start).await?;
                let previous = store.hits(self.bucket, &client, start - len).await?;
                Ok(sliding_estimate(previous, current, now.as_second() - start, len) <= f64::from(self.limit.get()))
            }
        }
    }
}

/// The start (seconds) of the window `now` falls in.
fn window_start(now: jiff::Timestamp, window: Window) -> i64 {
    now.as_second().div_euclid(window.seconds()) * window.seconds()
}

/// Hits within one window of now: the current window's, plus the previous window's in
/// proportion to the part of it still inside the last `len` seconds.
fn sliding_estimate(previous: i64, current: i64, elapsed: i64, len: i64) -> f64 {
    let remaining = (len - elapsed).clamp(0, len) as f64 / len as f64;
    previous as f64 * remaining + current as f64
}

/// Forgets counts no budget looks at any more: windows that ended over an hour ago.
pub async fn prune(store: &Store, now: jiff::Timestamp) -> Result<u64, StoreError> {
    store
        .prune_hits(window_start(now, Window::Hour) - Window::Hour.seconds())
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_start_on_their_boundary() {
        let t = jiff::Timestamp::from_second(3 * 3600 + 61).unwrap();
        assert_eq!(window_start(t, Window::Minute), 3 * 3600 + 60);
        assert_eq!(window_start(t, Window::Hour), 3 * 3600);
    }

    #[test]
    fn the_previous_window_fades_out_as_the_current_one_passes() {
        // Ten hits last minute: all count at the turn, half at 30 s, none at the end.
        assert_eq!(sliding_estimate(10, 1, 0, 60), 11.0);
        assert_eq!(sliding_estimate(10, 1, 30, 60), 6.0);
        assert_eq!(sliding_estimate(10, 1, 60, 60), 1.0);
    }
}
