//! The department's units (Detectives, K-9, Motors, ...) and the staff JSON API tokens,
//! both kept by administrators.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::Permission;
use crate::domain::{Role, TokenId, UnitId};
use crate::format;
use crate::service::{Error, department};
use crate::store::people::{TokenRow, UnitRow};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/units.html")]
struct UnitsPage {
    layout: Layout,
    units: Vec<UnitRow>,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
}

async fn units_page(
    state: &AppState,
    ctx: &StaffPage,
    errors: Vec<String>,
    notice: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let page = UnitsPage {
        layout: super::layout(dept.as_ref(), "/staff/people", user),
        units: state.store.unit_rows().await?,
        errors,
        notice,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/units`.
pub async fn list(State(state): State<AppState>, ctx: StaffPage, Query(q): Query<Done>) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let notice = match q.done.as_str() {
        "added" => Some("Unit added."),
        "saved" => Some("Unit saved."),
        "removed" => Some("Unit removed."),
        _ => None,
    };
    units_page(&state, &ctx, Vec::new(), notice, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UnitForm {
    name: String,
    description: String,
}

/// Checks a unit's name and description; returns them trimmed.
fn checked(form: &UnitForm) -> Result<(String, String), Vec<String>> {
    let name = form.name.trim().to_string();
    let description = form.description.trim().to_string();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 80 {
        errors.push("Give the unit a name of 1 to 80 characters, like K-9.".to_string());
    }
    if description.chars().count() > 300 {
        errors.push("Keep the description to 300 characters.".to_string());
    }
    if errors.is_empty() {
        Ok((name, description))
    } else {
        Err(errors)
    }
}

/// `POST /staff/units`: adds a unit.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<UnitForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let (name, description) = match checked(&form) {
        Ok(v) => v,
        Err(errors) => return units_page(&state, &ctx, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match department::add_unit(&state.store, &actor(user), &name, &description, Timestamp::now()).await {
        Ok(_) => {}
        Err(Error::Invalid { failures, .. }) => {
            return units_page(
                &state,
                &ctx,
                crate::service::messages(&failures),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(crate::web::see_other("/staff/units?done=added"))
}

/// `POST /staff/units/{id}`: renames a unit or changes its description.
pub async fn update(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<UnitId>,
    Form(form): Form<UnitForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let (name, description) = match checked(&form) {
        Ok(v) => v,
        Err(errors) => return units_page(&state, &ctx, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    department::rename_unit(&state.store, &actor(user), id, &name, &description, Timestamp::now()).await?;
    Ok(crate::web::see_other("/staff/units?done=saved"))
}

/// `POST /staff/units/{id}/delete`: removes a unit nobody belongs to and no session names.
pub async fn delete(State(state): State<AppState>, ctx: StaffPage, Id(id): Id<UnitId>) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    department::remove_unit(&state.store, &actor(user), id, Timestamp::now()).await?;
    Ok(crate::web::see_other("/staff/units?done=removed"))
}

#[derive(Template)]
#[template(path = "staff/tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<(TokenRow, String, String)>,
    roles: &'static [Role],
    /// A token just made: shown this once, never stored in the clear.
    new_token: Option<(String, String)>,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

async fn tokens_page(
    state: &AppState,
    ctx: &StaffPage,
    new_token: Option<(String, String)>,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let when = |t: Timestamp| format::instant(t, &tz);
    let tokens = state
        .store
        .api_tokens()
        .await?
        .into_iter()
        .map(|t| {
            let created = when(t.created_at);
            let used = t.last_used_at.map_or_else(|| "Never".to_string(), when);
            (t, created, used)
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TokensPage {
        layout: super::layout(dept.as_ref(), "/staff/people", user),
        tokens,
        roles: Role::ALL,
        new_token,
        errors,
        notice,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/tokens`.
pub async fn tokens(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let notice = (q.done == "revoked").then_some("Token revoked; calls with it are refused from now on.");
    tokens_page(&state, &ctx, None, Vec::new(), notice).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    name: String,
    role: String,
}

/// `POST /staff/tokens`: makes a token and shows it once.
pub async fn create_token(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let name = form.name.trim().to_string();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 80 {
        errors.push("Name the token after what uses it, like \"City data portal\" (up to 80 characters).".to_string());
    }
    let role = Role::parse(form.role.trim());
    if role.is_none() {
        errors.push("Choose the role the token acts with.".to_string());
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return tokens_page(&state, &ctx, None, errors, None).await;
    };
    let token = department::create_token(&state.store, &actor(user), user.id, &name, role, Timestamp::now()).await?;
    tokens_page(&state, &ctx, Some((name, token)), Vec::new(), None).await
}

/// `POST /staff/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<TokenId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    department::revoke_token(&state.store, &actor(user), id, Timestamp::now()).await?;
    Ok(crate::web::see_other("/staff/tokens?done=revoked"))
}
