//! Two instances on one database, as behind a load balancer: applications split between
//! them never oversell, a staff session opened on one works on the other, and background
//! jobs running on both at once do each piece of work once; a rush filed while mail goes
//! out loses nothing.

use jiff::{SignedDuration, Timestamp};

use crate::actors::{COORDINATOR, session};
use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, Options, spawn_app_with};
use crate::on_both_backends;

async fn two_instances_share_applications_sessions_and_jobs(backend: Backend) {
    let a = spawn(backend).await;
    let b = spawn_app_with(
        backend,
        Options {
            database_url: Some(a.state.config.database_url()),
            ..Default::default()
        },
    )
    .await;
    let class = open_class(
        &a,
        ClassSpec {
            capacity: 5,
            ..Default::default()
        },
    )
    .await;
    // Twenty people, alternating instances, all at once.
    let mut tasks = Vec::new();
    for n in 0..20 {
        let (address, client) = if n % 2 == 0 {
            (a.address.clone(), a.client.clone())
        } else {
            (b.address.clone(), b.client.clone())
        };
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(format!("{address}/api/v1/classes/{class}/registrations"))
                .json(&applicant(n))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let body: serde_json::Value = res.json().await.unwrap();
            (status, body["status"].as_str().unwrap_or("").to_string())
        }));
    }
    let mut confirmed = 0;
    for t in tasks {
        let (status, s) = t.await.unwrap();
        assert_eq!(status, 201);
        confirmed += usize::from(s == "confirmed");
    }
    assert_eq!(confirmed, 5, "five seats, five confirmations across both instances");
    let stored = a.store.applications_in_class(class).await.unwrap();
    assert_eq!(stored.iter().filter(|(_, s)| s == "confirmed").count(), 5);

    // Signed in on A, recognised on B.
    let cookie = session(&a, COORDINATOR).await;
    let page = b.page_as(&cookie, &format!("/staff/classes/{class}")).await;
    assert!(page.contains("Roster"), "the session lives in the shared database");

    // One more, on the waitlist; then both instances run their jobs at the same moment:
    // every queued message goes out once, from one of them.
    let (_, late) = apply(&a, class, &applicant(100), None).await;
    assert_eq!(late["status"], "waitlisted");
    let later = Timestamp::now() + SignedDuration::from_hours(1);
    // The demo's past graduations emailed their graduates back then: already sent.
    let history = a.store.outbox_sent_total().await.unwrap();
    let (jobs_a, jobs_b) = (a.state.jobs(), b.state.jobs());
    let (ra, rb) = tokio::join!(
        precinct::jobs::run_once(&jobs_a, later),
        precinct::jobs::run_once(&jobs_b, later)
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let delivered = ra.messages_delivered + rb.messages_delivered;
    let queued = a.store.outbox_counts().await.unwrap();
    assert_eq!(queued.pending, 0);
    assert_eq!(
        delivered as i64,
        a.store.outbox_sent_total().await.unwrap() - history,
        "every message delivered by exactly one instance"
    );
    b.stop().await;
}

/// Applications filed while the outbox is being delivered: the registrar's batches and the
/// delivery's claims and marks take turns for SQLite's write lock (and lock rows on
/// PostgreSQL). Every application is answered 201, the class is not overfilled, and each
/// message goes out once.
async fn a_rush_while_mail_goes_out_loses_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            capacity: 10,
            ..Default::default()
        },
    )
    .await;
    let history = app.store.outbox_sent_total().await.unwrap();
    // Mail already waiting when the rush starts.
    for n in 0..20 {
        let (status, _) = apply(&app, class, &applicant(n), None).await;
        assert_eq!(status, 201);
    }
    let mut filing = Vec::new();
    for n in 20..80 {
        let (address, client) = (app.address.clone(), app.client.clone());
        filing.push(tokio::spawn(async move {
            client
                .post(format!("{address}/api/v1/classes/{class}/registrations"))
                .json(&applicant(n))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let jobs = app.state.jobs();
    let later = Timestamp::now() + SignedDuration::from_hours(1);
    let mut delivered = 0;
    while filing.iter().any(|t| !t.is_finished()) {
        delivered += precinct::jobs::run_once(&jobs, later).await.unwrap().messages_delivered;
    }
    for t in filing {
        assert_eq!(
            t.await.unwrap(),
            201,
            "every application filed during delivery is accepted"
        );
    }
    delivered += precinct::jobs::run_once(&jobs, later).await.unwrap().messages_delivered;

    let stored = app.store.applications_in_class(class).await.unwrap();
    assert_eq!(stored.len(), 80);
    assert_eq!(stored.iter().filter(|(_, s)| s == "confirmed").count(), 10);
    assert_eq!(app.store.outbox_counts().await.unwrap().pending, 0);
    let sent = app.store.outbox_sent_total().await.unwrap() - history;
    assert!(sent >= 80, "one confirmation per application at least, {sent} sent");
    assert_eq!(delivered as i64, sent, "each message delivered once");
}

on_both_backends!(
    two_instances_share_applications_sessions_and_jobs,
    a_rush_while_mail_goes_out_loses_nothing,
);
