//! Precinct: the software a police department runs its community-policing programs on.
//!
//! The binary (`src/main.rs`) only parses arguments; everything else lives here so the
//! integration tests drive exactly the code the service runs. See
//! `docs/ARCHITECTURE.md` for the map.

pub mod app;
pub mod auth;
pub mod config;
pub mod demo;
pub mod documents;
pub mod domain;
pub mod format;
pub mod jobs;
pub mod notify;
pub mod service;
pub mod store;
pub mod telemetry;
pub mod web;
