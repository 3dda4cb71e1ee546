//! Private calendar links, and what their feeds list: a participant's classes and the
//! sessions an officer presents.

use jiff::Timestamp;

use super::{Store, StoreError, dispatch, to_secs};
use crate::domain::{ClassId, SessionId, StaffId};

/// Whose calendar a private link opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarOwner {
    /// Everyone who applied under this email key.
    Participant(String),
    Presenter(StaffId),
}

impl CalendarOwner {
    fn parts(&self) -> (&'static str, String) {
        match self {
            CalendarOwner::Participant(key) => ("participant", key.clone()),
            CalendarOwner::Presenter(id) => ("presenter", id.to_string()),
        }
    }
}

impl Store {
    /// Makes `token_hash` the owner's calendar link; an earlier link stops working.
    pub async fn replace_calendar_link(
        &self,
        owner: &CalendarOwner,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let (kind, key) = owner.parts();
        let mut tx = self.begin().await?;
        super::on_tx!(tx, c => sqlx::query("DELETE FROM calendar_links WHERE owner_kind = $1 AND owner_key = $2")
            .bind(kind).bind(&key).execute(c).await.map(|_| ()))?;
        super::on_tx!(tx, c => sqlx::query(
            "INSERT INTO calendar_links (token_hash, owner_kind, owner_key, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash).bind(kind).bind(&key).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        tx.commit().await
    }

    /// Whether the owner has a calendar link (its address is shown only when made).
    pub async fn has_calendar_link(&self, owner: &CalendarOwner) -> Result<bool, StoreError> {
        let (kind, key) = owner.parts();
        let n: i64 = dispatch!(&self.pool, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM calendar_links WHERE owner_kind = $1 AND owner_key = $2")
            .bind(kind).bind(&key).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// The owner of a calendar link, by the token's hash.
    pub async fn calendar_owner(&self, token_hash: &str) -> Result<Option<CalendarOwner>, StoreError> {
        let row: Option<(String, String)> = dispatch!(&self.pool, p => sqlx::query_as(
            "SELECT owner_kind, owner_key FROM calendar_links WHERE token_hash = $1")
            .bind(token_hash).fetch_optional(p).await)?;
        Ok(row.and_then(|(kind, key)| match kind.as_str() {
            "participant" => Some(CalendarOwner::Participant(key)),
            "presenter" => key.parse().ok().map(|id| CalendarOwner::Presenter(StaffId::new(id))),
            _ => None,
        }))
    }

    /// Classes in which someone holds or held a seat under `email_key` (a seat held during
    /// review counts: the person plans around it).
    pub async fn participant_classes(&self, email_key: &str) -> Result<Vec<ClassId>, StoreError> {
        let sql = "SELECT DISTINCT class_id FROM applications WHERE email_key = $1 \
                   AND status IN ('pending_review', 'confirmed', 'completed', 'not_completed') ORDER BY class_id";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(email_key).fetch_all(p).await)?)
    }

    /// Sessions an officer is named to present, by class.
    pub async fn presented_sessions(&self, staff: StaffId) -> Result<Vec<(ClassId, SessionId)>, StoreError> {
        let sql = "SELECT DISTINCT s.class_id, s.id FROM session_presenters sp \
                   JOIN sessions s ON s.id = sp.session_id WHERE sp.staff_id = $1 ORDER BY s.class_id, s.id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(staff).fetch_all(p).await)?)
    }
}
