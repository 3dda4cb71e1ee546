//! Setting up and turning off two-step sign-in (TOTP) for one's own account, and the
//! rule that administrators must have it when the department requires it.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use crate::auth::two_factor;
use crate::domain::access::{Permission, allows};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/two_factor.html")]
struct TwoFactorPage {
    layout: Layout,
    enabled: bool,
    secret: String,
    url: String,
    error: Option<&'static str>,
    required: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    error: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let (secret, enabled, _) = state.store.totp_state(user.id).await?;
    let secret = match (enabled, secret) {
        (true, _) => String::new(),
        (false, Some(s)) => s,
        (false, None) => {
            let s = two_factor::new_secret();
            state.store.set_pending_totp(user.id, &s).await?;
            s
        }
    };
    let dept = &ctx.department;
    let issuer = dept.as_ref().map_or("Precinct", |d| d.short_name.as_str()).to_string();
    let page = TwoFactorPage {
        layout: super::layout(dept.as_ref(), "", user),
        url: if secret.is_empty() {
            String::new()
        } else {
            two_factor::otpauth_url(&secret, &issuer, &user.email)
        },
        enabled,
        secret,
        error,
        required: state.config.require_admin_totp && allows(user.role, Permission::Configure),
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/two-factor`.
pub async fn show(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    page(&state, &ctx, None, StatusCode::OK).await
}

async fn check(state: &AppState, ctx: &StaffPage, code: &str) -> Result<bool, AppError> {
    let user = &ctx.user;
    let (secret, _, last) = state.store.totp_state(user.id).await?;
    let now = Timestamp::now().as_second().max(0) as u64;
    match secret.as_deref().and_then(|s| two_factor::verify(s, code, now, last)) {
        Some(step) => Ok(state.store.accept_totp_step(user.id, step).await?),
        None => Ok(false),
    }
}

/// `POST /staff/two-factor`: confirm the app with a first code, then it is on.
pub async fn enable(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !check(&state, &ctx, &form.code).await? {
        return page(
            &state,
            &ctx,
            Some("That code is not right. Check the time on your phone and try the next code."),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    state.store.set_totp_enabled(user.id, true, Timestamp::now()).await?;
    Ok(crate::web::see_other("/staff/two-factor"))
}

/// `POST /staff/two-factor/disable`: needs a current code.
pub async fn disable(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if state.config.require_admin_totp && allows(user.role, Permission::Configure) {
        return Err(AppError::Conflict(
            "Administrators must keep two-step sign-in on.".into(),
        ));
    }
    if !check(&state, &ctx, &form.code).await? {
        return page(
            &state,
            &ctx,
            Some("That code is not right."),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    state.store.set_totp_enabled(user.id, false, Timestamp::now()).await?;
    Ok(crate::web::see_other("/staff/two-factor"))
}

/// When the department requires it, an administrator without a second factor can only
/// set one up (or sign out) until they do.
pub async fn require_for_admins(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !state.config.require_admin_totp {
        return next.run(req).await;
    }
    let path = req.uri().path();
    let exempt = matches!(path, "/staff/two-factor" | "/staff/sign-in" | "/staff/sign-out")
        || path.starts_with("/staff/password-reset")
        || !path.starts_with("/staff");
    if exempt {
        return next.run(req).await;
    }
    let Some(id) = super::session_cookie(req.headers()) else {
        return next.run(req).await;
    };
    match state
        .store
        .staff_session(&crate::auth::tokens::hash(&id), Timestamp::now())
        .await
    {
        Ok(Some(user)) if allows(user.role, Permission::Configure) && !user.totp_enabled => {
            crate::web::see_other("/staff/two-factor")
        }
        _ => next.run(req).await,
    }
}
