//! Multi-step actions: each takes the store and what it needs, decides with `domain` rules,
//! writes in one transaction and queues the messages that follow (`notify`). Handlers in
//! `web` parse and render; anything that must happen together lives here.

pub mod applicants;
pub mod classes;
pub mod dare;
pub mod engagement;
pub mod graduation;
pub mod holidays;
pub mod nominations;
pub mod outcomes;
pub mod planning;
pub mod questions;
pub mod registrar;
pub mod requests;
pub mod review;
pub mod ride_alongs;
pub mod staffing;
pub mod waitlist;

use crate::store::StoreError;

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
