//! Multi-step actions: each takes the store and what it needs, decides with `domain` rules,
//! writes in one transaction and queues the messages that follow (`notify`). Handlers in
//! `web` parse and render; anything that must happen together lives here.

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
pub mod staffing;
