//! A community request's life over real HTTP: filed on the public form (no JavaScript),
//! followed through the emailed link, triaged and assigned by a coordinator to an officer
//! whose duty fits, worked by that officer only, commented on, closed with a resolution;
//! every status change emailed to the requester and audited.

use reqwest::header::LOCATION;

use crate::actors::{ADMIN, COORDINATOR, OTHER_OFFICER, PRESENTING_OFFICER, post_as, post_form, session};
use crate::applications::spawn;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

/// Files a traffic-enforcement request on the public form as Dana (dana@example.org),
/// asserting it is accepted.
pub async fn file_traffic_request(app: &TestApp, description: &str) {
    let res = post_form(
        app,
        None,
        "/requests/new/traffic_enforcement",
        &[
            ("email", "dana@example.org"),
            ("first_name", "Dana"),
            ("address_string", "Ocean Ave and 5th St"),
            ("attribute[street]", "Ocean Avenue"),
            ("attribute[times]", "night"),
            ("attribute[problem]", "racing"),
            ("description", description),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
}

/// The private follow path from the newest email to `email`.
pub async fn follow_path(app: &TestApp, email: &str) -> String {
    let mail = app.mailbox(email).await;
    let body = &mail
        .iter()
        .find(|m| m.kind == "request_received")
        .expect("a receipt")
        .body_text;
    let start = body.find("/requests/follow/").unwrap();
    body[start..].split_whitespace().next().unwrap().to_string()
}

/// The request's number, read from its page at `path`.
pub async fn number_on(app: &TestApp, path: &str) -> String {
    let (_, page) = app.get_text(path).await;
    page.split("<h1>Request ")
        .nth(1)
        .expect("a request page")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

async fn kinds(app: &TestApp, email: &str) -> Vec<String> {
    app.mailbox(email).await.into_iter().map(|m| m.kind).collect()
}

async fn a_request_is_filed_followed_triaged_and_closed(backend: Backend) {
    let app = spawn(backend).await;
    let (status, index) = app.get_text("/requests/new").await;
    assert_eq!(status, 200);
    assert!(index.contains("/requests/new/traffic_enforcement"));
    assert!(index.contains("call 911"));
    let (status, form) = app.get_text("/requests/new/traffic_enforcement").await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"attribute[times]\""));

    // A first try with mistakes: every problem named, nothing typed is lost.
    let res = post_form(
        &app,
        None,
        "/requests/new/traffic_enforcement",
        &[
            ("email", "dana@example"),
            ("attribute[cross_street]", "5th Street"),
            ("attribute[times]", "dawn"),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Enter an email address like name@example.com."));
    assert!(page.contains("Answer: Street."));
    assert!(page.contains("Give an address or place"));
    assert!(page.contains("is not one of the choices"));
    assert!(page.contains("value=\"5th Street\""), "answers are kept");

    let res = post_form(
        &app,
        None,
        "/requests/new/traffic_enforcement",
        &[
            ("email", "dana@example.org"),
            ("first_name", "Dana"),
            ("address_string", "Ocean Ave and 5th St"),
            ("attribute[street]", "Ocean Avenue"),
            ("attribute[times]", "night"),
            ("attribute[times]", "weekend"),
            ("attribute[problem]", "racing"),
            ("description", "Loud racing most weekend nights."),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let location = res.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(location.starts_with("/requests/follow/") && location.ends_with("?done=filed"));
    let follow = follow_path(&app, "dana@example.org").await;
    assert!(location.starts_with(&follow));
    let (status, page) = app.get_text(&follow).await;
    assert_eq!(status, 200);
    assert!(page.contains("Status</dt><dd><strong>New</strong>"), "{page}");
    assert!(page.contains("Night, Weekends"), "the answers in words");
    let id: precinct::domain::RequestId = page
        .split("<h1>Request ")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();

    // The coordinator sees it on the board; the officers whose duty fits are suggested first.
    let coordinator = session(&app, COORDINATOR).await;
    let board = app.page_as(&coordinator, "/staff/requests").await;
    assert!(board.contains(&format!("/staff/requests/{id}")));
    let detail = app.page_as(&coordinator, &format!("/staff/requests/{id}")).await;
    assert!(detail.contains("dana@example.org"), "staff see the contact");
    let first_option = detail.split("<option value=\"\">Nobody yet</option>").nth(1).unwrap();
    assert!(
        first_option
            .trim_start()
            .split("</option>")
            .next()
            .unwrap()
            .contains("duty fits"),
        "a traffic officer first: {first_option}"
    );
    let traffic_officer = app
        .store
        .staff_credentials("b.harlow@harborpoint-pd.example")
        .await
        .unwrap()
        .unwrap();

    // Closing without a resolution is refused, with the reason.
    let res = post_form(
        &app,
        Some(&coordinator),
        &format!("/staff/requests/{id}"),
        &[("status", "closed")],
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("Say how the request was resolved"));

    // Assigning moves it to Assigned and tells the requester.
    let officer_id = traffic_officer.id.to_string();
    let res = post_form(
        &app,
        Some(&coordinator),
        &format!("/staff/requests/{id}"),
        &[
            ("status", "acknowledged"),
            ("assigned_to", &officer_id),
            ("due_on", "2027-01-15"),
            ("note", "Officer Harlow from Motors will look at Ocean Avenue."),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let request = app.store.request(id).await.unwrap().unwrap();
    assert_eq!(request.status.code(), "assigned");
    assert_eq!(request.assigned_to, Some(traffic_officer.id));
    assert_eq!(
        kinds(&app, "dana@example.org").await,
        ["request_received", "request_updated"]
    );
    assert_eq!(
        kinds(&app, "b.harlow@harborpoint-pd.example").await,
        ["request_assigned"],
        "the officer is told"
    );
    let waiting = |k: Vec<String>| k.into_iter().filter(|k| k == "requests_waiting").count();
    assert_eq!(
        waiting(kinds(&app, COORDINATOR).await),
        1,
        "coordinators hear of new requests"
    );
    assert_eq!(waiting(kinds(&app, ADMIN).await), 1);

    // Only the assigned officer sees it; other officers get 403, counselors too.
    let other = session(&app, OTHER_OFFICER).await;
    assert_eq!(
        crate::actors::get_as(&app, Some(&other), &format!("/staff/requests/{id}")).await,
        403
    );
    assert!(
        !app.page_as(&other, "/staff/requests")
            .await
            .contains(&format!("/staff/requests/{id}"))
    );
    let harlow = session(&app, "b.harlow@harborpoint-pd.example").await;
    let mine = app.page_as(&harlow, "/staff/requests").await;
    assert!(mine.contains("Requests assigned to me") && mine.contains(&format!("/staff/requests/{id}")));
    let res = post_form(
        &app,
        Some(&harlow),
        &format!("/staff/requests/{id}"),
        &[("status", "in_progress"), ("note", "Patrols start this Friday night.")],
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        app.store.request(id).await.unwrap().unwrap().assigned_to,
        Some(traffic_officer.id),
        "officers cannot reassign"
    );

    // The requester comments through the private link; the public page shows no comments.
    let res = post_form(
        &app,
        None,
        &format!("{follow}/comment"),
        &[("comment", "It was bad again on Saturday.")],
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = post_form(&app, None, &format!("{follow}/comment"), &[("comment", "  ")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let (_, page) = app.get_text(&follow).await;
    assert!(page.contains("It was bad again on Saturday."));
    assert!(page.contains("Patrols start this Friday night."));
    let (status, public) = app.get_text(&format!("/requests/{id}")).await;
    assert_eq!(status, 200);
    assert!(!public.contains("It was bad again"), "comments are private");
    assert!(!public.contains("dana@example.org") && !public.contains("Loud racing"));
    assert!(
        public.contains("Patrols start this Friday night."),
        "the department's notes are public"
    );

    let res = post_form(
        &app,
        Some(&harlow),
        &format!("/staff/requests/{id}"),
        &[
            ("status", "closed"),
            ("note", "Three weekend operations: 14 stops, 9 citations."),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let request = app.store.request(id).await.unwrap().unwrap();
    assert_eq!(request.status.code(), "closed");
    assert!(request.closed_at.is_some());
    assert_eq!(
        kinds(&app, "dana@example.org").await,
        [
            "request_received",
            "request_updated",
            "request_updated",
            "request_updated"
        ]
    );
    let last = app.mailbox("dana@example.org").await.pop().unwrap();
    assert!(last.body_text.contains("It is now closed.") && last.body_text.contains("14 stops"));
    let audit = app.store.audit_for("request", &id.to_string()).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "request.create",
            "request.update",
            "request.update",
            "request.comment",
            "request.update"
        ]
    );
    // A closed request cannot jump back to work in progress.
    let res = post_form(
        &app,
        Some(&coordinator),
        &format!("/staff/requests/{id}"),
        &[("status", "in_progress")],
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
}

async fn staff_pages_refuse_who_may_not_and_unknown_ids(backend: Backend) {
    let app = spawn(backend).await;
    let admin = session(&app, ADMIN).await;
    assert_eq!(
        crate::actors::get_as(&app, Some(&admin), "/staff/requests/999999").await,
        404
    );
    assert_eq!(
        crate::actors::get_as(&app, Some(&admin), "/staff/requests/abc").await,
        404
    );
    assert_eq!(crate::actors::get_as(&app, None, "/staff/requests").await, 303);
    let officer = session(&app, PRESENTING_OFFICER).await;
    assert_eq!(
        crate::actors::get_as(&app, Some(&officer), "/staff/requests").await,
        200
    );
    assert_eq!(
        post_as(&app, Some(&officer), "/staff/requests/999999", &[("status", "closed")]).await,
        404
    );
    assert_eq!(app.get("/requests/new/parking").await.status().as_u16(), 404);
    assert_eq!(app.get("/requests/follow/not-a-token").await.status().as_u16(), 404);
    assert_eq!(app.get("/requests/999999").await.status().as_u16(), 404);
}

on_both_backends!(
    a_request_is_filed_followed_triaged_and_closed,
    staff_pages_refuse_who_may_not_and_unknown_ids,
);
