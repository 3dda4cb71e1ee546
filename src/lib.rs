//! Precinct: the software a police department runs its community-policing programs on.
//!
//! The binary (`src/main.rs`) only parses arguments; everything else lives here so the
//! integration tests drive exactly the code the service runs. See
//! `docs/ARCHITECTURE.md` for the map.

pub mod app;
pub mod atom;
pub mod calendar;
pub mod certificate;
pub mod config;
pub mod dare;
pub mod demo;
pub mod domain;
pub mod engagement;
pub mod error;
pub mod graduation;
pub mod holidays;
pub mod jobs;
pub mod limits;
pub mod notify;
pub mod outcomes;
pub mod photo;
pub mod planning;
pub mod questions;
pub mod registrar;
pub mod report_pdf;
pub mod requests;
pub mod staffing;
pub mod store;
pub mod teen;
pub mod telemetry;
pub mod tokens;
pub mod two_factor;
pub mod web;
