use crate::helpers::{Backend, spawn_empty};
use crate::on_both_backends;

async fn healthz_answers_ok_with_the_backend(backend: Backend) {
    let app = spawn_empty(backend).await;
    let body = app.get_json("/healthz").await;
    assert_eq!(body["status"], "ok");
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
}

async fn healthz_answers_503_when_the_database_is_gone(backend: Backend) {
    let app = spawn_empty(backend).await;
    app.store.close().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["type"], "/problems/unavailable");
}

async fn pages_answer_503_not_500_when_the_database_is_gone(backend: Backend) {
    let app = spawn_empty(backend).await;
    app.store.close().await;
    let (status, body) = app.get_text("/programs").await;
    assert_eq!(status, 503);
    assert!(body.contains("briefly unavailable"), "{body}");
    let res = app.get("/api/v1/programs").await;
    assert_eq!(res.status().as_u16(), 503);
}

async fn graceful_stop_closes_the_listener(backend: Backend) {
    let app = spawn_empty(backend).await;
    let address = app.address.clone();
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    app.stop().await;
    assert!(reqwest::get(format!("{address}/healthz")).await.is_err());
}

on_both_backends!(
    healthz_answers_ok_with_the_backend,
    healthz_answers_503_when_the_database_is_gone,
    pages_answer_503_not_500_when_the_database_is_gone,
    graceful_stop_closes_the_listener,
);
