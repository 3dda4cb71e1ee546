use jiff::Timestamp;
use precinct::domain::ClassStatus;
use precinct::store::seed::NewClass;

use crate::helpers::{Backend, spawn_demo, spawn_empty};
use crate::on_both_backends;

async fn home_shows_the_department_programs_and_open_registration(backend: Backend) {
    let app = spawn_demo(backend).await;
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("Harbor Point Police Department"));
    assert!(html.contains("Registration open now"));
    assert!(html.contains("Citizen Police Academy: Class 33"));
    for program in [
        "Citizen Police Academy",
        "Teen Police Academy",
        "DARE in Harbor Point Schools",
        "School and College Resource Officers",
    ] {
        assert!(html.contains(program), "home lists {program}");
    }
    assert!(html.contains(r##"href="#main-content""##), "skip link");
    assert!(html.contains(r#"<main id="main-content""#));
}

async fn program_page_explains_who_may_join_and_lists_classes(backend: Backend) {
    let app = spawn_demo(backend).await;
    let (status, html) = app.get_text("/programs/citizen-academy").await;
    assert_eq!(status, 200);
    assert!(html.contains("You must be 18 or older on the first day of class."));
    assert!(html.contains("background check"));
    assert!(html.contains("Class 33"), "upcoming class");
    assert!(html.contains("Class 32"), "past class");
    assert!(html.contains("27 graduates"));
    // 31 classes and 742 graduates from before Precinct, plus the completed demo class.
    assert!(
        html.contains("<strong>32</strong> classes graduated, <strong>769</strong> graduates"),
        "{html}"
    );
    // Markdown body is rendered, not escaped.
    assert!(html.contains("<h2>What you will do</h2>"));
}

async fn teen_program_names_grades_and_nomination(backend: Backend) {
    let app = spawn_demo(backend).await;
    let (_, html) = app.get_text("/programs/teen-academy").await;
    assert!(html.contains("For students in 11th or 12th grade."));
    assert!(html.contains("nominated by their school counselor"));
}

async fn class_page_shows_the_schedule_with_units_and_seats(backend: Backend) {
    let app = spawn_demo(backend).await;
    let id = app.class_id("Class 33").await;
    let (status, html) = app.get_text(&format!("/classes/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("18 of 30 seats left"),
        "12 of 30 seats are taken in the demo"
    );
    assert!(html.contains("Open until"));
    assert_eq!(html.matches(r##"<td data-label="#">"##).count(), 12, "twelve sessions");
    assert!(html.contains("6:00–9:00 PM"));
    assert!(html.contains("K-9 (Officer Diego Ferreira)"), "unit and public officer");
    assert!(
        html.contains("SWAT and Crisis Negotiation"),
        "unit without a public officer"
    );
    assert!(
        !html.contains("Sofia Lindqvist"),
        "officers without a public profile stay unnamed"
    );
    assert!(html.contains("America/Los_Angeles"));
}

async fn teen_cohort_meets_thursday_evenings_for_twelve_sessions(backend: Backend) {
    let app = spawn_demo(backend).await;
    let list = app.get_json("/api/v1/classes?program=teen-academy").await;
    let id = list["classes"][0]["id"].as_i64().unwrap();
    let class = app.get_json(&format!("/api/v1/classes/{id}")).await;
    let sessions = class["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 12);
    for s in sessions {
        let start: jiff::Zoned = s["starts_at"]
            .as_str()
            .unwrap()
            .parse::<Timestamp>()
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap());
        assert_eq!(start.weekday(), jiff::civil::Weekday::Thursday);
        assert_eq!(
            (start.hour(), start.minute()),
            (18, 0),
            "18:00 local on both sides of DST"
        );
    }
}

async fn missing_things_get_a_clear_branded_404(backend: Backend) {
    let app = spawn_demo(backend).await;
    for (path, words) in [
        ("/programs/no-such-program", "We could not find that program."),
        ("/classes/999999", "We could not find that class."),
        ("/classes/not-a-number", "We could not find that class."),
        ("/classes/99999999999999999999999", "We could not find that class."),
        ("/no/such/page", "We could not find that page."),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), 404, "{path}");
        assert!(
            res.headers()["content-type"].to_str().unwrap().starts_with("text/html"),
            "{path}"
        );
        let html = res.text().await.unwrap();
        assert!(html.contains(words), "{path}: {html}");
        assert!(
            html.contains("Harbor Point Police Department"),
            "404 keeps the department's layout"
        );
    }
}

async fn draft_classes_stay_hidden_from_residents(backend: Backend) {
    let app = spawn_demo(backend).await;
    let program_id = app
        .store
        .published_program("citizen-academy")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut tx = app.store.begin().await.unwrap();
    let draft = tx
        .insert_class(
            &NewClass {
                program_id,
                name: "Class 34",
                capacity: 30,
                status: ClassStatus::Draft,
                registration_opens_at: None,
                registration_closes_at: None,
                location_name: "",
                location_address: "",
                graduates: None,
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.get(&format!("/classes/{draft}")).await.status().as_u16(), 404);
    assert_eq!(
        app.get(&format!("/api/v1/classes/{draft}")).await.status().as_u16(),
        404
    );
    let (_, html) = app.get_text("/programs/citizen-academy").await;
    assert!(!html.contains("Class 34"));
}

async fn an_empty_install_still_renders(backend: Backend) {
    let app = spawn_empty(backend).await;
    for path in ["/", "/programs", "/about"] {
        let (status, _) = app.get_text(path).await;
        assert_eq!(status, 200, "{path} before any department is set up");
    }
}

async fn about_page_explains_community_policing(backend: Backend) {
    let app = spawn_demo(backend).await;
    let (status, html) = app.get_text("/about").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("What is community policing?"),
        "the demo department's own page replaces the default"
    );
    assert!(html.contains(r#"aria-current="page""#));
}

async fn assets_are_served_with_caching(backend: Backend) {
    let app = spawn_empty(backend).await;
    let res = app.get("/assets/uswds/css/uswds.min.css").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers().contains_key("etag"));
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let res = app.get("/assets/css/precinct.css").await;
    assert_eq!(res.status().as_u16(), 200);
}

on_both_backends!(
    home_shows_the_department_programs_and_open_registration,
    program_page_explains_who_may_join_and_lists_classes,
    teen_program_names_grades_and_nomination,
    class_page_shows_the_schedule_with_units_and_seats,
    teen_cohort_meets_thursday_evenings_for_twelve_sessions,
    missing_things_get_a_clear_branded_404,
    draft_classes_stay_hidden_from_residents,
    an_empty_install_still_renders,
    about_page_explains_community_policing,
    assets_are_served_with_caching,
);
