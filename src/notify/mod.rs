//! Outgoing messages: what they say (`messages`) and how queued ones leave the outbox
//! (`delivery`). Messages are written to the outbox in the same transaction as the
//! change that causes them, so a crash can neither lose nor invent one.

pub mod delivery;
pub mod messages;
pub mod resend;
pub mod scheduled;

/// Where links in emails point.
#[derive(Debug, Clone)]
pub struct Links {
    /// e.g. `https://programs.example.org`, without a trailing slash.
    pub base_url: String,
}
