//! Integration tests: the real service over real HTTP, on SQLite and PostgreSQL.

mod helpers;

mod activity;
mod api;
mod applications;
mod attendance;
mod attendance_api;
mod backup;
mod binary;
mod calendar;
mod content;
mod crash;
mod demo;
mod duties;
mod engagement;
mod fuzz;
mod health;
mod limits;
mod mail;
mod manage;
mod metrics;
mod open311;
mod outcomes;
mod public_pages;
mod reminders;
mod requests;
mod ride_along;
mod scale;
mod schema;
mod security;
mod self_service;
mod smtp_sink;
mod staff;
mod teen;
mod traffic;
mod waitlist_props;
