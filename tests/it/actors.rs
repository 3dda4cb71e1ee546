//! Who acts in the tests: the demo's staff of each role (signed in with a known password)
//! and applicants (signed in through the link they were emailed), and the one form helper
//! every test posts with.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::helpers::TestApp;

pub const PASSWORD: &str = "correct horse battery staple";

pub async fn set_password(app: &TestApp, email: &str) {
    let hash = precinct::auth::password::hash(PASSWORD).unwrap();
    assert!(
        app.store.set_staff_password(email, &hash).await.unwrap(),
        "{email} exists in the demo"
    );
}

pub async fn staff_sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/staff/sign-in", app.address))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// Signs in and returns the session cookie.
pub async fn session(app: &TestApp, email: &str) -> String {
    set_password(app, email).await;
    let res = staff_sign_in(app, email, PASSWORD).await;
    assert_eq!(res.status().as_u16(), 303, "{email} signs in");
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/staff"));
    cookie.split(';').next().unwrap().to_string()
}

/// The one form helper: POSTs `form` to `path`, with the session cookie when given.
pub async fn post_form(app: &TestApp, cookie: Option<&str>, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.client.post(format!("{}{path}", app.address)).form(form);
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    req.send().await.unwrap()
}

pub async fn get_as(app: &TestApp, cookie: Option<&str>, path: &str) -> u16 {
    let mut req = app.client.get(format!("{}{path}", app.address));
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    req.send().await.unwrap().status().as_u16()
}

pub async fn post_as(app: &TestApp, cookie: Option<&str>, path: &str, form: &[(&str, &str)]) -> u16 {
    post_form(app, cookie, path, form).await.status().as_u16()
}

/// POSTs a form as the holder of `cookie`; status, `Location` and body.
pub async fn post_page(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let res = post_form(app, Some(cookie), path, form).await;
    let status = res.status().as_u16();
    let location = res.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_string());
    (status, location, res.text().await.unwrap())
}

pub const ADMIN: &str = "admin@harborpoint-pd.example";
pub const COORDINATOR: &str = "m.okafor@harborpoint-pd.example";
/// Presents the K-9 session of the demo classes.
pub const PRESENTING_OFFICER: &str = "d.ferreira@harborpoint-pd.example";
/// Presents nothing.
pub const OTHER_OFFICER: &str = "j.brandt@harborpoint-pd.example";
/// The demo's counselor at Harbor Point High School.
pub const COUNSELOR: &str = "counselor@harborpoint-schools.example";

/// The token of the newest link emailed to `email`.
pub async fn link_token(app: &TestApp, email: &str) -> String {
    let messages = app.mailbox(email).await;
    let body = &messages
        .iter()
        .rev()
        .find(|m| m.body_text.contains("/my/link/"))
        .expect("a message with a link was queued")
        .body_text;
    let start = body.find("/my/link/").unwrap() + "/my/link/".len();
    body[start..].split_whitespace().next().unwrap().to_string()
}

/// An applicant: uses an emailed sign-in link and returns the `/my` session cookie.
pub async fn applicant_session(app: &TestApp, token: &str) -> String {
    let page = app.get(&format!("/my/link/{token}")).await;
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("Continue"));
    let res = app
        .client
        .post(format!("{}/my/link/{token}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()[LOCATION], "/my/applications");
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    cookie.split(';').next().unwrap().to_string()
}

pub async fn post_with(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    app.client
        .post(format!("{}{path}", app.address))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

/// Withdraws an application as its signed-in owner (confirmed on the form), then lets the
/// grace period pass; returns the moment the withdrawal took effect.
pub async fn withdraw(app: &TestApp, cookie: &str, id: impl std::fmt::Display) -> jiff::Timestamp {
    let path = format!("/my/applications/{id}/withdraw");
    let res = post_form(app, Some(cookie), &path, &[("confirm", "yes")]).await;
    assert_eq!(res.status().as_u16(), 303, "POST {path}");
    let effective = precinct::domain::application::withdrawal_takes_effect(jiff::Timestamp::now());
    let done = precinct::service::applicants::finish_withdrawals(&app.store, &app.state.links, effective)
        .await
        .unwrap();
    assert_eq!(done, 1, "the withdrawal took effect");
    effective
}
