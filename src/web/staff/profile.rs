//! A staff member's own pages ("My account"), and their public profile: their own consent to be named (with rank and photo)
//! on the public program pages, and their portrait. Only the person decides; nobody
//! else can publish someone's name or face.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::documents::photo::{self, PhotoError};
use crate::service::staffing;
use crate::store::profiles::Profile;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::layout::{Layout, render};
use crate::web::see_other;
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/account.html")]
struct AccountPage {
    layout: Layout,
    pages: &'static [(&'static str, &'static str, &'static str)],
}

/// `GET /staff/account`: one's own pages (calendar, public profile, two-step sign-in, password).
pub async fn account(ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let page = AccountPage {
        layout: super::layout(dept.as_ref(), crate::web::layout::ACCOUNT, user),
        pages: crate::web::layout::ACCOUNT_PAGES,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "staff/profile.html")]
struct ProfilePage {
    layout: Layout,
    profile: Profile,
    saved: bool,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    saved: bool,
    error: Option<(StatusCode, String)>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let profile = state
        .store
        .profile(user.id)
        .await?
        .ok_or(AppError::NotFound("profile"))?;
    let (status, error) = match error {
        Some((s, e)) => (s, Some(e)),
        None => (StatusCode::OK, None),
    };
    let page = ProfilePage {
        layout: super::layout(dept.as_ref(), "/staff/profile", user),
        profile,
        saved,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Saved {
    saved: String,
}

/// `GET /staff/profile`.
pub async fn show(State(state): State<AppState>, ctx: StaffPage, Query(q): Query<Saved>) -> Result<Response, AppError> {
    page(&state, &ctx, !q.saved.is_empty(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConsentForm {
    public: String,
}

/// `POST /staff/profile`: agree (or no longer agree) to be named and pictured.
pub async fn consent(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<ConsentForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let public = form.public == "yes";
    staffing::set_public_profile(&state.store, &actor(user), user.id, public, Timestamp::now()).await?;
    Ok(see_other("/staff/profile?saved=1"))
}

/// `POST /staff/profile/photo` (multipart, field `photo`): shrunk and re-encoded first.
pub async fn upload(
    State(state): State<AppState>,
    ctx: StaffPage,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let refuse = |e: PhotoError| Some((StatusCode::UNPROCESSABLE_ENTITY, e.to_string()));
    let mut multipart = multipart.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("photo") => match field.bytes().await {
                Ok(bytes) => file = Some(bytes),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return page(&state, &ctx, false, refuse(PhotoError::TooLarge)).await;
                }
                Err(e) => return Err(AppError::BadRequest(e.body_text())),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return page(&state, &ctx, false, refuse(PhotoError::TooLarge)).await;
            }
            Err(e) => return Err(AppError::BadRequest(e.body_text())),
        }
    }
    let bytes = file.unwrap_or_default();
    // Decoding and resizing take a moment of CPU: off the request threads.
    let portrait = tokio::task::spawn_blocking(move || photo::portrait(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let portrait = match portrait {
        Ok(p) => p,
        Err(e) => return page(&state, &ctx, false, refuse(e)).await,
    };
    let size = (portrait.width, portrait.height);
    staffing::put_photo(
        &state.store,
        &actor(user),
        user.id,
        &portrait.jpeg,
        size,
        Timestamp::now(),
    )
    .await?;
    Ok(see_other("/staff/profile?saved=1"))
}

/// `POST /staff/profile/photo/remove`.
pub async fn remove(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    staffing::remove_photo(&state.store, &actor(user), user.id, Timestamp::now()).await?;
    Ok(see_other("/staff/profile?saved=1"))
}

/// A stored portrait as a JPEG answer.
pub fn jpeg(bytes: Vec<u8>, cache: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /staff/profile/photo.jpg`: one's own portrait, whatever the consent.
pub async fn own_photo(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    let bytes = state
        .store
        .staff_photo(user.id, false)
        .await?
        .ok_or(AppError::NotFound("photo"))?;
    Ok(jpeg(bytes, "private, no-store"))
}
