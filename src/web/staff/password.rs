//! Staff password reset by emailed link: single use, one hour, stored hashed. The
//! request page answers the same whether or not the address has an account.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use crate::auth::tokens;
use crate::store::outbox::OutgoingMessage;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/password_reset.html")]
struct ResetPage {
    layout: Layout,
    /// `request`, `sent`, `choose` or `invalid`.
    step: &'static str,
    token: String,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    step: &'static str,
    token: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let dept = state.store.department().await?;
    Ok((
        status,
        render(&ResetPage {
            layout: Layout::new(dept.as_ref(), ""),
            step,
            token,
            error,
        })?,
    )
        .into_response())
}

/// `GET /staff/password-reset`.
pub async fn request_page(State(state): State<AppState>) -> Result<Response, AppError> {
    page(&state, "request", String::new(), None, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

/// `POST /staff/password-reset`.
pub async fn request(State(state): State<AppState>, Form(form): Form<EmailForm>) -> Result<Response, AppError> {
    let now = Timestamp::now();
    let token = tokens::generate();
    let expires = now.checked_add(SignedDuration::from_hours(1)).unwrap_or(now);
    let link = crate::store::outbox::SecretLink::new(
        crate::domain::mail::LinkKind::StaffPassword,
        &state.links.base_url,
        &token,
        Some(expires),
    );
    let dept = state
        .store
        .department()
        .await?
        .map_or_else(|| "Police Department".to_string(), |d| d.name);
    state
        .store
        .start_password_reset(
            &form.email,
            &tokens::hash(&token),
            expires,
            |to| OutgoingMessage {
                kind: "staff_password_reset",
                recipient: to.to_string(),
                subject: format!("Reset your {dept} staff password"),
                body_text: format!(
                    "Hello,\n\nSomeone asked to reset the password of your staff account. If it was you, choose a \
                     new password here within the hour (the link works once):\n{mark}\n\nIf it was not you, ignore \
                     this email; your password stays as it is.\n\n{dept}\n",
                    mark = crate::domain::mail::LINK_MARK,
                ),
                link: Some(link),
                ..Default::default()
            },
            now,
        )
        .await?;
    page(&state, "sent", String::new(), None, StatusCode::OK).await
}

/// `GET /staff/password-reset/{token}`.
pub async fn choose_page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    if state
        .store
        .password_reset_valid(&tokens::hash(&token), Timestamp::now())
        .await?
    {
        page(&state, "choose", token, None, StatusCode::OK).await
    } else {
        page(&state, "invalid", String::new(), None, StatusCode::GONE).await
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    password: String,
    confirm: String,
}

/// `POST /staff/password-reset/{token}`.
pub async fn choose(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let dept = state.store.department().await?.map(|d| d.name).unwrap_or_default();
    let problem = crate::domain::password::problem(&form.password, &[&dept])
        .or_else(|| (form.password != form.confirm).then(|| "The two passwords are not the same.".to_string()));
    if let Some(p) = problem {
        return page(&state, "choose", token, Some(p), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let password = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || super::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    if state
        .store
        .finish_password_reset(&tokens::hash(&token), &hash, Timestamp::now())
        .await?
    {
        Ok(crate::web::see_other("/staff/sign-in"))
    } else {
        page(&state, "invalid", String::new(), None, StatusCode::GONE).await
    }
}

#[derive(Template)]
#[template(path = "staff/password_change.html")]
struct ChangePage {
    layout: Layout,
    error: Option<String>,
}

async fn change_page(ctx: &StaffPage, error: Option<String>, status: StatusCode) -> Result<Response, AppError> {
    let page = ChangePage {
        layout: ctx.layout("/staff/password"),
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/password`: change one's own password.
pub async fn change_form(ctx: StaffPage) -> Result<Response, AppError> {
    change_page(&ctx, None, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChangeForm {
    current: String,
    password: String,
    confirm: String,
}

/// `POST /staff/password`: needs the current password; ends every session of the account,
/// this one included, so a stolen session cannot outlive the change.
pub async fn change(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let stored = state
        .store
        .staff_credentials(&user.email)
        .await?
        .and_then(|c| c.password_hash)
        .unwrap_or_default();
    let dept = ctx.department.as_ref().map(|d| d.name.clone()).unwrap_or_default();
    let current = form.current.clone();
    let current_ok = tokio::task::spawn_blocking(move || crate::auth::password::verify(&current, &stored))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let problem = if !current_ok {
        Some("Your current password is not right.".to_string())
    } else {
        crate::domain::password::problem(&form.password, &[&user.email, &user.full_name, &dept])
            .or_else(|| (form.password != form.confirm).then(|| "The two new passwords are not the same.".to_string()))
    };
    if let Some(p) = problem {
        return change_page(&ctx, Some(p), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let password = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || super::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    crate::service::staffing::change_password(
        &state.store,
        &super::classes::actor(user),
        user,
        &hash,
        Timestamp::now(),
    )
    .await?;
    Ok(crate::web::see_other("/staff/sign-in?changed=1"))
}
