//! Multi-step actions: each takes the store and what it needs, decides with `domain` rules,
//! writes in one transaction and queues the messages that follow (`notify`). Handlers in
//! `web` parse and render; anything that must happen together lives here.

pub mod applicants;
pub mod changes;
pub mod classes;
pub mod content;
pub mod dare;
pub mod department;
pub mod engagement;
pub mod field_work;
pub mod graduation;
pub mod holidays;
pub mod nominations;
pub mod outcomes;
pub mod planning;
pub mod programs;
pub mod questions;
pub mod registrar;
pub mod requests;
pub mod review;
pub mod ride_alongs;
pub mod staffing;
pub mod traffic;
pub mod waitlist;

use crate::domain::RuleFailure;
use crate::store::StoreError;

/// Why a service action was refused: the one error every action returns. `web::error` maps
/// it to HTTP in one place (a page, or problem JSON for the API).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing with this id (404), naming what was looked for. Also the answer for
    /// something that exists but is not the caller's, so ids cannot be probed.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Refused as things stand (409). `kind` is the refusal's stable name, which the API
    /// answers as its problem type (`already-applied`, `class-finished`, or `conflict`).
    #[error("{why}")]
    Conflict { kind: &'static str, why: String },
    /// The input breaks rules (422), each failure naming its field. `kind` is `invalid`
    /// when the API resource names the problem itself (`invalid-class`), or a refusal
    /// of its own (`ineligible`, `idempotency-key-reused`).
    #[error("{}", messages(.failures).join(" "))]
    Invalid {
        kind: &'static str,
        failures: Vec<RuleFailure>,
    },
    /// The service is shutting down or cannot take more now (503).
    #[error("the service is unavailable")]
    Unavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The `kind` of input refusals the API resource names itself.
pub const INVALID: &str = "invalid";

impl Error {
    /// A refusal as things stand, with no name of its own.
    pub fn conflict(why: impl Into<String>) -> Self {
        Error::Conflict {
            kind: "conflict",
            why: why.into(),
        }
    }

    /// Input refused for these rule failures.
    pub fn invalid(failures: Vec<RuleFailure>) -> Self {
        Error::Invalid {
            kind: INVALID,
            failures,
        }
    }

    /// Input refused for reasons in plain words, tied to no one field (page forms).
    pub fn invalid_because(messages: Vec<String>) -> Self {
        Error::invalid(
            messages
                .into_iter()
                .map(|m| RuleFailure::new("invalid", "", m))
                .collect(),
        )
    }
}

/// The words of each failure, in order.
pub fn messages(failures: &[RuleFailure]) -> Vec<String> {
    failures.iter().map(|f| f.message.clone()).collect()
}
