//! `/metrics` (Prometheus text), `/livez` and `/readyz`.

use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, Options, TestApp, spawn_app_with};
use crate::on_both_backends;

async fn scrape(app: &TestApp, headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = app.client.get(format!("{}/metrics", app.address));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The value of the sample line that starts with `series`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn metrics_count_requests_applications_jobs_and_the_outbox(backend: Backend) {
    let app = spawn(backend).await;
    crate::helpers::without_demo_reminders(&app).await;
    assert_eq!(app.get_text("/livez").await, (200, "ok".to_string()));
    assert_eq!(app.get("/readyz").await.status().as_u16(), 200);
    let class = open_class(&app, ClassSpec::default()).await;
    for n in 0..3 {
        apply(&app, class, &applicant(n), None).await;
    }
    let page = format!("/classes/{class}");
    assert_eq!(app.get(&page).await.status().as_u16(), 200);
    // Read again at once: answered from the page cache, which counts it, as the router
    // never sees it.
    let again = app.get(&page).await;
    assert_eq!(again.headers()["x-cache"], "hit");
    assert_eq!(app.get("/classes/999999").await.status().as_u16(), 404);

    let (status, text) = scrape(&app, &[]).await;
    assert_eq!(status, 200, "a direct scrape from this machine");
    assert_eq!(
        sample(
            &text,
            r#"precinct_http_requests_total{method="GET",route="/classes/{id}",status="200"}"#
        ),
        Some(1.0),
        "routes are templates, not raw paths:\n{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"precinct_http_requests_total{method="GET",route="/classes/{id}",status="404"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"precinct_page_cache_answers_total{result="miss"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"precinct_page_cache_answers_total{result="hit"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"precinct_http_requests_total{method="POST",route="/api/v1/classes/{id}/registrations",status="201"}"#
        ),
        Some(3.0)
    );
    assert!(
        text.contains(r#"precinct_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/livez"} 1"#)
            || text
                .contains(r#"precinct_http_request_duration_seconds_bucket{method="GET",route="/livez",le="+Inf"} 1"#),
        "{text}"
    );
    assert!(sample(&text, r#"precinct_applications{status="holding_seat"}"#).unwrap() >= 3.0);
    assert_eq!(
        sample(&text, r#"precinct_outbox_messages{status="pending"}"#),
        Some(3.0)
    );
    assert!(sample(&text, "precinct_outbox_oldest_pending_seconds").is_some());
    assert_eq!(sample(&text, "precinct_outbox_delivered_total"), Some(0.0));

    precinct::jobs::run_once(&app.state.jobs(), jiff::Timestamp::now())
        .await
        .unwrap();
    let (_, text) = scrape(&app, &[]).await;
    assert_eq!(sample(&text, r#"precinct_job_runs_total{result="ok"}"#), Some(1.0));
    assert_eq!(
        sample(&text, r#"precinct_outbox_messages{status="pending"}"#),
        Some(0.0)
    );
    assert_eq!(sample(&text, "precinct_outbox_delivered_total"), Some(3.0));
    assert_eq!(sample(&text, "precinct_outbox_oldest_pending_seconds"), Some(0.0));

    // Relayed by a proxy, the same scrape is refused: the public must not read it.
    assert_eq!(scrape(&app, &[("x-forwarded-for", "203.0.113.9")]).await.0, 404);
}

async fn a_token_guards_metrics_when_configured(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            metrics_token: Some("scrape-secret".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(scrape(&app, &[]).await.0, 404);
    assert_eq!(scrape(&app, &[("authorization", "Bearer wrong")]).await.0, 404);
    let (status, text) = scrape(
        &app,
        &[
            ("authorization", "Bearer scrape-secret"),
            ("x-forwarded-for", "10.0.0.5"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(text.contains("# TYPE precinct_http_requests counter"));
}

on_both_backends!(
    metrics_count_requests_applications_jobs_and_the_outbox,
    a_token_guards_metrics_when_configured,
);
