//! The resource officers' activity log over real HTTP: logging from the form, checks
//! (no student names slip through unnoticed), monthly sums per school against a hand
//! computation, and who may read and change which entries.

use reqwest::header::COOKIE;

use crate::actors::{COORDINATOR, OTHER_OFFICER, PRESENTING_OFFICER, get_as, post_page, session};
use crate::applications::spawn;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

async fn school(app: &TestApp, name: &str) -> String {
    app.store
        .schools()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("the demo has {name}"))
        .id
        .to_string()
}

async fn resource_officers_log_their_work_and_see_it_summed(backend: Backend) {
    let app = spawn(backend).await;
    let officer = session(&app, OTHER_OFFICER).await;
    let harbor = school(&app, "Harbor Point High School").await;
    let bayside = school(&app, "Bayside High School").await;
    let page = app.page_as(&officer, "/staff/activity").await;
    assert!(page.contains("Log an activity") && page.contains("Harbor Point High School"));

    // A month the demo has no entries in, about seven months back.
    let day = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap())
        .date()
        .checked_sub(jiff::ToSpan::days(210))
        .unwrap()
        .first_of_month();
    let month = day.strftime("%Y-%m").to_string();
    let on = |d: i8| day.checked_add(jiff::ToSpan::days(d)).unwrap().to_string();
    let entries = [
        (
            "presentation",
            &harbor,
            on(2),
            "50",
            "30",
            "Bike safety for the freshman class.",
        ),
        ("mentoring", &harbor, on(9), "40", "2", ""),
        (
            "presentation",
            &bayside,
            on(15),
            "45",
            "25",
            "Distracted driving assembly.",
        ),
    ];
    for (kind, school, date, minutes, people, note) in &entries {
        let (status, location, page) = post_page(
            &app,
            &officer,
            "/staff/activity",
            &[
                ("kind", kind),
                ("school_id", school),
                ("occurred_on", date),
                ("minutes", minutes),
                ("people_reached", people),
                ("note", note),
            ],
        )
        .await;
        assert_eq!(status, 303, "{page}");
        assert_eq!(location.unwrap(), format!("/staff/activity?saved=1&month={month}"));
    }

    // Per school: Harbor Point 2 activities, 90 minutes = 1.5 hours, 32 people;
    // Bayside 1 activity, 45 minutes = 0.8 hours (to one decimal), 25 people.
    let page = app.page_as(&officer, &format!("/staff/activity?month={month}")).await;
    assert!(
        page.contains("<th scope=\"row\" data-label=\"School\">Harbor Point High School</th><td data-label=\"Activities\">2</td><td data-label=\"Hours\">1.5</td><td data-label=\"People reached\">32</td>"),
        "{page}"
    );
    assert!(page.contains(
        "<td data-label=\"Activities\">1</td><td data-label=\"Hours\">0.8</td><td data-label=\"People reached\">25</td>"
    ));
    let csv = app
        .client
        .get(format!("{}/staff/activity/summary.csv?month={month}", app.address))
        .header(COOKIE, &officer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains(&format!("{month},Bayside High School,1,0.8,25,1,0,0,0,0,0")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("{month},Harbor Point High School,2,1.5,32,1,1,0,0,0,0")),
        "{csv}"
    );

    // Every problem at once; nothing saved.
    let (status, _, page) = post_page(
        &app,
        &officer,
        "/staff/activity",
        &[
            ("kind", "lunch"),
            ("school_id", "999999"),
            ("occurred_on", "2999-01-01"),
            ("minutes", "0"),
            ("people_reached", "many"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    for message in [
        "Choose what kind of activity it was.",
        "Choose the school or college from the list.",
        "The date cannot be in the future.",
        "Enter the minutes spent, from 1 to 720.",
        "Enter how many people took part, from 0 to 5000.",
    ] {
        assert!(page.contains(message), "{message}");
    }

    // A note that reads like a name is held back until the officer confirms.
    let named = [
        ("kind", "mentoring"),
        ("school_id", harbor.as_str()),
        ("occurred_on", &on(20)),
        ("minutes", "30"),
        ("people_reached", "1"),
        ("note", "Check-in after class with Jordan Reyes about the bus stop."),
    ];
    let (status, _, page) = post_page(&app, &officer, "/staff/activity", &named).await;
    assert_eq!(status, 422);
    assert!(page.contains("Does the note name someone?") && page.contains("<strong>Jordan Reyes</strong>"));
    assert!(page.contains("value=\"yes\""), "the confirmation box is offered");
    let mine = app.store.activities(None, day, day.last_of_month()).await.unwrap();
    assert_eq!(mine.len(), 3, "nothing was saved");
    let mut confirmed = named.to_vec();
    confirmed.push(("note_checked", "yes"));
    assert_eq!(post_page(&app, &officer, "/staff/activity", &confirmed).await.0, 303);

    // Who reads and changes what: the author changes their entry; another officer
    // neither sees nor changes it; coordinators see every entry but change none.
    let entry = app.store.activities(None, day, day.last_of_month()).await.unwrap();
    let id = entry.iter().find(|e| e.minutes == 45).unwrap().id;
    let path = format!("/staff/activity/{id}");
    let change = [
        ("kind", "presentation"),
        ("school_id", bayside.as_str()),
        ("occurred_on", &on(15)),
        ("minutes", "55"),
        ("people_reached", "26"),
        ("note", "Distracted driving assembly, both lunches."),
    ];
    let other = session(&app, PRESENTING_OFFICER).await;
    assert_eq!(get_as(&app, Some(&other), &path).await, 403);
    assert_eq!(post_page(&app, &other, &path, &change).await.0, 403);
    assert!(
        !app.page_as(&other, &format!("/staff/activity?month={month}"))
            .await
            .contains("Distracted")
    );
    let coordinator = session(&app, COORDINATOR).await;
    assert_eq!(get_as(&app, Some(&coordinator), &path).await, 200);
    let all = app
        .page_as(&coordinator, &format!("/staff/activity?month={month}"))
        .await;
    assert!(all.contains("every officer") && all.contains("Jenna Brandt"));
    assert_eq!(post_page(&app, &coordinator, &path, &change).await.0, 403);
    assert_eq!(post_page(&app, &officer, &path, &change).await.0, 303);
    let changed = app.store.activity(id).await.unwrap().unwrap();
    assert_eq!((changed.minutes, changed.people_reached), (55, 26));
    let audit = app.store.audit_for("activity", &id.to_string()).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert!(
        actions.contains(&"activity.log") && actions.contains(&"activity.update"),
        "{actions:?}"
    );
    assert_eq!(get_as(&app, Some(&officer), "/staff/activity/999999").await, 404);
    assert_eq!(get_as(&app, Some(&officer), "/staff/activity?month=someday").await, 400);
}

async fn training_hours_count_for_trainer_and_attendees(backend: Backend) {
    let app = spawn(backend).await;
    let trainer = session(&app, OTHER_OFFICER).await;
    let ids = app.store.duty_candidates().await.unwrap();
    let id = |name: &str| ids.iter().find(|(_, n)| n == name).unwrap().0.to_string();
    let (beth, carl) = (id("Beth Harlow"), id("Carl Bauer"));
    let yesterday = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap())
        .date()
        .yesterday()
        .unwrap()
        .to_string();
    let (status, _, page) = post_page(&app, &trainer, "/staff/training", &[("topic", ""), ("hours", "50")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Name the topic") && page.contains("Choose who attended."));
    for (topic, hours) in [("Crisis intervention refresher", "1.5"), ("Radio procedure", "0.5")] {
        let (status, _, _) = post_page(
            &app,
            &trainer,
            "/staff/training",
            &[
                ("topic", topic),
                ("held_on", &yesterday),
                ("hours", hours),
                ("attendees", &beth),
                ("attendees", &carl),
            ],
        )
        .await;
        assert_eq!(status, 303);
    }
    // Two hours given by the trainer; two received by each attendee.
    let page = app.page_as(&trainer, "/staff/training").await;
    assert!(
        page.contains("<th scope=\"row\">Jenna Brandt</th><td>2.0</td><td>0.0</td>"),
        "{page}"
    );
    assert!(page.contains("<th scope=\"row\">Beth Harlow</th><td>0.0</td><td>2.0</td>"));
    assert!(page.contains("<th scope=\"row\">Carl Bauer</th><td>0.0</td><td>2.0</td>"));
    let counselor_email = "counselor@harborpoint-schools.example";
    let counselor = session(&app, counselor_email).await;
    assert_eq!(get_as(&app, Some(&counselor), "/staff/training").await, 403);
}

on_both_backends!(
    resource_officers_log_their_work_and_see_it_summed,
    training_hours_count_for_trainer_and_attendees
);
