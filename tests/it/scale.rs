//! Two instances on one database, as behind a load balancer: applications split between
//! them never oversell, a staff session opened on one works on the other, and background
//! jobs running on both at once do each piece of work once.

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

on_both_backends!(two_instances_share_applications_sessions_and_jobs);
