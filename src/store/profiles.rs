//! Staff members' public profiles: whether they agree to be named on public pages, and
//! their portrait.

use jiff::Timestamp;

use super::{Store, StoreError, Tx, dispatch, on_tx, to_secs};
use crate::domain::StaffId;

/// A staff member's profile as they see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub public_profile: bool,
    /// (width, height, updated at in seconds) of the portrait, if there is one.
    pub photo: Option<(u32, u32, i64)>,
}

#[derive(sqlx::FromRow)]
struct Row {
    public_profile: bool,
    width: Option<i64>,
    height: Option<i64>,
    updated_at: Option<i64>,
}

impl Store {
    /// Whether `id` agreed to a public profile, and their portrait's size.
    pub async fn profile(&self, id: StaffId) -> Result<Option<Profile>, StoreError> {
        let sql = "SELECT s.public_profile, p.width, p.height, p.updated_at FROM staff s \
                   LEFT JOIN staff_photos p ON p.staff_id = s.id WHERE s.id = $1";
        let row: Option<Row> = dispatch!(&self.pool, p => sqlx::query_as(sql).bind(id).fetch_optional(p).await)?;
        Ok(row.map(|r| Profile {
            public_profile: r.public_profile,
            photo: match (r.width, r.height, r.updated_at) {
                (Some(w), Some(h), Some(at)) => {
                    Some((u32::try_from(w).unwrap_or(0), u32::try_from(h).unwrap_or(0), at))
                }
                _ => None,
            },
        }))
    }

    /// A portrait as JPEG; with `public`, only of an active officer who agreed to be shown.
    pub async fn staff_photo(&self, id: StaffId, public: bool) -> Result<Option<Vec<u8>>, StoreError> {
        let sql = "SELECT p.jpeg FROM staff_photos p JOIN staff s ON s.id = p.staff_id \
                   WHERE p.staff_id = $1 AND (NOT $2 OR (s.public_profile AND s.active))";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(id).bind(public).fetch_optional(p).await)?)
    }
}

impl Tx {
    /// Records whether `id` agrees to be named (and pictured) on public pages.
    pub async fn set_public_profile(&mut self, id: StaffId, public: bool) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query("UPDATE staff SET public_profile = $1 WHERE id = $2")
            .bind(public).bind(id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Stores (or replaces) a portrait.
    pub async fn put_staff_photo(
        &mut self,
        id: StaffId,
        jpeg: &[u8],
        (width, height): (u32, u32),
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO staff_photos (staff_id, jpeg, width, height, updated_at) VALUES ($1, $2, $3, $4, $5) \
                   ON CONFLICT (staff_id) DO UPDATE SET jpeg = excluded.jpeg, width = excluded.width, \
                   height = excluded.height, updated_at = excluded.updated_at";
        on_tx!(self, c => sqlx::query(sql).bind(id).bind(jpeg).bind(i64::from(width)).bind(i64::from(height))
            .bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Removes a portrait; false when there was none.
    pub async fn delete_staff_photo(&mut self, id: StaffId) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => sqlx::query("DELETE FROM staff_photos WHERE staff_id = $1")
            .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
