//! Messages the clock sends: session reminders at the department's local hour on the day
//! before (also across daylight-saving changes), and a last call on seat offers, each
//! queued once however often the job runs.

use jiff::{SignedDuration, Timestamp};
use precinct::domain::{ClassId, ClassStatus};
use precinct::service::planning::{ClassIn, PatternIn};

use crate::actors::{applicant_session, link_token};
use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A one-session class of the scenario program on `date` (a Monday), 18:00-21:00 local,
/// open, with one confirmed participant `who`.
async fn one_evening(app: &TestApp, name: &str, date: &str, who: usize) -> ClassId {
    let scenario = open_class(app, ClassSpec::default()).await;
    let slug = app.get_json(&format!("/api/v1/classes/{scenario}")).await["program"]
        .as_str()
        .expect("the class names its program")
        .to_string();
    let input = ClassIn {
        program: slug,
        name: name.into(),
        capacity: 5,
        registration_opens_at: None,
        registration_closes_at: None,
        location_name: "Harbor Point Station".into(),
        location_address: "100 Harbor Way".into(),
        pattern: Some(PatternIn {
            weekday: "monday".into(),
            first_date: date.into(),
            start: "18:00".into(),
            end: "21:00".into(),
            sessions: 1,
            topic: Some("Traffic stops from both sides".into()),
            place: Some("Training Room B".into()),
            ..Default::default()
        }),
        allocation: None,
    };
    let now = Timestamp::now();
    let class = precinct::service::planning::create_class(&app.store, &input, "test", now)
        .await
        .unwrap_or_else(|e| panic!("class created: {e:?}"));
    for to in [ClassStatus::Announced, ClassStatus::Open] {
        precinct::service::classes::set_class_status(&app.store, &app.state.links, "test", class, to, now)
            .await
            .unwrap();
    }
    let (status, body) = apply(app, class, &applicant(who), None).await;
    assert_eq!(status, 201);
    assert_eq!(body["status"], "confirmed");
    class
}

async fn reminders(app: &TestApp, who: usize) -> Vec<precinct::store::outbox::OutboxMessage> {
    app.mailbox(&format!("person{who}@example.org"))
        .await
        .into_iter()
        .filter(|m| m.kind == "session_reminder")
        .collect()
}

async fn reminders_go_at_nine_local_the_day_before_across_dst(backend: Backend) {
    let app = spawn(backend).await;
    // Clocks go back at 2:00 on Sunday 7 November 2027: the Monday session's reminder is
    // at 9:00 PST on Sunday, 17:00 UTC, not at 16:00 UTC as in summer.
    one_evening(&app, "Autumn evening", "2027-11-08", 1).await;
    // Clocks go forward on Sunday 14 March 2027: 9:00 PDT is 16:00 UTC.
    one_evening(&app, "Spring evening", "2027-03-15", 2).await;

    let just_before = at("2027-11-07T16:59:59Z");
    let round = precinct::jobs::run_once(&app.state.jobs(), just_before).await.unwrap();
    assert_eq!(round.reminders_queued, 0, "8:59 local is too early");
    assert!(reminders(&app, 1).await.is_empty());
    let nine = at("2027-11-07T17:00:00Z");
    let round = precinct::jobs::run_once(&app.state.jobs(), nine).await.unwrap();
    assert_eq!(round.reminders_queued, 1);
    let sent = reminders(&app, 1).await;
    assert_eq!(sent.len(), 1);
    let m = &sent[0];
    assert_eq!(
        m.subject,
        "Tomorrow: Traffic stops from both sides 1 (Scenario Academy)"
    );
    assert!(
        m.body_text.contains("Monday, November 8, 6:00 PM to 9:00 PM PST"),
        "{}",
        m.body_text
    );
    assert!(
        m.body_text
            .contains("Where: Training Room B, Harbor Point Station, 100 Harbor Way")
    );
    assert!(m.body_text.contains("What to bring: Photo ID and a pen."));
    assert!(m.body_text.contains("/classes/"));
    // The job runs every few seconds and on every instance: still one reminder.
    for later in [nine + SignedDuration::from_secs(5), at("2027-11-08T01:00:00Z")] {
        assert_eq!(
            precinct::jobs::run_once(&app.state.jobs(), later)
                .await
                .unwrap()
                .reminders_queued,
            0
        );
    }
    assert_eq!(reminders(&app, 1).await.len(), 1);
    // After the session started, nothing more.
    let after = at("2027-11-09T03:00:00Z");
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), after)
            .await
            .unwrap()
            .reminders_queued,
        0
    );

    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), at("2027-03-14T15:59:59Z"))
            .await
            .unwrap()
            .reminders_queued,
        0
    );
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), at("2027-03-14T16:00:00Z"))
            .await
            .unwrap()
            .reminders_queued,
        1
    );
    let spring = reminders(&app, 2).await;
    assert_eq!(spring.len(), 1);
    assert!(
        spring[0].body_text.contains("Monday, March 15, 6:00 PM to 9:00 PM PDT"),
        "{}",
        spring[0].body_text
    );
}

async fn cancelled_sessions_get_no_reminder(backend: Backend) {
    let app = spawn(backend).await;
    let class = one_evening(&app, "Cancelled evening", "2027-11-08", 3).await;
    let session = app.get_json(&format!("/api/v1/classes/{class}")).await["sessions"][0]["id"]
        .as_i64()
        .unwrap();
    precinct::service::classes::cancel_session(
        &app.store,
        "test",
        class,
        precinct::domain::SessionId::new(session),
        "Monday evening",
        Timestamp::now(),
    )
    .await
    .unwrap();
    let round = precinct::jobs::run_once(&app.state.jobs(), at("2027-11-07T17:00:00Z"))
        .await
        .unwrap();
    assert_eq!(round.reminders_queued, 0);
    assert!(reminders(&app, 3).await.is_empty());
}

async fn an_offer_gets_one_last_call_with_a_working_link(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            capacity: 1,
            ..Default::default()
        },
    )
    .await;
    let (_, first) = apply(&app, class, &applicant(1), None).await;
    apply(&app, class, &applicant(2), None).await;
    let cookie = applicant_session(&app, &link_token(&app, "person1@example.org").await).await;
    let withdrawn = crate::actors::withdraw(&app, &cookie, &first["id"]).await;
    // The seat is offered to person 2 for 48 hours; the last call comes 12 hours before the end.
    let expires = withdrawn + SignedDuration::from_hours(48);
    let early = expires - SignedDuration::from_hours(13);
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), early)
            .await
            .unwrap()
            .offer_warnings_queued,
        0
    );
    let due = expires - SignedDuration::from_mins(11 * 60 + 50);
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), due)
            .await
            .unwrap()
            .offer_warnings_queued,
        1
    );
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), due)
            .await
            .unwrap()
            .offer_warnings_queued,
        0
    );
    let kinds: Vec<String> = app
        .mailbox("person2@example.org")
        .await
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(kinds, ["application_received", "seat_offered", "offer_expiring"]);
    // Its link signs person 2 in, ready to accept.
    let cookie = applicant_session(&app, &link_token(&app, "person2@example.org").await).await;
    let page = app.page_as(&cookie, "/my/applications").await;
    assert!(page.contains("Status: <strong>Seat offered</strong>"), "{page}");
}

async fn reviewers_hear_of_waiting_applications_once_a_day_per_class(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            review: true,
            ..Default::default()
        },
    )
    .await;
    for n in 0..4 {
        let (_, body) = apply(&app, class, &applicant(n), None).await;
        assert_eq!(body["status"], "pending_review");
    }
    let notices = |email: &'static str| {
        let store = app.store.clone();
        async move {
            store
                .outbox_for(email)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.kind == "review_needed")
                .count()
        }
    };
    assert_eq!(notices(crate::actors::COORDINATOR).await, 1);
    assert_eq!(notices(crate::actors::ADMIN).await, 1);
    assert_eq!(notices(crate::actors::OTHER_OFFICER).await, 0, "officers do not review");
}

on_both_backends!(
    reminders_go_at_nine_local_the_day_before_across_dst,
    cancelled_sessions_get_no_reminder,
    an_offer_gets_one_last_call_with_a_working_link,
    reviewers_hear_of_waiting_applications_once_a_day_per_class,
);
