//! Staff sign-in and sign-out: argon2id passwords, a fresh server-side session per
//! sign-in, and a lock after repeated failures.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::{COOKIE_NAME, session_cookie};
use crate::app::AppState;
use crate::domain::access::{LOCKOUT_MINUTES, MAX_FAILED_SIGN_INS};
use crate::error::AppError;
use crate::store::staff::StaffUser;
use crate::tokens;
use crate::web::layout::{Layout, render};

/// How long a staff session lasts.
const SESSION_HOURS: i64 = 12;

#[derive(Template)]
#[template(path = "staff/sign_in.html")]
struct SignInPage {
    layout: Layout,
    email: String,
    error: Option<&'static str>,
    changed: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    /// The six-digit code, for accounts with a second factor.
    code: String,
}

/// Hashes a password with argon2id (for `precinct admin create` and password changes).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// A hash to verify against when the account does not exist, so a wrong email costs as
/// much time as a wrong password and timing does not reveal who has an account.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("not a real password").unwrap_or_default());

pub(super) fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> Result<HeaderValue, AppError> {
    crate::web::session_cookie(COOKIE_NAME, value, "/staff", "Strict", max_age, state.config.https())
}

/// `GET /staff/sign-in`.
pub async fn sign_in_page(
    State(state): State<AppState>,
    user: Option<StaffUser>,
    query: axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    if user.is_some() {
        return Ok(crate::web::see_other("/staff"));
    }
    let dept = state.store.department().await?;
    Ok(render(&SignInPage {
        layout: Layout::new(dept.as_ref(), ""),
        email: String::new(),
        error: None,
        changed: query.get("changed").is_some_and(|v| v == "1"),
    })?
    .into_response())
}

/// `POST /staff/sign-in`.
pub async fn sign_in(
    State(state): State<AppState>,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, AppError> {
    let Form(form) =
        form.map_err(|e| AppError::BadRequest(format!("The form could not be read: {}", e.body_text())))?;
    let now = Timestamp::now();
    let account = state.store.staff_credentials(&form.email).await?;
    let store = state.store.clone();
    let refuse = |error: &'static str, status: StatusCode| async move {
        let dept = store.department().await?;
        let page = SignInPage {
            layout: Layout::new(dept.as_ref(), ""),
            email: form.email.trim().to_string(),
            error: Some(error),
            changed: false,
        };
        Ok::<Response, AppError>((status, render(&page)?).into_response())
    };
    let wrong = "The email address, password or code is not right.";
    let Some(account) = account.filter(|a| a.active) else {
        let password = form.password.clone();
        let _ = tokio::task::spawn_blocking(move || verify(&password, &DUMMY_HASH)).await;
        return refuse(wrong, StatusCode::UNAUTHORIZED).await;
    };
    if account.locked_until.is_some_and(|t| t > now.as_second()) {
        return refuse(
            "This account is locked for a few minutes after too many failed attempts. Try again later.",
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let hash = account.password_hash.clone().unwrap_or_else(|| DUMMY_HASH.clone());
    let password = form.password.clone();
    let ok = tokio::task::spawn_blocking(move || verify(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        && account.password_hash.is_some();
    // The second factor: a fresh code from the account's authenticator, each accepted once.
    let ok = ok
        && (!account.totp_enabled
            || match account.totp_secret.as_deref().and_then(|secret| {
                crate::two_factor::verify(
                    secret,
                    &form.code,
                    now.as_second().max(0) as u64,
                    account.totp_last_step,
                )
            }) {
                Some(step) => state.store.accept_totp_step(account.id, step).await?,
                None => false,
            });
    if !ok {
        let lock = (account.failed_sign_ins + 1 >= MAX_FAILED_SIGN_INS).then(|| {
            now.checked_add(SignedDuration::from_mins(LOCKOUT_MINUTES))
                .unwrap_or(now)
        });
        state.store.record_failed_sign_in(account.id, lock).await?;
        tracing::warn!(staff_id = %account.id, locked = lock.is_some(), "failed staff sign-in");
        return refuse(wrong, StatusCode::UNAUTHORIZED).await;
    }
    let session = tokens::generate();
    let expires = now
        .checked_add(SignedDuration::from_hours(SESSION_HOURS))
        .unwrap_or(now);
    state
        .store
        .open_staff_session(account.id, &tokens::hash(&session), expires, now)
        .await?;
    tracing::info!(staff_id = %account.id, "staff signed in");
    let mut res = crate::web::see_other("/staff");
    res.headers_mut()
        .insert(SET_COOKIE, cookie(&state, &session, SESSION_HOURS * 3600)?);
    Ok(res)
}

/// `POST /staff/sign-out`: ends the session on the server, not only in the browser.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(id) = session_cookie(&headers) {
        state.store.end_staff_session(&tokens::hash(&id)).await?;
    }
    let mut res = crate::web::see_other("/staff/sign-in");
    res.headers_mut().insert(SET_COOKIE, cookie(&state, "", 0)?);
    Ok(res)
}
