//! Department settings an admin may change: which reviewing roles see sensitive
//! screening fields (background-check results and notes).

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::app::AppState;
use crate::domain::Role;
use crate::domain::access::Permission;
use crate::domain::screening::parse_roles;
use crate::error::AppError;
use crate::store::staff::{AuditRecord, StaffUser};
use crate::web::layout::{Layout, render};

/// The roles that can be named: only reviewing roles ever see screening at all.
const NAMEABLE: [Role; 2] = [Role::Admin, Role::Coordinator];

#[derive(Template)]
#[template(path = "staff/settings.html")]
struct SettingsPage {
    layout: Layout,
    /// `(code, label, checked)` per nameable role.
    roles: Vec<(&'static str, &'static str, bool)>,
    saved: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Saved {
    saved: String,
}

/// `GET /staff/settings`.
pub async fn show(
    State(state): State<AppState>,
    user: StaffUser,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::Configure)?;
    let named = parse_roles(&state.store.sensitive_roles().await?);
    let dept = state.store.department().await?;
    let page = SettingsPage {
        layout: super::layout(dept.as_ref(), "/staff/settings", &user),
        roles: NAMEABLE
            .iter()
            .map(|r| (r.code(), r.label(), named.contains(r)))
            .collect(),
        saved: q.saved == "1",
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    admin: String,
    coordinator: String,
}

/// `POST /staff/settings`.
pub async fn save(
    State(state): State<AppState>,
    user: StaffUser,
    form: Result<Form<SettingsForm>, FormRejection>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::Configure)?;
    let Form(form) = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let roles: Vec<&str> = [(Role::Admin, &form.admin), (Role::Coordinator, &form.coordinator)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(r, _)| r.code())
        .collect();
    let roles = roles.join(",");
    let who = actor(&user);
    let now = Timestamp::now();
    let mut tx = state.store.begin().await?;
    let before = tx.set_sensitive_roles(&roles).await?;
    tx.audit(
        &AuditRecord {
            actor: &who,
            action: "department.sensitive_roles",
            object_type: "department",
            object_id: "1".into(),
            before: before.map(|b| serde_json::json!({ "sensitive_roles": b })),
            after: Some(serde_json::json!({ "sensitive_roles": roles })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(crate::web::see_other("/staff/settings?saved=1"))
}
