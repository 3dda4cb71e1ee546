//! The state every handler can reach, built once by `crate::app`.

use std::sync::Arc;

use crate::config::Config;
use crate::notify::Links;
use crate::service::registrar::Registrar;
use crate::store::Store;

/// What every handler can reach. One shared allocation: axum clones the state (and every
/// layer holding it) for each request, so a clone must be a reference count, not a copy of
/// each field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The fields of [`AppState`].
pub struct Shared {
    pub store: Store,
    pub config: Arc<Config>,
    /// The batching writer that files applications.
    pub registrar: Registrar,
    /// Where links in emails point.
    pub links: Links,
    /// How the outbox leaves: SMTP or `.eml` files.
    pub mailer: crate::notify::delivery::Mailer,
    /// Per-address budget of applications and link requests; `None` when turned off.
    pub request_budget: Option<crate::auth::limits::Budget>,
    /// Budget of Open311 requests filed without a key, per client address; `None` when a
    /// key is required.
    pub open311_budget: Option<crate::auth::limits::Budget>,
    /// Counters and histograms served at `/metrics`.
    pub metrics: Arc<crate::telemetry::metrics::Metrics>,
    /// Key of survey pair codes (`crate::service::outcomes::pair_code`).
    pub survey_key: Arc<[u8; 32]>,
    /// Public pages kept in memory until a write changes them (`super::page_cache`).
    pub pages: super::page_cache::PageCache,
    /// The questions of each class's program as intake reads them, kept until an edit.
    pub questions: crate::service::changes::Memo<crate::domain::ClassId, Arc<Vec<crate::domain::questions::Question>>>,
}
