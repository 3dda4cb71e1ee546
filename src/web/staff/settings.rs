//! Department settings an admin may change: the department's profile (name, city and
//! service area, time zone, contacts, reply-to address) and which reviewing roles see
//! sensitive screening fields (background-check results and notes).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::Role;
use crate::domain::access::Permission;
use crate::domain::department::{FieldProblem, ProfileInput};
use crate::domain::screening::parse_roles;
use crate::service::department;
use crate::store::catalog::Department;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

/// The roles that can be named: only reviewing roles ever see screening at all.
const NAMEABLE: [Role; 2] = [Role::Admin, Role::Coordinator];

/// Zones offered first; any other IANA name may be typed.
const COMMON_ZONES: [&str; 7] = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
];

#[derive(Template)]
#[template(path = "staff/settings.html")]
struct SettingsPage {
    layout: Layout,
    profile: ProfileInput,
    problems: Vec<FieldProblem>,
    zones: &'static [&'static str],
    /// `(code, label, checked)` per nameable role.
    roles: Vec<(&'static str, &'static str, bool)>,
    saved: bool,
    /// The current logo's address, if one was uploaded.
    logo: Option<String>,
    logo_error: Option<String>,
}

impl SettingsPage {
    /// The problem with one field, if any.
    fn problem(&self, field: &str) -> Option<&str> {
        self.problems.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

fn input_of(d: &Department) -> ProfileInput {
    ProfileInput {
        name: d.name.clone(),
        short_name: d.short_name.clone(),
        city: d.city.clone(),
        state: d.state.clone(),
        service_area: d.service_area.clone(),
        time_zone: d.time_zone.clone(),
        address: d.address.clone(),
        phone: d.phone.clone(),
        non_emergency_phone: d.non_emergency_phone.clone(),
        email: d.email.clone(),
        website: d.website.clone(),
        reply_to: d.reply_to.clone(),
        accessibility_contact: d.accessibility_contact.clone(),
        tagline: d.tagline.clone(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Saved {
    saved: String,
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    profile: Option<ProfileInput>,
    problems: Vec<FieldProblem>,
    saved: bool,
) -> Result<Response, AppError> {
    page_with(state, ctx, profile, problems, saved, None).await
}

async fn page_with(
    state: &AppState,
    ctx: &StaffPage,
    profile: Option<ProfileInput>,
    problems: Vec<FieldProblem>,
    saved: bool,
    logo_error: Option<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let named = parse_roles(&state.store.sensitive_roles().await?);
    let dept = &ctx.department;
    let profile = profile.unwrap_or_else(|| dept.as_ref().map(input_of).unwrap_or_default());
    let status = if problems.is_empty() && logo_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let logo = dept
        .as_ref()
        .and_then(|d| d.logo_updated_at)
        .map(|v| format!("/logo.png?v={v}"));
    let page = SettingsPage {
        logo,
        logo_error,
        layout: super::layout(dept.as_ref(), "/staff/settings", user),
        profile,
        problems,
        zones: &COMMON_ZONES,
        roles: NAMEABLE
            .iter()
            .map(|r| (r.code(), r.label(), named.contains(r)))
            .collect(),
        saved,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/settings`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    page(&state, &ctx, None, Vec::new(), q.saved == "1").await
}

/// `POST /staff/settings/department`: the department's profile.
pub async fn save_profile(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(input): Form<ProfileInput>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let p = match input.check() {
        Ok(p) => p,
        Err(problems) => return page(&state, &ctx, Some(input), problems, false).await,
    };
    department::save_profile(&state.store, &actor(user), &p, Timestamp::now()).await?;
    Ok(crate::web::see_other("/staff/settings?saved=1"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    admin: String,
    coordinator: String,
}

/// `POST /staff/settings`: who sees sensitive fields.
pub async fn save(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let roles: Vec<&str> = [(Role::Admin, &form.admin), (Role::Coordinator, &form.coordinator)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(r, _)| r.code())
        .collect();
    let roles = roles.join(",");
    department::set_sensitive_roles(&state.store, &actor(user), &roles, Timestamp::now()).await?;
    Ok(crate::web::see_other("/staff/settings?saved=1"))
}

/// `POST /staff/settings/logo` (multipart, field `logo`): re-encoded like officers' photos.
pub async fn upload_logo(
    State(state): State<AppState>,
    ctx: StaffPage,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let mut multipart = multipart.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let too_large = crate::documents::photo::PhotoError::TooLarge.to_string();
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("logo") => match field.bytes().await {
                Ok(bytes) => file = Some(bytes),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return page_with(&state, &ctx, None, Vec::new(), false, Some(too_large)).await;
                }
                Err(e) => return Err(AppError::BadRequest(e.body_text())),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return page_with(&state, &ctx, None, Vec::new(), false, Some(too_large)).await;
            }
            Err(e) => return Err(AppError::BadRequest(e.body_text())),
        }
    }
    let bytes = file.unwrap_or_default();
    // Decoding and resizing take a moment of CPU: off the request threads.
    let logo = tokio::task::spawn_blocking(move || crate::documents::photo::logo(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let logo = match logo {
        Ok(l) => l,
        Err(e) => return page_with(&state, &ctx, None, Vec::new(), false, Some(e.to_string())).await,
    };
    department::put_logo(
        &state.store,
        &actor(user),
        &logo.png,
        (logo.width, logo.height),
        Timestamp::now(),
    )
    .await?;
    Ok(crate::web::see_other("/staff/settings?saved=1"))
}

/// `POST /staff/settings/logo/remove`.
pub async fn remove_logo(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    department::remove_logo(&state.store, &actor(user), Timestamp::now()).await?;
    Ok(crate::web::see_other("/staff/settings?saved=1"))
}
