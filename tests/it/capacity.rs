//! A class's capacity never drops below the seats it holds, and a completed or cancelled
//! class keeps its capacity: through the staff API, the back-office form, and while
//! registrations race a cut.

use precinct::domain::{ApplicationStatus, ClassId};
use serde_json::json;

use crate::actors::{COORDINATOR, post_page, session};
use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, TestApp};
use crate::manage::{send, token};
use crate::on_both_backends;

/// Seats held and capacity, read from the database (not from an answer).
async fn held_and_capacity(app: &TestApp, class: ClassId) -> (i64, i64) {
    let held = app
        .store
        .status_counts(class)
        .await
        .unwrap()
        .into_iter()
        .filter(|(s, _)| ApplicationStatus::parse(s).is_some_and(|s| s.holds_seat()))
        .map(|(_, n)| n)
        .sum();
    let capacity = app.store.class(class).await.unwrap().unwrap().capacity;
    (held, capacity)
}

async fn patch(
    app: &TestApp,
    token: &str,
    class: impl std::fmt::Display,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    send(
        app,
        reqwest::Method::PATCH,
        &format!("/api/v1/classes/{class}"),
        Some(token),
        &body,
    )
    .await
}

async fn the_api_refuses_a_capacity_below_the_seats_held(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = token(&app, "coordinator");
    let open = app.class_id("Class 33").await;
    assert_eq!(held_and_capacity(&app, ClassId::new(open)).await, (12, 30));

    let res = app
        .client
        .patch(format!("{}/api/v1/classes/{open}", app.address))
        .bearer_auth(&coordinator)
        .json(&json!({"capacity": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 409);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/capacity-below-seats-held");
    assert_eq!(problem["detail"], "12 seats are taken; capacity cannot go below 12.");

    // Refused with other changes: nothing of the request is kept.
    let (status, problem) = patch(
        &app,
        &coordinator,
        open,
        json!({"capacity": 11, "name": "Class 33 (moved)"}),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    let class = app.get_json(&format!("/api/v1/classes/{open}")).await;
    assert_eq!(
        (class["capacity"].as_i64(), class["name"].as_str()),
        (Some(30), Some("Class 33"))
    );

    // Out of range is a field problem.
    for bad in [-1, 10_001] {
        let (status, problem) = patch(&app, &coordinator, open, json!({"capacity": bad})).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "capacity");
    }

    // Exactly the seats held is allowed.
    let (status, class) = patch(&app, &coordinator, open, json!({"capacity": 12})).await;
    assert_eq!(status, 200, "{class}");
    assert_eq!(class["capacity"], 12);
    assert_eq!(held_and_capacity(&app, ClassId::new(open)).await, (12, 12));

    // A completed class keeps its capacity, downwards and upwards; the same value is no change.
    let completed = app.class_id("Class 32").await;
    assert_eq!(held_and_capacity(&app, ClassId::new(completed)).await, (30, 30));
    for to in [0, 29, 31] {
        let (status, problem) = patch(&app, &coordinator, completed, json!({"capacity": to})).await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["type"], "/problems/class-finished");
        assert_eq!(
            problem["detail"],
            "The class is completed; its capacity can no longer change."
        );
    }
    let (status, _) = patch(&app, &coordinator, completed, json!({"capacity": 30})).await;
    assert_eq!(status, 200);
    assert_eq!(held_and_capacity(&app, ClassId::new(completed)).await, (30, 30));
    let capacity_changes = app
        .store
        .audit_entries(Some("class"), 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "class.capacity")
        .count();
    assert_eq!(capacity_changes, 1, "only the accepted change is audited");
}

async fn seats_under_review_and_on_offer_count_as_held(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = token(&app, "coordinator");

    // Offers hold their seats: two confirmed, one waitlisted, then a raise offers a seat.
    let class = open_class(
        &app,
        ClassSpec {
            capacity: 2,
            ..Default::default()
        },
    )
    .await;
    for n in 0..3 {
        let (status, body) = apply(&app, class, &applicant(n), None).await;
        assert!(status == 201 || status == 200, "{status} {body}");
    }
    let (status, body) = patch(&app, &coordinator, class, json!({"capacity": 3})).await;
    assert_eq!(status, 200, "{body}");
    let statuses = app.store.status_counts(class).await.unwrap();
    assert!(
        statuses.contains(&("offered".to_string(), 1)),
        "the raise offered the freed seat: {statuses:?}"
    );
    let (status, problem) = patch(&app, &coordinator, class, json!({"capacity": 2})).await;
    assert_eq!(status, 409);
    assert_eq!(problem["detail"], "3 seats are taken; capacity cannot go below 3.");

    // Applications under review hold their seats.
    let reviewed = open_class(
        &app,
        ClassSpec {
            capacity: 5,
            review: true,
            ..Default::default()
        },
    )
    .await;
    for n in 10..12 {
        let (status, body) = apply(&app, reviewed, &applicant(n), None).await;
        assert!(status == 201 || status == 200, "{status} {body}");
    }
    assert_eq!(
        app.store.status_counts(reviewed).await.unwrap(),
        [("pending_review".to_string(), 2)]
    );
    let (status, problem) = patch(&app, &coordinator, reviewed, json!({"capacity": 1})).await;
    assert_eq!(status, 409);
    assert_eq!(problem["detail"], "2 seats are taken; capacity cannot go below 2.");
    assert_eq!(held_and_capacity(&app, reviewed).await, (2, 5));
}

async fn the_capacity_form_shows_why_it_refuses(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let open = app.class_id("Class 33").await;
    let path = format!("/staff/classes/{open}/capacity");

    let (status, _, page) = post_page(&app, &coordinator, &path, &[("capacity", "0")]).await;
    assert_eq!(status, 409);
    assert!(
        page.contains("12 seats are taken; capacity cannot go below 12."),
        "{page}"
    );
    assert!(
        page.contains("usa-error-message") && page.contains("Change capacity"),
        "the class page, with the form"
    );
    assert_eq!(held_and_capacity(&app, ClassId::new(open)).await, (12, 30));

    let (status, _, page) = post_page(&app, &coordinator, &path, &[("capacity", "10001")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Capacity must be between 0 and 10,000."));

    let (status, location, _) = post_page(&app, &coordinator, &path, &[("capacity", "12")]).await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(format!("/staff/classes/{open}?done=capacity").as_str())
    );
    assert_eq!(held_and_capacity(&app, ClassId::new(open)).await, (12, 12));

    // A completed class shows no capacity form and refuses a forged post.
    let completed = app.class_id("Class 32").await;
    let page = app.page_as(&coordinator, &format!("/staff/classes/{completed}")).await;
    assert!(page.contains("its capacity of 30 no longer changes"), "{page}");
    assert!(!page.contains("Change capacity"));
    let (status, _, page) = post_page(
        &app,
        &coordinator,
        &format!("/staff/classes/{completed}/capacity"),
        &[("capacity", "0")],
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        page.contains("The class is completed; its capacity can no longer change."),
        "{page}"
    );
    assert_eq!(held_and_capacity(&app, ClassId::new(completed)).await, (30, 30));
}

/// The seats held, as named by a refusal ("12 seats are taken; ...").
fn held_named(problem: &serde_json::Value) -> i64 {
    let detail = problem["detail"].as_str().unwrap_or_default();
    detail
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no seat count in {problem}"))
}

async fn registrations_racing_capacity_cuts_never_overfill_a_class(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = token(&app, "coordinator");
    let mut met = Vec::new();
    for round in 0..5 {
        let class = open_class(
            &app,
            ClassSpec {
                capacity: 40,
                ..Default::default()
            },
        )
        .await;
        // Four streams of applicants, sixty in all, keep the registrar committing.
        let mut streams = Vec::new();
        for stream in 0..4 {
            let client = app.client.clone();
            let url = format!("{}/api/v1/classes/{class}/registrations", app.address);
            streams.push(tokio::spawn(async move {
                for n in 0..15 {
                    let who = applicant(round * 1000 + stream * 100 + n);
                    let status = client.post(&url).json(&who).send().await.unwrap().status();
                    assert_eq!(status.as_u16(), 201, "every registration is placed");
                }
            }));
        }
        // Meanwhile a coordinator cuts one seat at a time until a cut is refused: the
        // last cuts race registrations for the same few seats.
        let mut capacity = 40;
        while capacity > 0 {
            let (status, problem) = patch(&app, &coordinator, class, json!({"capacity": capacity - 1})).await;
            if status == 409 {
                assert_eq!(problem["type"], "/problems/capacity-below-seats-held");
                assert!(held_named(&problem) >= capacity, "{problem}");
                break;
            }
            assert_eq!(status, 200, "{problem}");
            capacity -= 1;
        }
        for s in streams {
            s.await.unwrap();
        }
        let (held, now) = held_and_capacity(&app, class).await;
        assert!(held <= now, "round {round}: {held} seats held of {now}");
        assert_eq!((held, now), (capacity, capacity), "the class filled to the last cut");
        met.push(capacity);
    }
    println!("{backend:?}: the cuts met the registrations at {met:?} seats");
}

on_both_backends!(
    the_api_refuses_a_capacity_below_the_seats_held,
    seats_under_review_and_on_offer_count_as_held,
    the_capacity_form_shows_why_it_refuses,
    registrations_racing_capacity_cuts_never_overfill_a_class,
);
