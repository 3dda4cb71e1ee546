//! Public pages kept in memory (`precinct::web::page_cache`): kept pages are really used
//! (`X-Cache: hit`), and writes retire them before their answer is read: an application
//! through the API and through the form, a staff change through the API. Nothing is kept
//! for a reader with credentials, and the form on a kept page carries no per-reader token
//! (a double submit still files once).

use serde_json::json;

use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

/// GET `path` anonymously: status, `X-Cache` and body.
async fn read(app: &TestApp, path: &str) -> (u16, Option<String>, String) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    let outcome = res.headers().get("x-cache").map(|v| v.to_str().unwrap().to_string());
    (status, outcome, res.text().await.unwrap())
}

async fn kept_pages_follow_every_write(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let path = format!("/classes/{class}");

    let (status, first, page) = read(&app, &path).await;
    assert_eq!((status, first.as_deref()), (200, Some("miss")));
    assert!(page.contains("30 of 30 seats left"));
    assert!(
        !page.contains("name=\"form_token\""),
        "the kept page carries no per-reader token"
    );
    let (_, second, again) = read(&app, &path).await;
    assert_eq!(
        second.as_deref(),
        Some("hit"),
        "the second reader is served from memory"
    );
    assert_eq!(again, page);

    // An application through the API retires it before the 201 is read.
    let (status, body) = apply(&app, class, &applicant(1), None).await;
    assert_eq!(status, 201, "{body}");
    let (_, outcome, page) = read(&app, &path).await;
    assert_eq!(outcome.as_deref(), Some("miss"));
    assert!(
        page.contains("29 of 30 seats left"),
        "seats left counts the application"
    );

    // Through the form, twice: the second send is the same application, not a new one.
    for _ in 0..2 {
        let res = app
            .client
            .post(format!("{}{path}/apply", app.address))
            .form(&crate::self_service::form_fields(2, ""))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.text().await.unwrap().contains("Application received"));
    }
    let (_, _, page) = read(&app, &path).await;
    assert!(page.contains("28 of 30 seats left"), "one seat for a double submit");

    // A staff change through the API.
    let coordinator = crate::manage::token(&app, "coordinator");
    let res = app
        .client
        .patch(format!("{}/api/v1/classes/{class}", app.address))
        .bearer_auth(&coordinator)
        .json(&json!({"capacity": 40}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let (_, _, page) = read(&app, &path).await;
    assert!(page.contains("38 of 40 seats left"));
    let (_, json_outcome, _) = read(&app, &format!("/api/v1/classes/{class}")).await;
    assert_eq!(json_outcome.as_deref(), Some("miss"));
    let (_, json_outcome, class_json) = read(&app, &format!("/api/v1/classes/{class}")).await;
    assert_eq!(json_outcome.as_deref(), Some("hit"));
    assert!(class_json.contains("\"capacity\":40"), "{class_json}");
}

/// A kept page answers a revalidation with 304; credentials bypass the cache altogether.
async fn kept_pages_revalidate_and_readers_with_credentials_pass_by(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let path = format!("/classes/{class}");
    let res = app.get(&path).await;
    let tag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 304);
    assert_eq!(res.headers()["x-cache"], "hit");
    assert_eq!(res.headers()["etag"].to_str().unwrap(), tag);
    // A HEAD is never kept, but revalidates all the same.
    let res = app
        .client
        .head(format!("{}{path}", app.address))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 304);

    for (name, value) in [
        ("cookie", "precinct_applicant=whatever"),
        ("authorization", "Bearer whatever"),
    ] {
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert!(
            res.headers().get("x-cache").is_none(),
            "{name}: rendered for this reader"
        );
    }
    // Private paths are never kept, whoever asks.
    let res = app.get("/my").await;
    assert!(res.headers().get("x-cache").is_none());
}

on_both_backends!(
    kept_pages_follow_every_write,
    kept_pages_revalidate_and_readers_with_credentials_pass_by
);
