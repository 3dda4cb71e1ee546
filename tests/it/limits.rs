//! Request budgets: keyed on the real client behind a trusted proxy, never on what a
//! client claims; shared by every instance on PostgreSQL. And the password policy that
//! goes with the sign-in limits.

use serde_json::Value;

use crate::applications::{applicant, open_class};
use crate::helpers::{Backend, Options, TestApp, spawn_app_with};
use crate::on_both_backends;

async fn apply_from(app: &TestApp, class: precinct::domain::ClassId, n: usize, forwarded: Option<&str>) -> u16 {
    let mut req = app
        .client
        .post(format!("{}/api/v1/classes/{class}/registrations", app.address))
        .json(&applicant(n));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    if status == 429 {
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["type"], "/problems/rate-limited");
    }
    status
}

async fn a_trusted_proxy_names_the_client_and_nobody_else_can(backend: Backend) {
    let behind_proxy = spawn_app_with(
        backend,
        Options {
            demo: true,
            rate_limit: Some(2),
            trusted_proxies: vec!["127.0.0.1"],
            ..Default::default()
        },
    )
    .await;
    let class = open_class(&behind_proxy, Default::default()).await;
    let a = "198.51.100.1";
    // The client wrote its own header; the proxy appended the address it saw.
    let b = "203.0.113.50, 198.51.100.2";
    let mut codes = Vec::new();
    for (n, who) in [a, a, a, b, b, b].into_iter().enumerate() {
        codes.push(apply_from(&behind_proxy, class, n, Some(who)).await);
    }
    assert_eq!(codes, [201, 201, 429, 201, 201, 429], "each client has its own budget");

    // Without a trusted proxy the header is only a claim: changing it buys nothing.
    let direct = spawn_app_with(
        backend,
        Options {
            demo: true,
            rate_limit: Some(2),
            ..Default::default()
        },
    )
    .await;
    let class = open_class(&direct, Default::default()).await;
    let mut codes = Vec::new();
    for n in 0..3 {
        codes.push(apply_from(&direct, class, n, Some(&format!("192.0.2.{n}"))).await);
    }
    assert_eq!(codes, [201, 201, 429]);
}

/// Two instances on one PostgreSQL share each client's budget; on SQLite (one machine,
/// counted in memory) each instance keeps its own, as the deployment guide says.
async fn instances_share_a_clients_budget(backend: Backend) {
    let first = spawn_app_with(
        backend,
        Options {
            demo: true,
            rate_limit: Some(3),
            ..Default::default()
        },
    )
    .await;
    let second = spawn_app_with(
        backend,
        Options {
            rate_limit: Some(3),
            database_url: Some(first.state.config.database_url()),
            ..Default::default()
        },
    )
    .await;
    let class = open_class(&first, Default::default()).await;
    let mut codes = Vec::new();
    for n in 0..4 {
        let app = if n % 2 == 0 { &first } else { &second };
        codes.push(apply_from(app, class, n, None).await);
    }
    match backend {
        Backend::Postgres => assert_eq!(codes, [201, 201, 201, 429]),
        Backend::Sqlite => assert_eq!(codes, [201, 201, 201, 201]),
    }
    // The counts are forgotten by the jobs once their windows have passed.
    if matches!(backend, Backend::Postgres) {
        let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(3);
        precinct::jobs::run_once(&first.state.jobs(), later).await.unwrap();
        assert_eq!(
            first
                .store
                .hits("requests", "127.0.0.1", jiff::Timestamp::now().as_second() / 60 * 60)
                .await
                .unwrap(),
            0
        );
    }
}

async fn guessable_staff_passwords_are_refused(backend: Backend) {
    let app = crate::applications::spawn(backend).await;
    let email = crate::actors::COORDINATOR;
    let cookie = crate::actors::session(&app, email).await;
    let change = |new: &str| {
        let client = app.client.clone();
        let url = format!("{}/staff/password", app.address);
        let cookie = cookie.clone();
        let new = new.to_string();
        async move {
            let res = client
                .post(url)
                .header(reqwest::header::COOKIE, cookie)
                .form(&[
                    ("current", "correct horse battery staple"),
                    ("password", &new),
                    ("confirm", &new),
                ])
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    for weak in [
        "password1234",
        "qwertyuiop123",
        "harborpoint2026!",
        "Harbor Point Police",
    ] {
        let (status, page) = change(weak).await;
        assert_eq!(status, 422, "{weak} refused");
        assert!(page.contains("too easy to guess"), "{weak}: the page says why");
    }
    let (status, page) = change(&"x".repeat(129)).await;
    assert_eq!(status, 422);
    assert!(page.contains("at most 128"));
    let (status, _) = change("copper lantern orbit meadow").await;
    assert_eq!(status, 303, "a passphrase of unrelated words is accepted");
}

on_both_backends!(
    a_trusted_proxy_names_the_client_and_nobody_else_can,
    instances_share_a_clients_budget,
    guessable_staff_passwords_are_refused,
);
