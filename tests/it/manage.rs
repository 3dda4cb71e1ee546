//! Creating and changing classes through the staff API and the back-office form.

use serde_json::{Value, json};

use crate::applications::spawn;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

pub fn token(app: &TestApp, role: &str) -> String {
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

pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (u16, Value) {
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
        .filter(|e| e.object_id == id.to_string())
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

async fn coordinators_create_a_class_in_the_back_office(backend: Backend) {
    use crate::actors::{COORDINATOR, PRESENTING_OFFICER, get_as, post_as, session};
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let officer = session(&app, PRESENTING_OFFICER).await;
    assert_eq!(get_as(&app, Some(&officer), "/staff/classes/new").await, 403);
    assert!(
        app.page_as(&coordinator, "/staff")
            .await
            .contains("href=\"/staff/classes/new\"")
    );
    let form = |name: &'static str, closes: &'static str, end: &'static str| {
        vec![
            ("program", "citizen-academy"),
            ("name", name),
            ("capacity", "24"),
            ("location_name", "Harbor Point Police Academy"),
            ("location_address", "400 Training Way"),
            ("opens", "2027-01-04T09:00"),
            ("closes", closes),
            ("weekday", "tuesday"),
            ("first_date", "2027-02-23"),
            ("start", "18:30"),
            ("end", end),
            ("sessions", "4"),
            ("skip", "2027-03-09"),
            ("topic", "Academy night"),
            ("place", "Room 2"),
        ]
    };
    // Every problem at once: no name, closing before opening, a session ending before it starts.
    let res = app
        .client
        .post(format!("{}/staff/classes/new", app.address))
        .header(reqwest::header::COOKIE, &coordinator)
        .form(&form("", "2027-01-01T09:00", "17:00"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let text = res.text().await.unwrap();
    assert!(text.contains("Give the class a name"), "{text}");
    assert!(text.contains("Registration must close after it opens"));
    assert!(text.contains("end after it starts"));
    assert!(text.contains("400 Training Way"), "typed values are kept");
    assert_eq!(
        post_as(
            &app,
            Some(&officer),
            "/staff/classes/new",
            &form("Class 40", "2027-02-01T17:00", "21:00")
        )
        .await,
        403
    );
    let res = app
        .client
        .post(format!("{}/staff/classes/new", app.address))
        .header(reqwest::header::COOKIE, &coordinator)
        .form(&form("Class 40", "2027-02-01T17:00", "21:00"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location
        .trim_start_matches("/staff/classes/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let class = app
        .store
        .class(precinct::domain::ClassId::new(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(class.status, precinct::domain::ClassStatus::Draft);
    assert_eq!(class.capacity, 24);
    // Registration closes at 17:00 in the demo's Pacific winter time: 01:00 UTC the next day.
    assert_eq!(
        class.registration_closes_at.unwrap().to_string(),
        "2027-02-02T01:00:00Z"
    );
    let sessions = app.store.sessions(precinct::domain::ClassId::new(id)).await.unwrap();
    let dates: Vec<String> = sessions.iter().map(|s| s.local_date.to_string()).collect();
    assert_eq!(
        dates,
        ["2027-02-23", "2027-03-02", "2027-03-16", "2027-03-23"],
        "March 9 skipped"
    );
    // 18:30 local on both sides of the March 14 change: the UTC hour moves.
    assert_eq!(sessions[1].starts_at.to_string(), "2027-03-03T02:30:00Z");
    assert_eq!(sessions[2].starts_at.to_string(), "2027-03-17T01:30:00Z");
    assert_eq!(sessions[0].topic, "Academy night 1");
    // Details change later on their own page; the window is checked again.
    let edit = format!("/staff/classes/{id}/edit");
    let details = |closes: &'static str| {
        vec![
            ("name", "Class 41"),
            ("location_name", "Harbor Point Police Academy"),
            ("location_address", "400 Training Way"),
            ("opens", "2027-01-04T09:00"),
            ("closes", closes),
        ]
    };
    assert_eq!(
        post_as(&app, Some(&officer), &edit, &details("2027-02-01T17:00")).await,
        403
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &edit, &details("2026-12-01T17:00")).await,
        422
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &edit, &details("2027-02-08T17:00")).await,
        303
    );
    let class = app
        .store
        .class(precinct::domain::ClassId::new(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(class.name, "Class 41");
    assert_eq!(
        class.registration_closes_at.unwrap().to_string(),
        "2027-02-09T01:00:00Z"
    );
    assert!(
        app.page_as(&coordinator, &edit)
            .await
            .contains("value=\"2027-02-08T17:00\"")
    );
    // The original name again is refused with a message, not a 500.
    let res = app
        .client
        .post(format!("{}/staff/classes/new", app.address))
        .header(reqwest::header::COOKIE, &coordinator)
        .form(&form("Class 41", "2027-02-01T17:00", "21:00"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("already has a class with that name"));
}

on_both_backends!(
    coordinators_create_classes_with_sessions_across_dst,
    bad_class_requests_name_every_problem,
    coordinators_create_a_class_in_the_back_office,
);
