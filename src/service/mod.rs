//! Multi-step actions: each takes the store and what it needs, decides with `domain` rules,
//! writes in one transaction and queues the messages that follow (`notify`). Handlers in
//! `web` parse and render; anything that must happen together lives here.

pub mod applicants;
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

use crate::store::StoreError;

/// Why a service action was refused, for actions written against the one error type (the
/// older enums below are being folded into it). `web::error` maps it to HTTP in one place.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing with this id (404), naming what was looked for.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Refused as things stand (409); the words say why.
    #[error("{0}")]
    Conflict(String),
    /// The input was refused (422); each message names a problem.
    #[error("{}", .0.join(" "))]
    Invalid(Vec<String>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why an applicant's action on their application was refused.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// Not theirs, or no such application: the same answer, so ids cannot be probed.
    #[error("application not found")]
    NotFound,
    #[error("{0}")]
    NotAllowed(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}
