use crate::helpers::{Backend, spawn_demo};
use crate::on_both_backends;

async fn programs_are_listed_in_the_departments_order(backend: Backend) {
    let app = spawn_demo(backend).await;
    let body = app.get_json("/api/v1/programs").await;
    let slugs: Vec<&str> = body["programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        [
            "citizen-academy",
            "teen-academy",
            "dare",
            "resource-officers",
            "neighborhood-watch",
            "traffic-safety"
        ]
    );
    assert_eq!(body["programs"][0]["kind"], "citizen_academy");
    assert_eq!(body["programs"][0]["url"], "/programs/citizen-academy");
}

async fn a_program_carries_its_rules_totals_and_classes(backend: Backend) {
    let app = spawn_demo(backend).await;
    let p = app.get_json("/api/v1/programs/citizen-academy").await;
    assert_eq!(p["eligibility"]["min_age"], 18);
    assert_eq!(p["eligibility"]["background_check"], true);
    assert_eq!(p["allocation"], "first_come");
    assert_eq!(p["classes_graduated"], 32);
    assert_eq!(p["graduates"], 769);
    assert_eq!(
        p["eligibility_text"][0],
        "You must be 18 or older on the first day of class."
    );
    let names: Vec<&str> = p["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Class 32", "Weekend Class 4", "Class 33"]);
}

async fn classes_filter_by_program(backend: Backend) {
    let app = spawn_demo(backend).await;
    let all = app.get_json("/api/v1/classes").await;
    assert_eq!(all["classes"].as_array().unwrap().len(), 5);
    let teen = app.get_json("/api/v1/classes?program=teen-academy").await;
    let teen = teen["classes"].as_array().unwrap();
    assert_eq!(teen.len(), 2, "this semester's cohort and the next, announced");
    assert_eq!(teen[0]["program"], "teen-academy");
    let dare = app.get_json("/api/v1/classes?program=dare").await;
    assert_eq!(dare["classes"].as_array().unwrap().len(), 0);
}

async fn the_open_class_reports_seats_and_window(backend: Backend) {
    let app = spawn_demo(backend).await;
    let id = app.class_id("Class 33").await;
    let c = app.get_json(&format!("/api/v1/classes/{id}")).await;
    assert_eq!(c["status"], "open");
    assert_eq!(c["capacity"], 30);
    assert_eq!(c["seats_left"], 18);
    assert_eq!(c["registration_open"], true);
    assert_eq!(c["time_zone"], "America/Los_Angeles");
    let sessions = c["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 12);
    let first = &sessions[0];
    assert!(first["starts_at"].as_str().unwrap().contains("T18:00:00-0"), "{first}");
    assert!(first["ends_at"].as_str().unwrap().contains("T21:00:00-0"), "{first}");
    assert_eq!(first["position"], 1);
    assert!(!first["presenters"].as_array().unwrap().is_empty());
    // Sessions are in chronological order.
    let starts: Vec<jiff::Timestamp> = sessions
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]));
}

async fn unknown_resources_are_problem_json(backend: Backend) {
    let app = spawn_demo(backend).await;
    for path in [
        "/api/v1/programs/nope",
        "/api/v1/classes/424242",
        "/api/v1/classes/abc",
        "/api/v1/classes?program=nope",
        "/api/v1/nothing-here",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), 404, "{path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json", "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["type"], "/problems/not-found", "{path}");
        assert_eq!(body["status"], 404);
        assert!(!body["detail"].as_str().unwrap().is_empty());
    }
}

async fn malformed_query_is_a_400_problem(backend: Backend) {
    let app = spawn_demo(backend).await;
    let res = app.get("/api/v1/classes?program=a&program=b").await;
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

async fn openapi_describes_every_route(backend: Backend) {
    let app = spawn_demo(backend).await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/programs",
        "/api/v1/programs/{slug}",
        "/api/v1/classes",
        "/api/v1/classes/{id}",
        "/api/v1/classes/{id}/registrations",
        "/api/v1/holidays",
        "/api/v1/classes/{id}/copy",
        "/api/v1/holidays/{date}",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "openapi lists {p}");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

async fn program_statistics_count_history_and_years(backend: Backend) {
    let app = spawn_demo(backend).await;
    let stats = app.get_json("/api/v1/programs/citizen-academy/statistics").await;
    assert_eq!(stats["classes_graduated"], 32);
    assert_eq!(stats["graduates"], 769);
    let years = stats["years"].as_array().unwrap();
    let completed: i64 = years.iter().map(|y| y["classes_completed"].as_i64().unwrap()).sum();
    let graduates: i64 = years.iter().map(|y| y["graduates"].as_i64().unwrap()).sum();
    assert_eq!((completed, graduates), (1, 27), "the demo's completed class");
    let applications: i64 = years.iter().map(|y| y["applications"].as_i64().unwrap()).sum();
    assert_eq!(applications, 30 + 12 + 12);
    assert_eq!(app.get("/api/v1/programs/nope/statistics").await.status().as_u16(), 404);
}

on_both_backends!(
    programs_are_listed_in_the_departments_order,
    a_program_carries_its_rules_totals_and_classes,
    classes_filter_by_program,
    the_open_class_reports_seats_and_window,
    unknown_resources_are_problem_json,
    malformed_query_is_a_400_problem,
    openapi_describes_every_route,
    program_statistics_count_history_and_years,
);
