//! Selective traffic enforcement over real HTTP: an operation planned from a resident's
//! request, results recorded by an officer who worked it, figures against a hand
//! computation, and the requester seeing what happened.

use crate::actors::{COORDINATOR, OTHER_OFFICER, get_as, post_page, session};
use crate::applications::spawn;
use crate::helpers::Backend;
use crate::on_both_backends;

/// Twenty readings on a 25 mph street (the fixture of `domain::traffic`'s unit test):
/// median 29, 85th percentile 35, 15 over the limit, 4 by ten or more.
const SPEEDS: &str = "30, 22, 41, 25, 28, 33, 24, 36, 29, 31, 27, 25x1, 35 23 38 30 26 34 28 32";

async fn a_residents_request_gets_an_operation_and_its_results(backend: Backend) {
    let app = spawn(backend).await;
    let res = app
        .client
        .post(format!("{}/requests/new/traffic_enforcement", app.address))
        .form(&[
            ("email", "lee@example.org"),
            ("first_name", "Lee"),
            ("address_string", "Ocean Ave between 3rd and 5th"),
            ("attribute[street]", "Ocean Avenue"),
            ("attribute[times]", "morning"),
            ("attribute[problem]", "speeding"),
            ("description", "Cars race past the school crossing."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let follow = crate::requests::follow_path(&app, "lee@example.org").await;
    let request = crate::requests::number_on(&app, &follow).await;

    let coordinator = session(&app, COORDINATOR).await;
    let form = app
        .page_as(&coordinator, &format!("/staff/traffic?request={request}"))
        .await;
    assert!(
        form.contains("value=\"Ocean Ave between 3rd and 5th\""),
        "the plan starts from the request"
    );
    let beth = app
        .store
        .duty_candidates()
        .await
        .unwrap()
        .into_iter()
        .find(|(_, n)| n == "Beth Harlow")
        .unwrap()
        .0
        .to_string();
    let yesterday = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap())
        .date()
        .yesterday()
        .unwrap()
        .to_string();
    // A resident's request needs its number.
    let (status, _, page) = post_page(
        &app,
        &coordinator,
        "/staff/traffic",
        &[
            ("place", "Ocean Ave"),
            ("reason", "resident_request"),
            ("date", &yesterday),
            ("start", "07:00"),
            ("end", "09:00"),
            ("speed_limit", "25"),
            ("officers", &beth),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Give the number of the resident&#39;s request."),
        "{page}"
    );
    let (status, location, _) = post_page(
        &app,
        &coordinator,
        "/staff/traffic",
        &[
            ("place", "Ocean Ave between 3rd and 5th"),
            ("reason", "resident_request"),
            ("request_id", &request),
            ("date", &yesterday),
            ("start", "07:00"),
            ("end", "09:00"),
            ("speed_limit", "25"),
            ("officers", &beth),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let operation = location.unwrap();
    assert!(operation.starts_with("/staff/traffic/"));

    // The officer who worked it records the results; another officer cannot see it.
    let other = session(&app, OTHER_OFFICER).await;
    assert_eq!(get_as(&app, Some(&other), &operation).await, 403);
    let officer = session(&app, "b.harlow@harborpoint-pd.example").await;
    let results = format!("{operation}/results");
    let (status, _, page) = post_page(
        &app,
        &officer,
        &results,
        &[
            ("stops", "10"),
            ("warnings", "7"),
            ("citations", "4"),
            ("speeds", SPEEDS),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Warnings and citations together cannot outnumber the stops."));
    let (status, _, _) = post_page(
        &app,
        &officer,
        &results,
        &[
            ("stops", "12"),
            ("warnings", "7"),
            ("citations", "4"),
            ("speeds", SPEEDS),
            ("notes", "We will return during the afternoon pickup."),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let page = app.page_as(&officer, &operation).await;
    assert!(
        page.contains("<th scope=\"row\">85th percentile speed</th><td>35 mph</td>"),
        "{page}"
    );
    assert!(page.contains("<th scope=\"row\">Median speed</th><td>29 mph</td>"));
    assert!(page.contains("<th scope=\"row\">Over the limit</th><td>15</td>"));
    assert!(page.contains("<th scope=\"row\">10 mph or more over</th><td>4</td>"));

    // The requester sees that it happened and what it found; the public page of the
    // request shows the figures but not the note written to the requester.
    let (_, page) = app.get_text(&follow).await;
    assert!(page.contains("Enforcement for this request"));
    assert!(page.contains("12 drivers stopped: 7 warned, 4 cited."), "{page}");
    assert!(page.contains(
        "20 speeds measured; 15 over the limit, 4 by 10 mph or more. 85 of every 100 drivers went 35 mph or slower."
    ));
    assert!(page.contains("We will return during the afternoon pickup."));
    let (_, public) = app.get_text(&format!("/requests/{request}")).await;
    assert!(public.contains("12 drivers stopped"));
    assert!(!public.contains("afternoon pickup"));
    let audit = app
        .store
        .audit_for("traffic_operation", operation.trim_start_matches("/staff/traffic/"))
        .await
        .unwrap();
    assert_eq!(audit.len(), 2, "planned and results");
    assert_eq!(get_as(&app, Some(&other), "/staff/traffic").await, 403);
}

on_both_backends!(a_residents_request_gets_an_operation_and_its_results);
