//! Creating and changing classes through the staff API.

use serde_json::{Value, json};

use crate::applications::spawn;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

fn token(app: &TestApp, role: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_precinct"))
        .args([
            "token",
            "create",
            "--role",
            role,
            "--name",
            &format!("{role}-manage"),
            "--database-url",
        ])
        .arg(app.state.config.database_url())
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut req = app.client.request(method, format!("{}{path}", app.address)).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn coordinators_create_classes_with_sessions_across_dst(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = token(&app, "coordinator");
    let body = json!({
        "program": "citizen-academy",
        "name": "Class 34",
        "capacity": 24,
        "location_name": "Community Room",
        "pattern": {"weekday": "tuesday", "first_date": "2027-10-19", "start": "18:00", "end": "21:00",
                    "sessions": 4, "skip": ["2027-10-26"], "topic": "Week"}
    });
    let (status, class) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/classes",
        Some(&coordinator),
        &body,
    )
    .await;
    assert_eq!(status, 201, "{class}");
    assert_eq!(class["status"], "draft");
    let starts: Vec<&str> = class["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap())
        .collect();
    // The 26th is skipped; US clocks fall back on 7 November 2027: 18:00 stays 18:00.
    assert_eq!(
        starts,
        [
            "2027-10-19T18:00:00-07:00",
            "2027-11-02T18:00:00-07:00",
            "2027-11-09T18:00:00-08:00",
            "2027-11-16T18:00:00-08:00"
        ]
    );
    let id = class["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/classes/{id}")).await.status().as_u16(),
        404,
        "drafts stay private"
    );

    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/classes",
        Some(&coordinator),
        &body,
    )
    .await;
    assert_eq!(status, 409, "one Class 34 per program");

    let (status, more) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/classes/{id}/sessions"),
        Some(&coordinator),
        &json!({"weekday": "tuesday", "first_date": "2027-11-23", "start": "18:00", "end": "21:00", "sessions": 2}),
    )
    .await;
    assert_eq!(status, 201);
    let positions: Vec<i64> = more["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [1, 2, 3, 4, 5, 6]);

    let (status, patched) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/classes/{id}"),
        Some(&coordinator),
        &json!({"capacity": 26, "status": "announced", "location_name": "Training Center"}),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["capacity"], 26);
    assert_eq!(patched["status"], "announced");
    assert_eq!(patched["location_name"], "Training Center");
    assert_eq!(
        app.get(&format!("/api/v1/classes/{id}")).await.status().as_u16(),
        200,
        "announced classes are public"
    );
    let actions: Vec<String> = app
        .store
        .audit_entries(Some("class"), 20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "class.status",
            "class.capacity",
            "class.update",
            "class.sessions.add",
            "class.create"
        ]
    );

    let (status, _) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/classes/{id}"),
        Some(&coordinator),
        &json!({"status": "completed"}),
    )
    .await;
    assert_eq!(status, 409, "an announced class cannot jump to completed");
}

async fn bad_class_requests_name_every_problem(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = token(&app, "coordinator");
    let (status, problem) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/classes",
        Some(&coordinator),
        &json!({"program": "nope", "name": "", "capacity": -1,
                "registration_opens_at": "tomorrow",
                "pattern": {"weekday": "funday", "first_date": "2027-02-30", "start": "21:00", "end": "18:00", "sessions": 3}}),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "program",
        "name",
        "capacity",
        "registration_opens_at",
        "pattern.weekday",
        "pattern.first_date",
    ] {
        assert!(fields.contains(&f), "{f} reported: {fields:?}");
    }
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/classes",
        Some(&coordinator),
        &json!({"surprise": 1}),
    )
    .await;
    assert_eq!(status, 422);
    let officer = token(&app, "officer");
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/classes",
        Some(&officer),
        &json!({}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = send(&app, reqwest::Method::POST, "/api/v1/classes", None, &json!({})).await;
    assert_eq!(status, 401);
    let (status, _) = send(
        &app,
        reqwest::Method::PATCH,
        "/api/v1/classes/424242",
        Some(&coordinator),
        &json!({}),
    )
    .await;
    assert_eq!(status, 404);
}

on_both_backends!(
    coordinators_create_classes_with_sessions_across_dst,
    bad_class_requests_name_every_problem
);
