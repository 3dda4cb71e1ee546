//! The department's pages and advisories: saving one (new or changed) with its audit
//! record.

use jiff::Timestamp;

use super::Error;
use crate::domain::ContentId;
use crate::domain::audit::AuditAction;
use crate::store::Store;
use crate::store::content::NewContent;
use crate::store::staff::AuditRecord;

/// Saves a page or advisory: a new one when `editing` is `None`. Refused (`Invalid`) when
/// another item already uses its web address name. Returns its id.
pub async fn save(
    store: &Store,
    actor: &str,
    editing: Option<ContentId>,
    item: &NewContent<'_>,
    now: Timestamp,
) -> Result<ContentId, Error> {
    let taken = || Error::invalid_because(vec!["Another page already uses this web address name.".into()]);
    let mut tx = store.begin().await?;
    let (id, action) = match editing {
        Some(id) => {
            if !tx.update_content(id, item, now).await? {
                return Err(taken());
            }
            (id, AuditAction::ContentUpdate)
        }
        None => match tx.insert_content(item, now).await? {
            Some(id) => (id, AuditAction::ContentCreate),
            None => return Err(taken()),
        },
    };
    tx.audit(
        &AuditRecord {
            actor,
            action,
            object_type: "content",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "kind": item.kind.code(), "slug": item.slug, "title": item.title, "window": item.window,
                "published": item.published, "on_home": item.on_home,
            })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
