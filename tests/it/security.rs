use crate::helpers::{Backend, Options, spawn_app_with, spawn_demo};
use crate::on_both_backends;

async fn pages_and_api_carry_security_headers(backend: Backend) {
    let app = spawn_demo(backend).await;
    for path in ["/", "/api/v1/programs", "/no-such-page"] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        assert!(
            !h.contains_key("strict-transport-security"),
            "no HSTS without TLS: {path}"
        );
    }
}

async fn hsts_is_sent_when_served_over_https(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            public_url: Some("https://programs.harborpoint.example".into()),
            ..Default::default()
        },
    )
    .await;
    let res = app.get("/").await;
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
}

async fn pages_have_no_inline_script(backend: Backend) {
    let app = spawn_demo(backend).await;
    let id = app.class_id("Class 33").await;
    for path in [
        "/".to_string(),
        "/programs/citizen-academy".into(),
        format!("/classes/{id}"),
        "/about".into(),
    ] {
        let (_, html) = app.get_text(&path).await;
        for (i, _) in html.match_indices("<script") {
            let tag_end = html[i..].find('>').unwrap() + i;
            assert!(html[i..tag_end].contains("src="), "inline script on {path}");
        }
        assert!(!html.contains(" style=\""), "inline style attribute on {path}");
    }
}

async fn every_response_has_a_request_id_and_keeps_the_callers(backend: Backend) {
    let app = spawn_demo(backend).await;
    let res = app.get("/healthz").await;
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(!generated.is_empty());
    let res = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-me-123");
}

async fn oversized_bodies_are_refused_with_413(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            max_body_bytes: Some(1024),
            ..Default::default()
        },
    )
    .await;
    let res = app
        .client
        .post(format!("{}/api/v1/programs", app.address))
        .header("content-type", "application/json")
        .body(vec![b'a'; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 413);
}

async fn script_in_a_url_is_never_reflected(backend: Backend) {
    let app = spawn_demo(backend).await;
    let (status, html) = app.get_text("/programs/%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(status, 404);
    assert!(!html.contains("<script>alert(1)"));
}

on_both_backends!(
    pages_and_api_carry_security_headers,
    hsts_is_sent_when_served_over_https,
    pages_have_no_inline_script,
    every_response_has_a_request_id_and_keeps_the_callers,
    oversized_bodies_are_refused_with_413,
    script_in_a_url_is_never_reflected,
);
