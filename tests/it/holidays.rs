//! The department's holidays: kept by year on a staff page and through the API, audited,
//! and skipped by the meeting-pattern planner.

use reqwest::Method;
use serde_json::{Value, json};

use crate::actors::{COORDINATOR, OTHER_OFFICER, get_as, post_as, post_page, session};
use crate::applications::spawn;
use crate::helpers::Backend;
use crate::manage::{send, token};
use crate::on_both_backends;

async fn coordinators_keep_the_departments_holidays_by_year(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let officer = session(&app, OTHER_OFFICER).await;
    assert_eq!(get_as(&app, Some(&officer), "/staff/holidays").await, 403);
    let page = app.page_as(&coordinator, "/staff/holidays?year=2027").await;
    assert!(page.contains("Holidays 2027") && page.contains("No holidays in 2027 yet."));

    // A mistake is shown at the form; then the holiday is added once.
    let (status, _, page) = post_page(
        &app,
        &coordinator,
        "/staff/holidays",
        &[("date", "11/26/2027"), ("name", "")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Enter the date as YYYY-MM-DD.") && page.contains("Give the holiday a name"));
    let day_after = [("date", "2027-11-26"), ("name", "Day after Thanksgiving")];
    let (status, location, _) = post_page(&app, &coordinator, "/staff/holidays", &day_after).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/staff/holidays?year=2027&done=added"))
    );
    let (status, _, page) = post_page(&app, &coordinator, "/staff/holidays", &day_after).await;
    assert_eq!(status, 422);
    assert!(page.contains("Friday, November 26, 2027 already has a holiday."));

    // The federal holidays of the year in one step.
    assert_eq!(
        post_as(&app, Some(&coordinator), "/staff/holidays/federal", &[("year", "2027")]).await,
        303
    );
    let page = app.page_as(&coordinator, "/staff/holidays?year=2027").await;
    assert!(page.contains("Thanksgiving Day") && page.contains("Thursday, November 25, 2027"));
    assert!(page.contains("Day after Thanksgiving"));
    assert!(
        page.contains("Friday, December 24, 2027"),
        "Christmas 2027 is a Saturday: observed Friday"
    );
    assert_eq!(
        page.matches("<option value=\"2027\" selected>").count(),
        1,
        "the year switcher"
    );
    assert_eq!(
        app.store
            .holidays_between("2027-01-01".parse().unwrap(), "2027-12-31".parse().unwrap())
            .await
            .unwrap()
            .len(),
        12
    );

    // Removing: once, then there is nothing to remove.
    let remove = [("date", "2027-11-26")];
    assert_eq!(
        post_as(&app, Some(&coordinator), "/staff/holidays/remove", &remove).await,
        303
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), "/staff/holidays/remove", &remove).await,
        404
    );
    assert_eq!(
        post_as(&app, Some(&officer), "/staff/holidays/remove", &remove).await,
        403
    );
    let audit = app.store.audit_entries(Some("holiday"), 50).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "holiday.add").count(), 12);
    let removed = audit.iter().find(|e| e.action == "holiday.remove").unwrap();
    assert_eq!(removed.object_id, "2027-11-26");
    assert!(removed.actor.contains(COORDINATOR));
    assert!(
        removed
            .before_json
            .as_deref()
            .unwrap()
            .contains("Day after Thanksgiving")
    );
}

async fn holidays_through_the_api(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = token(&app, "coordinator");
    let officer = token(&app, "officer");
    assert_eq!(
        send(&app, Method::GET, "/api/v1/holidays", None, &Value::Null).await.0,
        401
    );
    assert_eq!(
        send(&app, Method::GET, "/api/v1/holidays", Some(&officer), &Value::Null)
            .await
            .0,
        403
    );
    let add = json!({"date": "2028-03-31", "name": "César Chávez Day"});
    let (status, body) = send(&app, Method::POST, "/api/v1/holidays", Some(&coordinator), &add).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body, add);
    let (status, body) = send(&app, Method::POST, "/api/v1/holidays", Some(&coordinator), &add).await;
    assert_eq!((status, body["type"].as_str()), (409, Some("/problems/holiday-exists")));
    let bad = json!({"date": "2028-02-30", "name": "Leap"});
    let (status, body) = send(&app, Method::POST, "/api/v1/holidays", Some(&coordinator), &bad).await;
    assert_eq!(
        (status, body["type"].as_str()),
        (422, Some("/problems/invalid-holiday")),
        "{body}"
    );
    let (status, body) = send(
        &app,
        Method::POST,
        "/api/v1/holidays/federal",
        Some(&coordinator),
        &json!({"year": 2028}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["added"], 11);
    let (status, list) = send(
        &app,
        Method::GET,
        "/api/v1/holidays?year=2028",
        Some(&coordinator),
        &Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["year"], 2028);
    // New Year's Day 2028 is a Saturday, observed on Friday, December 31, 2027.
    assert_eq!(list["holidays"].as_array().unwrap().len(), 11);
    assert_eq!(
        list["holidays"][1],
        json!({"date": "2028-02-21", "name": "Washington's Birthday"})
    );
    assert_eq!(list["holidays"][2], add);
    let delete = "/api/v1/holidays/2028-03-31";
    assert_eq!(
        send(&app, Method::DELETE, delete, Some(&officer), &Value::Null).await.0,
        403
    );
    assert_eq!(
        send(&app, Method::DELETE, delete, Some(&coordinator), &Value::Null)
            .await
            .0,
        204
    );
    assert_eq!(
        send(&app, Method::DELETE, delete, Some(&coordinator), &Value::Null)
            .await
            .0,
        404
    );
    let audit = app.store.audit_entries(Some("holiday"), 50).await.unwrap();
    assert!(audit.iter().all(|e| e.actor == "token:coordinator-manage"));
    assert_eq!(audit.len(), 13, "twelve added, one removed");
}

async fn the_planner_skips_the_departments_holidays(backend: Backend) {
    let app = spawn(backend).await;
    let api = token(&app, "coordinator");
    let thanksgiving = json!({"date": "2027-11-25", "name": "Thanksgiving Day"});
    assert_eq!(
        send(&app, Method::POST, "/api/v1/holidays", Some(&api), &thanksgiving)
            .await
            .0,
        201
    );
    // Four Thursdays from November 18: Thanksgiving is skipped, the series ends a week later.
    let body = json!({
        "program": "citizen-academy",
        "name": "Class 35",
        "capacity": 20,
        "pattern": {"weekday": "thursday", "first_date": "2027-11-18", "start": "18:00", "end": "20:00",
                    "sessions": 4, "skip": ["2027-12-09"]}
    });
    let (status, class) = send(&app, Method::POST, "/api/v1/classes", Some(&api), &body).await;
    assert_eq!(status, 201, "{class}");
    let starts: Vec<&str> = class["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["starts_at"].as_str().unwrap()[..10])
        .collect();
    assert_eq!(starts, ["2027-11-18", "2027-12-02", "2027-12-16", "2027-12-23"]);
    let id = class["id"].as_i64().unwrap();
    let coordinator = session(&app, COORDINATOR).await;
    let page = app.page_as(&coordinator, &format!("/staff/classes/{id}")).await;
    assert!(
        page.contains("No session on the department&#x27;s holidays: Thanksgiving Day (Thursday, November 25, 2027).")
            || page
                .contains("No session on the department's holidays: Thanksgiving Day (Thursday, November 25, 2027)."),
        "the class page says which holiday was skipped"
    );
    // The staff form's planner skips it too.
    let form = [
        ("program", "citizen-academy"),
        ("name", "Class 36"),
        ("capacity", "20"),
        ("weekday", "thursday"),
        ("first_date", "2027-11-25"),
        ("start", "18:00"),
        ("end", "20:00"),
        ("sessions", "2"),
    ];
    let (status, location, _) = post_page(&app, &coordinator, "/staff/classes/new", &form).await;
    assert_eq!(status, 303);
    let id: i64 = location
        .unwrap()
        .trim_start_matches("/staff/classes/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let sessions = app.store.sessions(precinct::domain::ClassId::new(id)).await.unwrap();
    let dates: Vec<String> = sessions.iter().map(|s| s.local_date.to_string()).collect();
    assert_eq!(dates, ["2027-12-02", "2027-12-09"]);
}

on_both_backends!(
    coordinators_keep_the_departments_holidays_by_year,
    holidays_through_the_api,
    the_planner_skips_the_departments_holidays,
);
