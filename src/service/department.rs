//! The department's own set-up kept by administrators: its profile, logo and who sees
//! sensitive fields, its units, and the API tokens other systems use. Each change is one transaction with its audit record.

use jiff::Timestamp;

use super::Error;
use crate::domain::audit::AuditAction;
use crate::domain::department::Profile;
use crate::domain::{Role, StaffId, TokenId, UnitId};
use crate::store::Store;
use crate::store::seed::NewDepartment;
use crate::store::staff::AuditRecord;

/// Adds a unit. Refused (`Invalid`) when another unit has a name that makes the same slug.
pub async fn add_unit(
    store: &Store,
    actor: &str,
    name: &str,
    description: &str,
    now: Timestamp,
) -> Result<UnitId, Error> {
    let mut tx = store.begin().await?;
    let id = match tx
        .insert_unit(&crate::domain::department::unit_slug(name), name, description)
        .await
    {
        Ok(id) => id,
        Err(e) if e.is_unique_violation() => {
            return Err(Error::invalid_because(vec![format!(
                "There is already a unit named like \"{name}\"."
            )]));
        }
        Err(e) => return Err(e.into()),
    };
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::UnitCreate,
            object_type: "unit",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "name": name, "description": description })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames a unit or changes its description.
pub async fn rename_unit(
    store: &Store,
    actor: &str,
    id: UnitId,
    name: &str,
    description: &str,
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    let before = tx
        .rename_unit(id, name, description)
        .await?
        .ok_or(Error::NotFound("unit"))?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::UnitUpdate,
            object_type: "unit",
            object_id: id.to_string(),
            before: Some(serde_json::json!({ "name": before })),
            after: Some(serde_json::json!({ "name": name, "description": description })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a unit nobody belongs to and no session names.
pub async fn remove_unit(store: &Store, actor: &str, id: UnitId, now: Timestamp) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    match tx.delete_unused_unit(id).await? {
        None => return Err(Error::NotFound("unit")),
        Some(false) => {
            return Err(Error::conflict(
                "This unit still has members or presents sessions; move them to another unit first. Its name can be changed instead.",
            ));
        }
        Some(true) => {}
    }
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::UnitDelete,
            object_type: "unit",
            object_id: id.to_string(),
            before: None,
            after: None,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes an API token acting with `role`, owned by `owner`; returns the token, which is
/// shown once and stored only as its hash.
pub async fn create_token(
    store: &Store,
    actor: &str,
    owner: StaffId,
    name: &str,
    role: Role,
    now: Timestamp,
) -> Result<String, Error> {
    let token = crate::auth::tokens::generate();
    let mut tx = store.begin().await?;
    let id = tx
        .insert_owned_api_token(name, role, &crate::auth::tokens::hash(&token), owner, now)
        .await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ApiTokenCreate,
            object_type: "api_token",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "name": name, "role": role.code() })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Revokes a token: calls with it are refused from now on.
pub async fn revoke_token(store: &Store, actor: &str, id: TokenId, now: Timestamp) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    let name = tx.revoke_api_token_id(id, now).await?.ok_or(Error::NotFound("token"))?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ApiTokenRevoke,
            object_type: "api_token",
            object_id: id.to_string(),
            before: Some(serde_json::json!({ "name": name })),
            after: None,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Saves the department's profile (the first save creates the department).
pub async fn save_profile(store: &Store, actor: &str, p: &Profile, now: Timestamp) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    let before = tx.department_json().await?;
    tx.insert_department(&NewDepartment {
        name: &p.name,
        short_name: &p.short_name,
        city: &p.city,
        state: &p.state,
        time_zone: &p.time_zone,
        address: &p.address,
        phone: &p.phone,
        email: &p.email,
        tagline: &p.tagline,
        service_area: &p.service_area,
        non_emergency_phone: &p.non_emergency_phone,
        website: &p.website,
        reply_to: &p.reply_to,
        accessibility_contact: &p.accessibility_contact,
    })
    .await?;
    let after = tx.department_json().await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::DepartmentProfile,
            object_type: "department",
            object_id: "1".into(),
            before,
            after,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Names the roles (codes, comma-separated) that see sensitive fields. Refused until the
/// department's profile exists, since the setting lives on its row.
pub async fn set_sensitive_roles(store: &Store, actor: &str, roles: &str, now: Timestamp) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    if !tx.department_exists().await? {
        // The setting lives on the department's row: without a profile it would be lost.
        return Err(Error::conflict(
            "Save the department's profile first; then choose who sees sensitive fields.",
        ));
    }
    let before = tx.set_sensitive_roles(roles).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::DepartmentSensitiveRoles,
            object_type: "department",
            object_id: "1".into(),
            before: before.map(|b| serde_json::json!({ "sensitive_roles": b })),
            after: Some(serde_json::json!({ "sensitive_roles": roles })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Stores (or replaces) the logo, already re-encoded by `documents::photo::logo`.
pub async fn put_logo(
    store: &Store,
    actor: &str,
    png: &[u8],
    (width, height): (u32, u32),
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    tx.put_logo(png, (width, height), now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::DepartmentLogo,
            object_type: "department",
            object_id: "1".into(),
            before: None,
            after: Some(serde_json::json!({ "width": width, "height": height })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the logo (the site shows the generic badge again).
pub async fn remove_logo(store: &Store, actor: &str, now: Timestamp) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    if tx.delete_logo().await? {
        tx.audit(
            &AuditRecord {
                actor,
                action: AuditAction::DepartmentLogoRemoved,
                object_type: "department",
                object_id: "1".into(),
                before: None,
                after: None,
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
