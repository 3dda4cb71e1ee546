//! Staff sign-in and sign-out: argon2id passwords, a fresh server-side session per
//! sign-in, and failures throttled per client address (`domain::sign_in`).

use askama::Template;
use axum::extract::State;
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::{COOKIE_NAME, session_cookie};
use crate::auth::password::{self, DUMMY_HASH};
use crate::auth::tokens;
use crate::domain::sign_in::{self, CLIENT_FAILURES, Failure, Throttle, WINDOW_MINUTES};
use crate::store::staff::StaffUser;
use crate::web::AppState;
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::layout::{Layout, render};

/// How long a staff session lasts.
const SESSION_HOURS: i64 = 12;

#[derive(Template)]
#[template(path = "staff/sign_in.html")]
struct SignInPage {
    layout: Layout,
    email: String,
    error: Option<String>,
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

/// Hashes a password with argon2id (for password changes and invitations).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    password::hash(password).map_err(|e| AppError::Internal(e.into()))
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

/// `POST /staff/sign-in`. Throttled before anything about the account is looked at, so
/// the answers over budget are the same for staff and unknown addresses, and a correct
/// password from a throttled client is refused like a wrong one.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let now = Timestamp::now();
    let client = sign_in::client_key(ip);
    // Hashed so text typed into the email field (sometimes a password) is not stored.
    let email_hash = tokens::hash(&form.email.trim().to_lowercase());
    let since = now.as_second() - WINDOW_MINUTES * 60;
    let recent: Vec<Failure> = state
        .store
        .recent_sign_in_failures(&client, since, CLIENT_FAILURES)
        .await?
        .into_iter()
        .map(|(at, hash)| Failure {
            at,
            same_email: hash == email_hash,
        })
        .collect();
    let store = state.store.clone();
    let email = form.email.trim().to_string();
    let refuse = |error: String, status: StatusCode| async move {
        let dept = store.department().await?;
        let page = SignInPage {
            layout: Layout::new(dept.as_ref(), ""),
            email,
            error: Some(error),
            changed: false,
        };
        Ok::<Response, AppError>((status, render(&page)?).into_response())
    };
    if let Throttle::Wait { minutes } = sign_in::throttle(&recent, now.as_second()) {
        tracing::warn!(%client, "staff sign-in throttled");
        let unit = if minutes == 1 { "minute" } else { "minutes" };
        let mut res = refuse(
            format!("Too many sign-in attempts from here. Try again in {minutes} {unit}."),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await?;
        res.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(minutes.saturating_mul(60)));
        return Ok(res);
    }

    let account = state.store.staff_credentials(&form.email).await?.filter(|a| a.active);
    let known = account.as_ref().map(|a| a.id);
    // Unknown, inactive and password-less accounts are checked against a dummy hash, so
    // every attempt costs one argon2 verification and timing does not tell them apart.
    let hash = account
        .as_ref()
        .and_then(|a| a.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    let password = form.password.clone();
    let ok = tokio::task::spawn_blocking(move || password::verify(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let account = account.filter(|a| ok && a.password_hash.is_some());
    // The second factor: a fresh code from the account's authenticator, each accepted once.
    let account = match account {
        Some(a) if a.totp_enabled => {
            let step = a.totp_secret.as_deref().and_then(|secret| {
                crate::auth::two_factor::verify(secret, &form.code, now.as_second().max(0) as u64, a.totp_last_step)
            });
            match step {
                Some(step) if state.store.accept_totp_step(a.id, step).await? => Some(a),
                _ => None,
            }
        }
        other => other,
    };
    let Some(account) = account else {
        state.store.record_sign_in_failure(&client, &email_hash, now).await?;
        tracing::warn!(%client, staff_id = ?known, "failed staff sign-in");
        return refuse(
            "The email address, password or code is not right.".to_string(),
            StatusCode::UNAUTHORIZED,
        )
        .await;
    };
    state.store.clear_sign_in_failures(&client, &email_hash).await?;
    let session = tokens::generate();
    let expires = now
        .checked_add(SignedDuration::from_hours(SESSION_HOURS))
        .unwrap_or(now);
    state
        .store
        .open_staff_session(account.id, &tokens::hash(&session), expires, now)
        .await?;
    tracing::info!(staff_id = %account.id, %client, "staff signed in");
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
