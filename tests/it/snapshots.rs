//! Key pages of a department that has just gone live (an empty database, no demo),
//! snapshotted: a change to what residents and staff see shows up in review as a diff
//! (`cargo insta review` accepts it). Both backends must render the same bytes.

use crate::helpers::{Backend, TestApp, spawn_empty};
use crate::on_both_backends;

/// The page at `path` with what differs between runs (the port) replaced.
async fn page(app: &TestApp, path: &str) -> String {
    let (status, body) = app.get_text(path).await;
    assert_eq!(status, 200, "{path}");
    body.replace(&app.address, "http://SERVICE")
}

async fn key_pages_of_a_new_department(backend: Backend) {
    let app = spawn_empty(backend).await;
    for (name, path) in [
        ("home", "/"),
        ("programs", "/programs"),
        ("find_my_applications", "/my"),
        ("accessibility", "/accessibility"),
        ("staff_sign_in", "/staff/sign-in"),
    ] {
        insta::assert_snapshot!(name, page(&app, path).await);
    }
}

on_both_backends!(key_pages_of_a_new_department);
