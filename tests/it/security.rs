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

/// A signed-in coordinator's capacity change, sent with the given provenance headers.
async fn capacity_post(app: &crate::helpers::TestApp, cookie: &str, headers: &[(&str, &str)]) -> u16 {
    let class = app.class_id("Class 33").await;
    let mut req = app
        .client
        .post(format!("{}/staff/classes/{class}/capacity", app.address))
        .header(reqwest::header::COOKIE, cookie)
        .form(&[("capacity", "31")]);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.unwrap().status().as_u16()
}

async fn state_changes_need_this_sites_origin(backend: Backend) {
    let app = spawn_demo(backend).await;
    let cookie = crate::actors::session(&app, crate::actors::COORDINATOR).await;
    let here = app.address.clone();
    let other_scheme = here.replace("http://", "https://");
    let port: u16 = here.rsplit(':').next().unwrap().parse().unwrap();
    let other_port = format!("http://127.0.0.1:{}", port.wrapping_add(1));
    for origin in [
        other_scheme.as_str(),
        other_port.as_str(),
        "null",
        "https://attacker.example",
    ] {
        assert_eq!(
            capacity_post(&app, &cookie, &[("Origin", origin)]).await,
            403,
            "{origin}"
        );
    }
    // A cookie with neither Origin nor Sec-Fetch-Site says nothing of where it comes from.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!(
            "{here}/staff/classes/{}/capacity",
            app.class_id("Class 33").await
        ))
        .header(reqwest::header::COOKIE, &cookie)
        .form(&[("capacity", "31")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert!(res.text().await.unwrap().contains("did not come from this site"));
    assert_eq!(
        capacity_post(&app, &cookie, &[("Sec-Fetch-Site", "same-site")]).await,
        403
    );
    let class = app.class_id("Class 33").await;
    assert_eq!(
        app.get_json(&format!("/api/v1/classes/{class}")).await["capacity"],
        30,
        "nothing changed"
    );
    // This site's own pages pass, by Origin or by Fetch Metadata.
    assert_eq!(capacity_post(&app, &cookie, &[("Origin", here.as_str())]).await, 303);
    assert_eq!(
        capacity_post(
            &app,
            &cookie,
            &[
                ("Origin", "https://attacker.example"),
                ("Sec-Fetch-Site", "same-origin")
            ]
        )
        .await,
        303,
        "the browser's own word wins over a forged-looking Origin it would never send"
    );
    // Programs without cookies (bearer tokens, Open311 apps) send neither header.
    let plain = reqwest::Client::new();
    let res = plain
        .post(format!("{here}/open311/v2/requests.json"))
        .form(&[
            ("service_code", "information"),
            ("description", "A question"),
            ("email", "q@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(res.status().as_u16(), 403);
}

async fn the_public_url_is_the_only_origin_behind_a_proxy(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            demo: true,
            public_url: Some("https://programs.harborpoint.example".into()),
            ..Default::default()
        },
    )
    .await;
    let res = app
        .client
        .post(format!("{}/staff/sign-in", app.address))
        .header("Origin", "http://programs.harborpoint.example")
        .form(&[("email", "a@b.example"), ("password", "x")])
        .header(reqwest::header::COOKIE, "x=y")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status().as_u16(),
        403,
        "plain HTTP is another origin than the HTTPS site"
    );
    let res = app
        .client
        .post(format!("{}/staff/sign-in", app.address))
        .form(&[("email", "a@b.example"), ("password", "x")])
        .header(reqwest::header::COOKIE, "x=y")
        .send()
        .await
        .unwrap();
    assert_ne!(res.status().as_u16(), 403, "the public origin passes");
}

on_both_backends!(
    state_changes_need_this_sites_origin,
    the_public_url_is_the_only_origin_behind_a_proxy,
    pages_and_api_carry_security_headers,
    hsts_is_sent_when_served_over_https,
    pages_have_no_inline_script,
    every_response_has_a_request_id_and_keeps_the_callers,
    oversized_bodies_are_refused_with_413,
    script_in_a_url_is_never_reflected,
);
