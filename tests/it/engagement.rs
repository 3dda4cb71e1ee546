//! The community-engagement report over real HTTP: the activity log, training given and
//! a traffic operation summed per officer, duty, school and month against a hand
//! computation, as a page, CSV, PDF and JSON.

use reqwest::header::{AUTHORIZATION, COOKIE};

use crate::actors::{COORDINATOR, OTHER_OFFICER, get_as, post_as, session};
use crate::applications::spawn;
use crate::helpers::Backend;
use crate::on_both_backends;

async fn engagement_is_summed_per_officer_duty_school_and_month(backend: Backend) {
    let app = spawn(backend).await;
    let jenna = session(&app, OTHER_OFFICER).await; // school resource officer, Harbor Point High
    let coordinator = session(&app, COORDINATOR).await;
    let ids = app.store.duty_candidates().await.unwrap();
    let id = |name: &str| ids.iter().find(|(_, n)| n == name).unwrap().0.to_string();
    let harbor = app
        .store
        .schools()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Harbor Point High School")
        .unwrap()
        .id
        .to_string();
    // A month in the last year that neither the demo's log nor its classes reach.
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap())
        .date();
    let mut first = None;
    for back in [210, 240, 270, 300, 180, 150, 120] {
        let start = today.checked_sub(jiff::ToSpan::days(back)).unwrap().first_of_month();
        let end = start.last_of_month();
        let taught = app
            .store
            .sessions_presented_between(start, end, jiff::Timestamp::now())
            .await
            .unwrap();
        let logged = app.store.activities(None, start, end).await.unwrap();
        if taught.is_empty() && logged.is_empty() {
            first = Some(start);
            break;
        }
    }
    let first = first.expect("a quiet month in the demo's last year");
    let on = |d: i8| first.checked_add(jiff::ToSpan::days(d)).unwrap().to_string();
    for (day, minutes, people) in [(3, "50", "30"), (10, "40", "2")] {
        let form = [
            ("kind", "presentation"),
            ("school_id", harbor.as_str()),
            ("occurred_on", &on(day)),
            ("minutes", minutes),
            ("people_reached", people),
        ];
        assert_eq!(post_as(&app, Some(&jenna), "/staff/activity", &form).await, 303);
    }
    let (beth, patrick) = (id("Beth Harlow"), id("Patrick Quinlan"));
    let training = [
        ("topic", "Use of force policy"),
        ("held_on", &on(12)),
        ("hours", "1.5"),
        ("attendees", beth.as_str()),
        ("attendees", patrick.as_str()),
    ];
    assert_eq!(post_as(&app, Some(&jenna), "/staff/training", &training).await, 303);
    let plan = [
        ("place", "Beacon St at 9th"),
        ("reason", "school_zone"),
        ("date", &on(14)),
        ("start", "07:00"),
        ("end", "09:00"),
        ("speed_limit", "25"),
        ("officers", beth.as_str()),
        ("officers", patrick.as_str()),
    ];
    let res = app
        .client
        .post(format!("{}/staff/traffic", app.address))
        .header(COOKIE, &coordinator)
        .form(&plan)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let operation = res.headers()["location"].to_str().unwrap().to_string();
    let results = [
        ("stops", "12"),
        ("warnings", "8"),
        ("citations", "3"),
        ("speeds", "31, 28x3"),
    ];
    assert_eq!(
        post_as(&app, Some(&coordinator), &format!("{operation}/results"), &results).await,
        303
    );

    // By hand: Jenna 50 + 40 + 90 minutes = 3.0 hours, 30 + 2 + 2 people; Beth and
    // Patrick 120 minutes each, the 12 drivers stopped counted once (on Beth).
    let last = first.last_of_month();
    let period = format!("from={first}&to={last}");
    let page = app
        .page_as(&coordinator, &format!("/staff/reports/engagement?{period}"))
        .await;
    assert!(page.contains("7 hours and 46 people reached, from 5 entries"), "{page}");
    for row in [
        "<th scope=\"row\">Jenna Brandt</th><td>3</td><td>3</td><td>34</td>",
        "<th scope=\"row\">Beth Harlow</th><td>1</td><td>2</td><td>12</td>",
        "<th scope=\"row\">Patrick Quinlan</th><td>1</td><td>2</td><td>0</td>",
        "<th scope=\"row\">School resource officer</th><td>2</td><td>1.5</td><td>32</td>",
        "<th scope=\"row\">Training given to officers</th><td>1</td><td>1.5</td><td>2</td>",
        "<th scope=\"row\">Traffic enforcement operations</th><td>2</td><td>4</td><td>12</td>",
        "<th scope=\"row\">Harbor Point High School</th><td>2</td><td>1.5</td><td>32</td>",
    ] {
        assert!(page.contains(row), "{row}");
    }
    assert!(page.contains("<svg role=\"img\" aria-labelledby=\"eng-title eng-desc\""));
    let get = |path: String| {
        let app = &app;
        let coordinator = coordinator.clone();
        async move {
            app.client
                .get(format!("{}{path}", app.address))
                .header(COOKIE, coordinator)
                .send()
                .await
                .unwrap()
        }
    };
    let csv = get(format!("/staff/reports/engagement.csv?{period}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("total,All,5,7.0,46"), "{csv}");
    assert!(csv.contains("officer,Jenna Brandt,3,3.0,34"));
    let pdf = get(format!("/staff/reports/engagement.pdf?{period}")).await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let text = crate::attendance::pdf_text(&pdf.bytes().await.unwrap());
    assert!(
        text.contains("Community engagement") && text.contains("Jenna Brandt"),
        "{text}"
    );

    // The same figures in the staff API, for coordinator tokens only.
    let token = "engagement-test-token-0123456789abcdef";
    app.store
        .insert_api_token(
            "grants",
            precinct::domain::Role::Coordinator,
            &precinct::auth::tokens::hash(token),
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    let api = app
        .client
        .get(format!("{}/api/v1/reports/engagement?{period}", app.address))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 200);
    let json: serde_json::Value = api.json().await.unwrap();
    assert_eq!(json["total"]["hours"], 7.0);
    assert_eq!(json["total"]["people_reached"], 46);
    assert_eq!(json["by_officer"][0]["name"], "Beth Harlow");
    let anonymous = app.get(&format!("/api/v1/reports/engagement?{period}")).await;
    assert_eq!(anonymous.status().as_u16(), 401);
    assert_eq!(get_as(&app, Some(&jenna), "/staff/reports/engagement").await, 403);
    assert_eq!(
        get_as(
            &app,
            Some(&coordinator),
            &format!("/staff/reports/engagement?from={last}&to={first}")
        )
        .await,
        400
    );
}

on_both_backends!(engagement_is_summed_per_officer_duty_school_and_month);
